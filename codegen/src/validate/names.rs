//! Rust names derived from wire names, and the rules they must follow.

use heck::{ToSnakeCase, ToUpperCamelCase};

/// Strict and reserved keywords of Rust 2024 that cannot be field or method names.
const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut",
    "pub", "ref", "return", "self", "Self", "static", "struct", "super", "trait", "true", "type",
    "unsafe", "use", "where", "while", "abstract", "become", "box", "do", "final", "macro",
    "override", "priv", "try", "typeof", "unsized", "virtual", "yield",
];

/// Whether `name` is a Rust 2024 keyword (strict or reserved), which generated code cannot use
/// as a field, method or module name.
pub fn is_keyword(name: &str) -> bool {
    KEYWORDS.contains(&name)
}

/// `userId` → `user_id`, `page_size` → `page_size`, `t_` → `t`.
pub fn field_name(wire: &str) -> String {
    wire.to_snake_case()
}

/// `SIGN_ERROR` → `SignError`, `invalid_request` → `InvalidRequest`, `orderIntercept` → `OrderIntercept`.
pub fn variant_name(text: &str) -> String {
    text.to_upper_camel_case()
}

/// Whether `s` can stand as a snake_case Rust name: an ASCII lowercase letter, then lowercase
/// letters, digits and `_`. Keywords pass; check [`is_keyword`] too.
pub fn is_snake_case_ident(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// Whether `s` can stand as an UpperCamelCase Rust name (a type or variant): an ASCII
/// uppercase letter, then ASCII letters and digits.
pub fn is_upper_camel_ident(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_uppercase()) && chars.all(|c| c.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derives_names() {
        for (wire, rust) in [
            ("userId", "user_id"),
            ("page_size", "page_size"),
            ("erpNo", "erp_no"),
            ("t_", "t"),
        ] {
            assert_eq!(field_name(wire), rust);
        }
        for (text, rust) in [
            ("SIGN_ERROR", "SignError"),
            ("invalid_request", "InvalidRequest"),
            ("orderIntercept", "OrderIntercept"),
            ("OT_ORDER_query_max", "OtOrderQueryMax"),
        ] {
            assert_eq!(variant_name(text), rust);
        }
        assert!(is_keyword("type") && !is_keyword("kind"));
    }
}
