//! The per-request value language: how the spec says a header, query parameter or token-request
//! field is computed (templates, time, nonces, digests, signatures, integer arithmetic).

use std::collections::BTreeMap;
use std::fmt;

use hmac::{Hmac, KeyInit, Mac};
use md5::{Digest, Md5};
use rand::RngExt;
use secrecy::{ExposeSecret, SecretString};
use sha2::Sha256;

use super::secret::Redacted;

/// A value computed per request from a [`Scope`].
#[derive(Clone, Debug)]
pub enum Value {
    /// Literal text with `{var}` references.
    Template(Vec<Piece>),
    /// The current Unix time.
    Now(TimeUnit),
    /// This many random decimal digits (the first may be `0`).
    RandomDigits(u8),
    /// Lowercase hex MD5 of the value's UTF-8 bytes.
    Md5Hex(Box<Value>),
    /// Lowercase hex HMAC-SHA256 of `data` keyed by `key`.
    HmacSha256Hex {
        /// The key (its UTF-8 bytes).
        key: Box<Value>,
        /// The signed text.
        data: Box<Value>,
    },
    /// `k=v` strings sorted by byte order of the whole `k=v` text, joined by `separator`.
    SortedPairs {
        /// Text between pairs (`&`).
        separator: &'static str,
        /// The pairs, in any order.
        pairs: Vec<(&'static str, Value)>,
    },
    /// 64-bit integer arithmetic, printed in decimal.
    Arithmetic(Expr),
}

/// A piece of a [`Value::Template`].
#[derive(Clone, Debug)]
pub enum Piece {
    /// Literal text.
    Lit(&'static str),
    /// The value of a scope variable.
    Var(&'static str),
}

/// Unit of [`Value::Now`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeUnit {
    /// Seconds since the Unix epoch.
    Seconds,
    /// Milliseconds since the Unix epoch.
    Millis,
}

/// An integer expression. `+ - *` wrap on overflow (like Java `long`, which vendors sign with);
/// `/` and `%` by zero are errors.
#[derive(Clone, Debug)]
pub enum Expr {
    /// A literal.
    Int(i64),
    /// A scope variable parsed as a decimal `i64`.
    Var(&'static str),
    /// `a + b`.
    Add(Box<Expr>, Box<Expr>),
    /// `a - b`.
    Sub(Box<Expr>, Box<Expr>),
    /// `a * b`.
    Mul(Box<Expr>, Box<Expr>),
    /// `a / b` (truncating).
    Div(Box<Expr>, Box<Expr>),
    /// `a % b` (sign of `a`).
    Rem(Box<Expr>, Box<Expr>),
}

/// Why a [`Value`] could not be evaluated. Names variables, never prints their values.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EvalError {
    /// A `{name}` reference with no value in scope.
    #[error("`{{{0}}}` is unknown")]
    UnknownVariable(String),
    /// `Expr::Var` whose value is not a decimal integer.
    #[error("`{{{0}}}` is not an integer")]
    NotAnInteger(String),
    /// `/` or `%` by zero.
    #[error("division by zero")]
    DivisionByZero,
}

enum Entry {
    Plain(String),
    Secret(SecretString),
}

/// Variables available to [`Value::eval`]: credentials, token fields, request facts and earlier
/// steps' outputs. Secret entries never reach `Debug`.
#[derive(Default)]
pub struct Scope {
    vars: BTreeMap<String, Entry>,
}

impl Scope {
    /// An empty scope.
    pub fn new() -> Self {
        Self::default()
    }

    /// Binds a non-secret value (replacing any earlier binding).
    pub fn set(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.vars.insert(name.into(), Entry::Plain(value.into()));
    }

    /// Binds a secret value (replacing any earlier binding).
    pub fn set_secret(&mut self, name: impl Into<String>, value: SecretString) {
        self.vars.insert(name.into(), Entry::Secret(value));
    }

    /// The value bound to `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.vars.get(name).map(|e| match e {
            Entry::Plain(v) => v.as_str(),
            Entry::Secret(v) => v.expose_secret(),
        })
    }
}

impl fmt::Debug for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut m = f.debug_map();
        for (k, v) in &self.vars {
            match v {
                Entry::Plain(v) => m.entry(k, v),
                Entry::Secret(_) => m.entry(k, &Redacted),
            };
        }
        m.finish()
    }
}

impl Value {
    /// Computes the value. `now` is passed in so one request uses one instant throughout.
    pub fn eval(&self, scope: &Scope, now: jiff::Timestamp) -> Result<String, EvalError> {
        match self {
            Value::Template(pieces) => {
                let mut out = String::new();
                for piece in pieces {
                    match piece {
                        Piece::Lit(s) => out.push_str(s),
                        Piece::Var(name) => out.push_str(lookup(scope, name)?),
                    }
                }
                Ok(out)
            }
            Value::Now(TimeUnit::Seconds) => Ok(now.as_second().to_string()),
            Value::Now(TimeUnit::Millis) => Ok(now.as_millisecond().to_string()),
            Value::RandomDigits(n) => {
                let mut rng = rand::rng();
                Ok((0..*n)
                    .map(|_| char::from(b'0' + rng.random_range(0..10u8)))
                    .collect())
            }
            Value::Md5Hex(v) => Ok(md5_hex(v.eval(scope, now)?.as_bytes())),
            Value::HmacSha256Hex { key, data } => {
                let key = key.eval(scope, now)?;
                let data = data.eval(scope, now)?;
                Ok(hmac_sha256_hex(key.as_bytes(), data.as_bytes()))
            }
            Value::SortedPairs { separator, pairs } => {
                let mut texts = pairs
                    .iter()
                    .map(|(k, v)| Ok(format!("{k}={}", v.eval(scope, now)?)))
                    .collect::<Result<Vec<_>, EvalError>>()?;
                // `String`'s `Ord` is byte order, as the vendors' `sorted()` over `k=v` is.
                texts.sort_unstable();
                Ok(texts.join(separator))
            }
            Value::Arithmetic(expr) => expr.eval(scope).map(|i| i.to_string()),
        }
    }

    /// Calls `f` with every variable name the value references.
    pub(crate) fn for_each_var(&self, f: &mut dyn FnMut(&'static str)) {
        match self {
            Value::Template(pieces) => pieces.iter().for_each(|p| {
                if let Piece::Var(v) = p {
                    f(v)
                }
            }),
            Value::Now(_) | Value::RandomDigits(_) => {}
            Value::Md5Hex(v) => v.for_each_var(f),
            Value::HmacSha256Hex { key, data } => {
                key.for_each_var(f);
                data.for_each_var(f);
            }
            Value::SortedPairs { pairs, .. } => pairs.iter().for_each(|(_, v)| v.for_each_var(f)),
            Value::Arithmetic(e) => e.for_each_var(f),
        }
    }
}

impl Expr {
    fn eval(&self, scope: &Scope) -> Result<i64, EvalError> {
        let bin = |a: &Expr, b: &Expr| Ok::<_, EvalError>((a.eval(scope)?, b.eval(scope)?));
        match self {
            Expr::Int(i) => Ok(*i),
            Expr::Var(name) => lookup(scope, name)?
                .parse()
                .map_err(|_| EvalError::NotAnInteger((*name).to_owned())),
            Expr::Add(a, b) => bin(a, b).map(|(a, b)| a.wrapping_add(b)),
            Expr::Sub(a, b) => bin(a, b).map(|(a, b)| a.wrapping_sub(b)),
            Expr::Mul(a, b) => bin(a, b).map(|(a, b)| a.wrapping_mul(b)),
            Expr::Div(a, b) => match bin(a, b)? {
                (_, 0) => Err(EvalError::DivisionByZero),
                (a, b) => Ok(a.wrapping_div(b)),
            },
            Expr::Rem(a, b) => match bin(a, b)? {
                (_, 0) => Err(EvalError::DivisionByZero),
                (a, b) => Ok(a.wrapping_rem(b)),
            },
        }
    }

    fn for_each_var(&self, f: &mut dyn FnMut(&'static str)) {
        match self {
            Expr::Int(_) => {}
            Expr::Var(v) => f(v),
            Expr::Add(a, b)
            | Expr::Sub(a, b)
            | Expr::Mul(a, b)
            | Expr::Div(a, b)
            | Expr::Rem(a, b) => {
                a.for_each_var(f);
                b.for_each_var(f);
            }
        }
    }
}

fn lookup<'s>(scope: &'s Scope, name: &str) -> Result<&'s str, EvalError> {
    scope
        .get(name)
        .ok_or_else(|| EvalError::UnknownVariable(name.to_owned()))
}

/// Lowercase hex MD5.
pub(crate) fn md5_hex(data: &[u8]) -> String {
    hex::encode(Md5::digest(data))
}

fn hmac_sha256_hex(key: &[u8], data: &[u8]) -> String {
    // HMAC accepts keys of any length (long keys are hashed), so this never fails; the fallback
    // only exists to avoid a panic path.
    match <Hmac<Sha256> as KeyInit>::new_from_slice(key) {
        Ok(mut mac) => {
            mac.update(data);
            hex::encode(mac.finalize().into_bytes())
        }
        Err(_) => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn tpl(pieces: &[Piece]) -> Value {
        Value::Template(pieces.to_vec())
    }
    fn var(name: &'static str) -> Value {
        tpl(&[Piece::Var(name)])
    }
    fn b(e: Expr) -> Box<Expr> {
        Box::new(e)
    }
    fn now() -> jiff::Timestamp {
        jiff::Timestamp::from_millisecond(1_422_339_152_058).unwrap()
    }

    /// The document's signature vector: sorted `k=v` joined by `&`, HMAC-SHA256 by the secret.
    fn jfwms_sign() -> Value {
        Value::HmacSha256Hex {
            key: Box::new(var("client_secret")),
            data: Box::new(Value::SortedPairs {
                separator: "&",
                pairs: vec![
                    ("url", var("path")),
                    ("method", var("method")),
                    ("userId", var("userId")),
                    ("accessToken", var("accessToken")),
                    ("timestamp", var("timestamp")),
                    ("clientId", var("client_id")),
                    ("nonce", var("nonce")),
                ],
            }),
        }
    }

    fn jfwms_scope() -> Scope {
        let mut s = Scope::new();
        s.set_secret("client_secret", "4a506ccaf37e400bac4a42d2dc5f600a".into());
        s.set_secret("accessToken", "1b56814f081c432cb82751be145261d3".into());
        s.set("client_id", "fe73489a9b5948dbafd07e7b28d6e268");
        s.set("method", "post");
        s.set("nonce", "14");
        s.set("timestamp", "1692889556000");
        s.set("path", "/api/order/get");
        s.set("userId", "8");
        s
    }

    #[test]
    fn hmac_signature_vector() {
        assert_eq!(
            jfwms_sign().eval(&jfwms_scope(), now()).unwrap(),
            "9bc08ba7552c5dfea4efab6bda78a4a9738010913f2403bd93f09c6bf974b939"
        );
    }

    #[test]
    fn p_from_t() {
        // p_ = (t_ % 10000) * 3 + 2345
        let p = Value::Arithmetic(Expr::Add(
            b(Expr::Mul(
                b(Expr::Rem(b(Expr::Var("t_")), b(Expr::Int(10000)))),
                b(Expr::Int(3)),
            )),
            b(Expr::Int(2345)),
        ));
        let mut s = Scope::new();
        s.set("t_", "1422339152058");
        assert_eq!(p.eval(&s, now()).unwrap(), "8519");
    }

    #[test]
    fn digests_and_time() {
        let s = Scope::new();
        let cases: &[(Value, &str)] = &[
            (
                Value::Md5Hex(Box::new(tpl(&[]))),
                "d41d8cd98f00b204e9800998ecf8427e",
            ),
            (
                Value::Md5Hex(Box::new(tpl(&[Piece::Lit("abc")]))),
                "900150983cd24fb0d6963f7d28e17f72",
            ),
            (Value::Now(TimeUnit::Millis), "1422339152058"),
            (Value::Now(TimeUnit::Seconds), "1422339152"),
        ];
        for (v, want) in cases {
            assert_eq!(v.eval(&s, now()).unwrap(), *want, "{v:?}");
        }
    }

    #[test]
    fn arithmetic_rules() {
        let mut s = Scope::new();
        s.set("n", "-7");
        s.set("x", "12a");
        let cases: Vec<(Expr, Result<i64, EvalError>)> = vec![
            (Expr::Rem(b(Expr::Var("n")), b(Expr::Int(3))), Ok(-1)),
            (Expr::Div(b(Expr::Var("n")), b(Expr::Int(2))), Ok(-3)),
            (Expr::Sub(b(Expr::Int(1)), b(Expr::Int(3))), Ok(-2)),
            (
                Expr::Add(b(Expr::Int(i64::MAX)), b(Expr::Int(1))),
                Ok(i64::MIN),
            ),
            (Expr::Mul(b(Expr::Int(i64::MAX)), b(Expr::Int(2))), Ok(-2)),
            (
                Expr::Div(b(Expr::Int(i64::MIN)), b(Expr::Int(-1))),
                Ok(i64::MIN),
            ),
            (
                Expr::Div(b(Expr::Int(1)), b(Expr::Int(0))),
                Err(EvalError::DivisionByZero),
            ),
            (
                Expr::Rem(b(Expr::Int(1)), b(Expr::Int(0))),
                Err(EvalError::DivisionByZero),
            ),
            (Expr::Var("x"), Err(EvalError::NotAnInteger("x".into()))),
            (
                Expr::Var("nope"),
                Err(EvalError::UnknownVariable("nope".into())),
            ),
        ];
        for (e, want) in cases {
            assert_eq!(e.eval(&s), want, "{e:?}");
        }
    }

    #[test]
    fn unknown_variable_names_it_without_values() {
        let mut s = Scope::new();
        s.set_secret("client_secret", "hunter2".into());
        let v = tpl(&[Piece::Var("client_secret"), Piece::Var("user_id")]);
        let err = v.eval(&s, now()).unwrap_err();
        assert_eq!(err.to_string(), "`{user_id}` is unknown");
    }

    #[test]
    fn random_digits_are_digits() {
        for n in [0u8, 1, 2, 40] {
            let v = Value::RandomDigits(n).eval(&Scope::new(), now()).unwrap();
            assert_eq!(v.len(), usize::from(n));
            assert!(v.bytes().all(|c| c.is_ascii_digit()));
        }
    }

    /// Nonces must be drawn afresh: every digit turns up, and long draws never repeat (a fixed
    /// or cached value would fail both; chance failures are below one in 10^40).
    #[test]
    fn random_digits_are_drawn_afresh() {
        let draw = |n| Value::RandomDigits(n).eval(&Scope::new(), now()).unwrap();
        let seen: std::collections::BTreeSet<String> = (0..1000).map(|_| draw(1)).collect();
        assert_eq!(seen.len(), 10, "{seen:?}");
        assert_ne!(draw(40), draw(40));
    }

    #[test]
    fn scope_debug_redacts_secrets() {
        let mut s = Scope::new();
        s.set("client_id", "visible-id");
        s.set_secret("client_secret", "hunter2".into());
        let dbg = format!("{s:?}");
        assert!(dbg.contains("visible-id"));
        assert!(dbg.contains("[redacted]"));
        assert!(!dbg.contains("hunter2"));
        assert_eq!(s.get("client_secret"), Some("hunter2"));
    }

    const NAMES: [&str; 8] = [
        "url",
        "method",
        "accessToken",
        "clientId",
        "timestamp",
        "nonce",
        "userId",
        "a=b",
    ];
    const VARS: [&str; 8] = ["v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7"];

    proptest! {
        /// Sorting is by the whole `k=v` text, so the input order never matters.
        #[test]
        fn sorted_pairs_ignore_input_order(
            values in proptest::collection::vec("[ -~]{0,8}", NAMES.len()),
            order in Just((0..NAMES.len()).collect::<Vec<_>>()).prop_shuffle(),
            len in 0..=NAMES.len(),
        ) {
            let mut s = Scope::new();
            for (var, v) in VARS.iter().zip(&values) {
                s.set(*var, v.clone());
            }
            let build = |idx: &[usize]| Value::SortedPairs {
                separator: "&",
                pairs: idx.iter().map(|&i| (NAMES[i], var(VARS[i]))).collect(),
            };
            let mut subset: Vec<usize> = order[..len].to_vec();
            let shuffled = build(&subset).eval(&s, now()).unwrap();
            subset.sort_unstable();
            let in_order = build(&subset).eval(&s, now()).unwrap();
            prop_assert_eq!(&shuffled, &in_order);
            let mut expected: Vec<String> =
                subset.iter().map(|&i| format!("{}={}", NAMES[i], values[i])).collect();
            expected.sort();
            prop_assert_eq!(shuffled, expected.join("&"));
        }
    }
}
