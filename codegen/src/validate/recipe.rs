//! The value language checked where it is written: every variable defined at its use, every
//! operand of the right kind (text or bytes), canonical strings and `{params.…}` only where a
//! request exists, RSA keys only from secret credentials, time zones and formats that exist,
//! body targets only on endpoints with that body.

use std::collections::BTreeSet;

use super::Checker;
use super::values::{Piece, parse_arithmetic, parse_template};
use crate::spec::model::{
    ApplyStep, BodyEncoding, HttpMethod, KeyedValue, ParamLocation, StepTarget, ValueExpr, ValueOp,
};

/// Request facts every auth step may read (`host`, `query` and `body` as sent so far).
pub const REQUEST_VARS: &[&str] = &["method", "path", "host", "query", "body"];

/// The prefix of `{params.NAME}`.
const PARAMS: &str = "params.";

/// What a value is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Text,
    /// A digest, MAC or signature: text only through `hex` or `base64`.
    Bytes,
}

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

impl Checker<'_> {
    /// Checks a value that must give text (a header, parameter or field).
    pub(super) fn check_value(&mut self, path: &str, value: &ValueExpr, reads: &Reads<'_>) {
        if self.kind(path, value, reads) == Some(Kind::Bytes) {
            self.err(
                path,
                format!(
                    "{} gives bytes, not text: wrap it in `hex` or `base64`",
                    describe(value)
                ),
            );
        }
    }

    /// The value's kind, after reporting every problem inside it (`None` when unknowable).
    fn kind(&mut self, path: &str, value: &ValueExpr, reads: &Reads<'_>) -> Option<Kind> {
        let op = match value {
            ValueExpr::Template(text) => {
                match parse_template(text) {
                    Ok(pieces) => {
                        for piece in pieces {
                            if let Piece::Var(var) = piece {
                                self.check_var(path, &var, reads);
                            }
                        }
                    }
                    Err(msg) => self.err(path, msg),
                }
                return Some(Kind::Text);
            }
            ValueExpr::Op(op) => op,
        };
        let text = |this: &mut Self, name: &str, v: &ValueExpr| {
            let at = format!("{path}.{name}");
            if this.kind(&at, v, reads) == Some(Kind::Bytes) {
                this.err(
                    &at,
                    format!(
                        "`{}` needs text, but {} gives bytes: wrap it in `hex` or `base64`",
                        name.split(['[', '.']).next().unwrap_or(name),
                        describe(v)
                    ),
                );
            }
        };
        let any = |this: &mut Self, name: &str, v: &ValueExpr| {
            this.kind(&format!("{path}.{name}"), v, reads);
        };
        let keyed = |this: &mut Self, name: &str, k: &KeyedValue| {
            any(this, &format!("{name}.key"), &k.key);
            any(this, &format!("{name}.data"), &k.data);
        };
        Some(match op {
            ValueOp::Now(_) => Kind::Text,
            ValueOp::RandomDigits(n) => {
                if *n == 0 || *n > 18 {
                    self.err(
                        &format!("{path}.random_digits"),
                        "random_digits must be between 1 and 18",
                    );
                }
                Kind::Text
            }
            ValueOp::Md5Hex(inner) => {
                any(self, "md5_hex", inner);
                Kind::Text
            }
            ValueOp::HmacSha256Hex { key, data } => {
                any(self, "hmac_sha256_hex.key", key);
                any(self, "hmac_sha256_hex.data", data);
                Kind::Text
            }
            ValueOp::SortedPairs { pairs, .. } => {
                for (k, v) in pairs {
                    text(self, &format!("sorted_pairs.pairs.{k}"), v);
                }
                Kind::Text
            }
            ValueOp::Arithmetic(src) => {
                match parse_arithmetic(src) {
                    Ok(expr) => {
                        let mut used = Vec::new();
                        expr.for_each_var(&mut |v| used.push(v.to_owned()));
                        for var in used {
                            self.check_var(path, &var, reads);
                        }
                    }
                    Err(msg) => self.err(&format!("{path}.arithmetic"), msg),
                }
                Kind::Text
            }
            ValueOp::Concat(parts) => {
                if parts.is_empty() {
                    self.err(
                        &format!("{path}.concat"),
                        "`concat` needs at least one value",
                    );
                }
                for (i, part) in parts.iter().enumerate() {
                    text(self, &format!("concat[{i}]"), part);
                }
                Kind::Text
            }
            ValueOp::Upper(v) => {
                text(self, "upper", v);
                Kind::Text
            }
            ValueOp::Lower(v) => {
                text(self, "lower", v);
                Kind::Text
            }
            ValueOp::UrlEncode(v) => {
                text(self, "url_encode", v);
                Kind::Text
            }
            ValueOp::FormUrlEncode(v) => {
                text(self, "form_url_encode", v);
                Kind::Text
            }
            ValueOp::Uuid(_) => Kind::Text,
            ValueOp::JsonString(v) => {
                text(self, "json_string", v);
                Kind::Text
            }
            ValueOp::Hex(v) => {
                any(self, "hex", v);
                Kind::Text
            }
            ValueOp::Base64(v) => {
                any(self, "base64", v);
                Kind::Text
            }
            ValueOp::Md5(v) => {
                any(self, "md5", v);
                Kind::Bytes
            }
            ValueOp::Sha1(v) => {
                any(self, "sha1", v);
                Kind::Bytes
            }
            ValueOp::Sha256(v) => {
                any(self, "sha256", v);
                Kind::Bytes
            }
            ValueOp::HmacMd5(k) => {
                keyed(self, "hmac_md5", k);
                Kind::Bytes
            }
            ValueOp::HmacSha1(k) => {
                keyed(self, "hmac_sha1", k);
                Kind::Bytes
            }
            ValueOp::HmacSha256(k) => {
                keyed(self, "hmac_sha256", k);
                Kind::Bytes
            }
            ValueOp::RsaSha256(k) => {
                keyed(self, "rsa_sha256", k);
                self.check_rsa_key(&format!("{path}.rsa_sha256.key"), &k.key, reads);
                Kind::Bytes
            }
            ValueOp::Time(t) => {
                self.check_time(&format!("{path}.time"), &t.format, &t.zone);
                Kind::Text
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
                Kind::Text
            }
        })
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
    fn check_rsa_key(&mut self, path: &str, key: &ValueExpr, reads: &Reads<'_>) {
        let secret = match key {
            ValueExpr::Template(text) => match parse_template(text).as_deref() {
                Ok([Piece::Var(name)]) => reads.secrets.contains(name.as_ref()),
                _ => false,
            },
            ValueExpr::Op(_) => false,
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
            match step {
                ApplyStep::Basic { username, password } => {
                    self.check_value(&format!("{path}.username"), username, &reads);
                    self.check_value(&format!("{path}.password"), password, &reads);
                }
                _ => {
                    let Some(named) = step.named() else { continue };
                    self.check_value(&format!("{path}.value"), named.value, &reads);
                    self.check_target(&path, named.target, &authenticated);
                    if named.target.is_param() {
                        params.insert(named.name.to_owned());
                    }
                    names.insert(named.name.to_owned());
                }
            }
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
        // The steps a token request carries (the runtime's `token_free`): none that reads a
        // token variable, directly or through an earlier step's output.
        let mut tainted = token_vars.clone();
        let mut token_free = Vec::new();
        for (i, step) in spec.auth.apply.iter().enumerate() {
            let mut vars = Vec::new();
            match step {
                ApplyStep::Basic { username, password } => {
                    vars_of(username, &mut vars);
                    vars_of(password, &mut vars);
                }
                _ => {
                    if let Some(named) = step.named() {
                        vars_of(named.value, &mut vars);
                    }
                }
            }
            if vars.iter().any(|v| tainted.contains(v)) {
                if let Some(named) = step.named() {
                    tainted.insert(named.name.to_owned());
                }
            } else {
                token_free.push((i, step));
            }
        }
        for (name, grant) in token.grants.iter().filter(|(_, g)| g.send_auth_steps) {
            let mut sent: BTreeSet<String> = grant.fields.keys().cloned().collect();
            for (i, step) in &token_free {
                let Some(named) = step.named() else { continue };
                let fits = match named.target {
                    StepTarget::Form => grant.encoding == BodyEncoding::Form,
                    StepTarget::Json => grant.encoding == BodyEncoding::Json,
                    StepTarget::Header | StepTarget::Query => true,
                };
                if !fits {
                    self.err(
                        &format!("auth.token.grants.{name}.send_auth_steps"),
                        format!(
                            "the token request runs `auth.apply[{i}]` (`in: {}`), but it is sent with `encoding: {}`",
                            named.target.as_str(),
                            format!("{:?}", grant.encoding).to_lowercase()
                        ),
                    );
                }
                let mut vars = Vec::new();
                vars_of(named.value, &mut vars);
                for param in vars.iter().filter_map(|v| v.strip_prefix(PARAMS)) {
                    if !sent.contains(param) {
                        self.err(
                            &format!("auth.token.grants.{name}.send_auth_steps"),
                            format!(
                                "the token request runs `auth.apply[{i}]`, which reads `{{{PARAMS}{param}}}`, but the request does not send `{param}`"
                            ),
                        );
                    }
                }
                if named.target.is_param() {
                    sent.insert(named.name.to_owned());
                }
            }
        }
    }
}

/// Every variable a value names (templates and arithmetic), parsed leniently: unparsable
/// text is reported where the value itself is checked.
fn vars_of(value: &ValueExpr, out: &mut Vec<String>) {
    let op = match value {
        ValueExpr::Template(text) => {
            for piece in parse_template(text).unwrap_or_default() {
                if let Piece::Var(v) = piece {
                    out.push(v.into_owned());
                }
            }
            return;
        }
        ValueExpr::Op(op) => op,
    };
    match op {
        ValueOp::Now(_)
        | ValueOp::RandomDigits(_)
        | ValueOp::Uuid(_)
        | ValueOp::Time(_)
        | ValueOp::Canonical(_) => {}
        ValueOp::Arithmetic(src) => {
            if let Ok(expr) = parse_arithmetic(src) {
                expr.for_each_var(&mut |v| out.push(v.to_owned()));
            }
        }
        ValueOp::Md5Hex(v)
        | ValueOp::Upper(v)
        | ValueOp::Lower(v)
        | ValueOp::Md5(v)
        | ValueOp::Sha1(v)
        | ValueOp::Sha256(v)
        | ValueOp::Hex(v)
        | ValueOp::Base64(v)
        | ValueOp::UrlEncode(v)
        | ValueOp::FormUrlEncode(v)
        | ValueOp::JsonString(v) => vars_of(v, out),
        ValueOp::HmacSha256Hex { key, data } => {
            vars_of(key, out);
            vars_of(data, out);
        }
        ValueOp::HmacMd5(k)
        | ValueOp::HmacSha1(k)
        | ValueOp::HmacSha256(k)
        | ValueOp::RsaSha256(k) => {
            vars_of(&k.key, out);
            vars_of(&k.data, out);
        }
        ValueOp::SortedPairs { pairs, .. } => pairs.values().for_each(|v| vars_of(v, out)),
        ValueOp::Concat(parts) => parts.iter().for_each(|v| vars_of(v, out)),
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
