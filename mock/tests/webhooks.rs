//! Webhook deliveries from the spec alone, received by a receiver built on the generated
//! `verify_and_parse_max_age`: every jfwms kind is accepted, a tampered signature and a stale
//! timestamp are refused.

mod support;

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use generated_client::jfwms;
use generated_client::runtime::secrecy::SecretString;
use spec_mock::{Tamper, WebhookDelivery};
use support::mock;

const SECRET: &str = "hook-secret";

/// A receiver as an application writes it (the example's, plus the age check).
async fn receiver() -> String {
    async fn receive(
        State(secret): State<Arc<SecretString>>,
        headers: HeaderMap,
        body: Bytes,
    ) -> String {
        let signature = headers
            .get("sign")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        match jfwms::verify_and_parse_max_age(&body, signature, &secret, Duration::from_secs(300)) {
            Ok(_) => jfwms::WEBHOOK_ACK_SUCCESS.to_owned(),
            Err(e) => jfwms::webhook_ack_failure(&e.to_string()),
        }
    }
    let app = axum::Router::new()
        .route("/hook", axum::routing::post(receive))
        .with_state(Arc::new(SecretString::from(SECRET)));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("binds");
    let addr = listener.local_addr().expect("address");
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}/hook")
}

#[tokio::test]
async fn every_kind_is_accepted_and_tampered_deliveries_are_refused() {
    let mock = mock("jfwms", &[("client_id", "id"), ("client_secret", SECRET)]).await;
    let url = receiver().await;
    let delivery = || {
        WebhookDelivery::new()
            .receiver(&url)
            .signature_header("sign")
    };
    let kinds = [
        "order",
        "storage",
        "return",
        "orderIntercept",
        "inventoryCount",
        "adjust",
        "move",
        "orderCreate",
        "orderCancel",
        "convert",
    ];
    for kind in kinds {
        let report = mock.send_webhook(kind, delivery()).await.expect("sent");
        assert!(report.acknowledged, "{kind}: {}", report.answer);
        assert_eq!(report.delivery["type"], kind);
    }
    let report = mock
        .send_webhook("order", delivery().tamper(Tamper::Signature))
        .await
        .expect("sent");
    assert!(!report.acknowledged, "{}", report.answer);
    assert!(report.answer.contains("signature"), "{}", report.answer);
    let report = mock
        .send_webhook("adjust", delivery().tamper(Tamper::Timestamp))
        .await
        .expect("sent");
    assert!(!report.acknowledged, "{}", report.answer);
    assert!(
        report.answer.contains("\"code\":\"1\""),
        "{}",
        report.answer
    );

    let err = mock
        .send_webhook("nothing", delivery())
        .await
        .expect_err("no such kind");
    assert!(err.contains("no webhook kind"), "{err}");
    let err = mock
        .send_webhook("order", WebhookDelivery::new().receiver(&url))
        .await
        .expect_err("the spec does not say where the signature goes");
    assert!(err.contains("signature_header"), "{err}");
}
