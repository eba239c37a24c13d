//! The `type:` mini-language of fields and parameters.

use std::fmt;

/// A parsed `type:` value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TypeExpr {
    String,
    /// A string that is a credential (an access token in a response): never in `Debug`.
    Secret,
    Integer,
    Boolean,
    Decimal,
    /// `2026-05-08`
    Date,
    /// A civil date-time without offset: `2026-05-08 14:30:08.573131` or `2025-02-07T08:07:56.908`.
    DateTime,
    /// An RFC 3339 instant: `2024-01-20T12:00:00Z`.
    Timestamp,
    UnixSeconds,
    UnixMillis,
    /// Any JSON value (the document does not say what it is).
    Json,
    List(Box<TypeExpr>),
    Map(Box<TypeExpr>),
    /// A value carried as a JSON document inside a string (`json_text<Order>`): SF Express's
    /// `msgData`, Douyin's `param_json`.
    JsonText(Box<TypeExpr>),
    Named(String),
}

pub const PRIMITIVES: &[&str] = &[
    "string",
    "integer",
    "boolean",
    "decimal",
    "date",
    "datetime",
    "timestamp",
    "unix_seconds",
    "unix_millis",
    "json",
    "secret",
];

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
        Ok(match t {
            "string" => TypeExpr::String,
            "integer" => TypeExpr::Integer,
            "boolean" => TypeExpr::Boolean,
            "decimal" => TypeExpr::Decimal,
            "date" => TypeExpr::Date,
            "datetime" => TypeExpr::DateTime,
            "timestamp" => TypeExpr::Timestamp,
            "unix_seconds" => TypeExpr::UnixSeconds,
            "unix_millis" => TypeExpr::UnixMillis,
            "json" => TypeExpr::Json,
            "secret" => TypeExpr::Secret,
            name if is_type_name(name) => TypeExpr::Named(name.to_owned()),
            _ => {
                let hint = crate::spec::schema::closest(t, PRIMITIVES)
                    .map(|k| format!(" (did you mean `{k}`?)"))
                    .unwrap_or_default();
                return Err(format!(
                    "unknown type {t:?}{hint}; expected one of {}, list<T>, map<T>, json_text<T> or a type name in UpperCamelCase",
                    PRIMITIVES.join(", ")
                ));
            }
        })
    }

    /// Every named type this expression refers to.
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
            TypeExpr::Secret => Some(ParamText::One(ScalarText::Secret)),
            TypeExpr::String
            | TypeExpr::Integer
            | TypeExpr::Boolean
            | TypeExpr::Decimal
            | TypeExpr::Date
            | TypeExpr::DateTime
            | TypeExpr::Timestamp => Some(ParamText::One(ScalarText::Display)),
            TypeExpr::UnixSeconds => Some(ParamText::One(ScalarText::UnixSeconds)),
            TypeExpr::UnixMillis => Some(ParamText::One(ScalarText::UnixMillis)),
            TypeExpr::Json | TypeExpr::Map(_) | TypeExpr::Named(_) => None,
        }
    }

    /// Numbers and booleans: the only kinds `lenient` applies to.
    pub fn is_scalar_number_or_bool(&self) -> bool {
        matches!(
            self,
            TypeExpr::Integer | TypeExpr::Decimal | TypeExpr::Boolean
        )
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

/// The text of one scalar, as the runtime's `param_text` functions write it.
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
            other => f.write_str(PRIMITIVES[other.primitive_index()]),
        }
    }
}

impl TypeExpr {
    fn primitive_index(&self) -> usize {
        match self {
            TypeExpr::String => 0,
            TypeExpr::Integer => 1,
            TypeExpr::Boolean => 2,
            TypeExpr::Decimal => 3,
            TypeExpr::Date => 4,
            TypeExpr::DateTime => 5,
            TypeExpr::Timestamp => 6,
            TypeExpr::UnixSeconds => 7,
            TypeExpr::UnixMillis => 8,
            TypeExpr::Secret => 10,
            _ => 9,
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
            ("string", Ok(TypeExpr::String)),
            (
                "list<InventoryItem>",
                Ok(TypeExpr::List(Box::new(TypeExpr::Named(
                    "InventoryItem".into(),
                )))),
            ),
            (
                "map<list<decimal>>",
                Ok(TypeExpr::Map(Box::new(TypeExpr::List(Box::new(
                    TypeExpr::Decimal,
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
