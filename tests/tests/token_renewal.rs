//! Token renewal on a bad day, over real HTTP on loopback (issue 7's table): the generated `erp`
//! client against a small local server whose token endpoint can be slow or failing.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{any, post};
use generated_client::erp::{Client, Credentials, QueryInventoryRequest};
use generated_client::runtime::secrecy::ExposeSecret;
use generated_client::runtime::{ErrorClass, TokenState};

/// How the token endpoint behaves; changeable while the server runs.
#[derive(Default)]
struct TokenEndpoint {
    requests: AtomicUsize,
    delay_ms: AtomicU64,
    /// 0: answer 200 with a token.
    fail_status: AtomicU64,
    expires_in: AtomicU64,
}

async fn token(State(ep): State<Arc<TokenEndpoint>>) -> axum::response::Response {
    let n = ep.requests.fetch_add(1, Ordering::SeqCst) + 1;
    tokio::time::sleep(Duration::from_millis(ep.delay_ms.load(Ordering::SeqCst))).await;
    match ep.fail_status.load(Ordering::SeqCst) {
        0 => {
            let body = serde_json::json!({
                "access_token": format!("tok-{n}"),
                "token_type": "Bearer",
                "expires_in": ep.expires_in.load(Ordering::SeqCst),
            });
            axum::Json(body).into_response()
        }
        status => {
            let status = StatusCode::from_u16(status as u16).unwrap_or(StatusCode::BAD_GATEWAY);
            (status, "temporarily unavailable").into_response()
        }
    }
}

async fn inventory() -> axum::response::Response {
    axum::Json(serde_json::json!({
        "code": 0,
        "message": "ok",
        "data": {
            "list": [],
            "pagination": {"page": 1, "page_size": 10, "total": 0, "total_pages": 0}
        }
    }))
    .into_response()
}

async fn serve(ep: Arc<TokenEndpoint>) -> String {
    let app = Router::new()
        .route("/public/token.php", post(token))
        .route("/public/worehouse.php", any(inventory))
        .with_state(ep);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

async fn client(base_url: &str) -> Client {
    Client::builder(Credentials::new("id", "secret"))
        .base_url(base_url)
        .build()
        .await
        .expect("client builds")
}

/// `n` concurrent calls: each call's outcome class (`None`: success) and duration.
async fn calls(client: &Client, n: usize) -> Vec<(Option<ErrorClass>, Duration)> {
    let tasks: Vec<_> = (0..n)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move {
                let start = Instant::now();
                let r = client.query_inventory(&QueryInventoryRequest::new()).await;
                (r.err().map(|e| e.class()), start.elapsed())
            })
        })
        .collect();
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await.expect("call task"));
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cold_herd_of_1000_calls_makes_one_token_request() {
    let ep = Arc::new(TokenEndpoint::default());
    ep.delay_ms.store(200, Ordering::SeqCst);
    ep.expires_in.store(3600, Ordering::SeqCst);
    let client = client(&serve(ep.clone()).await).await;
    let results = calls(&client, 1000).await;
    assert!(results.iter().all(|(e, _)| e.is_none()), "all succeed");
    assert_eq!(ep.requests.load(Ordering::SeqCst), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_token_endpoint_is_asked_once_and_nobody_waits_long() {
    let ep = Arc::new(TokenEndpoint::default());
    ep.delay_ms.store(200, Ordering::SeqCst);
    ep.fail_status.store(503, Ordering::SeqCst);
    let client = client(&serve(ep.clone()).await).await;
    let results = calls(&client, 50).await;
    let slowest = results.iter().map(|(_, d)| *d).max().unwrap();
    assert!(
        results
            .iter()
            .all(|(e, _)| *e == Some(ErrorClass::Retryable)),
        "{results:?}"
    );
    assert!(ep.requests.load(Ordering::SeqCst) <= 2);
    // One token round trip is 200 ms; before, the last caller waited 50 of them (10 s).
    assert!(slowest < Duration::from_millis(1000), "{slowest:?}");
    // The failure is remembered: a call right after fails at once, without a request.
    let before = ep.requests.load(Ordering::SeqCst);
    let again = calls(&client, 1).await;
    assert_eq!(again[0].0, Some(ErrorClass::Retryable));
    assert!(again[0].1 < Duration::from_millis(100), "{:?}", again[0].1);
    assert_eq!(ep.requests.load(Ordering::SeqCst), before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refresh_ahead_does_not_make_holders_of_a_valid_token_wait() {
    let ep = Arc::new(TokenEndpoint::default());
    ep.delay_ms.store(1500, Ordering::SeqCst);
    ep.expires_in.store(3600, Ordering::SeqCst);
    let client = client(&serve(ep.clone()).await).await;
    // A token valid for 59 s more: inside erp's 60 s refresh-ahead window.
    let expires_at = jiff::Timestamp::now() + jiff::SignedDuration::from_secs(59);
    client
        .set_token_state(TokenState::new("tok-0").with_expires_at(expires_at))
        .await;
    let results = calls(&client, 20).await;
    let slowest = results.iter().map(|(_, d)| *d).max().unwrap();
    assert!(results.iter().all(|(e, _)| e.is_none()), "{results:?}");
    assert!(slowest < Duration::from_millis(750), "{slowest:?}");
    // The renewal ran in the background: exactly one token request, its token now in use.
    tokio::time::sleep(Duration::from_millis(1700)).await;
    assert_eq!(ep.requests.load(Ordering::SeqCst), 1);
    let state = client.token_state().await.expect("a token");
    assert_eq!(state.access_token.expose_secret(), "tok-1");
}
