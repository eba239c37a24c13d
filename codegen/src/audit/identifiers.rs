//! Identifier-like items of a vendor document (field names in its tables and
//! JSON examples, paths, query and form parameter names, header names, error
//! codes) and the set of those the spec's structure models.
//!
//! Only the spec's structure counts as modelling: a name that appears only
//! inside a transcribed `examples:` entry is not modelled.

use std::collections::HashSet;
use std::sync::LazyLock;

use regex::Regex;

use crate::document::{DocPos, SourceDocument};
use crate::spec::model::{ClientAuth, Code, Spec};

/// One identifier occurrence in the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocIdent {
    /// The identifier as the document writes it (a code as its digits).
    pub name: String,
    /// Where in the document's structure it was found.
    pub kind: IdentKind,
    /// Where it is in the document.
    pub pos: DocPos,
}

/// Where an identifier was found: what it is, as far as the document's form tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IdentKind {
    /// The first cell of a table row: a field, parameter or error code.
    TableEntry,
    /// A key of a JSON example.
    JsonKey,
    /// A URL path (`/public/token.php`).
    Path,
    /// A query-string or form-body parameter name (`?page=1`, `grant_type=...`).
    Parameter,
    /// A header name (`Authorization: Bearer ...`).
    Header,
    /// A code given as a JSON example's value (`"errorCode":"sign-check-failure"`).
    CodeValue,
}

impl IdentKind {
    /// The kind in words, for findings ("table entry", "JSON key", ...).
    pub fn describe(self) -> &'static str {
        match self {
            IdentKind::TableEntry => "table entry",
            IdentKind::JsonKey => "JSON key",
            IdentKind::Path => "path",
            IdentKind::Parameter => "parameter",
            IdentKind::Header => "header",
            IdentKind::CodeValue => "code (in a JSON example)",
        }
    }
}

fn re(pattern: &str) -> Regex {
    // The patterns are constants of this module; a typo is caught by the unit tests.
    Regex::new(pattern).unwrap_or_else(|e| panic!("audit pattern {pattern:?}: {e}"))
}

static JSON_KEY: LazyLock<Regex> = LazyLock::new(|| re(r#""([A-Za-z_][A-Za-z0-9_\-]*)"\s*:"#));
/// A path, after a space, quote, `=`, `,` or markdown emphasis (`**https://…**`).
static PATH: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r#"(?:^|[\s"'=,*])(?:https?://[A-Za-z0-9.\-]+(?::\d+)?)?(/[A-Za-z0-9_{][A-Za-z0-9_\-.{}/]*)(\?[^\s"'`]*)?"#,
    )
});
static QUERY_PAIR: LazyLock<Regex> = LazyLock::new(|| re(r"[?&]([A-Za-z_][A-Za-z0-9_]*)="));
static FORM_LINE: LazyLock<Regex> = LazyLock::new(|| re(r"^&?([a-z_][A-Za-z0-9_]*)=\S"));
static CURL_DATA: LazyLock<Regex> =
    LazyLock::new(|| re(r#"(?:-d|--data)\s+["']([A-Za-z_][A-Za-z0-9_]*)="#));
static HEADER_LINE: LazyLock<Regex> =
    LazyLock::new(|| re(r"^([A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*):[ \t]*[^\s/]"));
static QUOTED_HEADER: LazyLock<Regex> =
    LazyLock::new(|| re(r#"(?:-H\s+["']|["'])([A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*):\s"#));
/// An enum-style error-code line, the WMS document's style: `NAME(10050, "message"),`.
static ENUM_CODE: LazyLock<Regex> =
    LazyLock::new(|| re(r#"^\s*([A-Z][A-Z0-9_]*)\s*\(\s*(-?[0-9]+)\s*,\s*"([^"]*)"\s*\)"#));
/// A code row of a flattened page's markdown table, inside one long line:
/// `| 21184031 | 应用账号或密钥不正确 |` (rows follow each other as `| … | | … |`).
static FLAT_CODE_ROW: LazyLock<Regex> =
    LazyLock::new(|| re(r"\|\s*(-?[0-9]{3,})\s*\|\s*([^|\s*#`][^|]*?)\s*\|"));
/// A parameter or field row of a flattened page's markdown table, inside one
/// long line: a name followed by its type (`| accessKey | String | 是 | … |`).
static FLAT_NAME_ROW: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\|\s*([A-Za-z_][A-Za-z0-9_]*)\s*\|\s*(?:String|string|int|Integer|long|Long|boolean|Boolean|Object|JSON)\s*\|",
    )
});
/// A code in a JSON example: the value of a code key (`"code": -1`,
/// `"errorCode":"sign-check-failure"`, OAuth2's `"error": "invalid_grant"`),
/// so a code the document adds in an error example is found like a table row.
static JSON_CODE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r#""(code|errorCode|error_code|error)"\s*:\s*(?:"([A-Za-z0-9][A-Za-z0-9_\-]*)"|(-?[0-9]+)\b)"#,
    )
});
static JSON_STRING: LazyLock<Regex> = LazyLock::new(|| re(r#":\s*"((?:[^"\\]|\\.)*)""#));
static TABLE_NAME: LazyLock<Regex> =
    LazyLock::new(|| re(r"^(?:[A-Za-z_][A-Za-z0-9_.\[\]\-]*|-?[0-9]+)$"));

/// Every identifier occurrence, in document order.
pub fn extract(doc: &SourceDocument) -> Vec<DocIdent> {
    let lines = doc.lines();
    let named_rows = super::rows::named_rows(doc);
    let mut out = Vec::new();
    for (index, line) in lines.iter().enumerate() {
        // `at` is a byte offset into `line`; columns count characters.
        let mut push = |name: &str, kind: IdentKind, at: usize| {
            out.push(DocIdent {
                name: name.to_owned(),
                kind,
                pos: DocPos::in_line(index + 1, line, at),
            })
        };
        let offset_of = |part: &str| line.find(part).unwrap_or(0);
        let named = named_rows.iter().find(|r| r.line == index + 1);
        if let Some(cell) = table_first_cell(line, lines.get(index + 1).map(String::as_str))
            && named.is_none()
        {
            push(cell, IdentKind::TableEntry, offset_of(cell));
        }
        if let Some(row) = named {
            let at = |column: usize| line.char_indices().nth(column - 1).map_or(0, |(b, _)| b);
            for (member, column) in &row.members {
                push(member, IdentKind::TableEntry, at(*column));
            }
            push(&row.name, IdentKind::TableEntry, at(row.column));
        }
        for c in JSON_CODE.captures_iter(line) {
            if let Some(code) = c.get(2).or(c.get(3)) {
                push(code.as_str(), IdentKind::CodeValue, code.start());
            }
        }
        if doc.is_long(index + 1) {
            for c in FLAT_NAME_ROW.captures_iter(line) {
                push(
                    &c[1],
                    IdentKind::TableEntry,
                    c.get(1).map_or(0, |m| m.start()),
                );
            }
            for c in FLAT_CODE_ROW.captures_iter(line) {
                push(
                    &c[1],
                    IdentKind::TableEntry,
                    c.get(1).map_or(0, |m| m.start()),
                );
            }
        }
        if let Some(c) = ENUM_CODE.captures(line) {
            push(
                &c[2],
                IdentKind::TableEntry,
                c.get(2).map_or(0, |m| m.start()),
            );
        }
        for c in JSON_KEY.captures_iter(line) {
            push(&c[1], IdentKind::JsonKey, c.get(1).map_or(0, |m| m.start()));
        }
        // A URL inside a JSON value is data (an avatar link), not an API path:
        // a line with JSON keys names none, except a flattened page's one
        // line, where only a quoted URL is skipped.
        let long = doc.is_long(index + 1);
        let json_line = JSON_KEY.is_match(line) && !long;
        let quoted = |c: &regex::Captures| long && c[0].starts_with('"');
        for c in PATH
            .captures_iter(line)
            .filter(|c| !json_line && !quoted(c))
        {
            let path = c.get(1).map_or(0, |m| m.start());
            push(
                c[1].trim_end_matches(['/', '.', '-']),
                IdentKind::Path,
                path,
            );
            if let Some(query) = c.get(2) {
                for q in QUERY_PAIR.captures_iter(query.as_str()) {
                    let at = query.start() + q.get(1).map_or(0, |m| m.start());
                    push(&q[1], IdentKind::Parameter, at);
                }
            }
        }
        for c in FORM_LINE.captures_iter(line.trim()) {
            push(&c[1], IdentKind::Parameter, offset_of(&c[1]));
        }
        for c in CURL_DATA.captures_iter(line) {
            push(
                &c[1],
                IdentKind::Parameter,
                c.get(1).map_or(0, |m| m.start()),
            );
        }
        if let Some(c) = HEADER_LINE.captures(line.trim()) {
            push(&c[1], IdentKind::Header, offset_of(&c[1]));
        }
        for c in QUOTED_HEADER.captures_iter(line) {
            push(&c[1], IdentKind::Header, c.get(1).map_or(0, |m| m.start()));
        }
    }
    out
}

/// The texts a code row gives next to its code, for comparing a spec's
/// `message` with the whole text (not a substring of a longer one): the
/// message of an enum line (`NAME(code, "message")`), else the cells of a
/// table or `code | text` row. `None` when the line is neither (prose, a JSON
/// example: [`object_texts`], or a flattened page whose cells cannot be told apart).
pub fn row_texts(line: &str) -> Option<Vec<String>> {
    if let Some(c) = ENUM_CODE.captures(line) {
        return Some(vec![c[3].to_owned()]);
    }
    if !line.contains('|') || is_separator(line) {
        return None;
    }
    Some(
        line.split('|')
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_owned)
            .collect(),
    )
}

/// The string values of a JSON example's code and the lines after it, up to
/// the object's end or a nested value: the code and its message on one line
/// (`{"errorCode":"x","errorMsg":"Illegal request"}`) or on lines of their own
/// (`"code": "VALIDATION_ERROR",` then `"message": "请求参数验证失败",`).
/// `None` unless there are at least two.
pub fn object_texts(lines: &[String], line: usize) -> Option<Vec<String>> {
    let mut values = Vec::new();
    for (i, text) in lines.iter().enumerate().skip(line.checked_sub(1)?) {
        if i + 1 > line && text.contains(['{', '}', '[', ']']) {
            break;
        }
        if !JSON_KEY.is_match(text) {
            break;
        }
        values.extend(JSON_STRING.captures_iter(text).map(|c| c[1].to_owned()));
    }
    (values.len() >= 2).then_some(values)
}

/// The code rows of a flattened page's long line: each code's column
/// (counted in characters, as [`DocPos`] does) and the whole text of its
/// row's message cell.
pub fn flat_code_rows(line: &str) -> Vec<(usize, String)> {
    FLAT_CODE_ROW
        .captures_iter(line)
        .filter_map(|c| {
            let code = c.get(1)?;
            let column = crate::document::column_at(line, code.start());
            Some((column, c[2].to_owned()))
        })
        .collect()
}

/// A markdown table's separator row (`|---|:---:|`).
pub(crate) fn is_separator(line: &str) -> bool {
    let t = line.trim();
    t.contains("---") && t.chars().all(|c| matches!(c, '|' | '-' | ':' | ' '))
}

/// The identifier in the first cell of a table row, unless the row is a header
/// (followed by a separator) or the cell is prose.
fn table_first_cell<'a>(line: &'a str, next: Option<&str>) -> Option<&'a str> {
    if !line.contains('|') || is_separator(line) || next.is_some_and(is_separator) {
        return None;
    }
    let body = line.trim().trim_start_matches('|');
    let cell = body.split('|').next()?.trim();
    TABLE_NAME.is_match(cell).then_some(cell)
}

/// What the spec's structure models.
#[derive(Debug, Default)]
pub struct Modelled {
    names: HashSet<String>,
    paths: Vec<String>,
}

impl Modelled {
    /// Everything the spec's structure models (not its `examples:`).
    pub fn from_spec(spec: &Spec) -> Self {
        let mut m = Modelled::default();
        let mut base_paths = vec![String::new()];
        for env in &spec.environments {
            if let Some(rest) = env.base_url.split_once("://").map(|(_, r)| r)
                && let Some(at) = rest.find('/')
            {
                base_paths.push(rest[at..].trim_end_matches('/').to_owned());
            }
        }
        let add_path = |m: &mut Modelled, path: &str| {
            for base in &base_paths {
                m.paths.push(format!("{base}{path}"));
            }
            m.paths.push(path.to_owned());
        };
        for base in &base_paths {
            if !base.is_empty() {
                m.paths.push(base.clone());
            }
        }
        for name in spec.auth.credentials.keys() {
            m.add(name);
        }
        if let Some(token) = &spec.auth.token {
            for grant in token.grants.values() {
                m.names.extend(grant.fields.keys().cloned());
                m.names.extend(grant.inputs.iter().cloned());
                if grant.client_auth.contains(&ClientAuth::Form) {
                    m.add("client_id");
                    m.add("client_secret");
                }
                if grant.client_auth.contains(&ClientAuth::Basic) {
                    m.add("Authorization");
                }
                if let Some(p) = &grant.path {
                    add_path(&mut m, p);
                }
                m.add("Content-Type");
            }
            if let Some(a) = &token.authorize {
                add_path(&mut m, &a.path);
                m.names.extend(a.params.keys().cloned());
            }
            let r = &token.response;
            m.add_dotted(&r.access_token);
            for p in [&r.expires_in, &r.refresh_token].into_iter().flatten() {
                m.add_dotted(p);
            }
            for p in r.extra.values() {
                m.add_dotted(p);
            }
            if let Some(e) = &r.error {
                m.add_dotted(&e.code);
                if let Some(msg) = &e.message {
                    m.add_dotted(msg);
                }
            }
        }
        for step in &spec.auth.apply {
            match step.named() {
                Some(named) => m.add(named.name),
                None => m.add("Authorization"),
            }
        }
        if let Some(env) = &spec.envelope {
            for p in env
                .code
                .iter()
                .chain(&env.message)
                .chain(std::iter::once(&env.data))
                .chain(env.details.as_ref().map(|d| &d.path))
                .chain(&env.extra)
            {
                m.add_dotted(p);
            }
            if let crate::spec::model::SuccessRule::FieldTrue(f) = &env.success {
                m.add_dotted(f);
            }
        }
        for ty in spec.types.values() {
            m.names.extend(ty.fields.keys().cloned());
        }
        for ep in spec.endpoints.values() {
            add_path(&mut m, &ep.path);
            m.names.extend(ep.params.keys().cloned());
            if ep.body.is_some() {
                m.add("Content-Type");
            }
        }
        for table in spec.error_codes.values() {
            for code in &table.codes {
                match &code.code {
                    Code::Int(n) => m.add(&n.to_string()),
                    Code::Str(s) => m.add(s),
                }
                for n in [&code.java_name, &code.name].into_iter().flatten() {
                    m.add(n);
                }
            }
        }
        if let Some(d) = spec.envelope.as_ref().and_then(|e| e.details.as_ref()) {
            m.add(&d.field);
            m.add(&d.message);
        }
        if let Some(w) = &spec.webhooks {
            for body in [&w.acknowledgement.success, &w.acknowledgement.failure] {
                if let Ok(serde_json::Value::Object(map)) = serde_json::from_str(body) {
                    m.names.extend(map.keys().cloned());
                }
            }
            m.add(&w.discriminator);
            m.add(&w.payload);
            m.names.extend(w.fields.keys().cloned());
            for (key, event) in &w.events {
                m.add(key);
                m.names.extend(event.fields.keys().cloned());
            }
            if let Some(h) = &w.signature.header {
                m.add(h);
            }
        }
        m
    }

    fn add(&mut self, name: &str) {
        self.names.insert(name.to_owned());
    }

    fn add_dotted(&mut self, path: &str) {
        for segment in path.split('.') {
            self.add(segment);
        }
    }

    /// Whether the document identifier is modelled. Dotted table names
    /// (`data.list[].sku_id`) are modelled when every segment is.
    pub fn covers(&self, ident: &DocIdent) -> bool {
        match ident.kind {
            IdentKind::Path => self.covers_path(&ident.name),
            _ => ident
                .name
                .split('.')
                .map(|s| s.trim_end_matches("[]"))
                .filter(|s| !s.is_empty())
                .all(|s| self.names.contains(s)),
        }
    }

    /// A document path is modelled when it is a spec path, or a whole-segment
    /// prefix or suffix of one (`/token.php` of `/public/token.php`).
    fn covers_path(&self, doc_path: &str) -> bool {
        self.paths.iter().any(|p| {
            p == doc_path
                || p.strip_suffix(doc_path)
                    .is_some_and(|rest| rest.ends_with('/') || doc_path.starts_with('/'))
                || p.strip_prefix(doc_path)
                    .is_some_and(|rest| rest.starts_with('/'))
        })
    }

    /// Whether the spec models this name (a field, parameter, header or code).
    pub fn has_name(&self, name: &str) -> bool {
        self.names.contains(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn idents(text: &str) -> Vec<(String, IdentKind, usize)> {
        extract(&SourceDocument::new(PathBuf::from("d.txt"), text))
            .into_iter()
            .map(|i| (i.name, i.kind, i.pos.line))
            .collect()
    }

    #[test]
    fn finds_table_entries_json_keys_paths_parameters_and_headers() {
        let found = idents(
            "| 参数 | 说明 |\n|---|---|\nclient_id | 客户端 |\n-1 | 未授权 |\n\
             {\"sku_id\": \"x\"}\n\
             curl \"https://h/public/a.php?day=1&page=2\" -H \"Authorization: Bearer t\"\n\
             &code={X}\nContent-Type: application/json\n说明:中文\n",
        );
        let names: Vec<(&str, IdentKind)> =
            found.iter().map(|(n, k, _)| (n.as_str(), *k)).collect();
        assert_eq!(
            names,
            vec![
                ("client_id", IdentKind::TableEntry),
                ("-1", IdentKind::TableEntry),
                ("sku_id", IdentKind::JsonKey),
                ("/public/a.php", IdentKind::Path),
                ("day", IdentKind::Parameter),
                ("page", IdentKind::Parameter),
                ("Authorization", IdentKind::Header),
                ("code", IdentKind::Parameter),
                ("Content-Type", IdentKind::Header),
            ]
        );
        assert_eq!(found[3].2, 6);
    }
}
