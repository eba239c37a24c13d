//! Token lifetimes and rate limits the document states, read as numbers and
//! compared with the spec's values, so a changed number is reported at the
//! spec field even where the spec quotes no text:
//!
//! - the lifetime field's own row (`expires_in | 有效期(秒),默认 3600 即 1 小时 |`)
//!   must state `default_lifetime_seconds` (in seconds, minutes or hours), and
//!   each duration it gives in a unit (`1 小时`) must equal it;
//! - a lifetime in prose (`accessToken为短效token(有效期24小时)`, `有效期为7200秒`)
//!   is the lifetime of the token named before it on its line (the access or
//!   refresh token field); each must equal the spec's value;
//! - a rate statement (`1分钟内获取1次`, `1分钟一次`) must give `min_interval_seconds`.

use std::sync::LazyLock;

use regex::Regex;

use super::identifiers::{DocIdent, IdentKind};
use crate::document::{DocPos, SourceDocument};
use crate::spec::model::Spec;

/// A number the document states for a spec value.
#[derive(Debug, Clone)]
pub(crate) struct Stated {
    /// The spec path the statement is about.
    pub spec_path: &'static str,
    /// Where the statement is.
    pub pos: DocPos,
    /// What it gives, in seconds; `None` for a lifetime field's row, which
    /// is checked by whether it states the spec's value at all.
    pub seconds: Option<u64>,
}

const LIFETIME: &str = "auth.token.response.default_lifetime_seconds";
const REFRESH_LIFETIME: &str = "auth.token.response.refresh_token_lifetime_seconds";
const INTERVAL: &str = "auth.token.policy.min_interval_seconds";

fn re(pattern: &str) -> Regex {
    Regex::new(pattern).unwrap_or_else(|e| panic!("lifetime pattern {pattern:?}: {e}"))
}

/// A rate statement: `N分钟内获取M次`, `N秒一次` (N units per M requests).
static RATE: LazyLock<Regex> = LazyLock::new(|| {
    re(r"([0-9]+|一)\s*(秒|分钟|小时)\s*(?:内\s*(?:获取|调用|请求)?\s*([0-9]+|一)\s*次|(一)\s*次)")
});

/// A lifetime in prose: `有效期24小时`, `有效期为7200秒`, `过期时间一般为3个月`.
static PROSE_LIFETIME: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?:有效期|过期时间|有效时长)[^0-9一两|]{0,6}?([0-9]+|一|两)\s*(秒|分钟|小时|天|个月|月|年)",
    )
});

/// A duration in a unit: `1 小时`, `10 分钟`, `7200秒`.
static DURATION: LazyLock<Regex> =
    LazyLock::new(|| re(r"([0-9]+|一|两)\s*(秒|分钟|小时|天|个月|年)"));

fn number(t: &str) -> Option<u64> {
    match t {
        "一" => Some(1),
        "两" => Some(2),
        _ => t.parse().ok(),
    }
}

fn unit_seconds(unit: &str) -> u64 {
    match unit {
        "秒" => 1,
        "分钟" => 60,
        "小时" => 3600,
        "天" => 86_400,
        "个月" | "月" => 30 * 86_400,
        _ => 365 * 86_400,
    }
}

/// Every rate statement of the document: where, and the interval it gives in
/// seconds (the period divided by the requests allowed in it).
fn rate_statements(doc: &SourceDocument) -> Vec<(DocPos, u64)> {
    let mut out = Vec::new();
    for (index, line) in doc.lines().iter().enumerate() {
        for c in RATE.captures_iter(line) {
            let Some(period) = number(&c[1]) else {
                continue;
            };
            let times = c.get(3).or(c.get(4)).and_then(|m| number(m.as_str()));
            let Some(times) = times.filter(|&t| t > 0) else {
                continue;
            };
            let start = c.get(0).map_or(0, |m| m.start());
            out.push((
                DocPos::in_line(index + 1, line, start),
                period * unit_seconds(&c[2]) / times,
            ));
        }
    }
    out
}

/// Lifetimes stated in prose, each with the token it is about: the access or
/// refresh token field the spec reads, whichever is named last before the
/// statement on its line (within 80 characters on a flattened page). A
/// statement naming neither (an auth code's `有效期 10 分钟`) is not the token's.
fn prose_lifetimes(spec: &Spec, doc: &SourceDocument) -> Vec<Stated> {
    let Some(token) = &spec.auth.token else {
        return Vec::new();
    };
    let last = |path: &str| path.rsplit('.').next().unwrap_or(path).to_owned();
    let mut subjects = vec![(last(&token.response.access_token), LIFETIME)];
    if let Some(refresh) = &token.response.refresh_token {
        subjects.push((last(refresh), REFRESH_LIFETIME));
    }
    let mut out = Vec::new();
    for (index, line) in doc.lines().iter().enumerate() {
        for c in PROSE_LIFETIME.captures_iter(line) {
            let start = c.get(0).map_or(0, |m| m.start());
            let mut from = start.saturating_sub(240);
            while !line.is_char_boundary(from) {
                from += 1;
            }
            let before = &line[from..start];
            let subject = subjects
                .iter()
                .filter_map(|(name, path)| before.rfind(name.as_str()).map(|at| (at, *path)))
                .max_by_key(|(at, _)| *at);
            let (Some((_, path)), Some(n)) = (subject, number(&c[1])) else {
                continue;
            };
            out.push(Stated {
                spec_path: path,
                pos: DocPos::in_line(index + 1, line, start),
                seconds: Some(n * unit_seconds(&c[2])),
            });
        }
    }
    out
}

/// The text of the table row at `pos` and its byte offset in the line: the
/// line, or on a flattened page's long line the row from its name to the
/// next row (`| |`).
fn row_text(doc: &SourceDocument, pos: DocPos) -> (&str, usize) {
    let line = doc.lines()[pos.line - 1].as_str();
    if !doc.is_long(pos.line) {
        return (line, 0);
    }
    let start = line
        .char_indices()
        .nth(pos.column - 1)
        .map_or(line.len(), |(b, _)| b);
    let rest = &line[start..];
    let end = rest.find("| |").unwrap_or(rest.len());
    (&rest[..end], start)
}

/// Every statement of a lifetime or rate limit the spec gives a value for.
pub(crate) fn statements(spec: &Spec, doc: &SourceDocument, idents: &[DocIdent]) -> Vec<Stated> {
    let Some(token) = &spec.auth.token else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if let Some(field) = token.response.expires_in.as_deref()
        && token.response.default_lifetime_seconds.is_some()
    {
        let last = field.rsplit('.').next().unwrap_or(field);
        for row in idents
            .iter()
            .filter(|i| i.kind == IdentKind::TableEntry && i.name == last)
        {
            // A row that gives no number (`TOKEN有效时长, 单位:秒`) states no lifetime.
            let (text, offset) = row_text(doc, row.pos);
            if !text.contains(|c: char| c.is_ascii_digit()) {
                continue;
            }
            out.push(Stated {
                spec_path: LIFETIME,
                pos: row.pos,
                seconds: None,
            });
            // Each duration the row gives in a unit (`即 1 小时`) is the lifetime too.
            let line = &doc.lines()[row.pos.line - 1];
            for c in DURATION.captures_iter(text) {
                let (Some(n), Some(at)) = (number(&c[1]), c.get(0)) else {
                    continue;
                };
                out.push(Stated {
                    spec_path: LIFETIME,
                    pos: DocPos::in_line(row.pos.line, line, offset + at.start()),
                    seconds: Some(n * unit_seconds(&c[2])),
                });
            }
        }
    }
    out.extend(
        prose_lifetimes(spec, doc)
            .into_iter()
            .filter(|s| match s.spec_path {
                LIFETIME => token.response.default_lifetime_seconds.is_some(),
                _ => token.response.refresh_token_lifetime_seconds.is_some(),
            }),
    );
    if token.policy.min_interval_seconds.is_some() {
        out.extend(rate_statements(doc).into_iter().map(|(pos, s)| Stated {
            spec_path: INTERVAL,
            pos,
            seconds: Some(s),
        }));
    }
    out
}

/// Whether `text` contains `n` as a whole number (not a part of a longer one).
pub(crate) fn states_number(text: &str, n: i64) -> bool {
    let wanted = n.to_string();
    text.split(|c: char| !(c.is_ascii_digit() || c == '-'))
        .any(|token| token == wanted)
}

/// The text around a position: its line, or 40 characters either side inside a long one.
fn context(doc: &SourceDocument, pos: DocPos) -> String {
    let line = &doc.lines()[pos.line - 1];
    if !doc.is_long(pos.line) {
        return line.clone();
    }
    line.chars()
        .skip(pos.column.saturating_sub(41))
        .take(80)
        .collect()
}

/// Findings: `(spec path, message)` for each statement that disagrees with
/// the spec (for the lifetime rows: when none of them states the lifetime).
pub(crate) fn check(
    spec: &Spec,
    doc: &SourceDocument,
    idents: &[DocIdent],
    shorten: fn(&str) -> String,
) -> Vec<(&'static str, String)> {
    let Some(token) = &spec.auth.token else {
        return Vec::new();
    };
    let value = |path: &str| match path {
        LIFETIME => token.response.default_lifetime_seconds,
        REFRESH_LIFETIME => token.response.refresh_token_lifetime_seconds,
        _ => token.policy.min_interval_seconds,
    };
    let all = statements(spec, doc, idents);
    let mut out = Vec::new();
    // The lifetime field's rows: one must state the lifetime, in seconds,
    // minutes or hours (`默认 3600 即 1 小时`).
    let rows: Vec<&Stated> = all.iter().filter(|s| s.seconds.is_none()).collect();
    if let (Some(first), Some(seconds)) = (rows.first(), token.response.default_lifetime_seconds) {
        let states = |pos: &DocPos| {
            let (line, _) = row_text(doc, *pos);
            states_number(line, seconds as i64)
                || (seconds % 3600 == 0
                    && states_number(line, (seconds / 3600) as i64)
                    && line.contains("小时"))
                || (seconds % 60 == 0
                    && states_number(line, (seconds / 60) as i64)
                    && line.contains("分钟"))
        };
        if !rows.iter().any(|s| states(&s.pos)) {
            out.push((
                LIFETIME,
                format!(
                    "the document's row for the lifetime field (document {}) does not state {seconds} seconds: {:?}; transcribe the lifetime it gives, or acknowledge it in a doc_gaps entry's `claims`",
                    doc.describe(first.pos),
                    shorten(row_text(doc, first.pos).0)
                ),
            ));
        }
    }
    for s in &all {
        let (Some(stated), Some(spec_value)) = (s.seconds, value(s.spec_path)) else {
            continue;
        };
        if stated == spec_value {
            continue;
        }
        let what = if s.spec_path == INTERVAL {
            "a token rate limit of one request per"
        } else {
            "a token lifetime of"
        };
        out.push((
            s.spec_path,
            format!(
                "the document (document {}) states {what} {stated} seconds, the spec {spec_value}: {:?}; transcribe the value it gives, or acknowledge it in a doc_gaps entry's `claims`",
                doc.describe(s.pos),
                shorten(&context(doc, s.pos))
            ),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    #[test]
    fn reads_rates_and_prose_lifetimes_as_seconds() {
        let doc = SourceDocument::new(
            PathBuf::from("d.txt"),
            "不能频繁调用(1分钟内获取2次)\n接口做了频率限制,1分钟一次.\n\
             accessToken为短效token(有效期24小时)\nrefreshToken为长效token(有效期1年)\n\
             授权码(一次性使用,有效期 10 分钟)\n",
        );
        let rates: Vec<u64> = rate_statements(&doc).iter().map(|(_, s)| *s).collect();
        assert_eq!(rates, vec![30, 60]);
        let loaded = crate::spec::load_str(
            &PathBuf::from("s.yaml"),
            "source: d.txt\nmodule: m\nvendor: { name: v, title: t }\nenvironments: []\n\
             auth:\n  credentials: {}\n  apply: []\n  token:\n    grants: {}\n    response: { access_token: accessToken, refresh_token: refreshToken }\n"
                .to_owned(),
        )
        .unwrap_or_else(|e| panic!("{e:?}"));
        let spec = &loaded.spec;
        let stated: Vec<(&str, Option<u64>, usize)> = prose_lifetimes(spec, &doc)
            .iter()
            .map(|s| (s.spec_path, s.seconds, s.pos.line))
            .collect();
        assert_eq!(
            stated,
            vec![
                (LIFETIME, Some(86_400), 3),
                (REFRESH_LIFETIME, Some(365 * 86_400), 4)
            ]
        );
    }
}
