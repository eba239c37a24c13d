//! The runtime every generated client runs on: signing, tokens, retries, transport, errors,
//! decoding and webhooks, written and tested once.
//!
//! A generated module is thin and declarative (in the style of smithy-rs): it describes its
//! API as data (envelope layout, auth steps in the value language of `spec_lang`, token
//! grants, refresh policy, error-code tables) and has one small method per endpoint; the
//! behaviour is here. What an application names is at this crate's root:
//!
//! - configuring a client: [`ClientBuilder`] (every generated `Client::builder` returns one),
//!   [`CallOptions`] (per call, through the generated `Client::with_options`),
//!   [`RetryPolicy`] and [`RetryQuota`];
//! - failures: [`Error`] (generic over the vendor's generated `ErrorCode`), its [`ErrorClass`]
//!   and the details it carries ([`ApiError`], [`AuthError`], [`DeadlineExceeded`], …);
//! - tokens shared between processes: the [`TokenStore`] trait, [`MemoryTokenStore`],
//!   `RedisTokenStore` (feature `redis`), [`TokenState`] and [`check_store_protocol`] for
//!   your own store;
//! - [`SecretText`] (secret response fields), [`PaginationStop`], [`WebhookError`];
//! - the crates whose types appear in generated APIs: [`jiff`], [`reqwest`],
//!   [`rust_decimal`], [`secrecy`], [`serde`], [`serde_json`], [`futures_core`].
//!
//! Everything generated code needs beyond that lives under `__private`: not part of the API,
//! free to change with the generator that writes code against it.
//!
//! Secrets (client secrets, tokens, passwords) never appear in `Debug`, `Display` or errors,
//! and URLs in errors never carry their query string.

#![warn(missing_docs)]

mod auth;
mod builder;
mod codes;
mod data;
mod engine;
mod envelope;
mod error;
mod paginate;
// The record walk the `record!` macro expands to (`$crate::record`): hidden, not API.
#[doc(hidden)]
pub mod record;
mod retry;
mod secret;
mod text;
mod token;
mod transport;
mod webhook;
#[doc(hidden)]
pub mod wire;

#[cfg(test)]
mod test_support;

pub use builder::ClientBuilder;
pub use engine::CallOptions;
pub use error::{
    ApiError, AttemptFailure, AuthError, DeadlineExceeded, Error, ErrorClass, FieldError, Phase,
    QuotaExhausted, RawBody, RawCode, VendorCode,
};
pub use paginate::PaginationStop;
pub use retry::{RetryPolicy, RetryQuota};
pub use secret::SecretText;
#[cfg(feature = "redis")]
pub use token::RedisTokenStore;
pub use token::{
    ClientAuth, Lease, MemoryTokenStore, Saved, StoreError, StoreFuture, Stored, TokenState,
    TokenStore, check_store_protocol,
};
pub use webhook::WebhookError;

// Every crate generated code names, re-exported so that code generated into any crate (a
// consumer's `OUT_DIR`, included prost-style) compiles with this crate as its only
// dependency, and applications use the same versions without naming them in their manifests.
pub use futures_core;
pub use jiff;
pub use reqwest;
pub use rust_decimal;
pub use secrecy;
pub use serde;
pub use serde_json;

/// What generated code names beyond the public API: the API described as data, the engine it
/// is handed to, request plumbing, record and parameter encodings, the value language.
/// Not part of the API (hidden, and free to change with the generator).
#[doc(hidden)]
pub mod __private {
    pub use crate::builder::EngineBuilder;
    pub use crate::codes::{CodeInfo, CodeTable, StaticCode};
    pub use crate::engine::{
        ApiSpec, Body, Credentials, DEFAULT_DEADLINE, Engine, MAX_RESIGNS, Request, StateMismatch,
        check_state, decode_response, decode_token_response, new_state,
    };
    pub use crate::envelope::{EnvelopeSpec, Nested, Success};
    pub use crate::error::{MAX_VENDOR_TEXT, for_logs, placeholder_values};
    pub use crate::paginate::{DEFAULT_MAX_PAGE, Page, pages, pages_with_max};
    pub use crate::token::{
        AuthorizeSpec, Encoding, Grant, RefreshPolicy, TokenResponseSpec, TokenSpec,
    };
    pub use crate::transport::install_crypto_provider;
    /// HTTP methods (reqwest's), named by every generated request.
    pub use reqwest::Method;
    /// Signed webhook deliveries: verification over the exact bytes, field access, answers.
    pub mod webhook {
        pub use crate::webhook::*;
    }
    /// The value language (its data, analyses and interpreter), defined once in `spec_lang`.
    pub use spec_lang as lang;
    /// Parameter values as path, query, form and header text.
    pub mod text {
        pub use crate::text::*;
    }
    /// Writes the serde impls of a generated record.
    pub use crate::__generated_record as record;
    /// The serde adapters for wire encodings (named by code generated before `record!`).
    pub use crate::wire;
    /// Optional parts of the runtime a generated module needs, one constant each: a module
    /// whose spec uses MD5 names `requires::MD5`, so compiling it without the `md5` feature
    /// fails at that name instead of signing wrongly at run time.
    pub mod requires {
        /// Present with the `md5` feature (`md5`, `hmac_md5`, `md5_hex`, md5-signed webhooks):
        /// `spec-runtime = { features = ["md5"] }`.
        #[cfg(feature = "md5")]
        pub const MD5: () = ();
    }
}
