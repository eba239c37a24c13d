//! Hostile servers on loopback: endless pagination, megabytes of control characters in
//! error messages, oversized token responses, URLs longer than the HTTP stack accepts.

use std::time::{Duration, Instant};

use futures_util::StreamExt;
use generated_client::erp::{self, Client, Credentials, QueryInventoryRequest};
use generated_client::runtime::__private::MAX_VENDOR_TEXT;
use generated_client::runtime::{self as rt, AuthError, ErrorClass, PaginationStop, RawCode};
use integration_tests::fakes::erp::INVENTORY_PATH;
use integration_tests::hostile::{HostileServer, Seen};
use serde_json::json;

const TOKEN_PATH: &str = "/public/token.php";

fn token_ok() -> (u16, Vec<u8>) {
    let body = json!({"access_token": "tok", "token_type": "Bearer", "expires_in": 3600});
    (200, body.to_string().into_bytes())
}

fn item(n: i64) -> serde_json::Value {
    json!({
        "organization_name": "o", "organization_code": "c", "warehouse_id": "w",
        "warehouse_name": "n", "sku_id": format!("sku-{n}"), "inventory_cnt": "1.00",
        "create_at": "2026-01-01", "update_at": "2026-01-01"
    })
}

/// An inventory page claiming `i64::MAX` pages; `page_of` picks the item for a request.
fn endless(page_of: fn(&Seen) -> i64) -> impl Fn(&Seen) -> (u16, Vec<u8>) {
    move |s| {
        if s.path == TOKEN_PATH {
            return token_ok();
        }
        let n = page_of(s);
        let body = json!({"code": 0, "message": "ok", "data": {
            "list": [item(n)],
            "pagination": {"page": n, "page_size": 1, "total": i64::MAX, "total_pages": i64::MAX}
        }});
        (200, body.to_string().into_bytes())
    }
}

fn page_param(s: &Seen) -> i64 {
    url::form_urlencoded::parse(s.query.as_deref().unwrap_or("").as_bytes())
        .find(|(k, _)| k == "page")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(1)
}

async fn client(server: &HostileServer, max_page: Option<i64>) -> Client {
    let mut builder = Client::builder(Credentials::new("id", "secret")).base_url(&server.base_url);
    if let Some(max) = max_page {
        builder = builder.max_page(max);
    }
    builder.build().await.expect("client builds")
}

async fn drain(client: &Client) -> (usize, Option<erp::Error>) {
    let mut stream = Box::pin(client.query_inventory_pages(QueryInventoryRequest::new()));
    let mut items = 0;
    while let Some(next) = stream.next().await {
        match next {
            Ok(_) => items += 1,
            Err(e) => return (items, Some(e)),
        }
        assert!(items < 1_000, "the stream does not end");
    }
    (items, None)
}

/// The server ignores the page number and repeats page 1 with `total_pages: i64::MAX`.
#[tokio::test]
async fn a_repeated_page_ends_the_stream_with_a_typed_error() {
    let server = HostileServer::start(endless(|_| 1)).await;
    let client = client(&server, None).await;
    let (items, err) = drain(&client).await;
    assert_eq!(items, 1);
    let err = err.expect("an error ends the stream");
    assert!(
        matches!(
            err,
            rt::Error::Pagination {
                page: 2,
                stop: PaginationStop::RepeatedPage
            }
        ),
        "{err:?}"
    );
    assert_eq!(server.count(INVENTORY_PATH), 2);
}

/// Distinct pages forever: the configured cap stops the stream, nothing past it is fetched.
#[tokio::test]
async fn a_page_number_beyond_the_cap_ends_the_stream() {
    let server = HostileServer::start(endless(page_param)).await;
    let client = client(&server, Some(5)).await;
    let (items, err) = drain(&client).await;
    assert_eq!(items, 5);
    let err = err.expect("an error ends the stream");
    assert!(
        matches!(
            err,
            rt::Error::Pagination {
                page: 6,
                stop: PaginationStop::PastMaxPage { max_page: 5 }
            }
        ),
        "{err:?}"
    );
    assert_eq!(server.count(INVENTORY_PATH), 5);
}

/// A megabyte of text with CR, LF, ESC and a bidi override as the vendor's message.
fn hostile_text() -> String {
    let line = "evil\r\nINFO forged log line \u{1b}[31mred\u{1b}[0m \u{202e}desrever ";
    line.repeat(1_048_576 / line.len() + 1)
}

fn assert_safe_for_logs(text: &str) {
    assert!(
        !text.chars().any(|c| c.is_control() || c == '\u{202e}'),
        "control characters reach the log: {:?}",
        &text[..text.len().min(200)]
    );
    assert!(text.len() < 2 * MAX_VENDOR_TEXT, "{} bytes", text.len());
}

#[tokio::test]
async fn vendor_messages_are_escaped_and_bounded_with_the_raw_body_kept() {
    let message = hostile_text();
    let body = json!({"code": 4711, "message": message.clone(), "data": null}).to_string();
    let server = HostileServer::start(move |s| {
        if s.path == TOKEN_PATH {
            return token_ok();
        }
        (400, body.clone().into_bytes())
    })
    .await;
    let client = client(&server, None).await;
    let err = client
        .query_inventory(&QueryInventoryRequest::new())
        .await
        .unwrap_err();
    let shown = err.to_string();
    assert_safe_for_logs(&shown);
    assert!(
        shown.contains(r"evil\r\nINFO forged log line \u{1b}[31m"),
        "{shown}"
    );
    let rt::Error::Api(api) = &err else {
        panic!("{err:?}")
    };
    assert_safe_for_logs(api.message.as_deref().unwrap_or_default());
    // The exact text stays available behind the explicit accessor.
    let raw: serde_json::Value =
        serde_json::from_slice(err.raw_body().unwrap().as_bytes()).unwrap();
    assert_eq!(raw["message"], message.as_str());
    assert_safe_for_logs(&format!("{:?}", err.raw_body().unwrap()).replace("\\\"", ""));
}

#[tokio::test]
async fn token_errors_and_hostile_codes_are_escaped_and_bounded() {
    let description = hostile_text();
    let body =
        json!({"error": "invalid_client\r\nforged", "error_description": description}).to_string();
    let server = HostileServer::start(move |_| (401, body.clone().into_bytes())).await;
    let client = client(&server, None).await;
    let err = client
        .query_inventory(&QueryInventoryRequest::new())
        .await
        .unwrap_err();
    let shown = err.to_string();
    assert_safe_for_logs(&shown);
    assert!(shown.contains(r"invalid_client\r\nforged"), "{shown}");
    assert_eq!(err.class(), ErrorClass::Auth);
    assert!(err.raw_body().unwrap().as_bytes().len() > 1_000_000);
}

/// A token response larger than the runtime accepts reports the status the server sent.
#[tokio::test]
async fn an_oversized_token_response_reports_its_real_status() {
    let huge = format!(r#"{{"access_token":"{}"}}"#, "x".repeat(33 * 1024 * 1024));
    let server = HostileServer::start(move |_| (200, huge.clone().into_bytes())).await;
    let client = client(&server, None).await;
    let err = client
        .query_inventory(&QueryInventoryRequest::new())
        .await
        .unwrap_err();
    let rt::Error::Auth(auth) = &err else {
        panic!("{err:?}")
    };
    assert!(
        matches!(&**auth, AuthError::Decode { status: 200, .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("HTTP 200"), "{err}");
}

/// A URL longer than the HTTP stack accepts is never sent: a typed caller error, not a
/// retryable transport failure retried with backoff.
#[tokio::test]
async fn a_url_over_the_transport_limit_is_a_caller_error_and_not_retried() {
    let server = HostileServer::start(|_| (200, br#"{"ok":true}"#.to_vec())).await;
    let engine = rt::__private::EngineBuilder::engine(
        rt::__private::ApiSpec::<RawCode>::new(None, vec![], None, false),
        "https://unused.invalid",
    )
    .base_url(&server.base_url)
    .retry_policy(rt::RetryPolicy::standard().with_initial_backoff(Duration::from_secs(2)))
    .build()
    .await
    .expect("engine builds");
    let request = rt::__private::Request::new(rt::reqwest::Method::GET, "/search")
        .with_query(vec![("q", "x".repeat(70_000))]);
    let started = Instant::now();
    let err = engine.send::<serde_json::Value>(request).await.unwrap_err();
    assert!(
        matches!(err, rt::Error::InvalidRequest { field: "url", .. }),
        "{err:?}"
    );
    assert_eq!(err.class(), ErrorClass::Caller);
    assert!(err.to_string().contains("nothing was sent"), "{err}");
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "retried: {:?}",
        started.elapsed()
    );
    assert_eq!(server.seen().len(), 0);
}
