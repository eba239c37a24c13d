//! The value language: how the spec says a header, parameter, body field, token-request field or
//! webhook signature is computed — templates, time, nonces, canonical strings over the request's
//! parameters, case, digests, MACs, RSA signatures, encodings and integer arithmetic. One
//! interpreter: the client signs with it, and webhook (and mock-server) verification recompute
//! with it. Every operation is defined in `specs/README.md`.

mod canonical;
mod crypto;
mod scope;

use rand::RngExt;

pub use canonical::{Canonical, SortBy};
pub(crate) use crypto::md5_hex;

/// Bytes as text by one of the value language's encodings.
pub(crate) fn encode_text(encoding: TextEncoding, data: &[u8]) -> String {
    crypto::encode(encoding, data)
}
pub use crypto::{DigestAlg, TextEncoding};
pub use scope::{Collection, PARAM_PREFIX, Scope};

/// A value computed per request from a [`Scope`]. Most values are text; digests, MACs and RSA
/// signatures are bytes, which [`Value::Encode`] turns into text (the spec validator only
/// accepts well-typed combinations; at run time a misuse is an [`EvalError`], never a panic).
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum Value {
    /// Literal text with `{var}` references.
    Template(Vec<Piece>),
    /// The current Unix time.
    Now(TimeUnit),
    /// This many random decimal digits (the first may be `0`).
    RandomDigits(u8),
    /// A random (version 4) UUID in lowercase hex.
    Uuid(UuidFormat),
    /// Lowercase hex MD5 of the value's UTF-8 bytes (`hex(md5(v))`).
    Md5Hex(Box<Value>),
    /// Lowercase hex HMAC-SHA256 of `data` keyed by `key` (`hex(hmac_sha256(key, data))`).
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
    /// The texts one after another.
    Concat(Vec<Value>),
    /// The text in upper or lower case (ASCII letters only, as hex digests need).
    Case(Case, Box<Value>),
    /// The digest of the value's bytes (bytes).
    Digest(DigestAlg, Box<Value>),
    /// The HMAC of `data` under `key` (bytes).
    Hmac {
        /// The hash function.
        alg: DigestAlg,
        /// The key's bytes.
        key: Box<Value>,
        /// The signed bytes.
        data: Box<Value>,
    },
    /// RSASSA-PKCS1-v1_5 with SHA-256 of `data` under a PEM private key (bytes).
    RsaSha256 {
        /// The PEM text of the private key (a secret credential).
        key: Box<Value>,
        /// The signed bytes.
        data: Box<Value>,
    },
    /// Bytes or text encoded as text.
    Encode(TextEncoding, Box<Value>),
    /// The current time formatted by `format` (strftime, as `jiff::fmt::strtime`) in the IANA
    /// time zone `zone`.
    Time {
        /// `%Y-%m-%d %H:%M:%S` and the like.
        format: &'static str,
        /// `Asia/Shanghai` and the like (the zone database is built in).
        zone: &'static str,
    },
    /// A canonical string over the request's parameters.
    Canonical(Box<Canonical>),
}

/// Letter case of [`Value::Case`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Case {
    /// `A-Z`.
    Upper,
    /// `a-z`.
    Lower,
}

/// How [`Value::Uuid`] is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum UuidFormat {
    /// `67e55044-10b1-426f-9247-bb680e5fe0c8`.
    Hyphenated,
    /// `67e5504410b1426f9247bb680e5fe0c8`.
    Simple,
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
            Value::RandomDigits(n) => {
                let mut rng = rand::rng();
                Out::Text(
                    (0..*n)
                        .map(|_| char::from(b'0' + rng.random_range(0..10u8)))
                        .collect(),
                )
            }
            Value::Uuid(format) => {
                let uuid = uuid::Builder::from_random_bytes(rand::random()).into_uuid();
                Out::Text(match format {
                    UuidFormat::Hyphenated => uuid.hyphenated().to_string(),
                    UuidFormat::Simple => uuid.simple().to_string(),
                })
            }
            Value::Md5Hex(v) => Out::Text(md5_hex(&bytes(v)?)),
            Value::HmacSha256Hex { key, data } => Out::Text(crypto::encode(
                TextEncoding::Hex,
                &crypto::hmac(DigestAlg::Sha256, &bytes(key)?, &bytes(data)?),
            )),
            Value::SortedPairs { separator, pairs } => {
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
            Value::Digest(alg, v) => Out::Bytes(crypto::digest(*alg, &bytes(v)?)),
            Value::Hmac { alg, key, data } => {
                Out::Bytes(crypto::hmac(*alg, &bytes(key)?, &bytes(data)?))
            }
            Value::RsaSha256 { key, data } => {
                Out::Bytes(crypto::rsa_sha256(&bytes(key)?, &bytes(data)?)?)
            }
            Value::Encode(encoding, v) => Out::Text(crypto::encode(*encoding, &bytes(v)?)),
            Value::Time { format, zone } => {
                let zoned = now
                    .in_tz(zone)
                    .map_err(|e| EvalError::Time(e.to_string()))?;
                Out::Text(
                    jiff::fmt::strtime::format(*format, &zoned)
                        .map_err(|e| EvalError::Time(e.to_string()))?,
                )
            }
            Value::Canonical(c) => Out::Text(c.render(scope)),
        })
    }

    /// Calls `f` with this value and every value inside it.
    fn visit<'v>(&'v self, f: &mut dyn FnMut(&'v Value)) {
        f(self);
        match self {
            Value::Template(_)
            | Value::Now(_)
            | Value::RandomDigits(_)
            | Value::Uuid(_)
            | Value::Arithmetic(_)
            | Value::Time { .. }
            | Value::Canonical(_) => {}
            Value::Md5Hex(v) | Value::Case(_, v) | Value::Digest(_, v) | Value::Encode(_, v) => {
                v.visit(f)
            }
            Value::HmacSha256Hex { key, data }
            | Value::Hmac { key, data, .. }
            | Value::RsaSha256 { key, data } => {
                key.visit(f);
                data.visit(f);
            }
            Value::SortedPairs { pairs, .. } => pairs.iter().for_each(|(_, v)| v.visit(f)),
            Value::Concat(parts) => parts.iter().for_each(|v| v.visit(f)),
        }
    }

    /// Calls `f` with every variable name the value references (`params.NAME` included).
    pub(crate) fn for_each_var(&self, f: &mut dyn FnMut(&'static str)) {
        self.visit(&mut |v| match v {
            Value::Template(pieces) => pieces.iter().for_each(|p| {
                if let Piece::Var(v) = p {
                    f(v)
                }
            }),
            Value::Arithmetic(e) => e.for_each_var(f),
            _ => {}
        });
    }

    /// Whether the value reads the request as sent so far: a canonical string, `{body}`,
    /// `{query}` or a `{params.NAME}`. Steps that do not are evaluated without exposing it.
    pub fn reads_request(&self) -> bool {
        let mut reads = false;
        self.visit(&mut |v| reads |= matches!(v, Value::Canonical(_)));
        self.for_each_var(&mut |name| {
            reads |= name == "body" || name == "query" || name.starts_with(PARAM_PREFIX)
        });
        reads
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

#[cfg(test)]
mod tests;
