//! The one client builder: every option a client has, written and documented once.
//!
//! A generated module names it `pub type ClientBuilder = rt::ClientBuilder<ErrorCode, Client>`
//! and starts it in `Client::builder`, so an option added here reaches every generated client
//! at once, without regenerating anything. Per-call settings are [`CallOptions`] (the
//! generated `Client::with_options`). `build` validates the configuration and assembles the
//! engine, so an option's setter and its effect on the client live here together.

use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

use jiff::Timestamp;
use tokio::time::Instant;
use url::Url;

use super::engine::{ApiSpec, CallOptions, Credentials, Engine, Inner, base_scope};
use super::error::{AuthError, Error, ErrorClass, VendorCode};
use super::retry::{QuotaBucket, RetryPolicy, RetryQuota};
use super::token::{self, ClientAuth, MemoryTokenStore, TokenManager, TokenStore};
use super::transport::{self, UrlError};

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

    /// Time allowed for one request, body included (default 30 s). Applies also with a client
    /// given by [`http_client`](Self::http_client).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Uses your own `reqwest::Client`. It should have a connect timeout (each request's
    /// own limit, [`timeout`](Self::timeout), is applied by the client either way) and
    /// should not follow redirects (`reqwest::redirect::Policy::none()`): custom auth headers
    /// survive cross-host redirects. Its proxy settings are its own: the plain-HTTP rule
    /// cannot see them.
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

impl<C: VendorCode, T> ClientBuilder<C, T> {
    /// Validates the configuration and makes the engine; fetches a token first when the
    /// spec asks for it.
    pub(crate) async fn build_engine(self) -> Result<Engine<C>, Error<C>> {
        let allow_plain_http = self.allow_plain_http.unwrap_or(self.spec.allow_plain_http);
        let base = checked(&self.base_url, allow_plain_http)?;
        let mut grant_urls = Vec::new();
        if let Some(spec) = &self.spec.token {
            for (grant, path) in &self.grant_paths {
                if spec.grant(grant).is_none() {
                    return Err(Error::Config(format!("grant_path: no grant `{grant}`")));
                }
                grant_urls.push((*grant, endpoint_url(&base, path, allow_plain_http)?));
            }
            for g in &spec.grants {
                if let Some(path) = g.path
                    && !grant_urls.iter().any(|(name, _)| *name == g.name)
                {
                    grant_urls.push((g.name, endpoint_url(&base, path, allow_plain_http)?));
                }
            }
            if let Some(m) = self.client_auth
                && !spec.grants.iter().any(|g| g.client_auth.contains(&m))
            {
                return Err(Error::Config(format!("no grant accepts client auth {m:?}")));
            }
        } else if let Some((grant, _)) = self.grant_paths.first() {
            return Err(Error::Config(format!(
                "grant_path: no grant `{grant}` (no token spec)"
            )));
        }
        let proxy = match &self.proxy {
            Some(raw) => Some(proxy(raw, &base, allow_plain_http)?),
            None => None,
        };
        let client = match self.client {
            Some(c) => c,
            None => transport::safe_client(self.connect_timeout, proxy)
                .build()
                .map_err(|_| Error::Config("the HTTP client could not be built".into()))?,
        };
        let clock = self.time_source.unwrap_or_else(token::system_clock);
        let grant_steps = match &self.spec.token {
            Some(t) => spec_lang::token_free(&self.spec.steps, &t.token_vars())
                .into_iter()
                .map(|(_, step)| step.clone())
                .collect(),
            None => self.spec.steps.clone(),
        };
        let fetch_on_start = self
            .spec
            .token
            .as_ref()
            .is_some_and(|t| t.policy.fetch_on_start && t.automatic.is_some());
        let configured_store = self.store.is_some();
        let tokens = self.spec.token.map(|spec| {
            let store = self
                .store
                .unwrap_or_else(|| Arc::new(MemoryTokenStore::default()));
            let mut tm = TokenManager::new(spec, store, clock.clone());
            if let Some(d) = self.min_token_interval {
                tm.set_min_interval(d);
            }
            tm
        });
        let engine = Engine {
            inner: Arc::new(Inner {
                client,
                base_scope: Arc::new(base_scope(&self.credentials, &base)),
                endpoints: Default::default(),
                attempt_timeout: self.timeout,
                base,
                envelope: self.spec.envelope,
                steps: self.spec.steps,
                grant_steps,
                credentials: self.credentials,
                client_auth: self.client_auth,
                grant_urls,
                tokens,
                clock,
                vendor: self.vendor,
                quota: QuotaBucket::new(self.retry_quota),
                max_page: self.max_page,
                _c: PhantomData,
            }),
            options: self.options,
        };
        if fetch_on_start && let Some(tm) = &engine.inner.tokens {
            let deadline = Some(Instant::now() + engine.options.deadline);
            tm.current(&engine.inner, deadline)
                .await
                .map_err(|e: Error<C>| match e {
                    // Replicas started together without a shared store each ask for a token;
                    // the vendor refuses all but one. Say so, keeping the typed refusal.
                    Error::Auth(refusal)
                        if !configured_store
                            && is_rate_limited_refusal(&refusal)
                            && matches!(*refusal, AuthError::TokenEndpoint { .. }) =>
                    {
                        AuthError::NoSharedStore { refusal }.into()
                    }
                    other => other,
                })?;
        }
        Ok(engine)
    }
}

/// An explicit proxy: a valid URL; plain HTTP to it only when plain-HTTP requests to the
/// base URL could not leak through it (an `https` base is tunnelled) or the proxy is
/// loopback, or plain HTTP is allowed.
fn proxy<C: VendorCode>(
    raw: &str,
    base: &Url,
    allow_plain_http: bool,
) -> Result<reqwest::Proxy, Error<C>> {
    let url = Url::parse(raw).map_err(|e| Error::Config(format!("proxy: not a valid URL: {e}")))?;
    let shown = transport::display_url(&url);
    let clear = url.scheme() == "http" && base.scheme() == "http";
    if clear && !allow_plain_http && !transport::is_loopback(&url) {
        return Err(Error::InsecureUrl { url: shown });
    }
    reqwest::Proxy::all(url.as_str())
        .map_err(|_| Error::Config(format!("proxy `{shown}` is not usable")))
}

fn is_rate_limited_refusal<C: VendorCode>(refusal: &AuthError<C>) -> bool {
    matches!(refusal, AuthError::TokenEndpoint { code: Some(code), .. } if code.class() == ErrorClass::RateLimited)
}

fn checked<C: VendorCode>(raw: &str, allow_plain_http: bool) -> Result<Url, Error<C>> {
    transport::check_url(raw, allow_plain_http).map_err(|e| match e {
        UrlError::Invalid(m) => Error::Config(format!("base URL {m}")),
        UrlError::Insecure(url) => Error::InsecureUrl { url },
    })
}

/// A path below the base URL, or an absolute URL held to the same rules as the base.
fn endpoint_url<C: VendorCode>(
    base: &Url,
    path: &str,
    allow_plain_http: bool,
) -> Result<Url, Error<C>> {
    if path.starts_with("http://") || path.starts_with("https://") {
        return checked(path, allow_plain_http);
    }
    transport::join(base, path).map_err(Error::Config)
}
