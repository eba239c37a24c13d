//! Errors of every generated client, generic over the vendor's error-code enum.
//!
//! `Display` never contains secrets or query strings (some vendors put tokens in the query): URLs
//! are stored without their query and `reqwest` errors without their URL.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

use bytes::Bytes;
use serde_json::value::RawValue;

/// A vendor result code exactly as received: the documents use both integers and strings.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum RawCode {
    /// A JSON integer (`50017`).
    Int(i64),
    /// A JSON string (`"VALIDATION_ERROR"`), or a number that is not an `i64` as written.
    Str(String),
}

impl RawCode {
    /// Reads a code from a JSON number or string; anything else is not a code.
    pub(crate) fn from_json(raw: &RawValue) -> Option<Self> {
        let text = raw.get();
        if text.starts_with('"') {
            return serde_json::from_str::<String>(text).ok().map(RawCode::Str);
        }
        if text.starts_with(['-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9']) {
            return Some(match text.parse::<i64>() {
                Ok(i) => RawCode::Int(i),
                Err(_) => RawCode::Str(text.to_owned()),
            });
        }
        None
    }

    /// Vendors flip between `200` and `"200"`; both mean the same code.
    pub(crate) fn same_as(&self, other: &RawCode) -> bool {
        match (self, other) {
            (RawCode::Int(a), RawCode::Int(b)) => a == b,
            (RawCode::Str(a), RawCode::Str(b)) => a == b,
            (RawCode::Int(i), RawCode::Str(s)) | (RawCode::Str(s), RawCode::Int(i)) => {
                s.parse::<i64>().is_ok_and(|v| v == *i)
            }
        }
    }
}

impl fmt::Display for RawCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RawCode::Int(i) => write!(f, "{i}"),
            RawCode::Str(s) => f.write_str(&for_logs(s)),
        }
    }
}

/// The most bytes of vendor text an error message carries; the rest is in the raw body.
pub const MAX_VENDOR_TEXT: usize = 1024;

/// Vendor text made safe for one log line: control characters (CR, LF, ESC, ...) and
/// bidirectional overrides escaped (`\n`, `\u{1b}`), and at most [`MAX_VENDOR_TEXT`] bytes
/// kept. A server decides what its error messages say; it must not decide what the
/// application's logs look like.
pub fn for_logs(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(MAX_VENDOR_TEXT + 64));
    for (i, c) in text.char_indices() {
        let dangerous =
            c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
        let before = out.len();
        if dangerous {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
        if out.len() > MAX_VENDOR_TEXT {
            out.truncate(before);
            out.push_str(&format!(
                "… ({} bytes in all, from byte {i} cut)",
                text.len()
            ));
            break;
        }
    }
    out
}

pub use spec_lang::ErrorClass;

/// A vendor's error-code enum. Generated per vendor: a match table, else `Unknown(raw)`.
pub trait VendorCode: Clone + fmt::Debug + Send + Sync + 'static {
    /// Maps a received code to the vendor's enum (unknown codes must be kept, not rejected).
    fn from_raw(raw: &RawCode) -> Self;
    /// What the code means for the caller.
    fn class(&self) -> ErrorClass;
    /// The spec states the vendor sends this code before executing the request, so a
    /// re-signed copy of a non-idempotent request cannot execute it twice. Default `false`:
    /// only idempotent requests are re-sent after a `Resign` or `ClockSkew` rejection.
    fn rejected_before_execution(&self) -> bool {
        false
    }
    /// The documented entry for an HTTP status, for vendors that tabulate statuses (used
    /// when the body carries no documented code).
    fn from_http_status(_status: u16) -> Option<Self> {
        None
    }
}

/// The vendor code of a failed response: the body's code when the vendor documents it,
/// else the vendor's entry for the HTTP status, else the body's code as unknown.
pub(crate) fn resolve_code<C: VendorCode>(raw: Option<&RawCode>, status: u16) -> C {
    let from_body = raw.map(C::from_raw);
    match from_body {
        Some(code) if code.class() != ErrorClass::Unknown => code,
        // A status the vendor documents as success cannot classify a failure the body reports.
        other => C::from_http_status(status)
            .filter(|c| c.class() != ErrorClass::Success)
            .or(other)
            .unwrap_or_else(|| C::from_raw(&RawCode::Str(String::new()))),
    }
}

/// Codes without a table: every code is [`ErrorClass::Unknown`].
impl VendorCode for RawCode {
    fn from_raw(raw: &RawCode) -> Self {
        raw.clone()
    }
    fn class(&self) -> ErrorClass {
        ErrorClass::Unknown
    }
}

/// A response body kept for diagnosis. `Debug` shows at most 512 characters.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct RawBody(Bytes);

const RAW_BODY_DEBUG_CHARS: usize = 512;

impl RawBody {
    pub(crate) fn new(bytes: Bytes) -> Self {
        RawBody(bytes)
    }

    /// The body exactly as received.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The body as text; invalid UTF-8 is replaced.
    pub fn as_str(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(&self.0)
    }
}

impl fmt::Debug for RawBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = self.as_str();
        let mut shown = text.char_indices().map(|(i, _)| i);
        match shown.nth(RAW_BODY_DEBUG_CHARS) {
            Some(cut) => write!(
                f,
                "RawBody({:?}… {} bytes)",
                text.get(..cut).unwrap_or_default(),
                self.0.len()
            ),
            None => write!(f, "RawBody({:?})", text),
        }
    }
}

/// One entry of a vendor's per-field validation details.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    /// The field the vendor names (wire name).
    pub field: String,
    /// The vendor's message for it.
    pub message: String,
}

/// Everything a generated client can fail with.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error<C: VendorCode> {
    /// Client-side validation failed; nothing was sent.
    #[error("invalid request: `{field}` {reason}")]
    InvalidRequest {
        /// The parameter (wire name).
        field: &'static str,
        /// Why it was rejected.
        reason: String,
    },
    /// The client is misconfigured (bad base URL, missing credential, ...).
    #[error("configuration error: {0}")]
    Config(String),
    /// Plain `http://` to a host that is not loopback, without an explicit opt-in.
    #[error(
        "refusing to send credentials over plain HTTP to {url}; use https or opt in with allow_plain_http"
    )]
    InsecureUrl {
        /// The rejected URL (without query).
        url: String,
    },
    /// The request could not be sent or the response not read.
    #[error("{method} {url}: request failed")]
    Transport {
        /// HTTP method.
        method: String,
        /// URL without query.
        url: String,
        /// The cause (stored without its URL).
        #[source]
        source: reqwest::Error,
    },
    /// The connect or total timeout elapsed.
    #[error("{method} {url}: timed out")]
    Timeout {
        /// HTTP method.
        method: String,
        /// URL without query.
        url: String,
    },
    /// The response body exceeded the runtime's size limit.
    #[error("{method} {url}: response body larger than {limit} bytes")]
    ResponseTooLarge {
        /// HTTP method.
        method: String,
        /// URL without query.
        url: String,
        /// The limit in bytes.
        limit: usize,
    },
    /// A non-2xx status without a decodable vendor error.
    #[error("HTTP {status} without a recognisable vendor response")]
    HttpStatus {
        /// HTTP status.
        status: u16,
        /// The body as received.
        body: RawBody,
    },
    /// The vendor answered with an error code.
    #[error(transparent)]
    Api(Box<ApiError<C>>),
    /// Obtaining or renewing a token failed.
    #[error(transparent)]
    Auth(Box<AuthError<C>>),
    /// The call's deadline passed before it finished; says what each attempt met.
    #[error(transparent)]
    DeadlineExceeded(Box<DeadlineExceeded>),
    /// A failure the retry policy would have retried, returned at once because the client's
    /// retry quota ([`RetryQuota`](super::retry::RetryQuota)) is empty: recent calls failed
    /// repeatedly (an outage), and retrying would multiply the load on the vendor. The failure
    /// itself is inside; [`Error::class`], [`Error::code`] and [`Error::raw_body`] answer for it.
    #[error(transparent)]
    RetryQuotaExhausted(QuotaExhausted<C>),
    /// A page stream stopped before the server's last page (see
    /// [`PaginationStop`](super::paginate::PaginationStop)).
    #[error("pagination stopped at page {page}: {stop}")]
    Pagination {
        /// The page that was not (or no longer) followed.
        page: i64,
        /// Why.
        stop: super::paginate::PaginationStop,
    },
    /// A successful response could not be decoded.
    #[error("could not decode {what} (HTTP {status})")]
    Decode {
        /// HTTP status.
        status: u16,
        /// What was being decoded (`response data`, `response envelope`, ...).
        what: &'static str,
        /// The decoder's error.
        #[source]
        source: serde_json::Error,
        /// The body as received.
        body: RawBody,
    },
}

impl<C: VendorCode> Error<C> {
    /// The vendor code, from [`Error::Api`] or a token endpoint's error.
    pub fn code(&self) -> Option<&C> {
        match self {
            Error::RetryQuotaExhausted(e) => e.failure.code(),
            Error::Api(e) => Some(&e.code),
            Error::Auth(e) => match e.token_refusal() {
                Some(AuthError::TokenEndpoint { code, .. }) => code.as_ref(),
                _ => None,
            },
            _ => None,
        }
    }

    /// The class of [`Error::code`]; [`ErrorClass::Reauthorize`] for
    /// [`AuthError::ReauthorizationRequired`]; otherwise [`ErrorClass::Unknown`].
    pub fn class(&self) -> ErrorClass {
        if let Error::RetryQuotaExhausted(e) = self {
            return e.failure.class();
        }
        // A documented vendor code says it best, except that renewing cannot help
        // when the token request itself was refused: that is an auth failure.
        if let Some(class) = self
            .code()
            .map(VendorCode::class)
            .filter(|c| *c != ErrorClass::Unknown)
        {
            let token_request_refused =
                matches!(self, Error::Auth(e) if e.token_refusal().is_some());
            return match class {
                ErrorClass::RenewToken if token_request_refused => ErrorClass::Auth,
                other => other,
            };
        }
        match self {
            Error::InvalidRequest { .. } | Error::Config(_) | Error::InsecureUrl { .. } => {
                ErrorClass::Caller
            }
            Error::Transport { .. } | Error::Timeout { .. } => ErrorClass::Retryable,
            Error::DeadlineExceeded(_) => ErrorClass::Retryable,
            Error::Pagination { .. } => ErrorClass::Vendor,
            Error::HttpStatus { status, .. } => status_class(*status),
            Error::Api(e) => status_class(e.status),
            Error::Auth(e) => match **e {
                AuthError::ReauthorizationRequired { .. } => ErrorClass::Reauthorize,
                AuthError::NoTokenBeforeDeadline { .. } => ErrorClass::RateLimited,
                AuthError::StateMismatch => ErrorClass::Caller,
                AuthError::NotConfigured { .. } => ErrorClass::Caller,
                AuthError::Transport { .. } | AuthError::Timeout { .. } | AuthError::Store(_) => {
                    ErrorClass::Retryable
                }
                AuthError::TokenEndpoint { status, .. } => match status {
                    400 | 401 | 403 => ErrorClass::Auth,
                    other => status_class(other),
                },
                _ => ErrorClass::Unknown,
            },
            _ => ErrorClass::Unknown,
        }
    }

    /// The vendor's raw response body, when the error carries one.
    pub fn raw_body(&self) -> Option<&RawBody> {
        match self {
            Error::RetryQuotaExhausted(e) => e.failure.raw_body(),
            Error::HttpStatus { body, .. } | Error::Decode { body, .. } => Some(body),
            Error::Api(e) => Some(&e.body),
            Error::Auth(e) => match e.token_refusal() {
                Some(AuthError::TokenEndpoint { body, .. }) => Some(body),
                _ => None,
            },
            _ => None,
        }
    }

    /// The vendor's code says it rejected the request before executing it (see
    /// [`VendorCode::rejected_before_execution`]).
    pub(crate) fn rejected_before_execution(&self) -> bool {
        matches!(self, Error::Api(e) if e.code.rejected_before_execution())
    }

    /// The connection was never established, so the request cannot have reached the server.
    pub(crate) fn never_sent(&self) -> bool {
        matches!(self, Error::Transport { source, .. } if source.is_connect())
    }

    /// The HTTP status of a response that was received, for the renew-on-status rule.
    pub(crate) fn http_status(&self) -> Option<u16> {
        match self {
            Error::HttpStatus { status, .. } => Some(*status),
            Error::Api(e) => Some(e.status),
            _ => None,
        }
    }
}

/// What an HTTP status alone says, when no documented vendor code does.
fn status_class(status: u16) -> ErrorClass {
    match status {
        200..=299 => ErrorClass::Unknown,
        // Whether a 401 renews the token is the spec's decision (`renew_on_http_status`, or
        // a status table classing it `renew_token`); by itself it only says "not authorized".
        401 | 403 => ErrorClass::Auth,
        408 | 500..=599 => ErrorClass::Retryable,
        429 => ErrorClass::RateLimited,
        400..=499 => ErrorClass::Caller,
        _ => ErrorClass::Unknown,
    }
}

/// A failure that was not retried because the client's retry quota is empty.
#[derive(Debug)]
#[non_exhaustive]
pub struct QuotaExhausted<C: VendorCode> {
    /// The failure the policy would have retried.
    pub failure: Box<Error<C>>,
}

impl<C: VendorCode> fmt::Display for QuotaExhausted<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "not retried: the client's retry quota is empty after repeated failures; {}",
            self.failure
        )
    }
}

impl<C: VendorCode> std::error::Error for QuotaExhausted<C> {}

impl<C: VendorCode> From<AuthError<C>> for Error<C> {
    fn from(e: AuthError<C>) -> Self {
        Error::Auth(Box::new(e))
    }
}

impl<C: VendorCode> From<ApiError<C>> for Error<C> {
    fn from(e: ApiError<C>) -> Self {
        Error::Api(Box::new(e))
    }
}

/// What a call was doing when its deadline passed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Phase {
    /// Waiting for a token (a renewal in flight, or the vendor's minimum interval).
    Token,
    /// An attempt was in flight.
    Attempt,
    /// Waiting before the next attempt.
    Backoff,
}

/// One failed attempt of a call.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct AttemptFailure {
    /// 1-based.
    pub attempt: u32,
    /// The failure's class.
    pub class: ErrorClass,
    /// The HTTP status, when a response arrived.
    pub status: Option<u16>,
    /// The error's `Display` (never holds a secret or a query string).
    pub message: String,
    /// Why the call went on, and how long it waited first; `None`: it stopped here.
    pub retried: Option<(&'static str, std::time::Duration)>,
}

/// A call that did not finish within its deadline.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct DeadlineExceeded {
    /// The deadline the call ran with.
    pub deadline: std::time::Duration,
    /// Attempts started, the interrupted one included.
    pub attempts: u32,
    /// What the call was doing when the deadline passed.
    pub interrupted: Phase,
    /// Every attempt that failed, in order.
    pub failures: Vec<AttemptFailure>,
}

impl fmt::Display for DeadlineExceeded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let doing = match self.interrupted {
            Phase::Token => "waiting for a token",
            Phase::Attempt => "an attempt was in flight",
            Phase::Backoff => "waiting to retry",
        };
        write!(
            f,
            "no result within {:?} ({} attempt{}; {doing})",
            self.deadline,
            self.attempts,
            if self.attempts == 1 { "" } else { "s" }
        )?;
        for a in &self.failures {
            write!(f, "; attempt {}: {} [{:?}]", a.attempt, a.message, a.class)?;
            if let Some((reason, delay)) = a.retried {
                write!(f, ", {reason} after {delay:?}")?;
            }
        }
        Ok(())
    }
}

impl std::error::Error for DeadlineExceeded {}

/// An error the vendor reported in its envelope.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ApiError<C> {
    /// HTTP status.
    pub status: u16,
    /// The vendor's code (`from_raw` of an empty string when the body carries none).
    pub code: C,
    /// The code as received.
    pub raw_code: Option<RawCode>,
    /// The vendor's message, made safe for logs ([`for_logs`]: control characters escaped,
    /// at most [`MAX_VENDOR_TEXT`] bytes); the exact text is in [`body`](Self::body).
    pub message: Option<String>,
    /// Per-field validation details (texts made safe for logs as `message`).
    pub details: Vec<FieldError>,
    /// Further envelope fields the spec keeps (`requestId`, `traceId`), by spec path.
    pub extra: BTreeMap<String, serde_json::Value>,
    /// The body as received.
    pub body: RawBody,
}

/// Recovers the values a vendor filled into a documented message template:
/// template `sku(%s) is exist` and message `sku(A-1) is exist` give `["A-1"]`.
/// `None` when the message does not follow the template.
pub fn placeholder_values(template: &str, message: &str) -> Option<Vec<String>> {
    let parts: Vec<&str> = template.split("%s").collect();
    let (first, rest) = parts.split_first()?;
    let mut remaining = message.strip_prefix(first)?;
    let mut values = Vec::new();
    for (i, literal) in rest.iter().enumerate() {
        let is_last = i + 1 == rest.len();
        // The last literal anchors at the end; others at their first occurrence.
        let end = if is_last {
            remaining
                .len()
                .checked_sub(literal.len())
                .filter(|&at| remaining[at..] == **literal)?
        } else if literal.is_empty() {
            return None; // `%s%s` is ambiguous
        } else {
            remaining.find(literal)?
        };
        values.push(remaining.get(..end)?.to_owned());
        remaining = remaining.get(end + literal.len()..)?;
    }
    if rest.is_empty() && !remaining.is_empty() {
        return None;
    }
    Some(values)
}

impl<C> ApiError<C> {
    /// An extra envelope field (`requestId`, `traceId`) by its spec path.
    pub fn extra(&self, name: &str) -> Option<&serde_json::Value> {
        self.extra.get(name)
    }
}

impl<C: VendorCode> fmt::Display for ApiError<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("vendor error")?;
        if let Some(code) = &self.raw_code {
            write!(f, " {code}")?;
        }
        write!(f, " (HTTP {})", self.status)?;
        if let Some(message) = &self.message {
            write!(f, ": {message}")?;
        }
        Ok(())
    }
}

impl<C: VendorCode> std::error::Error for ApiError<C> {}

/// Obtaining, renewing or authorizing a token failed. `Clone`: one renewal's failure is handed
/// to every caller waiting for it.
#[derive(Clone, Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError<C: VendorCode> {
    /// The token endpoint refused.
    #[error(
        "token request `{grant}` failed (HTTP {status}){}",
        code_and_message(raw_code, message)
    )]
    TokenEndpoint {
        /// The grant that ran.
        grant: &'static str,
        /// HTTP status.
        status: u16,
        /// The vendor's code, when the response carries one.
        code: Option<C>,
        /// The code as received.
        raw_code: Option<RawCode>,
        /// The vendor's message (`error_description`, envelope message), made safe for logs
        /// ([`for_logs`]); the exact text is in `body`.
        message: Option<String>,
        /// The body as received.
        body: RawBody,
    },
    /// The refresh token is dead or nothing can renew the token: a person must authorize again.
    #[error("authorization required: {reason}")]
    ReauthorizationRequired {
        /// Why.
        reason: String,
    },
    /// No token can be obtained before the call's deadline: the vendor's minimum interval
    /// since the last token request, or the client's backoff after a failed one, ends later.
    /// Returned at once instead of waiting for the deadline.
    #[error(
        "no token request is allowed before {next_request_at} ({reason}), after the call's deadline"
    )]
    NoTokenBeforeDeadline {
        /// When a token can next be requested.
        next_request_at: jiff::Timestamp,
        /// Why not earlier.
        reason: String,
    },
    /// The start-up token request (`fetch_on_start`) was refused as too frequent, and no token
    /// store is configured: replicas started together each request their own token and the
    /// vendor refuses all but one. [`Error::code`] and [`Error::class`] answer for the refusal.
    #[error(
        "{}; no token store shared by every replica is configured: replicas started \
         together each request a token at start-up and the vendor refuses all but one \
         (configure `token_store`, e.g. RedisTokenStore)",
        // An expression rather than `{refusal}`: thiserror would bound `Box<AuthError<C>>:
        // Display`, which the compiler cannot prove for a recursive type.
        refusal.to_string()
    )]
    NoSharedStore {
        /// The vendor's refusal.
        refusal: Box<AuthError<C>>,
    },
    /// The authorization callback's `state` differs from the one sent.
    #[error("authorization callback `state` does not match")]
    StateMismatch,
    /// Something the flow needs is not configured.
    #[error("not configured: {what}")]
    NotConfigured {
        /// What is missing.
        what: String,
    },
    /// The token request could not be sent or its response not read.
    #[error("token request `{grant}` to {url} failed")]
    Transport {
        /// The grant that ran.
        grant: &'static str,
        /// URL without query.
        url: String,
        /// The cause (stored without its URL; shared by the callers waiting for the request).
        #[source]
        source: std::sync::Arc<reqwest::Error>,
    },
    /// The token store failed where that cannot be ignored (a rotated refresh token could not
    /// be saved; the client keeps it in memory and saves it on the next renewal).
    #[error(transparent)]
    Store(super::token::StoreError),
    /// The token request timed out.
    #[error("token request `{grant}` to {url} timed out")]
    Timeout {
        /// The grant that ran.
        grant: &'static str,
        /// URL without query.
        url: String,
    },
    /// The token response could not be read. Its body is not kept: it may hold a token.
    #[error("token response of `{grant}` (HTTP {status}) unusable: {reason}")]
    Decode {
        /// The grant that ran.
        grant: &'static str,
        /// HTTP status.
        status: u16,
        /// What is wrong (never contains values from the response).
        reason: String,
    },
}

impl AuthError<RawCode> {
    /// The same failure with its vendor code classified by `C`'s table, exactly as the engine
    /// classifies a token endpoint's refusal ([`resolve_code`] over the raw code and status).
    pub(crate) fn classify<C: VendorCode>(self) -> AuthError<C> {
        match self {
            AuthError::TokenEndpoint {
                grant,
                status,
                code,
                raw_code,
                message,
                body,
            } => AuthError::TokenEndpoint {
                grant,
                status,
                code: code.map(|_| resolve_code(raw_code.as_ref(), status)),
                raw_code,
                message,
                body,
            },
            AuthError::ReauthorizationRequired { reason } => {
                AuthError::ReauthorizationRequired { reason }
            }
            AuthError::NoTokenBeforeDeadline {
                next_request_at,
                reason,
            } => AuthError::NoTokenBeforeDeadline {
                next_request_at,
                reason,
            },
            AuthError::NoSharedStore { refusal } => AuthError::NoSharedStore {
                refusal: Box::new(refusal.classify()),
            },
            AuthError::StateMismatch => AuthError::StateMismatch,
            AuthError::NotConfigured { what } => AuthError::NotConfigured { what },
            AuthError::Transport { grant, url, source } => {
                AuthError::Transport { grant, url, source }
            }
            AuthError::Store(e) => AuthError::Store(e),
            AuthError::Timeout { grant, url } => AuthError::Timeout { grant, url },
            AuthError::Decode {
                grant,
                status,
                reason,
            } => AuthError::Decode {
                grant,
                status,
                reason,
            },
        }
    }
}

impl<C: VendorCode> AuthError<C> {
    /// The token endpoint's refusal, also inside [`AuthError::NoSharedStore`].
    fn token_refusal(&self) -> Option<&AuthError<C>> {
        match self {
            AuthError::NoSharedStore { refusal } => Some(refusal),
            AuthError::TokenEndpoint { .. } => Some(self),
            _ => None,
        }
    }
}

fn code_and_message(code: &Option<RawCode>, message: &Option<String>) -> String {
    match (code, message) {
        (Some(c), Some(m)) => format!(": {c}: {m}"),
        (Some(c), None) => format!(": {c}"),
        (None, Some(m)) => format!(": {m}"),
        (None, None) => String::new(),
    }
}

#[cfg(test)]
mod placeholder_tests {
    use super::placeholder_values;

    #[test]
    fn recovers_values_filled_into_templates() {
        let cases: &[(&str, &str, Option<&[&str]>)] = &[
            ("sku(%s) is exist", "sku(A-1) is exist", Some(&["A-1"])),
            (
                "Product SKU: %s do not exist in the warehouse, please push the product first!",
                "Product SKU: X、Y do not exist in the warehouse, please push the product first!",
                Some(&["X、Y"]),
            ),
            (
                "The current status (%s) does not allow cancellation",
                "The current status (Shipped) does not allow cancellation",
                Some(&["Shipped"]),
            ),
            ("no placeholder", "no placeholder", Some(&[])),
            ("sku(%s) is exist", "something else", None),
            ("no placeholder", "different", None),
        ];
        for (template, message, expected) in cases {
            let expected = expected.map(|v| v.iter().map(|s| s.to_string()).collect::<Vec<_>>());
            assert_eq!(
                placeholder_values(template, message),
                expected,
                "{template} / {message}"
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_code_from_json() {
        let cases: &[(&str, Option<RawCode>)] = &[
            ("0", Some(RawCode::Int(0))),
            ("-5", Some(RawCode::Int(-5))),
            ("50017", Some(RawCode::Int(50017))),
            (
                r#""VALIDATION_ERROR""#,
                Some(RawCode::Str("VALIDATION_ERROR".into())),
            ),
            (r#""a\"b""#, Some(RawCode::Str("a\"b".into()))),
            ("1.5", Some(RawCode::Str("1.5".into()))),
            (
                "99999999999999999999",
                Some(RawCode::Str("99999999999999999999".into())),
            ),
            ("null", None),
            ("true", None),
            ("{}", None),
        ];
        for (json, want) in cases {
            let raw: &RawValue = serde_json::from_str(json).unwrap();
            assert_eq!(&RawCode::from_json(raw), want, "{json}");
        }
    }

    #[test]
    fn raw_code_int_and_string_forms_match() {
        assert!(RawCode::Int(200).same_as(&RawCode::Str("200".into())));
        assert!(RawCode::Str("0".into()).same_as(&RawCode::Int(0)));
        assert!(!RawCode::Int(200).same_as(&RawCode::Str("200x".into())));
        assert!(!RawCode::Int(1).same_as(&RawCode::Int(2)));
    }

    #[test]
    fn raw_body_debug_is_capped() {
        let long = RawBody::new(Bytes::from("é".repeat(2000)));
        let dbg = format!("{long:?}");
        assert!(dbg.chars().count() < 600, "{}", dbg.len());
        assert!(dbg.contains("4000 bytes"));
        let short = RawBody::new(Bytes::from_static(b"{\"a\":1}"));
        assert_eq!(format!("{short:?}"), r#"RawBody("{\"a\":1}")"#);
        assert_eq!(short.as_str(), "{\"a\":1}");
    }

    /// A failure reported at a status the vendor's table calls success (niumall: 200, 201)
    /// is not classed as success.
    #[test]
    fn a_success_status_never_classifies_a_failure() {
        #[derive(Clone, Debug, PartialEq)]
        enum StatusCode {
            Ok,
            NotFound,
            Other(RawCode),
        }
        impl VendorCode for StatusCode {
            fn from_raw(raw: &RawCode) -> Self {
                StatusCode::Other(raw.clone())
            }
            fn class(&self) -> ErrorClass {
                match self {
                    StatusCode::Ok => ErrorClass::Success,
                    StatusCode::NotFound => ErrorClass::Caller,
                    StatusCode::Other(_) => ErrorClass::Unknown,
                }
            }
            fn from_http_status(status: u16) -> Option<Self> {
                match status {
                    200 => Some(StatusCode::Ok),
                    404 => Some(StatusCode::NotFound),
                    _ => None,
                }
            }
        }
        let raw = RawCode::Str("E1".into());
        assert_eq!(
            resolve_code::<StatusCode>(Some(&raw), 200),
            StatusCode::Other(raw.clone())
        );
        assert_eq!(
            resolve_code::<StatusCode>(None, 200).class(),
            ErrorClass::Unknown
        );
        assert_eq!(
            resolve_code::<StatusCode>(Some(&raw), 404),
            StatusCode::NotFound
        );
    }

    #[test]
    fn class_and_code() {
        let e: Error<RawCode> = AuthError::ReauthorizationRequired { reason: "x".into() }.into();
        assert_eq!(e.class(), ErrorClass::Reauthorize);
        assert!(e.code().is_none());
        let e: Error<RawCode> = Error::Config("x".into());
        assert_eq!(e.class(), ErrorClass::Caller);
        assert!(e.raw_body().is_none());
    }

    /// Without a documented code, the kind of failure (or the HTTP status) classifies.
    #[test]
    fn errors_without_a_documented_code_are_classified_by_kind() {
        let body = || RawBody::new(Bytes::from_static(b"oops"));
        let status = |status| Error::<RawCode>::HttpStatus {
            status,
            body: body(),
        };
        let cases: Vec<(Error<RawCode>, ErrorClass)> = vec![
            (
                Error::InvalidRequest {
                    field: "page_size",
                    reason: "too big".into(),
                },
                ErrorClass::Caller,
            ),
            (
                Error::InsecureUrl {
                    url: "http://x".into(),
                },
                ErrorClass::Caller,
            ),
            (
                Error::Timeout {
                    method: "GET".into(),
                    url: "/x".into(),
                },
                ErrorClass::Retryable,
            ),
            (status(503), ErrorClass::Retryable),
            (status(429), ErrorClass::RateLimited),
            (status(401), ErrorClass::Auth),
            (status(403), ErrorClass::Auth),
            (status(404), ErrorClass::Caller),
            (AuthError::StateMismatch.into(), ErrorClass::Caller),
        ];
        for (error, class) in cases {
            assert_eq!(error.class(), class, "{error:?}");
        }
    }
}
