//! The one place requests are sent: the builder, and the call loop — token, attempt,
//! interpretation, renew-once, retries as the [`RetryPolicy`] decides — under the call's
//! deadline. One attempt is in `send`, response decoding in `interpret`, token requests in
//! `grant`, a call's trace span and attempt record in `call`.

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

use super::auth::{self, Message, MessageBody};
use super::envelope::{EnvelopeSpec, Fields, Outcome, text_of};
use super::error::{
    ApiError, AuthError, Error, ErrorClass, QuotaExhausted, RawBody, RawCode, VendorCode,
};
use super::secret::Redacted;
use super::token::{
    self, ClientAuth, Clock, Encoding, Grant, GrantRunner, TokenManager, TokenResponseSpec,
    TokenSpec, TokenState,
};
use super::transport::{self, Failure, Outgoing, Received};
use spec_lang::Scope;
use spec_lang::Step;

pub use grant::decode_token_response;
pub use interpret::decode_response;

use interpret::interpret_with;

/// A response decoder (see `interpret::Decoder`) a call's future can hold across awaits.
type SendDecoder<'a> = dyn FnMut(&str) -> Result<(), serde_json::Error> + Send + 'a;

use call::{AttemptLog, Phase};
use tokio::time::Instant;
use tracing::Instrument;

use super::retry::{self, Failed, QuotaBucket, RetryPolicy, Spent};

mod call;
mod grant;
mod interpret;
mod send;

pub use super::retry::MAX_RESIGNS;

/// How long a call may take in all (token wait, attempts, backoff) unless configured otherwise:
/// two full attempts at the default 30 s attempt timeout.
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(60);

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
}

/// The variables fixed for a client: its credentials and the base URL's `host` (with the
/// port when it has one). Request scopes lie [`over`](Scope::over) it.
pub(crate) fn base_scope(credentials: &Credentials, base: &Url) -> Scope {
    let mut scope = Scope::new();
    for (name, c) in &credentials.values {
        match c {
            Credential::Plain(v) => scope.set(*name, v.clone()),
            Credential::Secret(v) => scope.set_secret(*name, v.clone()),
        }
    }
    if let Some(host) = base.host_str() {
        match base.port() {
            Some(port) => scope.set("host", format!("{host}:{port}")),
            None => scope.set("host", host),
        }
    }
    scope
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
    /// Header parameters (auth headers are added after them).
    pub headers: Vec<(&'static str, String)>,
    /// The body.
    pub body: Body,
    /// Whether the API's auth steps (and token) apply.
    pub authenticated: bool,
    /// The spec marks the endpoint idempotent: sending it twice has the effect of sending it
    /// once, so it is retried after failures that may have reached the server (GET and HEAD
    /// always are).
    pub idempotent: bool,
}

impl Request {
    /// GET, HEAD, or marked idempotent by the spec.
    pub fn is_idempotent(&self) -> bool {
        self.idempotent || matches!(self.method, reqwest::Method::GET | reqwest::Method::HEAD)
    }
}

/// Per-call settings: the overall deadline and the retry policy. Set them per client
/// ([`deadline`](crate::ClientBuilder::deadline),
/// [`retry_policy`](crate::ClientBuilder::retry_policy)) or for some calls only, through the
/// generated `Client::with_options(|o| …)` (a cheap clone of the client), which reaches
/// every field here, including fields added after the client was generated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct CallOptions {
    /// How long a call may take in all.
    pub deadline: Duration,
    /// How failures are retried.
    pub retry: RetryPolicy,
}

impl Default for CallOptions {
    fn default() -> Self {
        CallOptions {
            deadline: DEFAULT_DEADLINE,
            retry: RetryPolicy::standard(),
        }
    }
}

/// A configured client for one vendor API. Cheap to clone; clones share the token cache.
pub struct Engine<C> {
    pub(crate) inner: Arc<Inner<C>>,
    pub(crate) options: CallOptions,
}

impl<C> Clone for Engine<C> {
    fn clone(&self) -> Self {
        Engine {
            inner: self.inner.clone(),
            options: self.options,
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

pub(crate) struct Inner<C> {
    pub(crate) client: reqwest::Client,
    pub(crate) base: Url,
    /// What every request's scope starts from: the credentials and the base URL's `host`,
    /// written once (see [`base_scope`]).
    pub(crate) base_scope: Arc<Scope>,
    /// Endpoint URLs of static paths, joined and checked on first use: the paths are the
    /// spec's string literals, so the cache is bounded by the number of endpoints.
    pub(crate) endpoints: std::sync::RwLock<std::collections::HashMap<&'static str, Url>>,
    /// Time allowed for one exchange, body included.
    pub(crate) attempt_timeout: Duration,
    pub(crate) envelope: Option<EnvelopeSpec>,
    pub(crate) steps: Vec<Step>,
    /// The steps that reference no token field, for grants with `send_auth_steps`.
    pub(crate) grant_steps: Vec<Step>,
    pub(crate) credentials: Credentials,
    pub(crate) client_auth: Option<ClientAuth>,
    pub(crate) grant_urls: Vec<(&'static str, Url)>,
    pub(crate) tokens: Option<TokenManager>,
    pub(crate) clock: Clock,
    /// The vendor's name in traces.
    pub(crate) vendor: &'static str,
    /// The retry quota, shared by every clone.
    pub(crate) quota: QuotaBucket,
    /// The highest page number a page stream fetches.
    pub(crate) max_page: i64,
    pub(crate) _c: PhantomData<fn() -> C>,
}

impl<C: VendorCode> Engine<C> {
    /// This engine with other per-call settings for its calls (a cheap clone sharing the
    /// token cache and connections).
    pub fn with_options(&self, configure: impl FnOnce(&mut CallOptions)) -> Self {
        let mut e = self.clone();
        configure(&mut e.options);
        e
    }

    /// This engine with another deadline for its calls (a cheap clone).
    pub fn with_deadline(&self, deadline: Duration) -> Self {
        self.with_options(|o| o.deadline = deadline)
    }

    /// This engine with another retry policy for its calls (a cheap clone).
    pub fn with_retry_policy(&self, policy: RetryPolicy) -> Self {
        self.with_options(|o| o.retry = policy)
    }

    /// The deadline and retry policy this engine's calls run with.
    pub fn call_options(&self) -> CallOptions {
        self.options
    }

    /// The highest page number its page streams fetch ([`ClientBuilder::max_page`]).
    pub fn max_page(&self) -> i64 {
        self.inner.max_page
    }

    /// Sends a request and decodes the envelope's data (or the whole body) as `T`.
    ///
    /// A rejected token (code class `RenewToken` or a `renew_on_http_status` status) is renewed
    /// and the request sent once more. Other failures are retried as the [`RetryPolicy`] says
    /// (see [`super::retry`] for which failures, for which requests). The whole call —
    /// token wait, attempts, backoff — ends by the deadline, with
    /// [`Error::DeadlineExceeded`] listing every attempt if it did not finish.
    pub async fn send<T: DeserializeOwned + Send>(&self, req: Request) -> Result<T, Error<C>> {
        let mut value = None;
        self.send_decoding(req, &mut |text| {
            value = Some(serde_json::from_str(text)?);
            Ok(())
        })
        .await?;
        value.ok_or_else(interpret::decoded_nothing)
    }

    /// [`send`](Self::send) with the typed decoding of the data left to `decode`: the call
    /// loop is compiled once per vendor, not once per response type.
    async fn send_decoding(
        &self,
        req: Request,
        decode: &mut SendDecoder<'_>,
    ) -> Result<(), Error<C>> {
        let started = Instant::now();
        // `Duration::MAX` means no deadline; 30 years is what tokio itself uses for that.
        let deadline = started
            .checked_add(self.options.deadline)
            .unwrap_or_else(|| started + Duration::from_secs(86_400 * 365 * 30));
        let span = call::span(self.inner.vendor, &req);
        let mut log = AttemptLog::default();
        // Pinned in place, the attempt loop's state (~3 KB) is not moved into the span's
        // wrapper, which holds a reference: ~200 fewer L1 data misses a call (cachegrind).
        let result = {
            let attempts = std::pin::pin!(self.attempts(&req, deadline, &mut log, decode));
            attempts.instrument(span.clone()).await
        };
        call::finish(&span, &log, &result, started);
        result
    }

    /// The attempts of one call, until success, a failure not worth retrying, or the deadline.
    async fn attempts(
        &self,
        req: &Request,
        deadline: Instant,
        log: &mut AttemptLog,
        decode: &mut SendDecoder<'_>,
    ) -> Result<(), Error<C>> {
        let inner = &*self.inner;
        let idempotent = req.is_idempotent();
        let (mut renewed, mut spent) = (false, Spent::default());
        let mut quota_spent = 0u32;
        loop {
            log.phase = Phase::Token;
            let token = match (&inner.tokens, req.authenticated) {
                (Some(tm), true) => Some(
                    self.by_deadline(deadline, log, tm.current(&self.inner, Some(deadline)))
                        .await?,
                ),
                _ => None,
            };
            let n = log.start_attempt();
            // One timer per attempt: its own limit or the call's deadline, whichever is first.
            let limit = Instant::now()
                .checked_add(inner.attempt_timeout)
                .map_or(deadline, |t| t.min(deadline));
            // Pinned in place for the span and the timer, as the attempt loop is above.
            let attempt = std::pin::pin!(inner.call(req, token.as_ref()));
            let attempt = attempt.instrument(tracing::debug_span!("attempt", n));
            let sent = match tokio::time::timeout_at(limit, attempt).await {
                Ok(sent) => sent,
                Err(_) if limit == deadline => {
                    return Err(log.deadline_exceeded(self.options.deadline));
                }
                Err(_) => Err(inner.timed_out(req)),
            };
            let (err, retry_after) = match sent {
                Ok(received) => match interpret_with(inner.envelope.as_ref(), &received, decode) {
                    Ok(()) => {
                        log.succeeded(received.status);
                        inner.quota.succeeded(quota_spent);
                        return Ok(());
                    }
                    Err(e) => (e, received.retry_after),
                },
                Err(e) => (e, None),
            };
            if let (Some(tm), Some(token)) = (&inner.tokens, &token)
                && !renewed
                && (err.class() == ErrorClass::RenewToken
                    || err
                        .http_status()
                        .is_some_and(|s| tm.spec().policy.renew_on_http_status.contains(&s)))
            {
                renewed = true;
                log.failed(&err, Some(("renew_token", Duration::ZERO)));
                log.phase = Phase::Token;
                let renewal = tm.renew(&self.inner, token, Some(deadline));
                self.by_deadline(deadline, log, renewal).await?;
                continue;
            }
            let failed = Failed {
                class: err.class(),
                not_sent: err.never_sent(),
                idempotent,
                rejected_before_execution: err.rejected_before_execution(),
                retry_after,
            };
            let decision = retry::decide(&self.options.retry, failed, &mut spent)
                // Waiting past the deadline is pointless: the failure itself says more.
                // (`Retry-After` is the server's: any size, hence checked.)
                .filter(|(_, delay)| {
                    Instant::now()
                        .checked_add(*delay)
                        .is_some_and(|t| t < deadline)
                });
            let Some((reason, delay)) = decision else {
                log.failed(&err, None);
                return Err(err);
            };
            let after_timeout = matches!(err, Error::Timeout { .. });
            let Some(cost) = inner.quota.acquire(after_timeout) else {
                tracing::warn!(
                    reason = reason.as_str(),
                    "retry refused: the client's retry quota is empty"
                );
                log.failed(&err, None);
                return Err(Error::RetryQuotaExhausted(QuotaExhausted {
                    failure: Box::new(err),
                }));
            };
            quota_spent = quota_spent.saturating_add(cost);
            log.failed(&err, Some((reason.as_str(), delay)));
            log.phase = Phase::Backoff;
            tokio::time::sleep(delay).await;
        }
    }

    /// Waits for `phase` (a token, a renewal) unless the call's deadline passes first. A phase
    /// ready when first polled (a cached token) never sets the timer.
    async fn by_deadline<T>(
        &self,
        deadline: Instant,
        log: &mut AttemptLog,
        phase: impl Future<Output = Result<T, Error<C>>>,
    ) -> Result<T, Error<C>> {
        match tokio::time::timeout_at(deadline, phase).await {
            Ok(done) => done,
            Err(_) => Err(log.deadline_exceeded(self.options.deadline)),
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
        let mut scope = Scope::over(inner.base_scope.clone());
        scope.set("redirect_uri", redirect_uri);
        scope.set("state", state);
        let now = (inner.clock)();
        let params = authorize
            .params
            .iter()
            .map(|(k, v)| Ok((*k, v.eval(&scope, now)?)))
            .collect::<Result<Vec<_>, spec_lang::EvalError>>()
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
        tm.exchange(&self.inner, g, inputs).await
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
    let bytes: [u8; 16] = spec_lang::random::bytes();
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

#[cfg(test)]
mod retry_tests;
#[cfg(test)]
mod tests;
