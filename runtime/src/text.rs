//! Parameter values as the text of a path segment, a query or form value, or a header: the
//! functions generated request types call, one per spelling of the spec's type language (the
//! generator picks the function from the parameter's type, so two types with one Rust type —
//! `timestamp` and `unix_seconds` — still get their own text).

use std::fmt::Display;

use serde::Serialize;

use super::SecretText;
use super::error::{Error, VendorCode};
use spec_lang::TextEncoding;

/// The value's own text: strings as they are, integers and decimals as written (a decimal keeps
/// its scale), booleans `true`/`false`, dates `2026-05-08`, civil times `2026-05-08T14:30:08`,
/// instants in RFC 3339 — the same text as the value's JSON string.
pub fn display<T: Display + ?Sized>(value: &T) -> String {
    value.to_string()
}

/// A secret's text (a password parameter).
pub fn secret(value: &SecretText) -> String {
    value.expose_secret().to_owned()
}

/// Seconds since the Unix epoch.
pub fn unix_seconds(value: &jiff::Timestamp) -> String {
    value.as_second().to_string()
}

/// Milliseconds since the Unix epoch.
pub fn unix_millis(value: &jiff::Timestamp) -> String {
    value.as_millisecond().to_string()
}

/// The value as a compact JSON document (`json_text<T>`); what cannot be JSON is an invalid
/// request naming the parameter.
pub fn json<T: Serialize + ?Sized, C: VendorCode>(
    field: &'static str,
    value: &T,
) -> Result<String, Error<C>> {
    serde_json::to_string(value).map_err(|e| Error::InvalidRequest {
        field,
        reason: e.to_string(),
    })
}

/// A path segment: percent-encoded outside RFC 3986's unreserved set, so `/`, `?` and `#` in a
/// value stay inside its segment (a `.` or `..` segment is refused when the request is sent).
pub fn path_segment(text: &str) -> String {
    spec_lang::encode_text(TextEncoding::Url, text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_type_has_its_own_text() {
        let t: jiff::Timestamp = "2024-01-20T12:00:00.250Z".parse().unwrap();
        assert_eq!(display(&t), "2024-01-20T12:00:00.25Z");
        assert_eq!(unix_seconds(&t), "1705752000");
        assert_eq!(unix_millis(&t), "1705752000250");
        let d: rust_decimal::Decimal = "12.50".parse().unwrap();
        assert_eq!(display(&d), "12.50");
        assert_eq!(display(&true), "true");
        let date = jiff::civil::date(2026, 5, 8);
        assert_eq!(display(&date), "2026-05-08");
        assert_eq!(display(&date.at(14, 30, 8, 0)), "2026-05-08T14:30:08");
        assert_eq!(secret(&SecretText::from("pw".to_owned())), "pw");
        assert_eq!(path_segment("a b/c?d#e~é"), "a%20b%2Fc%3Fd%23e~%C3%A9");
        let doc = json::<_, crate::test_support::TestCode>("p", &vec!["a b", "中"]);
        assert_eq!(doc.unwrap(), r#"["a b","中"]"#);
    }
}
