//! The client generated in `build.rs` from `specs/bookshop.yaml`, exercised against a tiny
//! bookshop on 127.0.0.1: token grant, bearer header, pagination, JSON body, error table.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::routing::{get, post};
use consumer::bookshop::{self, Client, Credentials, ErrorCode, ListBooksRequest, OrderLine};
use futures_util::StreamExt as _;
use spec_runtime::serde_json::{Value, json};
use spec_runtime::{ErrorClass, rust_decimal::Decimal};

#[derive(Default)]
struct Shop {
    token_requests: AtomicUsize,
    /// Requests with the bearer token; after `expire_after` of them the token is refused once.
    authorized: AtomicUsize,
    expire_after: Option<usize>,
}

const SECRET: &str = "s3cret";

fn token_number(headers: &HeaderMap) -> Option<usize> {
    headers
        .get("authorization")?
        .to_str()
        .ok()?
        .strip_prefix("Bearer token-")?
        .parse()
        .ok()
}

async fn token(State(shop): State<Arc<Shop>>, body: String) -> (axum::http::StatusCode, String) {
    let fields: Vec<(String, String)> = body
        .split('&')
        .filter_map(|p| p.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    let has = |k: &str, v: &str| fields.iter().any(|(a, b)| a == k && b == v);
    if !(has("grant_type", "client_credentials")
        && has("client_id", "app")
        && has("client_secret", SECRET))
    {
        let body = json!({"error": "invalid_client", "error_description": "wrong secret"});
        return (axum::http::StatusCode::UNAUTHORIZED, body.to_string());
    }
    let n = shop.token_requests.fetch_add(1, Ordering::SeqCst) + 1;
    let body = json!({"access_token": format!("token-{n}"), "expires_in": 3600});
    (axum::http::StatusCode::OK, body.to_string())
}

/// Three pages of two books; `page_size` is ignored (the fixture always pages by two).
async fn books(
    State(shop): State<Arc<Shop>>,
    headers: HeaderMap,
    Query(query): Query<Vec<(String, String)>>,
) -> String {
    let Some(token) = token_number(&headers) else {
        return json!({"code": 40100, "message": "no token", "data": null}).to_string();
    };
    let seen = shop.authorized.fetch_add(1, Ordering::SeqCst);
    if shop.expire_after == Some(seen) && token == 1 {
        return json!({"code": 40100, "message": "The access token has expired", "data": null})
            .to_string();
    }
    let page: usize = query
        .iter()
        .find(|(k, _)| k == "page")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(1);
    if !(1..=3).contains(&page) {
        return json!({"code": 40400, "message": "No book with ISBN 978-0", "data": null})
            .to_string();
    }
    let books: Vec<Value> = (0..2)
        .map(|i| {
            let n = (page - 1) * 2 + i;
            json!({"isbn": format!("978-{n}"), "title": format!("Book {n}"), "price": "12.50",
                   "published": "2024-03-01", "stock": n.to_string()})
        })
        .collect();
    json!({"code": 0, "message": "OK", "data": {"books": books, "total_pages": 3}}).to_string()
}

async fn orders(headers: HeaderMap, body: String) -> String {
    if token_number(&headers).is_none() {
        return json!({"code": 40100, "message": "no token", "data": null}).to_string();
    }
    let order: Value = match spec_runtime::serde_json::from_str(&body) {
        Ok(v) => v,
        Err(e) => return json!({"code": 1, "message": e.to_string(), "data": null}).to_string(),
    };
    if order["lines"][0]["quantity"] == json!(3) && order["customer"] == json!("ada") {
        json!({"code": 0, "message": "OK", "data": {"order_id": "o-1", "total": "37.50"}})
            .to_string()
    } else {
        json!({"code": 42900, "message": format!("unexpected order {order}"), "data": null})
            .to_string()
    }
}

async fn serve(shop: Shop) -> (String, Arc<Shop>) {
    let shop = Arc::new(shop);
    let app = Router::new()
        .route("/oauth/token", post(token))
        .route("/v1/books", get(books))
        .route("/v1/orders", post(orders))
        .with_state(shop.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("address");
    tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });
    (format!("http://{addr}"), shop)
}

async fn client(base_url: &str, secret: &str) -> bookshop::Result<Client> {
    Client::builder(Credentials::new("app", secret))
        .base_url(base_url)
        .build()
        .await
}

#[tokio::test]
async fn pages_through_every_book_with_one_token() {
    let (url, shop) = serve(Shop::default()).await;
    let client = client(&url, SECRET).await.expect("client");
    let books: Vec<bookshop::Book> = client
        .list_books_pages(ListBooksRequest::new().page_size(2))
        .map(|b| b.expect("a book"))
        .collect()
        .await;
    let isbns: Vec<&str> = books.iter().map(|b| b.isbn.as_str()).collect();
    assert_eq!(
        isbns,
        ["978-0", "978-1", "978-2", "978-3", "978-4", "978-5"]
    );
    assert_eq!(books[5].stock, 5, "a lenient integer sent as a string");
    assert_eq!(books[0].price, Decimal::new(1250, 2));
    assert_eq!(books[0].published.to_string(), "2024-03-01");
    assert_eq!(shop.token_requests.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn posts_a_json_body_and_decodes_the_order() {
    let (url, _shop) = serve(Shop::default()).await;
    let client = client(&url, SECRET).await.expect("client");
    let request =
        bookshop::PlaceOrderRequest::new("ada", vec![OrderLine::new("978-1".to_owned(), 3)])
            .note("gift wrap");
    let order = client.place_order(&request).await.expect("an order");
    assert_eq!(order.order_id, "o-1");
    assert_eq!(order.total, Decimal::new(3750, 2));
}

#[tokio::test]
async fn documented_codes_decode_with_their_class_and_placeholders() {
    let (url, _shop) = serve(Shop::default()).await;
    let client = client(&url, SECRET).await.expect("client");
    let err = client
        .list_books(&ListBooksRequest::new().page(7))
        .await
        .expect_err("page 7 does not exist");
    assert_eq!(err.code(), Some(&ErrorCode::BookNotFound), "{err}");
    assert_eq!(err.class(), ErrorClass::Caller);
    let message = "No book with ISBN 978-0";
    assert_eq!(
        ErrorCode::BookNotFound.placeholder_values(message),
        Some(vec!["978-0".to_owned()])
    );
}

#[tokio::test]
async fn limits_are_checked_before_sending() {
    let (url, shop) = serve(Shop::default()).await;
    let client = client(&url, SECRET).await.expect("client");
    let err = client
        .list_books(&ListBooksRequest::new().page_size(51))
        .await
        .expect_err("above the documented maximum");
    assert_eq!(err.class(), ErrorClass::Caller, "{err}");
    assert_eq!(
        shop.authorized.load(Ordering::SeqCst),
        0,
        "nothing was sent"
    );
}

#[tokio::test]
async fn an_expired_token_is_renewed_once_and_the_call_retried() {
    let (url, shop) = serve(Shop {
        expire_after: Some(1),
        ..Shop::default()
    })
    .await;
    let client = client(&url, SECRET).await.expect("client");
    client
        .list_books(&ListBooksRequest::new())
        .await
        .expect("first call");
    let page = client
        .list_books(&ListBooksRequest::new().page(2))
        .await
        .expect("second call, after one renewal");
    assert_eq!(page.books[0].isbn, "978-2");
    assert_eq!(shop.token_requests.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_refused_token_request_is_an_auth_error_with_the_documented_code() {
    let (url, _shop) = serve(Shop::default()).await;
    let client = client(&url, "not-the-s3cret")
        .await
        .expect("no token is fetched at start");
    let err = client
        .list_books(&ListBooksRequest::new())
        .await
        .expect_err("the token endpoint refuses");
    assert_eq!(err.code(), Some(&ErrorCode::InvalidClient), "{err}");
    assert_eq!(err.class(), ErrorClass::Auth);
    assert!(
        !format!("{err:?} {err}").contains("not-the-s3cret"),
        "the secret never shows"
    );
}
