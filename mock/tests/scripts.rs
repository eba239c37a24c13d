//! Scripting one call: a response, a documented error code, a delay, a dropped connection —
//! and what the mock received. Scripts apply only to calls the mock accepts.

mod support;

use std::time::Duration;

use generated_client::runtime::{Error, RetryPolicy};
use generated_client::{erp, niumall};
use rust_decimal::Decimal;
use serde_json::json;
use support::{mock, resend, statuses};

const ERP: &[(&str, &str)] = &[("client_id", "id"), ("client_secret", "secret")];
const NIUMALL: &[(&str, &str)] = &[("username", "u"), ("password", "p")];

async fn erp_client(mock: &spec_mock::MockServer) -> erp::Client {
    erp::Client::builder(erp::Credentials::new("id", "secret"))
        .base_url(&mock.base_url())
        .build()
        .await
        .expect("builds")
}

async fn niumall_client(mock: &spec_mock::MockServer) -> niumall::Client {
    niumall::Client::builder(niumall::Credentials::new("u", "p"))
        .base_url(&mock.base_url())
        .grant_path("login", &mock.grant_path("login").expect("login"))
        .retry_policy(RetryPolicy::standard().with_max_attempts(2))
        .build()
        .await
        .expect("builds")
}

#[tokio::test]
async fn a_scripted_response_is_answered_once() {
    let mock = mock("erp", ERP).await;
    let client = erp_client(&mock).await;
    let request = erp::QueryInventoryRequest::new();
    let usual = client.query_inventory(&request).await.expect("usual");
    // The mock's own answer, edited.
    let mut data = mock.answers_for("query_inventory")[0]["data"].clone();
    data["list"][0]["sku_id"] = json!("SCRIPTED-SKU");
    let _ = mock.next("query_inventory").respond_data(data);
    let scripted = client.query_inventory(&request).await.expect("scripted");
    assert_eq!(scripted.list[0].sku_id, "SCRIPTED-SKU");
    let again = client.query_inventory(&request).await.expect("usual again");
    assert_eq!(
        again.list[0].sku_id, usual.list[0].sku_id,
        "the script was used up"
    );
    assert_ne!(usual.list[0].sku_id, "SCRIPTED-SKU");
    let received = mock.received_for("query_inventory");
    assert_eq!(received.len(), 3);
    assert!(
        received[1]
            .header("authorization")
            .is_some_and(|h| h.starts_with("Bearer "))
    );
}

#[tokio::test]
async fn a_scripted_code_reaches_the_client_as_the_documents_error() {
    let mock = mock("erp", ERP).await;
    let client = erp_client(&mock).await;
    // -1 is renew_token: the client renews and sends the call once more.
    let _ = mock.next("query_inventory").fail_with(-1);
    client
        .query_inventory(&erp::QueryInventoryRequest::new())
        .await
        .expect("renewed and retried");
    assert_eq!(statuses(&mock, "client_credentials"), [200, 200]);
    assert_eq!(mock.answers_for("query_inventory")[0]["code"], -1);

    // A whole body, as given.
    let _ = mock
        .next("query_orders")
        .respond(json!({"code": 7, "message": "scripted failure", "data": null}));
    let err = client
        .query_orders(&erp::QueryOrdersRequest::new())
        .await
        .expect_err("scripted failure");
    assert!(
        matches!(&err, Error::Api(e) if e.message.as_deref() == Some("scripted failure")),
        "{err:?}"
    );
}

#[tokio::test]
async fn an_http_status_code_is_answered_as_that_status_and_retried_for_a_get() {
    let mock = mock("niumall", NIUMALL).await;
    let client = niumall_client(&mock).await;
    let _ = mock.next("list_orders").fail_with(500);
    client
        .list_orders(&niumall::ListOrdersRequest::new())
        .await
        .expect("retried after the 500");
    assert_eq!(statuses(&mock, "list_orders"), [500, 200]);
}

#[tokio::test]
async fn a_delay_runs_into_the_clients_deadline() {
    let mock = mock("niumall", NIUMALL).await;
    let client = niumall_client(&mock).await;
    let _ = mock
        .next("list_orders")
        .delay(Duration::from_millis(800))
        .proceed();
    let err = client
        .with_deadline(Duration::from_millis(300))
        .list_orders(&niumall::ListOrdersRequest::new())
        .await
        .expect_err("too slow");
    assert!(matches!(err, Error::DeadlineExceeded(_)), "{err:?}");
}

#[tokio::test]
async fn a_dropped_connection_is_a_transport_error_and_a_create_is_not_resent() {
    let mock = mock("niumall", NIUMALL).await;
    let client = niumall_client(&mock).await;
    let _ = mock.next("create_order").drop_connection();
    let d = |s: &str| s.parse::<Decimal>().expect("decimal");
    let err = client
        .create_order(&niumall::CreateOrderRequest::new(
            1,
            "安格斯",
            2,
            d("10"),
            d("1.5"),
        ))
        .await
        .expect_err("dropped");
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    assert_eq!(statuses(&mock, "create_order"), [0], "sent once, dropped");
}

#[tokio::test]
async fn a_refused_call_does_not_use_up_a_script() {
    let mock = mock("niumall", NIUMALL).await;
    let client = niumall_client(&mock).await;
    client
        .list_orders(&niumall::ListOrdersRequest::new())
        .await
        .expect("accepted");
    let _ = mock.next("list_orders").fail_with(500);
    let sent = mock.received_for("list_orders").remove(0);
    let (status, _) = resend(&mock, &sent, &["authorization"]).await;
    assert_eq!(status, 401, "refused before the script");
    let (status, _) = resend(&mock, &sent, &[]).await;
    assert_eq!(
        status, 500,
        "the script is still queued for an accepted call"
    );
}

#[tokio::test]
async fn a_scripted_token_error_is_written_the_token_endpoints_way() {
    let mock = mock("erp", ERP).await;
    let client = erp_client(&mock).await;
    let _ = mock.next("client_credentials").fail_with("invalid_client");
    let err = client
        .query_inventory(&erp::QueryInventoryRequest::new())
        .await
        .expect_err("scripted token error");
    assert_eq!(err.code(), Some(&erp::ErrorCode::InvalidClient), "{err:?}");
    assert_eq!(statuses(&mock, "client_credentials"), [401]);
    assert_eq!(
        mock.answers_for("client_credentials")[0]["error"],
        "invalid_client"
    );
}
