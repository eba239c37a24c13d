//! The spec's auth values (codegen's IR) turned into the runtime's value language, so the mock
//! recomputes every step with the interpreter the clients sign with (`Value::eval`).
//!
//! The runtime's data holds `&'static str` names (generated code passes literals). The mock
//! builds that data at run time from one spec per server, so it leaks the names and literals:
//! a few hundred bytes per spec, once, for the life of the process. A process that starts many
//! mock servers leaks that much per server, which is acceptable for a test tool.

use codegen::ir::{
    CanonicalIr, CaseIr, CollectionIr, DigestIr, EncodingIr, Expr as ExprIr, Op, Piece as PieceIr,
    SortIr, StepIr, TargetIr, TimeUnit as TimeUnitIr, UuidFormat, ValueIr,
};
use generated_client::runtime::{
    Canonical, Collection, DigestAlg, Expr, Piece, SortBy, Step, TextEncoding, TimeUnit,
    UuidFormat as RuntimeUuidFormat, Value,
};

/// A leaked copy of `s` (see the module docs for why that is acceptable here).
pub(crate) fn leak(s: &str) -> &'static str {
    Box::leak(s.to_owned().into_boxed_str())
}

/// One spec value in the runtime's language (what the generator emits as code).
pub fn value(v: &ValueIr) -> Value {
    match v {
        ValueIr::Template(pieces) => Value::template(&pieces.iter().map(piece).collect::<Vec<_>>()),
        ValueIr::Now(TimeUnitIr::Seconds) => Value::Now(TimeUnit::Seconds),
        ValueIr::Now(TimeUnitIr::Millis) => Value::Now(TimeUnit::Millis),
        ValueIr::RandomDigits(n) => Value::RandomDigits(*n),
        ValueIr::Uuid(UuidFormat::Hyphenated) => Value::Uuid(RuntimeUuidFormat::Hyphenated),
        ValueIr::Uuid(UuidFormat::Simple) => Value::Uuid(RuntimeUuidFormat::Simple),
        ValueIr::Md5Hex(inner) => Value::md5_hex(value(inner)),
        ValueIr::HmacSha256Hex { key, data } => Value::hmac_sha256_hex(value(key), value(data)),
        ValueIr::SortedPairs { separator, pairs } => Value::sorted_pairs(
            leak(separator),
            pairs.iter().map(|(k, v)| (leak(k), value(v))).collect(),
        ),
        ValueIr::Arithmetic(e) => Value::Arithmetic(expr(e)),
        ValueIr::Concat(parts) => Value::concat(parts.iter().map(value).collect()),
        ValueIr::Case(CaseIr::Upper, v) => Value::upper(value(v)),
        ValueIr::Case(CaseIr::Lower, v) => Value::lower(value(v)),
        ValueIr::Digest(alg, v) => Value::digest(digest(*alg), value(v)),
        ValueIr::Hmac { alg, key, data } => Value::hmac(digest(*alg), value(key), value(data)),
        ValueIr::RsaSha256 { key, data } => Value::rsa_sha256(value(key), value(data)),
        ValueIr::Encode(encoding, v) => Value::encode(
            match encoding {
                EncodingIr::Hex => TextEncoding::Hex,
                EncodingIr::Base64 => TextEncoding::Base64,
                EncodingIr::Url => TextEncoding::Url,
                EncodingIr::FormUrl => TextEncoding::FormUrl,
                EncodingIr::JsonString => TextEncoding::JsonString,
            },
            value(v),
        ),
        ValueIr::Time { format, zone } => Value::time(leak(format), leak(zone)),
        ValueIr::Canonical(c) => Value::canonical(canonical(c)),
    }
}

fn digest(alg: DigestIr) -> DigestAlg {
    match alg {
        DigestIr::Md5 => DigestAlg::Md5,
        DigestIr::Sha1 => DigestAlg::Sha1,
        DigestIr::Sha256 => DigestAlg::Sha256,
    }
}

fn canonical(c: &CanonicalIr) -> Canonical {
    let from = match c.from {
        CollectionIr::Params => Collection::Params,
        CollectionIr::Query => Collection::Query,
        CollectionIr::Body => Collection::Body,
    };
    let names = |n: &[String]| n.iter().map(|s| leak(s)).collect::<Vec<_>>();
    let mut out = Canonical::new(from, leak(&c.joiner), leak(&c.separator))
        .excluding(&names(&c.exclude))
        .sorted_by(match c.sort {
            SortIr::Key => SortBy::Key,
            SortIr::Pair => SortBy::Pair,
            SortIr::AsSent => SortBy::AsSent,
        });
    if let Some(include) = &c.include {
        out = out.including(&names(include));
    }
    if c.drop_empty {
        out = out.dropping_empty();
    }
    out
}

fn piece(p: &PieceIr) -> Piece {
    match p {
        PieceIr::Lit(s) => Piece::Lit(leak(s)),
        PieceIr::Var(s) => Piece::Var(leak(s)),
    }
}

fn expr(e: &ExprIr) -> Expr {
    match e {
        ExprIr::Int(i) => Expr::Int(*i),
        ExprIr::Var(v) => Expr::Var(leak(v)),
        ExprIr::Bin(a, op, b) => {
            let (a, b) = (expr(a), expr(b));
            match op {
                Op::Add => Expr::sum(a, b),
                Op::Sub => Expr::difference(a, b),
                Op::Mul => Expr::product(a, b),
                Op::Div => Expr::quotient(a, b),
                Op::Rem => Expr::remainder(a, b),
            }
        }
    }
}

/// One `auth.apply` step in the runtime's language.
pub fn step(s: &StepIr) -> Step {
    match s {
        StepIr::Named {
            target,
            name,
            value: v,
        } => {
            let make = match target {
                TargetIr::Header => Step::header,
                TargetIr::Query => Step::query,
                TargetIr::Form => Step::form,
                TargetIr::Json => Step::json,
            };
            make(leak(name), value(v))
        }
        StepIr::Basic { username, password } => Step::basic(value(username), value(password)),
    }
}

fn step_vars(s: &StepIr) -> Vec<String> {
    let mut out = Vec::new();
    match s {
        StepIr::Named { value: v, .. } => v.vars(&mut out),
        StepIr::Basic { username, password } => {
            username.vars(&mut out);
            password.vars(&mut out);
        }
    }
    out
}

/// The steps a grant with `send_auth_steps` carries: those that reference no token variable,
/// directly or through an earlier step's output (what the client applies to token requests).
pub(crate) fn token_free(steps: &[StepIr], token_vars: &[String]) -> Vec<StepIr> {
    let mut tainted: Vec<String> = token_vars.to_vec();
    let mut out = Vec::new();
    for s in steps {
        if step_vars(s).iter().any(|v| tainted.contains(v)) {
            if let StepIr::Named { name, .. } = s {
                tainted.push(name.clone());
            }
        } else {
            out.push(s.clone());
        }
    }
    out
}
