//! Receives JFWMS webhook deliveries with axum: verifies the md5 signature over the raw body,
//! decodes the typed event and answers with the document's acknowledgement body.
//!
//! ```sh
//! JFWMS_CLIENT_SECRET=… PORT=8080 cargo run -p generated-client --example jfwms_webhook_axum
//! ```
//!
//! ASSUMPTION: the document shows how the signature is computed (三、Webhook, Webhook签名) but
//! not where it travels (spec `doc_gaps.webhook_signature_location`). This example reads it from
//! a request header named `sign` (like the business calls' signature header); ask the vendor and
//! change `SIGNATURE_HEADER` if it arrives elsewhere.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::post;
use generated_client::jfwms::{self, WEBHOOK_ACK_SUCCESS, WebhookEvent, webhook_ack_failure};
use generated_client::runtime::secrecy::SecretString;

/// Where the signature is read from: an assumption, see the module docs.
const SIGNATURE_HEADER: &str = "sign";

struct AppState {
    client_secret: SecretString,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client_secret =
        std::env::var("JFWMS_CLIENT_SECRET").map_err(|_| "set JFWMS_CLIENT_SECRET")?;
    let port: u16 = match std::env::var("PORT") {
        Ok(p) => p
            .parse()
            .map_err(|_| format!("PORT is not a port number: {p}"))?,
        Err(_) => 8080,
    };
    let state = Arc::new(AppState {
        client_secret: client_secret.into(),
    });
    let app = Router::new()
        .route("/jfwms/webhook", post(receive))
        .with_state(state);
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let listener = tokio::net::TcpListener::bind(addr).await?;
    println!("listening on http://{addr}/jfwms/webhook");
    axum::serve(listener, app).await?;
    Ok(())
}

/// The body is taken as raw bytes: the signature covers `data` exactly as sent, so it must be
/// verified before any JSON re-encoding.
async fn receive(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Bytes,
) -> impl IntoResponse {
    let signature = headers
        .get(SIGNATURE_HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    match jfwms::verify_and_parse(&body, signature, &state.client_secret) {
        Ok(webhook) => {
            handle(&webhook.event, webhook.meta.timestamp);
            ack(WEBHOOK_ACK_SUCCESS.to_owned())
        }
        Err(e) => {
            // The document signals a refusal through the body's non-zero `code` and gives no
            // HTTP status for it, so the status stays 200 (an assumption; see `ack`).
            eprintln!("rejected delivery: {e}");
            ack(webhook_ack_failure(&e.to_string()))
        }
    }
}

fn ack(body: String) -> impl IntoResponse {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        body,
    )
}

fn handle(event: &WebhookEvent, timestamp: i64) {
    match event {
        WebhookEvent::Order(e) => println!(
            "{timestamp} order {} is {} ({} lines)",
            e.erp_no,
            e.status,
            e.sku_list.len()
        ),
        WebhookEvent::Storage(e) => println!(
            "{timestamp} receipt {} of {} put away at {} (status {:?})",
            e.putaway_no, e.erp_no, e.finish_time, e.status
        ),
        WebhookEvent::Return(e) => println!("{timestamp} return {} is {}", e.erp_no, e.status),
        WebhookEvent::OrderIntercept(e) => {
            println!("{timestamp} interception of {}: {}", e.erp_no, e.status)
        }
        WebhookEvent::InventoryCount(e) => println!(
            "{timestamp} stock count {} finished {}",
            e.document_no, e.finish_time
        ),
        WebhookEvent::Adjust(e) => println!(
            "{timestamp} adjustment {} finished {}",
            e.document_no, e.finish_time
        ),
        WebhookEvent::Move(e) => println!(
            "{timestamp} move {} finished {}",
            e.document_no, e.finish_time
        ),
        WebhookEvent::OrderCreate(e) => println!("{timestamp} order {} created", e.document_no),
        WebhookEvent::OrderCancel(e) => println!("{timestamp} order {} cancelled", e.document_no),
        WebhookEvent::Convert(e) => println!(
            "{timestamp} conversion {} finished {}",
            e.document_no, e.finish_time
        ),
        WebhookEvent::Unknown { kind, payload } => {
            println!("{timestamp} unknown event `{kind}`: {payload}")
        }
        other => println!("{timestamp} event `{}`", other.kind()),
    }
}
