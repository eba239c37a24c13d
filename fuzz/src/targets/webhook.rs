//! Target `webhook`: jfwms `verify_and_parse` (the only vendor with signed webhooks).
//!
//! Input: a header line naming how to sign (`valid`, `valid-upper`, `valid-escaped-secret`,
//! `wrong`, `empty`) and the delivery body. The signature is recomputed over the mutated
//! body's raw `data` bytes as the document prescribes (md5 of
//! `{"data":<data>,"clientSecret":"<secret>"}`), so most executions pass the check and
//! reach the parser behind it. Two properties are checked as panics: a correctly signed
//! delivery is never rejected as `BadSignature`, and a wrongly signed one is never accepted.

use md5::{Digest, Md5};
use rand::RngExt;
use secrecy::SecretString;

use super::{find_source, normalize_message, render_all};
use crate::harness::{Rng, Target};
use crate::mutate::{json, pick};
use crate::seeds;
use codegen::spec::model::{ParsesAs, Spec};
use generated_client::jfwms;
use generated_client::runtime::WebhookError;

const MODES: &[&str] = &[
    "valid",
    "valid",
    "valid",
    "valid-upper",
    "valid-escaped-secret",
    "wrong",
    "empty",
];
const SECRET: &str = "4a506ccaf37e400bac4a42d2dc5f600a";
/// A secret that needs JSON escaping inside the signed text.
const ESCAPED_SECRET: &str = "se\"cr\\et/科\u{1}";

pub struct Webhook {
    seeds: Vec<Vec<u8>>,
}

impl Webhook {
    pub fn new(specs: &[Spec]) -> Webhook {
        let seeds = seeds::examples(specs)
            .into_iter()
            .filter(|ex| matches!(ex.parses_as, Some(ParsesAs::Webhook)))
            .flat_map(|ex| {
                ["valid", "wrong"].map(|mode| format!("{mode}\n{}", ex.text).into_bytes())
            })
            .collect();
        Webhook { seeds }
    }
}

/// The top-level `data` value's raw bytes, found without the runtime's code: the runtime
/// must agree with this independent reading for a valid signature to pass.
fn raw_data(body: &[u8]) -> Option<&str> {
    #[derive(serde::Deserialize)]
    struct Top<'a> {
        #[serde(borrow)]
        data: &'a serde_json::value::RawValue,
    }
    let top: Top<'_> = serde_json::from_slice(body).ok()?;
    Some(top.data.get())
}

fn sign(data: &str, secret: &str) -> String {
    // The secret as the vendor's JSON serializer writes it inside quotes.
    let quoted = serde_json::to_string(secret).unwrap_or_default();
    let escaped = &quoted[1..quoted.len() - 1];
    let text = format!("{{\"data\":{data},\"clientSecret\":\"{escaped}\"}}");
    hex::encode(Md5::digest(text.as_bytes()))
}

impl Target for Webhook {
    fn name(&self) -> &'static str {
        "webhook"
    }

    fn seeds(&self) -> Vec<Vec<u8>> {
        self.seeds.clone()
    }

    fn mutate(&self, rng: &mut Rng, input: &[u8], other: &[u8]) -> Vec<u8> {
        let (mode, body) = split(input);
        let (_, other_body) = split(other);
        let mode = if rng.random_range(0..8u32) == 0 {
            pick(rng, MODES)
        } else {
            mode
        };
        let mut out = format!("{mode}\n").into_bytes();
        out.extend_from_slice(&json::mutate(rng, body, other_body));
        out
    }

    fn run(&self, input: &[u8]) -> String {
        let (mode, body) = split(input);
        let secret = if mode == "valid-escaped-secret" {
            ESCAPED_SECRET
        } else {
            SECRET
        };
        let data = raw_data(body);
        let valid = data.map(|d| sign(d, secret));
        let signature = match (mode, &valid) {
            ("empty", _) | (_, None) => String::new(),
            ("valid-upper", Some(sig)) => sig.to_uppercase(),
            ("wrong", Some(sig)) => {
                // Change one hex digit: never a valid signature.
                let mut s = sig.clone().into_bytes();
                s[0] = if s[0] == b'0' { b'1' } else { b'0' };
                String::from_utf8(s).unwrap_or_default()
            }
            (_, Some(sig)) => sig.clone(),
        };
        let signed_correctly = valid.is_some() && !matches!(mode, "wrong" | "empty");
        let result = jfwms::verify_and_parse(body, &signature, &SecretString::from(secret));
        match result {
            Ok(delivery) => {
                assert!(
                    signed_correctly,
                    "a delivery with a wrong signature was accepted"
                );
                std::hint::black_box(format!("{delivery:?}"));
                match delivery.event {
                    jfwms::WebhookEvent::Unknown { .. } => "ok/unknown-kind".to_owned(),
                    event => format!("ok/{}", event.kind()),
                }
            }
            Err(err) => {
                render_all(&err);
                let bad_signature = matches!(err, WebhookError::BadSignature);
                assert!(
                    !(signed_correctly && bad_signature),
                    "a correctly signed delivery was rejected as BadSignature"
                );
                let variant: String = format!("{err:?}")
                    .chars()
                    .take_while(|c| c.is_alphanumeric())
                    .collect();
                match find_source::<serde_json::Error>(&err) {
                    Some(json) => format!(
                        "err:{variant}/{:?}: {}",
                        json.classify(),
                        normalize_message(&json.to_string())
                    ),
                    None => format!("err:{variant}: {}", normalize_message(&err.to_string())),
                }
            }
        }
    }
}

/// The mode line and the body (an input without a newline is all body, signed `valid`).
fn split(input: &[u8]) -> (&'static str, &[u8]) {
    let Some(newline) = input.iter().position(|b| *b == b'\n') else {
        return ("valid", input);
    };
    let mode = MODES
        .iter()
        .find(|m| m.as_bytes() == &input[..newline])
        .copied()
        .unwrap_or("valid");
    (mode, &input[newline + 1..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_seeds_pass_and_wrongly_signed_seeds_fail() {
        let target = Webhook::new(&seeds::specs(&seeds::workspace_root()));
        let seeds = target.seeds();
        assert!(seeds.len() >= 10, "{} seeds", seeds.len());
        for seed in &seeds {
            let outcome = target.run(seed);
            if seed.starts_with(b"valid\n") {
                assert!(outcome.starts_with("ok/"), "{outcome}");
            } else {
                assert!(outcome.starts_with("err:BadSignature"), "{outcome}");
            }
        }
    }
}
