//! Issue 7's silent-server scenario: a server that accepts and never answers. The attempt
//! timeout still ends a lone attempt after 2.0 s; with retries, the call deadline ends the
//! whole call, and its error says what each attempt met.

use std::time::{Duration, Instant};

use generated_client::niumall::{Client, Credentials, ListOrdersRequest};
use generated_client::runtime::{Error, ErrorClass, Phase, RetryPolicy};
use integration_tests::chaos::{ChaosConfig, ChaosServer, Fault};

async fn silent_server_client(policy: RetryPolicy) -> (ChaosServer, Client) {
    let server = ChaosServer::start(ChaosConfig {
        fault_rate: 1.0,
        faults: vec![Fault::Silent],
        ..ChaosConfig::default()
    })
    .await;
    let client = Client::builder(Credentials::new("admin@example.com", "password"))
        .base_url(&server.base_url)
        .grant_path("login", &server.login_url)
        .timeout(Duration::from_secs(2))
        .retry_policy(policy)
        .deadline(Duration::from_secs(3))
        .build()
        .await
        .expect("client builds");
    (server, client)
}

#[tokio::test]
async fn a_silent_server_times_out_per_attempt_and_the_deadline_ends_the_call() {
    let (_server, client) = silent_server_client(RetryPolicy::disabled()).await;
    let started = Instant::now();
    let err = client
        .list_orders(&ListOrdersRequest::new())
        .await
        .unwrap_err();
    let elapsed = started.elapsed();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    assert!(
        elapsed >= Duration::from_millis(1950) && elapsed < Duration::from_millis(2600),
        "{elapsed:?}"
    );

    let (_server, client) = silent_server_client(
        RetryPolicy::standard().with_initial_backoff(Duration::from_millis(100)),
    )
    .await;
    let started = Instant::now();
    let err = client
        .list_orders(&ListOrdersRequest::new())
        .await
        .unwrap_err();
    let elapsed = started.elapsed();
    assert!(
        elapsed >= Duration::from_millis(2950) && elapsed < Duration::from_millis(3600),
        "{elapsed:?}"
    );
    let Error::DeadlineExceeded(d) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(d.attempts, 2, "{d:?}");
    assert_eq!(d.interrupted, Phase::Attempt);
    assert_eq!(d.failures.len(), 1, "{d:?}");
    assert_eq!(d.failures[0].class, ErrorClass::Retryable);
    assert!(d.failures[0].message.contains("timed out"), "{d:?}");
    assert!(
        d.failures[0]
            .retried
            .is_some_and(|(reason, _)| reason == "transient")
    );
    assert!(err.to_string().contains("2 attempts"), "{err}");
}

/// Per-call settings through the generated `with_options`: a clone with its own deadline and
/// retry policy; the client it came from keeps its own.
#[tokio::test]
async fn with_options_changes_the_settings_of_the_calls_made_through_it() {
    let (_server, client) = silent_server_client(RetryPolicy::standard()).await;

    let started = Instant::now();
    let err = client
        .with_options(|o| o.deadline = Duration::from_millis(500))
        .list_orders(&ListOrdersRequest::new())
        .await
        .unwrap_err();
    let elapsed = started.elapsed();
    assert!(matches!(err, Error::DeadlineExceeded(_)), "{err:?}");
    assert!(
        elapsed >= Duration::from_millis(450) && elapsed < Duration::from_millis(1500),
        "{elapsed:?}"
    );

    // No retries and a deadline past the 2 s attempt timeout: one attempt, which times out.
    let err = client
        .with_options(|o| {
            o.retry = RetryPolicy::disabled();
            o.deadline = Duration::from_secs(10);
        })
        .list_orders(&ListOrdersRequest::new())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");

    // The original client still retries within its own 3 s deadline.
    let started = Instant::now();
    let err = client
        .list_orders(&ListOrdersRequest::new())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::DeadlineExceeded(_)), "{err:?}");
    assert!(
        started.elapsed() >= Duration::from_millis(2950),
        "{:?}",
        started.elapsed()
    );
}
