//! The generated niumall client against the spec mock of `specs/niumall.yaml`: login, bearer
//! token, a page stream, a JSON create call; bad input refused with the document's
//! VALIDATION_ERROR at HTTP 400, a missing token with HTTP 401.

mod support;

use futures_util::TryStreamExt;
use generated_client::niumall::{Client, CreateOrderRequest, Credentials, ListOrdersRequest};
use rust_decimal::Decimal;
use spec_mock::MockServer;
use support::{mock, resend, resend_with_body, statuses};

const USER: &str = "13800000000";
const PASSWORD: &str = "niumall-password";
const CREDS: &[(&str, &str)] = &[("username", USER), ("password", PASSWORD)];

async fn client(mock: &MockServer, password: &str) -> Client {
    Client::builder(Credentials::new(USER, password))
        .base_url(&mock.base_url())
        .grant_path("login", &mock.grant_path("login").expect("login served"))
        .build()
        .await
        .expect("client builds")
}

fn dec(s: &str) -> Decimal {
    s.parse().expect("decimal")
}

#[tokio::test]
async fn login_list_pages_and_create() {
    let mock = mock("niumall", CREDS).await;
    let client = client(&mock, PASSWORD).await;
    let page = client
        .list_orders(&ListOrdersRequest::new())
        .await
        .expect("list");
    assert!(!page.orders.is_empty(), "the document's example");
    // The mock answers every page with the document's example: the client stops at the
    // repeated page (runtime: a page equal to the previous one ends the stream).
    let mut pages = Box::pin(client.list_orders_pages(ListOrdersRequest::new()));
    let mut all = Vec::new();
    let stop = loop {
        match pages.try_next().await {
            Ok(Some(item)) => all.push(item),
            Ok(None) => panic!("the repeated page is reported"),
            Err(e) => break e,
        }
    };
    assert!(
        matches!(
            stop,
            generated_client::runtime::Error::Pagination { page: 2, .. }
        ),
        "{stop:?}"
    );
    assert_eq!(all.len(), page.orders.len(), "the example page, once");
    let request = CreateOrderRequest::new(101, "西门塔尔", 30, dec("15000"), dec("28.5"))
        .expected_delivery_date(jiff::civil::date(2024, 1, 25));
    client.create_order(&request).await.expect("created");
    assert_eq!(statuses(&mock, "list_orders"), [200; 3]);
    assert_eq!(statuses(&mock, "create_order"), [200]);
    assert_eq!(statuses(&mock, "login"), [200]);
    let auth = mock.received_for("create_order")[0]
        .header("authorization")
        .map(str::to_owned);
    assert!(auth.is_some_and(|a| a.starts_with("Bearer ")));
}

#[tokio::test]
async fn bad_input_and_a_missing_token_are_refused() {
    let mock = mock("niumall", CREDS).await;
    let client = client(&mock, PASSWORD).await;
    let request = CreateOrderRequest::new(101, "西门塔尔", 30, dec("15000"), dec("28.5"));
    client.create_order(&request).await.expect("created");
    let sent = mock.received_for("create_order").remove(0);
    let mut body: serde_json::Value = sent.body_json().expect("JSON body");

    body["unknown_field"] = serde_json::json!(1);
    let (status, answer) = resend_with_body(&mock, &sent, &[], body.to_string().as_bytes()).await;
    assert_eq!(
        (status, &answer["error"]["code"]),
        (400, &serde_json::json!("VALIDATION_ERROR"))
    );

    body.as_object_mut()
        .expect("object")
        .remove("unknown_field");
    body["cattle_count"] = serde_json::json!("thirty");
    let (status, _) = resend_with_body(&mock, &sent, &[], body.to_string().as_bytes()).await;
    assert_eq!(status, 400, "wrong type");

    body.as_object_mut().expect("object").remove("cattle_count");
    let (status, _) = resend_with_body(&mock, &sent, &[], body.to_string().as_bytes()).await;
    assert_eq!(status, 400, "required parameter missing");

    let (status, answer) = resend(&mock, &sent, &["authorization"]).await;
    assert_eq!(status, 401, "no token: {answer}");
    assert_eq!(answer["success"], false);
    // The code the spec declares for an unknown token (`mock_refusal` on 401), with the
    // document's message; the reason is in the `x-mock-refusal` header (tests/control.rs).
    assert_eq!(answer["message"], "未授权,需要登录");

    let mut other = sent.clone();
    other.method = "DELETE".into();
    assert_eq!(
        resend(&mock, &other, &[]).await.0,
        405,
        "no endpoint takes DELETE here"
    );
    other.path = "/v1/nowhere".into();
    assert_eq!(resend(&mock, &other, &[]).await.0, 404);
}

#[tokio::test]
async fn a_wrong_password_is_refused() {
    let mock = mock("niumall", CREDS).await;
    let err = Client::builder(Credentials::new(USER, "wrong"))
        .base_url(&mock.base_url())
        .grant_path("login", &mock.grant_path("login").expect("login served"))
        .build()
        .await
        .expect("builds")
        .list_orders(&ListOrdersRequest::new())
        .await
        .expect_err("login refused");
    assert!(format!("{err}").contains("login"), "{err}");
    assert_eq!(statuses(&mock, "login"), [403]);
}
