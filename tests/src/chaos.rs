//! A misbehaving niumall server for the chaos suite: a login endpoint that always works (slowly)
//! and an order endpoint that, for a configurable share of requests, misbehaves in one of the
//! ways a bad day brings — connection reset before or after reading the request, 500, 503 with
//! `Retry-After`, 429, a body trickled out slower than the client waits, or silence.
//!
//! Hand-written over TCP (not axum): resets and silence need control of the socket. One request
//! per connection (`Connection: close`), so a fault never leaks into another request. Login has
//! its own listener ([`ChaosServer::login_url`]): faults are drawn before a request is read, so
//! they could not otherwise spare it.
//!
//! The server records every request it *read*, with the id the test put in it (the create
//! request's `delivery_address`, the list request's query): a non-idempotent request seen twice
//! means the client sent it twice.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// The login path on the login listener.
pub const LOGIN_PATH: &str = "/v1/auth/login";
/// The order list (GET) and order creation (POST).
pub const ORDERS_PATH: &str = "/v1/orders";

/// One way a request can go wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Fault {
    /// The connection is reset before the request is read.
    ResetBeforeRead,
    /// The request is read, then the connection is reset without an answer.
    ResetAfterRead,
    /// `500 Internal Server Error`.
    Status500,
    /// `503 Service Unavailable` with `Retry-After`.
    Status503RetryAfter,
    /// `429 Too Many Requests` without `Retry-After`.
    Status429,
    /// A 200 whose body trickles out over [`ChaosConfig::slow_body`].
    SlowBody,
    /// The request is read and never answered.
    Silent,
}

impl Fault {
    /// Every fault.
    pub const ALL: [Fault; 7] = [
        Fault::ResetBeforeRead,
        Fault::ResetAfterRead,
        Fault::Status500,
        Fault::Status503RetryAfter,
        Fault::Status429,
        Fault::SlowBody,
        Fault::Silent,
    ];
}

/// The fault mix.
#[derive(Clone, Debug)]
pub struct ChaosConfig {
    /// Share of order requests that get a fault (0.0–1.0).
    pub fault_rate: f64,
    /// The faults drawn from, uniformly.
    pub faults: Vec<Fault>,
    /// How long the login endpoint takes.
    pub login_delay: Duration,
    /// How long a slow body takes to arrive in full.
    pub slow_body: Duration,
    /// The `Retry-After` of a 503, in seconds.
    pub retry_after_secs: u64,
    /// Seeds the fault draws (in order of arrival).
    pub seed: u64,
}

impl Default for ChaosConfig {
    fn default() -> Self {
        ChaosConfig {
            fault_rate: 0.2,
            faults: Fault::ALL.to_vec(),
            login_delay: Duration::from_millis(100),
            slow_body: Duration::from_secs(3),
            retry_after_secs: 1,
            seed: 7,
        }
    }
}

/// A request the server read.
#[derive(Clone, Debug)]
pub struct Seen {
    pub method: String,
    pub path: String,
    /// The test's id for the call (see the module docs).
    pub id: Option<String>,
    /// The fault it got, if any.
    pub fault: Option<Fault>,
}

struct State {
    config: ChaosConfig,
    draws: AtomicU64,
    seen: Mutex<Vec<Seen>>,
    injected: Mutex<HashMap<Fault, usize>>,
    logins: AtomicUsize,
    logins_in_flight: AtomicUsize,
    max_logins_in_flight: AtomicUsize,
}

/// A running chaos server; stops when dropped.
pub struct ChaosServer {
    /// `http://127.0.0.1:PORT/v1`: the client's base URL (orders, with faults).
    pub base_url: String,
    /// The absolute login URL (its own listener, never faulty).
    pub login_url: String,
    state: Arc<State>,
    tasks: Vec<JoinHandle<()>>,
}

impl Drop for ChaosServer {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

async fn listen(state: &Arc<State>, login: bool) -> (String, JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a loopback port");
    let addr = listener.local_addr().expect("local address");
    let shared = state.clone();
    let task = tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let state = shared.clone();
            tokio::spawn(async move {
                let _ = if login {
                    serve_login(stream, &state).await
                } else {
                    serve_orders(stream, &state).await
                };
            });
        }
    });
    (format!("http://{addr}"), task)
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl ChaosServer {
    /// Starts the server on an ephemeral loopback port.
    pub async fn start(config: ChaosConfig) -> ChaosServer {
        let state = Arc::new(State {
            config,
            draws: AtomicU64::new(0),
            seen: Mutex::new(Vec::new()),
            injected: Mutex::new(HashMap::new()),
            logins: AtomicUsize::new(0),
            logins_in_flight: AtomicUsize::new(0),
            max_logins_in_flight: AtomicUsize::new(0),
        });
        let (orders, orders_task) = listen(&state, false).await;
        let (login, login_task) = listen(&state, true).await;
        ChaosServer {
            base_url: format!("{orders}/v1"),
            login_url: format!("{login}{LOGIN_PATH}"),
            state,
            tasks: vec![orders_task, login_task],
        }
    }

    /// Every request read so far.
    pub fn seen(&self) -> Vec<Seen> {
        lock(&self.state.seen).clone()
    }

    /// How many times each fault was injected (resets before reading included).
    pub fn injected(&self) -> HashMap<Fault, usize> {
        lock(&self.state.injected).clone()
    }

    /// Login requests received.
    pub fn logins(&self) -> usize {
        self.state.logins.load(Ordering::SeqCst)
    }

    /// The most login requests that were in flight at once.
    pub fn max_concurrent_logins(&self) -> usize {
        self.state.max_logins_in_flight.load(Ordering::SeqCst)
    }
}

impl State {
    /// The fault for the next order request, if any (splitmix64 over the arrival number).
    fn draw(&self) -> Option<Fault> {
        let n = self.draws.fetch_add(1, Ordering::SeqCst);
        let mut z = self
            .config
            .seed
            .wrapping_add(n.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        let unit = (z >> 11) as f64 / (1u64 << 53) as f64;
        if unit >= self.config.fault_rate || self.config.faults.is_empty() {
            return None;
        }
        let pick = ((unit / self.config.fault_rate) * self.config.faults.len() as f64) as usize;
        let fault = self.config.faults[pick.min(self.config.faults.len() - 1)];
        *lock(&self.injected).entry(fault).or_default() += 1;
        Some(fault)
    }
}

struct Parsed {
    method: String,
    path: String,
    query: String,
    body: Vec<u8>,
}

/// Reads one request (head and `Content-Length` body); `None` if the client went away.
async fn read_request(stream: &mut TcpStream) -> std::io::Result<Option<Parsed>> {
    let mut buf = Vec::new();
    let head_end = loop {
        let mut chunk = [0u8; 4096];
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Ok(None);
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        if buf.len() > 64 * 1024 {
            return Ok(None);
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next().unwrap_or_default().split(' ');
    let method = request_line.next().unwrap_or_default().to_owned();
    let target = request_line.next().unwrap_or_default().to_owned();
    let length: usize = lines
        .filter_map(|l| l.split_once(':'))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.trim().parse().ok())
        .unwrap_or(0);
    let mut body = buf[head_end..].to_vec();
    while body.len() < length {
        let mut chunk = [0u8; 4096];
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Ok(None);
        }
        body.extend_from_slice(&chunk[..n]);
    }
    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (p.to_owned(), q.to_owned()),
        None => (target, String::new()),
    };
    Ok(Some(Parsed {
        method,
        path,
        query,
        body,
    }))
}

/// Closes with RST instead of FIN.
fn reset(stream: TcpStream) {
    // Deprecated because a non-zero linger blocks the thread on drop; zero resets at once.
    #[allow(deprecated)]
    let _ = stream.set_linger(Some(Duration::ZERO));
    drop(stream);
}

fn response(status: &str, extra_headers: &str, body: &str) -> String {
    format!(
        "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n{extra_headers}\r\n{body}",
        body.len()
    )
}

const ORDER: &str = r#"{"success":true,"message":"创建成功","data":{"id":1,"order_no":"ORD20240120001","supplier_id":101,"supplier_name":"山东畜牧合作社","cattle_count":30,"total_weight":15000,"unit_price":28.5,"total_amount":427500,"status":"pending","created_at":"2024-01-20T10:00:00Z"}}"#;
const ORDERS: &str = r#"{"success":true,"message":"获取成功","data":{"orders":[],"pagination":{"current_page":1,"total_pages":1,"total_count":0}}}"#;
const LOGIN: &str = r#"{"success":true,"message":"登录成功","data":{"access_token":"chaos-access-token-0123456789","token_type":"Bearer","expires_in":3600,"user":{"id":1,"username":"admin","email":"admin@example.com","role":"admin"}}}"#;
const FAILURE: &str =
    r#"{"success":false,"error":{"code":"INTERNAL_ERROR","message":"服务器内部错误"}}"#;

async fn serve_orders(mut stream: TcpStream, state: &State) -> std::io::Result<()> {
    let fault = state.draw();
    if fault == Some(Fault::ResetBeforeRead) {
        reset(stream);
        return Ok(());
    }
    let Some(req) = read_request(&mut stream).await? else {
        return Ok(());
    };
    let id = if req.method == "POST" {
        serde_json::from_slice::<serde_json::Value>(&req.body)
            .ok()
            .and_then(|v| v["delivery_address"].as_str().map(str::to_owned))
    } else {
        Some(req.query.clone())
    };
    lock(&state.seen).push(Seen {
        method: req.method.clone(),
        path: req.path.clone(),
        id,
        fault,
    });
    let ok_body = match (req.method.as_str(), req.path.as_str()) {
        ("POST", ORDERS_PATH) => ORDER,
        ("GET", ORDERS_PATH) => ORDERS,
        _ => {
            let out = response("404 Not Found", "", FAILURE);
            return stream.write_all(out.as_bytes()).await;
        }
    };
    match fault {
        None | Some(Fault::ResetBeforeRead) => {
            stream
                .write_all(response("200 OK", "", ok_body).as_bytes())
                .await?;
        }
        Some(Fault::ResetAfterRead) => reset(stream),
        Some(Fault::Status500) => {
            let out = response("500 Internal Server Error", "", FAILURE);
            stream.write_all(out.as_bytes()).await?;
        }
        Some(Fault::Status503RetryAfter) => {
            let header = format!("retry-after: {}\r\n", state.config.retry_after_secs);
            let out = response("503 Service Unavailable", &header, FAILURE);
            stream.write_all(out.as_bytes()).await?;
        }
        Some(Fault::Status429) => {
            let out = response("429 Too Many Requests", "", FAILURE);
            stream.write_all(out.as_bytes()).await?;
        }
        Some(Fault::SlowBody) => {
            let full = response("200 OK", "", ok_body);
            let (head, body) = full.split_at(full.len() - ok_body.len());
            stream.write_all(head.as_bytes()).await?;
            let step = state.config.slow_body / ok_body.len().max(1) as u32;
            for byte in body.as_bytes() {
                tokio::time::sleep(step).await;
                stream.write_all(std::slice::from_ref(byte)).await?;
            }
        }
        Some(Fault::Silent) => {
            // Hold the connection until the client gives up (or a minute passes).
            let mut buf = [0u8; 64];
            let _ = tokio::time::timeout(Duration::from_secs(60), stream.read(&mut buf)).await;
        }
    }
    Ok(())
}

async fn serve_login(mut stream: TcpStream, state: &State) -> std::io::Result<()> {
    if read_request(&mut stream).await?.is_none() {
        return Ok(());
    }
    state.logins.fetch_add(1, Ordering::SeqCst);
    let now = state.logins_in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    state.max_logins_in_flight.fetch_max(now, Ordering::SeqCst);
    tokio::time::sleep(state.config.login_delay).await;
    state.logins_in_flight.fetch_sub(1, Ordering::SeqCst);
    stream
        .write_all(response("200 OK", "", LOGIN).as_bytes())
        .await
}
