//! 10,000 niumall calls at concurrency 100 against the chaos server (~20 % faults), then the
//! figures: calls completed and failed by class, retries by reason, latency percentiles.
//!
//! ```text
//! cargo run --release -p integration-tests --example chaos_bench [CALLS] [CONCURRENCY] [outage] [no-quota]
//! ```
//!
//! `outage`: every order request fails (500), to count the attempts per call the vendor
//! receives; `no-quota`: without the retry quota (as before it existed), for comparison.
//!
//! Half the calls create an order (never retried once it may have reached the server), half
//! list orders (idempotent: retried). The policy is the standard one with short backoffs
//! (50–400 ms) and a 3 s deadline, so a run takes seconds, not minutes.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use generated_client::niumall::{Client, CreateOrderRequest, Credentials, ListOrdersRequest};
use generated_client::runtime::{Error, RetryPolicy, RetryQuota};
use integration_tests::chaos::{ChaosConfig, ChaosServer, Fault, ORDERS_PATH};
use tracing::field::{Field, Visit};
use tracing::{Event, Subscriber};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;

/// Counts the runtime's `retrying` events by reason, and the calls that had one.
#[derive(Clone, Default)]
struct RetryCounter(Arc<Mutex<Counts>>);

#[derive(Default)]
struct Counts {
    by_reason: BTreeMap<String, usize>,
    calls_retried: usize,
}

struct Retried;

struct Reason(Option<String>, bool);

impl Visit for Reason {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "reason" {
            self.0 = Some(value.to_owned());
        }
    }
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" && format!("{value:?}") == "retrying" {
            self.1 = true;
        }
    }
}

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for RetryCounter {
    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let mut reason = Reason(None, false);
        event.record(&mut reason);
        if !reason.1 {
            return;
        }
        let mut counts = self.0.lock().expect("counter lock");
        *counts
            .by_reason
            .entry(reason.0.unwrap_or_default())
            .or_default() += 1;
        if let Some(span) = ctx.event_span(event)
            && span.extensions().get::<Retried>().is_none()
        {
            span.extensions_mut().insert(Retried);
            counts.calls_retried += 1;
        }
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(i).copied().unwrap_or_default()
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let calls: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(10_000);
    let concurrency: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(100);
    let flags: Vec<String> = args.collect();
    let outage = flags.iter().any(|f| f == "outage");
    let quota = if flags.iter().any(|f| f == "no-quota") {
        RetryQuota::unlimited()
    } else {
        RetryQuota::standard()
    };

    let counter = RetryCounter::default();
    tracing::subscriber::set_global_default(tracing_subscriber::registry().with(counter.clone()))
        .expect("the only subscriber");

    let mut config = ChaosConfig {
        slow_body: Duration::from_secs(2),
        ..ChaosConfig::default()
    };
    if outage {
        config.fault_rate = 1.0;
        config.faults = vec![Fault::Status500];
    }
    let server = ChaosServer::start(config).await;
    let deadline = Duration::from_secs(3);
    let client = Client::builder(Credentials::new("admin@example.com", "chaos-password"))
        .base_url(&server.base_url)
        .grant_path("login", &server.login_url)
        .deadline(deadline)
        .retry_policy(
            RetryPolicy::standard()
                .with_initial_backoff(Duration::from_millis(50))
                .with_max_backoff(Duration::from_millis(400)),
        )
        .retry_quota(quota)
        .build()
        .await
        .expect("client builds");

    let started = Instant::now();
    let semaphore = Arc::new(tokio::sync::Semaphore::new(concurrency));
    let tasks: Vec<_> = (0..calls)
        .map(|i| {
            let (client, semaphore) = (client.clone(), semaphore.clone());
            tokio::spawn(async move {
                let _permit = semaphore.acquire_owned().await.expect("semaphore open");
                let t = Instant::now();
                let result = if i % 2 == 0 {
                    let request = CreateOrderRequest::new(
                        101,
                        "西门塔尔",
                        30,
                        "15000".parse().expect("decimal"),
                        "28.5".parse().expect("decimal"),
                    )
                    .delivery_address(format!("bench-{i}"));
                    client.create_order(&request).await.map(drop)
                } else {
                    client
                        .list_orders(&ListOrdersRequest::new().page(i as i64))
                        .await
                        .map(drop)
                };
                let failure = result.err().map(|e| match &e {
                    Error::DeadlineExceeded(_) => "DeadlineExceeded".to_owned(),
                    other => format!("{:?}", other.class()),
                });
                (i % 2 == 0, t.elapsed(), failure)
            })
        })
        .collect();
    let mut latencies = Vec::with_capacity(calls);
    let mut failed: BTreeMap<(&str, String), usize> = BTreeMap::new();
    let mut completed = 0;
    for task in tasks {
        let (create, latency, failure) = task.await.expect("no call panicked");
        latencies.push(latency);
        match failure {
            None => completed += 1,
            Some(class) => {
                let kind = if create { "create" } else { "list" };
                *failed.entry((kind, class)).or_default() += 1;
            }
        }
    }
    let wall = started.elapsed();
    latencies.sort();

    let counts = counter.0.lock().expect("counter lock");
    let injected: usize = server.injected().values().sum();
    let over_deadline = latencies
        .iter()
        .filter(|l| **l > deadline + Duration::from_secs(1))
        .count();
    println!("calls: {calls} at concurrency {concurrency}, wall time {wall:.2?}");
    println!("faults injected: {injected} ({:?})", server.injected());
    println!("completed: {completed}");
    println!(
        "retried: {} calls, {} retries by reason {:?}",
        counts.calls_retried,
        counts.by_reason.values().sum::<usize>(),
        counts.by_reason
    );
    println!("failed by class: {failed:?}");
    println!(
        "latency: p50 {:.1?}, p99 {:.1?}, max {:.1?}; over deadline + 1 s: {over_deadline}",
        percentile(&latencies, 0.50),
        percentile(&latencies, 0.99),
        latencies.last().copied().unwrap_or_default()
    );
    let mut create_reads: std::collections::HashMap<String, usize> = Default::default();
    for seen in server.seen().into_iter().filter(|s| s.method == "POST") {
        *create_reads.entry(seen.id.unwrap_or_default()).or_default() += 1;
    }
    let read_twice = create_reads.values().filter(|n| **n > 1).count();
    println!(
        "logins: {}; create-order requests the server read twice: {read_twice}",
        server.logins()
    );
    let order_requests = server
        .seen()
        .iter()
        .filter(|s| s.path == ORDERS_PATH)
        .count();
    let list_requests = server
        .seen()
        .iter()
        .filter(|s| s.path == ORDERS_PATH && s.method == "GET")
        .count();
    println!(
        "order requests the server read: {order_requests} ({:.2} per call; list calls: {:.2} per call)",
        order_requests as f64 / calls as f64,
        list_requests as f64 / (calls / 2).max(1) as f64
    );
}
