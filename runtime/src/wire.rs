//! Serde adapters for the wire encodings vendor documents use, named by generated
//! records through the runtime's `record` encodings (`Lenient<T>`, `DecimalNumber`,
//! `UnixSeconds`, `UnixMillis`); usable as `#[serde(with = "...")]` too.
//!
//! Each adapter works for both `T` and `Option<T>` (through [`WireValue`]), so
//! the generator needs one attribute per encoding, not one per nullability.

use rust_decimal::Decimal;
use serde::de::{self, Deserializer, Visitor};
use serde::ser::Serializer;
use std::fmt;

/// A JSON scalar as received, before conversion to the field's type.
#[derive(Debug, Clone, PartialEq)]
pub enum Scalar {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
}

impl<'de> serde::Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Scalar;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number, boolean, string or null")
            }
            fn visit_unit<E>(self) -> Result<Scalar, E> {
                Ok(Scalar::Null)
            }
            fn visit_none<E>(self) -> Result<Scalar, E> {
                Ok(Scalar::Null)
            }
            fn visit_bool<E>(self, v: bool) -> Result<Scalar, E> {
                Ok(Scalar::Bool(v))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Scalar, E> {
                Ok(Scalar::Int(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Scalar, E> {
                i64::try_from(v)
                    .map(Scalar::Int)
                    .map_err(|_| E::custom(format!("{v} is out of range")))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Scalar, E> {
                Ok(Scalar::Float(v))
            }
            fn visit_str<E>(self, v: &str) -> Result<Scalar, E> {
                Ok(Scalar::Str(v.to_owned()))
            }
        }
        d.deserialize_any(V)
    }
}

/// A field type an adapter can produce: the value itself or its `Option`.
/// Implemented for concrete types only, so `T` is inferred from the field.
pub trait WireValue<T>: Sized {
    fn from_scalar(s: Option<T>) -> Result<Self, String>;
    fn as_value(&self) -> Option<&T>;
}

macro_rules! wire_value {
    ($($t:ty),*) => {$(
        impl WireValue<$t> for $t {
            fn from_scalar(s: Option<$t>) -> Result<Self, String> {
                s.ok_or_else(|| "unexpected null".to_owned())
            }
            fn as_value(&self) -> Option<&$t> {
                Some(self)
            }
        }
        impl WireValue<$t> for Option<$t> {
            fn from_scalar(s: Option<$t>) -> Result<Self, String> {
                Ok(s)
            }
            fn as_value(&self) -> Option<&$t> {
                self.as_ref()
            }
        }
    )*};
}

wire_value!(i64, bool, Decimal, jiff::Timestamp);

/// A type that can be read from a number, or from a string holding one.
pub trait Lenient: Sized {
    fn from_scalar(s: Scalar) -> Result<Option<Self>, String>;
}

impl Lenient for i64 {
    fn from_scalar(s: Scalar) -> Result<Option<Self>, String> {
        match s {
            Scalar::Null => Ok(None),
            Scalar::Int(i) => Ok(Some(i)),
            Scalar::Str(t) => t
                .trim()
                .parse()
                .map(Some)
                .map_err(|_| format!("expected an integer, found {t:?}")),
            other => Err(format!("expected an integer, found {other:?}")),
        }
    }
}

impl Lenient for Decimal {
    fn from_scalar(s: Scalar) -> Result<Option<Self>, String> {
        match s {
            Scalar::Null => Ok(None),
            Scalar::Int(i) => Ok(Some(Decimal::from(i))),
            // A JSON number with a fraction: keep its shortest decimal text, not the binary value.
            Scalar::Float(f) => decimal_of_float(f).map(Some),
            Scalar::Str(t) => t
                .trim()
                .parse()
                .map(Some)
                .map_err(|_| format!("expected a decimal, found {t:?}")),
            Scalar::Bool(b) => Err(format!("expected a decimal, found {b}")),
        }
    }
}

/// The decimal a float's shortest round-trip text spells (`1234.56`, not the binary
/// 1234.55999…). `ryu` writes that text without allocating (serde_json's own float writer,
/// already in every build); its exponent form, for very large or small magnitudes, is read as
/// scientific notation.
fn decimal_of_float(f: f64) -> Result<Decimal, String> {
    let not_decimal = || format!("{f} is not a decimal");
    if !f.is_finite() {
        return Err(not_decimal());
    }
    let mut buffer = ryu::Buffer::new();
    let text = buffer.format_finite(f);
    if text.contains('e') {
        Decimal::from_scientific(text).map_err(|_| not_decimal())
    } else {
        text.parse().map_err(|_| not_decimal())
    }
}

impl Lenient for bool {
    fn from_scalar(s: Scalar) -> Result<Option<Self>, String> {
        match s {
            Scalar::Null => Ok(None),
            Scalar::Bool(b) => Ok(Some(b)),
            Scalar::Int(0) => Ok(Some(false)),
            Scalar::Int(1) => Ok(Some(true)),
            Scalar::Str(t) => match t.trim() {
                "true" | "1" => Ok(Some(true)),
                "false" | "0" => Ok(Some(false)),
                _ => Err(format!("expected a boolean, found {t:?}")),
            },
            other => Err(format!("expected a boolean, found {other:?}")),
        }
    }
}

/// Numbers (and booleans) that may also arrive as strings: `5` or `"5"`.
pub mod lenient {
    use super::*;

    pub fn deserialize<'de, D, T, F>(d: D) -> Result<F, D::Error>
    where
        D: Deserializer<'de>,
        T: Lenient,
        F: WireValue<T>,
    {
        let scalar = <Scalar as serde::Deserialize>::deserialize(d)?;
        let value = T::from_scalar(scalar).map_err(de::Error::custom)?;
        F::from_scalar(value).map_err(de::Error::custom)
    }

    pub fn serialize<S, T, F>(value: &F, s: S) -> Result<S::Ok, S::Error>
    where
        S: Serializer,
        T: serde::Serialize,
        F: WireValue<T>,
    {
        match value.as_value() {
            Some(v) => v.serialize(s),
            None => s.serialize_none(),
        }
    }
}

/// Decimals written as JSON numbers (`28.5`), read from numbers or strings.
pub mod decimal_number {
    use super::*;
    use rust_decimal::prelude::ToPrimitive;

    pub fn deserialize<'de, D, F>(d: D) -> Result<F, D::Error>
    where
        D: Deserializer<'de>,
        F: WireValue<Decimal>,
    {
        super::lenient::deserialize::<D, Decimal, F>(d)
    }

    pub fn serialize<S, F>(value: &F, s: S) -> Result<S::Ok, S::Error>
    where
        S: Serializer,
        F: WireValue<Decimal>,
    {
        match value.as_value() {
            // Integral values stay exact; others go through f64 as the wire format demands.
            Some(v) if v.fract().is_zero() => match v.to_i64() {
                Some(i) => s.serialize_i64(i),
                None => s.serialize_f64(v.to_f64().unwrap_or(f64::NAN)),
            },
            Some(v) => s.serialize_f64(v.to_f64().unwrap_or(f64::NAN)),
            None => s.serialize_none(),
        }
    }
}

macro_rules! unix_adapter {
    ($name:ident, $doc:literal, $from:path, $to:ident) => {
        #[doc = $doc]
        pub mod $name {
            use super::*;

            pub fn deserialize<'de, D, F>(d: D) -> Result<F, D::Error>
            where
                D: Deserializer<'de>,
                F: WireValue<jiff::Timestamp>,
            {
                let n = super::lenient::deserialize::<D, i64, Option<i64>>(d)?;
                let ts = n.map(|n| $from(n).map_err(de::Error::custom)).transpose()?;
                F::from_scalar(ts).map_err(de::Error::custom)
            }

            pub fn serialize<S, F>(value: &F, s: S) -> Result<S::Ok, S::Error>
            where
                S: Serializer,
                F: WireValue<jiff::Timestamp>,
            {
                match value.as_value() {
                    Some(ts) => s.serialize_i64(ts.$to()),
                    None => s.serialize_none(),
                }
            }
        }
    };
}

unix_adapter!(
    unix_seconds,
    "Unix time in seconds as a JSON number (or numeric string).",
    jiff::Timestamp::from_second,
    as_second
);
unix_adapter!(
    unix_millis,
    "Unix time in milliseconds as a JSON number (or numeric string).",
    jiff::Timestamp::from_millisecond,
    as_millisecond
);

#[cfg(test)]
mod tests {
    use super::*;
    use serde::{Deserialize, Serialize};

    #[derive(Debug, Deserialize, Serialize, PartialEq)]
    struct Sample {
        #[serde(with = "lenient")]
        num: i64,
        #[serde(with = "lenient", default)]
        maybe: Option<i64>,
        #[serde(with = "decimal_number")]
        price: Decimal,
        #[serde(with = "unix_seconds")]
        at: jiff::Timestamp,
    }

    #[test]
    fn accepts_numbers_and_numeric_strings() {
        let a: Sample =
            serde_json::from_str(r#"{"num":"5","maybe":null,"price":28.5,"at":1522404566}"#)
                .unwrap();
        let b: Sample =
            serde_json::from_str(r#"{"num":5,"price":"28.5","at":"1522404566"}"#).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.price.to_string(), "28.5");
        assert_eq!(
            serde_json::to_string(&a).unwrap(),
            r#"{"num":5,"maybe":null,"price":28.5,"at":1522404566}"#
        );
    }

    #[test]
    fn rejects_what_is_not_a_number() {
        for body in [
            r#"{"num":"five","price":1,"at":1}"#,
            r#"{"num":null,"price":1,"at":1}"#,
            r#"{"num":1,"price":true,"at":1}"#,
        ] {
            assert!(serde_json::from_str::<Sample>(body).is_err(), "{body}");
        }
    }

    proptest::proptest! {
        /// The decimal spells the same float and is no longer than Rust's own shortest text
        /// (what this adapter read before). The two differ only where two texts of equal
        /// length are equally near the float, e.g. `…842.625` as `…842.62` or `…842.63`.
        #[test]
        fn a_float_reads_as_a_shortest_decimal_that_spells_it(
            mantissa in -1.0e6f64..1.0e6,
            exponent in -14i32..14,
        ) {
            let f = mantissa * 10f64.powi(exponent);
            let read = decimal_of_float(f).unwrap().normalize().to_string();
            let before: Decimal = f.to_string().parse().unwrap();
            proptest::prop_assert_eq!(read.parse::<f64>().unwrap(), f);
            proptest::prop_assert!(read.len() <= before.normalize().to_string().len());
        }
    }

    #[test]
    fn floats_read_as_the_decimals_they_spell() {
        for (f, text) in [
            (1234.56, "1234.56"),
            (0.1, "0.1"),
            (-28.5, "-28.5"),
            (1e-7, "0.0000001"),
            (1.5e20, "150000000000000000000"),
        ] {
            assert_eq!(decimal_of_float(f), Ok(text.parse().unwrap()), "{f}");
        }
        assert!(decimal_of_float(f64::NAN).is_err());
        assert!(decimal_of_float(1e40).is_err());
    }
}
