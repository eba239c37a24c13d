//! Doc comments and literal helpers shared by the emitters.

use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::quote;

/// `#[doc = "..."]` attributes, one per line of `text`.
pub fn doc(text: &str) -> TokenStream {
    let lines = text
        .trim_end()
        .lines()
        .map(|l| format!(" {}", l.trim_end()));
    quote! { #( #[doc = #lines] )* }
}

/// Doc attributes for an optional text, followed by extra lines.
pub fn doc_opt(text: Option<&str>) -> TokenStream {
    text.map(doc).unwrap_or_default()
}

pub fn ident(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
}

/// Escapes text for use inside markdown inline code or prose in docs.
pub fn md(text: &str) -> String {
    text.replace('\n', " ")
        .replace('[', "\\[")
        .replace(']', "\\]")
}

/// An integer literal without a type suffix (`0`, not `0i64`).
pub fn int(n: impl Into<i128>) -> Literal {
    Literal::i128_unsuffixed(n.into())
}
