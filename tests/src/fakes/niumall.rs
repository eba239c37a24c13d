//! Fake of the `niumall` vendor: JWT login and orders under `/v1`.
//! Document: vendor-docs/002_2bb17e3e7dfd1c43.txt.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::Request;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::Response;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value, json};

use super::{
    Incoming, RecordedRequest, RequestLog, ServerGuard, bearer_token, buffer, first,
    hmac_sha256_hex, is_valid_ymd, iso8601_utc, json_num, json_response, lock, now_secs,
    random_hex,
};

pub const ORDERS_PATH: &str = "/v1/orders";

/// Assumption: the document lists no status values; these are the ones the fake knows.
pub const ORDER_STATUSES: [&str; 5] =
    ["pending", "confirmed", "shipping", "completed", "cancelled"];

#[derive(Debug, Clone)]
pub struct NiumallConfig {
    /// Login name accepted in `username` (the profile's `user_username` is accepted too).
    pub username: String,
    pub password: String,
    pub user_id: u64,
    pub user_username: String,
    pub user_email: String,
    pub user_role: String,
    /// Assumption: the document names no login path.
    pub login_path: String,
    /// Document: `expires_in` 3600.
    pub token_ttl: Duration,
    /// Orders present before any are created (document example: 100 → 5 pages of 20).
    pub order_records: usize,
    /// Key the fake signs its HS256 JWTs with.
    pub jwt_secret: String,
}

impl Default for NiumallConfig {
    fn default() -> Self {
        Self {
            username: "admin@example.com".into(),
            password: "password123".into(),
            user_id: 1,
            user_username: "admin".into(),
            user_email: "admin@example.com".into(),
            user_role: "admin".into(),
            login_path: "/v1/auth/login".into(),
            token_ttl: Duration::from_secs(3600),
            order_records: 100,
            jwt_secret: "niumall-fake-jwt-secret".into(),
        }
    }
}

#[derive(Debug, Clone)]
struct Order {
    id: u64,
    order_no: String,
    supplier_id: u64,
    supplier_name: String,
    cattle_breed: String,
    cattle_count: u64,
    weight: f64,
    unit_price: f64,
    delivery_address: Option<String>,
    expected_delivery_date: Option<String>,
    status: &'static str,
    created_at: String,
}

impl Order {
    /// The document's list item shape.
    fn summary(&self) -> Value {
        json!({
            "id": self.id,
            "order_no": self.order_no,
            "supplier_id": self.supplier_id,
            "supplier_name": self.supplier_name,
            "cattle_count": self.cattle_count,
            "total_weight": json_num(self.weight),
            "unit_price": json_num(self.unit_price),
            "total_amount": json_num((self.weight * self.unit_price * 100.0).round() / 100.0),
            "status": self.status,
            "created_at": self.created_at,
        })
    }

    /// List shape plus everything the create request carried.
    fn full(&self) -> Value {
        let mut v = self.summary();
        if let Value::Object(m) = &mut v {
            m.insert("cattle_breed".into(), json!(self.cattle_breed));
            m.insert("expected_weight".into(), json_num(self.weight));
            m.insert("delivery_address".into(), json!(self.delivery_address));
            m.insert(
                "expected_delivery_date".into(),
                json!(self.expected_delivery_date),
            );
        }
        v
    }
}

struct State {
    config: NiumallConfig,
    log: RequestLog,
    token_requests: AtomicUsize,
    business_requests: AtomicUsize,
    tokens: Mutex<HashMap<String, Instant>>,
    orders: Mutex<Vec<Order>>,
    created: Mutex<Vec<Value>>,
}

/// Running fake; dropping it stops the server.
pub struct FakeNiumall {
    /// `http://127.0.0.1:PORT` (paths carry the document's `/v1`).
    pub base_url: String,
    state: Arc<State>,
    _server: ServerGuard,
}

fn supplier_name(id: u64) -> String {
    if id == 101 {
        "山东畜牧合作社".into()
    } else {
        format!("供应商{id}")
    }
}

/// Order 1 is the document's example; the rest vary around it.
fn seed_order(i: usize) -> Order {
    let n = i as u64 + 1;
    let count = if i == 0 { 50 } else { 10 + (n * 7) % 50 };
    Order {
        id: n,
        order_no: format!("ORD20240120{n:03}"),
        supplier_id: 101 + (i as u64 % 3),
        supplier_name: supplier_name(101 + (i as u64 % 3)),
        cattle_breed: "西门塔尔".into(),
        cattle_count: count,
        weight: (count * 500) as f64,
        unit_price: 28.5,
        delivery_address: None,
        expected_delivery_date: None,
        status: ORDER_STATUSES[(i + 2) % ORDER_STATUSES.len()],
        created_at: iso8601_utc(1_705_744_800 + i as u64 * 60),
    }
}

pub async fn start(config: NiumallConfig) -> FakeNiumall {
    let orders = (0..config.order_records).map(seed_order).collect();
    let state = Arc::new(State {
        config,
        log: RequestLog::default(),
        token_requests: AtomicUsize::new(0),
        business_requests: AtomicUsize::new(0),
        tokens: Mutex::new(HashMap::new()),
        orders: Mutex::new(orders),
        created: Mutex::new(Vec::new()),
    });
    let (base_url, server) = super::serve(super::router(Arc::clone(&state), handle)).await;
    FakeNiumall {
        base_url,
        state,
        _server: server,
    }
}

impl FakeNiumall {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base_url, path)
    }
    pub fn config(&self) -> &NiumallConfig {
        &self.state.config
    }
    /// Requests to the login path (any outcome).
    pub fn token_requests(&self) -> usize {
        self.state.token_requests.load(Ordering::SeqCst)
    }
    /// Requests to `/v1/orders` (any outcome).
    pub fn business_requests(&self) -> usize {
        self.state.business_requests.load(Ordering::SeqCst)
    }
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.state.log.snapshot()
    }
    pub fn clear_requests(&self) {
        self.state.log.clear();
    }
    /// Mints a valid JWT for the configured user without logging in.
    pub fn issue_token(&self) -> String {
        self.state.mint_jwt()
    }
    pub fn expire_all_tokens(&self) {
        let now = Instant::now();
        lock(&self.state.tokens).values_mut().for_each(|e| *e = now);
    }
    /// `data` of every successful create, in order.
    pub fn created_orders(&self) -> Vec<Value> {
        lock(&self.state.created).clone()
    }
}

impl State {
    fn mint_jwt(&self) -> String {
        let iat = now_secs();
        let enc = |v: &Value| URL_SAFE_NO_PAD.encode(v.to_string());
        let head = enc(&json!({ "alg": "HS256", "typ": "JWT" }));
        let claims = enc(&json!({
            "sub": self.config.user_id.to_string(),
            "username": self.config.user_username,
            "role": self.config.user_role,
            "iat": iat,
            "exp": iat + self.config.token_ttl.as_secs(),
            "jti": random_hex(32),
        }));
        let mac = hmac_sha256_hex(
            self.config.jwt_secret.as_bytes(),
            format!("{head}.{claims}").as_bytes(),
        );
        let sig = URL_SAFE_NO_PAD.encode(hex::decode(mac).unwrap_or_default());
        let token = format!("{head}.{claims}.{sig}");
        lock(&self.tokens).insert(token.clone(), Instant::now() + self.config.token_ttl);
        token
    }
}

fn now_iso() -> String {
    iso8601_utc(now_secs())
}

fn success(status: StatusCode, data: Value, message: &str) -> Response {
    json_response(
        status,
        json!({ "success": true, "data": data, "message": message, "timestamp": now_iso() }),
    )
}

/// The document's error body. Assumption: the code strings other than VALIDATION_ERROR.
fn failure(status: StatusCode, code: &str, message: &str) -> Response {
    json_response(
        status,
        json!({
            "success": false,
            "error": { "code": code, "message": message },
            "timestamp": now_iso(),
        }),
    )
}

fn validation(details: Vec<(&str, &str)>) -> Response {
    let details: Vec<Value> = details
        .into_iter()
        .map(|(f, m)| json!({ "field": f, "message": m }))
        .collect();
    json_response(
        StatusCode::BAD_REQUEST,
        json!({
            "success": false,
            "error": {
                "code": "VALIDATION_ERROR",
                "message": "请求参数验证失败",
                "details": details,
            },
            "timestamp": now_iso(),
        }),
    )
}

fn not_found() -> Response {
    // Assumption: Express-style 404 for unknown routes and verbs, in the error shape.
    failure(StatusCode::NOT_FOUND, "NOT_FOUND", "资源不存在")
}

fn unauthorized(message: &str) -> Response {
    let mut resp = failure(StatusCode::UNAUTHORIZED, "UNAUTHORIZED", message);
    resp.headers_mut()
        .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    resp
}

async fn handle(st: Arc<State>, req: Request) -> Response {
    let Ok(req) = buffer(req, &st.log).await else {
        return validation(vec![("body", "请求体无法读取")]);
    };
    if req.path == st.config.login_path {
        st.token_requests.fetch_add(1, Ordering::SeqCst);
        return if req.method == Method::POST {
            login(&st, &req)
        } else {
            not_found()
        };
    }
    if req.path == ORDERS_PATH || req.path == "/v1/orders/" {
        st.business_requests.fetch_add(1, Ordering::SeqCst);
        if req.method != Method::GET && req.method != Method::POST {
            return not_found();
        }
        let Some(token) = bearer_token(&req) else {
            return unauthorized("未授权,需要登录");
        };
        match lock(&st.tokens).get(&token) {
            None => return unauthorized("Token无效"),
            Some(exp) if Instant::now() >= *exp => return unauthorized("Token已过期"),
            Some(_) => {}
        }
        return if req.method == Method::GET {
            list_orders(&st, &req)
        } else {
            create_order(&st, &req)
        };
    }
    not_found()
}

/// JSON object body. Assumption: like Express' json parser, a non-JSON content type leaves the
/// body empty (so required fields fail validation); malformed JSON is a 400 validation error.
fn json_body(req: &Incoming) -> Option<Map<String, Value>> {
    if !req.content_type_is("application/json") {
        return Some(Map::new());
    }
    match serde_json::from_slice::<Value>(&req.body) {
        Ok(Value::Object(m)) => Some(m),
        _ => None,
    }
}

fn malformed_json() -> Response {
    validation(vec![("body", "请求体必须是合法的JSON对象")])
}

fn login(st: &State, req: &Incoming) -> Response {
    let Some(body) = json_body(req) else {
        return malformed_json();
    };
    let username = body
        .get("username")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty());
    let password = body
        .get("password")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty());
    let mut details = Vec::new();
    if username.is_none() {
        details.push(("username", "用户名不能为空"));
    }
    if password.is_none() {
        details.push(("password", "密码不能为空"));
    }
    let (Some(username), Some(password)) = (username, password) else {
        return validation(details);
    };
    let cfg = &st.config;
    if (username != cfg.username && username != cfg.user_username) || password != cfg.password {
        return failure(StatusCode::UNAUTHORIZED, "UNAUTHORIZED", "用户名或密码错误");
    }
    success(
        StatusCode::OK,
        json!({
            "access_token": st.mint_jwt(),
            "token_type": "Bearer",
            "expires_in": cfg.token_ttl.as_secs(),
            "user": {
                "id": cfg.user_id,
                "username": cfg.user_username,
                "email": cfg.user_email,
                "role": cfg.user_role,
            }
        }),
        "登录成功",
    )
}

fn list_orders(st: &State, req: &Incoming) -> Response {
    let q = req.query_params();
    let mut details = Vec::new();
    let page = match first(&q, "page").map(str::parse::<usize>) {
        None => 1,
        Some(Ok(n)) if n >= 1 => n,
        _ => {
            details.push(("page", "页码必须是大于0的整数"));
            1
        }
    };
    // Assumption: the document gives no maximum for `limit`; 100 as is common.
    let limit = match first(&q, "limit").map(str::parse::<usize>) {
        None => 20,
        Some(Ok(n)) if (1..=100).contains(&n) => n,
        _ => {
            details.push(("limit", "每页数量必须是1到100之间的整数"));
            20
        }
    };
    let status = first(&q, "status");
    if let Some(s) = status
        && !ORDER_STATUSES.contains(&s)
    {
        details.push(("status", "订单状态不合法"));
    }
    if !details.is_empty() {
        return validation(details);
    }
    let orders = lock(&st.orders);
    let matching: Vec<&Order> = orders
        .iter()
        .filter(|o| status.is_none_or(|s| o.status == s))
        .collect();
    let total = matching.len();
    let list: Vec<Value> = matching
        .iter()
        .skip((page - 1).saturating_mul(limit))
        .take(limit)
        .map(|o| o.summary())
        .collect();
    success(
        StatusCode::OK,
        json!({
            "orders": list,
            "pagination": {
                "current_page": page,
                "total_pages": total.div_ceil(limit),
                "total_count": total,
            }
        }),
        "获取成功",
    )
}

fn create_order(st: &State, req: &Incoming) -> Response {
    let Some(body) = json_body(req) else {
        return malformed_json();
    };
    let mut details: Vec<(&str, &str)> = Vec::new();

    let positive_int = |k: &str| body.get(k).map(|v| v.as_u64().filter(|n| *n > 0));
    let positive_num = |k: &str| {
        body.get(k)
            .map(|v| v.as_f64().filter(|n| *n > 0.0 && n.is_finite()))
    };

    let supplier_id = match positive_int("supplier_id") {
        None => {
            details.push(("supplier_id", "供应商ID不能为空"));
            0
        }
        Some(None) => {
            details.push(("supplier_id", "供应商ID必须是正整数"));
            0
        }
        Some(Some(n)) => n,
    };
    let cattle_breed = match body.get("cattle_breed") {
        None | Some(Value::Null) => {
            details.push(("cattle_breed", "牛种类型不能为空"));
            String::new()
        }
        Some(Value::String(s)) if !s.trim().is_empty() => s.clone(),
        Some(_) => {
            details.push(("cattle_breed", "牛种类型必须是非空字符串"));
            String::new()
        }
    };
    let cattle_count = match positive_int("cattle_count") {
        None => {
            details.push(("cattle_count", "牛只数量不能为空"));
            0
        }
        // The document's own message.
        Some(None) => {
            details.push(("cattle_count", "牛只数量必须大于0"));
            0
        }
        Some(Some(n)) => n,
    };
    let expected_weight = match positive_num("expected_weight") {
        None => {
            details.push(("expected_weight", "预期重量不能为空"));
            0.0
        }
        Some(None) => {
            details.push(("expected_weight", "预期重量必须大于0"));
            0.0
        }
        Some(Some(n)) => n,
    };
    let unit_price = match positive_num("unit_price") {
        None => {
            details.push(("unit_price", "单价不能为空"));
            0.0
        }
        Some(None) => {
            details.push(("unit_price", "单价必须大于0"));
            0.0
        }
        Some(Some(n)) => n,
    };
    // Assumption: the two fields outside the document's table are optional but typed.
    let delivery_address = match body.get("delivery_address") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => {
            details.push(("delivery_address", "交货地址必须是字符串"));
            None
        }
    };
    let expected_delivery_date = match body.get("expected_delivery_date") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if is_valid_ymd(s) => Some(s.clone()),
        Some(_) => {
            details.push(("expected_delivery_date", "预计交货日期格式必须是YYYY-MM-DD"));
            None
        }
    };
    if !details.is_empty() {
        return validation(details);
    }

    let mut orders = lock(&st.orders);
    let id = orders.iter().map(|o| o.id).max().unwrap_or(0) + 1;
    let now = now_secs();
    let (y, m, d, ..) = super::civil(now);
    let order = Order {
        id,
        order_no: format!("ORD{y:04}{m:02}{d:02}{id:03}"),
        supplier_id,
        supplier_name: supplier_name(supplier_id),
        cattle_breed,
        cattle_count,
        weight: expected_weight,
        unit_price,
        delivery_address,
        expected_delivery_date,
        status: "pending",
        created_at: iso8601_utc(now),
    };
    let data = order.full();
    orders.push(order);
    lock(&st.created).push(data.clone());
    success(StatusCode::CREATED, data, "创建成功")
}
