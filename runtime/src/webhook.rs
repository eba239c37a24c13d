//! Verifying webhook deliveries by recomputing the spec's signature recipe with the value
//! language the client signs requests with (`{payload}` the payload's raw JSON, `{body}` the
//! whole delivery, the credentials), and writing acknowledgement bodies.
//!
//! Rejections are traced (`webhook rejected`, with the reason only: never the signature, the
//! secret or the body).

use std::time::Duration;

use secrecy::SecretString;
use serde_json::value::RawValue;
use subtle::ConstantTimeEq;

use super::envelope::Fields;
use spec_lang::{Scope, Value};

/// Why a webhook delivery was rejected.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WebhookError {
    /// The body is not a JSON object (or similar structural problem).
    #[error("malformed webhook body: {0}")]
    Malformed(String),
    /// A required top-level field is absent.
    #[error("webhook body has no `{0}`")]
    MissingField(&'static str),
    /// The signature does not match.
    #[error("webhook signature does not match")]
    BadSignature,
    /// The payload does not decode into the event type.
    #[error("webhook payload could not be decoded")]
    Decode(#[source] serde_json::Error),
    /// The delivery's time is further from now than the accepted maximum age.
    #[error("webhook delivery is {age:?} away from now (more than {max_age:?})")]
    Stale {
        /// How far the delivery time is from now (either direction), whole seconds.
        age: Duration,
        /// The accepted maximum.
        max_age: Duration,
    },
}

fn rejected(reason: &'static str) {
    tracing::warn!(reason, "webhook rejected");
}

/// Rejects a delivery whose `timestamp` (Unix seconds, or milliseconds when above 10^11 —
/// a seconds value that large lies in the year 5138) is more than `max_age` from now, in
/// either direction (a sender's clock may run ahead).
pub fn check_age(timestamp: i64, max_age: Duration) -> Result<(), WebhookError> {
    check_age_at(timestamp, max_age, jiff::Timestamp::now())
}

fn check_age_at(
    timestamp: i64,
    max_age: Duration,
    now: jiff::Timestamp,
) -> Result<(), WebhookError> {
    let seconds = if timestamp.unsigned_abs() > 100_000_000_000 {
        timestamp / 1000
    } else {
        timestamp
    };
    let age = Duration::from_secs(now.as_second().abs_diff(seconds));
    if age > max_age {
        rejected("stale");
        return Err(WebhookError::Stale { age, max_age });
    }
    Ok(())
}

/// A delivery's discriminator (a JSON string) and its payload's exact bytes, without a JSON
/// tree; `None` when the body is not an object with both (the caller then reports why).
pub fn split_delivery<'a>(
    raw_body: &'a [u8],
    discriminator: &str,
    payload: &str,
) -> Option<(String, &'a RawValue)> {
    let fields = Fields::parse(raw_body).ok()?;
    let kind: String = serde_json::from_str(fields.get_top(discriminator)?.get()).ok()?;
    Some((kind, fields.get_top(payload)?))
}

/// The exact bytes of a top-level field, as received (what vendors sign).
pub fn raw_field<'a>(body: &'a [u8], field: &'static str) -> Result<&'a RawValue, WebhookError> {
    let fields = Fields::parse(body).map_err(|e| {
        rejected("malformed");
        WebhookError::Malformed(format!("not a JSON object ({e})"))
    })?;
    fields.get_top(field).ok_or_else(|| {
        rejected("missing_field");
        WebhookError::MissingField(field)
    })
}

/// Checks `signature` against the spec's recipe `expected`, evaluated with `{payload}` → the
/// payload's raw JSON as received, `{body}` → the whole delivery as received and
/// `{secret_name}` → the secret, in constant time. A lower-case hex recipe accepts the
/// signature in either case (vendors differ); other encodings compare exactly.
pub fn verify(
    expected: &Value,
    payload_raw: &str,
    raw_body: &[u8],
    secret_name: &'static str,
    secret: &SecretString,
    signature: &str,
) -> Result<(), WebhookError> {
    let body = std::str::from_utf8(raw_body).map_err(|_| {
        rejected("malformed");
        WebhookError::Malformed("the body is not UTF-8".into())
    })?;
    // Only what the recipe reads is copied into its scope: a delivery may be tens of MB.
    let (mut reads_payload, mut reads_body) = (false, false);
    expected.for_each_var(&mut |name| {
        reads_payload |= name == "payload";
        reads_body |= name == "body";
    });
    let mut scope = Scope::new();
    if reads_payload {
        scope.set("payload", payload_raw);
    }
    if reads_body {
        scope.set("body", body);
    }
    scope.set_secret(secret_name, secret.clone());
    // The recipe was checked when the spec was loaded; an evaluation error can only be a key
    // or format problem of this deployment, and must not print the secret.
    let expected = expected.eval(&scope, jiff::Timestamp::now()).map_err(|e| {
        rejected("signature_recipe");
        WebhookError::Malformed(format!("the signature recipe failed: {e}"))
    })?;
    let received = signature.trim();
    let lower_hex = !expected.is_empty()
        && expected
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    let received = if lower_hex {
        received.to_ascii_lowercase()
    } else {
        received.to_owned()
    };
    if bool::from(expected.as_bytes().ct_eq(received.as_bytes())) {
        Ok(())
    } else {
        rejected("bad_signature");
        Err(WebhookError::BadSignature)
    }
}

/// The failure acknowledgement: `{message}` replaced by the message, JSON-escaped (the template
/// puts it inside a JSON string).
pub fn ack_failure(template: &str, message: &str) -> String {
    let quoted = serde_json::Value::from(message).to_string();
    let escaped = quoted
        .get(1..quoted.len().saturating_sub(1))
        .unwrap_or_default();
    substitute(template, &[("{message}", escaped)])
}

fn substitute(template: &str, vars: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while !rest.is_empty() {
        match vars.iter().find(|(k, _)| rest.starts_with(k)) {
            Some((k, v)) => {
                out.push_str(v);
                rest = rest.get(k.len()..).unwrap_or_default();
            }
            None => {
                let mut chars = rest.chars();
                if let Some(c) = chars.next() {
                    out.push(c);
                }
                rest = chars.as_str();
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    use spec_lang::{DigestAlg, Piece, TextEncoding, md5_hex};

    /// jfwms's recipe: md5_hex of `{"data":` + payload + `,"clientSecret":"` + the secret as
    /// inside a JSON string + `"}`.
    fn recipe() -> Value {
        Value::md5_hex(Value::concat(vec![
            Value::template(&[
                Piece::Lit(r#"{"data":"#.into()),
                Piece::Var("payload".into()),
            ]),
            Value::template(&[Piece::Lit(r#","clientSecret":""#.into())]),
            Value::encode(
                TextEncoding::JsonString,
                Value::template(&[Piece::Var("client_secret".into())]),
            ),
            Value::template(&[Piece::Lit(r#""}"#.into())]),
        ]))
    }

    fn verify_payload(
        payload: &str,
        secret: &SecretString,
        signature: &str,
    ) -> Result<(), WebhookError> {
        verify(
            &recipe(),
            payload,
            b"{}",
            "client_secret",
            secret,
            signature,
        )
    }
    const BODY: &str = r#"{"timestamp":1706000000000,"type":"order","data":{"userId":"1","erpNo":"123123","skuList":[{"sku":"2309-1Bei","total":26}]}}"#;

    fn secret() -> SecretString {
        "4a506ccaf37e400bac4a42d2dc5f600a".into()
    }

    fn sign(payload: &str, secret: &str) -> String {
        md5_hex(format!(r#"{{"data":{payload},"clientSecret":"{secret}"}}"#).as_bytes())
    }

    #[test]
    fn raw_field_keeps_exact_bytes() {
        let data = raw_field(BODY.as_bytes(), "data").unwrap();
        assert_eq!(
            data.get(),
            r#"{"userId":"1","erpNo":"123123","skuList":[{"sku":"2309-1Bei","total":26}]}"#
        );
        assert!(matches!(
            raw_field(BODY.as_bytes(), "nope"),
            Err(WebhookError::MissingField("nope"))
        ));
        assert!(matches!(
            raw_field(b"[1]", "data"),
            Err(WebhookError::Malformed(_))
        ));
        assert!(matches!(
            raw_field(b"", "data"),
            Err(WebhookError::Malformed(_))
        ));
    }

    #[test]
    fn signature_cases() {
        let data = raw_field(BODY.as_bytes(), "data").unwrap().get();
        let good = sign(data, "4a506ccaf37e400bac4a42d2dc5f600a");
        let tampered = data.replace("26", "27");
        let cases: &[(&str, &str, &SecretString, bool)] = &[
            ("good", &good, &secret(), true),
            ("uppercase hex", &good.to_uppercase(), &secret(), true),
            ("wrong secret", &good, &"other".into(), false),
            ("truncated", &good[..31], &secret(), false),
            ("empty", "", &secret(), false),
        ];
        for (name, sig, secret, ok) in cases {
            assert_eq!(verify_payload(data, secret, sig).is_ok(), *ok, "{name}");
        }
        assert!(matches!(
            verify_payload(&tampered, &secret(), &good),
            Err(WebhookError::BadSignature)
        ));
    }

    #[test]
    fn payload_text_is_not_substituted() {
        let payload = r#"{"x":"{secret}"}"#;
        let sig = md5_hex(format!(r#"{{"data":{payload},"clientSecret":"s"}}"#).as_bytes());
        assert!(verify_payload(payload, &"s".into(), &sig).is_ok());
    }

    /// A recipe over the whole delivery, base64: compared exactly (base64 is case-sensitive).
    #[test]
    fn whole_body_base64_recipes() {
        let recipe = Value::encode(
            TextEncoding::Base64,
            Value::hmac(
                DigestAlg::Sha256,
                Value::template(&[Piece::Var("key".into())]),
                Value::template(&[Piece::Var("body".into())]),
            ),
        );
        let body = br#"{"type":"order","data":{}}"#;
        let key: SecretString = "k".into();
        let mut scope = Scope::new();
        scope.set("body", std::str::from_utf8(body).unwrap());
        scope.set_secret("key", key.clone());
        let good = recipe.eval(&scope, jiff::Timestamp::UNIX_EPOCH).unwrap();
        assert!(verify(&recipe, "{}", body, "key", &key, &good).is_ok());
        let flipped: String = good
            .chars()
            .map(|c| {
                if c.is_ascii_lowercase() {
                    c.to_ascii_uppercase()
                } else {
                    c.to_ascii_lowercase()
                }
            })
            .collect();
        assert!(verify(&recipe, "{}", body, "key", &key, &flipped).is_err());
        let other = br#"{"type":"x"}"#;
        assert!(verify(&recipe, "{}", other, "key", &key, &good).is_err());
        assert!(matches!(
            verify(&recipe, "{}", &[0xff, 0xfe], "key", &key, &good),
            Err(WebhookError::Malformed(_))
        ));
    }

    #[test]
    fn age_in_seconds_or_milliseconds() {
        let now: jiff::Timestamp = "2026-05-08T12:00:00Z".parse().unwrap();
        let t = now.as_second();
        let max = Duration::from_secs(300);
        let cases: &[(i64, bool)] = &[
            (t, true),
            (t - 300, true),
            (t - 301, false),
            (t + 301, false),
            (t * 1000 - 299_000, true),
            (t * 1000 - 301_000, false),
            (0, false),
            (i64::MIN, false),
            (i64::MAX, false),
        ];
        for (ts, ok) in cases {
            assert_eq!(check_age_at(*ts, max, now).is_ok(), *ok, "{ts}");
        }
    }

    #[test]
    fn ack_failure_escapes() {
        let t = r#"{"code":"1","msg":"{message}"}"#;
        assert_eq!(
            ack_failure(t, "bad \"sign\"\n"),
            r#"{"code":"1","msg":"bad \"sign\"\n"}"#
        );
        assert_eq!(
            ack_failure(t, "签名错误"),
            r#"{"code":"1","msg":"签名错误"}"#
        );
    }
}
