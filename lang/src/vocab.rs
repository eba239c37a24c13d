//! Words the spec, the generator, the runtime and the mock share beyond values: what an error
//! means for the caller, and the HTTP methods. Spelled in serde as the spec writes them
//! (`renew_token`, `POST`).

use serde::{Deserialize, Serialize};

/// What an error means for the caller: from the spec's error tables for vendor codes, from the
/// kind of failure otherwise.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "spec", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ErrorClass {
    /// Not an error.
    Success,
    /// Credentials are wrong or missing; retrying will not help.
    Auth,
    /// The access token is invalid or expired: renew it and send the call once more (the
    /// runtime does so once per call).
    RenewToken,
    /// A person must authorize again (refresh token or authorization code is dead).
    Reauthorize,
    /// The vendor rejected the nonce or timestamp (a replayed nonce): re-sign with fresh ones
    /// and send again, with backoff, a bounded number of times.
    Resign,
    /// The vendor found the request's timestamp outside its window: re-signed and sent once
    /// more at once; if that fails too, the local clock is probably wrong and retrying cannot
    /// help.
    ClockSkew,
    /// Transient; retrying later may succeed.
    Retryable,
    /// Called too often.
    RateLimited,
    /// The request is wrong; fix the input.
    Caller,
    /// The vendor refused for its own reasons.
    Vendor,
    /// No code, or a code the spec does not list (never written in a spec).
    Unknown,
}

/// An HTTP method an endpoint or token request uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "spec", derive(schemars::JsonSchema))]
#[serde(rename_all = "UPPERCASE")]
pub enum HttpMethod {
    /// `GET`.
    Get,
    /// `POST`.
    Post,
    /// `PUT`.
    Put,
    /// `PATCH`.
    Patch,
    /// `DELETE`.
    Delete,
}

impl HttpMethod {
    /// The method's name on the wire (`GET`).
    pub fn as_str(self) -> &'static str {
        match self {
            HttpMethod::Get => "GET",
            HttpMethod::Post => "POST",
            HttpMethod::Put => "PUT",
            HttpMethod::Patch => "PATCH",
            HttpMethod::Delete => "DELETE",
        }
    }
}
