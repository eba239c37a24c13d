//! The interpreter: one evaluation the client signs with, webhook verification recomputes with
//! and the spec mock verifies with.

mod canonical;
mod crypto;
pub mod random;
mod scope;

#[cfg(feature = "md5")]
pub use crypto::md5_hex;
pub use scope::Scope;

use crate::{Case, Expr, Op, Piece, TextEncoding, TimeUnit, UuidFormat, Value};

/// Bytes as text by one of the value language's encodings.
pub fn encode_text(encoding: TextEncoding, data: &[u8]) -> String {
    crypto::encode(encoding, data)
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
    /// Bytes (a digest, MAC or signature) where text is needed: encode them first.
    #[error("a digest, MAC or signature is used as text; encode it with `hex` or `base64`")]
    Binary,
    /// Text that is not UTF-8 where text is needed.
    #[error("a value is not UTF-8 text")]
    NotUtf8,
    /// The RSA private key is not a PEM RSA key `ring` accepts (the key is never shown).
    #[error("the RSA private key is not a usable PEM RSA private key")]
    RsaKey,
    /// The time zone is unknown or the time format is invalid.
    #[error("time cannot be formatted: {0}")]
    Time(String),
    /// The spec uses an operation whose crate feature this build leaves out (generated code
    /// for such a spec does not compile without it; a spec read at run time reaches this).
    #[error("`{operation}` needs the `{feature}` feature of spec-runtime")]
    FeatureOff {
        /// The operation, as the spec names it.
        operation: &'static str,
        /// The crate feature that compiles it in.
        feature: &'static str,
    },
}

/// A value's result: text, or bytes until encoded.
enum Out {
    Text(String),
    Bytes(Vec<u8>),
}

impl Out {
    fn text(self) -> Result<String, EvalError> {
        match self {
            Out::Text(t) => Ok(t),
            Out::Bytes(_) => Err(EvalError::Binary),
        }
    }

    fn into_bytes(self) -> Vec<u8> {
        match self {
            Out::Text(t) => t.into_bytes(),
            Out::Bytes(b) => b,
        }
    }
}

impl Value {
    /// Computes the value as text. `now` is passed in so one request uses one instant
    /// throughout.
    pub fn eval(&self, scope: &Scope, now: jiff::Timestamp) -> Result<String, EvalError> {
        self.out(scope, now)?.text()
    }

    fn out(&self, scope: &Scope, now: jiff::Timestamp) -> Result<Out, EvalError> {
        let text = |v: &Value| v.out(scope, now)?.text();
        let bytes = |v: &Value| v.out(scope, now).map(Out::into_bytes);
        Ok(match self {
            Value::Template(pieces) => {
                let mut out = String::new();
                for piece in pieces {
                    match piece {
                        Piece::Lit(s) => out.push_str(s),
                        Piece::Var(name) => out.push_str(lookup(scope, name)?),
                    }
                }
                Out::Text(out)
            }
            Value::Now(TimeUnit::Seconds) => Out::Text(now.as_second().to_string()),
            Value::Now(TimeUnit::Millis) => Out::Text(now.as_millisecond().to_string()),
            Value::RandomDigits(n) => Out::Text(random::digits(usize::from(*n))),
            Value::Uuid(format) => Out::Text(random::uuid_v4(*format == UuidFormat::Hyphenated)),
            Value::SortedPairs(separator, pairs) => {
                let mut texts = pairs
                    .iter()
                    .map(|(k, v)| Ok(format!("{k}={}", text(v)?)))
                    .collect::<Result<Vec<_>, EvalError>>()?;
                // `String`'s `Ord` is byte order, as the vendors' `sorted()` over `k=v` is.
                texts.sort_unstable();
                Out::Text(texts.join(separator))
            }
            Value::Arithmetic(expr) => Out::Text(expr.eval(scope)?.to_string()),
            Value::Concat(parts) => Out::Text(
                parts
                    .iter()
                    .map(text)
                    .collect::<Result<Vec<_>, _>>()?
                    .concat(),
            ),
            Value::Case(Case::Upper, v) => Out::Text(text(v)?.to_ascii_uppercase()),
            Value::Case(Case::Lower, v) => Out::Text(text(v)?.to_ascii_lowercase()),
            Value::Digest(alg, v) => Out::Bytes(crypto::digest(*alg, &bytes(v)?)?),
            Value::Hmac(alg, key, data) => {
                Out::Bytes(crypto::hmac(*alg, &bytes(key)?, &bytes(data)?)?)
            }
            Value::RsaSha256(key, data) => {
                Out::Bytes(crypto::rsa_sha256(&bytes(key)?, &bytes(data)?)?)
            }
            Value::Encode(encoding, v) => Out::Text(crypto::encode(*encoding, &bytes(v)?)),
            Value::Time(format, zone) => {
                let zoned = now
                    .in_tz(zone)
                    .map_err(|e| EvalError::Time(e.to_string()))?;
                Out::Text(
                    jiff::fmt::strtime::format(format.as_ref(), &zoned)
                        .map_err(|e| EvalError::Time(e.to_string()))?,
                )
            }
            Value::Canonical(c) => Out::Text(c.render(scope)),
        })
    }
}

impl Expr {
    fn eval(&self, scope: &Scope) -> Result<i64, EvalError> {
        match self {
            Expr::Int(i) => Ok(*i),
            Expr::Var(name) => lookup(scope, name)?
                .parse()
                .map_err(|_| EvalError::NotAnInteger(name.to_string())),
            Expr::Bin(a, op, b) => {
                let (a, b) = (a.eval(scope)?, b.eval(scope)?);
                match (op, b) {
                    (Op::Add, _) => Ok(a.wrapping_add(b)),
                    (Op::Sub, _) => Ok(a.wrapping_sub(b)),
                    (Op::Mul, _) => Ok(a.wrapping_mul(b)),
                    (Op::Div | Op::Rem, 0) => Err(EvalError::DivisionByZero),
                    (Op::Div, _) => Ok(a.wrapping_div(b)),
                    (Op::Rem, _) => Ok(a.wrapping_rem(b)),
                }
            }
        }
    }
}

fn lookup<'s>(scope: &'s Scope, name: &str) -> Result<&'s str, EvalError> {
    scope
        .get(name)
        .ok_or_else(|| EvalError::UnknownVariable(name.to_owned()))
}

// The published vectors include MD5; the workspace's test run has the feature (the mock
// enables it). Without it, the one thing to check is the refusal.
#[cfg(all(test, feature = "md5"))]
mod tests;

#[cfg(all(test, not(feature = "md5")))]
#[test]
fn md5_without_its_feature_is_a_named_error_not_a_wrong_digest() {
    let v = Value::digest(
        crate::DigestAlg::Md5,
        Value::Template(vec![Piece::Lit("abc".into())]),
    );
    let v = Value::encode(TextEncoding::Hex, v);
    assert_eq!(
        v.eval(&Scope::new(), jiff::Timestamp::UNIX_EPOCH),
        Err(EvalError::FeatureOff {
            operation: "md5",
            feature: "md5"
        })
    );
}
