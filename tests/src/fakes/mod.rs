//! Strict local fakes of the five vendor APIs.
//!
//! Every fake is a single axum fallback handler that buffers the whole request, records it, and
//! dispatches by hand. Doing the routing ourselves (instead of axum routes/extractors) means no
//! input can ever produce axum's plain-text rejections: every answer is the vendor's own body.

pub mod erp;
pub mod jfwms;
pub mod niumall;
pub mod supercarrier8;
pub mod zhiyun;

use std::collections::BTreeMap;
use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Bytes;
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::{KeyInit, Mac};
use md5::Digest as _;
use serde_json::Value;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// One request exactly as a fake received it, for asserting what a client really sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedRequest {
    pub method: String,
    pub path: String,
    /// Raw query string without the `?` (still percent-encoded); `None` when absent.
    pub query: Option<String>,
    /// Lowercase header name → value; repeated headers are joined with `", "`.
    pub headers: BTreeMap<String, String>,
    pub body: Vec<u8>,
}

impl RecordedRequest {
    /// Header value by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(&name.to_ascii_lowercase())
            .map(String::as_str)
    }

    /// Decoded query pairs, in order.
    pub fn query_pairs(&self) -> Vec<(String, String)> {
        self.query
            .as_deref()
            .map(|q| parse_params(q.as_bytes()))
            .unwrap_or_default()
    }

    /// First decoded value of a query parameter.
    pub fn query_param(&self, name: &str) -> Option<String> {
        self.query_pairs()
            .into_iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v)
    }

    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// Body parsed as JSON, `None` if it is not JSON.
    pub fn body_json(&self) -> Option<Value> {
        serde_json::from_slice(&self.body).ok()
    }

    /// Body parsed as `application/x-www-form-urlencoded` pairs.
    pub fn form_pairs(&self) -> Vec<(String, String)> {
        parse_params(&self.body)
    }
}

/// A fully buffered request handed to a fake's dispatcher.
pub(crate) struct Incoming {
    pub method: Method,
    pub path: String,
    /// Raw query string ("" when absent).
    pub query: String,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Incoming {
    pub fn query_params(&self) -> Vec<(String, String)> {
        parse_params(self.query.as_bytes())
    }

    /// Header as text; absent or empty → `None`. Non-UTF-8 bytes are replaced (never a panic).
    pub fn header(&self, name: &str) -> Option<String> {
        let joined = self
            .headers
            .get_all(name)
            .iter()
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
            .collect::<Vec<_>>()
            .join(", ");
        (!joined.is_empty()).then_some(joined)
    }

    /// True when the media type (ignoring parameters such as charset) equals `essence`.
    pub fn content_type_is(&self, essence: &str) -> bool {
        self.header("content-type").is_some_and(|ct| {
            ct.split(';')
                .next()
                .is_some_and(|m| m.trim().eq_ignore_ascii_case(essence))
        })
    }
}

/// Request log shared by every fake.
#[derive(Default)]
pub(crate) struct RequestLog(Mutex<Vec<RecordedRequest>>);

impl RequestLog {
    pub fn snapshot(&self) -> Vec<RecordedRequest> {
        lock(&self.0).clone()
    }
    pub fn clear(&self) {
        lock(&self.0).clear();
    }
    fn push(&self, r: RecordedRequest) {
        lock(&self.0).push(r);
    }
}

/// Largest body a fake buffers; anything bigger is answered with the vendor's error body.
const BODY_LIMIT: usize = 8 * 1024 * 1024;

/// Buffers and records a request. `Err` carries the (recorded) request whose body could not be
/// read, so the caller can answer with its own error body.
pub(crate) async fn buffer(req: Request, log: &RequestLog) -> Result<Incoming, Incoming> {
    let (parts, body) = req.into_parts();
    let read = axum::body::to_bytes(body, BODY_LIMIT).await;
    let mut headers = BTreeMap::<String, String>::new();
    for (name, value) in &parts.headers {
        let v = String::from_utf8_lossy(value.as_bytes()).into_owned();
        headers
            .entry(name.as_str().to_owned())
            .and_modify(|e| {
                e.push_str(", ");
                e.push_str(&v);
            })
            .or_insert(v);
    }
    let incoming = Incoming {
        method: parts.method.clone(),
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().unwrap_or_default().to_owned(),
        headers: parts.headers,
        body: read.as_ref().cloned().unwrap_or_default(),
    };
    log.push(RecordedRequest {
        method: incoming.method.as_str().to_owned(),
        path: incoming.path.clone(),
        query: parts.uri.query().map(str::to_owned),
        headers,
        body: incoming.body.to_vec(),
    });
    if read.is_ok() {
        Ok(incoming)
    } else {
        Err(incoming)
    }
}

/// Owns the server task; dropping it stops accepting and gracefully closes open connections.
pub(crate) struct ServerGuard {
    shutdown: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
}

impl Drop for ServerGuard {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        // Aborting releases the listener at once; the graceful signal (above) reaches the
        // per-connection tasks through axum's own spawned watcher, so keep-alives close too.
        self.task.abort();
    }
}

/// Binds `127.0.0.1:0` and serves `router` on the current runtime.
pub(crate) async fn serve(router: Router) -> (String, ServerGuard) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind 127.0.0.1:0 for a fake server");
    let addr = listener
        .local_addr()
        .expect("local_addr of a bound listener");
    let (tx, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, router)
            .with_graceful_shutdown(async move {
                let _ = rx.await;
            })
            .await;
    });
    (
        format!("http://{addr}"),
        ServerGuard {
            shutdown: Some(tx),
            task,
        },
    )
}

/// Builds the router shared by all fakes: one fallback that hands every request to `handler`.
pub(crate) fn router<S, F, Fut>(state: Arc<S>, handler: F) -> Router
where
    S: Send + Sync + 'static,
    F: Fn(Arc<S>, Request) -> Fut + Clone + Send + Sync + 'static,
    Fut: std::future::Future<Output = Response> + Send + 'static,
{
    Router::new().fallback(move |req: Request| {
        let state = Arc::clone(&state);
        let handler = handler.clone();
        async move { handler(state, req).await }
    })
}

/// Poison-tolerant lock: a panicking test thread must not cascade into the fake.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Random lowercase hex of `len` chars (not cryptographic; fakes only need uniqueness).
pub(crate) fn random_hex(len: usize) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut out = String::with_capacity(len + 64);
    while out.len() < len {
        let mut h = RandomState::new().build_hasher();
        h.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
        h.write_u128(
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or_default(),
        );
        let seed = h.finish();
        out.push_str(&hex::encode(sha2::Sha256::digest(
            [
                seed.to_le_bytes(),
                COUNTER.load(Ordering::Relaxed).to_le_bytes(),
            ]
            .concat(),
        )));
    }
    out.truncate(len);
    out
}

pub(crate) fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or_default()
}

pub(crate) fn now_secs() -> u64 {
    now_ms() / 1000
}

/// (year, month, day, hour, minute, second) in UTC for a Unix timestamp.
pub(crate) fn civil(secs: u64) -> (i64, u32, u32, u32, u32, u32) {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Howard Hinnant's days→civil algorithm.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (
        y,
        m,
        d,
        (rem / 3600) as u32,
        (rem % 3600 / 60) as u32,
        (rem % 60) as u32,
    )
}

/// `2024-01-20T12:00:00Z`
pub(crate) fn iso8601_utc(secs: u64) -> String {
    let (y, mo, d, h, mi, s) = civil(secs);
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
}

/// Strict `YYYY-MM-DD` with a real calendar date.
pub(crate) fn is_valid_ymd(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let digits = |r: std::ops::Range<usize>| {
        b[r].iter().try_fold(0u32, |acc, c| {
            c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
        })
    };
    let (Some(y), Some(m), Some(d)) = (digits(0..4), digits(5..7), digits(8..10)) else {
        return false;
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let max = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=max).contains(&d)
}

/// Decodes `application/x-www-form-urlencoded` (also used for query strings).
pub(crate) fn parse_params(input: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(input).into_owned().collect()
}

pub(crate) fn first<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// First parameter whose name occurs more than once, if any.
pub(crate) fn duplicated(params: &[(String, String)]) -> Option<&str> {
    params
        .iter()
        .enumerate()
        .find(|(i, (k, _))| params[..*i].iter().any(|(p, _)| p == k))
        .map(|(_, (k, _))| k.as_str())
}

/// `Authorization: Basic …` → `None` when there is no Basic credential at all,
/// `Some(Err(()))` when it is present but undecodable, else `(user, password)`.
pub(crate) fn basic_credentials(req: &Incoming) -> Option<Result<(String, String), ()>> {
    let value = req.header("authorization")?;
    let (scheme, rest) = value.split_once(' ').unwrap_or((value.as_str(), ""));
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = BASE64
        .decode(rest.trim())
        .ok()
        .and_then(|b| String::from_utf8(b).ok());
    Some(match decoded.as_deref().and_then(|s| s.split_once(':')) {
        Some((u, p)) => Ok((u.to_owned(), p.to_owned())),
        None => Err(()),
    })
}

/// `Authorization: Bearer <token>` (scheme case-insensitive per RFC 7235, one space, no blanks
/// inside the token). `None` if missing or malformed.
pub(crate) fn bearer_token(req: &Incoming) -> Option<String> {
    let value = req.header("authorization")?;
    let (scheme, token) = value.split_once(' ')?;
    (scheme.eq_ignore_ascii_case("bearer")
        && !token.is_empty()
        && !token.chars().any(char::is_whitespace))
    .then(|| token.to_owned())
}

pub(crate) fn json_response(status: StatusCode, body: Value) -> Response {
    let mut resp = (status, axum::Json(body)).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json;charset=UTF-8"),
    );
    resp
}

pub(crate) fn md5_hex(data: &[u8]) -> String {
    hex::encode(md5::Md5::digest(data))
}

pub(crate) fn hmac_sha256_hex(key: &[u8], data: &[u8]) -> String {
    let mut mac = <hmac::Hmac<sha2::Sha256> as KeyInit>::new_from_slice(key)
        .expect("HMAC accepts keys of any length");
    mac.update(data);
    hex::encode(mac.finalize().into_bytes())
}

/// A JSON number that prints as an integer when it has no fraction (`25000`, not `25000.0`).
pub(crate) fn json_num(x: f64) -> Value {
    if x.fract() == 0.0 && x.abs() < 9.0e15 {
        Value::from(x as i64)
    } else {
        serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_and_dates() {
        assert_eq!(iso8601_utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso8601_utc(1_705_752_000), "2024-01-20T12:00:00Z");
        assert!(is_valid_ymd("2024-02-29"));
        assert!(!is_valid_ymd("2023-02-29"));
        assert!(!is_valid_ymd("2026-5-06"));
        assert!(!is_valid_ymd("2026-13-01"));
    }

    #[test]
    fn hex_is_random_and_sized() {
        let a = random_hex(40);
        assert_eq!(a.len(), 40);
        assert_ne!(a, random_hex(40));
        assert!(
            a.bytes()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        );
    }
}
