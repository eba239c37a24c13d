//! The control surface: the library API ([`crate::MockServer`]) over HTTP, under
//! [`CONTROL_PREFIX`], so a test in any language can drive the mock with curl.
//!
//! | Request | Does |
//! |---|---|
//! | `GET /__mock` | this list, as JSON |
//! | `GET /__mock/operations` | endpoints (name, method, path), grants (name, path), `authorize`, webhook kinds |
//! | `POST /__mock/authorization-codes` | `201 {"code": …}`: a single-use code, as `authorize` would issue |
//! | `POST /__mock/scripts/{operation}` | queues the next answer of an accepted call (body below); `201 {"queued": n}` |
//! | `DELETE /__mock/scripts` | drops every queued script |
//! | `GET /__mock/requests[?operation=…]` | the recorded requests, secrets redacted; `dropped` counts those the bounded record let go |
//! | `POST /__mock/access-tokens/expire` | every issued access token expires |
//! | `POST /__mock/reset` | forgets requests, scripts, tokens, codes and nonces |
//! | `POST /__mock/webhooks/{kind}` | sends a signed delivery to a receiver and reports its answer (see [`crate::webhooks`]) |
//!
//! A script body is one of `{"respond": BODY}`, `{"respond_data": DATA}`,
//! `{"respond_with": {"status": 503, "body": BODY}}`, `{"fail_with": CODE}`,
//! `{"drop_connection": true}`, `{"proceed": true}`, with an optional `"delay_ms"`: exactly what
//! [`crate::NextCall`] builds, queued by the same function.
//!
//! The grants whose path the application configures are served at `{base}/__mock/grants/…`
//! (below the base path, not here), so no control route is called `grants`.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::Request;
use axum::http::{Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value as Json, json};
use spec_lang::Value;

use crate::server::Shared;
use crate::spec::MockSpec;
use crate::{ReceivedRequest, Script, ScriptAction, synth, webhooks};

/// Where the control surface lives: off every vendor path (a spec path starting with it is
/// refused at start).
pub const CONTROL_PREFIX: &str = "/__mock";

/// The largest control request body read.
const MAX_CONTROL_BODY: usize = 4 << 20;

/// What replaces a secret in `GET /__mock/requests`.
const REDACTED: &str = "<redacted>";

pub(crate) fn is_control(path: &str) -> bool {
    path == CONTROL_PREFIX
        || path
            .strip_prefix(CONTROL_PREFIX)
            .is_some_and(|rest| rest.starts_with('/') && !rest.starts_with("/grants/"))
}

fn answer(status: StatusCode, body: Json) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

fn error(status: StatusCode, message: impl Into<String>) -> Response {
    answer(status, json!({ "error": message.into() }))
}

pub(crate) async fn handle(shared: Arc<Shared>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let Ok(body) = axum::body::to_bytes(body, MAX_CONTROL_BODY).await else {
        return error(StatusCode::PAYLOAD_TOO_LARGE, "control body too large");
    };
    let json_body = || -> Result<Json, String> {
        if body.is_empty() {
            return Ok(json!({}));
        }
        serde_json::from_slice(&body).map_err(|e| format!("body is not JSON: {e}"))
    };
    let path = parts.uri.path();
    let rest = path
        .strip_prefix(CONTROL_PREFIX)
        .unwrap_or_default()
        .trim_end_matches('/');
    let segments: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
    let query: Vec<(String, String)> = parts
        .uri
        .query()
        .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
        .unwrap_or_default();
    match (&parts.method, segments.as_slice()) {
        (&Method::GET, []) => answer(StatusCode::OK, index()),
        (&Method::GET, ["operations"]) => answer(StatusCode::OK, operations(&shared)),
        (&Method::POST, ["authorization-codes"]) => answer(
            StatusCode::CREATED,
            json!({ "code": shared.issue_authorization_code() }),
        ),
        (&Method::POST, ["scripts", operation]) => {
            let body = match json_body() {
                Ok(b) => b,
                Err(e) => return error(StatusCode::BAD_REQUEST, e),
            };
            let script = match script_from_json(&shared, &body) {
                Ok(s) => s,
                Err(e) => return error(StatusCode::BAD_REQUEST, e),
            };
            match shared.queue_script(operation, script) {
                Ok(n) => answer(
                    StatusCode::CREATED,
                    json!({ "operation": operation, "queued": n }),
                ),
                Err(e) => error(StatusCode::NOT_FOUND, e),
            }
        }
        (&Method::DELETE, ["scripts"]) => {
            shared.scripts().clear();
            answer(StatusCode::OK, json!({}))
        }
        (&Method::GET, ["requests"]) => {
            let wanted = query
                .iter()
                .find(|(k, _)| k == "operation")
                .map(|(_, v)| v.as_str());
            let received = shared.received();
            let requests: Vec<Json> = received
                .iter()
                .filter(|r| wanted.is_none() || r.operation.as_deref() == wanted)
                .map(|r| shared.redaction.view(&shared, r))
                .collect();
            let dropped = received.dropped.load(std::sync::atomic::Ordering::Relaxed);
            answer(
                StatusCode::OK,
                json!({ "requests": requests, "dropped": dropped }),
            )
        }
        (&Method::POST, ["access-tokens", "expire"]) => {
            shared.issued().expire_access_tokens();
            answer(StatusCode::OK, json!({}))
        }
        (&Method::POST, ["reset"]) => {
            shared.reset();
            answer(StatusCode::OK, json!({}))
        }
        (&Method::POST, ["webhooks", kind]) => {
            let body = match json_body() {
                Ok(b) => b,
                Err(e) => return error(StatusCode::BAD_REQUEST, e),
            };
            let delivery = match webhooks::WebhookDelivery::from_json(&body) {
                Ok(d) => d,
                Err(e) => return error(StatusCode::BAD_REQUEST, e),
            };
            match webhooks::send(&shared, kind, delivery).await {
                Ok(report) => answer(StatusCode::OK, report.to_json()),
                Err(e) => error(StatusCode::BAD_REQUEST, e),
            }
        }
        _ => error(
            StatusCode::NOT_FOUND,
            format!(
                "mock: no control route `{} {path}` (GET {CONTROL_PREFIX} lists them)",
                parts.method
            ),
        ),
    }
}

fn index() -> Json {
    json!({
        "routes": [
            "GET /__mock/operations",
            "POST /__mock/authorization-codes",
            "POST /__mock/scripts/{operation}  {respond|respond_data|respond_with{status,body}|fail_with|drop_connection|proceed, delay_ms?}",
            "DELETE /__mock/scripts",
            "GET /__mock/requests?operation=NAME",
            "POST /__mock/access-tokens/expire",
            "POST /__mock/reset",
            "POST /__mock/webhooks/{kind}  {receiver?, signature_header?, tamper?: signature|timestamp, payload?}",
        ]
    })
}

fn operations(shared: &Shared) -> Json {
    let spec = &shared.spec;
    let api = &spec.api;
    let endpoints: Vec<Json> = api
        .endpoints
        .iter()
        .map(|e| {
            json!({
                "operation": e.method_name,
                "method": e.http_method.as_str(),
                "path": format!("{}{}", spec.base_path, e.path),
                "authenticated": e.authenticated,
            })
        })
        .collect();
    let grants: Vec<Json> = spec
        .grants
        .iter()
        .map(|g| json!({ "operation": g.ir.name, "method": g.ir.method.as_str(), "path": g.path }))
        .collect();
    let authorize = api
        .token
        .as_ref()
        .and_then(|t| t.authorize.as_ref())
        .map(|a| json!({ "operation": "authorize", "method": "GET", "path": format!("{}{}", spec.base_path, a.path) }));
    let webhooks: Vec<&str> = api
        .webhooks
        .iter()
        .flat_map(|w| &w.events)
        .map(|e| e.kind.as_str())
        .collect();
    json!({
        "base_path": spec.base_path,
        "endpoints": endpoints,
        "grants": grants,
        "authorize": authorize,
        "webhooks": webhooks,
        "credentials": api.credentials.iter().map(|c| json!({"name": c.name, "env": c.env, "secret": c.secret})).collect::<Vec<_>>(),
    })
}

/// A script as JSON (see the module docs): the same [`Script`] [`crate::NextCall`] builds.
fn script_from_json(shared: &Shared, body: &Json) -> Result<Script, String> {
    let Json::Object(map) = body else {
        return Err("a script is a JSON object".into());
    };
    let delay = match map.get("delay_ms") {
        None => None,
        Some(v) => Some(Duration::from_millis(
            v.as_u64().ok_or("`delay_ms` is a non-negative integer")?,
        )),
    };
    let actions: Vec<&String> = map.keys().filter(|k| *k != "delay_ms").collect();
    let action = match actions.as_slice() {
        [] => ScriptAction::Proceed,
        [one] => match (one.as_str(), &map[one.as_str()]) {
            ("respond", body) => ScriptAction::Respond(200, body.clone()),
            ("respond_data", data) => {
                ScriptAction::Respond(200, synth::wrap(&shared.spec.api, data.clone()))
            }
            ("respond_with", Json::Object(r)) => {
                let status = r
                    .get("status")
                    .and_then(Json::as_u64)
                    .and_then(|s| u16::try_from(s).ok())
                    .filter(|s| (100..=999).contains(s))
                    .ok_or("`respond_with.status` is an HTTP status")?;
                ScriptAction::Respond(status, r.get("body").cloned().unwrap_or(Json::Null))
            }
            ("fail_with", Json::Number(n)) => ScriptAction::FailWith(codegen::ir::Code::Int(
                n.as_i64()
                    .ok_or("`fail_with` is an integer or a string code")?,
            )),
            ("fail_with", Json::String(s)) => {
                ScriptAction::FailWith(codegen::ir::Code::Str(s.clone()))
            }
            ("drop_connection", Json::Bool(true)) => ScriptAction::DropConnection,
            ("proceed", Json::Bool(true)) => ScriptAction::Proceed,
            (other, _) => {
                return Err(format!(
                    "`{other}` is not a script action (respond, respond_data, respond_with, fail_with, drop_connection, proceed) or has the wrong value"
                ));
            }
        },
        _ => return Err("a script has one action".into()),
    };
    if let ScriptAction::FailWith(code) = &action
        && !shared
            .spec
            .api
            .error_tables
            .iter()
            .flat_map(|t| &t.codes)
            .any(|c| c.code == *code)
    {
        return Err("`fail_with` names a code the spec does not have".into());
    }
    Ok(Script { delay, action })
}

/// What `GET /__mock/requests` hides: the values of every step, token-request field and
/// header that carries a secret or a token (or is computed from one), and the text of every
/// secret credential wherever it appears.
pub(crate) struct Redaction {
    /// Lowercase names of headers, query parameters and fields to hide.
    names: Vec<String>,
}

impl Redaction {
    pub(crate) fn new(spec: &MockSpec) -> Redaction {
        let api = &spec.api;
        let mut tainted: Vec<String> = api
            .credentials
            .iter()
            .filter(|c| c.secret)
            .map(|c| c.name.clone())
            .collect();
        tainted.extend(["access_token", "refresh_token", "code"].map(String::from));
        let mut names: Vec<String> = ["authorization", "proxy-authorization", "cookie"]
            .map(String::from)
            .to_vec();
        let reads_tainted =
            |v: &Value, tainted: &[String]| v.vars().iter().any(|v| tainted.iter().any(|t| t == v));
        for step in &api.steps {
            if let Some(name) = step.name()
                && step.values().any(|v| reads_tainted(v, &tainted))
            {
                tainted.push(name.to_owned());
                names.push(name.to_ascii_lowercase());
            }
        }
        for grant in &spec.grants {
            for (name, value) in &grant.ir.fields {
                if reads_tainted(value, &tainted) {
                    names.push(name.to_ascii_lowercase());
                }
            }
        }
        if let Some(a) = api.token.as_ref().and_then(|t| t.authorize.as_ref()) {
            for (name, value) in &a.params {
                if reads_tainted(value, &tainted) {
                    names.push(name.to_ascii_lowercase());
                }
            }
        }
        names.extend(["client_secret", "code", "refresh_token"].map(String::from));
        names.sort();
        names.dedup();
        Redaction { names }
    }

    fn hides(&self, name: &str) -> bool {
        self.names.iter().any(|n| n.eq_ignore_ascii_case(name))
    }

    /// One recorded request as JSON, secrets replaced by `<redacted>`.
    pub(crate) fn view(&self, shared: &Shared, r: &ReceivedRequest) -> Json {
        let spec = &shared.spec;
        let headers: serde_json::Map<String, Json> = r
            .headers
            .iter()
            .map(|(k, v)| {
                let v = if self.hides(k) { REDACTED } else { v.as_str() };
                (k.clone(), json!(v))
            })
            .collect();
        let pairs = |pairs: &[(String, String)]| -> Vec<Json> {
            pairs
                .iter()
                .map(|(k, v)| json!([k, if self.hides(k) { REDACTED } else { v }]))
                .collect()
        };
        let body = match serde_json::from_slice::<Json>(&r.body) {
            Ok(Json::Object(map)) => Json::Object(
                map.into_iter()
                    .map(|(k, v)| {
                        let v = if self.hides(&k) { json!(REDACTED) } else { v };
                        (k, v)
                    })
                    .collect(),
            ),
            Ok(other) => other,
            Err(_) if r.body.is_empty() => Json::Null,
            Err(_) => {
                let text = String::from_utf8_lossy(&r.body);
                let form: Vec<(String, String)> = form_urlencoded::parse(text.as_bytes())
                    .into_owned()
                    .collect();
                if !form.is_empty() && text.contains('=') {
                    json!(pairs(&form))
                } else {
                    json!(text)
                }
            }
        };
        let is_token_answer = r
            .operation
            .as_deref()
            .is_some_and(|op| spec.grants.iter().any(|g| g.ir.name == op));
        let view = json!({
            "operation": r.operation,
            "method": r.method,
            "path": r.path,
            "query": pairs(&r.query),
            "headers": headers,
            "body": body,
            "body_truncated": r.body_truncated,
            "status": r.status,
            "answer": if is_token_answer { json!(REDACTED) } else { r.answer.clone() },
        });
        // A secret's text anywhere else (a body field the spec does not name, a signed text
        // echoed back) is replaced too.
        let mut text = view.to_string();
        for (_, value, secret) in &shared.credentials {
            if *secret && value.len() >= 4 {
                text = text.replace(value.as_str(), REDACTED);
            }
        }
        // Should a secret's text have split a JSON escape, nothing is shown rather than a leak.
        serde_json::from_str(&text)
            .unwrap_or_else(|_| json!({ "operation": r.operation, "redacted": true }))
    }
}

#[cfg(test)]
mod tests {
    use super::is_control;

    #[test]
    fn the_control_prefix_excludes_mock_grants_and_lookalikes() {
        assert!(is_control("/__mock"));
        assert!(is_control("/__mock/reset"));
        assert!(!is_control("/__mock/grants/login"));
        assert!(!is_control("/__mockery"));
        assert!(!is_control("/v1/__mock/reset"));
    }
}
