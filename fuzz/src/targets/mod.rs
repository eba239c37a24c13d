//! The four fuzz targets and the outcome kinds they report.

mod decode;
mod loader;
mod token;
mod webhook;

use std::fmt;

pub use decode::{DECODERS, Decode};
pub use loader::Loader;
pub use token::Token;
pub use webhook::Webhook;

use crate::harness::Target;

/// Target names, in the order `all` runs them.
pub const NAMES: &[&str] = &["loader", "decode", "token", "webhook"];

/// Builds a target by name, reading its seeds from the workspace.
pub fn by_name(name: &str, root: &std::path::Path) -> Option<Box<dyn Target>> {
    let specs = crate::seeds::specs(root);
    match name {
        "loader" => Some(Box::new(Loader::new(root))),
        "decode" => Some(Box::new(Decode::new(&specs))),
        "token" => Some(Box::new(Token::new(&specs))),
        "webhook" => Some(Box::new(Webhook::new(&specs))),
        _ => None,
    }
}

/// A message with its variable parts blanked: digits, and text inside quotes or
/// backticks (escaped quotes included). What remains names the code path (`invalid type: string …, expected i64`),
/// which makes a usable outcome kind.
pub fn normalize_message(message: &str) -> String {
    let mut out = String::with_capacity(message.len().min(160));
    let mut quote: Option<char> = None;
    let mut escaped = false;
    let mut last_digit = false;
    for c in message.chars() {
        if let Some(q) = quote {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == q {
                quote = None;
                out.push(c);
            }
            continue;
        }
        match c {
            '"' | '`' => {
                quote = Some(c);
                out.push(c);
                out.push('…');
            }
            '0'..='9' => {
                if !last_digit {
                    out.push('#');
                }
            }
            _ => out.push(c),
        }
        last_digit = c.is_ascii_digit();
        if out.len() >= 160 {
            break;
        }
    }
    out
}

/// `err:<Variant>/<class>[/<serde category>][: <message>]` for a runtime error.
pub fn error_kind<C: generated_client::runtime::VendorCode>(
    err: &generated_client::runtime::Error<C>,
) -> String {
    let debug = format!("{err:?}");
    let variant: String = debug.chars().take_while(|c| c.is_alphanumeric()).collect();
    let mut kind = format!("err:{variant}/{:?}", err.class());
    if let Some(json) = find_source::<serde_json::Error>(err) {
        kind.push_str(&format!(
            "/{:?}: {}",
            json.classify(),
            normalize_message(&json.to_string())
        ));
    } else if !matches!(variant.as_str(), "Api" | "HttpStatus") {
        // Vendor messages are input text: they would make every input a kind. `Api` errors
        // are all vendor message; a failed token request appends the vendor's code and
        // description after its status.
        let mut message = normalize_message(&err.to_string());
        if let Some(at) = message.find("(HTTP #)") {
            message.truncate(at + "(HTTP #)".len());
        }
        kind.push_str(&format!(": {message}"));
    }
    kind
}

/// The first error of type `T` in `err`'s source chain (itself included).
pub fn find_source<'a, T: std::error::Error + 'static>(
    err: &'a (dyn std::error::Error + 'static),
) -> Option<&'a T> {
    let mut current = Some(err);
    while let Some(e) = current {
        if let Some(found) = e.downcast_ref::<T>() {
            return Some(found);
        }
        current = e.source();
    }
    None
}

/// `Display` and `Debug` are part of what is fuzzed: errors are printed in production.
pub fn render_all(err: &(impl fmt::Display + fmt::Debug)) {
    let shown = format!("{err} {err:?}");
    std::hint::black_box(shown);
}

#[cfg(test)]
mod tests {
    use super::normalize_message;

    #[test]
    fn messages_lose_their_values_but_keep_their_shape() {
        let check = |input: &str, expected: &str| assert_eq!(normalize_message(input), expected);
        check(
            r#"invalid type: string "a\"b", expected i64 at line 3 column 17"#,
            r#"invalid type: string "…", expected i# at line # column #"#,
        );
        check(
            "unknown field `科勒`, expected `id`",
            "unknown field `…`, expected `…`",
        );
        check(
            "token request `login` failed (HTTP 400)",
            "token request `…` failed (HTTP #)",
        );
    }
}
