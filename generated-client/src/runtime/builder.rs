//! The one client builder every generated client uses.
//!
//! A generated module names it `pub type ClientBuilder = rt::ClientBuilder<ErrorCode, Client>`,
//! so every option is written (and documented) once, here. An option added to
//! [`EngineBuilder`] is reachable from every vendor's client at once through
//! [`ClientBuilder::engine`], and gets its own method here without regenerating anything.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use super::engine::{Engine, EngineBuilder};
use super::error::{Error, VendorCode};
use super::retry::{RetryPolicy, RetryQuota};
use super::token::{ClientAuth, TokenStore};

/// Configures a vendor client `T`; start from the generated `Client::builder(credentials)`.
pub struct ClientBuilder<C, T> {
    engine: EngineBuilder<C>,
    make: fn(Engine<C>) -> T,
}

impl<C, T> fmt::Debug for ClientBuilder<C, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("engine", &self.engine)
            .finish_non_exhaustive()
    }
}

impl<C: VendorCode, T> ClientBuilder<C, T> {
    /// For generated code: the engine's configuration and how the vendor's client wraps it.
    pub fn new(engine: EngineBuilder<C>, make: fn(Engine<C>) -> T) -> Self {
        ClientBuilder { engine, make }
    }

    /// Any [`EngineBuilder`] option, including ones newer than the generated code.
    pub fn engine(mut self, configure: impl FnOnce(EngineBuilder<C>) -> EngineBuilder<C>) -> Self {
        self.engine = configure(self.engine);
        self
    }

    /// The base URL endpoint paths are appended to (default: the document's).
    pub fn base_url(self, url: &str) -> Self {
        self.engine(|e| e.base_url(url))
    }

    /// Whether credentials may travel over plain `http://` to a non-loopback host. The default
    /// is the spec's: no, unless the vendor offers nothing else (then the client's
    /// documentation says why).
    pub fn allow_plain_http(self, allow: bool) -> Self {
        self.engine(|e| e.allow_plain_http(allow))
    }

    /// Time allowed to establish a connection (default 10 s).
    pub fn connect_timeout(self, timeout: Duration) -> Self {
        self.engine(|e| e.connect_timeout(timeout))
    }

    /// Time allowed for a whole request, body included (default 30 s).
    pub fn timeout(self, timeout: Duration) -> Self {
        self.engine(|e| e.timeout(timeout))
    }

    /// Uses your own `reqwest::Client` (build it with timeouts and without redirects).
    pub fn http_client(self, client: reqwest::Client) -> Self {
        self.engine(|e| e.http_client(client))
    }

    /// Where token state (access token, refresh token, expiry, extras such as a user id) is
    /// kept across restarts. The default keeps it in memory. Unused by APIs without tokens.
    pub fn token_store(self, store: Arc<dyn TokenStore>) -> Self {
        self.engine(|e| e.token_store(store))
    }

    /// Never call the token endpoint more often than this (on top of the document's own limit).
    pub fn min_token_interval(self, interval: Duration) -> Self {
        self.engine(|e| e.min_token_interval(interval))
    }

    /// How the client id and secret are presented to token endpoints that accept several
    /// ways ([`ClientAuth::Form`] or [`ClientAuth::Basic`]; default: the spec's first).
    pub fn client_auth(self, method: ClientAuth) -> Self {
        self.engine(|e| e.client_auth(method))
    }

    /// The path (or absolute URL) of a token request whose path the document does not give;
    /// the client's documentation lists them. An unknown grant name fails [`build`](Self::build).
    pub fn grant_path(self, grant: &'static str, path: &str) -> Self {
        self.engine(|e| e.grant_path(grant, path))
    }

    /// How failed calls are retried (default [`RetryPolicy::standard`]: 3 attempts,
    /// exponential backoff with full jitter; [`RetryPolicy::disabled`] sends every call once).
    /// Only idempotent requests are retried after they may have reached the server.
    pub fn retry_policy(self, policy: RetryPolicy) -> Self {
        self.engine(|e| e.retry_policy(policy))
    }

    /// The client's retry quota, shared by its clones (default [`RetryQuota::standard`]:
    /// smithy-rs's token bucket, so an outage does not triple the load on the vendor;
    /// [`RetryQuota::unlimited`] turns it off). An empty quota fails a call after one attempt
    /// with [`Error::RetryQuotaExhausted`].
    pub fn retry_quota(self, quota: RetryQuota) -> Self {
        self.engine(|e| e.retry_quota(quota))
    }

    /// Sends every request through this proxy. Environment proxies (`HTTP_PROXY`, ...) are
    /// never used; a plain-HTTP proxy off loopback is refused like a plain-HTTP base URL.
    pub fn proxy(self, url: &str) -> Self {
        self.engine(|e| e.proxy(url))
    }

    /// The highest page number a `…_pages` stream fetches (default
    /// [`DEFAULT_MAX_PAGE`](super::paginate::DEFAULT_MAX_PAGE)); past it the stream ends with
    /// [`Error::Pagination`].
    pub fn max_page(self, page: i64) -> Self {
        self.engine(|e| e.max_page(page))
    }

    /// How long a call may take in all — token wait, attempts and backoff (default 60 s).
    /// A call still running then fails with [`Error::DeadlineExceeded`].
    pub fn deadline(self, deadline: Duration) -> Self {
        self.engine(|e| e.deadline(deadline))
    }

    /// Where the client reads the current time (default: the system clock); see
    /// [`EngineBuilder::time_source`].
    pub fn time_source(self, now: impl Fn() -> jiff::Timestamp + Send + Sync + 'static) -> Self {
        self.engine(|e| e.time_source(now))
    }

    /// Builds the client. Fails on a bad or insecure base URL, or when the spec's policy
    /// obtains a token at start-up and that fails.
    pub async fn build(self) -> Result<T, Error<C>> {
        Ok((self.make)(self.engine.build().await?))
    }
}
