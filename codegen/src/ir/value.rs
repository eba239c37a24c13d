//! Auth values and steps lowered to the value language (`spec_lang`): operands parsed
//! (templates, arithmetic), the spec's shorthands (`md5_hex`, `hmac_sha256_hex`, the webhook
//! `signed_text`) spelled in the core operations.

use super::Lowering;
use crate::spec::model::{
    ApplyStep, CollectionName, KeyedValue, SortOrder, StepTarget, TimeUnit as SpecTimeUnit,
    UuidFormat as SpecUuidFormat, ValueExpr, ValueOp, WebhookSignature,
};
use crate::validate::values::{parse_arithmetic, parse_template};
use spec_lang::{
    Canonical, Collection, DigestAlg, Expr, SortBy, Step, Target, Text, TextEncoding, TimeUnit,
    UuidFormat, Value,
};

impl Lowering<'_> {
    pub(super) fn value(&mut self, path: &str, value: &ValueExpr) -> Value {
        let op = match value {
            ValueExpr::Template(text) => {
                return match parse_template(text) {
                    Ok(pieces) => Value::Template(pieces),
                    Err(e) => {
                        self.err(path, e);
                        Value::Template(Vec::new())
                    }
                };
            }
            ValueExpr::Op(op) => op,
        };
        let sub =
            |this: &mut Self, name: &str, v: &ValueExpr| this.value(&format!("{path}.{name}"), v);
        let keyed = |this: &mut Self, name: &str, k: &KeyedValue| {
            (
                this.value(&format!("{path}.{name}.key"), &k.key),
                this.value(&format!("{path}.{name}.data"), &k.data),
            )
        };
        let hmac = |alg, (key, data)| Value::hmac(alg, key, data);
        match op {
            ValueOp::Now(unit) => Value::Now(match unit {
                SpecTimeUnit::Seconds => TimeUnit::Seconds,
                SpecTimeUnit::Millis => TimeUnit::Millis,
            }),
            ValueOp::RandomDigits(n) => Value::RandomDigits(*n),
            ValueOp::Uuid(format) => Value::Uuid(match format {
                SpecUuidFormat::Hyphenated => UuidFormat::Hyphenated,
                SpecUuidFormat::Simple => UuidFormat::Simple,
            }),
            ValueOp::Md5Hex(inner) => Value::md5_hex(sub(self, "md5_hex", inner)),
            ValueOp::HmacSha256Hex { key, data } => Value::hmac_sha256_hex(
                sub(self, "hmac_sha256_hex.key", key),
                sub(self, "hmac_sha256_hex.data", data),
            ),
            ValueOp::SortedPairs { separator, pairs } => Value::SortedPairs(
                text(separator),
                pairs
                    .iter()
                    .map(|(k, v)| {
                        let at = format!("{path}.sorted_pairs.pairs.{k}");
                        (text(k), self.value(&at, v))
                    })
                    .collect(),
            ),
            ValueOp::Arithmetic(source) => match parse_arithmetic(source) {
                Ok(expr) => Value::Arithmetic(expr),
                Err(e) => {
                    self.err(&format!("{path}.arithmetic"), e);
                    Value::Arithmetic(Expr::Int(0))
                }
            },
            ValueOp::Concat(parts) => Value::Concat(
                parts
                    .iter()
                    .enumerate()
                    .map(|(i, v)| self.value(&format!("{path}.concat[{i}]"), v))
                    .collect(),
            ),
            ValueOp::Upper(v) => Value::upper(sub(self, "upper", v)),
            ValueOp::Lower(v) => Value::lower(sub(self, "lower", v)),
            ValueOp::Md5(v) => Value::digest(DigestAlg::Md5, sub(self, "md5", v)),
            ValueOp::Sha1(v) => Value::digest(DigestAlg::Sha1, sub(self, "sha1", v)),
            ValueOp::Sha256(v) => Value::digest(DigestAlg::Sha256, sub(self, "sha256", v)),
            ValueOp::HmacMd5(k) => hmac(DigestAlg::Md5, keyed(self, "hmac_md5", k)),
            ValueOp::HmacSha1(k) => hmac(DigestAlg::Sha1, keyed(self, "hmac_sha1", k)),
            ValueOp::HmacSha256(k) => hmac(DigestAlg::Sha256, keyed(self, "hmac_sha256", k)),
            ValueOp::RsaSha256(k) => {
                let (key, data) = keyed(self, "rsa_sha256", k);
                Value::rsa_sha256(key, data)
            }
            ValueOp::Hex(v) => Value::encode(TextEncoding::Hex, sub(self, "hex", v)),
            ValueOp::Base64(v) => Value::encode(TextEncoding::Base64, sub(self, "base64", v)),
            ValueOp::UrlEncode(v) => Value::encode(TextEncoding::Url, sub(self, "url_encode", v)),
            ValueOp::FormUrlEncode(v) => {
                Value::encode(TextEncoding::FormUrl, sub(self, "form_url_encode", v))
            }
            ValueOp::JsonString(v) => {
                Value::encode(TextEncoding::JsonString, sub(self, "json_string", v))
            }
            ValueOp::Time(t) => Value::time(text(&t.format), text(&t.zone)),
            ValueOp::Canonical(c) => Value::canonical(Canonical {
                from: match c.from {
                    CollectionName::Params => Collection::Params,
                    CollectionName::Query => Collection::Query,
                    CollectionName::Body => Collection::Body,
                },
                include: c
                    .include
                    .as_ref()
                    .map(|names| names.iter().map(text).collect()),
                exclude: c.exclude.iter().map(text).collect(),
                drop_empty: c.drop_empty,
                sort: match c.sort {
                    SortOrder::Key => SortBy::Key,
                    SortOrder::Pair => SortBy::Pair,
                    SortOrder::AsSent => SortBy::AsSent,
                },
                joiner: text(&c.joiner),
                separator: text(&c.separator),
            }),
        }
    }

    pub(super) fn step(&mut self, path: &str, step: &ApplyStep) -> Step {
        match (step.named(), step) {
            (Some(named), _) => {
                let target = match named.target {
                    StepTarget::Header => Target::Header,
                    StepTarget::Query => Target::Query,
                    StepTarget::Form => Target::Form,
                    StepTarget::Json => Target::Json,
                };
                let value = self.value(&format!("{path}.value"), named.value);
                Step::named(target, text(named.name), value)
            }
            (None, ApplyStep::Basic { username, password }) => Step::Basic {
                username: self.value(&format!("{path}.username"), username),
                password: self.value(&format!("{path}.password"), password),
            },
            (None, _) => unreachable!("only `basic` steps are unnamed"),
        }
    }
}

impl Lowering<'_> {
    /// The webhook signature as a recipe: `value` as written, or the `md5_hex` shorthand over
    /// `signed_text` (`{payload}` raw, `{secret}` as inside a JSON string, all else literal).
    pub(super) fn webhook_signature(&mut self, sig: &WebhookSignature) -> Value {
        if let Some(value) = &sig.value {
            return self.value("webhooks.signature.value", value);
        }
        let text = sig.signed_text.as_deref().unwrap_or_default();
        let mut parts = Vec::new();
        let mut literal = String::new();
        let mut rest = text;
        while let Some(c) = rest.chars().next() {
            let token = ["{payload}", "{secret}"]
                .into_iter()
                .find(|t| rest.starts_with(t));
            let Some(token) = token else {
                literal.push(c);
                rest = &rest[c.len_utf8()..];
                continue;
            };
            if !literal.is_empty() {
                parts.push(Value::lit(std::mem::take(&mut literal)));
            }
            parts.push(if token == "{payload}" {
                Value::var("payload")
            } else {
                Value::encode(TextEncoding::JsonString, Value::var(sig.secret.clone()))
            });
            rest = &rest[token.len()..];
        }
        if !literal.is_empty() {
            parts.push(Value::lit(literal));
        }
        Value::md5_hex(Value::Concat(parts))
    }
}

/// Owned text of the language (codegen reads specs at run time).
fn text(s: impl AsRef<str>) -> Text {
    Text::Owned(s.as_ref().to_owned())
}
