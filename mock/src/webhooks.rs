//! Webhook deliveries to a consumer's receiver, built and signed from the spec alone.
//!
//! A delivery of kind `k` is the document's example of that kind (the spec's `examples` with
//! `parses_as: webhook`) or, without one, an event synthesised from the payload type; its
//! timestamp field (`webhooks.timestamp`) is set to now in milliseconds; its signature is the
//! spec's recipe (`webhooks.signature`) evaluated with the runtime's value language over the
//! payload and body exactly as sent, so a receiver built on the generated `verify_and_parse`
//! accepts it. On request the delivery is tampered with: a wrong signature, or a timestamp a
//! day old. Where the signature travels is the spec's `signature.header`, or the header the
//! request or the mock's configuration names (the documents do not always say).
//!
//! Deliveries go over plain HTTP/1.1 (hyper's client connection): receivers under test listen
//! on loopback.

use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, Uri, header};
use serde_json::{Value as Json, json};
use spec_lang::Scope;
use spec_runtime::secrecy::SecretString;

use crate::server::Shared;
use crate::synth::synth;

/// How long a receiver has to answer.
const RECEIVER_TIMEOUT: Duration = Duration::from_secs(10);
/// The most of a receiver's answer kept in the report.
const MAX_ANSWER: usize = 64 << 10;
/// How old a `timestamp`-tampered delivery is.
const STALE_BY: Duration = Duration::from_secs(86_400);

/// A delivery's deliberate fault, so a receiver's refusals can be tested.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Tamper {
    /// The signature is changed after signing.
    Signature,
    /// The timestamp is a day old (signed correctly).
    Timestamp,
}

/// What to send (`POST /__mock/webhooks/{kind}` takes the same fields as JSON).
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct WebhookDelivery {
    /// The receiver's URL (`http://127.0.0.1:8080/hook`); else the configured one.
    pub receiver: Option<String>,
    /// The header carrying the signature when the spec does not say.
    pub signature_header: Option<String>,
    pub tamper: Option<Tamper>,
    /// The payload to send instead of the example or the synthesised one.
    pub payload: Option<Json>,
}

impl WebhookDelivery {
    pub fn new() -> Self {
        WebhookDelivery::default()
    }

    pub fn receiver(mut self, url: &str) -> Self {
        self.receiver = Some(url.to_owned());
        self
    }

    pub fn signature_header(mut self, name: &str) -> Self {
        self.signature_header = Some(name.to_owned());
        self
    }

    pub fn tamper(mut self, tamper: Tamper) -> Self {
        self.tamper = Some(tamper);
        self
    }

    pub fn payload(mut self, payload: Json) -> Self {
        self.payload = Some(payload);
        self
    }

    pub(crate) fn from_json(body: &Json) -> Result<Self, String> {
        let Json::Object(map) = body else {
            return Err("a delivery request is a JSON object".into());
        };
        let mut out = WebhookDelivery::new();
        for (k, v) in map {
            match (k.as_str(), v) {
                ("receiver", Json::String(s)) => out.receiver = Some(s.clone()),
                ("signature_header", Json::String(s)) => out.signature_header = Some(s.clone()),
                ("tamper", Json::String(s)) if s == "signature" => {
                    out.tamper = Some(Tamper::Signature)
                }
                ("tamper", Json::String(s)) if s == "timestamp" => {
                    out.tamper = Some(Tamper::Timestamp)
                }
                ("tamper", Json::Null) => {}
                ("payload", v) => out.payload = Some(v.clone()),
                (k, _) => {
                    return Err(format!(
                        "`{k}`: expected receiver, signature_header, tamper (signature|timestamp) or payload"
                    ));
                }
            }
        }
        Ok(out)
    }
}

/// What the receiver answered.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct WebhookReport {
    pub kind: String,
    pub receiver: String,
    /// The body sent (the signature is not shown).
    pub delivery: Json,
    pub signature_header: String,
    pub tamper: Option<Tamper>,
    /// The receiver's HTTP status.
    pub status: u16,
    /// The receiver's body (at most 64 KiB), as text.
    pub answer: String,
    /// The answer is the spec's success acknowledgement (`webhooks.acknowledgement.success`,
    /// compared as JSON).
    pub acknowledged: bool,
}

impl WebhookReport {
    pub(crate) fn to_json(&self) -> Json {
        json!({
            "kind": self.kind,
            "receiver": self.receiver,
            "delivery": self.delivery,
            "signature_header": self.signature_header,
            "tamper": self.tamper.map(|t| match t {
                Tamper::Signature => "signature",
                Tamper::Timestamp => "timestamp",
            }),
            "status": self.status,
            "answer": self.answer,
            "acknowledged": self.acknowledged,
        })
    }
}

/// Builds, signs and sends one delivery; reports the receiver's answer.
pub(crate) async fn send(
    shared: &Shared,
    kind: &str,
    delivery: WebhookDelivery,
) -> Result<WebhookReport, String> {
    let api = &shared.spec.api;
    let hooks = api
        .webhooks
        .as_ref()
        .ok_or("mock: the spec has no webhooks")?;
    let Some(event) = hooks.events.iter().find(|e| e.kind == kind) else {
        let kinds: Vec<&str> = hooks.events.iter().map(|e| e.kind.as_str()).collect();
        return Err(format!(
            "mock: no webhook kind `{kind}` (the spec has: {})",
            kinds.join(", ")
        ));
    };
    let receiver = delivery
        .receiver
        .clone()
        .or_else(|| shared.config.webhook_receiver.clone())
        .ok_or("mock: no receiver: give `receiver` or start the mock with --webhook-receiver")?;
    let signature_header = delivery
        .signature_header
        .clone()
        .or_else(|| hooks.signature.header.clone())
        .or_else(|| shared.config.webhook_signature_header.clone())
        .ok_or(
            "mock: the spec does not say where the signature travels (webhooks.signature.header): give `signature_header` or --webhook-signature-header",
        )?;

    // The document's example of this kind, else a synthesised delivery.
    let example = api.examples.iter().find_map(|ex| {
        if !matches!(ex.parses_as, Some(codegen::ir::ParsesAs::Webhook)) {
            return None;
        }
        let body: Json = serde_json::from_str(&ex.normalized).ok()?;
        (body.get(&hooks.discriminator).and_then(Json::as_str) == Some(kind)).then_some(body)
    });
    let mut body = match example {
        Some(Json::Object(map)) => map,
        _ => {
            let mut map = serde_json::Map::new();
            for f in hooks.fields.iter().filter(|f| !f.optional) {
                map.insert(f.wire.clone(), synth(api, &f.ty, f.wire_format, 0));
            }
            map
        }
    };
    body.insert(hooks.discriminator.clone(), json!(kind));
    let payload = match delivery.payload.clone() {
        Some(p) => p,
        None => body
            .get(&hooks.payload)
            .cloned()
            .unwrap_or_else(|| synth(api, &event.payload_type, codegen::ir::WireFormat::String, 0)),
    };
    body.insert(hooks.payload.clone(), payload.clone());
    if let Some(rust) = &hooks.timestamp
        && let Some(field) = hooks.fields.iter().find(|f| f.rust == *rust)
    {
        let now = jiff::Timestamp::now();
        let at = match delivery.tamper {
            Some(Tamper::Timestamp) => now
                .checked_sub(jiff::SignedDuration::try_from(STALE_BY).unwrap_or_default())
                .unwrap_or(now),
            _ => now,
        };
        body.insert(field.wire.clone(), json!(at.as_millisecond()));
    }
    let body = Json::Object(body);
    // serde_json writes a value the same way alone and inside its parent, so `payload_raw` is
    // exactly the payload's text inside `body_text`, as the receiver will read it.
    let body_text = body.to_string();
    let payload_raw = payload.to_string();

    let secret = shared
        .credentials
        .iter()
        .find(|(n, _, _)| *n == hooks.signature.secret)
        .map(|(_, v, _)| v.clone())
        .ok_or("mock: the signature's secret is not a credential")?;
    let mut scope = Scope::new();
    scope.set("payload", payload_raw);
    scope.set("body", body_text.clone());
    scope.set_secret(hooks.signature.secret.clone(), SecretString::from(secret));
    let mut signature = hooks
        .signature_value
        .eval(&scope, jiff::Timestamp::now())
        .map_err(|e| format!("mock: the signature recipe failed: {e}"))?;
    if delivery.tamper == Some(Tamper::Signature) {
        signature = tampered(&signature);
    }

    let (status, answer) = post(&receiver, &signature_header, &signature, body_text).await?;
    let acknowledged = serde_json::from_str::<Json>(&answer).ok()
        == serde_json::from_str::<Json>(&hooks.acknowledgement.success).ok();
    Ok(WebhookReport {
        kind: kind.to_owned(),
        receiver,
        delivery: body,
        signature_header,
        tamper: delivery.tamper,
        status,
        answer,
        acknowledged,
    })
}

/// The signature with its first character changed (same length and alphabet when hex).
fn tampered(signature: &str) -> String {
    let mut chars: Vec<char> = signature.chars().collect();
    if let Some(first) = chars.first_mut() {
        *first = if *first == '0' { '1' } else { '0' };
    } else {
        chars.push('0');
    }
    chars.into_iter().collect()
}

/// One HTTP/1.1 POST over a fresh loopback connection.
async fn post(
    receiver: &str,
    signature_header: &str,
    signature: &str,
    body: String,
) -> Result<(u16, String), String> {
    let bad = |why: &str| format!("mock: receiver `{receiver}`: {why}");
    let uri: Uri = receiver.parse().map_err(|_| bad("not a URL"))?;
    if uri.scheme_str() != Some("http") {
        return Err(bad("only http:// receivers are supported"));
    }
    let host = uri.host().ok_or_else(|| bad("no host"))?.to_owned();
    let port = uri.port_u16().unwrap_or(80);
    let target = uri
        .path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "/".into());
    let exchange = async {
        let stream = tokio::net::TcpStream::connect((host.as_str(), port))
            .await
            .map_err(|e| bad(&format!("cannot connect: {e}")))?;
        let (mut sender, connection) =
            hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
                .await
                .map_err(|e| bad(&format!("handshake: {e}")))?;
        tokio::spawn(connection);
        let request = Request::post(target)
            .header(header::HOST, format!("{host}:{port}"))
            .header(header::CONTENT_TYPE, "application/json")
            .header(signature_header, signature)
            .body(Body::from(body))
            .map_err(|e| bad(&format!("cannot build the request: {e}")))?;
        let response = sender
            .send_request(request)
            .await
            .map_err(|e| bad(&format!("no answer: {e}")))?;
        let status = response.status().as_u16();
        let bytes = axum::body::to_bytes(Body::new(response.into_body()), MAX_ANSWER)
            .await
            .map_err(|e| bad(&format!("answer unreadable or over 64 KiB: {e}")))?;
        Ok((status, String::from_utf8_lossy(&bytes).into_owned()))
    };
    tokio::time::timeout(RECEIVER_TIMEOUT, exchange)
        .await
        .map_err(|_| bad("no answer within 10 s"))?
}
