//! Obtaining, caching and renewing access tokens.
//!
//! - [`TokenSpec`] and friends describe, as data, how an API's tokens are obtained;
//! - [`TokenState`] is what is kept (and persisted) between requests;
//! - [`store`]: the async [`TokenStore`] trait, designed for a store shared by many processes
//!   (versioned saves with fencing, a renewal lock, a shared "last token request" stamp), and
//!   the default [`MemoryTokenStore`];
//! - `manager`: the cache and its renewal, a single flight that runs in its own task;
//! - `redis` (feature `redis`): `RedisTokenStore`, one token shared by several replicas.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};

use super::error::{AuthError, Error, RawCode, VendorCode};
use super::secret::{self, Redacted};
use spec_lang::Value;

mod conformance;
mod manager;
#[cfg(feature = "redis")]
mod redis;
pub mod store;

pub use conformance::check_store_protocol;
pub(crate) use manager::TokenManager;
#[cfg(feature = "redis")]
pub use redis::RedisTokenStore;
pub use store::{Lease, MemoryTokenStore, Saved, StoreError, StoreFuture, Stored, TokenStore};

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
    /// ([`ClientBuilder::grant_path`](crate::ClientBuilder::grant_path)).
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
    /// Grants whose tokens stand for the same identity (the spec's `interchangeable_grants`):
    /// only among these may a renewal run another grant than the one that produced the token.
    pub interchangeable_grants: Vec<&'static str>,
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

    /// Whether `grant` may renew a token that `origin` produced without changing whose token
    /// it is: the same grant, or both declared interchangeable. A token of unknown origin
    /// (restored without [`TokenState::with_grant`]) may be renewed by any grant.
    pub(crate) fn may_renew(&self, origin: Option<&str>, grant: &str) -> bool {
        origin.is_none_or(|o| {
            o == grant
                || (self.interchangeable_grants.contains(&o)
                    && self.interchangeable_grants.contains(&grant))
        })
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
    /// The grant that produced the token's identity (a refresh keeps it): a renewal never
    /// runs another grant unless the spec declares them interchangeable. `None`: unknown.
    #[serde(default)]
    pub grant: Option<String>,
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
            grant: None,
        }
    }

    /// The grant that obtained this token (e.g. `authorization_code` for a user's token), so
    /// that the client never renews it as another identity.
    pub fn with_grant(mut self, grant: impl Into<String>) -> Self {
        self.grant = Some(grant.into());
        self
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
            .field("grant", &self.grant)
            .finish()
    }
}

/// Wall clock; injectable so tests can drive it with tokio's paused time.
pub(crate) type Clock = Arc<dyn Fn() -> Timestamp + Send + Sync>;

pub(crate) fn system_clock() -> Clock {
    Arc::new(Timestamp::now)
}

/// A token request's failure as the token layer keeps and shares it (with every waiter of one
/// renewal, and through the fail-fast window after it): cloneable and independent of the
/// vendor's code type — a refusal keeps its raw code and status — so it is copied whole,
/// never re-described. [`RenewalError::into_error`] classifies it with the caller's code
/// table where the token layer hands it back to the engine.
#[derive(Clone, Debug, thiserror::Error)]
pub(crate) enum RenewalError {
    /// Obtaining or renewing the token failed.
    #[error(transparent)]
    Auth(Box<AuthError<RawCode>>),
    /// The client cannot send the token request as configured.
    #[error("configuration error: {0}")]
    Config(String),
}

impl RenewalError {
    /// The caller's error: codes classified by its table.
    pub(crate) fn into_error<C: VendorCode>(self) -> Error<C> {
        match self {
            RenewalError::Auth(a) => Error::Auth(Box::new((*a).classify())),
            RenewalError::Config(m) => Error::Config(m),
        }
    }

    /// Its class by `C`'s code table (as the caller will see it).
    pub(crate) fn class<C: VendorCode>(&self) -> crate::ErrorClass {
        self.clone().into_error::<C>().class()
    }

    /// The token was obtained but could not be saved (the next flight saves it).
    pub(crate) fn is_store(&self) -> bool {
        matches!(self, RenewalError::Auth(a) if matches!(**a, AuthError::Store(_)))
    }
}

impl From<AuthError<RawCode>> for RenewalError {
    fn from(e: AuthError<RawCode>) -> Self {
        RenewalError::Auth(Box::new(e))
    }
}

/// Runs one token request. Implemented by the engine (HTTP) and by test fakes.
pub(crate) trait GrantRunner<C: VendorCode>: Sync {
    /// Sends `grant` with `inputs` and reads a fresh state stamped `obtained_at = now`.
    fn run_grant(
        &self,
        grant: &Grant,
        inputs: &[(&'static str, &str)],
        now: Timestamp,
    ) -> impl Future<Output = Result<TokenState, RenewalError>> + Send;
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

#[cfg(test)]
mod tests;
