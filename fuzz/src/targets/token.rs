//! Target `token`: every vendor's generated `decode_token_response` (the runtime's
//! `decode_token_response` with that vendor's token spec).
//!
//! Input: a header line `<module> <status>` and the body. Seeds: the documents' token
//! examples, plus a success and an error body built from each spec's `auth.token.response`
//! paths (some vendors' documents show no token response). A decoded token whose text
//! shows up in the `Debug` output of the state is a leak and panics (reported as a crash).

use rand::RngExt;
use secrecy::ExposeSecret;
use serde_json::{Value, json};

use super::{error_kind, render_all};
use crate::harness::{Rng, Target};
use crate::mutate::{json as json_mutate, pick};
use crate::seeds::{self, set_path};
use codegen::spec::model::{Code, ParsesAs, Spec, SuccessRule};
use generated_client::runtime::{Error, TokenState, VendorCode};

type DecodeToken = fn(u16, &[u8]) -> String;

fn outcome<C: VendorCode>(result: Result<TokenState, Error<C>>) -> String {
    match result {
        Ok(state) => {
            let shown = format!("{state:?}");
            let token = state.access_token.expose_secret();
            if token.len() >= 8 && shown.contains(token) {
                panic!("the access token appears in the Debug output of TokenState");
            }
            match (&state.expires_at, &state.refresh_token) {
                (Some(_), Some(_)) => "ok/expiry/refresh".to_owned(),
                (Some(_), None) => "ok/expiry".to_owned(),
                (None, Some(_)) => "ok/refresh".to_owned(),
                (None, None) => "ok".to_owned(),
            }
        }
        Err(err) => {
            render_all(&err);
            error_kind(&err)
        }
    }
}

/// Every vendor's token decoder.
pub const TOKEN_DECODERS: &[(&str, DecodeToken)] = &[
    ("erp", |s, b| {
        outcome(generated_client::erp::decode_token_response(s, b))
    }),
    ("jfwms", |s, b| {
        outcome(generated_client::jfwms::decode_token_response(s, b))
    }),
    ("niumall", |s, b| {
        outcome(generated_client::niumall::decode_token_response(s, b))
    }),
    ("supercarrier8", |s, b| {
        outcome(generated_client::supercarrier8::decode_token_response(s, b))
    }),
    ("zhiyun", |s, b| {
        outcome(generated_client::zhiyun::decode_token_response(s, b))
    }),
];

const STATUSES: &[u16] = &[200, 200, 200, 400, 401, 403, 429, 500, 503, 0, 65535];

pub struct Token {
    seeds: Vec<Vec<u8>>,
}

impl Token {
    pub fn new(specs: &[Spec]) -> Token {
        let mut out = Vec::new();
        let mut push = |module: &str, status: u16, body: &str| {
            out.push(format!("{module} {status}\n{body}").into_bytes());
        };
        for ex in seeds::examples(specs) {
            if matches!(
                ex.parses_as,
                Some(
                    ParsesAs::TokenResponse(_) | ParsesAs::TokenError(_) | ParsesAs::ErrorResponse
                )
            ) {
                push(&ex.module, ex.status.unwrap_or(200), &ex.text);
            }
        }
        for spec in specs {
            for (status, body) in synthesized(spec) {
                push(&spec.module, status, &body.to_string());
            }
        }
        out.sort();
        out.dedup();
        Token { seeds: out }
    }
}

/// A success body and an error body shaped by the spec's token response paths.
fn synthesized(spec: &Spec) -> Vec<(u16, Value)> {
    let Some(token) = &spec.auth.token else {
        return Vec::new();
    };
    let r = &token.response;
    let mut data = json!({});
    set_path(&mut data, &r.access_token, json!("tok-0123456789abcdef"));
    if let Some(p) = &r.expires_in {
        set_path(&mut data, p, json!(7200));
    }
    if let Some(p) = &r.refresh_token {
        set_path(&mut data, p, json!("refresh-0123456789"));
    }
    for path in r.extra.values() {
        set_path(&mut data, path, json!("extra-value"));
    }
    let mut out = Vec::new();
    match (&spec.envelope, r.enveloped) {
        (Some(envelope), true) => {
            let mut ok = json!({});
            let mut failed = json!({});
            match &envelope.success {
                SuccessRule::CodeIn(codes) => {
                    if let (Some(code_path), Some(code)) = (&envelope.code, codes.first()) {
                        set_path(&mut ok, code_path, code_json(code));
                        set_path(&mut failed, code_path, json!(10009));
                    }
                }
                SuccessRule::FieldTrue(field) => {
                    set_path(&mut ok, field, json!(true));
                    set_path(&mut failed, field, json!(false));
                }
            }
            if let Some(message) = envelope.message.first() {
                set_path(&mut ok, message, json!("ok"));
                set_path(&mut failed, message, json!("refused"));
            }
            set_path(&mut ok, &envelope.data, data);
            out.push((200, ok));
            out.push((200, failed));
        }
        _ => {
            out.push((200, data));
            if let Some(error) = &r.error {
                let mut failed = json!({});
                set_path(&mut failed, &error.code, json!("invalid_grant"));
                if let Some(m) = &error.message {
                    set_path(&mut failed, m, json!("expired"));
                }
                out.push((400, failed));
            }
        }
    }
    out
}

fn code_json(code: &Code) -> Value {
    match code {
        Code::Int(i) => json!(i),
        Code::Str(s) => json!(s),
    }
}

fn parse_input(input: &[u8]) -> Option<(&'static (&'static str, DecodeToken), u16, &[u8])> {
    let newline = input.iter().position(|b| *b == b'\n')?;
    let head = std::str::from_utf8(&input[..newline]).ok()?;
    let (module, status) = head.split_once(' ')?;
    let decoder = TOKEN_DECODERS.iter().find(|(m, _)| *m == module)?;
    Some((decoder, status.parse().ok()?, &input[newline + 1..]))
}

impl Target for Token {
    fn name(&self) -> &'static str {
        "token"
    }

    fn seeds(&self) -> Vec<Vec<u8>> {
        self.seeds.clone()
    }

    fn mutate(&self, rng: &mut Rng, input: &[u8], other: &[u8]) -> Vec<u8> {
        let Some((mut decoder, mut status, body)) = parse_input(input) else {
            return input.to_vec();
        };
        let other_body = parse_input(other).map_or(other, |(_, _, b)| b);
        match rng.random_range(0..10u32) {
            0 => decoder = pick(rng, TOKEN_DECODERS),
            1 => status = *pick(rng, STATUSES),
            _ => {}
        }
        let mut out = format!("{} {status}\n", decoder.0).into_bytes();
        out.extend_from_slice(&json_mutate::mutate(rng, body, other_body));
        out
    }

    fn run(&self, input: &[u8]) -> String {
        match parse_input(input) {
            Some(((_, decode), status, body)) => decode(status, body),
            None => "bad-header".to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_vendor_has_a_token_seed_that_decodes() {
        let target = Token::new(&seeds::specs(&seeds::workspace_root()));
        for (module, _) in TOKEN_DECODERS {
            let decoded = target
                .seeds()
                .iter()
                .filter(|s| s.starts_with(format!("{module} ").as_bytes()))
                .any(|s| target.run(s).starts_with("ok"));
            assert!(decoded, "no seed of {module} decodes to a token");
        }
    }
}
