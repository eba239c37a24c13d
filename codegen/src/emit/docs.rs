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

/// Raw spec text (a title, a message) as one line of doc prose, shown as written
/// ([`crate::markdown::escape`]).
pub fn md(text: &str) -> String {
    crate::markdown::escape(&text.replace('\n', " "))
}

/// Composed doc text (escaped already when composed) as one line of prose.
pub fn inline(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Raw spec text inside an inline code span: a span long enough that a backtick inside stays
/// text (CommonMark: a run of backticks not matching the delimiter is literal).
pub fn code(text: &str) -> String {
    let text = text.replace('\n', " ");
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    if longest == 0 {
        format!("{fence}{text}{fence}")
    } else {
        format!("{fence} {text} {fence}")
    }
}

/// An integer literal without a type suffix (`0`, not `0i64`).
pub fn int(n: impl Into<i128>) -> Literal {
    Literal::i128_unsuffixed(n.into())
}
