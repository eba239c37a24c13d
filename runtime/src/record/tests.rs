//! The record impls behave as serde's derive does: the same values and the same errors, for
//! a twin type that derives them.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Written as the generator writes a record.
mod lean {
    use rust_decimal::Decimal;

    #[derive(Debug, Clone, PartialEq)]
    pub struct Rec {
        pub name: String,
        pub count: Option<i64>,
        pub price: Decimal,
        pub at: Option<jiff::Timestamp>,
        pub local: u8,
    }

    crate::__generated_record! { Rec: Serialize, Deserialize; {
        name: String = "name" as Plain => always;
        count: Option<i64> = "n" as Lenient<i64> => unless_none;
        price: Decimal = "price" as DecimalNumber => always;
        at: Option<jiff::Timestamp> = "at" as UnixSeconds => always;
        local: u8 = "local" as Skipped => never;
    } }
}

/// What the generator used to emit for the same fields.
mod derived {
    use super::*;

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct Rec {
        pub name: String,
        #[serde(
            rename = "n",
            with = "crate::wire::lenient",
            default,
            skip_serializing_if = "Option::is_none"
        )]
        pub count: Option<i64>,
        #[serde(with = "crate::wire::decimal_number")]
        pub price: Decimal,
        #[serde(with = "crate::wire::unix_seconds", default)]
        pub at: Option<jiff::Timestamp>,
        #[serde(skip)]
        pub local: u8,
    }
}

use derived::Rec as Derived;
use lean::Rec as Lean;

impl From<Derived> for Lean {
    fn from(d: Derived) -> Lean {
        Lean {
            name: d.name,
            count: d.count,
            price: d.price,
            at: d.at,
            local: d.local,
        }
    }
}

const BODIES: &[&str] = &[
    r#"{"name":"a","n":"5","price":"28.5","at":1522404566}"#,
    r#"{"name":"a","n":5,"price":28.5,"at":null}"#,
    r#"{"name":"a","price":1}"#,
    r#"{"price":1,"name":"a","extra":{"deep":[1,2,{"x":null}]},"n":null}"#,
    r#"{"n":1,"price":1}"#,
    r#"{"name":"a"}"#,
    r#"{"name":"a","name":"b","price":1}"#,
    r#"{"name":"a","price":1,"price":2}"#,
    r#"{"name":1,"price":1}"#,
    r#"{"name":"a","n":"five","price":1}"#,
    r#"{"name":"a","price":true}"#,
    r#"{"name":"a","price":1,"at":"soon"}"#,
    r#"["a","7","3",1522404566]"#,
    r#"["a","7"]"#,
    r#"["a","7","3"]"#,
    r#"["a"]"#,
    r#"["a","7","3",1,5]"#,
    r#"{"name":"a","price":1,"local":5,"local":6}"#,
    r#"{"name":"a","price":1,"at":-99999999999999}"#,
    r#"[]"#,
    r#"{"name":"a","price":1"#,
    r#"{"name":"a","price":1} x"#,
    r#"null"#,
    r#""text""#,
    r#"7"#,
    r#"{"name":"a\u0000","price":-0.000}"#,
];

#[test]
fn decodes_what_the_derive_decodes_and_fails_as_it_fails() {
    for body in BODIES {
        let lean = serde_json::from_str::<Lean>(body).map_err(|e| e.to_string());
        let derived = serde_json::from_str::<Derived>(body)
            .map(Lean::from)
            .map_err(|e| e.to_string());
        assert_eq!(lean, derived, "{body}");
        // From bytes: positions, but not the text deserializer the fields are compiled for,
        // so each field's value goes through a JSON tree.
        let lean = serde_json::from_slice::<Lean>(body.as_bytes()).map_err(|e| e.to_string());
        let derived = serde_json::from_slice::<Derived>(body.as_bytes())
            .map(Lean::from)
            .map_err(|e| e.to_string());
        assert_eq!(lean, derived, "{body} as bytes");
        // Through a JSON tree too (no positions, another deserializer).
        if let Ok(tree) = serde_json::from_str::<serde_json::Value>(body) {
            let lean = serde_json::from_value::<Lean>(tree.clone()).map_err(|e| e.to_string());
            let derived = serde_json::from_value::<Derived>(tree)
                .map(Lean::from)
                .map_err(|e| e.to_string());
            assert_eq!(lean, derived, "{body} as a tree");
        }
    }
}

#[test]
fn encodes_what_the_derive_encodes() {
    for body in BODIES {
        let Ok(derived) = serde_json::from_str::<Derived>(body) else {
            continue;
        };
        let lean = Lean::from(derived.clone());
        assert_eq!(
            serde_json::to_string(&lean).unwrap(),
            serde_json::to_string(&derived).unwrap(),
            "{body}"
        );
        assert_eq!(
            serde_json::to_value(&lean).unwrap(),
            serde_json::to_value(&derived).unwrap(),
            "{body}"
        );
    }
}

#[test]
fn nested_records_keep_the_position_of_an_error() {
    let body = "[\n{\"name\":\"a\",\"price\":1},\n{\"name\":\"b\",\"price\":\"x\"}]";
    let lean = serde_json::from_str::<Vec<Lean>>(body)
        .unwrap_err()
        .to_string();
    let derived = serde_json::from_str::<Vec<Derived>>(body)
        .unwrap_err()
        .to_string();
    assert_eq!(lean, derived);
    assert!(lean.ends_with("at line 3 column 24"), "{lean}");
}
