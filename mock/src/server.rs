//! The HTTP side: one axum fallback handler that reads the whole request, records it and
//! dispatches by hand (so every answer, even to garbage, is in the spec's shape). Paths under
//! [`CONTROL_PREFIX`](crate::CONTROL_PREFIX) go to the control surface instead.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::body::{Body as AxumBody, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value as Json;

use crate::codes::{Answer, Problem, RefusalNote, Style, documented, refuse};
use crate::control::{self, Redaction};
use crate::params::{self, Body};
use crate::spec::MockSpec;
use crate::tokens::{self, Issued};
use crate::verify::{self, Facts, ReplayGuard};
use crate::{MockConfig, ReceivedRequest, Script, ScriptAction, synth};

/// The header that says why a request was refused.
pub(crate) const REFUSAL_HEADER: &str = "x-mock-refusal";

pub(crate) struct Shared {
    pub(crate) spec: MockSpec,
    pub(crate) credentials: Vec<(String, String, bool)>,
    pub(crate) config: MockConfig,
    pub(crate) redaction: Redaction,
    pub(crate) replays: ReplayGuard,
    pub(crate) issued: Mutex<Issued>,
    pub(crate) scripts: Mutex<HashMap<String, VecDeque<Script>>>,
    pub(crate) received: Mutex<Received>,
}

/// The bounded request record: the most recent requests, and how many older ones were dropped.
#[derive(Default)]
pub(crate) struct Received {
    pub(crate) requests: VecDeque<ReceivedRequest>,
    pub(crate) dropped: AtomicU64,
}

impl std::ops::Deref for Received {
    type Target = VecDeque<ReceivedRequest>;
    fn deref(&self) -> &Self::Target {
        &self.requests
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Shared {
    pub(crate) fn issued(&self) -> MutexGuard<'_, Issued> {
        lock(&self.issued)
    }
    pub(crate) fn scripts(&self) -> MutexGuard<'_, HashMap<String, VecDeque<Script>>> {
        lock(&self.scripts)
    }
    pub(crate) fn received(&self) -> MutexGuard<'_, Received> {
        lock(&self.received)
    }

    pub(crate) fn dropped_records(&self) -> u64 {
        self.received().dropped.load(Ordering::Relaxed)
    }

    /// Adds a request to the record, dropping the oldest beyond the limit.
    fn record(&self, request: ReceivedRequest) {
        let max = self.config.limits.max_recorded_requests;
        let mut received = self.received();
        if max == 0 {
            received.dropped.fetch_add(1, Ordering::Relaxed);
            return;
        }
        while received.requests.len() >= max {
            received.requests.pop_front();
            received.dropped.fetch_add(1, Ordering::Relaxed);
        }
        received.requests.push_back(request);
    }

    /// Every operation a script or a record can name.
    pub(crate) fn operation_names(&self) -> Vec<String> {
        let api = &self.spec.api;
        let mut names: Vec<String> = api
            .endpoints
            .iter()
            .map(|e| e.method_name.clone())
            .collect();
        names.extend(self.spec.grants.iter().map(|g| g.ir.name.clone()));
        if api.token.as_ref().is_some_and(|t| t.authorize.is_some()) {
            names.push("authorize".into());
        }
        names
    }

    /// Queues a script for the next accepted call of `operation`; the number now queued.
    /// The one implementation behind [`crate::MockServer::next`] and the control surface.
    pub(crate) fn queue_script(&self, operation: &str, script: Script) -> Result<usize, String> {
        if !self.operation_names().iter().any(|o| o == operation) {
            return Err(format!(
                "mock: no operation `{operation}` in the spec (see GET {}/operations)",
                crate::CONTROL_PREFIX
            ));
        }
        let mut scripts = self.scripts();
        let queue = scripts.entry(operation.to_owned()).or_default();
        queue.push_back(script);
        Ok(queue.len())
    }

    /// A fresh single-use authorization code with the spec's lifetime (10 minutes if unstated).
    pub(crate) fn issue_authorization_code(&self) -> String {
        let lifetime = self
            .spec
            .api
            .token
            .as_ref()
            .and_then(|t| t.authorize.as_ref())
            .and_then(|a| a.code_lifetime_seconds)
            .map(Duration::from_secs)
            .unwrap_or(Duration::from_secs(600));
        self.issued().new_code(lifetime)
    }

    /// Forgets requests, scripts, issued tokens and codes, and seen nonces.
    pub(crate) fn reset(&self) {
        *self.issued() = Issued::default();
        self.scripts().clear();
        *self.received() = Received::default();
        self.replays.clear();
    }

    pub(crate) fn grant_path(&self, grant: &str) -> Option<String> {
        let base = &self.spec.base_path;
        self.spec
            .grants
            .iter()
            .find(|g| g.ir.name == grant)
            .map(|g| {
                g.path
                    .strip_prefix(base.as_str())
                    .unwrap_or(&g.path)
                    .to_owned()
            })
    }
}

/// One request, read in full.
pub(crate) struct Incoming {
    pub(crate) method: String,
    pub(crate) method_lower: String,
    /// The path as received (with the base path).
    pub(crate) full_path: String,
    pub(crate) query: Vec<(String, String)>,
    /// The query string as received (percent-encoded), empty when there is none.
    pub(crate) raw_query: String,
    /// Lowercase name → value (repeated headers joined with `, `).
    pub(crate) headers: BTreeMap<String, String>,
    pub(crate) body: Bytes,
    /// `host[:port]` from the `Host` header (as the client binds `{host}`).
    pub(crate) host: String,
}

impl Incoming {
    pub(crate) fn form(&self) -> Vec<(String, String)> {
        form_urlencoded::parse(&self.body).into_owned().collect()
    }

    /// Top-level JSON fields as text; `None` when the body is not a JSON object.
    pub(crate) fn json_fields(&self) -> Option<Vec<(String, String)>> {
        match serde_json::from_slice::<Json>(&self.body).ok()? {
            Json::Object(map) => Some(
                map.iter()
                    .map(|(k, v)| (k.clone(), crate::json_path::text(v)))
                    .collect(),
            ),
            _ => None,
        }
    }

    fn content_type(&self) -> &str {
        self.headers
            .get("content-type")
            .map(String::as_str)
            .unwrap_or("")
    }
}

pub(crate) async fn handle(State(shared): State<Arc<Shared>>, req: Request) -> Response {
    if control::is_control(req.uri().path()) {
        return control::handle(shared, req).await;
    }
    let connection = req
        .extensions()
        .get::<Arc<crate::serve::ConnState>>()
        .cloned();
    let (parts, body) = req.into_parts();
    let max_body = shared.config.limits.max_body;
    let body = match axum::body::to_bytes(body, max_body).await {
        Ok(b) => b,
        Err(_) => {
            let note = RefusalNote {
                kind: codegen::ir::MockRefusal::BadParameter,
                step: Some("body".into()),
                reason: format!("mock: the body is larger than {max_body} bytes (max_body)"),
                code: None,
                declared: false,
            };
            log_refusal(None, 413, &note);
            let mut r = StatusCode::PAYLOAD_TOO_LARGE.into_response();
            set_refusal_header(&mut r, &note);
            return r;
        }
    };
    let mut headers = BTreeMap::new();
    for (name, value) in &parts.headers {
        let v = String::from_utf8_lossy(value.as_bytes()).into_owned();
        headers
            .entry(name.as_str().to_owned())
            .and_modify(|e: &mut String| {
                e.push_str(", ");
                e.push_str(&v);
            })
            .or_insert(v);
    }
    let host = headers.get("host").cloned().unwrap_or_default();
    let incoming = Incoming {
        host,
        method: parts.method.as_str().to_owned(),
        method_lower: parts.method.as_str().to_ascii_lowercase(),
        full_path: parts.uri.path().to_owned(),
        raw_query: parts.uri.query().unwrap_or_default().to_owned(),
        query: parts
            .uri
            .query()
            .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
            .unwrap_or_default(),
        headers,
        body,
    };
    let (operation, answer) = dispatch(&shared, &incoming);
    // Scripts replace only what an accepted call gets: a refused request stays refused (a
    // client that signs wrongly is never rescued by a script) and leaves the script queued.
    let script = match (&operation, &answer) {
        (Some(op), Ok(_)) => shared.scripts().get_mut(op).and_then(VecDeque::pop_front),
        _ => None,
    };
    let answer = answer.unwrap_or_else(|refused| refused);
    if let Some(note) = &answer.refusal {
        log_refusal(operation.as_deref(), answer.status, note);
    }
    let answer = match script {
        None => Some(answer),
        Some(script) => {
            if let Some(d) = script.delay {
                let _waiting = connection.as_ref().map(|c| c.scripted_wait());
                tokio::time::sleep(d).await;
            }
            match script.action {
                ScriptAction::Proceed => Some(answer),
                ScriptAction::Respond(status, body) => Some(Answer::ok(status, body)),
                ScriptAction::FailWith(code) => {
                    let is_grant = operation
                        .as_ref()
                        .is_some_and(|op| shared.spec.grants.iter().any(|g| g.ir.name == *op));
                    let style = if is_grant {
                        tokens::style(&shared)
                    } else {
                        Style::Envelope
                    };
                    Some(
                        documented(&shared.spec.api, style, &code).unwrap_or_else(|| {
                            Answer::ok(
                                500,
                                Json::String("mock: the scripted code is not in the spec".into()),
                            )
                        }),
                    )
                }
                ScriptAction::DropConnection => None,
            }
        }
    };
    let (status_for_record, answered, response) = match answer {
        Some(a) => (a.status, a.body.clone(), json_response(&a)),
        None => (0, Json::Null, dropped_connection()),
    };
    let keep = shared.config.limits.max_recorded_body;
    let body_truncated = incoming.body.len() > keep;
    let body = incoming
        .body
        .slice(..incoming.body.len().min(keep))
        .to_vec();
    shared.record(ReceivedRequest {
        operation,
        method: incoming.method,
        path: incoming.full_path,
        query: incoming.query,
        raw_query: incoming.raw_query,
        headers: incoming.headers,
        body,
        body_truncated,
        status: status_for_record,
        answer: answered,
    });
    response
}

/// Whether the request carries every fixed (`const`) parameter of `ep` with its value.
fn sends_constants_of(ep: &codegen::ir::EndpointIr, req: &Incoming) -> bool {
    use codegen::ir::ParamLocation;
    let mut fields = None;
    ep.params.iter().all(|p| {
        let Some(want) = &p.const_value else {
            return true;
        };
        let got = match p.location {
            ParamLocation::Query => req
                .query
                .iter()
                .find(|(k, _)| *k == p.wire)
                .map(|(_, v)| v.clone()),
            ParamLocation::Header => req.headers.get(&p.wire.to_ascii_lowercase()).cloned(),
            ParamLocation::Body => fields
                .get_or_insert_with(|| req.json_fields().unwrap_or_else(|| req.form()))
                .iter()
                .find(|(k, _)| *k == p.wire)
                .map(|(_, v)| v.clone()),
            // Checked with the other parameters.
            ParamLocation::Path => return true,
        };
        got.as_deref() == Some(want.as_str())
    })
}

/// The INFO line of a refusal: kind, step, status, code and reason; never a value.
fn log_refusal(operation: Option<&str>, status: u16, note: &RefusalNote) {
    tracing::info!(
        target: "spec_mock",
        operation = operation.unwrap_or("-"),
        kind = note.kind.as_str(),
        step = note.step.as_deref().unwrap_or("-"),
        status,
        code = note.code.as_deref().unwrap_or("-"),
        declared = note.declared,
        "refused: {}",
        note.reason
    );
}

fn set_refusal_header(r: &mut Response, note: &RefusalNote) {
    if let Ok(v) = HeaderValue::from_str(&note.header()) {
        r.headers_mut().insert(REFUSAL_HEADER, v);
    }
}

fn json_response(a: &Answer) -> Response {
    let status = StatusCode::from_u16(a.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut r = (status, a.body.to_string()).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    if let Some(location) = a
        .location
        .as_deref()
        .and_then(|l| HeaderValue::from_str(l).ok())
    {
        r.headers_mut().insert(header::LOCATION, location);
    }
    if let Some(note) = &a.refusal {
        set_refusal_header(&mut r, note);
    }
    r
}

/// A response whose body fails after the headers: hyper closes the connection mid-answer.
fn dropped_connection() -> Response {
    let stream = futures_util::stream::once(async {
        Err::<Bytes, std::io::Error>(std::io::Error::new(
            std::io::ErrorKind::ConnectionAborted,
            "mock: connection dropped by script",
        ))
    });
    let mut r = Response::new(AxumBody::from_stream(stream));
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    r
}

/// What a request gets: `Ok` when it was accepted, `Err` with the refusal otherwise.
type Outcome = Result<Answer, Answer>;

/// Routes a request: authorize redirect, token grant or business endpoint.
fn dispatch(shared: &Shared, req: &Incoming) -> (Option<String>, Outcome) {
    let spec = &shared.spec;
    let api = &spec.api;
    let grants: Vec<_> = spec.grants_at(&req.full_path).collect();
    if !grants.is_empty() {
        let op = grants.first().map(|g| g.ir.name.clone());
        return (op, tokens::grant(shared, &grants, req));
    }
    let Some(path) = req.full_path.strip_prefix(&spec.base_path) else {
        return (
            None,
            Err(refuse(api, Style::Envelope, &Problem::UnknownPath)),
        );
    };
    if let Some(authorize) = api.token.as_ref().and_then(|t| t.authorize.as_ref())
        && authorize.path == path
    {
        return (
            Some("authorize".into()),
            crate::authorize::answer(shared, req),
        );
    }
    let at_path: Vec<_> = spec.endpoints_at(path).collect();
    let allowed: Vec<_> = at_path
        .iter()
        .copied()
        .filter(|ep| {
            ep.allowed_methods
                .iter()
                .chain([&ep.http_method])
                .any(|m| m.as_str() == req.method)
        })
        .collect();
    // A gateway serves many operations at one path, told apart by a fixed parameter
    // (`serviceCode`, `method`): the endpoint whose fixed values the request carries.
    let ep = allowed
        .iter()
        .copied()
        .find(|ep| sends_constants_of(ep, req))
        .or_else(|| allowed.first().copied());
    let Some(ep) = ep else {
        let problem = if at_path.is_empty() {
            Problem::UnknownPath
        } else {
            Problem::MethodNotAllowed
        };
        let op = at_path.first().map(|ep| ep.method_name.clone());
        return (op, Err(refuse(api, Style::Envelope, &problem)));
    };
    let op = Some(ep.method_name.clone());
    if ep.authenticated {
        let issued = shared.issued();
        let lookup = |t: &str| issued.lookup(t);
        let fields = if req.content_type().starts_with("application/json") {
            req.json_fields().unwrap_or_default()
        } else if req.body.is_empty() {
            Vec::new()
        } else {
            req.form()
        };
        let facts = Facts {
            method: &req.method_lower,
            path,
            headers: &req.headers,
            query: &req.query,
            fields: &fields,
            body: &req.body,
            host: &req.host,
            credentials: &shared.credentials,
            bindings: &[],
            token: &lookup,
            token_var: "access_token",
            now: jiff::Timestamp::now(),
            tolerance: shared.config.tolerance,
            replays: &shared.replays,
        };
        if let Err(r) = verify::check_request(&spec.api.steps, &facts) {
            return (op, Err(refuse(api, Style::Envelope, &Problem::Auth(r))));
        }
    }
    // Parameters the auth steps add (query, form or JSON) are not the endpoint's own.
    let auth_query: Vec<&str> = api
        .steps
        .iter()
        .filter(|s| s.target().is_some_and(|t| t != spec_lang::Target::Header))
        .filter_map(|s| s.name())
        .collect();
    let body = read_body(req);
    let at = params::PathAndHeaders {
        path,
        headers: &req.headers,
    };
    if let Err(p) = params::check(api, ep, &at, &req.query, &auth_query, &body) {
        return (op, Err(refuse(api, Style::Envelope, &p)));
    }
    let answer = Answer::ok(200, synth::success(api, ep, shared.config.total_pages));
    (op, Ok(answer))
}

fn read_body(req: &Incoming) -> Body {
    if req.body.is_empty() {
        return Body::None;
    }
    let ct = req.content_type();
    if ct.starts_with("application/json") {
        match serde_json::from_slice(&req.body) {
            Ok(v) => Body::Json(v),
            Err(_) => Body::Invalid("not JSON".into()),
        }
    } else if ct.starts_with("application/x-www-form-urlencoded") {
        Body::Form(req.form())
    } else {
        Body::Invalid(format!("unexpected content type `{ct}`"))
    }
}
