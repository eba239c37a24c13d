//! The HTTP side: one axum fallback handler that reads the whole request, records it and
//! dispatches by hand (so every answer, even to garbage, is in the spec's shape).

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};

use axum::body::{Body as AxumBody, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value as Json;

use crate::codes::{Answer, Problem, Style, documented, refuse};
use crate::params::{self, Body};
use crate::spec::{MockSpec, method_name};
use crate::tokens::{self, Issued};
use crate::verify::{self, Facts, ReplayGuard};
use crate::{MockConfig, ReceivedRequest, Script, ScriptAction, synth};

/// Largest request body read.
const MAX_BODY: usize = 4 << 20;

pub(crate) struct Shared {
    pub(crate) spec: MockSpec,
    pub(crate) credentials: Vec<(String, String, bool)>,
    pub(crate) config: MockConfig,
    pub(crate) replays: ReplayGuard,
    pub(crate) issued: Mutex<Issued>,
    pub(crate) scripts: Mutex<HashMap<String, VecDeque<Script>>>,
    pub(crate) received: Mutex<Vec<ReceivedRequest>>,
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
    pub(crate) fn received(&self) -> MutexGuard<'_, Vec<ReceivedRequest>> {
        lock(&self.received)
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
    let (parts, body) = req.into_parts();
    let body = match axum::body::to_bytes(body, MAX_BODY).await {
        Ok(b) => b,
        Err(_) => return StatusCode::PAYLOAD_TOO_LARGE.into_response(),
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
    let answer = match script {
        None => Some(answer),
        Some(script) => {
            if let Some(d) = script.delay {
                tokio::time::sleep(d).await;
            }
            match script.action {
                ScriptAction::Proceed => Some(answer),
                ScriptAction::Respond(status, body) => Some(Answer {
                    status,
                    body,
                    location: None,
                }),
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
                        documented(&shared.spec.api, style, &code).unwrap_or(Answer {
                            status: 500,
                            body: Json::String("mock: the scripted code is not in the spec".into()),
                            location: None,
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
    shared.received().push(ReceivedRequest {
        operation,
        method: incoming.method,
        path: incoming.full_path,
        query: incoming.query,
        raw_query: incoming.raw_query,
        headers: incoming.headers,
        body: incoming.body.to_vec(),
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
                .any(|m| method_name(*m) == req.method)
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
        if let Err(r) = verify::check_request(&spec.steps, &facts) {
            return (op, Err(refuse(api, Style::Envelope, &Problem::Auth(r))));
        }
    }
    // Parameters the auth steps add (query, form or JSON) are not the endpoint's own.
    let auth_query: Vec<&str> = api
        .steps
        .iter()
        .filter_map(|s| match s {
            codegen::ir::StepIr::Named { target, name, .. }
                if *target != codegen::ir::TargetIr::Header =>
            {
                Some(name.as_str())
            }
            _ => None,
        })
        .collect();
    let body = read_body(req);
    let at = params::PathAndHeaders {
        path,
        headers: &req.headers,
    };
    if let Err(p) = params::check(api, ep, &at, &req.query, &auth_query, &body) {
        return (op, Err(refuse(api, Style::Envelope, &p)));
    }
    let answer = Answer {
        status: 200,
        body: synth::success(api, ep, shared.config.total_pages),
        location: None,
    };
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
