//! The value language checked where it is written: every variable defined at its use, every
//! operand of the right kind (text or bytes), canonical strings and `{params.…}` only where a
//! request exists, RSA keys only from secret credentials, time zones and formats that exist,
//! body targets only on endpoints with that body.

use std::collections::BTreeSet;

use indexmap::IndexMap;
use spec_lang::{
    Canonical, Collection, DigestAlg, Kind, Piece, SortBy, Step, Target, Text, TextEncoding,
    TimeUnit, UuidFormat, Value,
};

use super::Checker;
use super::values::{parse_arithmetic, parse_template};
use crate::spec::model::{
    ApplyStep, BodyEncoding, CollectionName, HttpMethod, KeyedValue, ParamLocation, SortOrder,
    StepTarget, TimeUnit as SpecTimeUnit, UuidFormat as SpecUuidFormat, ValueExpr, ValueOp,
};

/// Request facts every auth step may read (`host`, `query` and `body` as sent so far).
pub const REQUEST_VARS: &[&str] = &["method", "path", "host", "query", "body"];

/// The prefix of `{params.NAME}`.
const PARAMS: &str = spec_lang::PARAM_PREFIX;

/// What a value may read where it is written.
pub(super) struct Reads<'a> {
    /// Variables defined here.
    pub names: &'a BTreeSet<String>,
    /// Credentials declared `secret: true`.
    pub secrets: &'a BTreeSet<String>,
    /// Parameters every request carrying this value sends (`None` outside `auth.apply`,
    /// where no request parameters exist).
    pub params: Option<&'a BTreeSet<String>>,
    /// Parameters some request carrying this value may send (what `canonical.include` and
    /// `exclude` may name); empty outside `auth.apply`.
    pub carried: &'a BTreeSet<String>,
}

/// The value language as validation parsed it: what `ir::lower` consumes, never parsed again.
#[derive(Debug, Clone, Default)]
pub struct Recipe {
    /// `auth.apply`, in order.
    pub apply: Vec<Step>,
    /// Each grant's `fields`, by grant name, in spec order.
    pub grant_fields: IndexMap<String, Vec<(String, Value)>>,
    /// `auth.token.authorize.params`, in spec order.
    pub authorize_params: Vec<(String, Value)>,
    /// The webhook signature: the `value` recipe, or the `signed_text` shorthand spelled in the
    /// language.
    pub webhook_signature: Option<Value>,
}

impl Checker<'_> {
    /// Parses a value that must give text (a header, parameter or field), reporting every
    /// problem inside it.
    pub(super) fn check_value(
        &mut self,
        path: &str,
        value: &ValueExpr,
        reads: &Reads<'_>,
    ) -> Value {
        let parsed = self.parse_value(path, value, reads);
        if parsed.kind() == Kind::Bytes {
            self.err(
                path,
                format!(
                    "{} gives bytes, not text: wrap it in `hex` or `base64`",
                    describe(value)
                ),
            );
        }
        parsed
    }

    /// The value in the language, after reporting every problem inside it. What cannot be
    /// parsed is reported and stands as an empty template (validation then fails, so it is
    /// never lowered).
    fn parse_value(&mut self, path: &str, value: &ValueExpr, reads: &Reads<'_>) -> Value {
        let op = match value {
            ValueExpr::Template(text) => {
                return match parse_template(text) {
                    Ok(pieces) => {
                        for piece in &pieces {
                            if let Piece::Var(var) = piece {
                                self.check_var(path, var, reads);
                            }
                        }
                        Value::Template(pieces)
                    }
                    Err(msg) => {
                        self.err(path, msg);
                        Value::Template(Vec::new())
                    }
                };
            }
            ValueExpr::Op(op) => op,
        };
        let text = |this: &mut Self, name: &str, v: &ValueExpr| {
            let at = format!("{path}.{name}");
            let parsed = this.parse_value(&at, v, reads);
            if parsed.kind() == Kind::Bytes {
                this.err(
                    &at,
                    format!(
                        "`{}` needs text, but {} gives bytes: wrap it in `hex` or `base64`",
                        name.split(['[', '.']).next().unwrap_or(name),
                        describe(v)
                    ),
                );
            }
            parsed
        };
        let any = |this: &mut Self, name: &str, v: &ValueExpr| {
            this.parse_value(&format!("{path}.{name}"), v, reads)
        };
        let keyed = |this: &mut Self, name: &str, k: &KeyedValue| {
            (
                any(this, &format!("{name}.key"), &k.key),
                any(this, &format!("{name}.data"), &k.data),
            )
        };
        let hmac = |alg, (key, data)| Value::hmac(alg, key, data);
        match op {
            ValueOp::Now(unit) => Value::Now(match unit {
                SpecTimeUnit::Seconds => TimeUnit::Seconds,
                SpecTimeUnit::Millis => TimeUnit::Millis,
            }),
            ValueOp::RandomDigits(n) => {
                if *n == 0 || *n > 18 {
                    self.err(
                        &format!("{path}.random_digits"),
                        "random_digits must be between 1 and 18",
                    );
                }
                Value::RandomDigits(*n)
            }
            ValueOp::Uuid(format) => Value::Uuid(match format {
                SpecUuidFormat::Hyphenated => UuidFormat::Hyphenated,
                SpecUuidFormat::Simple => UuidFormat::Simple,
            }),
            ValueOp::Md5Hex(inner) => Value::md5_hex(any(self, "md5_hex", inner)),
            ValueOp::HmacSha256Hex { key, data } => Value::hmac_sha256_hex(
                any(self, "hmac_sha256_hex.key", key),
                any(self, "hmac_sha256_hex.data", data),
            ),
            ValueOp::SortedPairs { separator, pairs } => Value::SortedPairs(
                owned(separator),
                pairs
                    .iter()
                    .map(|(k, v)| (owned(k), text(self, &format!("sorted_pairs.pairs.{k}"), v)))
                    .collect(),
            ),
            ValueOp::Arithmetic(src) => match parse_arithmetic(src) {
                Ok(expr) => {
                    let mut used = Vec::new();
                    expr.for_each_var(&mut |v| used.push(v.to_owned()));
                    for var in used {
                        self.check_var(path, &var, reads);
                    }
                    Value::Arithmetic(expr)
                }
                Err(msg) => {
                    self.err(&format!("{path}.arithmetic"), msg);
                    Value::Template(Vec::new())
                }
            },
            ValueOp::Concat(parts) => {
                if parts.is_empty() {
                    self.err(
                        &format!("{path}.concat"),
                        "`concat` needs at least one value",
                    );
                }
                Value::Concat(
                    parts
                        .iter()
                        .enumerate()
                        .map(|(i, part)| text(self, &format!("concat[{i}]"), part))
                        .collect(),
                )
            }
            ValueOp::Upper(v) => Value::upper(text(self, "upper", v)),
            ValueOp::Lower(v) => Value::lower(text(self, "lower", v)),
            ValueOp::UrlEncode(v) => Value::encode(TextEncoding::Url, text(self, "url_encode", v)),
            ValueOp::FormUrlEncode(v) => {
                Value::encode(TextEncoding::FormUrl, text(self, "form_url_encode", v))
            }
            ValueOp::JsonString(v) => {
                Value::encode(TextEncoding::JsonString, text(self, "json_string", v))
            }
            ValueOp::Hex(v) => Value::encode(TextEncoding::Hex, any(self, "hex", v)),
            ValueOp::Base64(v) => Value::encode(TextEncoding::Base64, any(self, "base64", v)),
            ValueOp::Md5(v) => Value::digest(DigestAlg::Md5, any(self, "md5", v)),
            ValueOp::Sha1(v) => Value::digest(DigestAlg::Sha1, any(self, "sha1", v)),
            ValueOp::Sha256(v) => Value::digest(DigestAlg::Sha256, any(self, "sha256", v)),
            ValueOp::HmacMd5(k) => hmac(DigestAlg::Md5, keyed(self, "hmac_md5", k)),
            ValueOp::HmacSha1(k) => hmac(DigestAlg::Sha1, keyed(self, "hmac_sha1", k)),
            ValueOp::HmacSha256(k) => hmac(DigestAlg::Sha256, keyed(self, "hmac_sha256", k)),
            ValueOp::RsaSha256(k) => {
                let (key, data) = keyed(self, "rsa_sha256", k);
                self.check_rsa_key(&format!("{path}.rsa_sha256.key"), &key, reads);
                Value::rsa_sha256(key, data)
            }
            ValueOp::Time(t) => {
                self.check_time(&format!("{path}.time"), &t.format, &t.zone);
                Value::time(owned(&t.format), owned(&t.zone))
            }
            ValueOp::Canonical(c) => {
                if reads.params.is_none() {
                    self.err(
                        &format!("{path}.canonical"),
                        "`canonical` reads a request's parameters: only `auth.apply` steps can use it",
                    );
                } else {
                    let named = c
                        .include
                        .iter()
                        .flatten()
                        .enumerate()
                        .map(|(i, n)| (format!("{path}.canonical.include[{i}]"), n))
                        .chain(
                            c.exclude
                                .iter()
                                .enumerate()
                                .map(|(i, n)| (format!("{path}.canonical.exclude[{i}]"), n)),
                        );
                    for (at, name) in named {
                        if !reads.carried.contains(name) {
                            let known: Vec<&str> =
                                reads.carried.iter().map(String::as_str).collect();
                            let hint = crate::spec::schema::closest(name, &known)
                                .map(|k| format!(" (did you mean `{k}`?)"))
                                .unwrap_or_default();
                            self.err(
                                &at,
                                format!(
                                    "no request sends a parameter `{name}`{hint}: name a query or body parameter of an authenticated endpoint, a token request's field or an auth step's output"
                                ),
                            );
                        }
                    }
                }
                Value::canonical(Canonical {
                    from: match c.from {
                        CollectionName::Params => Collection::Params,
                        CollectionName::Query => Collection::Query,
                        CollectionName::Body => Collection::Body,
                    },
                    include: c
                        .include
                        .as_ref()
                        .map(|names| names.iter().map(owned).collect()),
                    exclude: c.exclude.iter().map(owned).collect(),
                    drop_empty: c.drop_empty,
                    sort: match c.sort {
                        SortOrder::Key => SortBy::Key,
                        SortOrder::Pair => SortBy::Pair,
                        SortOrder::AsSent => SortBy::AsSent,
                    },
                    joiner: owned(&c.joiner),
                    separator: owned(&c.separator),
                })
            }
        }
    }

    fn check_var(&mut self, path: &str, var: &str, reads: &Reads<'_>) {
        if let Some(param) = var.strip_prefix(PARAMS) {
            match reads.params {
                None => self.err(
                    path,
                    format!(
                        "`{{{var}}}` reads a request parameter: only `auth.apply` steps can use it"
                    ),
                ),
                Some(params) if !params.contains(param) => self.err(
                    path,
                    format!(
                        "`{{{var}}}`: not every authenticated endpoint sends a parameter `{param}` \
                         (nor does an earlier step); parameters all of them send: {}",
                        params.iter().cloned().collect::<Vec<_>>().join(", ")
                    ),
                ),
                Some(_) => {}
            }
            return;
        }
        if !reads.names.contains(var) {
            let known: Vec<&str> = reads
                .names
                .iter()
                .map(String::as_str)
                .filter(|n| {
                    n.chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
                })
                .collect();
            self.err(
                path,
                format!(
                    "`{var}` is not defined here; available: {}",
                    known.join(", ")
                ),
            );
        }
    }

    /// An RSA key is a whole secret credential: `"{private_key}"`, nothing around it.
    fn check_rsa_key(&mut self, path: &str, key: &Value, reads: &Reads<'_>) {
        let secret = match key {
            Value::Template(pieces) => match pieces.as_slice() {
                [Piece::Var(name)] => reads.secrets.contains(name.as_ref()),
                _ => false,
            },
            _ => false,
        };
        if !secret {
            self.err(
                path,
                "the RSA key must be a credential declared `secret: true`, written \"{name}\" \
                 (a PEM private key is a secret: it must never reach Debug output or logs)",
            );
        }
    }

    fn check_time(&mut self, path: &str, format: &str, zone: &str) {
        let sample = jiff::Timestamp::UNIX_EPOCH;
        match sample.in_tz(zone) {
            Err(_) => self.err(
                &format!("{path}.zone"),
                format!("unknown time zone {zone:?}; use an IANA name such as \"Asia/Shanghai\""),
            ),
            Ok(zoned) => {
                if let Err(e) = jiff::fmt::strtime::format(format, &zoned) {
                    self.err(
                        &format!("{path}.format"),
                        format!("{format:?} is not a strftime format: {e}"),
                    );
                }
            }
        }
    }

    /// `auth.apply`: each step's value, its target against every authenticated endpoint, and
    /// the names it binds for later steps.
    pub(super) fn check_apply(&mut self, mut names: BTreeSet<String>, secrets: &BTreeSet<String>) {
        let spec = &self.loaded.spec;
        let authenticated: Vec<_> = spec.endpoints.iter().filter(|(_, ep)| ep.auth).collect();
        // The parameters every authenticated request sends (wire names), for `{params.…}`.
        // Path and header parameters are not request parameters to a recipe.
        let readable = |ep: &crate::spec::model::Endpoint| -> BTreeSet<String> {
            ep.params
                .iter()
                .filter(|(_, p)| matches!(p.location, ParamLocation::Query | ParamLocation::Body))
                .map(|(k, _)| k.clone())
                .collect()
        };
        let mut params: BTreeSet<String> = authenticated
            .iter()
            .map(|(_, ep)| readable(ep))
            .reduce(|a, b| a.intersection(&b).cloned().collect())
            .unwrap_or_default();
        // Every name some request may carry: endpoints' parameters, token requests' fields (the
        // steps run on those with `send_auth_steps`) and the steps' own outputs.
        let mut carried: BTreeSet<String> = authenticated
            .iter()
            .flat_map(|(_, ep)| readable(ep))
            .collect();
        if let Some(token) = &spec.auth.token {
            carried.extend(
                token
                    .grants
                    .values()
                    .filter(|g| g.send_auth_steps)
                    .flat_map(|g| g.fields.keys().cloned()),
            );
        }
        carried.extend(
            spec.auth
                .apply
                .iter()
                .filter_map(|s| s.named())
                .filter(|s| s.target.is_param())
                .map(|s| s.name.to_owned()),
        );
        names.extend(REQUEST_VARS.iter().map(|s| s.to_string()));
        for (i, step) in spec.auth.apply.iter().enumerate() {
            let path = format!("auth.apply[{i}]");
            let reads = Reads {
                names: &names,
                secrets,
                params: Some(&params),
                carried: &carried,
            };
            let parsed = match step {
                ApplyStep::Basic { username, password } => Step::Basic {
                    username: self.check_value(&format!("{path}.username"), username, &reads),
                    password: self.check_value(&format!("{path}.password"), password, &reads),
                },
                _ => {
                    let Some(named) = step.named() else { continue };
                    let value = self.check_value(&format!("{path}.value"), named.value, &reads);
                    self.check_target(&path, named.target, &authenticated);
                    if named.target.is_param() {
                        params.insert(named.name.to_owned());
                    }
                    names.insert(named.name.to_owned());
                    Step::named(target(named.target), owned(named.name), value)
                }
            };
            self.recipe.apply.push(parsed);
        }
    }

    /// A form or JSON field needs every authenticated endpoint to send that kind of body.
    fn check_target(
        &mut self,
        path: &str,
        target: StepTarget,
        authenticated: &[(&String, &crate::spec::model::Endpoint)],
    ) {
        let wanted = match target {
            StepTarget::Form => BodyEncoding::Form,
            StepTarget::Json => BodyEncoding::Json,
            StepTarget::Header | StepTarget::Query => return,
        };
        for (name, ep) in authenticated {
            let method = ep.methods.first().copied().unwrap_or(HttpMethod::Get);
            let problem = if matches!(method, HttpMethod::Get | HttpMethod::Delete) {
                Some(format!(
                    "is sent with {}, which has no body",
                    format!("{method:?}").to_uppercase()
                ))
            } else {
                ep.body
                    .filter(|b| *b != wanted)
                    .map(|other| format!("sends a {} body", format!("{other:?}").to_lowercase()))
            };
            if let Some(problem) = problem {
                self.err(
                    &format!("{path}.in"),
                    format!(
                        "`in: {}` writes a {} body field, but authenticated endpoint `{name}` {problem}",
                        target.as_str(),
                        target.as_str(),
                    ),
                );
            }
        }
    }
}

impl Checker<'_> {
    /// A grant with `send_auth_steps` also runs the steps that need no token: their body
    /// targets must fit the grant's encoding, and the parameters they read must be sent.
    pub(super) fn check_grant_steps(&mut self, token_vars: &BTreeSet<String>) {
        let spec = &self.loaded.spec;
        let Some(token) = &spec.auth.token else {
            return;
        };
        // The steps a token request carries: the runtime's own analysis, over the parsed steps.
        let token_vars: Vec<&str> = token_vars.iter().map(String::as_str).collect();
        let token_free = spec_lang::token_free(&self.recipe.apply, &token_vars);
        let token_free: Vec<(usize, Step)> = token_free
            .into_iter()
            .map(|(i, step)| (i, step.clone()))
            .collect();
        for (name, grant) in token.grants.iter().filter(|(_, g)| g.send_auth_steps) {
            let mut sent: BTreeSet<String> = grant.fields.keys().cloned().collect();
            for (i, step) in &token_free {
                let (Some(step_target), Some(step_name)) = (step.target(), step.name()) else {
                    continue;
                };
                let fits = match step_target {
                    Target::Form => grant.encoding == BodyEncoding::Form,
                    Target::Json => grant.encoding == BodyEncoding::Json,
                    Target::Header | Target::Query => true,
                };
                if !fits {
                    self.err(
                        &format!("auth.token.grants.{name}.send_auth_steps"),
                        format!(
                            "the token request runs `auth.apply[{i}]` (`in: {}`), but it is sent with `encoding: {}`",
                            step_target.as_str(),
                            format!("{:?}", grant.encoding).to_lowercase()
                        ),
                    );
                }
                for param in step.vars().iter().filter_map(|v| v.strip_prefix(PARAMS)) {
                    if !sent.contains(param) {
                        self.err(
                            &format!("auth.token.grants.{name}.send_auth_steps"),
                            format!(
                                "the token request runs `auth.apply[{i}]`, which reads `{{{PARAMS}{param}}}`, but the request does not send `{param}`"
                            ),
                        );
                    }
                }
                if step_target != Target::Header {
                    sent.insert(step_name.to_owned());
                }
            }
        }
    }
}

/// The webhook `signed_text` shorthand in the language: `md5_hex` over the text with
/// `{payload}` raw, `{secret}` as inside a JSON string, all else literal.
pub(super) fn signed_text(text: &str, secret: &str) -> Value {
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
            Value::encode(TextEncoding::JsonString, Value::var(secret.to_owned()))
        });
        rest = &rest[token.len()..];
    }
    if !literal.is_empty() {
        parts.push(Value::lit(literal));
    }
    Value::md5_hex(Value::Concat(parts))
}

/// Owned text of the language (specs are read at run time).
fn owned(s: impl AsRef<str>) -> Text {
    Text::Owned(s.as_ref().to_owned())
}

fn target(t: StepTarget) -> Target {
    match t {
        StepTarget::Header => Target::Header,
        StepTarget::Query => Target::Query,
        StepTarget::Form => Target::Form,
        StepTarget::Json => Target::Json,
    }
}

/// How a value is named in a message: its operation.
fn describe(value: &ValueExpr) -> String {
    match value {
        ValueExpr::Template(_) => "a template".to_owned(),
        ValueExpr::Op(op) => {
            let json = serde_json::to_value(op).unwrap_or_default();
            match json.as_object().and_then(|m| m.keys().next()) {
                Some(name) => format!("`{name}`"),
                None => "this value".to_owned(),
            }
        }
    }
}
