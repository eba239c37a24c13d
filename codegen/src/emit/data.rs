//! Any value of the value language (`spec_lang`) as the Rust expression that builds it.
//!
//! One generic path instead of a hand-written arm per operation: a `serde::Serializer` whose
//! output is tokens. Enum variants become `lang::Type::Variant(…)` (`rt::__private::lang`, imported as `lang` by every generated module), structs
//! `lang::Type { field: … }` (with `..Default::default()` when a field was left out as
//! default), text `"…".into()` (a `Cow`), sequences `Vec::from([…])`, and the newtype `Box` (how
//! `spec_lang` marks its boxes) `Box::new(…)`. A new operation in `spec_lang` therefore needs
//! nothing here.

use std::fmt;

use heck::ToUpperCamelCase;
use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};
use serde::Serialize;
use serde::ser::{self, Impossible};

/// The expression that builds `value`, or a `compile_error!` naming what could not be written
/// (only a shape `spec_lang` does not use, such as a map, can fail).
pub fn expr(value: &impl Serialize) -> TokenStream {
    value.serialize(Tokens).unwrap_or_else(|e| {
        let message = format!("codegen cannot write this value language data: {e}");
        quote!(compile_error!(#message))
    })
}

#[derive(Debug)]
pub struct Unsupported(String);

impl fmt::Display for Unsupported {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Unsupported {}

impl ser::Error for Unsupported {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Unsupported(msg.to_string())
    }
}

fn unsupported<T>(what: &str) -> Result<T, Unsupported> {
    Err(Unsupported(format!(
        "{what} is not part of the language's data"
    )))
}

fn ty(name: &str) -> TokenStream {
    let name = format_ident!("{name}");
    quote!(lang::#name)
}

/// Enum variants are named as serde spells them (`renew_token`, as the spec writes it), so
/// they are turned back into Rust's `UpperCamelCase` (a no-op for `RenewToken`).
fn variant(name: &str, variant: &str) -> TokenStream {
    let ty = ty(name);
    let variant = format_ident!("{}", variant.to_upper_camel_case());
    quote!(#ty::#variant)
}

struct Tokens;

macro_rules! literal {
    ($($method:ident: $t:ty => $make:ident),* $(,)?) => {
        $(fn $method(self, v: $t) -> Result<TokenStream, Unsupported> {
            let lit = Literal::$make(v);
            Ok(quote!(#lit))
        })*
    };
}

impl ser::Serializer for Tokens {
    type Ok = TokenStream;
    type Error = Unsupported;
    type SerializeSeq = Seq;
    type SerializeTuple = Seq;
    type SerializeTupleStruct = Seq;
    type SerializeTupleVariant = Seq;
    type SerializeMap = Impossible<TokenStream, Unsupported>;
    type SerializeStruct = Struct;
    type SerializeStructVariant = Struct;

    literal! {
        serialize_i8: i8 => i8_unsuffixed,
        serialize_i16: i16 => i16_unsuffixed,
        serialize_i32: i32 => i32_unsuffixed,
        serialize_i64: i64 => i64_unsuffixed,
        serialize_u8: u8 => u8_unsuffixed,
        serialize_u16: u16 => u16_unsuffixed,
        serialize_u32: u32 => u32_unsuffixed,
        serialize_u64: u64 => u64_unsuffixed,
        serialize_f32: f32 => f32_unsuffixed,
        serialize_f64: f64 => f64_unsuffixed,
        serialize_char: char => character,
    }

    fn serialize_bool(self, v: bool) -> Result<TokenStream, Unsupported> {
        Ok(quote!(#v))
    }

    fn serialize_str(self, v: &str) -> Result<TokenStream, Unsupported> {
        Ok(quote!(#v.into()))
    }

    fn serialize_bytes(self, _: &[u8]) -> Result<TokenStream, Unsupported> {
        unsupported("a byte string")
    }

    fn serialize_none(self) -> Result<TokenStream, Unsupported> {
        Ok(quote!(None))
    }

    fn serialize_some<T: ?Sized + Serialize>(self, v: &T) -> Result<TokenStream, Unsupported> {
        let v = v.serialize(Tokens)?;
        Ok(quote!(Some(#v)))
    }

    fn serialize_unit(self) -> Result<TokenStream, Unsupported> {
        Ok(quote!(()))
    }

    fn serialize_unit_struct(self, name: &'static str) -> Result<TokenStream, Unsupported> {
        Ok(ty(name))
    }

    fn serialize_unit_variant(
        self,
        name: &'static str,
        _: u32,
        v: &'static str,
    ) -> Result<TokenStream, Unsupported> {
        Ok(variant(name, v))
    }

    fn serialize_newtype_struct<T: ?Sized + Serialize>(
        self,
        name: &'static str,
        v: &T,
    ) -> Result<TokenStream, Unsupported> {
        let inner = v.serialize(Tokens)?;
        Ok(match name {
            "Box" => quote!(Box::new(#inner)),
            _ => {
                let ty = ty(name);
                quote!(#ty(#inner))
            }
        })
    }

    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        name: &'static str,
        _: u32,
        v: &'static str,
        value: &T,
    ) -> Result<TokenStream, Unsupported> {
        let path = variant(name, v);
        let inner = value.serialize(Tokens)?;
        Ok(quote!(#path(#inner)))
    }

    fn serialize_seq(self, _: Option<usize>) -> Result<Seq, Unsupported> {
        Ok(Seq::new(SeqKind::Vec))
    }

    fn serialize_tuple(self, _: usize) -> Result<Seq, Unsupported> {
        Ok(Seq::new(SeqKind::Tuple))
    }

    fn serialize_tuple_struct(self, name: &'static str, _: usize) -> Result<Seq, Unsupported> {
        Ok(Seq::new(SeqKind::Call(ty(name))))
    }

    fn serialize_tuple_variant(
        self,
        name: &'static str,
        _: u32,
        v: &'static str,
        _: usize,
    ) -> Result<Seq, Unsupported> {
        Ok(Seq::new(SeqKind::Call(variant(name, v))))
    }

    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, Unsupported> {
        unsupported("a map")
    }

    fn serialize_struct(self, name: &'static str, _: usize) -> Result<Struct, Unsupported> {
        Ok(Struct::new(ty(name), true))
    }

    fn serialize_struct_variant(
        self,
        name: &'static str,
        _: u32,
        v: &'static str,
        _: usize,
    ) -> Result<Struct, Unsupported> {
        Ok(Struct::new(variant(name, v), false))
    }
}

enum SeqKind {
    Vec,
    Tuple,
    Call(TokenStream),
}

pub struct Seq {
    kind: SeqKind,
    items: Vec<TokenStream>,
}

impl Seq {
    fn new(kind: SeqKind) -> Self {
        Seq {
            kind,
            items: Vec::new(),
        }
    }

    fn push<T: ?Sized + Serialize>(&mut self, v: &T) -> Result<(), Unsupported> {
        self.items.push(v.serialize(Tokens)?);
        Ok(())
    }

    fn finish(self) -> TokenStream {
        let items = self.items;
        match self.kind {
            SeqKind::Vec => quote!(Vec::from([#(#items),*])),
            SeqKind::Tuple => quote!((#(#items),*)),
            SeqKind::Call(path) => quote!(#path(#(#items),*)),
        }
    }
}

macro_rules! seq_impl {
    ($($trait:ident: $method:ident),*) => {
        $(impl ser::$trait for Seq {
            type Ok = TokenStream;
            type Error = Unsupported;
            fn $method<T: ?Sized + Serialize>(&mut self, v: &T) -> Result<(), Unsupported> {
                self.push(v)
            }
            fn end(self) -> Result<TokenStream, Unsupported> {
                Ok(self.finish())
            }
        })*
    };
}

seq_impl!(
    SerializeSeq: serialize_element,
    SerializeTuple: serialize_element,
    SerializeTupleStruct: serialize_field,
    SerializeTupleVariant: serialize_field
);

pub struct Struct {
    path: TokenStream,
    fields: Vec<TokenStream>,
    /// Structs may leave default fields out (`..Default::default()`); enum variants may not.
    may_skip: bool,
    skipped: bool,
}

impl Struct {
    fn new(path: TokenStream, may_skip: bool) -> Self {
        Struct {
            path,
            fields: Vec::new(),
            may_skip,
            skipped: false,
        }
    }

    fn field<T: ?Sized + Serialize>(&mut self, key: &str, v: &T) -> Result<(), Unsupported> {
        let key = format_ident!("{key}");
        let v = v.serialize(Tokens)?;
        self.fields.push(quote!(#key: #v));
        Ok(())
    }

    fn skip(&mut self, key: &str) -> Result<(), Unsupported> {
        if !self.may_skip {
            return unsupported(&format!("a skipped field (`{key}`) of an enum variant"));
        }
        self.skipped = true;
        Ok(())
    }

    fn finish(self) -> TokenStream {
        let (path, fields) = (self.path, self.fields);
        if self.skipped {
            quote!(#path { #(#fields,)* ..Default::default() })
        } else {
            quote!(#path { #(#fields),* })
        }
    }
}

macro_rules! struct_impl {
    ($($trait:ident),*) => {
        $(impl ser::$trait for Struct {
            type Ok = TokenStream;
            type Error = Unsupported;
            fn serialize_field<T: ?Sized + Serialize>(
                &mut self,
                key: &'static str,
                v: &T,
            ) -> Result<(), Unsupported> {
                self.field(key, v)
            }
            fn skip_field(&mut self, key: &'static str) -> Result<(), Unsupported> {
                self.skip(key)
            }
            fn end(self) -> Result<TokenStream, Unsupported> {
                Ok(self.finish())
            }
        })*
    };
}

struct_impl!(SerializeStruct, SerializeStructVariant);

#[cfg(test)]
mod tests {
    use super::*;
    use spec_lang::{
        Canonical, Collection, DigestAlg, Expr, Op, Step, Target, TextEncoding, Value,
    };

    fn text(value: &impl Serialize) -> String {
        expr(value).to_string()
    }

    #[test]
    fn variants_boxes_and_text() {
        let v = Value::encode(
            TextEncoding::Hex,
            Value::hmac(DigestAlg::Sha256, Value::var("secret"), Value::lit("a\"b")),
        );
        assert_eq!(
            text(&v),
            quote!(lang::Value::Encode(
                lang::TextEncoding::Hex,
                Box::new(lang::Value::Hmac(
                    lang::DigestAlg::Sha256,
                    Box::new(lang::Value::Template(Vec::from([lang::Piece::Var(
                        "secret".into()
                    )]))),
                    Box::new(lang::Value::Template(Vec::from([lang::Piece::Lit(
                        "a\"b".into()
                    )])))
                ))
            ))
            .to_string()
        );
    }

    #[test]
    fn struct_variants_and_arithmetic() {
        let step = Step::named(
            Target::Query,
            "p_",
            Value::Arithmetic(Expr::bin(Expr::Var("t_".into()), Op::Rem, Expr::Int(-7))),
        );
        let out = text(&step);
        assert!(
            out.starts_with("lang :: Step :: Query { name : \"p_\" . into ()"),
            "{out}"
        );
        assert!(
            out.contains("lang :: Op :: Rem , Box :: new (lang :: Expr :: Int (- 7))"),
            "{out}"
        );
    }

    #[test]
    fn structs_write_only_what_differs_from_default() {
        let all = Canonical::new(Collection::Params, "=", "&");
        assert_eq!(
            text(&all),
            quote!(lang::Canonical {
                joiner: "=".into(),
                separator: "&".into(),
                ..Default::default()
            })
            .to_string()
        );
        let mut every = Canonical::new(Collection::Body, ":", ",")
            .including(&["a"])
            .excluding(&["sign"])
            .dropping_empty()
            .sorted_by(spec_lang::SortBy::Pair);
        assert!(!text(&every).contains("Default"), "{}", text(&every));
        every.from = Collection::Params;
        assert!(text(&every).contains("Default"), "{}", text(&every));
    }
}
