//! The chaos suite: a few hundred niumall calls at concurrency 50 against a server that
//! misbehaves on ~20 % of requests (`integration_tests::chaos`). Every call ends within its
//! deadline + 1 s, the server never reads a create-order request twice, the login endpoint is
//! called once, nothing panics — and the retries really happened.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use generated_client::niumall::{Client, CreateOrderRequest, Credentials, ListOrdersRequest};
use generated_client::runtime::{ErrorClass, RetryPolicy};
use integration_tests::chaos::{ChaosConfig, ChaosServer, Fault, ORDERS_PATH};

const CALLS: usize = 300;
const CONCURRENCY: usize = 50;
const DEADLINE: Duration = Duration::from_secs(3);

#[derive(Debug)]
enum Outcome {
    Ok,
    Failed(ErrorClass),
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_day_loses_nothing_duplicates_nothing_and_ends_in_time() {
    let server = ChaosServer::start(ChaosConfig {
        slow_body: Duration::from_secs(2),
        ..ChaosConfig::default()
    })
    .await;
    let client = Client::builder(Credentials::new("admin@example.com", "chaos-password"))
        .base_url(&server.base_url)
        .grant_path("login", &server.login_url)
        // Longer than the deadline: a silent server is cut off by the deadline, not by the
        // per-attempt timeout, so the deadline is what this test holds the client to.
        .timeout(Duration::from_secs(5))
        .deadline(DEADLINE)
        .retry_policy(
            RetryPolicy::standard()
                .with_max_attempts(4)
                .with_initial_backoff(Duration::from_millis(50))
                .with_max_backoff(Duration::from_millis(200)),
        )
        .build()
        .await
        .expect("client builds");

    let semaphore = std::sync::Arc::new(tokio::sync::Semaphore::new(CONCURRENCY));
    let tasks: Vec<_> = (0..CALLS)
        .map(|i| {
            let (client, semaphore) = (client.clone(), semaphore.clone());
            tokio::spawn(async move {
                let _permit = semaphore.acquire_owned().await.expect("semaphore open");
                let started = Instant::now();
                let result = if i % 2 == 0 {
                    let request = CreateOrderRequest::new(
                        101,
                        "西门塔尔",
                        30,
                        "15000".parse().expect("decimal"),
                        "28.5".parse().expect("decimal"),
                    )
                    .delivery_address(format!("chaos-{i}"));
                    client.create_order(&request).await.map(drop)
                } else {
                    let request = ListOrdersRequest::new().page(i as i64);
                    client.list_orders(&request).await.map(drop)
                };
                let outcome = match result {
                    Ok(()) => Outcome::Ok,
                    Err(e) => Outcome::Failed(e.class()),
                };
                (i, started.elapsed(), outcome)
            })
        })
        .collect();
    let mut outcomes = Vec::new();
    for task in tasks {
        outcomes.push(task.await.expect("no call panicked"));
    }

    // Every call ended within its deadline + 1 s.
    for (i, elapsed, outcome) in &outcomes {
        assert!(
            *elapsed <= DEADLINE + Duration::from_secs(1),
            "call {i} took {elapsed:?}: {outcome:?}"
        );
    }

    // No create-order request was read twice; every list request id was read at least once
    // or failed.
    let seen = server.seen();
    let mut reads: HashMap<(String, String), usize> = HashMap::new();
    for s in seen.iter().filter(|s| s.path == ORDERS_PATH) {
        *reads
            .entry((s.method.clone(), s.id.clone().unwrap_or_default()))
            .or_default() += 1;
    }
    for ((method, id), n) in &reads {
        if method == "POST" {
            assert_eq!(*n, 1, "create-order {id} read {n} times");
        }
    }

    // Login: once, for the whole herd, never two at a time.
    assert_eq!(server.logins(), 1);
    assert_eq!(server.max_concurrent_logins(), 1);

    // The chaos was real: every fault happened, and the client retried through it.
    let injected = server.injected();
    for fault in Fault::ALL {
        assert!(
            injected.get(&fault).copied().unwrap_or(0) > 0,
            "{fault:?} never injected: {injected:?}"
        );
    }
    let total_faults: usize = injected.values().sum();
    assert!(total_faults >= CALLS / 10, "{injected:?}");
    let gets_read_twice = reads
        .iter()
        .filter(|((method, _), n)| method == "GET" && **n > 1)
        .count();
    assert!(gets_read_twice > 0, "no list request was retried");
    let ok_gets = outcomes
        .iter()
        .filter(|(i, _, o)| i % 2 == 1 && matches!(o, Outcome::Ok))
        .count();
    let ok_posts = outcomes
        .iter()
        .filter(|(i, _, o)| i % 2 == 0 && matches!(o, Outcome::Ok))
        .count();
    // Retried, the idempotent list survives nearly everything; the create does not retry
    // after a fault that may have reached the server, so about a fifth of them fail.
    assert!(
        ok_gets >= CALLS / 2 * 9 / 10,
        "{ok_gets} list calls succeeded"
    );
    assert!(
        ok_posts >= CALLS / 2 / 2,
        "{ok_posts} create calls succeeded"
    );
    assert!(
        ok_posts < CALLS / 2,
        "no create call failed: the faults missed them"
    );
    // Failures are the transient kinds, nothing else (no auth, no decode errors).
    for (i, _, outcome) in &outcomes {
        if let Outcome::Failed(class) = outcome {
            assert!(
                matches!(class, ErrorClass::Retryable | ErrorClass::RateLimited),
                "call {i}: {outcome:?}"
            );
        }
    }
}
