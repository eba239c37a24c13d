//! Error-code tables as static data.
//!
//! A vendor's generated `ErrorCode` is a thin enum (one unit variant per documented code plus
//! `Unknown(raw)`); everything the document says about each code lives in one generated
//! `static` [`CodeTable`] that these functions read, instead of a `match` per question.

use super::error::{ErrorClass, RawCode};

/// A documented code as a spec writes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum StaticCode {
    /// An integer code (`50017`).
    Int(i64),
    /// A string code (`"invalid_request"`).
    Str(&'static str),
}

impl StaticCode {
    /// The code as received codes are represented.
    pub fn to_raw(self) -> RawCode {
        match self {
            StaticCode::Int(n) => RawCode::Int(n),
            StaticCode::Str(s) => RawCode::Str(s.to_owned()),
        }
    }

    /// Whether a received code is this one (exactly: an integer never equals a string).
    pub fn matches(self, raw: &RawCode) -> bool {
        match (self, raw) {
            (StaticCode::Int(a), RawCode::Int(b)) => a == *b,
            (StaticCode::Str(a), RawCode::Str(b)) => a == b,
            _ => false,
        }
    }
}

/// What the document says about one code.
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub struct CodeInfo {
    /// The code as the vendor sends it.
    pub code: StaticCode,
    /// What the code means for the client.
    pub class: ErrorClass,
    /// The document's message, verbatim (placeholders such as `%s` kept).
    pub message: &'static str,
    /// The title of the document's table that lists the code.
    pub table: &'static str,
    /// The table lists HTTP statuses: the code also classifies a response by its status.
    pub http_status: bool,
    /// The spec states (with the document's words or a `doc_gap`) that the vendor rejects
    /// this code before executing the request: a `Resign`/`ClockSkew` rejection of a
    /// non-idempotent request may then be re-signed and sent again.
    pub rejected_before_execution: bool,
}

impl CodeInfo {
    /// An integer code.
    pub const fn int(
        code: i64,
        class: ErrorClass,
        message: &'static str,
        table: &'static str,
    ) -> Self {
        CodeInfo {
            code: StaticCode::Int(code),
            class,
            message,
            table,
            http_status: false,
            rejected_before_execution: false,
        }
    }

    /// A string code.
    pub const fn str(
        code: &'static str,
        class: ErrorClass,
        message: &'static str,
        table: &'static str,
    ) -> Self {
        CodeInfo {
            code: StaticCode::Str(code),
            class,
            message,
            table,
            http_status: false,
            rejected_before_execution: false,
        }
    }

    /// Marks an entry of a table of HTTP statuses.
    pub const fn http_status(mut self) -> Self {
        self.http_status = true;
        self
    }

    /// Marks a code the vendor sends before executing the request (see the field).
    pub const fn rejected_before_execution(mut self) -> Self {
        self.rejected_before_execution = true;
        self
    }
}

/// Every documented code of a vendor: its `ErrorCode` variant and what the document says.
#[derive(Debug)]
pub struct CodeTable<C: 'static> {
    entries: &'static [(C, CodeInfo)],
}

impl<C: PartialEq + Clone> CodeTable<C> {
    /// The table from its entries, in document order.
    pub const fn new(entries: &'static [(C, CodeInfo)]) -> Self {
        CodeTable { entries }
    }

    /// The entry of a documented variant (`None` for `Unknown`).
    pub fn info(&self, code: &C) -> Option<&'static CodeInfo> {
        self.entries.iter().find(|(c, _)| c == code).map(|(_, i)| i)
    }

    /// The variant of a received code, if the document lists it.
    pub fn from_raw(&self, raw: &RawCode) -> Option<C> {
        self.entries
            .iter()
            .find(|(_, i)| i.code.matches(raw))
            .map(|(c, _)| c.clone())
    }

    /// The variant of an HTTP status, from tables of HTTP statuses.
    pub fn from_http_status(&self, status: u16) -> Option<C> {
        self.entries
            .iter()
            .find(|(_, i)| i.http_status && i.code == StaticCode::Int(i64::from(status)))
            .map(|(c, _)| c.clone())
    }

    /// The code as the vendor sends it: the documented one, or `unknown`'s raw code for a
    /// code the document does not list.
    pub fn raw_code(&self, code: &C, unknown: Option<&RawCode>) -> RawCode {
        match (unknown, self.info(code)) {
            (Some(raw), _) => raw.clone(),
            (None, Some(info)) => info.code.to_raw(),
            // Every variant but `Unknown` is in the generated table.
            (None, None) => RawCode::Str(String::new()),
        }
    }

    /// Whether the spec states the vendor rejects this code before executing the request.
    pub fn rejected_before_execution(&self, code: &C) -> bool {
        self.info(code).is_some_and(|i| i.rejected_before_execution)
    }

    /// What the code means for the client; [`ErrorClass::Unknown`] for unlisted codes.
    pub fn class(&self, code: &C) -> ErrorClass {
        self.info(code).map_or(ErrorClass::Unknown, |i| i.class)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone, Debug, PartialEq)]
    enum Code {
        Ok,
        Busy,
        NotFound,
        Unknown(RawCode),
    }

    static CODES: CodeTable<Code> = CodeTable::new(&[
        (
            Code::Ok,
            CodeInfo::int(0, ErrorClass::Success, "ok", "business"),
        ),
        (
            Code::Busy,
            CodeInfo::str("busy", ErrorClass::Retryable, "busy, %s", "business"),
        ),
        (
            Code::NotFound,
            CodeInfo::int(404, ErrorClass::Caller, "not found", "HTTP").http_status(),
        ),
    ]);

    #[test]
    fn received_codes_find_their_variant_exactly() {
        assert_eq!(CODES.from_raw(&RawCode::Int(0)), Some(Code::Ok));
        assert_eq!(
            CODES.from_raw(&RawCode::Str("busy".into())),
            Some(Code::Busy)
        );
        assert_eq!(
            CODES.from_raw(&RawCode::Str("0".into())),
            None,
            "a string is not an integer"
        );
        assert_eq!(CODES.from_raw(&RawCode::Int(7)), None);
    }

    #[test]
    fn only_http_status_tables_classify_statuses() {
        assert_eq!(CODES.from_http_status(404), Some(Code::NotFound));
        assert_eq!(
            CODES.from_http_status(0),
            None,
            "`0` is a body code, not a status"
        );
    }

    #[test]
    fn entries_answer_for_their_variant_and_unknown_keeps_its_raw_code() {
        assert_eq!(CODES.class(&Code::Busy), ErrorClass::Retryable);
        assert_eq!(
            CODES.info(&Code::NotFound).map(|i| i.message),
            Some("not found")
        );
        let raw = RawCode::Str("new".into());
        let unknown = Code::Unknown(raw.clone());
        assert_eq!(CODES.class(&unknown), ErrorClass::Unknown);
        assert_eq!(CODES.raw_code(&unknown, Some(&raw)), raw);
        assert_eq!(
            CODES.raw_code(&Code::Busy, None),
            RawCode::Str("busy".into())
        );
    }
}
