//! Interpreting a business response: envelope, vendor error codes, typed data.

use super::*;

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
            retry_after: None,
        },
    )
}

/// Decodes a business response: the envelope's data (or the whole body) as `T`, else the error.
pub(super) fn interpret<T: DeserializeOwned, C: VendorCode>(
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
            code: crate::runtime::error::resolve_code(f.raw_code.as_ref(), status),
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
