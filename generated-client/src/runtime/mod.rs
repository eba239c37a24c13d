//! The hand-written runtime shared by every generated client.
//!
//! Generated vendor modules are thin and declarative (in the style of smithy-rs): for each API
//! they emit an [`ApiSpec`] — envelope layout, auth [`Step`]s written in the small [`Value`]
//! language, token grants and refresh policy — plus typed request/response structs and one
//! method per endpoint that builds a [`Request`] and calls [`Engine::send`]. Everything with
//! behaviour lives here, written and tested once:
//!
//! - [`value`]: templates, time, nonces, MD5/HMAC signatures, sorted pairs, integer arithmetic;
//! - [`auth`]: applying steps (headers, query parameters, HTTP Basic) in order;
//! - [`token`]: grants, token caching and single-flight renewal, persistence;
//! - [`envelope`]: locating success, code, message and data without re-encoding the data;
//! - [`engine`]: the one place requests are sent (timeouts, a deadline per call, no
//!   redirects, plain-HTTP rules, renew-once, retries, a trace span per call);
//! - [`error`]: one error type, generic over each vendor's generated code enum;
//! - [`retry`]: the retry policy (what is retried, backoff with full jitter, `Retry-After`);
//! - [`paginate`] and [`webhook`]: page streams and signed webhook deliveries;
//! - `record`: the serde impls of generated records (one `record!` line per field, the
//!   map walk compiled here once).
//!
//! Secrets (client secrets, tokens, passwords) never appear in `Debug`, `Display` or errors,
//! and URLs in errors never carry their query string.

pub mod auth;
pub mod builder;
pub mod codes;
pub mod engine;
pub mod envelope;
pub mod error;
pub mod paginate;
#[doc(hidden)]
pub mod record;
pub mod retry;
#[doc(hidden)]
pub mod text;
pub mod token;
pub mod webhook;

/// The value language (its data, analyses and interpreter), defined once in `spec_lang`.
pub use spec_lang as lang;

mod data;
mod secret;

mod transport;

#[cfg(test)]
mod test_support;

pub use builder::ClientBuilder;
pub use codes::{CodeInfo, CodeTable, StaticCode};
pub use engine::{
    ApiSpec, Body, CallOptions, Credentials, Engine, EngineBuilder, Request, StateMismatch,
    check_state, decode_response, decode_token_response, new_state,
};
pub use envelope::{EnvelopeSpec, Nested, Success};
pub use error::{
    ApiError, AttemptFailure, AuthError, DeadlineExceeded, Error, ErrorClass, FieldError,
    MAX_VENDOR_TEXT, NoSharedStore, Phase, QuotaExhausted, RawBody, RawCode, VendorCode, for_logs,
    placeholder_values,
};
pub use paginate::{DEFAULT_MAX_PAGE, Page, PaginationStop, pages, pages_with_max};
pub use retry::{RetryPolicy, RetryQuota, RetryReason};
pub use spec_lang::{
    Canonical, Case, Collection, DigestAlg, EvalError, Expr, Piece, Scope, SortBy, Step,
    TextEncoding, TimeUnit, UuidFormat, Value,
};
pub use token::{
    AuthorizeSpec, ClientAuth, Encoding, Grant, MemoryTokenStore, RefreshPolicy, TokenResponseSpec,
    TokenSpec, TokenState, TokenStore,
};
pub use transport::install_crypto_provider;
pub use webhook::{WebhookError, ack_failure, raw_field};

/// Re-exported so generated code and applications name the same secret type (and can read
/// [`TokenState`] tokens to persist them).
pub use secrecy::{ExposeSecret, SecretString};
pub use secret::SecretText;

// Every crate generated code names, re-exported so that code generated into any crate (a
// consumer's `OUT_DIR`, included prost-style) compiles with `generated-client` as its only
// dependency, and applications use the same versions without naming them in their manifests.
pub use futures_core;
pub use jiff;
pub use reqwest;
pub use rust_decimal;
pub use secrecy;
pub use serde;
pub use serde_json;

/// Paths generated code uses that are not part of the runtime's API.
#[doc(hidden)]
pub mod __private {
    /// Parameter values as path, query, form and header text.
    pub use super::text;
    /// Writes the serde impls of a generated record.
    pub use crate::__generated_record as record;
    /// The serde adapters for wire encodings (named by code generated before `record!`).
    pub use crate::wire;
}
