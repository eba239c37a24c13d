//! The value language's data: how the spec says a header, parameter, body field, token-request
//! field or webhook signature is computed. Every operation is defined in `specs/README.md`.
//!
//! This is the one definition: codegen lowers the spec's YAML into these types, the emitter
//! writes them out as Rust expressions through their `Serialize` impls (so a new variant needs
//! no emitter change), generated code builds them, the runtime evaluates them (feature `eval`)
//! and the mock verifies with the same evaluation.

use serde::Serialize;

use crate::Text;

/// A value computed per request. Most values are text; digests, MACs and RSA signatures are
/// bytes ([`Value::kind`]), which [`Value::Encode`] turns into text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum Value {
    /// Literal text with `{var}` references.
    Template(Vec<Piece>),
    /// The current Unix time.
    Now(TimeUnit),
    /// This many random decimal digits (the first may be `0`).
    RandomDigits(u8),
    /// A random (version 4) UUID in lowercase hex.
    Uuid(UuidFormat),
    /// `k=v` strings sorted by byte order of the whole `k=v` text, joined by the separator.
    SortedPairs(Text, Vec<(Text, Value)>),
    /// 64-bit integer arithmetic, printed in decimal.
    Arithmetic(Expr),
    /// The texts one after another.
    Concat(Vec<Value>),
    /// The text in upper or lower case (ASCII letters only, as hex digests need).
    Case(Case, #[serde(serialize_with = "boxed")] Box<Value>),
    /// The digest of the value's bytes (bytes).
    Digest(DigestAlg, #[serde(serialize_with = "boxed")] Box<Value>),
    /// The HMAC of the data (second) under the key (first) (bytes).
    Hmac(
        DigestAlg,
        #[serde(serialize_with = "boxed")] Box<Value>,
        #[serde(serialize_with = "boxed")] Box<Value>,
    ),
    /// RSASSA-PKCS1-v1_5 with SHA-256 of the data (second) under a PEM private key (first)
    /// (bytes).
    RsaSha256(
        #[serde(serialize_with = "boxed")] Box<Value>,
        #[serde(serialize_with = "boxed")] Box<Value>,
    ),
    /// Bytes or text encoded as text.
    Encode(TextEncoding, #[serde(serialize_with = "boxed")] Box<Value>),
    /// The current time formatted by the format (first; strftime, as `jiff::fmt::strtime`) in
    /// the IANA time zone (second, `Asia/Shanghai` and the like; the zone database is built in).
    Time(Text, Text),
    /// A canonical string over the request's parameters.
    Canonical(#[serde(serialize_with = "boxed")] Box<Canonical>),
}

/// Letter case of [`Value::Case`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Case {
    /// `A-Z`.
    Upper,
    /// `a-z`.
    Lower,
}

/// How [`Value::Uuid`] is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum UuidFormat {
    /// `67e55044-10b1-426f-9247-bb680e5fe0c8`.
    Hyphenated,
    /// `67e5504410b1426f9247bb680e5fe0c8`.
    Simple,
}

/// A piece of a [`Value::Template`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum Piece {
    /// Literal text.
    Lit(Text),
    /// The value of a scope variable.
    Var(Text),
}

/// Unit of [`Value::Now`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum TimeUnit {
    /// Seconds since the Unix epoch.
    Seconds,
    /// Milliseconds since the Unix epoch.
    Millis,
}

/// An integer expression. `+ - *` wrap on overflow (like Java `long`, which vendors sign with);
/// `/` and `%` by zero are errors.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum Expr {
    /// A literal.
    Int(i64),
    /// A scope variable parsed as a decimal `i64`.
    Var(Text),
    /// An operation on two expressions.
    Bin(
        #[serde(serialize_with = "boxed")] Box<Expr>,
        Op,
        #[serde(serialize_with = "boxed")] Box<Expr>,
    ),
}

/// An operator of [`Expr::Bin`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Op {
    /// `a + b`.
    Add,
    /// `a - b`.
    Sub,
    /// `a * b`.
    Mul,
    /// `a / b` (truncating).
    Div,
    /// `a % b` (sign of `a`).
    Rem,
}

/// A hash function.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum DigestAlg {
    /// MD5 (RFC 1321).
    Md5,
    /// SHA-1 (FIPS 180-4).
    Sha1,
    /// SHA-256 (FIPS 180-4).
    Sha256,
}

/// How bytes or text become text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum TextEncoding {
    /// Lowercase hexadecimal.
    Hex,
    /// Standard base64 with padding (RFC 4648 §4).
    Base64,
    /// Percent-encoding of every byte outside RFC 3986's unreserved set (`A-Z a-z 0-9 - . _ ~`),
    /// upper-case hex digits, space as `%20`.
    Url,
    /// An `application/x-www-form-urlencoded` value as Java's `URLEncoder` writes it:
    /// `A-Z a-z 0-9 * - . _` kept, space as `+`, everything else percent-encoded with
    /// upper-case hex digits (`~` as `%7E`).
    FormUrl,
    /// The text as it appears between the quotes of a JSON string (as `serde_json` writes it).
    JsonString,
}

/// Which of the request's parameters a [`Canonical`] string reads.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub enum Collection {
    /// The query parameters, then the body's fields (form fields or top-level JSON members).
    #[default]
    Params,
    /// The query parameters only.
    Query,
    /// The body's fields only.
    Body,
}

/// Order of the pairs of a [`Canonical`] string.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub enum SortBy {
    /// By name, byte order; pairs with equal names keep the order they are sent in.
    #[default]
    Key,
    /// By the whole `name + joiner + value` text, byte order.
    Pair,
    /// In the order they are sent.
    AsSent,
}

/// `name + joiner + value` for each selected parameter, ordered, joined by `separator`.
///
/// Selection: the pairs of `from`; only names in `include` when it is given; none of the names
/// in `exclude`; no pair with an empty value when `drop_empty`. Values are the text sent,
/// before URL or form encoding. Generated code writes only the fields that differ from
/// [`Default`] (`..Default::default()`), so a field added later breaks no generated code.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Canonical {
    /// Which parameters.
    #[serde(skip_serializing_if = "is_default")]
    pub from: Collection,
    /// Only these names, when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub include: Option<Vec<Text>>,
    /// Never these names (typically the signature's own, `sign`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub exclude: Vec<Text>,
    /// Leave out pairs whose value is empty.
    #[serde(skip_serializing_if = "is_default")]
    pub drop_empty: bool,
    /// Order of the pairs.
    #[serde(skip_serializing_if = "is_default")]
    pub sort: SortBy,
    /// Between a name and its value (`=`, or nothing).
    #[serde(skip_serializing_if = "is_default")]
    pub joiner: Text,
    /// Between pairs (`&`, or nothing).
    #[serde(skip_serializing_if = "is_default")]
    pub separator: Text,
}

fn is_default<T: Default + PartialEq>(value: &T) -> bool {
    *value == T::default()
}

/// Boxes are data like any other to the emitter: serialized as the newtype `Box`, which it
/// writes as `Box::new(…)`.
fn boxed<T: Serialize, S: serde::Serializer>(value: &T, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_newtype_struct("Box", value)
}

/// What a value evaluates to before any encoding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Text: usable anywhere.
    Text,
    /// Bytes (a digest, MAC or signature): must be encoded (`hex`, `base64`, …) to be text.
    Bytes,
}

/// The prefix of a template variable naming one request parameter: `{params.customer}`.
pub const PARAM_PREFIX: &str = "params.";

impl Value {
    /// A template of one variable, `{name}`.
    pub fn var(name: impl Into<Text>) -> Value {
        Value::Template(vec![Piece::Var(name.into())])
    }

    /// Literal text.
    pub fn lit(text: impl Into<Text>) -> Value {
        Value::Template(vec![Piece::Lit(text.into())])
    }

    /// Text or bytes: the text-vs-bytes analysis the validator reports misuse with and the
    /// interpreter relies on.
    pub fn kind(&self) -> Kind {
        match self {
            Value::Digest(..) | Value::Hmac(..) | Value::RsaSha256(..) => Kind::Bytes,
            _ => Kind::Text,
        }
    }

    /// The values directly inside this one, with the operand's role (`key`, `data`, `[i]`, …).
    pub fn operands(&self) -> Vec<(Operand, &Value)> {
        match self {
            Value::Template(_)
            | Value::Now(_)
            | Value::RandomDigits(_)
            | Value::Uuid(_)
            | Value::Arithmetic(_)
            | Value::Time(..)
            | Value::Canonical(_) => Vec::new(),
            Value::Case(_, v) | Value::Digest(_, v) | Value::Encode(_, v) => {
                vec![(Operand::Inner, &**v)]
            }
            Value::Hmac(_, key, data) | Value::RsaSha256(key, data) => {
                vec![(Operand::Key, &**key), (Operand::Data, &**data)]
            }
            Value::SortedPairs(_, pairs) => pairs
                .iter()
                .enumerate()
                .map(|(i, (_, v))| (Operand::Index(i), v))
                .collect(),
            Value::Concat(parts) => parts
                .iter()
                .enumerate()
                .map(|(i, v)| (Operand::Index(i), v))
                .collect(),
        }
    }

    /// Calls `f` with this value and every value inside it, outermost first.
    pub fn visit<'v>(&'v self, f: &mut dyn FnMut(&'v Value)) {
        f(self);
        for (_, v) in self.operands() {
            v.visit(f);
        }
    }

    /// Whether the value computes an MD5 digest or HMAC-MD5 anywhere: the runtime compiles
    /// those only with its `md5` feature.
    pub fn uses_md5(&self) -> bool {
        let mut found = false;
        self.visit(&mut |v| {
            found |= matches!(
                v,
                Value::Digest(DigestAlg::Md5, _) | Value::Hmac(DigestAlg::Md5, _, _)
            )
        });
        found
    }

    /// Calls `f` with every variable name the value references (`params.NAME` included), in
    /// order.
    pub fn for_each_var<'v>(&'v self, f: &mut dyn FnMut(&'v str)) {
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

    /// Every variable the value names, in order.
    pub fn vars(&self) -> Vec<&str> {
        let mut out = Vec::new();
        self.for_each_var(&mut |v| out.push(v));
        out
    }

    /// Whether the value reads the variable `name` anywhere.
    pub fn reads_var(&self, name: &str) -> bool {
        let mut reads = false;
        self.for_each_var(&mut |v| reads |= v == name);
        reads
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

/// The role of a value inside another ([`Value::operands`]), for locating diagnostics.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operand {
    /// The only operand.
    Inner,
    /// A MAC's or signature's key.
    Key,
    /// The signed data.
    Data,
    /// A part of a concatenation or a pair of `sorted_pairs`.
    Index(usize),
}

impl Expr {
    /// Calls `f` with every variable the expression reads.
    pub fn for_each_var<'e>(&'e self, f: &mut dyn FnMut(&'e str)) {
        match self {
            Expr::Int(_) => {}
            Expr::Var(v) => f(v),
            Expr::Bin(a, _, b) => {
                a.for_each_var(f);
                b.for_each_var(f);
            }
        }
    }
}

impl Canonical {
    /// All pairs of `from`, sorted by key, joined as `k{joiner}v{separator}…`.
    pub fn new(from: Collection, joiner: impl Into<Text>, separator: impl Into<Text>) -> Self {
        Canonical {
            from,
            joiner: joiner.into(),
            separator: separator.into(),
            ..Canonical::default()
        }
    }
}

/// Constructors for hand-written values (tests, examples); generated code builds the variants.
impl Value {
    /// A template of literal pieces and variables.
    pub fn template(pieces: &[Piece]) -> Value {
        Value::Template(pieces.to_vec())
    }

    /// `hex(md5(value))`.
    pub fn md5_hex(value: Value) -> Value {
        Value::encode(TextEncoding::Hex, Value::digest(DigestAlg::Md5, value))
    }

    /// `hex(hmac_sha256(key, data))`.
    pub fn hmac_sha256_hex(key: Value, data: Value) -> Value {
        Value::encode(TextEncoding::Hex, Value::hmac(DigestAlg::Sha256, key, data))
    }

    /// `k=v` pairs sorted by their whole text, joined by `separator`.
    pub fn sorted_pairs(separator: impl Into<Text>, pairs: Vec<(Text, Value)>) -> Value {
        Value::SortedPairs(separator.into(), pairs)
    }

    /// The parts one after another.
    pub fn concat(parts: Vec<Value>) -> Value {
        Value::Concat(parts)
    }

    /// Upper case.
    pub fn upper(value: Value) -> Value {
        Value::Case(Case::Upper, Box::new(value))
    }

    /// Lower case.
    pub fn lower(value: Value) -> Value {
        Value::Case(Case::Lower, Box::new(value))
    }

    /// A digest (bytes).
    pub fn digest(alg: DigestAlg, value: Value) -> Value {
        Value::Digest(alg, Box::new(value))
    }

    /// An HMAC (bytes).
    pub fn hmac(alg: DigestAlg, key: Value, data: Value) -> Value {
        Value::Hmac(alg, Box::new(key), Box::new(data))
    }

    /// An RSA-SHA256 signature (bytes).
    pub fn rsa_sha256(key: Value, data: Value) -> Value {
        Value::RsaSha256(Box::new(key), Box::new(data))
    }

    /// Encoded as text.
    pub fn encode(encoding: TextEncoding, value: Value) -> Value {
        Value::Encode(encoding, Box::new(value))
    }

    /// The current time, formatted in a zone.
    pub fn time(format: impl Into<Text>, zone: impl Into<Text>) -> Value {
        Value::Time(format.into(), zone.into())
    }

    /// A canonical string.
    pub fn canonical(canonical: Canonical) -> Value {
        Value::Canonical(Box::new(canonical))
    }
}

impl Expr {
    /// `a op b`.
    pub fn bin(a: Expr, op: Op, b: Expr) -> Expr {
        Expr::Bin(Box::new(a), op, Box::new(b))
    }
}

impl Canonical {
    /// Only these names.
    pub fn including(mut self, names: &[&'static str]) -> Self {
        self.include = Some(names.iter().map(|n| Text::Borrowed(n)).collect());
        self
    }

    /// Never these names.
    pub fn excluding(mut self, names: &[&'static str]) -> Self {
        self.exclude = names.iter().map(|n| Text::Borrowed(n)).collect();
        self
    }

    /// Leave out empty values.
    pub fn dropping_empty(mut self) -> Self {
        self.drop_empty = true;
        self
    }

    /// Order the pairs so.
    pub fn sorted_by(mut self, sort: SortBy) -> Self {
        self.sort = sort;
        self
    }
}
