//! The retry policy and the per-call deadline, end to end against a loopback server.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::*;
use crate::builder::EngineBuilder;
use crate::envelope::Success;
use crate::error::Phase;
use crate::retry::RetryQuota;
use crate::test_support::{Reply, TestCode, TestServer};
use crate::token::RefreshPolicy;
use spec_lang::{Piece, Value};

type E = Error<TestCode>;

const OK: &str = r#"{"code":0,"message":"ok","data":{"n":1}}"#;

fn envelope() -> EnvelopeSpec {
    EnvelopeSpec {
        success: Success::CodeIn(vec![RawCode::Int(0)]),
        code: Some("code"),
        message: vec!["message"],
        data: "data",
        details: None,
        extra: vec![],
        nested: None,
    }
}

/// Small delays so the tests stay fast; the decisions are those of the standard policy.
fn quick() -> RetryPolicy {
    RetryPolicy::standard()
        .with_initial_backoff(Duration::from_millis(20))
        .with_max_backoff(Duration::from_millis(50))
}

async fn engine(url: &str, policy: RetryPolicy) -> Engine<TestCode> {
    EngineBuilder::engine(
        ApiSpec::new(Some(envelope()), vec![], None, false),
        "https://x",
    )
    .base_url(url)
    .retry_policy(policy)
    .build()
    .await
    .unwrap()
}

fn request(method: reqwest::Method, idempotent: bool) -> Request {
    Request {
        method,
        path: Cow::Borrowed("/data"),
        query: vec![],
        headers: vec![],
        body: Body::None,
        authenticated: false,
        idempotent,
    }
}

/// A server answering `first` to the first `failures` requests, then `OK`.
async fn flaky(failures: usize, first: fn() -> Reply) -> TestServer {
    let seen = AtomicUsize::new(0);
    TestServer::start(move |_| {
        if seen.fetch_add(1, Ordering::SeqCst) < failures {
            first()
        } else {
            Reply::json(200, OK)
        }
    })
    .await
}

fn unavailable() -> Reply {
    Reply::json(503, "<html>busy</html>")
}

#[tokio::test]
async fn a_get_is_retried_after_5xx_until_it_succeeds() {
    let server = flaky(2, unavailable).await;
    let e = engine(&server.url(), quick()).await;
    let v: serde_json::Value = e.send(request(reqwest::Method::GET, false)).await.unwrap();
    assert_eq!(v, json!({"n": 1}));
    assert_eq!(server.count("/data"), 3, "3 attempts by default");
}

#[tokio::test]
async fn attempts_are_bounded_by_the_policy() {
    let server = flaky(usize::MAX, unavailable).await;
    let e = engine(&server.url(), quick()).await;
    let err = e
        .send::<serde_json::Value>(request(reqwest::Method::GET, false))
        .await
        .unwrap_err();
    assert!(matches!(err, E::HttpStatus { status: 503, .. }), "{err:?}");
    assert_eq!(server.count("/data"), 3);
    let off = e.with_retry_policy(RetryPolicy::disabled());
    off.send::<serde_json::Value>(request(reqwest::Method::GET, false))
        .await
        .unwrap_err();
    assert_eq!(server.count("/data"), 4, "disabled: sent once");
}

/// A POST that may have reached the server is never sent again.
#[tokio::test]
async fn a_non_idempotent_post_is_not_resent_after_5xx_429_or_a_timeout() {
    let throttled = || Reply {
        headers: vec![("Retry-After", "0".into())],
        ..Reply::json(429, "slow down")
    };
    let silent = || Reply {
        delay: Duration::from_secs(5),
        ..Reply::json(200, OK)
    };
    for reply in [unavailable as fn() -> Reply, throttled, silent] {
        let server = flaky(usize::MAX, reply).await;
        let e = EngineBuilder::<TestCode>::engine(
            ApiSpec::new(Some(envelope()), vec![], None, false),
            "https://x",
        )
        .base_url(&server.url())
        .retry_policy(quick())
        .timeout(Duration::from_millis(300))
        .build()
        .await
        .unwrap();
        let err = e
            .send::<serde_json::Value>(request(reqwest::Method::POST, false))
            .await
            .unwrap_err();
        assert_eq!(server.count("/data"), 1, "{err:?}");
        // The same failures are retried for a POST the spec marks idempotent.
        let _ = e
            .send::<serde_json::Value>(request(reqwest::Method::POST, true))
            .await;
        assert_eq!(server.count("/data"), 4, "{err:?}");
    }
}

#[tokio::test]
async fn retry_after_is_waited_out() {
    let throttled = || Reply {
        headers: vec![("Retry-After", "1".into())],
        ..Reply::json(429, "slow down")
    };
    let server = flaky(1, throttled).await;
    let e = engine(&server.url(), quick()).await;
    let started = std::time::Instant::now();
    let _: serde_json::Value = e.send(request(reqwest::Method::GET, false)).await.unwrap();
    assert_eq!(server.count("/data"), 2);
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "{:?}",
        started.elapsed()
    );
}

/// A `Retry-After` beyond the deadline (here: the largest number of seconds) is not waited
/// for, and does not overflow anything: the server's answer is returned at once.
#[tokio::test]
async fn a_retry_after_past_the_deadline_returns_the_failure_at_once() {
    let server = flaky(usize::MAX, || Reply {
        headers: vec![("Retry-After", u64::MAX.to_string())],
        ..unavailable()
    })
    .await;
    let e = engine(&server.url(), quick())
        .await
        .with_deadline(Duration::MAX);
    let err = e
        .send::<serde_json::Value>(request(reqwest::Method::GET, false))
        .await
        .unwrap_err();
    assert!(matches!(err, E::HttpStatus { status: 503, .. }), "{err:?}");
    assert_eq!(server.count("/data"), 1);
}

/// Nothing was sent when the connection was refused: any method may be retried.
#[tokio::test]
async fn a_post_is_retried_when_the_connection_was_never_established() {
    let addr = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let seen = std::sync::Arc::new(AtomicUsize::new(0));
    let late = tokio::spawn({
        let seen = seen.clone();
        async move {
            tokio::time::sleep(Duration::from_millis(150)).await;
            let listener = tokio::net::TcpListener::bind(addr).await.unwrap();
            let (mut stream, _) = listener.accept().await.unwrap();
            let mut buf = [0u8; 4096];
            let _ = stream.read(&mut buf).await.unwrap();
            seen.fetch_add(1, Ordering::SeqCst);
            let reply = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{OK}",
                OK.len()
            );
            stream.write_all(reply.as_bytes()).await.unwrap();
        }
    });
    let policy = RetryPolicy::standard()
        .with_max_attempts(10)
        .with_initial_backoff(Duration::from_millis(60))
        .with_max_backoff(Duration::from_millis(60));
    let e = engine(&format!("http://{addr}"), policy).await;
    let v: serde_json::Value = e.send(request(reqwest::Method::POST, false)).await.unwrap();
    assert_eq!(v, json!({"n": 1}));
    assert_eq!(seen.load(Ordering::SeqCst), 1);
    late.await.unwrap();
}

#[tokio::test]
async fn the_deadline_covers_attempts_and_backoff_and_lists_them() {
    // Attempts of 300 ms with waits of at most 10 ms: the deadline falls in attempt 3.
    let server = flaky(usize::MAX, || Reply {
        delay: Duration::from_millis(300),
        ..unavailable()
    })
    .await;
    let policy = RetryPolicy::standard()
        .with_max_attempts(1000)
        .with_initial_backoff(Duration::from_millis(10))
        .with_max_backoff(Duration::from_millis(10));
    let e = engine(&server.url(), policy)
        .await
        .with_deadline(Duration::from_millis(800));
    let started = std::time::Instant::now();
    let err = e
        .send::<serde_json::Value>(request(reqwest::Method::GET, false))
        .await
        .unwrap_err();
    let elapsed = started.elapsed();
    assert!(
        elapsed >= Duration::from_millis(790) && elapsed < Duration::from_millis(1300),
        "{elapsed:?}"
    );
    let E::DeadlineExceeded(d) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(d.deadline, Duration::from_millis(800));
    assert!(d.attempts >= 3, "{d:?}");
    assert!(d.failures.len() as u32 >= d.attempts - 1, "{d:?}");
    assert!(
        d.failures
            .iter()
            .all(|f| f.status == Some(503) && f.class == ErrorClass::Retryable),
        "{d:?}"
    );
    assert_eq!(err.class(), ErrorClass::Retryable);
    let text = err.to_string();
    assert!(text.contains("attempt 1: HTTP 503"), "{text}");
}

/// A server that accepts and never answers: the per-attempt timeout still applies (also to a
/// client the application brings, which may have no timeout of its own: the timer is the
/// engine's), and the call deadline cuts it shorter when it is shorter.
#[tokio::test]
async fn a_silent_server_is_cut_off_by_the_timeout_and_the_deadline() {
    let server = flaky(usize::MAX, || Reply {
        delay: Duration::from_secs(30),
        ..Reply::json(200, OK)
    })
    .await;
    // A client built by hand needs the TLS provider the runtime installs for its own.
    crate::transport::install_crypto_provider();
    for own_client in [None, Some(reqwest::Client::new())] {
        let mut builder = EngineBuilder::<TestCode>::engine(
            ApiSpec::new(Some(envelope()), vec![], None, false),
            "https://x",
        )
        .base_url(&server.url())
        .timeout(Duration::from_millis(400))
        .retry_policy(RetryPolicy::disabled());
        if let Some(client) = own_client {
            builder = builder.http_client(client);
        }
        let e = builder.build().await.unwrap();
        let started = std::time::Instant::now();
        let err = e
            .send::<serde_json::Value>(request(reqwest::Method::GET, false))
            .await
            .unwrap_err();
        assert!(matches!(err, E::Timeout { .. }), "{err:?}");
        assert!(started.elapsed() < Duration::from_millis(900));

        let started = std::time::Instant::now();
        let err = e
            .with_deadline(Duration::from_millis(150))
            .send::<serde_json::Value>(request(reqwest::Method::GET, false))
            .await
            .unwrap_err();
        let E::DeadlineExceeded(d) = &err else {
            panic!("{err:?}")
        };
        assert_eq!((d.attempts, d.interrupted), (1, Phase::Attempt));
        assert!(started.elapsed() < Duration::from_millis(390));
    }
}

/// Nonce replays are re-signed with backoff for idempotent requests, and for any method when
/// the code is documented as sent before executing; otherwise a POST is sent once.
#[tokio::test]
async fn resign_and_clock_skew_budgets() {
    let replay = || Reply::json(200, r#"{"code":10028,"message":"replay","data":null}"#);
    let server = flaky(usize::MAX, replay).await;
    let e = engine(&server.url(), quick()).await;
    let err = e
        .send::<serde_json::Value>(request(reqwest::Method::POST, true))
        .await
        .unwrap_err();
    assert_eq!(err.class(), ErrorClass::Resign);
    assert_eq!(server.count("/data"), 1 + MAX_RESIGNS as usize);
    e.with_retry_policy(RetryPolicy::disabled())
        .send::<serde_json::Value>(request(reqwest::Method::POST, true))
        .await
        .unwrap_err();
    assert_eq!(server.count("/data"), 2 + MAX_RESIGNS as usize);
    // An ambiguous code (maybe a duplicate-submission guard): a write is not sent again.
    let err = e
        .send::<serde_json::Value>(request(reqwest::Method::POST, false))
        .await
        .unwrap_err();
    assert_eq!(err.class(), ErrorClass::Resign);
    assert_eq!(server.count("/data"), 3 + MAX_RESIGNS as usize);

    let safe = || {
        Reply::json(
            200,
            r#"{"code":"resign_safe","message":"nonce","data":null}"#,
        )
    };
    let server = flaky(usize::MAX, safe).await;
    let e = engine(&server.url(), quick()).await;
    e.send::<serde_json::Value>(request(reqwest::Method::POST, false))
        .await
        .unwrap_err();
    assert_eq!(server.count("/data"), 1 + MAX_RESIGNS as usize);
}

/// During a full outage the quota empties: after it, a call makes one attempt and says why.
/// Clones share the bucket; a success refills it.
#[tokio::test]
async fn the_retry_quota_caps_attempts_during_an_outage() {
    let server = flaky(usize::MAX, unavailable).await;
    let e = EngineBuilder::engine(
        ApiSpec::new(Some(envelope()), vec![], None, false),
        "https://x",
    )
    .base_url(&server.url())
    .retry_policy(RetryPolicy::standard().with_initial_backoff(Duration::ZERO))
    .retry_quota(RetryQuota::standard().with_capacity(20))
    .build()
    .await
    .unwrap();
    let clone = e.clone();
    // 20 tokens pay for 4 retries at 5: the first call retries twice, the second twice.
    for (call, attempts_so_far) in [(&e, 3), (&clone, 6)] {
        let err = call
            .send::<serde_json::Value>(request(reqwest::Method::GET, false))
            .await
            .unwrap_err();
        assert!(matches!(err, E::HttpStatus { status: 503, .. }), "{err:?}");
        assert_eq!(server.count("/data"), attempts_so_far);
    }
    let err = clone
        .send::<serde_json::Value>(request(reqwest::Method::GET, false))
        .await
        .unwrap_err();
    let E::RetryQuotaExhausted(q) = &err else {
        panic!("{err:?}")
    };
    assert!(matches!(*q.failure, E::HttpStatus { status: 503, .. }));
    assert_eq!(err.class(), ErrorClass::Retryable);
    assert!(err.to_string().contains("retry quota is empty"), "{err}");
    assert_eq!(
        server.count("/data"),
        7,
        "one attempt once the quota is empty"
    );
}

/// A bare 401 renews the token only where the spec says so.
#[tokio::test]
async fn a_401_renews_only_when_the_spec_lists_it() {
    for (listed, token_requests) in [(vec![401], 2), (vec![], 1)] {
        // A new token per request, as a vendor issues (a repeated token would be renewed again).
        let issued = std::sync::atomic::AtomicUsize::new(0);
        let server = TestServer::start(move |r| match r.path.as_str() {
            "/token" => {
                let n = issued.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                Reply::json(
                    200,
                    json!({"access_token": format!("t{n}"), "expires_in": 3600}).to_string(),
                )
            }
            _ => Reply::json(401, ""),
        })
        .await;
        let token = TokenSpec {
            grants: vec![Grant {
                name: "client_credentials",
                method: reqwest::Method::POST,
                path: Some("/token"),
                encoding: Encoding::Form,
                fields: vec![],
                client_auth: vec![ClientAuth::Form],
                inputs: vec![],
                send_auth_steps: false,
            }],
            automatic: Some("client_credentials"),
            refresh_with: None,
            interchangeable_grants: Vec::new(),
            authorize: None,
            response: TokenResponseSpec {
                enveloped: false,
                access_token: "access_token",
                expires_in: Some("expires_in"),
                default_lifetime: None,
                refresh_token: None,
                refresh_token_lifetime: None,
                extra: vec![],
                error: None,
            },
            policy: RefreshPolicy {
                renew_on_http_status: listed.clone(),
                ..Default::default()
            },
        };
        let steps = vec![Step::Header {
            name: "Authorization".into(),
            value: Value::Template(vec![
                Piece::Lit("Bearer ".into()),
                Piece::Var("access_token".into()),
            ]),
        }];
        let e = EngineBuilder::<TestCode>::engine(
            ApiSpec::new(None, steps, Some(token), false),
            "https://x",
        )
        .base_url(&server.url())
        .credentials(
            Credentials::new()
                .plain("client_id", "c")
                .secret("client_secret", "s"),
        )
        .build()
        .await
        .unwrap();
        let mut req = request(reqwest::Method::GET, false);
        req.authenticated = true;
        let err = e.send::<serde_json::Value>(req).await.unwrap_err();
        assert_eq!(err.class(), ErrorClass::Auth, "{listed:?}");
        assert_eq!(server.count("/token"), token_requests, "{listed:?}");
    }
}
