//! The one place requests are sent: URL, auth steps, token handling, timeouts, envelope
//! decoding, and the renew-and-retry-once rules.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use jiff::Timestamp;
use reqwest::header::AUTHORIZATION;
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;
use subtle::ConstantTimeEq;
use url::Url;

use super::auth::{self, Step};
use super::envelope::{EnvelopeSpec, Fields, Outcome, text_of};
use super::error::{ApiError, AuthError, Error, ErrorClass, RawBody, RawCode, VendorCode};
use super::secret::Redacted;
use super::token::{
    self, ClientAuth, Clock, Encoding, Grant, GrantRunner, MemoryTokenStore, TokenManager,
    TokenResponseSpec, TokenSpec, TokenState, TokenStore,
};
use super::transport::{self, Failure, OutBody, Outgoing, Received, UrlError};
use super::value::Scope;

pub use super::token::AuthorizeSpec;

/// How often a request rejected for its nonce or timestamp is re-signed and retried. A
/// vendor's short nonces (two digits) collide now and then under load; three fresh tries
/// make a surfaced collision a one-in-a-million event instead of one in a hundred.
pub const MAX_RESIGNS: u32 = 3;

/// Everything the runtime needs to know about one vendor API; generated from its spec.
#[derive(Clone, Debug)]
pub struct ApiSpec<C> {
    /// The response wrapper; `None`: the body is the payload.
    pub envelope: Option<EnvelopeSpec>,
    /// Added to every authenticated request, in order.
    pub steps: Vec<Step>,
    /// How tokens are obtained; `None`: credentials alone authenticate.
    pub token: Option<TokenSpec>,
    /// Plain `http://` to non-loopback hosts is allowed by default (the vendor offers no HTTPS).
    pub allow_plain_http: bool,
    /// Ties the spec to the vendor's code type; always `PhantomData`.
    pub(crate) _c: PhantomData<C>,
}

impl<C> ApiSpec<C> {
    /// The spec from its parts.
    pub fn new(
        envelope: Option<EnvelopeSpec>,
        steps: Vec<Step>,
        token: Option<TokenSpec>,
        allow_plain_http: bool,
    ) -> Self {
        ApiSpec {
            envelope,
            steps,
            token,
            allow_plain_http,
            _c: PhantomData,
        }
    }
}

#[derive(Clone)]
enum Credential {
    Plain(String),
    Secret(SecretString),
}

/// The values the application supplies (`client_id`, `client_secret`, ...). `Debug` redacts
/// secrets.
#[derive(Clone, Default)]
pub struct Credentials {
    values: BTreeMap<&'static str, Credential>,
}

impl Credentials {
    /// No credentials.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a non-secret value (an id).
    pub fn plain(mut self, name: &'static str, v: impl Into<String>) -> Self {
        self.values.insert(name, Credential::Plain(v.into()));
        self
    }

    /// Adds a secret value (never shown in `Debug` or errors).
    pub fn secret(mut self, name: &'static str, v: impl Into<String>) -> Self {
        self.values
            .insert(name, Credential::Secret(SecretString::from(v.into())));
        self
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(|c| match c {
            Credential::Plain(v) => v.as_str(),
            Credential::Secret(v) => v.expose_secret(),
        })
    }

    fn scope(&self) -> Scope {
        let mut scope = Scope::new();
        for (name, c) in &self.values {
            match c {
                Credential::Plain(v) => scope.set(*name, v.clone()),
                Credential::Secret(v) => scope.set_secret(*name, v.clone()),
            }
        }
        scope
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut m = f.debug_map();
        for (name, c) in &self.values {
            match c {
                Credential::Plain(v) => m.entry(name, v),
                Credential::Secret(_) => m.entry(name, &Redacted),
            };
        }
        m.finish()
    }
}

/// Configures an [`Engine`].
pub struct EngineBuilder<C> {
    spec: ApiSpec<C>,
    base_url: String,
    credentials: Credentials,
    allow_plain_http: Option<bool>,
    connect_timeout: Duration,
    timeout: Duration,
    grant_paths: Vec<(&'static str, String)>,
    store: Option<Arc<dyn TokenStore>>,
    min_token_interval: Option<Duration>,
    client_auth: Option<ClientAuth>,
    client: Option<reqwest::Client>,
}

impl<C> fmt::Debug for EngineBuilder<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EngineBuilder")
            .field("base_url", &self.base_url)
            .field("credentials", &self.credentials)
            .finish_non_exhaustive()
    }
}

impl<C: VendorCode> EngineBuilder<C> {
    /// Starts from the spec and the vendor's default base URL.
    pub fn new(spec: ApiSpec<C>, default_base_url: &'static str) -> Self {
        EngineBuilder {
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
        }
    }

    /// Another base URL (test environment, local fake); validated in [`build`](Self::build).
    pub fn base_url(mut self, url: &str) -> Self {
        url.clone_into(&mut self.base_url);
        self
    }

    /// The application's credentials.
    pub fn credentials(mut self, c: Credentials) -> Self {
        self.credentials = c;
        self
    }

    /// Explicitly allows (or forbids) plain `http://` to non-loopback hosts.
    pub fn allow_plain_http(mut self, yes: bool) -> Self {
        self.allow_plain_http = Some(yes);
        self
    }

    /// Connect timeout (default 10 s).
    pub fn connect_timeout(mut self, d: Duration) -> Self {
        self.connect_timeout = d;
        self
    }

    /// Total timeout per request, body included (default 30 s).
    pub fn timeout(mut self, d: Duration) -> Self {
        self.timeout = d;
        self
    }

    /// Path (or absolute URL) of a grant whose spec gives none.
    pub fn grant_path(mut self, grant: &'static str, path: &str) -> Self {
        self.grant_paths.push((grant, path.to_owned()));
        self
    }

    /// Where token state persists (default: memory).
    pub fn token_store(mut self, store: Arc<dyn TokenStore>) -> Self {
        self.store = Some(store);
        self
    }

    /// Minimum interval between token requests, overriding the spec's policy.
    pub fn min_token_interval(mut self, d: Duration) -> Self {
        self.min_token_interval = Some(d);
        self
    }

    /// How to present the client id and secret to grants that accept it (default: each
    /// grant's first, as the spec lists them).
    pub fn client_auth(mut self, method: ClientAuth) -> Self {
        self.client_auth = Some(method);
        self
    }

    /// A caller-provided client. It must have timeouts and should not follow redirects
    /// (`reqwest::redirect::Policy::none()`): custom auth headers survive cross-host redirects.
    pub fn http_client(mut self, c: reqwest::Client) -> Self {
        self.client = Some(c);
        self
    }

    /// Validates the configuration; fetches a token first when the spec asks for it.
    pub async fn build(self) -> Result<Engine<C>, Error<C>> {
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
        let client = match self.client {
            Some(c) => c,
            None => transport::default_client(self.connect_timeout, self.timeout)
                .map_err(|_| Error::Config("the HTTP client could not be built".into()))?,
        };
        let clock = token::system_clock();
        let grant_steps = match &self.spec.token {
            Some(t) => auth::token_free(&self.spec.steps, &t.token_vars()),
            None => self.spec.steps.clone(),
        };
        let fetch_on_start = self
            .spec
            .token
            .as_ref()
            .is_some_and(|t| t.policy.fetch_on_start && t.automatic.is_some());
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
                base,
                envelope: self.spec.envelope,
                steps: self.spec.steps,
                grant_steps,
                credentials: self.credentials,
                client_auth: self.client_auth,
                grant_urls,
                tokens,
                clock,
                _c: PhantomData,
            }),
        };
        if fetch_on_start && let Some(tm) = &engine.inner.tokens {
            tm.current(&*engine.inner).await?;
        }
        Ok(engine)
    }
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

/// A request body.
#[derive(Clone, Debug, Default)]
pub enum Body {
    /// No body.
    #[default]
    None,
    /// `application/json`.
    Json(serde_json::Value),
    /// `application/x-www-form-urlencoded`.
    Form(Vec<(String, String)>),
}

/// One API call, as generated code describes it.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Request {
    /// HTTP method.
    pub method: reqwest::Method,
    /// Path below the base URL (never another host); also `{path}` for signatures.
    pub path: Cow<'static, str>,
    /// Query parameters (auth parameters are appended after them).
    pub query: Vec<(&'static str, String)>,
    /// The body.
    pub body: Body,
    /// Whether the API's auth steps (and token) apply.
    pub authenticated: bool,
}

/// A configured client for one vendor API. Cheap to clone; clones share the token cache.
pub struct Engine<C> {
    inner: Arc<Inner<C>>,
}

impl<C> Clone for Engine<C> {
    fn clone(&self) -> Self {
        Engine {
            inner: self.inner.clone(),
        }
    }
}

impl<C> fmt::Debug for Engine<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Engine")
            .field("base_url", &self.inner.base.as_str())
            .field("credentials", &self.inner.credentials)
            .finish_non_exhaustive()
    }
}

struct Inner<C> {
    client: reqwest::Client,
    base: Url,
    envelope: Option<EnvelopeSpec>,
    steps: Vec<Step>,
    /// The steps that reference no token field, for grants with `send_auth_steps`.
    grant_steps: Vec<Step>,
    credentials: Credentials,
    client_auth: Option<ClientAuth>,
    grant_urls: Vec<(&'static str, Url)>,
    tokens: Option<TokenManager>,
    clock: Clock,
    _c: PhantomData<fn() -> C>,
}

impl<C: VendorCode> Engine<C> {
    /// Sends a request and decodes the envelope's data (or the whole body) as `T`.
    ///
    /// A rejected token (code class `RenewToken` or a `renew_on_http_status` status) is renewed
    /// and the request retried once; a `Resign` code (a nonce or timestamp the vendor rejected)
    /// is retried up to [`MAX_RESIGNS`] times with a fresh nonce and timestamp.
    pub async fn send<T: DeserializeOwned>(&self, req: Request) -> Result<T, Error<C>> {
        let inner = &*self.inner;
        let (mut renewed, mut resigns) = (false, 0);
        loop {
            let token = match (&inner.tokens, req.authenticated) {
                (Some(tm), true) => Some(tm.current(inner).await?),
                _ => None,
            };
            let received = inner.call(&req, token.as_ref()).await?;
            let err = match interpret::<T, C>(inner.envelope.as_ref(), &received) {
                Ok(v) => return Ok(v),
                Err(e) => e,
            };
            if let (Some(tm), Some(token)) = (&inner.tokens, &token)
                && !renewed
                && (err.class() == ErrorClass::RenewToken
                    || err
                        .http_status()
                        .is_some_and(|s| tm.spec().policy.renew_on_http_status.contains(&s)))
            {
                renewed = true;
                tm.renew(inner, token).await?;
                continue;
            }
            if req.authenticated && resigns < MAX_RESIGNS && err.class() == ErrorClass::Resign {
                resigns += 1;
                continue;
            }
            return Err(err);
        }
    }

    /// [`send`](Self::send) returning untyped JSON (for endpoints the spec only names).
    pub async fn send_raw(&self, req: Request) -> Result<serde_json::Value, Error<C>> {
        self.send(req).await
    }

    /// The browser URL that starts the authorization-code flow.
    pub fn authorize_url(&self, redirect_uri: &str, state: &str) -> Result<String, Error<C>> {
        let inner = &*self.inner;
        let authorize = inner
            .tokens
            .as_ref()
            .and_then(|t| t.spec().authorize.as_ref())
            .ok_or_else(|| not_configured("an authorization endpoint"))?;
        let mut url = transport::join(&inner.base, authorize.path).map_err(Error::Config)?;
        let mut scope = inner.credentials.scope();
        scope.set("redirect_uri", redirect_uri);
        scope.set("state", state);
        let now = (inner.clock)();
        let params = authorize
            .params
            .iter()
            .map(|(k, v)| Ok((*k, v.eval(&scope, now)?)))
            .collect::<Result<Vec<_>, super::value::EvalError>>()
            .map_err(|e| Error::Config(format!("authorize parameter: {e}")))?;
        if !params.is_empty() {
            url.query_pairs_mut().extend_pairs(params);
        }
        Ok(url.into())
    }

    /// Runs a grant with caller inputs (e.g. `authorization_code` with `code` and
    /// `redirect_uri`) and stores the resulting token state.
    pub async fn exchange(
        &self,
        grant: &'static str,
        inputs: &[(&'static str, &str)],
    ) -> Result<TokenState, Error<C>> {
        let inner = &*self.inner;
        let tm = inner
            .tokens
            .as_ref()
            .ok_or_else(|| not_configured("token grants"))?;
        let g = tm
            .spec()
            .grant(grant)
            .ok_or_else(|| Error::Config(format!("no grant `{grant}`")))?;
        if let Some(missing) = g
            .inputs
            .iter()
            .find(|i| !inputs.iter().any(|(k, _)| k == *i))
        {
            return Err(Error::InvalidRequest {
                field: missing,
                reason: "is required".into(),
            });
        }
        if let Some((unknown, _)) = inputs.iter().find(|(k, _)| !g.inputs.contains(k)) {
            return Err(Error::InvalidRequest {
                field: unknown,
                reason: format!("is not an input of grant `{grant}`"),
            });
        }
        tm.exchange(inner, g, inputs).await
    }

    /// The current token state (to persist it elsewhere).
    pub async fn token_state(&self) -> Option<TokenState> {
        match &self.inner.tokens {
            Some(tm) => tm.state().await,
            None => None,
        }
    }

    /// Replaces the token state (e.g. restored by the application); ignored without a token spec.
    pub async fn set_token_state(&self, s: TokenState) {
        if let Some(tm) = &self.inner.tokens {
            tm.set_state(s).await;
        }
    }
}

fn not_configured<C: VendorCode>(what: &str) -> Error<C> {
    AuthError::NotConfigured {
        what: format!("this API has no {what}"),
    }
    .into()
}

/// A random `state` for the authorization-code flow: 32 hex characters (128 bits).
pub fn new_state() -> String {
    let bytes: [u8; 16] = rand::random();
    hex::encode(bytes)
}

/// Compares the callback's `state` with the one sent, in constant time. An empty `expected`
/// never matches.
pub fn check_state(expected: &str, received: &str) -> Result<(), StateMismatch> {
    let same: bool = expected.as_bytes().ct_eq(received.as_bytes()).into();
    if same && !expected.is_empty() {
        Ok(())
    } else {
        Err(StateMismatch)
    }
}

/// The authorization callback's `state` differs from the one sent (possible CSRF). Converts
/// into [`AuthError::StateMismatch`] and [`Error`] with `?`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("authorization callback `state` does not match")]
pub struct StateMismatch;

impl<C: VendorCode> From<StateMismatch> for AuthError<C> {
    fn from(_: StateMismatch) -> Self {
        AuthError::StateMismatch
    }
}

impl<C: VendorCode> From<StateMismatch> for Error<C> {
    fn from(_: StateMismatch) -> Self {
        AuthError::StateMismatch.into()
    }
}

impl<C: VendorCode> Inner<C> {
    /// `base` + `path`, refusing a path that would leave the base URL's origin.
    fn endpoint(&self, path: &str) -> Result<Url, Error<C>> {
        let url = transport::join(&self.base, path).map_err(Error::Config)?;
        if url.origin() != self.base.origin() {
            return Err(Error::InvalidRequest {
                field: "path",
                reason: "leaves the base URL".into(),
            });
        }
        Ok(url)
    }

    fn scope(&self, method: &reqwest::Method, path: &str) -> Scope {
        let mut scope = self.credentials.scope();
        scope.set("method", method.as_str().to_ascii_lowercase());
        scope.set("path", path);
        scope
    }

    async fn call(&self, req: &Request, token: Option<&TokenState>) -> Result<Received, Error<C>> {
        let mut url = self.endpoint(&req.path)?;
        let mut query: Vec<(&str, String)> = req.query.clone();
        let mut headers = Vec::new();
        if req.authenticated {
            let mut scope = self.scope(&req.method, &req.path);
            if let Some(t) = token {
                scope.set_secret("access_token", t.access_token.clone());
                if let Some(r) = &t.refresh_token {
                    scope.set_secret("refresh_token", r.clone());
                }
                for (k, v) in &t.extra {
                    scope.set(k.clone(), v.clone());
                }
            }
            let applied = auth::apply(&self.steps, &mut scope, (self.clock)())
                .map_err(|e| Error::Config(e.to_string()))?;
            headers = applied.headers;
            query.extend(applied.query);
        }
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        let body = match &req.body {
            Body::None => OutBody::None,
            Body::Json(v) => {
                OutBody::Json(serde_json::to_vec(v).map_err(|e| Error::InvalidRequest {
                    field: "body",
                    reason: e.to_string(),
                })?)
            }
            Body::Form(pairs) => OutBody::Form(pairs.clone()),
        };
        let method = req.method.clone();
        let shown = transport::display_url(&url);
        transport::execute(
            &self.client,
            Outgoing {
                method,
                url,
                headers,
                body,
            },
        )
        .await
        .map_err(|f| {
            let method = req.method.to_string();
            match f {
                Failure::Transport(source) => Error::Transport {
                    method,
                    url: shown,
                    source,
                },
                Failure::Timeout => Error::Timeout { method, url: shown },
                Failure::TooLarge => Error::ResponseTooLarge {
                    method,
                    url: shown,
                    limit: transport::MAX_BODY,
                },
            }
        })
    }

    fn grant_url(&self, grant: &Grant) -> Result<&Url, Error<C>> {
        self.grant_urls
            .iter()
            .find(|(n, _)| *n == grant.name)
            .map(|(_, u)| u)
            .ok_or_else(|| {
                AuthError::NotConfigured {
                    what: format!(
                        "the path of grant `{}` (set it with EngineBuilder::grant_path)",
                        grant.name
                    ),
                }
                .into()
            })
    }

    fn credential(&self, name: &'static str) -> Result<&str, Error<C>> {
        self.credentials
            .get(name)
            .ok_or_else(|| Error::Config(format!("credential `{name}` is not set")))
    }
}

/// Decodes a recorded business response exactly as [`Engine::send`] does (envelope, error
/// codes, typed data), e.g. for a body received through another HTTP stack.
pub fn decode_response<T: DeserializeOwned, C: VendorCode>(
    envelope: Option<&EnvelopeSpec>,
    status: u16,
    body: &[u8],
) -> Result<T, Error<C>> {
    interpret(
        envelope,
        &Received {
            status,
            body: Bytes::copy_from_slice(body),
        },
    )
}

/// Decodes a recorded token-endpoint response exactly as the engine does, stamped with the
/// current time. Errors name the spec's automatic (else renewing, else first) grant.
pub fn decode_token_response<C: VendorCode>(
    spec: &ApiSpec<C>,
    status: u16,
    body: &[u8],
) -> Result<TokenState, Error<C>> {
    let token = spec
        .token
        .as_ref()
        .ok_or_else(|| not_configured::<C>("token spec"))?;
    let grant = token
        .automatic
        .or(token.refresh_with)
        .or_else(|| token.grants.first().map(|g| g.name))
        .unwrap_or("token");
    let received = Received {
        status,
        body: Bytes::copy_from_slice(body),
    };
    read_token(
        &token.response,
        spec.envelope.as_ref(),
        grant,
        &received,
        Timestamp::now(),
    )
}

/// Decodes a business response: the envelope's data (or the whole body) as `T`, else the error.
fn interpret<T: DeserializeOwned, C: VendorCode>(
    envelope: Option<&EnvelopeSpec>,
    r: &Received,
) -> Result<T, Error<C>> {
    let status = r.status;
    let decode = |what, data: &str| {
        serde_json::from_str(data).map_err(|source| Error::Decode {
            status,
            what,
            source,
            body: RawBody::new(r.body.clone()),
        })
    };
    let http_status = || Error::HttpStatus {
        status,
        body: RawBody::new(r.body.clone()),
    };
    let Some(envelope) = envelope else {
        if !r.is_success() {
            return Err(http_status());
        }
        // An empty 2xx body decodes as `null` (for `()` and `Option`).
        let text = std::str::from_utf8(&r.body).unwrap_or("\u{fffd}");
        let text = if text.trim().is_empty() { "null" } else { text };
        return decode("response body", text);
    };
    match envelope.decode(&r.body) {
        Ok(Outcome::Success(data)) if r.is_success() => decode("response data", data.get()),
        Ok(Outcome::Success(_)) => Err(http_status()),
        Ok(Outcome::Failure(f)) => Err(ApiError {
            status,
            code: super::error::resolve_code(f.raw_code.as_ref(), status),
            raw_code: f.raw_code,
            message: f.message,
            details: f.details,
            extra: f.extra,
            body: RawBody::new(r.body.clone()),
        }
        .into()),
        Err(source) if r.is_success() => Err(Error::Decode {
            status,
            what: "response envelope",
            source,
            body: RawBody::new(r.body.clone()),
        }),
        Err(_) => Err(http_status()),
    }
}

/// Reads a token response (see [`TokenResponseSpec`](super::TokenResponseSpec)).
fn read_token<C: VendorCode>(
    spec: &TokenResponseSpec,
    envelope: Option<&EnvelopeSpec>,
    grant: &'static str,
    r: &Received,
    now: Timestamp,
) -> Result<TokenState, Error<C>> {
    let status = r.status;
    let refused = |raw_code: Option<RawCode>, message: Option<String>| -> Error<C> {
        AuthError::TokenEndpoint {
            grant,
            status,
            code: (raw_code.is_some() || !(200..300).contains(&status))
                .then(|| super::error::resolve_code(raw_code.as_ref(), status)),
            raw_code,
            message,
            body: RawBody::new(r.body.clone()),
        }
        .into()
    };
    // The body may hold a token: reasons never quote it.
    let unusable = |reason: String| -> Error<C> {
        AuthError::Decode {
            grant,
            status,
            reason,
        }
        .into()
    };
    let payload: &[u8] = if spec.enveloped {
        let envelope = envelope.ok_or_else(|| {
            Error::Config("the token response is enveloped but the API has no envelope".into())
        })?;
        match envelope.decode(&r.body) {
            Ok(Outcome::Success(data)) if r.is_success() => data.get().as_bytes(),
            Ok(Outcome::Failure(f)) => return Err(refused(f.raw_code, f.message)),
            _ if !r.is_success() => return Err(refused(None, None)),
            _ => return Err(unusable("not the vendor's envelope".into())),
        }
    } else {
        &r.body
    };
    let fields = match Fields::parse(payload) {
        Ok(f) => f,
        Err(_) if !r.is_success() => return Err(refused(None, None)),
        Err(_) => return Err(unusable("not a JSON object".into())),
    };
    if !spec.enveloped
        && let Some((code_path, message_path)) = spec.error
        && let Some(code) = fields.get_present(code_path)
    {
        let raw = RawCode::from_json(code).unwrap_or_else(|| RawCode::Str(text_of(code)));
        return Err(refused(
            Some(raw),
            message_path
                .and_then(|p| fields.get_present(p))
                .map(text_of),
        ));
    }
    if !r.is_success() {
        return Err(refused(None, None));
    }
    let string_at = |path: &str| {
        fields
            .get_present(path)
            .and_then(|v| serde_json::from_str::<String>(v.get()).ok())
            .filter(|s| !s.is_empty())
    };
    let access_token = string_at(spec.access_token)
        .ok_or_else(|| unusable(format!("no access token at `{}`", spec.access_token)))?;
    let lifetime = match spec
        .expires_in
        .and_then(|p| fields.get_present(p).map(|v| (p, v)))
    {
        Some((path, v)) => Some(
            seconds(v).ok_or_else(|| unusable(format!("`{path}` is not a number of seconds")))?,
        ),
        None => spec.default_lifetime,
    };
    let refresh_token = spec.refresh_token.and_then(string_at);
    let refresh_expires_at = match (&refresh_token, spec.refresh_token_lifetime) {
        (Some(_), Some(l)) => Some(token::add(now, l)),
        _ => None,
    };
    let extra = spec
        .extra
        .iter()
        .filter_map(|(name, path)| Some(((*name).to_owned(), text_of(fields.get_present(path)?))))
        .collect();
    Ok(TokenState {
        access_token: access_token.into(),
        expires_at: lifetime.map(|l| token::add(now, l)),
        obtained_at: now,
        refresh_token: refresh_token.map(SecretString::from),
        refresh_expires_at,
        extra,
    })
}

/// A lifetime in seconds: a JSON number or numeric string; negative counts as zero.
fn seconds(v: &RawValue) -> Option<Duration> {
    let n: f64 = text_of(v).trim().parse().ok()?;
    if n.is_nan() {
        return None;
    }
    Duration::try_from_secs_f64(n.max(0.0)).ok()
}

impl<C: VendorCode> GrantRunner<C> for Inner<C> {
    async fn run_grant(
        &self,
        grant: &Grant,
        inputs: &[(&'static str, &str)],
        now: Timestamp,
    ) -> Result<TokenState, Error<C>> {
        let mut url = self.grant_url(grant)?.clone();
        let mut scope = self.scope(&grant.method, url.path());
        for (name, value) in inputs {
            scope.set_secret(*name, SecretString::from(*value));
        }
        let mut fields = grant
            .fields
            .iter()
            .map(|(k, v)| Ok(((*k).to_owned(), v.eval(&scope, now)?)))
            .collect::<Result<Vec<_>, super::value::EvalError>>()
            .map_err(|e| Error::Config(format!("grant `{}`: {e}", grant.name)))?;
        let mut headers = Vec::new();
        let client_auth = match self.client_auth {
            Some(m) if grant.client_auth.contains(&m) => Some(m),
            _ => grant.client_auth.first().copied(),
        };
        match client_auth {
            Some(ClientAuth::Form) => {
                for name in ["client_id", "client_secret"] {
                    if !fields.iter().any(|(k, _)| k == name) {
                        fields.push((name.to_owned(), self.credential(name)?.to_owned()));
                    }
                }
            }
            Some(ClientAuth::Basic) => {
                let basic = auth::basic_header(
                    self.credential("client_id")?,
                    self.credential("client_secret")?,
                );
                let value = auth::sensitive(&basic, "Authorization")
                    .map_err(|e| Error::Config(e.to_string()))?;
                headers.push((AUTHORIZATION, value));
            }
            None => {}
        }
        let steps: &[Step] = if grant.send_auth_steps {
            &self.grant_steps
        } else {
            &[]
        };
        let applied =
            auth::apply(steps, &mut scope, now).map_err(|e| Error::Config(e.to_string()))?;
        headers.extend(applied.headers);
        let mut query = applied
            .query
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect::<Vec<_>>();
        let body = match grant.encoding {
            Encoding::Form => OutBody::Form(fields),
            Encoding::Json => {
                let map: serde_json::Map<String, serde_json::Value> =
                    fields.into_iter().map(|(k, v)| (k, v.into())).collect();
                OutBody::Json(serde_json::to_vec(&map).map_err(|e| Error::Config(e.to_string()))?)
            }
            Encoding::Query => {
                query.extend(fields);
                OutBody::None
            }
        };
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        let shown = transport::display_url(&url);
        let out = Outgoing {
            method: grant.method.clone(),
            url,
            headers,
            body,
        };
        let received = transport::execute(&self.client, out)
            .await
            .map_err(|f| -> Error<C> {
                match f {
                    Failure::Transport(source) => AuthError::Transport {
                        grant: grant.name,
                        url: shown,
                        source,
                    }
                    .into(),
                    Failure::Timeout => AuthError::Timeout {
                        grant: grant.name,
                        url: shown,
                    }
                    .into(),
                    Failure::TooLarge => AuthError::Decode {
                        grant: grant.name,
                        status: 0,
                        reason: format!("response larger than {} bytes", transport::MAX_BODY),
                    }
                    .into(),
                }
            })?;
        let Some(tm) = &self.tokens else {
            return Err(not_configured("token spec"));
        };
        read_token(
            &tm.spec().response,
            self.envelope.as_ref(),
            grant.name,
            &received,
            now,
        )
    }
}

#[cfg(test)]
mod tests;
