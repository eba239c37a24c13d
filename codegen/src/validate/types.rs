//! The `type:` mini-language of fields and parameters, and its capability table: one row
//! per primitive saying everything the generator, the OpenAPI export and the mock need to
//! know about it (Rust type, wire adapter, text form, JSON Schema, the mock's check and
//! sample). Adding a primitive is a variant of [`Primitive`] and its row in [`PRIMITIVES`];
//! the consumers read the row, so none of them names a primitive.

use std::fmt;

use serde_json::{Value as Json, json};

use crate::spec::model::WireFormat;

/// A parsed `type:` value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TypeExpr {
    /// `string`, `integer`, `decimal`, … (see [`PRIMITIVES`]).
    Primitive(Primitive),
    /// `list<T>`: a JSON array, `Vec<T>` in Rust; as a query or form parameter, one
    /// `name=value` pair per element.
    List(Box<TypeExpr>),
    /// `map<T>`: a JSON object with arbitrary keys, `BTreeMap<String, T>` in Rust (no text
    /// form: not a path, query, header or form parameter).
    Map(Box<TypeExpr>),
    /// A value carried as a JSON document inside a string (`json_text<Order>`): SF Express's
    /// `msgData`, Douyin's `param_json`.
    JsonText(Box<TypeExpr>),
    /// An UpperCamelCase name: a type of the spec's `types:` (validation rejects any other),
    /// the generated struct of that name.
    Named(String),
}

/// The primitive types; each has one row in [`PRIMITIVES`], at its own index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Primitive {
    /// `string`: any JSON string.
    String,
    /// A string that is a credential (an access token in a response): never in `Debug`.
    Secret,
    /// `integer`: a whole number, `i64` in Rust.
    Integer,
    /// `boolean`: `true` or `false`.
    Boolean,
    /// `decimal`: an exact decimal (`rust_decimal`), written as a JSON string unless the
    /// field says `wire: number`; never a binary float.
    Decimal,
    /// `2026-05-08`
    Date,
    /// A civil date-time without offset: `2026-05-08 14:30:08.573131` or `2025-02-07T08:07:56.908`.
    DateTime,
    /// An RFC 3339 instant: `2024-01-20T12:00:00Z`.
    Timestamp,
    /// An instant as seconds since the Unix epoch (`1778250608`): a JSON number or numeric
    /// string.
    UnixSeconds,
    /// An instant as milliseconds since the Unix epoch (`1778250608000`): a JSON number or
    /// numeric string.
    UnixMillis,
    /// Any JSON value (the document does not say what it is).
    Json,
}

/// What the mock accepts for a value of a primitive, as JSON and as text (a query value, a
/// path segment): a kind of check, shared by primitives that look alike on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueCheck {
    /// Any string.
    Text,
    /// A whole number (a JSON integer, or its digits in text).
    Integer,
    /// `true` or `false`.
    Boolean,
    /// An exact decimal: a JSON number, or a string of digits with an optional fraction.
    Decimal,
    /// `2026-05-08`.
    Date,
    /// A civil date-time, ` ` or `T` between date and time.
    DateTime,
    /// An RFC 3339 instant.
    Timestamp,
    /// Anything.
    Any,
}

/// One row of the capability table: everything known about a primitive.
pub struct Capabilities {
    /// Which primitive (the row's index is its discriminant).
    pub primitive: Primitive,
    /// Its spelling in specs.
    pub name: &'static str,
    /// The Rust type, under the runtime path `rt` of generated code.
    pub rust: &'static str,
    /// The runtime's record encoding for the field's wire format when the Rust type's own serde
    /// impls do not fit the wire (`None`: `Plain`, or `Lenient<T>` where `lenient` applies).
    pub adapter: fn(WireFormat) -> Option<&'static str>,
    /// Whether a field's `lenient: true` applies (the value may arrive as a JSON string).
    pub lenient: bool,
    /// How a value is written where only text goes (path, query, header, form); `None`: it
    /// has none, and the spec must say `json_text<T>`.
    pub text: Option<ScalarText>,
    /// Its JSON Schema (OpenAPI 3.1 dialect) for the field's wire format.
    pub schema: fn(WireFormat) -> Json,
    /// What the mock accepts.
    pub check: ValueCheck,
    /// A deterministic value the mock answers with, for the field's wire format.
    pub sample: fn(WireFormat) -> Json,
}

const fn no_adapter(_: WireFormat) -> Option<&'static str> {
    None
}

/// The capability table, in [`Primitive`] order.
pub static PRIMITIVES: [Capabilities; 11] = [
    Capabilities {
        primitive: Primitive::String,
        name: "string",
        rust: "String",
        adapter: no_adapter,
        lenient: false,
        text: Some(ScalarText::Display),
        schema: |_| json!({ "type": "string" }),
        check: ValueCheck::Text,
        sample: |_| json!("text"),
    },
    Capabilities {
        primitive: Primitive::Secret,
        name: "secret",
        rust: "rt::SecretText",
        adapter: no_adapter,
        lenient: false,
        text: Some(ScalarText::Secret),
        schema: |_| json!({ "type": "string", "format": "password" }),
        check: ValueCheck::Text,
        sample: |_| json!("mock-secret-value"),
    },
    Capabilities {
        primitive: Primitive::Integer,
        name: "integer",
        rust: "i64",
        adapter: no_adapter,
        lenient: true,
        text: Some(ScalarText::Display),
        schema: |_| json!({ "type": "integer", "format": "int64" }),
        check: ValueCheck::Integer,
        sample: |_| json!(1),
    },
    Capabilities {
        primitive: Primitive::Boolean,
        name: "boolean",
        rust: "bool",
        adapter: no_adapter,
        lenient: true,
        text: Some(ScalarText::Display),
        schema: |_| json!({ "type": "boolean" }),
        check: ValueCheck::Boolean,
        sample: |_| json!(true),
    },
    Capabilities {
        primitive: Primitive::Decimal,
        name: "decimal",
        rust: "rt::rust_decimal::Decimal",
        adapter: |wire| (wire == WireFormat::Number).then_some("DecimalNumber"),
        lenient: true,
        text: Some(ScalarText::Display),
        schema: |wire| match wire {
            WireFormat::Number => json!({
                "type": "number", "format": "decimal",
                "x-decimal": "An exact decimal written as a JSON number; read it without going through binary floating point."
            }),
            WireFormat::String => json!({
                "type": "string", "format": "decimal", "pattern": "^-?[0-9]+(\\.[0-9]+)?$",
                "x-decimal": "An exact decimal written as a JSON string; its scale is significant (\"1.00000000\")."
            }),
        },
        check: ValueCheck::Decimal,
        sample: |wire| match wire {
            WireFormat::Number => json!(1.5),
            WireFormat::String => json!("1.50"),
        },
    },
    Capabilities {
        primitive: Primitive::Date,
        name: "date",
        rust: "rt::jiff::civil::Date",
        adapter: no_adapter,
        lenient: false,
        text: Some(ScalarText::Display),
        schema: |_| json!({ "type": "string", "format": "date" }),
        check: ValueCheck::Date,
        sample: |_| json!("2026-05-08"),
    },
    Capabilities {
        primitive: Primitive::DateTime,
        name: "datetime",
        rust: "rt::jiff::civil::DateTime",
        adapter: no_adapter,
        lenient: false,
        text: Some(ScalarText::Display),
        schema: |_| {
            json!({
                "type": "string",
                "x-format": "yyyy-MM-dd HH:mm:ss[.SSSSSS]",
                "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,9})?$",
                "x-civil-datetime": "A civil date-time without offset or zone (`2026-05-08 14:30:08.573131`; a `T` separator is accepted too). The document does not state its time zone."
            })
        },
        check: ValueCheck::DateTime,
        sample: |_| json!("2026-05-08T14:30:08"),
    },
    Capabilities {
        primitive: Primitive::Timestamp,
        name: "timestamp",
        rust: "rt::jiff::Timestamp",
        adapter: no_adapter,
        lenient: false,
        text: Some(ScalarText::Display),
        schema: |_| json!({ "type": "string", "format": "date-time" }),
        check: ValueCheck::Timestamp,
        sample: |_| json!("2026-05-08T14:30:08Z"),
    },
    Capabilities {
        primitive: Primitive::UnixSeconds,
        name: "unix_seconds",
        rust: "rt::jiff::Timestamp",
        adapter: |_| Some("UnixSeconds"),
        lenient: false,
        text: Some(ScalarText::UnixSeconds),
        schema: |_| {
            json!({
                "type": ["integer", "string"], "x-format": "unix-seconds",
                "x-unix-time": "Seconds since 1970-01-01T00:00:00Z, as a JSON number or numeric string."
            })
        },
        check: ValueCheck::Integer,
        sample: |_| json!(1_778_250_608),
    },
    Capabilities {
        primitive: Primitive::UnixMillis,
        name: "unix_millis",
        rust: "rt::jiff::Timestamp",
        adapter: |_| Some("UnixMillis"),
        lenient: false,
        text: Some(ScalarText::UnixMillis),
        schema: |_| {
            json!({
                "type": ["integer", "string"], "x-format": "unix-millis",
                "x-unix-time": "Milliseconds since 1970-01-01T00:00:00Z, as a JSON number or numeric string."
            })
        },
        check: ValueCheck::Integer,
        sample: |_| json!(1_778_250_608_000_i64),
    },
    Capabilities {
        primitive: Primitive::Json,
        name: "json",
        rust: "rt::serde_json::Value",
        adapter: no_adapter,
        lenient: false,
        text: None,
        schema: |_| json!({}),
        check: ValueCheck::Any,
        sample: |_| json!({}),
    },
];

impl Primitive {
    /// Its row of the capability table.
    pub fn capabilities(self) -> &'static Capabilities {
        &PRIMITIVES[self as usize]
    }

    /// The primitive spelled `name` in specs.
    pub fn named(name: &str) -> Option<Primitive> {
        PRIMITIVES
            .iter()
            .find(|c| c.name == name)
            .map(|c| c.primitive)
    }
}

impl TypeExpr {
    /// Parses `list<map<Item>>`-style expressions. Named types are not resolved here.
    pub fn parse(text: &str) -> Result<TypeExpr, String> {
        let t = text.trim();
        for (prefix, wrap) in [
            ("list<", TypeExpr::List as fn(Box<TypeExpr>) -> TypeExpr),
            ("map<", TypeExpr::Map),
            ("json_text<", TypeExpr::JsonText),
        ] {
            if let Some(inner) = t.strip_prefix(prefix) {
                let inner = inner
                    .strip_suffix('>')
                    .ok_or_else(|| format!("unclosed `<` in type `{text}`"))?;
                return Ok(wrap(Box::new(TypeExpr::parse(inner)?)));
            }
        }
        if let Some(p) = Primitive::named(t) {
            return Ok(TypeExpr::Primitive(p));
        }
        Ok(match t {
            name if is_type_name(name) => TypeExpr::Named(name.to_owned()),
            _ => {
                let names: Vec<&str> = PRIMITIVES.iter().map(|c| c.name).collect();
                let hint = crate::spec::schema::closest(t, &names)
                    .map(|k| format!(" (did you mean `{k}`?)"))
                    .unwrap_or_default();
                return Err(format!(
                    "unknown type {t:?}{hint}; expected one of {}, list<T>, map<T>, json_text<T> or a type name in UpperCamelCase",
                    names.join(", ")
                ));
            }
        })
    }

    /// The named type this expression refers to, through lists, maps and `json_text`
    /// (`Item` for `list<map<Item>>`); `None` for a primitive inside.
    pub fn named(&self) -> Option<&str> {
        match self {
            TypeExpr::Named(n) => Some(n),
            TypeExpr::List(inner) | TypeExpr::Map(inner) | TypeExpr::JsonText(inner) => {
                inner.named()
            }
            _ => None,
        }
    }

    /// How a value of this type is written where only text goes: a path segment, a query or
    /// form value, a header. `None`: it has no such spelling (a record, a map, any JSON) — the
    /// spec must say `json_text<T>`.
    pub fn param_text(&self) -> Option<ParamText> {
        match self {
            TypeExpr::List(inner) => match inner.param_text()? {
                ParamText::One(scalar) => Some(ParamText::Repeated(scalar)),
                ParamText::Repeated(_) => None,
            },
            TypeExpr::JsonText(_) => Some(ParamText::One(ScalarText::Json)),
            TypeExpr::Primitive(p) => p.capabilities().text.map(ParamText::One),
            TypeExpr::Map(_) | TypeExpr::Named(_) => None,
        }
    }

    /// Whether `lenient` applies (numbers and booleans, as the table says).
    pub fn is_lenient_capable(&self) -> bool {
        matches!(self, TypeExpr::Primitive(p) if p.capabilities().lenient)
    }

    /// The primitive this is, if it is one.
    pub fn primitive(&self) -> Option<Primitive> {
        match self {
            TypeExpr::Primitive(p) => Some(*p),
            _ => None,
        }
    }
}

/// How a parameter's value becomes text ([`TypeExpr::param_text`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamText {
    /// One value.
    One(ScalarText),
    /// A list: one `name=value` pair per element, in order (query strings and form bodies).
    Repeated(ScalarText),
}

/// The text of one scalar: which of the runtime's `text` functions writes it (one per variant).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScalarText {
    /// The secret's text.
    Secret,
    /// Strings as they are; numbers, booleans, decimals as written, dates `2026-05-08`, civil times
    /// `2026-05-08T14:30:08`, instants in RFC 3339: the same text as in JSON.
    Display,
    /// Seconds since the Unix epoch.
    UnixSeconds,
    /// Milliseconds since the Unix epoch.
    UnixMillis,
    /// The value as a compact JSON document.
    Json,
}

impl fmt::Display for TypeExpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TypeExpr::List(i) => write!(f, "list<{i}>"),
            TypeExpr::Map(i) => write!(f, "map<{i}>"),
            TypeExpr::JsonText(i) => write!(f, "json_text<{i}>"),
            TypeExpr::Named(n) => f.write_str(n),
            TypeExpr::Primitive(p) => f.write_str(p.capabilities().name),
        }
    }
}

fn is_type_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_uppercase()) && chars.all(|c| c.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_type_expressions() {
        let cases = [
            ("string", Ok(TypeExpr::Primitive(Primitive::String))),
            (
                "list<InventoryItem>",
                Ok(TypeExpr::List(Box::new(TypeExpr::Named(
                    "InventoryItem".into(),
                )))),
            ),
            (
                "map<list<decimal>>",
                Ok(TypeExpr::Map(Box::new(TypeExpr::List(Box::new(
                    TypeExpr::Primitive(Primitive::Decimal),
                ))))),
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(TypeExpr::parse(text), expected, "{text}");
        }
        let err = TypeExpr::parse("innt").unwrap_err();
        assert!(
            err.contains("unknown type \"innt\"") && err.contains("did you mean `integer`"),
            "{err}"
        );
        assert!(TypeExpr::parse("list<string").is_err());
        assert!(TypeExpr::parse("lowercase_name").is_err());
    }

    #[test]
    fn every_row_is_at_its_primitives_index_and_names_are_unique() {
        for (i, row) in PRIMITIVES.iter().enumerate() {
            assert_eq!(row.primitive as usize, i, "{}", row.name);
            assert_eq!(Primitive::named(row.name), Some(row.primitive));
            assert_eq!(
                TypeExpr::parse(row.name).unwrap().to_string(),
                row.name,
                "round trip"
            );
        }
    }

    #[test]
    fn display_round_trips() {
        for text in [
            "list<map<Item>>",
            "json_text<list<Item>>",
            "decimal",
            "unix_millis",
            "json",
            "secret",
        ] {
            assert_eq!(TypeExpr::parse(text).unwrap().to_string(), text);
        }
    }
}
