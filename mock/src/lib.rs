//! A strict mock server driven by a spec alone: no per-vendor code.
//!
//! It reads a spec through `codegen` (validated and lowered to the IR) and serves, on
//! `127.0.0.1`:
//!
//! - the token grants, with the spec's lifetimes, refresh tokens, authorization codes
//!   (`authorize` redirect), minimum interval between token requests and error bodies;
//! - every endpoint, checking each `auth.apply` step by recomputing it with the runtime's own
//!   value language ([`verify`]), then the parameters (required, unknown, types, bounds);
//! - the document's example answers where the spec has them, values synthesised from the
//!   response types otherwise.
//!
//! Refusals carry the document's error codes, chosen by class ([`codes`](crate::Problem)).
//!
//! ```no_run
//! # async fn demo() -> Result<(), spec_mock::MockError> {
//! let mock = spec_mock::MockServer::start(
//!     spec_mock::MockConfig::new("specs/erp.yaml")
//!         .credential("client_id", "id")
//!         .credential("client_secret", "secret"),
//! )
//! .await?;
//! let base = mock.base_url(); // give it to the client
//! mock.next("query_inventory").fail_with(-1); // the next accepted call gets -1
//! # Ok(()) }
//! ```

mod authorize;
mod codes;
mod control;
mod json_path;
mod params;
mod serve;
mod server;
mod spec;
mod synth;
mod tokens;
pub mod verify;
mod webhooks;

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use codegen::ir::Code;
use serde_json::Value as Json;
use tokio::sync::oneshot;

pub use codes::Problem;
pub use control::CONTROL_PREFIX;
pub use spec::grant_path;
pub use verify::Refusal;
pub use webhooks::{Tamper, WebhookDelivery, WebhookReport};

use server::Shared;
use spec::MockSpec;

/// Why the mock could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MockError {
    /// The spec does not load or validate (the rendered diagnostics).
    #[error("{0}")]
    Spec(String),
    /// Binding the port failed.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
}

/// How to start a mock.
#[derive(Clone)]
pub struct MockConfig {
    spec: PathBuf,
    port: u16,
    credentials: Vec<(String, String)>,
    pub(crate) tolerance: Duration,
    pub(crate) token_lifetime: Option<Duration>,
    pub(crate) total_pages: u32,
    pub(crate) limits: ServerLimits,
    pub(crate) webhook_receiver: Option<String>,
    pub(crate) webhook_signature_header: Option<String>,
}

/// How much the server keeps and how long it waits: the bounds that keep it alive under abuse.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ServerLimits {
    pub(crate) max_recorded_requests: usize,
    pub(crate) max_recorded_body: usize,
    pub(crate) max_body: usize,
    pub(crate) header_read_timeout: Duration,
    pub(crate) idle_timeout: Duration,
    pub(crate) max_connections: usize,
}

impl Default for ServerLimits {
    fn default() -> Self {
        ServerLimits {
            max_recorded_requests: 1000,
            max_recorded_body: 64 << 10,
            max_body: 8 << 20,
            header_read_timeout: Duration::from_secs(5),
            idle_timeout: Duration::from_secs(30),
            max_connections: 512,
        }
    }
}

impl fmt::Debug for MockConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MockConfig")
            .field("spec", &self.spec)
            .field("port", &self.port)
            .field(
                "credentials",
                &self.credentials.iter().map(|(k, _)| k).collect::<Vec<_>>(),
            )
            .field("tolerance", &self.tolerance)
            .finish_non_exhaustive()
    }
}

impl MockConfig {
    /// Serves `spec` on an ephemeral port with credentials from the spec's `env` variables,
    /// a 5-minute time window, the spec's token lifetimes and 3 pages per paginated list.
    pub fn new(spec: impl AsRef<Path>) -> Self {
        MockConfig {
            spec: spec.as_ref().to_path_buf(),
            port: 0,
            credentials: Vec::new(),
            tolerance: Duration::from_secs(300),
            token_lifetime: None,
            total_pages: 3,
            limits: ServerLimits::default(),
            webhook_receiver: None,
            webhook_signature_header: None,
        }
    }

    /// How many received requests are kept (default 1,000); older ones are dropped first.
    pub fn max_recorded_requests(mut self, n: usize) -> Self {
        self.limits.max_recorded_requests = n;
        self
    }

    /// How many bytes of each received body are kept in the record (default 64 KiB; the rest
    /// is dropped and the record marked truncated). Checks always see the whole body.
    pub fn max_recorded_body(mut self, bytes: usize) -> Self {
        self.limits.max_recorded_body = bytes;
        self
    }

    /// The largest request body read (default 8 MiB); a larger one is refused with 413.
    pub fn max_body(mut self, bytes: usize) -> Self {
        self.limits.max_body = bytes;
        self
    }

    /// How long a client has to send a request's headers (default 5 s); then the connection
    /// is closed.
    pub fn header_read_timeout(mut self, timeout: Duration) -> Self {
        self.limits.header_read_timeout = timeout;
        self
    }

    /// How long a connection may go without a byte in either direction outside a request
    /// being answered (default 30 s); then it is closed.
    pub fn idle_timeout(mut self, timeout: Duration) -> Self {
        self.limits.idle_timeout = timeout;
        self
    }

    /// How many connections are served at once (default 512). At the cap, the connection
    /// idle longest (no request in progress) is closed for the new one; when every connection
    /// is answering a request, the new one gets a 503 with an `x-mock-refusal` header.
    pub fn max_connections(mut self, n: usize) -> Self {
        self.limits.max_connections = n.max(1);
        self
    }

    /// Where `POST /__mock/webhooks/{kind}` delivers when the request names no receiver.
    pub fn webhook_receiver(mut self, url: &str) -> Self {
        self.webhook_receiver = Some(url.to_owned());
        self
    }

    /// The header webhook deliveries carry their signature in, when the spec does not say
    /// (`webhooks.signature.header`).
    pub fn webhook_signature_header(mut self, name: &str) -> Self {
        self.webhook_signature_header = Some(name.to_owned());
        self
    }

    /// The port (0: any free one).
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// Accepts `value` for the spec credential `name` instead of its `env` variable.
    pub fn credential(mut self, name: &str, value: &str) -> Self {
        self.credentials.push((name.to_owned(), value.to_owned()));
        self
    }

    /// How far a request's time may be from the mock's clock, and how long nonces are
    /// remembered.
    pub fn tolerance(mut self, window: Duration) -> Self {
        self.tolerance = window;
        self
    }

    /// Issues access tokens with this lifetime instead of the spec's.
    pub fn token_lifetime(mut self, lifetime: Duration) -> Self {
        self.token_lifetime = Some(lifetime);
        self
    }

    /// The page count paginated answers report.
    pub fn total_pages(mut self, pages: u32) -> Self {
        self.total_pages = pages;
        self
    }
}

/// The value a credential has when neither its `env` variable nor an override sets it.
pub fn default_credential(name: &str) -> String {
    format!("mock-{name}")
}

/// What a scripted call gets.
pub(crate) struct Script {
    pub(crate) delay: Option<Duration>,
    pub(crate) action: ScriptAction,
}

pub(crate) enum ScriptAction {
    Proceed,
    Respond(u16, Json),
    FailWith(Code),
    DropConnection,
}

/// A request the mock received, as it was sent. `Debug` shows no header, query or body
/// (they carry credentials and signatures).
#[derive(Clone)]
#[non_exhaustive]
pub struct ReceivedRequest {
    /// The endpoint (`method_name`), grant name or `authorize`; `None` for unknown paths.
    pub operation: Option<String>,
    pub method: String,
    pub path: String,
    /// Decoded query pairs.
    pub query: Vec<(String, String)>,
    /// The query string as received (percent-encoded; empty when there is none).
    pub raw_query: String,
    /// Lowercase header name → value.
    pub headers: BTreeMap<String, String>,
    /// The body as received, cut at the configured record limit (`max_recorded_body`).
    pub body: Vec<u8>,
    /// The body was longer than the record keeps.
    pub body_truncated: bool,
    /// The status answered; 0 when the connection was dropped.
    pub status: u16,
    /// The JSON body answered (`Null` when the connection was dropped).
    pub answer: Json,
}

impl fmt::Debug for ReceivedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReceivedRequest")
            .field("operation", &self.operation)
            .field("method", &self.method)
            .field("path", &self.path)
            .field("status", &self.status)
            .finish_non_exhaustive()
    }
}

impl ReceivedRequest {
    /// A header by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(&name.to_ascii_lowercase())
            .map(String::as_str)
    }

    /// The request's body as JSON, when it was JSON.
    pub fn body_json(&self) -> Option<Json> {
        serde_json::from_slice(&self.body).ok()
    }
}

/// A running mock. Stops when dropped.
pub struct MockServer {
    shared: Arc<Shared>,
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
}

impl fmt::Debug for MockServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MockServer")
            .field("base_url", &self.base_url())
            .finish_non_exhaustive()
    }
}

impl MockServer {
    /// Loads the spec and starts serving on 127.0.0.1 (inside the current tokio runtime).
    pub async fn start(config: MockConfig) -> Result<MockServer, MockError> {
        let spec = MockSpec::load(&config.spec).map_err(MockError::Spec)?;
        if let Some(path) = spec.paths().find(|p| control::is_control(p)) {
            return Err(MockError::Spec(format!(
                "{}: the spec serves `{path}`, inside the mock's control prefix {CONTROL_PREFIX}",
                config.spec.display()
            )));
        }
        let credentials = spec
            .api
            .credentials
            .iter()
            .map(|c| {
                let value = config
                    .credentials
                    .iter()
                    .find(|(k, _)| *k == c.name)
                    .map(|(_, v)| v.clone())
                    .or_else(|| c.env.as_ref().and_then(|e| std::env::var(e).ok()))
                    .unwrap_or_else(|| default_credential(&c.name));
                (c.name.clone(), value, c.secret)
            })
            .collect();
        let addr = SocketAddr::from(([127, 0, 0, 1], config.port));
        // A long accept queue: a burst of connections (1,000 at once) would otherwise overflow
        // the default and delay other clients by a SYN retransmission (1 s).
        let listener = tokio::net::TcpSocket::new_v4()
            .and_then(|socket| {
                socket.set_reuseaddr(true)?;
                socket.bind(addr)?;
                socket.listen(4096)
            })
            .map_err(|source| MockError::Bind { addr, source })?;
        let addr = listener
            .local_addr()
            .map_err(|source| MockError::Bind { addr, source })?;
        let redaction = control::Redaction::new(&spec);
        let shared = Arc::new(Shared {
            spec,
            credentials,
            config,
            redaction,
            replays: verify::ReplayGuard::default(),
            issued: Mutex::default(),
            scripts: Mutex::new(HashMap::new()),
            received: Mutex::default(),
        });
        let app = axum::Router::new()
            .fallback(server::handle)
            .with_state(shared.clone());
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(serve::serve(listener, app, shared.config.limits, stopped));
        Ok(MockServer {
            shared,
            addr,
            stop: Some(stop),
        })
    }

    /// The base URL to give a client: `http://127.0.0.1:PORT` plus the path of the spec's
    /// first environment (`/v1`).
    pub fn base_url(&self) -> String {
        format!("http://{}{}", self.addr, self.shared.spec.base_path)
    }

    /// The control surface's URL: `http://127.0.0.1:PORT/__mock` (see [`CONTROL_PREFIX`]).
    pub fn control_url(&self) -> String {
        format!("http://{}{CONTROL_PREFIX}", self.addr)
    }

    /// The address served.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The value the mock accepts for a spec credential.
    pub fn credential(&self, name: &str) -> Option<&str> {
        self.shared
            .credentials
            .iter()
            .find(|(n, _, _)| n == name)
            .map(|(_, v, _)| v.as_str())
    }

    /// One line per credential for a start banner: its name, its env variable and where the
    /// accepted value comes from. Never a secret's value.
    pub fn credential_lines(&self) -> Vec<String> {
        self.shared
            .spec
            .api
            .credentials
            .iter()
            .map(|c| {
                let env = c.env.as_deref().unwrap_or("-");
                let from_env = c.env.as_ref().is_some_and(|e| std::env::var(e).is_ok());
                let overridden = self
                    .shared
                    .config
                    .credentials
                    .iter()
                    .any(|(k, _)| *k == c.name);
                let value = match (c.secret, from_env) {
                    _ if overridden => "set by the configuration".to_owned(),
                    (_, true) => format!("from ${env}"),
                    (true, false) => {
                        format!("${env} unset: {} (secret)", default_credential(&c.name))
                    }
                    (false, false) => format!("${env} unset: {}", default_credential(&c.name)),
                };
                format!("credential {}: env {env}, {value}", c.name)
            })
            .collect()
    }

    /// The path (below the base URL) a grant is served at; for grants whose path the
    /// application configures, `/__mock/grants/<name>`.
    pub fn grant_path(&self, grant: &str) -> Option<String> {
        self.shared.grant_path(grant)
    }

    /// A fresh single-use authorization code, as the `authorize` step would issue
    /// (`POST /__mock/authorization-codes`).
    pub fn issue_authorization_code(&self) -> String {
        self.shared.issue_authorization_code()
    }

    /// Expires every access token issued so far (the next call is refused as an unknown
    /// token; refresh tokens stay valid). `POST /__mock/access-tokens/expire`.
    pub fn expire_access_tokens(&self) {
        self.shared.issued().expire_access_tokens();
    }

    /// Forgets every request, script, issued token and code and seen nonce
    /// (`POST /__mock/reset`).
    pub fn reset(&self) {
        self.shared.reset();
    }

    /// The operations a script can name: endpoints (`method_name`), grants and `authorize`
    /// (`GET /__mock/operations`).
    pub fn operations(&self) -> Vec<String> {
        self.shared.operation_names()
    }

    /// Scripts the next accepted call of `operation` (an endpoint's `method_name` or a grant
    /// name). Scripts queue in order, one per call (`POST /__mock/scripts/{operation}`).
    pub fn next(&self, operation: &str) -> NextCall {
        NextCall {
            shared: self.shared.clone(),
            operation: operation.to_owned(),
            delay: None,
        }
    }

    /// Sends a webhook delivery of `kind` to a receiver, signed per the spec (or tampered with
    /// on request), and reports the receiver's answer (`POST /__mock/webhooks/{kind}`).
    pub async fn send_webhook(
        &self,
        kind: &str,
        delivery: WebhookDelivery,
    ) -> Result<WebhookReport, String> {
        webhooks::send(&self.shared, kind, delivery).await
    }

    /// The requests received so far, in order (the most recent `max_recorded_requests`).
    pub fn received(&self) -> Vec<ReceivedRequest> {
        self.shared.received().iter().cloned().collect()
    }

    /// How many received requests were dropped from the record (oldest first) to keep it
    /// within `max_recorded_requests`.
    pub fn dropped_records(&self) -> u64 {
        self.shared.dropped_records()
    }

    /// The bodies answered to one operation's requests, in order.
    pub fn answers_for(&self, operation: &str) -> Vec<Json> {
        self.received_for(operation)
            .into_iter()
            .map(|r| r.answer)
            .collect()
    }

    /// The requests of one operation.
    pub fn received_for(&self, operation: &str) -> Vec<ReceivedRequest> {
        self.received()
            .into_iter()
            .filter(|r| r.operation.as_deref() == Some(operation))
            .collect()
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// A script for one call, built by [`MockServer::next`]. Nothing is scripted until one of the
/// finishing methods (`respond`, `respond_data`, `fail_with`, `drop_connection`, `proceed`)
/// is called. Scripts apply only to calls the mock accepts (valid auth and parameters).
#[must_use = "a script is queued only by respond, respond_data, fail_with, drop_connection or proceed"]
pub struct NextCall {
    shared: Arc<Shared>,
    operation: String,
    delay: Option<Duration>,
}

impl NextCall {
    /// Waits this long before answering.
    pub fn delay(mut self, delay: Duration) -> Self {
        self.delay = Some(delay);
        self
    }

    /// Answers 200 with this whole body.
    pub fn respond(self, body: Json) -> MockServerScripted {
        self.queue(ScriptAction::Respond(200, body))
    }

    /// Answers `status` with this whole body.
    pub fn respond_with(self, status: u16, body: Json) -> MockServerScripted {
        self.queue(ScriptAction::Respond(status, body))
    }

    /// Answers 200 with `data` in the spec's success envelope.
    pub fn respond_data(self, data: Json) -> MockServerScripted {
        let body = synth::wrap(&self.shared.spec.api, data);
        self.queue(ScriptAction::Respond(200, body))
    }

    /// Answers the document's error code `code` (an integer or a string code) in the spec's
    /// envelope; a code of an `http_status` table is answered as that HTTP status.
    pub fn fail_with(self, code: impl Into<CodeValue>) -> MockServerScripted {
        let code = match code.into() {
            CodeValue::Int(i) => Code::Int(i),
            CodeValue::Str(s) => Code::Str(s),
        };
        self.queue(ScriptAction::FailWith(code))
    }

    /// Closes the connection after the headers, before the body.
    pub fn drop_connection(self) -> MockServerScripted {
        self.queue(ScriptAction::DropConnection)
    }

    /// Answers as usual (after the delay).
    pub fn proceed(self) -> MockServerScripted {
        self.queue(ScriptAction::Proceed)
    }

    /// Queues through the same function as `POST /__mock/scripts/{operation}`. A script for
    /// an operation the spec does not have is logged and dropped (it could never be used).
    fn queue(self, action: ScriptAction) -> MockServerScripted {
        let script = Script {
            delay: self.delay,
            action,
        };
        if let Err(e) = self.shared.queue_script(&self.operation, script) {
            tracing::warn!(target: "spec_mock", "{e}");
        }
        MockServerScripted(())
    }
}

/// Proof that a script was queued.
#[derive(Debug)]
pub struct MockServerScripted(());

/// An error code as a caller writes it.
#[derive(Debug, Clone)]
pub enum CodeValue {
    Int(i64),
    Str(String),
}

impl From<i64> for CodeValue {
    fn from(i: i64) -> Self {
        CodeValue::Int(i)
    }
}

impl From<i32> for CodeValue {
    fn from(i: i32) -> Self {
        CodeValue::Int(i.into())
    }
}

impl From<&str> for CodeValue {
    fn from(s: &str) -> Self {
        CodeValue::Str(s.to_owned())
    }
}
