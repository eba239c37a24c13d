//! Named object types → structs with serde attributes.

use proc_macro2::TokenStream;
use quote::quote;

use super::docs::{doc, doc_opt, ident};
use crate::ir::TypeExpr;
use crate::ir::WireFormat;
use crate::ir::{FieldIr, TypeIr};

/// The Rust type of a type expression.
pub fn rust_type(ty: &TypeExpr) -> TokenStream {
    match ty {
        TypeExpr::String => quote!(String),
        TypeExpr::Secret => quote!(rt::SecretText),
        TypeExpr::Integer => quote!(i64),
        TypeExpr::Boolean => quote!(bool),
        TypeExpr::Decimal => quote!(rt::rust_decimal::Decimal),
        TypeExpr::Date => quote!(rt::jiff::civil::Date),
        TypeExpr::DateTime => quote!(rt::jiff::civil::DateTime),
        TypeExpr::Timestamp | TypeExpr::UnixSeconds | TypeExpr::UnixMillis => {
            quote!(rt::jiff::Timestamp)
        }
        TypeExpr::Json => quote!(rt::serde_json::Value),
        TypeExpr::List(inner) => {
            let inner = rust_type(inner);
            quote!(Vec<#inner>)
        }
        TypeExpr::Map(inner) => {
            let inner = rust_type(inner);
            quote!(std::collections::BTreeMap<String, #inner>)
        }
        TypeExpr::Named(name) => {
            let name = ident(name);
            quote!(#name)
        }
    }
}

/// The field's full Rust type, `Option`-wrapped when it may be null or absent.
pub fn field_type(ty: &TypeExpr, optional: bool) -> TokenStream {
    let inner = rust_type(ty);
    if optional {
        quote!(Option<#inner>)
    } else {
        inner
    }
}

/// The `with = "..."` adapter a scalar needs on the wire, if any.
pub fn wire_adapter(ty: &TypeExpr, lenient: bool, wire: WireFormat) -> Option<&'static str> {
    match ty {
        TypeExpr::UnixSeconds => Some("rt::__private::wire::unix_seconds"),
        TypeExpr::UnixMillis => Some("rt::__private::wire::unix_millis"),
        TypeExpr::Decimal if wire == WireFormat::Number => {
            Some("rt::__private::wire::decimal_number")
        }
        TypeExpr::Integer | TypeExpr::Decimal | TypeExpr::Boolean if lenient => {
            Some("rt::__private::wire::lenient")
        }
        _ => None,
    }
}

/// serde attributes for one field: rename, optionality, adapter.
pub fn serde_attrs(
    wire_name: &str,
    rust_name: &str,
    ty: &TypeExpr,
    optional: bool,
    may_be_absent: bool,
    lenient: bool,
    wire: WireFormat,
) -> TokenStream {
    let mut parts = Vec::new();
    if wire_name != rust_name {
        parts.push(quote!(rename = #wire_name));
    }
    if let Some(adapter) = wire_adapter(ty, lenient, wire) {
        parts.push(quote!(with = #adapter));
        if optional {
            // `with` disables serde's implicit `None` for a missing Option field.
            parts.push(quote!(default));
        }
    }
    if may_be_absent {
        if !parts.iter().any(|p| p.to_string() == "default") {
            parts.push(quote!(default));
        }
        parts.push(quote!(skip_serializing_if = "Option::is_none"));
    }
    if parts.is_empty() {
        TokenStream::new()
    } else {
        quote!(#[serde(#(#parts),*)])
    }
}

fn field_doc(f: &FieldIr) -> TokenStream {
    let mut text = f.doc.clone().unwrap_or_default();
    if let Some(dt) = &f.document_type {
        text.push_str(&format!("\n\nThe document types this field as `{dt}`."));
    }
    if text.is_empty() {
        text = format!("`{}` (the document gives no description).", f.wire);
    }
    doc(&text)
}

/// One field declaration inside a struct.
pub fn field(f: &FieldIr) -> TokenStream {
    let doc = field_doc(f);
    let name = ident(&f.rust);
    let ty = field_type(&f.ty, f.optional);
    let serde = serde_attrs(
        &f.wire,
        &f.rust,
        &f.ty,
        f.optional,
        f.may_be_absent,
        f.lenient,
        f.wire_format,
    );
    quote! {
        #doc
        #serde
        pub #name: #ty,
    }
}

pub fn emit_type(t: &TypeIr) -> TokenStream {
    let name = ident(&t.name);
    let type_doc = doc_opt(t.doc.as_deref());
    let dup = if t.allow_duplicate_keys {
        doc(
            "\nThe vendor may repeat a key inside this object; when decoded through a webhook the last occurrence wins.",
        )
    } else {
        TokenStream::new()
    };
    let fields = t.fields.iter().map(field);
    let constructor = if t.built_by_caller {
        let required: Vec<&FieldIr> = t.fields.iter().filter(|f| !f.optional).collect();
        let args = required.iter().map(|f| {
            let name = ident(&f.rust);
            let ty = rust_type(&f.ty);
            quote!(#name: #ty)
        });
        let init = t.fields.iter().map(|f| {
            let name = ident(&f.rust);
            if f.optional {
                quote!(#name: None)
            } else {
                quote!(#name)
            }
        });
        quote! {
            impl #name {
                /// A value with its non-optional fields; optional fields start as `None` (set
                /// them through their public fields).
                pub fn new(#(#args),*) -> Self {
                    Self { #(#init),* }
                }
            }
        }
    } else {
        TokenStream::new()
    };
    quote! {
        #type_doc
        #dup
        #[derive(Debug, Clone, PartialEq, rt::serde::Serialize, rt::serde::Deserialize)] #[serde(crate = "rt::serde")]
        #[non_exhaustive]
        pub struct #name {
            #(#fields)*
        }

        #constructor
    }
}
