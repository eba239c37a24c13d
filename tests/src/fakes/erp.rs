//! Fake of the `erp` vendor: OAuth2 (client credentials + authorization code) under `/public`,
//! and three paginated query endpoints. Document: vendor-docs/000_a6c41a1029071ef4.txt.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::Request;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::Response;
use serde_json::{Value, json};

use super::{
    Incoming, RecordedRequest, RequestLog, ServerGuard, basic_credentials, bearer_token, buffer,
    duplicated, first, is_valid_ymd, json_response, lock, parse_params, random_hex,
};

pub const TOKEN_PATH: &str = "/public/token.php";
pub const AUTHORIZE_PATH: &str = "/public/authorize.php";
pub const INVENTORY_PATH: &str = "/public/worehouse.php";
pub const SORDER_PATH: &str = "/public/sorder.php";
pub const OUTBOUND_PATH: &str = "/public/outbound.php";

#[derive(Debug, Clone)]
pub struct ErpConfig {
    pub client_id: String,
    pub client_secret: String,
    /// Registered callback addresses; `authorize.php` refuses any other `redirect_uri`.
    pub redirect_uris: Vec<String>,
    /// Access token lifetime (document: `expires_in` 3600).
    pub token_ttl: Duration,
    /// Authorization code lifetime (document: 10 minutes).
    pub authorization_code_ttl: Duration,
    pub inventory_records: usize,
    pub sorder_records: usize,
    pub outbound_records: usize,
    /// Test hook: `token.php` answers only after this long (zero: at once).
    pub token_delay: Duration,
    /// Test hook: the business endpoints answer only after this long (zero: at once).
    pub business_delay: Duration,
}

impl Default for ErpConfig {
    fn default() -> Self {
        Self {
            // The placeholders used by the document's own PHP/cURL examples.
            client_id: "your_client_id".into(),
            client_secret: "your_client_secret".into(),
            redirect_uris: vec!["http://127.0.0.1/callback".into()],
            token_ttl: Duration::from_secs(3600),
            authorization_code_ttl: Duration::from_secs(600),
            inventory_records: 45,
            sorder_records: 45,
            outbound_records: 45,
            token_delay: Duration::ZERO,
            business_delay: Duration::ZERO,
        }
    }
}

struct CodeGrant {
    client_id: String,
    redirect_uri: String,
    expires_at: Instant,
}

struct State {
    config: ErpConfig,
    log: RequestLog,
    token_requests: AtomicUsize,
    authorize_requests: AtomicUsize,
    business_requests: AtomicUsize,
    /// access token → expiry
    tokens: Mutex<HashMap<String, Instant>>,
    codes: Mutex<HashMap<String, CodeGrant>>,
}

/// Running fake; dropping it stops the server.
pub struct FakeErp {
    /// `http://127.0.0.1:PORT` (the document's `/public` prefix is part of each path).
    pub base_url: String,
    state: Arc<State>,
    _server: ServerGuard,
}

pub async fn start(config: ErpConfig) -> FakeErp {
    let state = Arc::new(State {
        config,
        log: RequestLog::default(),
        token_requests: AtomicUsize::new(0),
        authorize_requests: AtomicUsize::new(0),
        business_requests: AtomicUsize::new(0),
        tokens: Mutex::new(HashMap::new()),
        codes: Mutex::new(HashMap::new()),
    });
    let (base_url, server) = super::serve(super::router(Arc::clone(&state), handle)).await;
    FakeErp {
        base_url,
        state,
        _server: server,
    }
}

impl FakeErp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base_url, path)
    }
    pub fn config(&self) -> &ErpConfig {
        &self.state.config
    }
    /// Requests to `token.php` (any outcome).
    pub fn token_requests(&self) -> usize {
        self.state.token_requests.load(Ordering::SeqCst)
    }
    /// Requests to `authorize.php` (any outcome).
    pub fn authorize_requests(&self) -> usize {
        self.state.authorize_requests.load(Ordering::SeqCst)
    }
    /// Requests to the three business endpoints (any outcome).
    pub fn business_requests(&self) -> usize {
        self.state.business_requests.load(Ordering::SeqCst)
    }
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.state.log.snapshot()
    }
    pub fn clear_requests(&self) {
        self.state.log.clear();
    }
    /// Mints a valid access token without going through `token.php`.
    pub fn issue_token(&self) -> String {
        self.state.mint_token()
    }
    /// Every token issued so far now answers "Access token expired".
    pub fn expire_all_tokens(&self) {
        let now = Instant::now();
        lock(&self.state.tokens).values_mut().for_each(|e| *e = now);
    }
    /// Mints an authorization code for the configured client, as `authorize.php` would.
    pub fn issue_authorization_code(&self, redirect_uri: &str) -> String {
        self.state.mint_code(redirect_uri)
    }
    /// Every outstanding authorization code now answers "Authorization code expired".
    pub fn expire_authorization_codes(&self) {
        let now = Instant::now();
        lock(&self.state.codes)
            .values_mut()
            .for_each(|c| c.expires_at = now);
    }
}

impl State {
    fn mint_token(&self) -> String {
        // bshaffer/oauth2-server-php style 40-hex tokens, as in the document's example.
        let token = random_hex(40);
        lock(&self.tokens).insert(token.clone(), Instant::now() + self.config.token_ttl);
        token
    }

    fn mint_code(&self, redirect_uri: &str) -> String {
        let code = random_hex(40);
        lock(&self.codes).insert(
            code.clone(),
            CodeGrant {
                client_id: self.config.client_id.clone(),
                redirect_uri: redirect_uri.to_owned(),
                expires_at: Instant::now() + self.config.authorization_code_ttl,
            },
        );
        code
    }
}

async fn handle(st: Arc<State>, req: Request) -> Response {
    let req = match buffer(req, &st.log).await {
        Ok(r) => r,
        // Assumption: an unreadable/oversized body is a malformed request.
        Err(r) if r.path == TOKEN_PATH => {
            st.token_requests.fetch_add(1, Ordering::SeqCst);
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "Unreadable body",
            );
        }
        Err(_) => return business_error(StatusCode::BAD_REQUEST, "Unreadable request body"),
    };
    match req.path.as_str() {
        TOKEN_PATH => {
            st.token_requests.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(st.config.token_delay).await;
            token(&st, &req)
        }
        AUTHORIZE_PATH => {
            st.authorize_requests.fetch_add(1, Ordering::SeqCst);
            authorize(&st, &req)
        }
        INVENTORY_PATH | SORDER_PATH | OUTBOUND_PATH => {
            st.business_requests.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(st.config.business_delay).await;
            business(&st, &req)
        }
        // Assumption: unknown scripts get a 404 in the business envelope.
        _ => business_error(StatusCode::NOT_FOUND, "Not found"),
    }
}

fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    let mut resp = json_response(
        status,
        json!({ "error": error, "error_description": description }),
    );
    // RFC 6749 §5.1/§5.2: token responses must not be cached.
    no_store(&mut resp);
    resp
}

fn no_store(resp: &mut Response) {
    let h = resp.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
}

fn invalid_client(via_basic: bool, description: &str) -> Response {
    let mut resp = oauth_error(StatusCode::UNAUTHORIZED, "invalid_client", description);
    if via_basic {
        // RFC 6749 §5.2: a failed Basic attempt must be answered with a challenge.
        resp.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Basic realm=\"Service\""),
        );
    }
    resp
}

fn token(st: &State, req: &Incoming) -> Response {
    let bad = |d: &str| oauth_error(StatusCode::BAD_REQUEST, "invalid_request", d);
    if req.method != Method::POST {
        let mut resp = oauth_error(
            StatusCode::METHOD_NOT_ALLOWED,
            "invalid_request",
            "The request method must be POST when requesting an access token",
        );
        resp.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("POST"));
        return resp;
    }
    if !req.content_type_is("application/x-www-form-urlencoded") {
        return bad(
            "The content type for POST requests must be \"application/x-www-form-urlencoded\"",
        );
    }
    let form = parse_params(&req.body);
    // RFC 6749 §3.2: parameters must not be included more than once.
    if let Some(dup) = duplicated(&form) {
        return bad(&format!("Parameter \"{dup}\" is included more than once"));
    }
    let grant_type = match first(&form, "grant_type") {
        None | Some("") => return bad("The grant type was not specified in the request"),
        Some(g @ ("client_credentials" | "authorization_code")) => g,
        Some(other) => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                &format!("Grant type \"{other}\" not supported"),
            );
        }
    };

    // Client authentication: form fields OR HTTP Basic, never both (RFC 6749 §2.3.1).
    let form_id = first(&form, "client_id");
    let form_secret = first(&form, "client_secret");
    let (client_id, client_secret, via_basic) = match basic_credentials(req) {
        Some(Err(())) => return invalid_client(true, "Malformed HTTP Basic credentials"),
        Some(Ok((id, secret))) => {
            if form_secret.is_some() {
                return bad(
                    "Only one method may be used to authenticate at a time (Auth header or POST body)",
                );
            }
            // Assumption: a body client_id next to Basic is tolerated only if it is the same id.
            if form_id.is_some_and(|f| f != id) {
                return bad("client_id in the body does not match the Authorization header");
            }
            (id, secret, true)
        }
        None => match (form_id, form_secret) {
            (Some(id), Some(secret)) => (id.to_owned(), secret.to_owned(), false),
            _ => {
                return invalid_client(
                    false,
                    "Client credentials were not found in the headers or body",
                );
            }
        },
    };
    if client_id != st.config.client_id || client_secret != st.config.client_secret {
        return invalid_client(via_basic, "The client credentials are invalid");
    }

    if grant_type == "authorization_code" {
        let Some(code) = first(&form, "code").filter(|c| !c.is_empty()) else {
            return bad("Missing parameter: \"code\" is required");
        };
        let Some(redirect_uri) = first(&form, "redirect_uri").filter(|r| !r.is_empty()) else {
            return bad("Missing parameter: \"redirect_uri\" is required");
        };
        let invalid_grant = |d: &str| oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", d);
        let mut codes = lock(&st.codes);
        match codes.get(code) {
            Some(g) if g.client_id != client_id => {
                return invalid_grant(
                    "Authorization code doesn't exist or is invalid for the client",
                );
            }
            Some(g) if Instant::now() >= g.expires_at => {
                return invalid_grant("Authorization code expired");
            }
            Some(g) if g.redirect_uri != redirect_uri => {
                return invalid_grant("The redirect URI is missing or does not match");
            }
            Some(_) => {
                // Single use: gone once exchanged.
                codes.remove(code);
            }
            None => {
                return invalid_grant(
                    "Authorization code doesn't exist or is invalid for the client",
                );
            }
        }
    }

    let token = st.mint_token();
    let mut resp = json_response(
        StatusCode::OK,
        json!({
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": st.config.token_ttl.as_secs(),
        }),
    );
    no_store(&mut resp);
    resp
}

fn authorize(st: &State, req: &Incoming) -> Response {
    let bad = |error: &str, d: &str| oauth_error(StatusCode::BAD_REQUEST, error, d);
    // Assumption: the consent page is only reachable with GET.
    if req.method != Method::GET {
        return oauth_error(
            StatusCode::METHOD_NOT_ALLOWED,
            "invalid_request",
            "The request method must be GET",
        );
    }
    let q = req.query_params();
    if let Some(dup) = duplicated(&q) {
        return bad(
            "invalid_request",
            &format!("Parameter \"{dup}\" is included more than once"),
        );
    }
    // RFC 6749 §4.1.2.1: client_id / redirect_uri problems are shown, never redirected.
    let Some(client_id) = first(&q, "client_id").filter(|c| !c.is_empty()) else {
        return bad("invalid_request", "No client id supplied");
    };
    if client_id != st.config.client_id {
        // The document's table: unauthorized_client = 客户端未注册.
        return bad("unauthorized_client", "The client id supplied is invalid");
    }
    let Some(redirect_uri) = first(&q, "redirect_uri").filter(|r| !r.is_empty()) else {
        return bad("invalid_request", "No redirect URI was supplied");
    };
    if !st.config.redirect_uris.iter().any(|r| r == redirect_uri) || redirect_uri.contains('#') {
        return bad(
            "invalid_request",
            "The redirect URI provided does not match the one registered",
        );
    }
    let state = first(&q, "state");
    let mut ser = form_urlencoded::Serializer::new(String::new());
    match first(&q, "response_type") {
        // The fake auto-approves: the user "clicks 同意授权" immediately.
        Some("code") => {
            ser.append_pair("code", &st.mint_code(redirect_uri));
        }
        Some(_) => {
            ser.append_pair("error", "unsupported_response_type");
        }
        None => {
            ser.append_pair("error", "invalid_request");
        }
    }
    if let Some(s) = state {
        ser.append_pair("state", s);
    }
    let sep = if redirect_uri.contains('?') { '&' } else { '?' };
    let location = format!("{redirect_uri}{sep}{}", ser.finish());
    let mut resp = Response::new(axum::body::Body::empty());
    *resp.status_mut() = StatusCode::FOUND;
    if let Ok(v) = HeaderValue::from_str(&location) {
        resp.headers_mut().insert(header::LOCATION, v);
    }
    resp
}

/// `{"code":-1,...}` 401 bodies, verbatim from the document.
fn unauthorized(message: &str) -> Response {
    let mut resp = json_response(
        StatusCode::UNAUTHORIZED,
        json!({ "code": -1, "message": message, "data": null }),
    );
    resp.headers_mut()
        .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    resp
}

/// Assumption: the document only says "other negative codes are business errors"; we use -2.
fn business_error(status: StatusCode, message: &str) -> Response {
    json_response(
        status,
        json!({ "code": -2, "message": message, "data": null }),
    )
}

fn business(st: &State, req: &Incoming) -> Response {
    if req.method != Method::GET && req.method != Method::POST {
        // Assumption: other verbs are refused with 405 in the business envelope.
        return business_error(StatusCode::METHOD_NOT_ALLOWED, "Method not allowed");
    }
    let Some(token) = bearer_token(req) else {
        return unauthorized("Missing or malformed Authorization header");
    };
    match lock(&st.tokens).get(&token) {
        None => return unauthorized("Invalid access token"),
        Some(exp) if Instant::now() >= *exp => return unauthorized("Access token expired"),
        Some(_) => {}
    }

    // PHP's $_REQUEST: query string, plus form fields of a urlencoded POST (assumption).
    let mut params = req.query_params();
    if req.method == Method::POST && req.content_type_is("application/x-www-form-urlencoded") {
        params.extend(parse_params(&req.body));
    }
    if let Some(day) = first(&params, "day")
        && !is_valid_ymd(day)
    {
        return business_error(StatusCode::BAD_REQUEST, "Invalid day, expected YYYY-MM-DD");
    }
    let page = match first(&params, "page") {
        None => 1,
        Some(p) => match p.parse::<usize>() {
            Ok(n) if n >= 1 => n,
            _ => return business_error(StatusCode::BAD_REQUEST, "page must be an integer >= 1"),
        },
    };
    let page_size = match first(&params, "page_size") {
        None => 20,
        Some(p) => match p.parse::<usize>() {
            Ok(n) if (1..=100).contains(&n) => n,
            _ => {
                return business_error(
                    StatusCode::BAD_REQUEST,
                    "page_size must be an integer between 1 and 100",
                );
            }
        },
    };

    // Assumption: `day` does not filter; every record of the fake belongs to any queried day.
    let (total, make): (usize, fn(usize) -> Value) = match req.path.as_str() {
        INVENTORY_PATH => (st.config.inventory_records, inventory_record),
        SORDER_PATH => (st.config.sorder_records, sorder_record),
        _ => (st.config.outbound_records, outbound_record),
    };
    let start = (page - 1).saturating_mul(page_size).min(total);
    let end = start.saturating_add(page_size).min(total);
    let list: Vec<Value> = (start..end).map(make).collect();
    json_response(
        StatusCode::OK,
        json!({
            "code": 0,
            "message": "ok",
            "data": {
                "list": list,
                "pagination": {
                    "page": page,
                    "page_size": page_size,
                    "total": total,
                    "total_pages": total.div_ceil(page_size),
                }
            }
        }),
    )
}

/// Amount in hundredths → "12.34".
fn money2(cents: u64) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}

/// Amount in hundredths → "12.34000000" (the document's 8-decimal style).
fn decimal8(cents: u64) -> String {
    format!("{}.{:02}000000", cents / 100, cents % 100)
}

const INVENTORY_SKUS: [&str; 3] = ["EB1446-NF", "P24490-LV-CP", "K-23796T-1-0"];

fn inventory_record(i: usize) -> Value {
    let sku = INVENTORY_SKUS
        .get(i)
        .map_or_else(|| format!("K-{}T-0", 20000 + i), |s| (*s).to_owned());
    json!({
        "organization_name": "科勒集团",
        "organization_code": "KL",
        "warehouse_id": "0001",
        "warehouse_name": "大库",
        "sku_id": sku,
        "inventory_cnt": decimal8(if i < 3 { 100 } else { (i as u64 % 50 + 1) * 100 }),
        "create_at": "2026-05-08",
        "update_at": "2026-05-08",
    })
}

/// (sku_id, product_type, quantity, unit price in hundredths) — the document's sorder lines.
const SORDER_LINES: [(&str, Option<&str>, u64, u64); 9] = [
    ("K-2215T-M-0", None, 11, 22000),
    ("K-20441T-0", None, 50, 31000),
    ("K-32787T-NA", None, 43, 66000),
    ("K-23056T-CP", None, 38, 116700),
    ("K-30764T-ST", None, 7, 60000),
    ("K-EX39738T-9WPL-RGD", Some("精选"), 1, 156600),
    ("K-11626T-2MB", Some("常规品"), 2, 10900),
    ("K-26340T-NA", Some("精选"), 2, 115800),
    ("K-11137T-0", Some("常规品"), 10, 116600),
];

/// The document's outbound lines.
const OUTBOUND_LINES: [(&str, Option<&str>, u64, u64); 18] = [
    ("K-32370T-0", None, 4, 264611),
    ("K-32372T-0", None, 2, 235839),
    ("K-33069T-4-CP", None, 5, 58140),
    ("K-31240T-4-CP", None, 6, 62124),
    ("K-2214T-0", Some("常规品"), 1, 31106),
    ("K-2215T-M-0", None, 4, 31106),
    ("K-76509K-0", None, 9, 67929),
    ("K-99742T-C9-CP", None, 6, 173060),
    ("K-21919T-2PD-NA", None, 2, 124761),
    ("K-31084T-2HD-UM1", None, 2, 124761),
    ("K-97830T-N-NA", None, 2, 119833),
    ("K-22867T-4-BL", None, 2, 90763),
    ("K-99175T-B4-CP", None, 3, 60212),
    ("K-30910T-S-0", None, 5, 124320),
    ("K-15847T-0", None, 2, 56848),
    ("K-17295T-0", None, 2, 17442),
    ("K-72292T-4-CP", None, 2, 131257),
    ("K-33092T-B9-CP", Some("常规品"), 4, 648000),
];

/// Record 0 carries all of the document's lines; later ones a rotating 1–3 line subset.
fn lines_for(
    i: usize,
    table: &'static [(&'static str, Option<&'static str>, u64, u64)],
) -> Vec<(&'static str, Option<&'static str>, u64, u64)> {
    if i == 0 {
        table.to_vec()
    } else {
        (0..1 + i % 3)
            .map(|k| table[(i + k) % table.len()])
            .collect()
    }
}

fn sorder_record(i: usize) -> Value {
    let billid = 10 + i as u64;
    let lines = lines_for(i, &SORDER_LINES);
    let total: u64 = lines.iter().map(|l| l.2 * l.3).sum();
    let products: Vec<Value> = lines
        .iter()
        .map(|&(sku, kind, n, price)| {
            json!({
                "billid": billid,
                "sku_id": sku,
                "product_type": kind,
                "number": decimal8(n * 100),
                "price": decimal8(price),
                // Sic: the document's `total` repeats the quantity.
                "total": decimal8(n * 100),
                "batch_sn": null,
            })
        })
        .collect();
    json!({
        "organization_name": "科勒",
        "billid": billid,
        "organization_code": "KL",
        "exhibition_hall_sn": "0003",
        "exhibition_hall_name": "业务",
        "order_sn": format!("SO-2026-05-{:05}", i + 1),
        "billdate": "2026-05-06 00:00:00",
        "create_at": "2026-05-08 14:30:08.573131",
        "order_type": "销售订单",
        "order_status": "审核",
        "updated_at": "2026-05-08 14:30:08",
        "follow_order_flag": null,
        "original_order_sn": null,
        "withdraw_order_flag": null,
        "withdraw_order_sn": null,
        "completed_at": "2026-05-08 14:30:08.573131",
        "total_amount": money2(total),
        "return_flag": null,
        "return_and_exchange_order_sn": null,
        "customer_type": null,
        "customer_code": "bjsjjygwzxgz",
        "receiver_sn": null,
        "receiver_province": null,
        // Sic: the document spells it `receiver_cit` for sales orders.
        "receiver_cit": null,
        "receiver_area": null,
        "order_channel_source": null,
        "salesperson_code": "03",
        "product_info": products,
    })
}

fn outbound_record(i: usize) -> Value {
    let billid = 11 + i as u64;
    let lines = lines_for(i, &OUTBOUND_LINES);
    // Record 0 keeps the document's stated total; others are the sum of their lines.
    let total = if i == 0 {
        31_588_000
    } else {
        lines.iter().map(|l| l.2 * l.3).sum()
    };
    let products: Vec<Value> = lines
        .iter()
        .map(|&(sku, kind, n, price)| {
            json!({
                "billid": billid,
                "sku_id": sku,
                "product_type": kind,
                "number": decimal8(n * 100),
                "price": decimal8(price),
                "total": decimal8(n * 100),
                "source_order_sn": null,
                "batch_sn": null,
            })
        })
        .collect();
    json!({
        "organization_name": "科勒",
        "organization_code": "KL",
        "exhibition_hall_sn": "0001",
        "exhibition_hall_name": "采购",
        "order_sn": format!("SS202604-{}", 1_007_788 + i),
        "billid": billid,
        "create_at": "2026-05-08 13:24:00.532481",
        "order_type": "销售单",
        "order_status": "审核",
        "updated_at": "2026-05-08 00:00:00",
        "follow_order_flag": null,
        "original_order_sn": null,
        "withdraw_order_flag": null,
        "withdraw_order_sn": null,
        "completed_at": "2026-04-29 00:00:00",
        "total_amount": money2(total),
        "return_flag": null,
        "return_and_exchange_order_sn": null,
        "delivery_at": "2026-04-29 00:00:00",
        "customer_type": null,
        "customer_code": "hfsjjybh",
        "receiver_sn": null,
        "receiver_province": null,
        "receiver_city": null,
        "receiver_area": null,
        "order_channel_source": null,
        "salesperson_code": "01",
        "product_info": products,
    })
}
