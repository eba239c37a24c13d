//! Fake of the `zhiyun` vendor: HTTP Basic on every call, time-derived `t_`/`p_` query params,
//! access_token → auth_code → user/company info. Document: vendor-docs/003_483e1ecf47886e58.txt.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::Request;
use axum::http::{Method, StatusCode};
use axum::response::Response;
use serde_json::{Value, json};

use super::{
    RecordedRequest, RequestLog, ServerGuard, basic_credentials, buffer, first, json_response,
    lock, now_ms, now_secs, random_hex,
};

pub const AUTHORIZE_PATH: &str = "/apis/rest/authService/authorize/json";
pub const USER_INFO_PATH: &str = "/apis/rest/userService/getUserInfo/json";
pub const COMPANY_INFO_PATH: &str = "/apis/rest/companyService/getCompanyInfo/json";

#[derive(Debug, Clone)]
pub struct ZhiyunConfig {
    /// HTTP Basic user name / password (document's test credentials).
    pub client_id: String,
    pub client_secret: String,
    /// Valid desktop-login access tokens (document's two test tokens).
    pub access_tokens: Vec<String>,
    /// Assumption: allowed |server time − `t_`| before 601.
    pub time_window: Duration,
    /// Assumption: the document gives no auth_code lifetime; 2 hours.
    pub auth_code_ttl: Duration,
}

impl Default for ZhiyunConfig {
    fn default() -> Self {
        Self {
            client_id: "1102084294".into(),
            client_secret: "aku8hCyXBd9SqYkT".into(),
            access_tokens: vec![
                "9106c9fd1e138a042d4aedf94cede7a766e0".into(),
                "55427e5af26a1319e168beb699b0fd1b11e".into(),
            ],
            time_window: Duration::from_secs(300),
            auth_code_ttl: Duration::from_secs(7200),
        }
    }
}

/// The document's `p_` rule: `(t_ % 10000) * 3 + 2345`.
pub fn p_for(t_ms: u64) -> u64 {
    (t_ms % 10_000) * 3 + 2345
}

struct AuthCode {
    client_id: String,
    access_token: String,
    expires_at: Instant,
}

struct State {
    config: ZhiyunConfig,
    log: RequestLog,
    authorize_requests: AtomicUsize,
    business_requests: AtomicUsize,
    /// access token → still valid
    access_tokens: Mutex<HashMap<String, bool>>,
    codes: Mutex<HashMap<String, AuthCode>>,
}

/// Running fake; dropping it stops the server.
pub struct FakeZhiyun {
    pub base_url: String,
    state: Arc<State>,
    _server: ServerGuard,
}

pub async fn start(config: ZhiyunConfig) -> FakeZhiyun {
    let tokens = config
        .access_tokens
        .iter()
        .map(|t| (t.clone(), true))
        .collect();
    let state = Arc::new(State {
        config,
        log: RequestLog::default(),
        authorize_requests: AtomicUsize::new(0),
        business_requests: AtomicUsize::new(0),
        access_tokens: Mutex::new(tokens),
        codes: Mutex::new(HashMap::new()),
    });
    let (base_url, server) = super::serve(super::router(Arc::clone(&state), handle)).await;
    FakeZhiyun {
        base_url,
        state,
        _server: server,
    }
}

impl FakeZhiyun {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base_url, path)
    }
    pub fn config(&self) -> &ZhiyunConfig {
        &self.state.config
    }
    /// Requests to the authorize endpoint (any outcome).
    pub fn authorize_requests(&self) -> usize {
        self.state.authorize_requests.load(Ordering::SeqCst)
    }
    /// Requests to the user/company endpoints (any outcome).
    pub fn business_requests(&self) -> usize {
        self.state.business_requests.load(Ordering::SeqCst)
    }
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.state.log.snapshot()
    }
    pub fn clear_requests(&self) {
        self.state.log.clear();
    }
    /// The access token now answers 100014.
    pub fn expire_access_token(&self, token: &str) {
        if let Some(v) = lock(&self.state.access_tokens).get_mut(token) {
            *v = false;
        }
    }
    /// Every auth_code issued so far now answers 100020.
    pub fn expire_auth_codes(&self) {
        let now = Instant::now();
        lock(&self.state.codes)
            .values_mut()
            .for_each(|c| c.expires_at = now);
    }
    /// Mints an auth_code held by `client_id` for `access_token` (no validation: lets tests
    /// forge codes of another client or user).
    pub fn issue_auth_code(&self, client_id: &str, access_token: &str) -> String {
        self.state.mint_code(client_id, access_token)
    }
}

impl State {
    fn mint_code(&self, client_id: &str, access_token: &str) -> String {
        let code = random_hex(40);
        lock(&self.codes).insert(
            code.clone(),
            AuthCode {
                client_id: client_id.to_owned(),
                access_token: access_token.to_owned(),
                expires_at: Instant::now() + self.config.auth_code_ttl,
            },
        );
        code
    }
}

/// The document's envelope. Assumption: always HTTP 200 with the code in the body.
fn envelope(code: u32, message: &str, data: Value) -> Response {
    json_response(
        StatusCode::OK,
        json!({ "data": data, "code": code, "message": message }),
    )
}

fn err(code: u32, message: &str) -> Response {
    envelope(code, message, Value::Null)
}

fn illegal() -> Response {
    err(601, "参数非法")
}

async fn handle(st: Arc<State>, req: Request) -> Response {
    let Ok(req) = buffer(req, &st.log).await else {
        return err(400, "请求无效");
    };
    let json_path = matches!(
        req.path.as_str(),
        AUTHORIZE_PATH | USER_INFO_PATH | COMPANY_INFO_PATH
    );
    let xml_path = req.path.strip_suffix("/xml").is_some_and(|p| {
        [AUTHORIZE_PATH, USER_INFO_PATH, COMPANY_INFO_PATH].contains(&format!("{p}/json").as_str())
    });
    if !json_path && !xml_path {
        // Assumption: unknown paths → HTTP 404 with the generic 400 code.
        let mut resp = err(400, "请求无效");
        *resp.status_mut() = StatusCode::NOT_FOUND;
        return resp;
    }
    if req.path.starts_with("/apis/rest/authService/") {
        st.authorize_requests.fetch_add(1, Ordering::SeqCst);
    } else {
        st.business_requests.fetch_add(1, Ordering::SeqCst);
    }
    // "所有接口都需要HTTP协议头认证" — checked before anything else.
    let cfg = &st.config;
    let basic_user = match basic_credentials(&req) {
        Some(Ok((u, p))) if u == cfg.client_id && p == cfg.client_secret => u,
        _ => return err(100009, "HTTP协议头认证非法"),
    };
    if xml_path {
        // Assumption: this fake only implements the JSON flavour.
        return err(501, "不支持该客户端");
    }
    // Assumption: the document only shows GET.
    if req.method != Method::GET {
        return err(400, "请求无效");
    }
    let q = req.query_params();
    if !time_params_ok(cfg, &q) {
        return illegal();
    }
    let Some(access_token) = first(&q, "access_token").filter(|s| !s.is_empty()) else {
        return illegal();
    };
    if lock(&st.access_tokens).get(access_token) != Some(&true) {
        return err(100014, "访问token已过期,过期时间一般为3个月");
    }
    if req.path == AUTHORIZE_PATH {
        let code = st.mint_code(&basic_user, access_token);
        return envelope(200, "ok", json!({ "auth_code": code }));
    }

    match first(&q, "client_id").filter(|s| !s.is_empty()) {
        None => return illegal(),
        Some(c) if c != basic_user => return err(100002, "client_id 访问非法"),
        Some(_) => {}
    }
    let Some(auth_code) = first(&q, "auth_code").filter(|s| !s.is_empty()) else {
        return illegal();
    };
    if let Some(resp) = check_code(&st, auth_code, &basic_user, access_token) {
        return resp;
    }
    let now = now_secs();
    if req.path == USER_INFO_PATH {
        envelope(
            200,
            "ok",
            json!({
                "username": "li******40",
                "truename": "李**",
                "sex": "3",
                "phone": "13******0170",
                "is_admin": "1",
                "status": null,
                "avatar": "http://avatar.xxx.dev.com/000/00/11/52_avatar_small",
                "created": "2017-11-30 10:37:30",
                "nowtime": now,
            }),
        )
    } else {
        envelope(
            200,
            "ok",
            json!({
                "company_name": "水磨沟区*******餐饮店",
                "company_type": "1",
                "tax_number": "6523248***************03404",
                "province": "",
                "city": "",
                "zone": "",
                "address": "乌鲁木齐市***巷186号",
                "disable": "",
                "tel_phone": "",
                "legal_person_phone": "133*****0170",
                "legal_person_name": "李**",
                "created": "2017-11-30 10:37:30",
                "nowtime": now,
            }),
        )
    }
}

/// `t_` numeric and recent, `p_` = (t_ % 10000) * 3 + 2345.
fn time_params_ok(cfg: &ZhiyunConfig, q: &[(String, String)]) -> bool {
    let num = |k: &str| {
        first(q, k)
            .filter(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|s| s.parse::<u64>().ok())
    };
    let (Some(t), Some(p)) = (num("t_"), num("p_")) else {
        return false;
    };
    p == p_for(t) && u128::from(now_ms()).abs_diff(u128::from(t)) <= cfg.time_window.as_millis()
}

fn check_code(st: &State, code: &str, client_id: &str, access_token: &str) -> Option<Response> {
    let codes = lock(&st.codes);
    let Some(c) = codes.get(code) else {
        return Some(err(100019, "授权码不存在,请重新授权"));
    };
    if Instant::now() >= c.expires_at {
        return Some(err(100020, "授权码已经过期,请重启授权"));
    }
    if c.client_id != client_id {
        return Some(err(100021, "授权客户端非法持有授权码"));
    }
    // Assumption: a code is bound to the user (access_token) it was issued for.
    if c.access_token != access_token {
        return Some(err(100023, "授权用户非法持有授权码"));
    }
    None
}
