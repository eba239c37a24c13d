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

/// Escapes text for use inside markdown inline code or prose in docs; bare URLs become
/// `<autolinks>` (rustdoc rejects bare URLs).
pub fn md(text: &str) -> String {
    let escaped = text
        .replace('\n', " ")
        .replace('[', "\\[")
        .replace(']', "\\]");
    autolink(&escaped)
}

fn autolink(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest
        .find("http://")
        .into_iter()
        .chain(rest.find("https://"))
        .min()
    {
        let (before, from) = rest.split_at(at);
        out.push_str(before);
        let len = from
            .find(|c: char| !(c.is_ascii_alphanumeric() || "-._~:/?#@!$&'*+,;=%".contains(c)))
            .unwrap_or(from.len());
        let url = from[..len].trim_end_matches(['.', ',', ';', ':', '!', '?', '\'']);
        if before.ends_with('<') {
            out.push_str(url);
        } else {
            out.push('<');
            out.push_str(url);
            out.push('>');
        }
        rest = &from[url.len()..];
    }
    out.push_str(rest);
    out
}

/// An integer literal without a type suffix (`0`, not `0i64`).
pub fn int(n: impl Into<i128>) -> Literal {
    Literal::i128_unsuffixed(n.into())
}
