//! Named object types → structs, and the serde impls of every record.

use proc_macro2::TokenStream;
use quote::quote;

use super::docs::{doc, doc_opt, ident};
use crate::ir::WireFormat;
use crate::ir::{FieldIr, TypeIr};
use crate::ir::{Primitive, TypeExpr};

/// The Rust type of a type expression.
pub fn rust_type(ty: &TypeExpr) -> TokenStream {
    match ty {
        TypeExpr::Primitive(p) => {
            let ty: syn::Type = syn::parse_str(p.capabilities().rust)
                .expect("the capability table's Rust types parse");
            quote!(#ty)
        }
        TypeExpr::List(inner) => {
            let inner = rust_type(inner);
            quote!(Vec<#inner>)
        }
        TypeExpr::Map(inner) => {
            let inner = rust_type(inner);
            quote!(std::collections::BTreeMap<String, #inner>)
        }
        TypeExpr::JsonText(inner) => rust_type(inner),
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

/// The runtime's encoding (a marker type of its `record` module) for a scalar's wire
/// format: `Plain` unless the type's own serde impls do not fit the wire. `optional`: the
/// field is an `Option` (`json_text` needs to know; the scalar adapters take either).
pub fn wire_adapter(ty: &TypeExpr, lenient: bool, wire: WireFormat, optional: bool) -> String {
    match ty {
        TypeExpr::JsonText(_) if optional => "JsonTextOption".to_owned(),
        TypeExpr::JsonText(_) => "JsonText".to_owned(),
        TypeExpr::Primitive(p) => {
            let row = p.capabilities();
            match (row.adapter)(wire) {
                Some(adapter) => adapter.to_owned(),
                None if lenient && row.lenient => format!("Lenient<{}>", row.rust),
                None => "Plain".to_owned(),
            }
        }
        _ => "Plain".to_owned(),
    }
}

/// [`rust_type`] as source text, spelled as a person would (for the `record!` lines, which
/// the formatter does not lay out).
pub fn type_text(ty: &TypeExpr) -> String {
    match ty {
        TypeExpr::Primitive(p) => p.capabilities().rust.to_owned(),
        TypeExpr::List(inner) => format!("Vec<{}>", type_text(inner)),
        TypeExpr::Map(inner) => {
            format!("std::collections::BTreeMap<String, {}>", type_text(inner))
        }
        TypeExpr::JsonText(inner) => type_text(inner),
        TypeExpr::Named(name) => ident(name).to_string(),
    }
}

/// One field of a record as its serde impls see it.
pub struct RecordField {
    /// The Rust field name.
    pub rust: String,
    /// The JSON key.
    pub wire: String,
    /// The field's Rust type, `Option`-wrapped when `optional`.
    pub ty: TypeExpr,
    /// `Option<T>` in Rust.
    pub optional: bool,
    /// Left out of the encoding when `None`.
    pub skip_none: bool,
    /// The runtime's encoding of the field ([`wire_adapter`]).
    pub adapter: String,
    /// Not on the wire at all (a request's path or query parameter).
    pub skipped: bool,
}

impl RecordField {
    /// A field of a named type.
    pub fn of(f: &FieldIr) -> Self {
        RecordField {
            rust: f.rust.clone(),
            wire: f.wire.clone(),
            ty: f.ty.clone(),
            optional: f.optional,
            skip_none: f.may_be_absent,
            adapter: wire_adapter(&f.ty, f.lenient, f.wire_format, f.optional),
            skipped: false,
        }
    }
}

/// `Serialize` (when `encode`) and `Deserialize` (when `decode`) for a record, as source
/// text: one line per field in an invocation of the runtime's `record!` macro rather than
/// derived, since the derive's per-type visitors were most of the generated code's compile
/// time. Empty when neither is wanted.
pub fn record_impls(name: &str, fields: &[RecordField], encode: bool, decode: bool) -> String {
    let impls: Vec<&str> = [(encode, "Serialize"), (decode, "Deserialize")]
        .into_iter()
        .filter_map(|(wanted, t)| wanted.then_some(t))
        .collect();
    if impls.is_empty() {
        return String::new();
    }
    let mut out = format!(
        "\nprivate::record! {{ {}: {}; {{\n",
        ident(name),
        impls.join(", ")
    );
    for f in fields {
        let (adapter, mode) = if f.skipped {
            ("Skipped", "never")
        } else if f.skip_none {
            (f.adapter.as_str(), "unless_none")
        } else {
            (f.adapter.as_str(), "always")
        };
        let ty = if f.optional {
            format!("Option<{}>", type_text(&f.ty))
        } else {
            type_text(&f.ty)
        };
        out.push_str(&format!(
            "    {}: {ty} = {:?} as {adapter} => {mode};\n",
            ident(&f.rust),
            f.wire
        ));
    }
    out.push_str("} }\n");
    out
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
    quote! {
        #doc
        pub #name: #ty,
    }
}

/// The struct and its constructor, and its serde impls as source text.
pub fn emit_type(t: &TypeIr) -> (TokenStream, String) {
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
    let record: Vec<RecordField> = t.fields.iter().map(RecordField::of).collect();
    let serde = record_impls(&t.name, &record, true, true);
    let constructor = if t.built_by_caller {
        constructor(t)
    } else {
        TokenStream::new()
    };
    // Every field optional and built by callers: `Default` too (clippy's `new_without_default`).
    let derives = if t.built_by_caller && t.fields.iter().all(|f| f.optional) {
        quote!(#[derive(Debug, Clone, Default, PartialEq)])
    } else {
        quote!(#[derive(Debug, Clone, PartialEq)])
    };
    let tokens = quote! {
        #type_doc
        #dup
        #derives
        #[non_exhaustive]
        pub struct #name {
            #(#fields)*
        }

        #constructor
    };
    (tokens, serde)
}

/// `Type::new(required…)` and a setter per optional field: the way another crate builds a
/// `#[non_exhaustive]` record (a struct literal is not available there).
fn constructor(t: &TypeIr) -> TokenStream {
    let name = ident(&t.name);
    let required: Vec<&FieldIr> = t.fields.iter().filter(|f| !f.optional).collect();
    let args = required.iter().map(|f| {
        let name = ident(&f.rust);
        let ty = argument_type(&f.ty);
        quote!(#name: #ty)
    });
    let init = t.fields.iter().map(|f| {
        let name = ident(&f.rust);
        match (f.optional, &f.ty) {
            (true, _) => quote!(#name: None),
            (false, TypeExpr::Primitive(Primitive::String)) => quote!(#name: #name.into()),
            (false, _) => quote!(#name),
        }
    });
    let setters = t.fields.iter().filter(|f| f.optional).map(|f| {
        let name = ident(&f.rust);
        let ty = argument_type(&f.ty);
        let value = if f.ty == TypeExpr::Primitive(Primitive::String) {
            quote!(#name.into())
        } else {
            quote!(#name)
        };
        let d = doc(&setter_doc(&f.wire, f.doc.as_deref()));
        quote! {
            #d
            pub fn #name(mut self, #name: #ty) -> Self {
                self.#name = Some(#value);
                self
            }
        }
    });
    let new_doc = if required.is_empty() {
        "A value with every field `None`; set them with the methods below."
    } else {
        "A value with its required fields; optional ones start as `None` and are set with the methods below."
    };
    let allow = many_arguments(required.len());
    quote! {
        impl #name {
            #[doc = #new_doc]
            #allow
            pub fn new(#(#args),*) -> Self {
                Self { #(#init),* }
            }

            #(#setters)*
        }
    }
}

/// `#[allow(clippy::too_many_arguments)]` on a constructor that takes more arguments than
/// clippy's default limit (7): the document decides how many fields are required, and a
/// user's crate linting with `-D warnings` must still build.
pub fn many_arguments(count: usize) -> TokenStream {
    if count > 7 {
        quote!(#[allow(clippy::too_many_arguments)])
    } else {
        TokenStream::new()
    }
}

/// Arguments take strings as `impl Into<String>` and everything else as the exact type:
/// `impl Into<i64>` would also accept `bool` (and `u8`, `char`...), silently.
pub fn argument_type(ty: &TypeExpr) -> TokenStream {
    match ty {
        TypeExpr::Primitive(Primitive::String) => quote!(impl Into<String>),
        other => rust_type(other),
    }
}

/// A setter's doc: "Sets `wire`." and the document's text for the field, when it has some.
pub fn setter_doc(wire: &str, text: Option<&str>) -> String {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        Some(text) => format!("Sets `{wire}`.\n\n{text}"),
        None => format!("Sets `{wire}`."),
    }
}
