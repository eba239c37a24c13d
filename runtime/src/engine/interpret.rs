//! Interpreting a business response: envelope, vendor error codes, typed data.

use super::*;

/// Decodes a response's data from its JSON text, keeping the value for the caller.
pub(super) type Decoder<'a> = dyn FnMut(&str) -> Result<(), serde_json::Error> + 'a;

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
    let mut value = None;
    interpret_with(envelope, r, &mut |text| {
        value = Some(serde_json::from_str(text)?);
        Ok(())
    })?;
    value.ok_or_else(decoded_nothing)
}

/// The error for a decoder that reported success without a value: unreachable, since every
/// decoder here stores its value before it returns `Ok`.
pub(super) fn decoded_nothing<C: VendorCode>() -> Error<C> {
    Error::Config("the response decoder returned no value".into())
}

/// [`interpret`] with the typed decoding left to `decode`, which is given the data's JSON text
/// (so that everything else is compiled once, not once per response type).
pub(super) fn interpret_with<C: VendorCode>(
    envelope: Option<&EnvelopeSpec>,
    r: &Received,
    decode: &mut Decoder<'_>,
) -> Result<(), Error<C>> {
    let status = r.status;
    let mut decode = |what, data: &str| {
        decode(data).map_err(|source| Error::Decode {
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
        Ok(Outcome::Success(data)) if r.is_success() => decode("response data", &data),
        Ok(Outcome::Success(_)) => Err(http_status()),
        Ok(Outcome::Failure(f)) => Err(ApiError {
            status,
            code: crate::error::resolve_code(f.raw_code.as_ref(), status),
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
