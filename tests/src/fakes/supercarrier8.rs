//! Fake of the `supercarrier8` (超8) vendor: md5-signed token request with a per-key rate limit,
//! raw `Authorization: <token>` on business calls. Document: vendor-docs/004_2bca3708a162d194.txt.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::Request;
use axum::http::{Method, StatusCode};
use axum::response::Response;
use serde_json::{Value, json};

use super::{
    Incoming, RecordedRequest, RequestLog, ServerGuard, buffer, json_response, lock, md5_hex,
    now_ms, random_hex,
};

pub const TOKEN_PATH: &str = "/cncop/ca/v1/applications/get-token";
pub const DEMO_PATH: &str = "/cncop/demo";

#[derive(Debug, Clone)]
pub struct Supercarrier8Config {
    /// Document's example key.
    pub access_key: String,
    /// The document does not reveal its example secret; any value works.
    pub secret_key: String,
    /// Document: `PT8H` / 28800 s.
    pub token_ttl: Duration,
    /// Document: one token per minute.
    pub rate_limit_window: Duration,
}

impl Default for Supercarrier8Config {
    fn default() -> Self {
        Self {
            access_key: "eb5e78cca74647aa8dea4cb7d1cbb2f0".into(),
            secret_key: "supercarrier8-fake-secret".into(),
            token_ttl: Duration::from_secs(8 * 3600),
            rate_limit_window: Duration::from_secs(60),
        }
    }
}

/// `secretKeySign` as the document defines it: lowercase 32-char md5 hex of the secret.
pub fn secret_key_sign(secret: &str) -> String {
    md5_hex(secret.as_bytes())
}

/// `java.time.Duration#toString` style (`PT8H`, `PT1H30M`, `PT0.5S`).
pub fn iso_duration(d: Duration) -> String {
    let secs = d.as_secs();
    let (h, m, s, ms) = (secs / 3600, secs % 3600 / 60, secs % 60, d.subsec_millis());
    let mut out = String::from("PT");
    if h > 0 {
        out.push_str(&format!("{h}H"));
    }
    if m > 0 {
        out.push_str(&format!("{m}M"));
    }
    if s > 0 || ms > 0 || out == "PT" {
        if ms > 0 {
            let frac = format!("{ms:03}");
            out.push_str(&format!("{s}.{}S", frac.trim_end_matches('0')));
        } else {
            out.push_str(&format!("{s}S"));
        }
    }
    out
}

struct State {
    config: Supercarrier8Config,
    log: RequestLog,
    token_requests: AtomicUsize,
    business_requests: AtomicUsize,
    disabled: AtomicBool,
    tokens: Mutex<HashMap<String, Instant>>,
    /// accessKey → time of the last successful issue.
    last_issue: Mutex<HashMap<String, Instant>>,
    /// This many next token requests never get an answer (a renewer killed mid-request).
    stalled_token_requests: AtomicUsize,
}

/// Running fake; dropping it stops the server.
pub struct FakeSupercarrier8 {
    pub base_url: String,
    state: Arc<State>,
    _server: ServerGuard,
}

pub async fn start(config: Supercarrier8Config) -> FakeSupercarrier8 {
    let state = Arc::new(State {
        config,
        log: RequestLog::default(),
        token_requests: AtomicUsize::new(0),
        business_requests: AtomicUsize::new(0),
        disabled: AtomicBool::new(false),
        tokens: Mutex::new(HashMap::new()),
        last_issue: Mutex::new(HashMap::new()),
        stalled_token_requests: AtomicUsize::new(0),
    });
    let (base_url, server) = super::serve(super::router(Arc::clone(&state), handle)).await;
    FakeSupercarrier8 {
        base_url,
        state,
        _server: server,
    }
}

impl FakeSupercarrier8 {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base_url, path)
    }
    pub fn config(&self) -> &Supercarrier8Config {
        &self.state.config
    }
    /// The next `n` token requests hang without an answer (nothing is issued).
    pub fn stall_next_token_requests(&self, n: usize) {
        self.state.stalled_token_requests.store(n, Ordering::SeqCst);
    }
    /// Requests to get-token (any outcome).
    pub fn token_requests(&self) -> usize {
        self.state.token_requests.load(Ordering::SeqCst)
    }
    /// Requests to any other `/cncop/...` path (any outcome).
    pub fn business_requests(&self) -> usize {
        self.state.business_requests.load(Ordering::SeqCst)
    }
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.state.log.snapshot()
    }
    pub fn clear_requests(&self) {
        self.state.log.clear();
    }
    /// Mints a valid token directly (does not touch the rate limiter).
    pub fn issue_token(&self) -> String {
        self.state.mint()
    }
    /// Every token issued so far now answers 20324012.
    pub fn expire_all_tokens(&self) {
        let now = Instant::now();
        lock(&self.state.tokens).values_mut().for_each(|e| *e = now);
    }
    /// Disable / re-enable the application (21184032).
    pub fn set_disabled(&self, disabled: bool) {
        self.state.disabled.store(disabled, Ordering::SeqCst);
    }
    /// Forget the last issue time, so the next token request is not rate limited.
    pub fn reset_rate_limit(&self) {
        lock(&self.state.last_issue).clear();
    }
}

impl State {
    fn mint(&self) -> String {
        let token = random_hex(64);
        lock(&self.tokens).insert(token.clone(), Instant::now() + self.config.token_ttl);
        token
    }
}

fn trace_id() -> String {
    let h = random_hex(32);
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

/// The document's envelope. Assumption: HTTP 200 for every outcome, code in the body.
fn envelope(code: u64, message: &str, data: Value, exception: Option<&str>) -> Response {
    json_response(
        StatusCode::OK,
        json!({
            "code": code,
            "message": message,
            "data": data,
            "timestamp": now_ms(),
            "traceId": trace_id(),
            "exception": exception,
            "meta": null,
            "ext": null,
        }),
    )
}

fn err(code: u64, message: &str) -> Response {
    envelope(code, message, Value::Null, None)
}

/// The document's generic 500 未知错误, with a debugging hint in `exception`.
fn unknown_error(exception: &str) -> Response {
    envelope(500, "未知错误", Value::Null, Some(exception))
}

async fn handle(st: Arc<State>, req: Request) -> Response {
    let Ok(req) = buffer(req, &st.log).await else {
        return unknown_error("request body could not be read");
    };
    if req.path == TOKEN_PATH {
        st.token_requests.fetch_add(1, Ordering::SeqCst);
        let stall =
            st.stalled_token_requests
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1));
        if stall.is_ok() {
            tokio::time::sleep(Duration::from_secs(3600)).await;
        }
        return get_token(&st, &req);
    }
    if req.path == "/cncop" || req.path.starts_with("/cncop/") {
        st.business_requests.fetch_add(1, Ordering::SeqCst);
        return business(&st, &req);
    }
    // Assumption: paths outside the gateway prefix are a plain 404 in the envelope.
    let mut resp = err(404, "Not Found");
    *resp.status_mut() = StatusCode::NOT_FOUND;
    resp
}

fn get_token(st: &State, req: &Incoming) -> Response {
    // Assumption: Spring-style 405/415/bad JSON all surface as the document's 500 未知错误.
    if req.method != Method::POST {
        return unknown_error("Request method not supported");
    }
    if !req.content_type_is("application/json") {
        return unknown_error("Content type not supported");
    }
    let Ok(Value::Object(body)) = serde_json::from_slice::<Value>(&req.body) else {
        return unknown_error("JSON parse error");
    };
    let field = |k: &str| {
        body.get(k)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    };
    let Some(access_key) = field("accessKey") else {
        return err(21180031, "Access Key不能为空");
    };
    let Some(sign) = field("secretKeySign") else {
        return err(21180041, "密钥不能为空");
    };
    let cfg = &st.config;
    if access_key != cfg.access_key {
        return err(21184033, "应用账号不存在");
    }
    if st.disabled.load(Ordering::SeqCst) {
        return err(21184032, "应用账号被禁用");
    }
    // Exact match: the document demands the 32-char *lowercase* md5.
    if sign != secret_key_sign(&cfg.secret_key) {
        return err(21184031, "应用账号或密钥不正确");
    }
    // Assumption: the limiter counts only successful issues, per accessKey.
    let mut last = lock(&st.last_issue);
    let now = Instant::now();
    if last
        .get(access_key)
        .is_some_and(|t| now.duration_since(*t) < cfg.rate_limit_window)
    {
        return err(21185002, "获取Token超出频率限制");
    }
    last.insert(access_key.to_owned(), now);
    drop(last);
    // Assumption: earlier tokens stay valid until their own expiry.
    envelope(
        200,
        "success",
        json!({
            "accessToken": st.mint(),
            "tokenTtl": iso_duration(cfg.token_ttl),
            "tokenTtlSeconds": cfg.token_ttl.as_secs(),
        }),
        None,
    )
}

fn business(st: &State, req: &Incoming) -> Response {
    // The raw token, no scheme: a `Bearer ` prefix makes it an unknown token.
    // Assumption: missing/unknown → 20324013, expired → 20324012 (the document only says both
    // mean "refresh the token").
    let Some(token) = req.header("authorization") else {
        return err(20324013, "Token无效");
    };
    match lock(&st.tokens).get(&token) {
        None => return err(20324013, "Token无效"),
        Some(exp) if Instant::now() >= *exp => return err(20324012, "Token已过期"),
        Some(_) => {}
    }
    if req.path == DEMO_PATH && req.method == Method::GET {
        // Assumption: the document gives no demo body.
        return envelope(200, "success", json!({ "hello": "world" }), None);
    }
    // Generic echo so any operation of a generated client can be exercised.
    let body = if req.body.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&req.body)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&req.body).into_owned()))
    };
    envelope(
        200,
        "success",
        json!({
            "method": req.method.as_str(),
            "path": req.path,
            "query": req.query,
            "body": body,
        }),
        None,
    )
}
