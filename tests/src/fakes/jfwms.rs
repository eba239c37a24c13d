//! Fake of the `jfwms` vendor: HMAC-SHA256 signed business headers, code→token exchange,
//! refresh tokens, and an md5 webhook signature helper.
//! Document: vendor-docs/001_c53b26c4aef9b111.txt.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::Request;
use axum::http::{Method, StatusCode};
use axum::response::Response;
use serde_json::{Value, json};

use super::{
    Incoming, RecordedRequest, RequestLog, ServerGuard, buffer, hmac_sha256_hex, json_response,
    lock, md5_hex, now_ms, random_hex,
};

pub const ORDER_GET_PATH: &str = "/api/order/get";

/// How late a forced replay (see [`FakeJfwms::reject_as_replay`]) is answered: more than the
/// one-millisecond resolution of the `timestamp` header.
pub const FORCED_REPLAY_DELAY: Duration = Duration::from_millis(3);

#[derive(Debug, Clone)]
pub struct JfwmsConfig {
    /// Defaults are the document's example app (its signature vector uses this secret).
    pub client_id: String,
    pub client_secret: String,
    /// OMS user the authorization codes are granted for (document example: 8).
    pub user_id: u64,
    /// Document: accessToken lives 24 hours.
    pub access_token_ttl: Duration,
    /// Document: refreshToken lives 1 year.
    pub refresh_token_ttl: Duration,
    /// Assumption: the document gives no code lifetime; 10 minutes.
    pub authorization_code_ttl: Duration,
    /// Assumption: allowed |server time − `timestamp`| before 10028.
    pub timestamp_window: Duration,
    /// Assumption: the document names no token endpoints.
    pub token_path: String,
    pub refresh_path: String,
    /// erpNo → order object returned as `data` by `/api/order/get`.
    pub orders: BTreeMap<String, Value>,
}

impl Default for JfwmsConfig {
    fn default() -> Self {
        let mut orders = BTreeMap::new();
        // Shaped like the document's `order` webhook payload.
        orders.insert(
            "123123".to_owned(),
            json!({
                "userId": 8,
                "erpNo": "123123",
                "warehouseCode": "xxx",
                "status": "Shipped",
                "skuList": [{
                    "sku": "2309-1Bei",
                    "total": 26,
                    "locked": 0,
                    "available": 26,
                    "nonGood": 0,
                    "totalChange": -1
                }]
            }),
        );
        Self {
            client_id: "fe73489a9b5948dbafd07e7b28d6e268".into(),
            client_secret: "4a506ccaf37e400bac4a42d2dc5f600a".into(),
            user_id: 8,
            access_token_ttl: Duration::from_secs(24 * 3600),
            refresh_token_ttl: Duration::from_secs(365 * 24 * 3600),
            authorization_code_ttl: Duration::from_secs(600),
            timestamp_window: Duration::from_secs(300),
            token_path: "/oauth/token".into(),
            refresh_path: "/oauth/refresh".into(),
            orders,
        }
    }
}

#[derive(Clone)]
struct Grant {
    user_id: u64,
    expires_at: Instant,
}

struct State {
    config: JfwmsConfig,
    log: RequestLog,
    token_requests: AtomicUsize,
    refresh_requests: AtomicUsize,
    business_requests: AtomicUsize,
    access: Mutex<HashMap<String, Grant>>,
    refresh: Mutex<HashMap<String, Grant>>,
    codes: Mutex<HashMap<String, Grant>>,
    /// (clientId, nonce, timestamp) already accepted.
    seen: Mutex<HashSet<(String, String, String)>>,
    /// Test hook: erpNo → how many more correctly signed tries to reject as replays.
    forced_replays: Mutex<HashMap<String, usize>>,
    /// Refreshing hands out a new refresh token and invalidates the one used.
    rotate_refresh_tokens: AtomicBool,
}

/// Running fake; dropping it stops the server.
pub struct FakeJfwms {
    pub base_url: String,
    state: Arc<State>,
    _server: ServerGuard,
}

pub async fn start(config: JfwmsConfig) -> FakeJfwms {
    let state = Arc::new(State {
        config,
        log: RequestLog::default(),
        token_requests: AtomicUsize::new(0),
        refresh_requests: AtomicUsize::new(0),
        business_requests: AtomicUsize::new(0),
        access: Mutex::new(HashMap::new()),
        refresh: Mutex::new(HashMap::new()),
        codes: Mutex::new(HashMap::new()),
        seen: Mutex::new(HashSet::new()),
        forced_replays: Mutex::new(HashMap::new()),
        rotate_refresh_tokens: AtomicBool::new(false),
    });
    let (base_url, server) = super::serve(super::router(Arc::clone(&state), handle)).await;
    FakeJfwms {
        base_url,
        state,
        _server: server,
    }
}

impl FakeJfwms {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base_url, path)
    }
    pub fn config(&self) -> &JfwmsConfig {
        &self.state.config
    }
    /// From now on, refreshing rotates the refresh token: a new one is handed out and the one
    /// used stops working (as vendors that rotate refresh tokens do).
    pub fn rotate_refresh_tokens(&self, on: bool) {
        self.state.rotate_refresh_tokens.store(on, Ordering::SeqCst);
    }
    /// Whether `refresh_token` would be accepted now.
    pub fn refresh_token_is_valid(&self, refresh_token: &str) -> bool {
        lock(&self.state.refresh)
            .get(refresh_token)
            .is_some_and(|g| Instant::now() < g.expires_at)
    }
    /// Requests to the code-exchange endpoint (any outcome).
    pub fn token_requests(&self) -> usize {
        self.state.token_requests.load(Ordering::SeqCst)
    }
    /// Requests to the refresh endpoint (any outcome).
    pub fn refresh_requests(&self) -> usize {
        self.state.refresh_requests.load(Ordering::SeqCst)
    }
    /// Requests to `/api/...` (any outcome).
    pub fn business_requests(&self) -> usize {
        self.state.business_requests.load(Ordering::SeqCst)
    }
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.state.log.snapshot()
    }
    pub fn clear_requests(&self) {
        self.state.log.clear();
    }
    /// A single-use authorization code for the configured user.
    pub fn issue_authorization_code(&self) -> String {
        let code = random_hex(32);
        lock(&self.state.codes).insert(
            code.clone(),
            Grant {
                user_id: self.state.config.user_id,
                expires_at: Instant::now() + self.state.config.authorization_code_ttl,
            },
        );
        code
    }
    /// Mints `(accessToken, refreshToken)` for `user_id` without any HTTP exchange.
    pub fn issue_tokens(&self, user_id: u64) -> (String, String) {
        self.state.mint(user_id)
    }
    /// Registers a specific access token (e.g. the document's example) for `user_id`.
    pub fn add_access_token(&self, token: &str, user_id: u64) {
        lock(&self.state.access).insert(
            token.to_owned(),
            Grant {
                user_id,
                expires_at: Instant::now() + self.state.config.access_token_ttl,
            },
        );
    }
    pub fn expire_all_access_tokens(&self) {
        expire(&self.state.access);
    }
    pub fn expire_all_refresh_tokens(&self) {
        expire(&self.state.refresh);
    }
    /// Test hook: the next `tries` correctly signed, otherwise acceptable calls for `erp_no` are
    /// answered 10027 REPEAT_SUBMIT, as if their (nonce, timestamp) had been used before. Their
    /// nonces count as used, and the answer comes [`FORCED_REPLAY_DELAY`] late, so that a
    /// client that re-signs its retry necessarily stamps it with a later timestamp.
    pub fn reject_as_replay(&self, erp_no: &str, tries: usize) {
        lock(&self.state.forced_replays).insert(erp_no.to_owned(), tries);
    }
    /// Forget used nonces (lets a test replay a fixed vector).
    pub fn forget_nonces(&self) {
        lock(&self.state.seen).clear();
    }
}

fn expire(map: &Mutex<HashMap<String, Grant>>) {
    let now = Instant::now();
    lock(map).values_mut().for_each(|g| g.expires_at = now);
}

/// The document's signature: HMAC-SHA256(secret) over the seven sorted `k=v` pairs joined by `&`
/// (`method` is fixed to `post` by the document).
pub fn sign(
    client_secret: &str,
    access_token: &str,
    client_id: &str,
    nonce: &str,
    timestamp: &str,
    url: &str,
    user_id: &str,
) -> String {
    let mut pairs = [
        format!("url={url}"),
        "method=post".to_owned(),
        format!("accessToken={access_token}"),
        format!("clientId={client_id}"),
        format!("timestamp={timestamp}"),
        format!("nonce={nonce}"),
        format!("userId={user_id}"),
    ];
    pairs.sort();
    hmac_sha256_hex(client_secret.as_bytes(), pairs.join("&").as_bytes())
}

/// Webhook `sign` header: md5 hex of `{"data":<data>,"clientSecret":"<secret>"}` — the text the
/// document's Java produces by serialising a map holding the raw data and the secret.
pub fn sign_webhook(data_raw_json: &str, client_secret: &str) -> String {
    let secret = serde_json::to_string(client_secret).unwrap_or_default();
    md5_hex(format!("{{\"data\":{data_raw_json},\"clientSecret\":{secret}}}").as_bytes())
}

impl State {
    fn mint(&self, user_id: u64) -> (String, String) {
        let access = random_hex(32);
        let refresh = random_hex(32);
        let now = Instant::now();
        lock(&self.access).insert(
            access.clone(),
            Grant {
                user_id,
                expires_at: now + self.config.access_token_ttl,
            },
        );
        lock(&self.refresh).insert(
            refresh.clone(),
            Grant {
                user_id,
                expires_at: now + self.config.refresh_token_ttl,
            },
        );
        (access, refresh)
    }
}

/// The document's envelope. Assumption: errors are HTTP 200 with the code in the body.
fn envelope(code: i64, message: &str, data: Value) -> Response {
    json_response(
        StatusCode::OK,
        json!({ "code": code, "message": message, "data": data, "requestId": random_hex(32) }),
    )
}

fn err(code: i64, message: &str) -> Response {
    envelope(code, message, Value::Null)
}

const PARAMS_ERROR: (i64, &str) = (10001, "Request parameter error");

async fn handle(st: Arc<State>, req: Request) -> Response {
    let Ok(req) = buffer(req, &st.log).await else {
        return err(PARAMS_ERROR.0, PARAMS_ERROR.1);
    };
    if req.path == st.config.token_path {
        st.token_requests.fetch_add(1, Ordering::SeqCst);
        return token_endpoint(&st, &req, false);
    }
    if req.path == st.config.refresh_path {
        st.refresh_requests.fetch_add(1, Ordering::SeqCst);
        return token_endpoint(&st, &req, true);
    }
    if req.path.starts_with("/api/") {
        st.business_requests.fetch_add(1, Ordering::SeqCst);
        if take_forced_replay(&st, &req) {
            tokio::time::sleep(FORCED_REPLAY_DELAY).await;
            return err(10027, "重复提交");
        }
        return business(&st, &req);
    }
    // Assumption: unknown paths → 404 with the generic service error.
    let mut resp = err(1, "服务异常,请稍后重试");
    *resp.status_mut() = StatusCode::NOT_FOUND;
    resp
}

/// POST + JSON object body, else 10001 (assumption: Spring-style 405/415 folded into 10001;
/// the `Err` is the HTTP status to send it with).
fn json_object(req: &Incoming) -> Result<serde_json::Map<String, Value>, StatusCode> {
    if req.method != Method::POST {
        return Err(StatusCode::METHOD_NOT_ALLOWED);
    }
    if !req.content_type_is("application/json") {
        return Err(StatusCode::OK);
    }
    match serde_json::from_slice::<Value>(&req.body) {
        Ok(Value::Object(m)) => Ok(m),
        _ => Err(StatusCode::OK),
    }
}

fn params_error(status: StatusCode) -> Response {
    let mut resp = err(PARAMS_ERROR.0, PARAMS_ERROR.1);
    *resp.status_mut() = status;
    resp
}

fn str_field<'a>(m: &'a serde_json::Map<String, Value>, k: &str) -> Option<&'a str> {
    m.get(k).and_then(Value::as_str).filter(|s| !s.is_empty())
}

fn token_endpoint(st: &State, req: &Incoming, refresh: bool) -> Response {
    let body = match json_object(req) {
        Ok(b) => b,
        Err(status) => return params_error(status),
    };
    let Some(client_id) = str_field(&body, "clientId") else {
        return err(10006, "CLIENT ID empty");
    };
    let Some(client_secret) = str_field(&body, "clientSecret") else {
        return err(10007, "CLIENT SECRET empty");
    };
    if client_id != st.config.client_id || client_secret != st.config.client_secret {
        return err(10008, "Invalid client app info");
    }
    let now = Instant::now();
    let user_id = if refresh {
        let Some(rt) = str_field(&body, "refreshToken") else {
            return err(10005, "REFRESH TOKEN empty");
        };
        let rotate = st.rotate_refresh_tokens.load(Ordering::SeqCst);
        let mut refresh_tokens = lock(&st.refresh);
        let grant = if rotate {
            refresh_tokens.remove(rt)
        } else {
            refresh_tokens.get(rt).cloned()
        };
        match grant {
            Some(g) if now < g.expires_at => g.user_id,
            _ => return err(10003, "Invalid REFRESH TOKEN"),
        }
    } else {
        let code = str_field(&body, "code");
        // Single use: removed whether or not it had expired.
        match code.and_then(|c| lock(&st.codes).remove(c)) {
            Some(g) if now < g.expires_at => g.user_id,
            _ => return err(10030, "Invalid authorization identification code"),
        }
    };
    let access = random_hex(32);
    lock(&st.access).insert(
        access.clone(),
        Grant {
            user_id,
            expires_at: now + st.config.access_token_ttl,
        },
    );
    let refresh_token = if refresh && !st.rotate_refresh_tokens.load(Ordering::SeqCst) {
        // Assumption: refreshing keeps the (long-lived) refresh token and leaves the old access
        // token valid until its own expiry.
        str_field(&body, "refreshToken")
            .unwrap_or_default()
            .to_owned()
    } else {
        let rt = random_hex(32);
        lock(&st.refresh).insert(
            rt.clone(),
            Grant {
                user_id,
                expires_at: now + st.config.refresh_token_ttl,
            },
        );
        rt
    };
    envelope(
        0,
        "success",
        json!({
            "accessToken": access,
            "refreshToken": refresh_token,
            "userId": user_id,
            "expiresIn": st.config.access_token_ttl.as_secs(),
        }),
    )
}

fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// Whether the request passes every check of [`business`] up to the replay check and is one of
/// the tries [`FakeJfwms::reject_as_replay`] asked to reject; such a try uses up its nonce.
fn take_forced_replay(st: &State, req: &Incoming) -> bool {
    let Some(erp_no) = json_object(req)
        .ok()
        .and_then(|body| body.get("erpNo")?.as_str().map(str::to_owned))
    else {
        return false;
    };
    let wanted = lock(&st.forced_replays)
        .get(&erp_no)
        .is_some_and(|left| *left > 0);
    if !wanted {
        return false;
    }
    // Only a try the real checks would have let through to the replay check is rejected, so
    // a forced 10027 always answers a correctly signed request with a fresh nonce.
    let passes = business_checks(st, req).is_ok();
    if passes {
        let (Some(client_id), Some(nonce), Some(timestamp)) = (
            req.header("clientId"),
            req.header("nonce"),
            req.header("timestamp"),
        ) else {
            return false;
        };
        if !lock(&st.seen).insert((client_id, nonce, timestamp)) {
            return false;
        }
        if let Some(left) = lock(&st.forced_replays).get_mut(&erp_no) {
            *left = left.saturating_sub(1);
        }
    }
    passes
}

fn business(st: &State, req: &Incoming) -> Response {
    if let Err((code, message)) = business_checks(st, req) {
        return err(code, message);
    }
    let client_id = req.header("clientId").unwrap_or_default();
    let nonce = req.header("nonce").unwrap_or_default();
    let timestamp = req.header("timestamp").unwrap_or_default();
    // Assumption: a replay is the same (clientId, nonce, timestamp) accepted before.
    if !lock(&st.seen).insert((client_id, nonce, timestamp)) {
        return err(10027, "重复提交");
    }
    business_answer(st, req)
}

/// The header, token, signature and timestamp checks, in the order the brief fixes.
fn business_checks(st: &State, req: &Incoming) -> Result<(), (i64, &'static str)> {
    // Codes and messages from the document's table.
    let Some(access_token) = req.header("accessToken") else {
        return Err((10004, "ACCESS TOKEN empty"));
    };
    let Some(sign_header) = req.header("sign") else {
        return Err((10021, "SIGN 不能为空"));
    };
    let Some(nonce) = req.header("nonce") else {
        return Err((10022, "NONCE 不能为空"));
    };
    let Some(timestamp) = req.header("timestamp") else {
        return Err((10023, "TIMESTAMP 不能为空"));
    };
    if !all_digits(&nonce) {
        return Err((10024, "NONCE 格式异常"));
    }
    let Some(ts) = all_digits(&timestamp)
        .then(|| timestamp.parse::<u64>().ok())
        .flatten()
    else {
        return Err((10025, "TIMESTAMP 格式异常"));
    };
    // Assumption: an absent userId is a format error too (the table has no "userId empty").
    let Some(user_id) = req
        .header("userId")
        .filter(|u| all_digits(u))
        .and_then(|u| u.parse::<u64>().ok().map(|n| (u, n)))
    else {
        return Err((10029, "USER ID 格式异常"));
    };
    let Some(client_id) = req.header("clientId") else {
        return Err((10006, "CLIENT ID empty"));
    };
    if client_id != st.config.client_id {
        return Err((10008, "Invalid client app info"));
    }
    let grant = match lock(&st.access).get(&access_token) {
        Some(g) if Instant::now() < g.expires_at => g.clone(),
        _ => return Err((10002, "Invalid ACCESS TOKEN ")),
    };
    // Assumption: the token must belong to the userId the caller claims.
    if grant.user_id != user_id.1 {
        return Err((10009, "Invalid client auth info"));
    }
    let expected = sign(
        &st.config.client_secret,
        &access_token,
        &client_id,
        &nonce,
        &timestamp,
        &req.path,
        &user_id.0,
    );
    if sign_header != expected {
        return Err((10026, "签名错误"));
    }
    let window = st.config.timestamp_window.as_millis();
    if u128::from(now_ms()).abs_diff(u128::from(ts)) > window {
        return Err((10028, "时间戳失效"));
    }
    Ok(())
}

/// The answer of a request that passed every check.
fn business_answer(st: &State, req: &Incoming) -> Response {
    if req.path != ORDER_GET_PATH {
        // Assumption: only /api/order/get is modelled; anything else is a 404.
        let mut resp = err(1, "服务异常,请稍后重试");
        *resp.status_mut() = StatusCode::NOT_FOUND;
        return resp;
    }
    let body = match json_object(req) {
        Ok(b) => b,
        Err(status) => return params_error(status),
    };
    // Assumption: Jackson-style coercion lets a numeric erpNo through as text.
    let erp_no = match body.get("erpNo") {
        Some(Value::String(s)) if !s.is_empty() => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => return err(50003, "erp no is required"),
    };
    if erp_no.chars().count() > 100 {
        return err(50008, "erp no up to 100 characters");
    }
    match st.config.orders.get(&erp_no) {
        Some(order) => envelope(0, "success", order.clone()),
        None => err(50017, "The order was not found in the warehouse!"),
    }
}
