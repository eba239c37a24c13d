//! Serde for generated records (request and response structs), compiled once here.
//!
//! `#[derive(Serialize, Deserialize)]` writes a field enum, a field visitor and a struct
//! visitor per type, all generic over the (de)serializer: on a large API that generic code,
//! type-checked and borrow-checked for every type, was most of a debug build of the
//! generated module. Generated records instead implement the serde traits in a few lines
//! over this module: decoding walks the map (or sequence) here, once per deserializer, and
//! fills each field's [`Slot`] by code compiled once per field type for the one deserializer
//! the runtime uses (`serde_json` over text, [`JsonDe`]); any other deserializer (a `Value`,
//! bytes) hands the field's value over as a JSON tree, decoded again as text by the same
//! code (slower; off the runtime's path). So per type only the field list and the struct
//! literal are written, by the [`__generated_record!`](crate::__generated_record)
//! macro from one line per field. Behaviour matches the derive's: fields by wire
//! name, unknown keys ignored, `missing field` / `duplicate field` errors, a missing
//! `Option` field is `None`, a sequence fills the fields in order; encoding writes a struct
//! whose `None` optional fields may be skipped.
//! Differences: a JSON syntax error met inside a record's field (rare: enveloped data
//! was parsed once already) has serde_json's `Data` category rather than `Syntax`, since it
//! crosses the record's walk as a message (its text and position are the same); and off
//! the text path, a field's value passes through a `serde_json::Value`, so a repeated key
//! inside it is kept last-wins and an integer beyond 64 bits becomes a float.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, DeserializeOwned, DeserializeSeed, Deserializer, MapAccess, SeqAccess};
use serde::ser::{SerializeStruct, Serializer};
use serde::{Deserialize, Serialize};

use crate::wire::{self, WireValue};

/// Writes `Serialize` and/or `Deserialize` for a generated record, one line per field:
///
/// ```text
/// record! { Order: Serialize, Deserialize; {
///     order_no: String = "orderNo" as Plain => always;
///     amount: Option<Decimal> = "amount" as DecimalNumber => unless_none;
/// } }
/// ```
///
/// `as` names the field's [`Encoding`]/[`Decoding`] in this module ([`Plain`]: the type's
/// own serde impls; [`Skipped`]: not on the wire); after `=>`, [`always`], [`unless_none`]
/// or [`never`] says when the field is encoded.
#[doc(hidden)]
#[macro_export]
macro_rules! __generated_record {
    ($name:ident: $($impl:ident),+; $fields:tt) => {
        $($crate::__generated_record!(@$impl $name $fields);)+
    };
    (@Serialize $name:ident {
        $($field:ident: $ty:ty = $wire:literal as $a:ident $(<$p:ty>)? => $mode:ident;)*
    }) => {
        impl $crate::serde::Serialize for $name {
            fn serialize<S: $crate::serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::core::result::Result<S::Ok, S::Error> {
                use $crate::record as r;
                r::encode(serializer, ::core::stringify!($name), &[$(
                    r::$mode($wire, &self.$field, &r::Adapted::<_, r::$a $(<$p>)?>::new(&self.$field)),
                )*])
            }
        }
    };
    (@Deserialize $name:ident {
        $($field:ident: $ty:ty = $wire:literal as $a:ident $(<$p:ty>)? => $mode:ident;)*
    }) => {
        impl<'de> $crate::serde::Deserialize<'de> for $name {
            fn deserialize<D: $crate::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::core::result::Result<Self, D::Error> {
                use $crate::record as r;
                $(let mut $field = r::Slot::<$ty, r::$a $(<$p>)?>::new();)*
                r::decode(
                    deserializer,
                    ::core::stringify!($name),
                    &[$($wire),*],
                    &mut [$(&mut $field),*],
                )?;
                ::core::result::Result::Ok($name { $($field: $field.value($wire)?,)* })
            }
        }
    };
}

/// A record field being decoded: filled at most once, from any deserializer.
pub trait FieldSlot {
    /// Decodes the field's value from JSON text: the deserializer every response, token
    /// and delivery is decoded with, so this is the path that must be fast.
    fn fill_json(&mut self, d: &mut JsonDe<'_>) -> Result<(), serde_json::Error>;
    /// Whether a value was decoded already (a repeated key is an error).
    fn is_filled(&self) -> bool;
    /// The field's key is absent: fills the slot and returns `true` when that is allowed
    /// (an `Option` is `None`), `false` when it is a `missing field` error.
    fn fill_missing(&mut self) -> bool;
    /// Whether the field is on the wire at all (one element of a sequence).
    fn on_wire(&self) -> bool;
}

/// How a field of type `T` is read from the wire.
pub trait Decoding<T> {
    /// Decodes a `T` from JSON text; `None`: the value is read and dropped (the field is not
    /// on the wire).
    fn from_json(d: &mut JsonDe<'_>) -> Result<Option<T>, serde_json::Error>;
    /// The value of an absent key, if one is allowed.
    fn missing() -> Option<T>;
    /// Whether the field is on the wire at all.
    const ON_WIRE: bool = true;
}

/// How a field of type `T` is written on the wire.
pub trait Encoding<T> {
    /// Encodes a `T`.
    fn serialize<S: Serializer>(value: &T, s: S) -> Result<S::Ok, S::Error>;
}

/// One field's place while its record is decoded.
pub struct Slot<T, A>(Option<T>, PhantomData<A>);

impl<T, A> Slot<T, A> {
    /// An empty slot.
    pub fn new() -> Self {
        Slot(None, PhantomData)
    }

    /// The decoded value. [`decode`] fills every slot or fails, so the error is only a
    /// safeguard.
    pub fn value<E: de::Error>(self, name: &'static str) -> Result<T, E> {
        self.0.ok_or_else(|| E::missing_field(name))
    }
}

impl<T, A> Default for Slot<T, A> {
    fn default() -> Self {
        Slot::new()
    }
}

impl<T, A: Decoding<T>> FieldSlot for Slot<T, A> {
    fn fill_json(&mut self, d: &mut JsonDe<'_>) -> Result<(), serde_json::Error> {
        self.0 = A::from_json(d)?;
        Ok(())
    }

    fn is_filled(&self) -> bool {
        self.0.is_some()
    }

    fn fill_missing(&mut self) -> bool {
        self.0 = A::missing();
        self.0.is_some()
    }

    fn on_wire(&self) -> bool {
        A::ON_WIRE
    }
}

/// Decodes the record `name` with `fields` (wire names, in declaration order) into `slots`
/// (one per field, same order): a map by key, or a sequence in order; an absent field is
/// `None` if it is an `Option`, else serde's `missing field` error.
pub fn decode<'de, D: Deserializer<'de>>(
    d: D,
    name: &'static str,
    fields: &'static [&'static str],
    slots: &mut [&mut dyn FieldSlot],
) -> Result<(), D::Error> {
    d.deserialize_struct(
        name,
        fields,
        RecordVisitor {
            name,
            fields,
            slots,
        },
    )
}

struct RecordVisitor<'a, 'b> {
    name: &'static str,
    fields: &'static [&'static str],
    slots: &'a mut [&'b mut dyn FieldSlot],
}

impl<'de> de::Visitor<'de> for RecordVisitor<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "struct {}", self.name)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key_seed(KeySeed(self.fields))? {
            match key {
                Some(i) if self.slots[i].is_filled() => {
                    return Err(de::Error::duplicate_field(self.fields[i]));
                }
                Some(i) => map.next_value_seed(SlotSeed(&mut *self.slots[i]))?,
                None => {
                    map.next_value::<de::IgnoredAny>()?;
                }
            }
        }
        for (slot, name) in self.slots.iter_mut().zip(self.fields) {
            if !slot.is_filled() && !slot.fill_missing() {
                return Err(de::Error::missing_field(name));
            }
        }
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let expected = self.slots.iter().filter(|s| s.on_wire()).count();
        let (mut index, mut ended) = (0, false);
        for slot in self.slots.iter_mut() {
            if !slot.on_wire() {
                slot.fill_missing();
                continue;
            }
            if !ended {
                ended = seq.next_element_seed(SlotSeed(&mut **slot))?.is_none();
            }
            if ended && !slot.fill_missing() {
                return Err(de::Error::invalid_length(
                    index,
                    &Fields(self.name, expected),
                ));
            }
            index += 1;
        }
        Ok(())
    }
}

/// `struct NAME with N elements`, as the derive words a short sequence.
struct Fields(&'static str, usize);

impl de::Expected for Fields {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "struct {} with {} elements", self.0, self.1)
    }
}

/// A map key: the index of the field it names, `None` for a key the record ignores.
struct KeySeed(&'static [&'static str]);

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Option<usize>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<usize>, D::Error> {
        d.deserialize_identifier(self)
    }
}

impl de::Visitor<'_> for KeySeed {
    type Value = Option<usize>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("field identifier")
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Option<usize>, E> {
        Ok(usize::try_from(v).ok().filter(|i| *i < self.0.len()))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Option<usize>, E> {
        Ok(self.0.iter().position(|f| *f == v))
    }

    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Option<usize>, E> {
        Ok(self.0.iter().position(|f| f.as_bytes() == v))
    }
}

/// The deserializer of JSON text (`serde_json::from_str`), which the runtime decodes every
/// body with.
pub type JsonDe<'de> = serde_json::Deserializer<serde_json::de::StrRead<'de>>;

/// Runs `f` on `d` if `d` is `&mut JsonDe`, else gives `d` back.
///
/// Why: a record's fields are decoded by code compiled once per field type. Through
/// `erased_serde` that code served every deserializer, but every value then crossed a
/// type-erased visitor (boxed, per field and per level of nesting): 5× slower than a
/// derive. Compiled for the one deserializer the runtime uses, it is as fast as a derive,
/// and still compiled once per field type (the walk over the map stays generic, once per
/// deserializer, in this module).
fn with_json_text<'de, D: Deserializer<'de>, R>(
    d: D,
    f: impl FnOnce(&mut JsonDe<'de>) -> R,
) -> Result<R, D> {
    if typeid::of::<D>() != typeid::of::<&mut JsonDe<'de>>() {
        return Err(d);
    }
    let mut d = std::mem::ManuallyDrop::new(d);
    // SAFETY: `D` is `&'a mut serde_json::Deserializer<StrRead<'x>>` up to lifetimes
    // (`typeid` ignores them). `'x` is `'de`: serde_json implements `Deserializer<'de>` for
    // `&mut Deserializer<R>` only where `R: Read<'de>`, and `StrRead<'x>` is `Read<'x>`
    // only. The reference is reborrowed for no longer than `d` lives, which is within
    // `'a`; `f` gets it for the call only and returns nothing borrowed from it (`R` is
    // chosen by the caller before `'a` is known). A `&mut` has no drop glue, so not
    // dropping `d` loses nothing.
    let json: &mut JsonDe<'de> =
        unsafe { std::ptr::read((&mut *d as *mut D).cast::<&mut JsonDe<'de>>()) };
    Ok(f(json))
}

/// The error's text without the position, which is the re-parsed text's and not the
/// input's: the deserializer that read the input adds its own when it has one.
fn without_position(e: &serde_json::Error) -> String {
    let text = e.to_string();
    if e.line() == 0 {
        return text;
    }
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    text.strip_suffix(&suffix)
        .map_or_else(|| text.clone(), str::to_owned)
}

/// Decodes one value into a slot.
struct SlotSeed<'a, 'b>(&'a mut (dyn FieldSlot + 'b));

impl<'de> DeserializeSeed<'de> for SlotSeed<'_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        let d = match with_json_text(d, |json| self.0.fill_json(json)) {
            Ok(filled) => return filled.map_err(de::Error::custom),
            Err(d) => d,
        };
        // Any other deserializer (a `Value`, bytes): the value as a JSON tree, decoded again
        // as text by the same code. Slower, but the fields' decoding is compiled once.
        let tree = serde_json::Value::deserialize(d)?;
        let text = tree.to_string();
        let mut json = serde_json::Deserializer::from_str(&text);
        self.0
            .fill_json(&mut json)
            .map_err(|e| de::Error::custom(without_position(&e)))
    }
}

/// The value an absent key gives a type through its own serde impls: `None` for an
/// `Option` (as the derive decides), nothing for any other type.
struct Missing;

impl<'de> Deserializer<'de> for Missing {
    type Error = de::value::Error;

    fn deserialize_any<V: de::Visitor<'de>>(self, _: V) -> Result<V::Value, Self::Error> {
        Err(de::Error::custom("absent"))
    }

    fn deserialize_option<V: de::Visitor<'de>>(self, v: V) -> Result<V::Value, Self::Error> {
        v.visit_none()
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        unit unit_struct newtype_struct seq tuple tuple_struct map struct enum identifier
        ignored_any
    }
}

/// One field of a record being encoded.
pub struct Entry<'a> {
    name: &'static str,
    value: Write<'a>,
}

enum Write<'a> {
    Value(&'a dyn erased_serde::Serialize),
    /// Left out, as `skip_serializing_if` does.
    Skip,
    /// Not a wire field at all, as `#[serde(skip)]` does.
    Never,
}

/// A field always written.
pub fn always<'a, T>(
    name: &'static str,
    _: &T,
    encoded: &'a dyn erased_serde::Serialize,
) -> Entry<'a> {
    Entry {
        name,
        value: Write::Value(encoded),
    }
}

/// An `Option` field left out when `None`.
pub fn unless_none<'a, T>(
    name: &'static str,
    value: &Option<T>,
    encoded: &'a dyn erased_serde::Serialize,
) -> Entry<'a> {
    let value = match value {
        Some(_) => Write::Value(encoded),
        None => Write::Skip,
    };
    Entry { name, value }
}

/// A field never written (a request's path or query parameter).
pub fn never<'a, T>(name: &'static str, _: &T, _: &'a dyn erased_serde::Serialize) -> Entry<'a> {
    Entry {
        name,
        value: Write::Never,
    }
}

/// Encodes the record `name` as a struct of `entries`.
pub fn encode<S: Serializer>(
    s: S,
    name: &'static str,
    entries: &[Entry<'_>],
) -> Result<S::Ok, S::Error> {
    let len = entries
        .iter()
        .filter(|e| matches!(e.value, Write::Value(_)))
        .count();
    let mut st = s.serialize_struct(name, len)?;
    for e in entries {
        match e.value {
            Write::Value(v) => st.serialize_field(e.name, v)?,
            Write::Skip => st.skip_field(e.name)?,
            Write::Never => {}
        }
    }
    st.end()
}

/// A field value to encode through its [`Encoding`] `A`.
pub struct Adapted<'a, T, A>(&'a T, PhantomData<A>);

impl<'a, T, A> Adapted<'a, T, A> {
    /// Wraps a field's value.
    pub fn new(value: &'a T) -> Self {
        Adapted(value, PhantomData)
    }
}

impl<T, A: Encoding<T>> Serialize for Adapted<'_, T, A> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        A::serialize(self.0, s)
    }
}

/// The field type's own serde impls.
pub struct Plain;
/// Not on the wire: never encoded, ignored when present and `Default` when decoded (serde's
/// `#[serde(skip)]`).
pub struct Skipped;
/// [`wire::lenient`]: a number (or boolean) that may arrive as a string; `V` is the scalar.
pub struct Lenient<V>(PhantomData<V>);
/// [`wire::decimal_number`].
pub struct DecimalNumber;
/// [`wire::unix_seconds`].
pub struct UnixSeconds;
/// [`wire::unix_millis`].
pub struct UnixMillis;
/// A value written as a JSON document inside a string (`json_text<T>`).
pub struct JsonText;
/// [`JsonText`] of an `Option`: `null` (or an absent key, or `""`) is `None`.
pub struct JsonTextOption;

/// Decodes the JSON document inside a string.
fn from_json_text<T: DeserializeOwned>(text: &str) -> Result<T, serde_json::Error> {
    serde_json::from_str(text)
        .map_err(|e| de::Error::custom(format!("in the JSON document inside the string: {e}")))
}

/// Encodes a value as a JSON document and writes it as a string.
fn to_json_text<T: Serialize, S: Serializer>(value: &T, s: S) -> Result<S::Ok, S::Error> {
    let text = serde_json::to_string(value).map_err(serde::ser::Error::custom)?;
    s.serialize_str(&text)
}

impl<T: Serialize> Encoding<T> for JsonText {
    fn serialize<S: Serializer>(value: &T, s: S) -> Result<S::Ok, S::Error> {
        to_json_text(value, s)
    }
}

impl<T: DeserializeOwned> Decoding<T> for JsonText {
    fn from_json(d: &mut JsonDe<'_>) -> Result<Option<T>, serde_json::Error> {
        let text = String::deserialize(d)?;
        from_json_text(&text).map(Some).map_err(de::Error::custom)
    }
    fn missing() -> Option<T> {
        None
    }
}

impl<T: Serialize> Encoding<Option<T>> for JsonTextOption {
    fn serialize<S: Serializer>(value: &Option<T>, s: S) -> Result<S::Ok, S::Error> {
        match value {
            Some(v) => to_json_text(v, s),
            None => s.serialize_none(),
        }
    }
}

impl<T: DeserializeOwned> Decoding<Option<T>> for JsonTextOption {
    fn from_json(d: &mut JsonDe<'_>) -> Result<Option<Option<T>>, serde_json::Error> {
        match Option::<String>::deserialize(d)?.as_deref() {
            None | Some("") => Ok(Some(None)),
            Some(text) => from_json_text(text)
                .map(|v| Some(Some(v)))
                .map_err(de::Error::custom),
        }
    }
    fn missing() -> Option<Option<T>> {
        Some(None)
    }
}

impl<T: Serialize> Encoding<T> for Plain {
    fn serialize<S: Serializer>(value: &T, s: S) -> Result<S::Ok, S::Error> {
        value.serialize(s)
    }
}

impl<T: DeserializeOwned> Decoding<T> for Plain {
    fn from_json(d: &mut JsonDe<'_>) -> Result<Option<T>, serde_json::Error> {
        T::deserialize(d).map(Some)
    }
    fn missing() -> Option<T> {
        T::deserialize(Missing).ok()
    }
}

impl<T> Encoding<T> for Skipped {
    fn serialize<S: Serializer>(_: &T, s: S) -> Result<S::Ok, S::Error> {
        // Never reached: `never` entries are not written.
        s.serialize_unit()
    }
}

impl<T: Default> Decoding<T> for Skipped {
    fn from_json(d: &mut JsonDe<'_>) -> Result<Option<T>, serde_json::Error> {
        de::IgnoredAny::deserialize(d).map(|_| None)
    }
    fn missing() -> Option<T> {
        Some(T::default())
    }
    const ON_WIRE: bool = false;
}

/// The adapters of [`wire`]: `$module` encodes and decodes `T` (or `Option<T>`) as `$scalar`.
macro_rules! wire_encoding {
    ($marker:ty, $module:ident, $scalar:ty $(, $param:ident: $bound:path)?) => {
        impl<$($param: $bound + Serialize,)? T: WireValue<$scalar>> Encoding<T> for $marker {
            fn serialize<S: Serializer>(value: &T, s: S) -> Result<S::Ok, S::Error> {
                wire::$module::serialize::<S, $($param,)? T>(value, s)
            }
        }

        impl<$($param: $bound,)? T: WireValue<$scalar>> Decoding<T> for $marker {
            fn from_json(d: &mut JsonDe<'_>) -> Result<Option<T>, serde_json::Error> {
                wire::$module::deserialize::<_, $($param,)? T>(d).map(Some)
            }
            fn missing() -> Option<T> {
                T::from_scalar(None).ok()
            }
        }
    };
}

wire_encoding!(Lenient<V>, lenient, V, V: wire::Lenient);
wire_encoding!(DecimalNumber, decimal_number, rust_decimal::Decimal);
wire_encoding!(UnixSeconds, unix_seconds, jiff::Timestamp);
wire_encoding!(UnixMillis, unix_millis, jiff::Timestamp);

#[cfg(test)]
mod tests;
