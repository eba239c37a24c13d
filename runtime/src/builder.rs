//! The one client builder: every option a client has, written and documented once.
//!
//! A generated module names it `pub type ClientBuilder = rt::ClientBuilder<ErrorCode, Client>`
//! and starts it in `Client::builder`, so an option added here reaches every generated client
//! at once, without regenerating anything. Per-call settings are [`CallOptions`] (the
//! generated `Client::with_options`).

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use jiff::Timestamp;

use super::engine::{ApiSpec, CallOptions, Credentials, Engine};
use super::error::{Error, VendorCode};
use super::retry::{RetryPolicy, RetryQuota};
use super::token::{self, ClientAuth, TokenStore};
use super::transport;

/// Configures a vendor client `T`; start from the generated `Client::builder(credentials)`.
pub struct ClientBuilder<C, T> {
    pub(crate) spec: ApiSpec<C>,
    pub(crate) base_url: String,
    pub(crate) credentials: Credentials,
    pub(crate) allow_plain_http: Option<bool>,
    pub(crate) connect_timeout: Duration,
    pub(crate) timeout: Duration,
    pub(crate) grant_paths: Vec<(&'static str, String)>,
    pub(crate) store: Option<Arc<dyn TokenStore>>,
    pub(crate) min_token_interval: Option<Duration>,
    pub(crate) client_auth: Option<ClientAuth>,
    pub(crate) client: Option<reqwest::Client>,
    pub(crate) options: CallOptions,
    pub(crate) vendor: &'static str,
    pub(crate) time_source: Option<token::Clock>,
    pub(crate) retry_quota: RetryQuota,
    pub(crate) proxy: Option<String>,
    pub(crate) max_page: i64,
    make: fn(Engine<C>) -> T,
}

/// A builder of a bare [`Engine`], without a generated client around it (the runtime's and
/// the workspace's own tests).
#[doc(hidden)]
pub type EngineBuilder<C> = ClientBuilder<C, Engine<C>>;

impl<C: VendorCode> EngineBuilder<C> {
    /// A builder whose `build` returns the engine itself.
    pub fn engine(spec: ApiSpec<C>, default_base_url: &'static str) -> Self {
        ClientBuilder::new(spec, default_base_url, |engine| engine)
    }
}

impl<C, T> fmt::Debug for ClientBuilder<C, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("vendor", &self.vendor)
            .field("base_url", &self.base_url)
            .field("credentials", &self.credentials)
            .finish_non_exhaustive()
    }
}

impl<C: VendorCode, T> ClientBuilder<C, T> {
    /// For generated code: the API as data, the document's default base URL, and how the
    /// vendor's client wraps the engine. Installs the ring TLS provider as the process default
    /// unless one is installed, so that a `reqwest::Client` the application builds for
    /// [`http_client`](Self::http_client) finds one.
    #[doc(hidden)]
    pub fn new(spec: ApiSpec<C>, default_base_url: &'static str, make: fn(Engine<C>) -> T) -> Self {
        transport::install_crypto_provider();
        ClientBuilder {
            spec,
            base_url: default_base_url.to_owned(),
            credentials: Credentials::new(),
            allow_plain_http: None,
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(30),
            grant_paths: Vec::new(),
            store: None,
            min_token_interval: None,
            client_auth: None,
            client: None,
            options: CallOptions::default(),
            vendor: "api",
            time_source: None,
            retry_quota: RetryQuota::standard(),
            proxy: None,
            max_page: super::paginate::DEFAULT_MAX_PAGE,
            make,
        }
    }

    /// For generated code: the application's credentials, as the generated `Credentials`
    /// hands them over.
    #[doc(hidden)]
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = credentials;
        self
    }

    /// For generated code: the vendor's name in traces (the module's name).
    #[doc(hidden)]
    pub fn vendor(mut self, name: &'static str) -> Self {
        self.vendor = name;
        self
    }

    /// This configuration without the client around it: a bare engine's builder, for requests
    /// the generated client does not make (the workspace's tests).
    #[doc(hidden)]
    pub fn into_engine_builder(self) -> EngineBuilder<C> {
        ClientBuilder {
            spec: self.spec,
            base_url: self.base_url,
            credentials: self.credentials,
            allow_plain_http: self.allow_plain_http,
            connect_timeout: self.connect_timeout,
            timeout: self.timeout,
            grant_paths: self.grant_paths,
            store: self.store,
            min_token_interval: self.min_token_interval,
            client_auth: self.client_auth,
            client: self.client,
            options: self.options,
            vendor: self.vendor,
            time_source: self.time_source,
            retry_quota: self.retry_quota,
            proxy: self.proxy,
            max_page: self.max_page,
            make: |engine| engine,
        }
    }

    /// The base URL endpoint paths are appended to (default: the document's); a test
    /// environment or a local fake. Validated in [`build`](Self::build).
    pub fn base_url(mut self, url: &str) -> Self {
        url.clone_into(&mut self.base_url);
        self
    }

    /// Whether credentials may travel over plain `http://` to a non-loopback host. The default
    /// is the spec's: no, unless the vendor offers nothing else (then the client's
    /// documentation says why).
    pub fn allow_plain_http(mut self, allow: bool) -> Self {
        self.allow_plain_http = Some(allow);
        self
    }

    /// Time allowed to establish a connection (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Time allowed for one request, body included (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Uses your own `reqwest::Client`. It must have timeouts and should not follow redirects
    /// (`reqwest::redirect::Policy::none()`): custom auth headers survive cross-host
    /// redirects. Its proxy settings are its own: the plain-HTTP rule cannot see them.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.client = Some(client);
        self
    }

    /// Where token state (access token, refresh token, expiry, extras such as a user id) is
    /// kept across restarts and shared between processes. The default keeps it in memory.
    /// Unused by APIs without tokens.
    pub fn token_store(mut self, store: Arc<dyn TokenStore>) -> Self {
        self.store = Some(store);
        self
    }

    /// Never call the token endpoint more often than this, overriding the spec's policy.
    pub fn min_token_interval(mut self, interval: Duration) -> Self {
        self.min_token_interval = Some(interval);
        self
    }

    /// How the client id and secret are presented to token endpoints that accept several
    /// ways ([`ClientAuth::Form`] or [`ClientAuth::Basic`]; default: the spec's first). A way
    /// no grant accepts fails [`build`](Self::build).
    pub fn client_auth(mut self, method: ClientAuth) -> Self {
        self.client_auth = Some(method);
        self
    }

    /// The path (or absolute URL) of a token request whose path the document does not give;
    /// the client's documentation lists them. An unknown grant name fails [`build`](Self::build).
    pub fn grant_path(mut self, grant: &'static str, path: &str) -> Self {
        self.grant_paths.push((grant, path.to_owned()));
        self
    }

    /// How failed calls are retried (default [`RetryPolicy::standard`]: 3 attempts,
    /// exponential backoff with full jitter; [`RetryPolicy::disabled`] sends every call once).
    /// Only idempotent requests are retried after they may have reached the server. Per call:
    /// [`CallOptions::retry`].
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.options.retry = policy;
        self
    }

    /// The client's retry quota, shared by its clones (default [`RetryQuota::standard`]:
    /// smithy-rs's token bucket, so an outage does not triple the load on the vendor;
    /// [`RetryQuota::unlimited`] turns it off). An empty quota fails a call after one attempt
    /// with [`Error::RetryQuotaExhausted`].
    pub fn retry_quota(mut self, quota: RetryQuota) -> Self {
        self.retry_quota = quota;
        self
    }

    /// Sends every request through this proxy (`http://host:port`, `https://…`,
    /// `socks5://…`). Proxies from the environment (`HTTP_PROXY`, `HTTPS_PROXY`, `ALL_PROXY`)
    /// are never used: a proxy the application did not choose would see plain-HTTP requests,
    /// credentials included. A proxy reached over plain HTTP carries plain-HTTP requests in
    /// clear, so it is held to the base URL's rule: loopback, or `allow_plain_http`.
    pub fn proxy(mut self, url: &str) -> Self {
        self.proxy = Some(url.to_owned());
        self
    }

    /// The highest page number a `…_pages` stream fetches (default 10,000: far beyond any
    /// listing the documents describe); past it the stream ends with [`Error::Pagination`].
    pub fn max_page(mut self, page: i64) -> Self {
        self.max_page = page;
        self
    }

    /// How long a call may take in all: waiting for a token, every attempt and the waits
    /// between them (default 60 s). A call still running then fails with
    /// [`Error::DeadlineExceeded`]. Per call: [`CallOptions::deadline`].
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.options.deadline = deadline;
        self
    }

    /// Where the client reads the current time (default: the system clock): timestamps and
    /// formatted times in signatures, token lifetimes. For tests and replays of a recorded
    /// request (as the AWS SDK's `time_source`); a wrong clock makes vendors refuse requests.
    pub fn time_source(mut self, now: impl Fn() -> Timestamp + Send + Sync + 'static) -> Self {
        self.time_source = Some(Arc::new(now));
        self
    }

    /// Builds the client. Fails on a bad or insecure base URL, a proxy or grant path that
    /// breaks the same rules, or when the spec's policy obtains a token at start-up and that
    /// fails.
    pub async fn build(self) -> Result<T, Error<C>> {
        let make = self.make;
        Ok(make(self.build_engine().await?))
    }
}
