//! Auth values and steps lowered to trees the emitter walks: the value language with its
//! operands parsed (templates, arithmetic) and its choices named by the IR's own enums.

use super::Lowering;
use crate::spec::model::{
    ApplyStep, CollectionName, KeyedValue, SortOrder, StepTarget, TimeUnit, UuidFormat, ValueExpr,
    ValueOp, WebhookSignature,
};
use crate::validate::values::{Expr, Piece, parse_arithmetic, parse_template};

#[derive(Debug, Clone)]
pub enum ValueIr {
    Template(Vec<Piece>),
    Now(TimeUnit),
    RandomDigits(u8),
    Uuid(UuidFormat),
    Md5Hex(Box<ValueIr>),
    HmacSha256Hex {
        key: Box<ValueIr>,
        data: Box<ValueIr>,
    },
    SortedPairs {
        separator: String,
        pairs: Vec<(String, ValueIr)>,
    },
    Arithmetic(Expr),
    Concat(Vec<ValueIr>),
    Case(CaseIr, Box<ValueIr>),
    Digest(DigestIr, Box<ValueIr>),
    Hmac {
        alg: DigestIr,
        key: Box<ValueIr>,
        data: Box<ValueIr>,
    },
    RsaSha256 {
        key: Box<ValueIr>,
        data: Box<ValueIr>,
    },
    Encode(EncodingIr, Box<ValueIr>),
    Time {
        format: String,
        zone: String,
    },
    Canonical(CanonicalIr),
}

impl ValueIr {
    /// Every variable the value names (templates and arithmetic), in order.
    pub fn vars(&self, out: &mut Vec<String>) {
        match self {
            ValueIr::Template(pieces) => out.extend(pieces.iter().filter_map(|p| match p {
                Piece::Var(v) => Some(v.clone()),
                Piece::Lit(_) => None,
            })),
            ValueIr::Arithmetic(e) => e.vars(out),
            ValueIr::Now(_)
            | ValueIr::RandomDigits(_)
            | ValueIr::Uuid(_)
            | ValueIr::Time { .. }
            | ValueIr::Canonical(_) => {}
            ValueIr::Md5Hex(v)
            | ValueIr::Case(_, v)
            | ValueIr::Digest(_, v)
            | ValueIr::Encode(_, v) => v.vars(out),
            ValueIr::HmacSha256Hex { key, data }
            | ValueIr::Hmac { key, data, .. }
            | ValueIr::RsaSha256 { key, data } => {
                key.vars(out);
                data.vars(out);
            }
            ValueIr::SortedPairs { pairs, .. } => pairs.iter().for_each(|(_, v)| v.vars(out)),
            ValueIr::Concat(parts) => parts.iter().for_each(|v| v.vars(out)),
        }
    }

    /// Whether the value reads the variable `name` anywhere.
    pub fn reads_var(&self, name: &str) -> bool {
        let mut vars = Vec::new();
        self.vars(&mut vars);
        vars.iter().any(|v| v == name)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseIr {
    Upper,
    Lower,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DigestIr {
    Md5,
    Sha1,
    Sha256,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EncodingIr {
    Hex,
    Base64,
    Url,
    FormUrl,
    JsonString,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CollectionIr {
    Params,
    Query,
    Body,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortIr {
    Key,
    Pair,
    AsSent,
}

#[derive(Debug, Clone)]
pub struct CanonicalIr {
    pub from: CollectionIr,
    pub include: Option<Vec<String>>,
    pub exclude: Vec<String>,
    pub drop_empty: bool,
    pub sort: SortIr,
    pub joiner: String,
    pub separator: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetIr {
    Header,
    Query,
    Form,
    Json,
}

#[derive(Debug, Clone)]
pub enum StepIr {
    Named {
        target: TargetIr,
        name: String,
        value: ValueIr,
    },
    Basic {
        username: ValueIr,
        password: ValueIr,
    },
}

impl Lowering<'_> {
    pub(super) fn value(&mut self, path: &str, value: &ValueExpr) -> ValueIr {
        let op = match value {
            ValueExpr::Template(text) => {
                return match parse_template(text) {
                    Ok(pieces) => ValueIr::Template(pieces),
                    Err(e) => {
                        self.err(path, e);
                        ValueIr::Template(Vec::new())
                    }
                };
            }
            ValueExpr::Op(op) => op,
        };
        let sub = |this: &mut Self, name: &str, v: &ValueExpr| {
            Box::new(this.value(&format!("{path}.{name}"), v))
        };
        let keyed = |this: &mut Self, name: &str, k: &KeyedValue| {
            (
                Box::new(this.value(&format!("{path}.{name}.key"), &k.key)),
                Box::new(this.value(&format!("{path}.{name}.data"), &k.data)),
            )
        };
        match op {
            ValueOp::Now(unit) => ValueIr::Now(*unit),
            ValueOp::RandomDigits(n) => ValueIr::RandomDigits(*n),
            ValueOp::Uuid(format) => ValueIr::Uuid(*format),
            ValueOp::Md5Hex(inner) => ValueIr::Md5Hex(sub(self, "md5_hex", inner)),
            ValueOp::HmacSha256Hex { key, data } => ValueIr::HmacSha256Hex {
                key: sub(self, "hmac_sha256_hex.key", key),
                data: sub(self, "hmac_sha256_hex.data", data),
            },
            ValueOp::SortedPairs { separator, pairs } => ValueIr::SortedPairs {
                separator: separator.clone(),
                pairs: pairs
                    .iter()
                    .map(|(k, v)| {
                        let at = format!("{path}.sorted_pairs.pairs.{k}");
                        (k.clone(), self.value(&at, v))
                    })
                    .collect(),
            },
            ValueOp::Arithmetic(text) => match parse_arithmetic(text) {
                Ok(expr) => ValueIr::Arithmetic(expr),
                Err(e) => {
                    self.err(&format!("{path}.arithmetic"), e);
                    ValueIr::Arithmetic(Expr::Int(0))
                }
            },
            ValueOp::Concat(parts) => ValueIr::Concat(
                parts
                    .iter()
                    .enumerate()
                    .map(|(i, v)| self.value(&format!("{path}.concat[{i}]"), v))
                    .collect(),
            ),
            ValueOp::Upper(v) => ValueIr::Case(CaseIr::Upper, sub(self, "upper", v)),
            ValueOp::Lower(v) => ValueIr::Case(CaseIr::Lower, sub(self, "lower", v)),
            ValueOp::Md5(v) => ValueIr::Digest(DigestIr::Md5, sub(self, "md5", v)),
            ValueOp::Sha1(v) => ValueIr::Digest(DigestIr::Sha1, sub(self, "sha1", v)),
            ValueOp::Sha256(v) => ValueIr::Digest(DigestIr::Sha256, sub(self, "sha256", v)),
            ValueOp::HmacMd5(k) => hmac(DigestIr::Md5, keyed(self, "hmac_md5", k)),
            ValueOp::HmacSha1(k) => hmac(DigestIr::Sha1, keyed(self, "hmac_sha1", k)),
            ValueOp::HmacSha256(k) => hmac(DigestIr::Sha256, keyed(self, "hmac_sha256", k)),
            ValueOp::RsaSha256(k) => {
                let (key, data) = keyed(self, "rsa_sha256", k);
                ValueIr::RsaSha256 { key, data }
            }
            ValueOp::Hex(v) => ValueIr::Encode(EncodingIr::Hex, sub(self, "hex", v)),
            ValueOp::Base64(v) => ValueIr::Encode(EncodingIr::Base64, sub(self, "base64", v)),
            ValueOp::UrlEncode(v) => ValueIr::Encode(EncodingIr::Url, sub(self, "url_encode", v)),
            ValueOp::FormUrlEncode(v) => {
                ValueIr::Encode(EncodingIr::FormUrl, sub(self, "form_url_encode", v))
            }
            ValueOp::JsonString(v) => {
                ValueIr::Encode(EncodingIr::JsonString, sub(self, "json_string", v))
            }
            ValueOp::Time(t) => ValueIr::Time {
                format: t.format.clone(),
                zone: t.zone.clone(),
            },
            ValueOp::Canonical(c) => ValueIr::Canonical(CanonicalIr {
                from: match c.from {
                    CollectionName::Params => CollectionIr::Params,
                    CollectionName::Query => CollectionIr::Query,
                    CollectionName::Body => CollectionIr::Body,
                },
                include: c.include.clone(),
                exclude: c.exclude.clone(),
                drop_empty: c.drop_empty,
                sort: match c.sort {
                    SortOrder::Key => SortIr::Key,
                    SortOrder::Pair => SortIr::Pair,
                    SortOrder::AsSent => SortIr::AsSent,
                },
                joiner: c.joiner.clone(),
                separator: c.separator.clone(),
            }),
        }
    }

    pub(super) fn step(&mut self, path: &str, step: &ApplyStep) -> StepIr {
        match (step.named(), step) {
            (Some(named), _) => StepIr::Named {
                target: match named.target {
                    StepTarget::Header => TargetIr::Header,
                    StepTarget::Query => TargetIr::Query,
                    StepTarget::Form => TargetIr::Form,
                    StepTarget::Json => TargetIr::Json,
                },
                name: named.name.to_owned(),
                value: self.value(&format!("{path}.value"), named.value),
            },
            (None, ApplyStep::Basic { username, password }) => StepIr::Basic {
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
    pub(super) fn webhook_signature(&mut self, sig: &WebhookSignature) -> ValueIr {
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
                parts.push(ValueIr::Template(vec![Piece::Lit(std::mem::take(
                    &mut literal,
                ))]));
            }
            let var = |name: &str| ValueIr::Template(vec![Piece::Var(name.to_owned())]);
            parts.push(if token == "{payload}" {
                var("payload")
            } else {
                ValueIr::Encode(EncodingIr::JsonString, Box::new(var(&sig.secret)))
            });
            rest = &rest[token.len()..];
        }
        if !literal.is_empty() {
            parts.push(ValueIr::Template(vec![Piece::Lit(literal)]));
        }
        ValueIr::Md5Hex(Box::new(ValueIr::Concat(parts)))
    }
}

fn hmac(alg: DigestIr, (key, data): (Box<ValueIr>, Box<ValueIr>)) -> ValueIr {
    ValueIr::Hmac { alg, key, data }
}
