//! Obtaining, caching and renewing access tokens.
//!
//! The token cache is single-flight: one `tokio::sync::Mutex` guards the state, and whoever
//! holds it re-checks before fetching, so when many tasks find the token missing or expired at
//! once exactly one token request runs and the others reuse its result.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, Mutex as SyncMutex, PoisonError};
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use tokio::sync::Mutex;

use super::error::{AuthError, Error, ErrorClass, VendorCode};
use super::secret::{self, Redacted};
use super::value::Value;

/// How a grant's fields are sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    /// `application/x-www-form-urlencoded` body.
    Form,
    /// JSON object body (string values).
    Json,
    /// Query string, no body.
    Query,
}

/// How the client id and secret are presented (RFC 6749 §2.3.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClientAuth {
    /// `client_id` and `client_secret` credentials added to the fields.
    Form,
    /// `Authorization: Basic base64(client_id:client_secret)`.
    Basic,
}

/// One token request (`client_credentials`, `authorization_code`, `refresh_token`, `login`, ...).
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Grant {
    /// Grant name, as the spec keys it.
    pub name: &'static str,
    /// HTTP method.
    pub method: reqwest::Method,
    /// Path relative to the base URL; `None`: the application configures it
    /// ([`EngineBuilder::grant_path`](super::EngineBuilder::grant_path)).
    pub path: Option<&'static str>,
    /// How the fields are sent.
    pub encoding: Encoding,
    /// Request fields, evaluated over credentials and inputs.
    pub fields: Vec<(&'static str, Value)>,
    /// Accepted client authentications; the first is used; empty: none.
    pub client_auth: Vec<ClientAuth>,
    /// Per-call values (`code`, `redirect_uri`, `refresh_token`).
    pub inputs: Vec<&'static str>,
    /// Also apply the API's auth steps that use no token field (HTTP Basic, time-derived query
    /// values, ...) to this token request.
    pub send_auth_steps: bool,
}

/// Where the token and its lifetime are in a token response.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct TokenResponseSpec {
    /// Unwrap the vendor envelope first (paths are then inside its data).
    pub enveloped: bool,
    /// Dotted path of the access token.
    pub access_token: &'static str,
    /// Dotted path of the lifetime in seconds.
    pub expires_in: Option<&'static str>,
    /// Lifetime when the response does not state one.
    pub default_lifetime: Option<Duration>,
    /// Dotted path of the refresh token.
    pub refresh_token: Option<&'static str>,
    /// Lifetime of the refresh token.
    pub refresh_token_lifetime: Option<Duration>,
    /// Further values kept with the token: (scope name, response path), e.g. `("user_id", "userId")`.
    pub extra: Vec<(&'static str, &'static str)>,
    /// OAuth2-style error fields (code path, message path) when not enveloped.
    pub error: Option<(&'static str, Option<&'static str>)>,
}

/// When tokens are renewed.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct RefreshPolicy {
    /// Renew this long before expiry.
    pub refresh_before_expiry: Option<Duration>,
    /// Renew once the token is in this last fraction of its lifetime (e.g. `0.1`).
    pub refresh_in_last_fraction: Option<f64>,
    /// Never call the token endpoint more often than this (waits; never errors).
    pub min_interval: Option<Duration>,
    /// Obtain a token when the client is built.
    pub fetch_on_start: bool,
    /// HTTP statuses of business calls meaning "renew the token and retry once".
    pub renew_on_http_status: Vec<u16>,
}

/// The browser redirect of the authorization-code flow.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct AuthorizeSpec {
    /// Path relative to the base URL.
    pub path: &'static str,
    /// Query parameters, evaluated over credentials, `redirect_uri` and `state`.
    pub params: Vec<(&'static str, Value)>,
}

/// How an API's tokens are obtained and renewed.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct TokenSpec {
    /// The token requests.
    pub grants: Vec<Grant>,
    /// Grant run by itself when there is no usable token.
    pub automatic: Option<&'static str>,
    /// Grant that renews (defaults to `automatic`).
    pub refresh_with: Option<&'static str>,
    /// Browser redirect for the authorization-code flow.
    pub authorize: Option<AuthorizeSpec>,
    /// Where things are in the token response.
    pub response: TokenResponseSpec,
    /// When tokens are renewed.
    pub policy: RefreshPolicy,
}

impl TokenSpec {
    pub(crate) fn grant(&self, name: &str) -> Option<&Grant> {
        self.grants.iter().find(|g| g.name == name)
    }

    /// Scope names holding token fields (`access_token`, `refresh_token`, extras).
    pub(crate) fn token_vars(&self) -> Vec<&'static str> {
        let mut vars = vec!["access_token", "refresh_token"];
        vars.extend(self.response.extra.iter().map(|(name, _)| *name));
        vars
    }
}

/// Token state the application can persist (serde). `Debug` redacts the tokens.
///
/// Restore one obtained elsewhere with [`TokenState::new`] and the `with_*` methods.
#[derive(Clone, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TokenState {
    /// The access token.
    #[serde(with = "secret::string")]
    pub access_token: SecretString,
    /// When it expires; `None`: only the server knows.
    pub expires_at: Option<Timestamp>,
    /// When it was requested.
    pub obtained_at: Timestamp,
    /// The refresh token, if any.
    #[serde(default, with = "secret::option")]
    pub refresh_token: Option<SecretString>,
    /// When the refresh token expires.
    #[serde(default)]
    pub refresh_expires_at: Option<Timestamp>,
    /// Further values kept with the token (`user_id`), usable as `{name}` in auth steps.
    #[serde(default)]
    pub extra: BTreeMap<String, String>,
}

impl TokenState {
    /// A token obtained now, whose expiry only the server knows (set it with
    /// [`with_expires_at`](Self::with_expires_at) when you know it).
    pub fn new(access_token: impl Into<String>) -> Self {
        TokenState {
            access_token: SecretString::from(access_token.into()),
            expires_at: None,
            obtained_at: Timestamp::now(),
            refresh_token: None,
            refresh_expires_at: None,
            extra: BTreeMap::new(),
        }
    }

    /// When the access token expires.
    pub fn with_expires_at(mut self, at: Timestamp) -> Self {
        self.expires_at = Some(at);
        self
    }

    /// The refresh token and, when known, its expiry.
    pub fn with_refresh_token(
        mut self,
        token: impl Into<String>,
        expires_at: Option<Timestamp>,
    ) -> Self {
        self.refresh_token = Some(SecretString::from(token.into()));
        self.refresh_expires_at = expires_at;
        self
    }

    /// A value kept with the token (the names are the spec's `token.response.extra`, e.g. `user_id`).
    pub fn with_extra(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.extra.insert(name.into(), value.into());
        self
    }
}

impl fmt::Debug for TokenState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenState")
            .field("access_token", &Redacted)
            .field("expires_at", &self.expires_at)
            .field("obtained_at", &self.obtained_at)
            .field(
                "refresh_token",
                &self.refresh_token.as_ref().map(|_| Redacted),
            )
            .field("refresh_expires_at", &self.refresh_expires_at)
            .field("extra", &self.extra.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// Where token state lives between restarts. Sync on purpose (simple to implement over a file or
/// a database); it is called rarely, while the token lock is held.
pub trait TokenStore: Send + Sync + 'static {
    /// The saved state, if any.
    fn load(&self) -> Option<TokenState>;
    /// Saves new state.
    fn save(&self, state: &TokenState);
    /// Forgets the state (the refresh token is dead).
    fn clear(&self);
}

/// The default store: process memory only.
#[derive(Default)]
pub struct MemoryTokenStore {
    state: SyncMutex<Option<TokenState>>,
}

impl fmt::Debug for MemoryTokenStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryTokenStore").finish_non_exhaustive()
    }
}

impl TokenStore for MemoryTokenStore {
    fn load(&self) -> Option<TokenState> {
        self.state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
    fn save(&self, state: &TokenState) {
        *self.state.lock().unwrap_or_else(PoisonError::into_inner) = Some(state.clone());
    }
    fn clear(&self) {
        *self.state.lock().unwrap_or_else(PoisonError::into_inner) = None;
    }
}

/// Wall clock; injectable so tests can drive it with tokio's paused time.
pub(crate) type Clock = Arc<dyn Fn() -> Timestamp + Send + Sync>;

pub(crate) fn system_clock() -> Clock {
    Arc::new(Timestamp::now)
}

/// Runs one token request. Implemented by the engine (HTTP) and by test fakes.
pub(crate) trait GrantRunner<C: VendorCode>: Sync {
    /// Sends `grant` with `inputs` and reads a fresh state stamped `obtained_at = now`.
    fn run_grant(
        &self,
        grant: &Grant,
        inputs: &[(&'static str, &str)],
        now: Timestamp,
    ) -> impl Future<Output = Result<TokenState, Error<C>>> + Send;
}

/// How a cached token relates to the policy at some instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Freshness {
    /// Use it.
    Fresh,
    /// Still valid, but due for renewal (refresh ahead).
    Stale,
    /// Absent or expired: a token request is needed.
    Unusable,
}

/// A failed refresh-ahead is retried at most this often, so a down token endpoint does not
/// turn every call into a token request while the old token still works.
const AHEAD_RETRY: Duration = Duration::from_secs(10);

pub(crate) fn freshness(
    state: Option<&TokenState>,
    policy: &RefreshPolicy,
    now: Timestamp,
) -> Freshness {
    let Some(state) = state else {
        return Freshness::Unusable;
    };
    let Some(expires_at) = state.expires_at else {
        return Freshness::Fresh;
    };
    if now >= expires_at {
        return Freshness::Unusable;
    }
    let ahead = policy
        .refresh_before_expiry
        .is_some_and(|d| now >= sub(expires_at, d));
    let late = policy.refresh_in_last_fraction.is_some_and(|f| {
        let lifetime = expires_at.duration_since(state.obtained_at).as_secs_f64();
        let usable = lifetime * (1.0 - f.clamp(0.0, 1.0));
        SignedDuration::try_from_secs_f64(usable)
            .ok()
            .and_then(|d| state.obtained_at.checked_add(d).ok())
            .is_some_and(|renew_at| now >= renew_at)
    });
    if ahead || late {
        Freshness::Stale
    } else {
        Freshness::Fresh
    }
}

pub(crate) fn add(t: Timestamp, d: Duration) -> Timestamp {
    t.saturating_add(d).unwrap_or(Timestamp::MAX)
}

fn sub(t: Timestamp, d: Duration) -> Timestamp {
    t.saturating_sub(d).unwrap_or(Timestamp::MIN)
}

struct Slot {
    loaded: bool,
    current: Option<TokenState>,
    /// When the token endpoint was last called (any outcome), for `min_interval`.
    last_request: Option<Timestamp>,
}

/// What a renewal does.
enum Plan<'a> {
    Run(&'a Grant),
    Refresh(&'a Grant, SecretString),
    Reauthorize { reason: &'static str, clear: bool },
}

/// Caches the token and renews it (single-flight). See the module docs.
pub(crate) struct TokenManager {
    spec: TokenSpec,
    store: Arc<dyn TokenStore>,
    clock: Clock,
    min_interval: Option<Duration>,
    slot: Mutex<Slot>,
}

impl TokenManager {
    pub(crate) fn new(spec: TokenSpec, store: Arc<dyn TokenStore>, clock: Clock) -> Self {
        let min_interval = spec.policy.min_interval;
        TokenManager {
            spec,
            store,
            clock,
            min_interval,
            slot: Mutex::new(Slot {
                loaded: false,
                current: None,
                last_request: None,
            }),
        }
    }

    pub(crate) fn set_min_interval(&mut self, d: Duration) {
        self.min_interval = Some(d);
    }

    pub(crate) fn spec(&self) -> &TokenSpec {
        &self.spec
    }

    fn now(&self) -> Timestamp {
        (self.clock)()
    }

    fn load(&self, slot: &mut Slot) {
        if !slot.loaded {
            slot.loaded = true;
            slot.current = self.store.load();
            // After a restart the saved token tells when the endpoint was last called.
            slot.last_request = slot.current.as_ref().map(|s| s.obtained_at);
        }
    }

    /// A usable token: the cached one, or a new one (exactly one request however many callers).
    pub(crate) async fn current<C: VendorCode, R: GrantRunner<C>>(
        &self,
        runner: &R,
    ) -> Result<TokenState, Error<C>> {
        let mut slot = self.slot.lock().await;
        self.load(&mut slot);
        let now = self.now();
        match (
            freshness(slot.current.as_ref(), &self.spec.policy, now),
            slot.current.clone(),
        ) {
            (Freshness::Fresh, Some(s)) => Ok(s),
            (Freshness::Stale, Some(s)) => {
                let wait = self.min_interval.unwrap_or_default().max(AHEAD_RETRY);
                if slot.last_request.is_some_and(|t| now < add(t, wait)) {
                    return Ok(s);
                }
                // Opportunistic: while the old token is valid, a failed renewal is not an error.
                match self.renew_locked(&mut slot, runner, false).await {
                    Ok(new) => Ok(new),
                    Err(_) => Ok(s),
                }
            }
            _ => self.renew_locked(&mut slot, runner, true).await,
        }
    }

    /// Renews after the server rejected `failed`, unless someone already replaced it.
    pub(crate) async fn renew<C: VendorCode, R: GrantRunner<C>>(
        &self,
        runner: &R,
        failed: &TokenState,
    ) -> Result<TokenState, Error<C>> {
        let mut slot = self.slot.lock().await;
        self.load(&mut slot);
        if let Some(current) = &slot.current
            && current.access_token.expose_secret() != failed.access_token.expose_secret()
        {
            return Ok(current.clone());
        }
        self.renew_locked(&mut slot, runner, true).await
    }

    /// Runs a named grant with caller inputs (e.g. `authorization_code`) and keeps the result.
    pub(crate) async fn exchange<C: VendorCode, R: GrantRunner<C>>(
        &self,
        runner: &R,
        grant: &Grant,
        inputs: &[(&'static str, &str)],
    ) -> Result<TokenState, Error<C>> {
        let mut slot = self.slot.lock().await;
        self.load(&mut slot);
        let previous = slot.current.clone();
        let mut state = self.request(&mut slot, runner, grant, inputs).await?;
        if grant.inputs.contains(&"refresh_token") {
            keep_unrotated(&mut state, previous.as_ref());
        }
        self.keep(&mut slot, &state);
        Ok(state)
    }

    pub(crate) async fn state(&self) -> Option<TokenState> {
        let mut slot = self.slot.lock().await;
        self.load(&mut slot);
        slot.current.clone()
    }

    pub(crate) async fn set_state(&self, state: TokenState) {
        let mut slot = self.slot.lock().await;
        slot.loaded = true;
        self.keep(&mut slot, &state);
    }

    fn keep(&self, slot: &mut Slot, state: &TokenState) {
        self.store.save(state);
        slot.current = Some(state.clone());
    }

    fn clear(&self, slot: &mut Slot) {
        self.store.clear();
        slot.current = None;
    }

    fn plan(&self, current: Option<&TokenState>, now: Timestamp) -> Plan<'_> {
        let automatic = self.spec.automatic.and_then(|n| self.spec.grant(n));
        let refresh = self.spec.refresh_with.and_then(|n| self.spec.grant(n));
        match refresh {
            Some(g) if g.inputs.contains(&"refresh_token") => {
                let held = current.and_then(|s| s.refresh_token.clone().map(|t| (s, t)));
                match held {
                    Some((s, t)) if s.refresh_expires_at.is_none_or(|e| now < e) => {
                        Plan::Refresh(g, t)
                    }
                    // No live refresh token: a grant that needs no person still works.
                    held => match (automatic, held) {
                        (Some(a), _) => Plan::Run(a),
                        (None, Some(_)) => Plan::Reauthorize {
                            reason: "the refresh token has expired",
                            clear: true,
                        },
                        (None, None) => Plan::Reauthorize {
                            reason: "no refresh token is held; run the authorization flow",
                            clear: false,
                        },
                    },
                }
            }
            Some(g) => Plan::Run(g),
            None => match automatic {
                Some(g) => Plan::Run(g),
                None => Plan::Reauthorize {
                    reason: "no grant can obtain a token by itself; run the authorization flow",
                    clear: false,
                },
            },
        }
    }

    /// Obtains a new token with the slot locked. `may_clear`: a dead refresh token may wipe
    /// the state (not during refresh-ahead, while the access token still works).
    async fn renew_locked<C: VendorCode, R: GrantRunner<C>>(
        &self,
        slot: &mut Slot,
        runner: &R,
        may_clear: bool,
    ) -> Result<TokenState, Error<C>> {
        let previous = slot.current.clone();
        let reauthorize = |reason: &str| -> Error<C> {
            AuthError::ReauthorizationRequired {
                reason: reason.to_owned(),
            }
            .into()
        };
        let state = match self.plan(previous.as_ref(), self.now()) {
            Plan::Reauthorize { reason, clear } => {
                if clear && may_clear {
                    self.clear(slot);
                }
                return Err(reauthorize(reason));
            }
            Plan::Run(grant) => self.request(slot, runner, grant, &[]).await?,
            Plan::Refresh(grant, token) => {
                let inputs = [("refresh_token", token.expose_secret())];
                match self.request(slot, runner, grant, &inputs).await {
                    Ok(mut state) => {
                        keep_unrotated(&mut state, previous.as_ref());
                        state
                    }
                    Err(e) if e.class() == ErrorClass::Reauthorize => {
                        let automatic = self.spec.automatic.and_then(|n| self.spec.grant(n));
                        match automatic {
                            Some(g) => self.request(slot, runner, g, &[]).await?,
                            None => {
                                if may_clear {
                                    self.clear(slot);
                                }
                                return Err(reauthorize("the refresh token was rejected"));
                            }
                        }
                    }
                    Err(e) => return Err(e),
                }
            }
        };
        self.keep(slot, &state);
        Ok(state)
    }

    /// One token request, after waiting out `min_interval` since the previous one.
    async fn request<C: VendorCode, R: GrantRunner<C>>(
        &self,
        slot: &mut Slot,
        runner: &R,
        grant: &Grant,
        inputs: &[(&'static str, &str)],
    ) -> Result<TokenState, Error<C>> {
        if let (Some(min), Some(last)) = (self.min_interval, slot.last_request) {
            let wait = add(last, min).duration_since(self.now());
            if let Ok(wait) = Duration::try_from(wait)
                && !wait.is_zero()
            {
                tokio::time::sleep(wait).await;
            }
        }
        let now = self.now();
        let result = runner.run_grant(grant, inputs, now).await;
        // Rate-limited vendors count their window from when they answered, which can be
        // well after we sent (connection set-up): measure from the answer, never earlier.
        slot.last_request = Some(self.now());
        result
    }
}

impl fmt::Debug for TokenManager {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenManager").finish_non_exhaustive()
    }
}

/// OAuth2 servers may omit the refresh token (and extras) on refresh: keep the previous ones.
fn keep_unrotated(state: &mut TokenState, previous: Option<&TokenState>) {
    let Some(previous) = previous else { return };
    if state.refresh_token.is_none() {
        state.refresh_token = previous.refresh_token.clone();
        state.refresh_expires_at = previous.refresh_expires_at;
    }
    for (k, v) in &previous.extra {
        state.extra.entry(k.clone()).or_insert_with(|| v.clone());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::error::RawCode;
    use crate::runtime::test_support::TestCode;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use tokio::time::Instant;

    const T0: i64 = 1_700_000_000;

    fn ts(secs: i64) -> Timestamp {
        Timestamp::from_second(T0 + secs).unwrap()
    }

    fn state(obtained: i64, lifetime: Option<i64>) -> TokenState {
        TokenState {
            access_token: "tok".into(),
            expires_at: lifetime.map(|l| ts(obtained + l)),
            obtained_at: ts(obtained),
            refresh_token: None,
            refresh_expires_at: None,
            extra: BTreeMap::new(),
        }
    }

    #[test]
    fn freshness_policy_table() {
        let ahead = RefreshPolicy {
            refresh_before_expiry: Some(Duration::from_secs(60)),
            ..Default::default()
        };
        let fraction = RefreshPolicy {
            refresh_in_last_fraction: Some(0.1),
            ..Default::default()
        };
        let none = RefreshPolicy::default();
        use Freshness::*;
        let cases: &[(&RefreshPolicy, Option<TokenState>, i64, Freshness)] = &[
            (&none, None, 0, Unusable),
            (&none, Some(state(0, None)), 1_000_000, Fresh),
            (&none, Some(state(0, Some(1000))), 999, Fresh),
            (&none, Some(state(0, Some(1000))), 1000, Unusable),
            (&ahead, Some(state(0, Some(1000))), 939, Fresh),
            (&ahead, Some(state(0, Some(1000))), 940, Stale),
            (&ahead, Some(state(0, Some(1000))), 999, Stale),
            (&ahead, Some(state(0, Some(1000))), 1001, Unusable),
            (&fraction, Some(state(0, Some(1000))), 899, Fresh),
            (&fraction, Some(state(0, Some(1000))), 900, Stale),
            (&fraction, Some(state(0, Some(1000))), 1000, Unusable),
        ];
        for (i, (policy, st, now, want)) in cases.iter().enumerate() {
            assert_eq!(freshness(st.as_ref(), policy, ts(*now)), *want, "case {i}");
        }
    }

    #[test]
    fn token_state_debug_redacts_and_serde_round_trips() {
        let mut s = state(0, Some(10));
        s.access_token = "secret-access".into();
        s.refresh_token = Some("secret-refresh".into());
        s.extra.insert("user_id".into(), "8".into());
        let dbg = format!("{s:?}");
        assert!(!dbg.contains("secret-"), "{dbg}");
        let json = serde_json::to_string(&s).unwrap();
        let back: TokenState = serde_json::from_str(&json).unwrap();
        assert_eq!(back.access_token.expose_secret(), "secret-access");
        assert_eq!(
            back.refresh_token.unwrap().expose_secret(),
            "secret-refresh"
        );
        assert_eq!(back.extra["user_id"], "8");
    }

    /// A token endpoint without HTTP: counts calls, takes `delay` of (tokio) time.
    struct FakeRunner {
        calls: AtomicUsize,
        log: SyncMutex<Vec<(&'static str, Vec<String>)>>,
        lifetime: i64,
        delay: Duration,
        refresh_fails_with: Option<RawCode>,
    }

    impl FakeRunner {
        fn new(lifetime: i64) -> Self {
            FakeRunner {
                calls: AtomicUsize::new(0),
                log: SyncMutex::new(Vec::new()),
                lifetime,
                delay: Duration::from_millis(100),
                refresh_fails_with: None,
            }
        }
        fn calls(&self) -> usize {
            self.calls.load(Ordering::SeqCst)
        }
        fn grants(&self) -> Vec<&'static str> {
            self.log.lock().unwrap().iter().map(|(g, _)| *g).collect()
        }
    }

    impl GrantRunner<TestCode> for FakeRunner {
        async fn run_grant(
            &self,
            grant: &Grant,
            inputs: &[(&'static str, &str)],
            now: Timestamp,
        ) -> Result<TokenState, Error<TestCode>> {
            let n = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
            self.log.lock().unwrap().push((
                grant.name,
                inputs.iter().map(|(_, v)| (*v).to_owned()).collect(),
            ));
            tokio::time::sleep(self.delay).await;
            if grant.name == "refresh"
                && let Some(code) = &self.refresh_fails_with
            {
                return Err(AuthError::TokenEndpoint {
                    grant: grant.name,
                    status: 200,
                    code: Some(TestCode::from_raw(code)),
                    raw_code: Some(code.clone()),
                    message: None,
                    body: Default::default(),
                }
                .into());
            }
            Ok(TokenState {
                access_token: format!("t{n}").into(),
                expires_at: Some(add(now, Duration::from_secs(self.lifetime as u64))),
                obtained_at: now,
                refresh_token: (grant.name == "code").then(|| format!("r{n}").into()),
                refresh_expires_at: None,
                extra: BTreeMap::new(),
            })
        }
    }

    fn grant(name: &'static str, inputs: &[&'static str]) -> Grant {
        Grant {
            name,
            method: reqwest::Method::POST,
            path: Some("/token"),
            encoding: Encoding::Form,
            fields: vec![],
            client_auth: vec![],
            inputs: inputs.to_vec(),
            send_auth_steps: false,
        }
    }

    fn spec(automatic: bool, refresh: bool, policy: RefreshPolicy) -> TokenSpec {
        TokenSpec {
            grants: vec![
                grant("auto", &[]),
                grant("code", &["code"]),
                grant("refresh", &["refresh_token"]),
            ],
            automatic: automatic.then_some("auto"),
            refresh_with: refresh.then_some("refresh"),
            authorize: None,
            response: TokenResponseSpec {
                enveloped: false,
                access_token: "access_token",
                expires_in: None,
                default_lifetime: None,
                refresh_token: None,
                refresh_token_lifetime: None,
                extra: vec![],
                error: None,
            },
            policy,
        }
    }

    /// Wall clock that follows tokio's (pausable) clock.
    fn tokio_clock() -> Clock {
        let start = Instant::now();
        Arc::new(move || add(ts(0), start.elapsed()))
    }

    fn manager(spec: TokenSpec) -> (Arc<TokenManager>, Arc<MemoryTokenStore>) {
        let store = Arc::new(MemoryTokenStore::default());
        (
            Arc::new(TokenManager::new(spec, store.clone(), tokio_clock())),
            store,
        )
    }

    fn token(s: &TokenState) -> &str {
        s.access_token.expose_secret()
    }

    #[tokio::test(start_paused = true)]
    async fn cold_start_is_single_flight() {
        let (tm, _) = manager(spec(true, false, RefreshPolicy::default()));
        let runner = Arc::new(FakeRunner::new(3600));
        let tasks: Vec<_> = (0..64)
            .map(|_| {
                let (tm, runner) = (tm.clone(), runner.clone());
                tokio::spawn(
                    async move { tm.current(&*runner).await.map(|s| token(&s).to_owned()) },
                )
            })
            .collect();
        for t in tasks {
            assert_eq!(t.await.unwrap().unwrap(), "t1");
        }
        assert_eq!(runner.calls(), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn expired_token_is_replaced_and_stale_refreshed_ahead() {
        let policy = RefreshPolicy {
            refresh_before_expiry: Some(Duration::from_secs(60)),
            ..Default::default()
        };
        let (tm, _) = manager(spec(true, false, policy));
        let runner = FakeRunner::new(600);
        assert_eq!(token(&tm.current(&runner).await.unwrap()), "t1");
        tokio::time::advance(Duration::from_secs(500)).await;
        assert_eq!(token(&tm.current(&runner).await.unwrap()), "t1");
        tokio::time::advance(Duration::from_secs(50)).await; // 60 s before expiry: ahead
        assert_eq!(token(&tm.current(&runner).await.unwrap()), "t2");
        tokio::time::advance(Duration::from_secs(700)).await; // expired
        assert_eq!(token(&tm.current(&runner).await.unwrap()), "t3");
        assert_eq!(runner.calls(), 3);
    }

    #[tokio::test(start_paused = true)]
    async fn min_interval_reuses_stale_and_waits_for_needed_fetch() {
        let policy = RefreshPolicy {
            refresh_in_last_fraction: Some(0.5),
            min_interval: Some(Duration::from_secs(60)),
            ..Default::default()
        };
        let (tm, _) = manager(spec(true, false, policy));
        let runner = FakeRunner::new(40);
        let start = Instant::now();
        assert_eq!(token(&tm.current(&runner).await.unwrap()), "t1");
        // Stale (last half of 40 s) but the endpoint was called < 60 s ago: reuse.
        tokio::time::advance(Duration::from_secs(30)).await;
        assert_eq!(token(&tm.current(&runner).await.unwrap()), "t1");
        assert_eq!(runner.calls(), 1);
        // Expired at 40 s: a fetch is needed but must wait until 60 s after the first request.
        tokio::time::advance(Duration::from_secs(15)).await;
        assert_eq!(token(&tm.current(&runner).await.unwrap()), "t2");
        assert_eq!(runner.calls(), 2);
        let first_request_done = Duration::from_millis(100);
        assert!(start.elapsed() >= Duration::from_secs(60) + first_request_done);
        assert!(start.elapsed() < Duration::from_secs(61));
    }

    #[tokio::test(start_paused = true)]
    async fn min_interval_override_waits_between_renewals() {
        let (mut tm, _) = {
            let store = Arc::new(MemoryTokenStore::default());
            let tm = TokenManager::new(
                spec(true, false, RefreshPolicy::default()),
                store.clone(),
                tokio_clock(),
            );
            (tm, store)
        };
        tm.set_min_interval(Duration::from_secs(5));
        let runner = FakeRunner::new(3600);
        let start = Instant::now();
        let t1 = tm.current(&runner).await.unwrap();
        let t2 = tm.renew(&runner, &t1).await.unwrap();
        assert_eq!(token(&t2), "t2");
        assert!(start.elapsed() >= Duration::from_secs(5));
    }

    #[tokio::test(start_paused = true)]
    async fn renew_only_replaces_the_failed_token() {
        let (tm, _) = manager(spec(true, false, RefreshPolicy::default()));
        let runner = FakeRunner::new(3600);
        let t1 = tm.current(&runner).await.unwrap();
        let t2 = tm.renew(&runner, &t1).await.unwrap();
        assert_eq!(token(&t2), "t2");
        // A second caller that also saw t1 fail reuses t2.
        let again = tm.renew(&runner, &t1).await.unwrap();
        assert_eq!(token(&again), "t2");
        assert_eq!(runner.calls(), 2);
    }

    #[tokio::test(start_paused = true)]
    async fn refresh_grant_uses_refresh_token_and_keeps_it() {
        let (tm, store) = manager(spec(false, true, RefreshPolicy::default()));
        let runner = FakeRunner::new(100);
        let code = grant("code", &["code"]);
        let s = tm
            .exchange(&runner, &code, &[("code", "abc")])
            .await
            .unwrap();
        assert_eq!(
            s.refresh_token.as_ref().map(|t| t.expose_secret()),
            Some("r1")
        );
        tokio::time::advance(Duration::from_secs(200)).await;
        let s = tm.current(&runner).await.unwrap();
        assert_eq!(token(&s), "t2");
        assert_eq!(runner.grants(), ["code", "refresh"]);
        assert_eq!(runner.log.lock().unwrap()[1].1, ["r1"]);
        // Not rotated by the server: the old refresh token is kept (and persisted).
        assert_eq!(
            store
                .load()
                .unwrap()
                .refresh_token
                .map(|t| t.expose_secret().to_owned()),
            Some("r1".to_owned())
        );
    }

    #[tokio::test(start_paused = true)]
    async fn rejected_refresh_token_clears_state_and_requires_reauthorization() {
        let (tm, store) = manager(spec(false, true, RefreshPolicy::default()));
        let mut runner = FakeRunner::new(100);
        runner.refresh_fails_with = Some(RawCode::Str("dead".into()));
        tm.exchange(&runner, &grant("code", &["code"]), &[("code", "c")])
            .await
            .unwrap();
        tokio::time::advance(Duration::from_secs(200)).await;
        let err = tm.current(&runner).await.unwrap_err();
        assert!(
            matches!(err, Error::Auth(ref a) if matches!(**a, AuthError::ReauthorizationRequired { .. }))
        );
        assert!(store.load().is_none());
        assert!(tm.state().await.is_none());
    }

    #[tokio::test(start_paused = true)]
    async fn expired_refresh_token_requires_reauthorization_without_a_request() {
        let (tm, store) = manager(spec(false, true, RefreshPolicy::default()));
        let runner = FakeRunner::new(100);
        let mut s = state(-1000, Some(10));
        s.refresh_token = Some("r".into());
        s.refresh_expires_at = Some(ts(-1));
        tm.set_state(s).await;
        let err = tm.current(&runner).await.unwrap_err();
        assert_eq!(err.class(), ErrorClass::Reauthorize);
        assert_eq!(runner.calls(), 0);
        assert!(store.load().is_none());
    }

    #[tokio::test(start_paused = true)]
    async fn no_grant_to_renew_requires_reauthorization() {
        let (tm, _) = manager(spec(false, false, RefreshPolicy::default()));
        let runner = FakeRunner::new(100);
        let err = tm.current(&runner).await.unwrap_err();
        assert_eq!(err.class(), ErrorClass::Reauthorize);
        assert_eq!(runner.calls(), 0);
    }

    #[tokio::test(start_paused = true)]
    async fn failed_refresh_ahead_keeps_the_valid_token() {
        let policy = RefreshPolicy {
            refresh_before_expiry: Some(Duration::from_secs(60)),
            ..Default::default()
        };
        let (tm, store) = manager(spec(false, true, policy));
        let mut runner = FakeRunner::new(100);
        runner.refresh_fails_with = Some(RawCode::Str("dead".into()));
        tm.exchange(&runner, &grant("code", &["code"]), &[("code", "c")])
            .await
            .unwrap();
        tokio::time::advance(Duration::from_secs(50)).await;
        assert_eq!(token(&tm.current(&runner).await.unwrap()), "t1");
        assert!(store.load().is_some());
        // Retried at most every AHEAD_RETRY while the token still works.
        assert_eq!(token(&tm.current(&runner).await.unwrap()), "t1");
        assert_eq!(runner.calls(), 2);
    }
}
