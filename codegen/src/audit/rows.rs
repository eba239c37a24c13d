//! Table rows whose name is not in the first cell, and the blocks a type's
//! fields are read in.
//!
//! - **Named columns** (cainiao_edi's pages): a header naming the columns
//!   (`项目 名称 类型 必填 描述`, `字段 类型 描述`), space-separated or as a
//!   markdown table (`| 项目 | 名称 | … |`), puts the name in its `名称` (or
//!   `字段`) column; a space-separated table's rows follow one per line until
//!   a blank line or a line that is not such a row. A path
//!   (`waybill->receiver->receiverName`, `Request-->bizNo`) is named by its last
//!   segment. Read as rows so that a field added to one of these tables is
//!   found, and a `doc` is compared with its own row.
//! - **Blocks**: a JSON example (from its opening brace to the one closing it)
//!   or a table (consecutive `|` lines, or a space-separated table). A type's
//!   fields are looked for inside the block where the type is anchored, so a
//!   field removed from an example is not found in the next table instead.

use std::ops::RangeInclusive;
use std::sync::LazyLock;

use regex::Regex;

use super::identifiers::is_separator;
use crate::document::{SourceDocument, column_at};

/// One row of a table whose header names the name's column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedRow {
    /// 1-based document line.
    pub line: usize,
    /// The name (the last segment of a `a->b->c` path).
    pub name: String,
    /// 1-based character column where the name starts.
    pub column: usize,
    /// The members a `waybill->packageInfo->goodsItems->itemName` path passes
    /// through (`packageInfo`, `goodsItems`; its root names the message, not a
    /// field), each with its column: the row mentions them too.
    pub members: Vec<(String, usize)>,
    /// The row's other cells. In a space-separated row, every run of
    /// consecutive words on either side of the name, each a candidate whole
    /// cell: the columns are only told apart by spaces, and a description may
    /// itself hold spaces (`收件人手机 不能有"-"以外的特殊字符`).
    pub cells: Vec<String>,
}

static SEGMENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[A-Za-z_][A-Za-z0-9_]*$").unwrap_or_else(|e| panic!("row name pattern: {e}"))
});
static ARROW: LazyLock<Regex> =
    LazyLock::new(|| Regex::new("-{1,2}>").unwrap_or_else(|e| panic!("arrow pattern: {e}")));

fn is_name_header(word: &str) -> bool {
    word == "名称" || word == "字段"
}

/// The column of the name when `line` is a header of a space-separated table:
/// words only (no `|`, no ASCII), with a `类型` column and a `名称` or `字段` one.
fn header_name_column(line: &str) -> Option<usize> {
    let words: Vec<&str> = line.split_whitespace().collect();
    if words.len() < 2 || line.contains('|') || !words.contains(&"类型") {
        return None;
    }
    if words.iter().any(|w| w.chars().any(|c| c.is_ascii())) {
        return None;
    }
    words.iter().position(|w| is_name_header(w))
}

/// A row's name, its column, and the members its path passes through.
type Name = (String, usize, Vec<(String, usize)>);

/// A row's name cell (`text` at byte `offset` of `line`): its last path
/// segment (an `extendsFeatures(outOrderCode)` key in parentheses dropped),
/// its column, and the members the path passes through after its root.
fn parse_name(line: &str, offset: usize, text: &str) -> Option<Name> {
    let column = |byte: usize| column_at(line, byte);
    let mut segments = Vec::new();
    let mut from = 0;
    for arrow in ARROW.find_iter(text).map(Some).chain([None]) {
        let to = arrow.map_or(text.len(), |m| m.start());
        let segment = &text[from..to];
        let segment = segment.split('(').next().unwrap_or(segment);
        if !SEGMENT.is_match(segment) {
            return None;
        }
        segments.push((segment.to_owned(), column(offset + from)));
        from = arrow.map_or(text.len(), |m| m.end());
    }
    let (name, at) = segments.pop()?;
    Some((name, at, segments.into_iter().skip(1).collect()))
}

/// Every row of every table whose header names the name's column (other
/// than the first), in document order.
pub fn named_rows(doc: &SourceDocument) -> Vec<NamedRow> {
    let lines = doc.lines();
    let mut out = Vec::new();
    let mut spaced: Option<usize> = None;
    let mut piped: Option<usize> = None;
    for (index, line) in lines.iter().enumerate() {
        if doc.is_long(index + 1) {
            continue;
        }
        if let Some(column) = header_name_column(line) {
            spaced = Some(column);
            continue;
        }
        if let Some(at) = spaced {
            match space_row(index + 1, line, at) {
                Some(row) => out.push(row),
                None => spaced = None,
            }
        }
        if !line.contains('|') {
            piped = None;
            continue;
        }
        let cells = pipe_cells(line);
        if lines.get(index + 1).is_some_and(|l| is_separator(l)) {
            piped = cells
                .iter()
                .position(|(_, c)| is_name_header(c))
                .filter(|&k| k > 0);
            continue;
        }
        if is_separator(line) {
            continue;
        }
        let Some(k) = piped else { continue };
        let Some(&(offset, text)) = cells.get(k) else {
            continue;
        };
        let Some((name, column, members)) = parse_name(line, offset, text) else {
            continue;
        };
        out.push(NamedRow {
            line: index + 1,
            name,
            column,
            members,
            cells: cells
                .iter()
                .enumerate()
                .filter(|&(i, (_, c))| i != k && !c.is_empty())
                .map(|(_, (_, c))| (*c).to_owned())
                .collect(),
        });
    }
    out
}

/// The cells of a `|` row, trimmed, with the byte offset of each.
fn pipe_cells(line: &str) -> Vec<(usize, &str)> {
    let trimmed = line.trim_end();
    let start = trimmed.len() - trimmed.trim_start().len();
    let body = &trimmed[start..];
    let body_start = start + usize::from(body.starts_with('|'));
    let body = body.strip_prefix('|').unwrap_or(body);
    let body = body.strip_suffix('|').unwrap_or(body);
    let mut out = Vec::new();
    let mut from = body_start;
    for cell in body.split('|') {
        let lead = cell.len() - cell.trim_start().len();
        out.push((from + lead, cell.trim()));
        from += cell.len() + 1;
    }
    out
}

fn space_row(line_no: usize, line: &str, at: usize) -> Option<NamedRow> {
    if line.contains('|') {
        return None;
    }
    // Words with their byte offsets.
    let mut words: Vec<(usize, &str)> = Vec::new();
    let mut start = None;
    for (i, c) in line.char_indices().chain([(line.len(), ' ')]) {
        match (c.is_whitespace(), start) {
            (false, None) => start = Some(i),
            (true, Some(s)) => {
                words.push((s, &line[s..i]));
                start = None;
            }
            _ => {}
        }
    }
    let &(offset, token) = words.get(at)?;
    if words.len() < at + 2 || token.contains('(') {
        return None;
    }
    let (name, column, members) = parse_name(line, offset, token)?;
    let runs = |part: &[(usize, &str)]| {
        let mut cells = Vec::new();
        for i in 0..part.len() {
            for j in i..part.len() {
                let run: Vec<&str> = part[i..=j].iter().map(|(_, w)| *w).collect();
                cells.push(run.join(" "));
            }
        }
        cells
    };
    let mut cells = runs(&words[..at]);
    cells.extend(runs(&words[at + 1..]));
    Some(NamedRow {
        line: line_no,
        name,
        column,
        members,
        cells,
    })
}

/// The blocks of a document as 1-based inclusive line ranges: JSON examples
/// (brace depth counted outside strings) and tables (`|` lines, space-separated
/// tables with their header).
pub fn blocks(doc: &SourceDocument) -> Vec<RangeInclusive<usize>> {
    let lines = doc.lines();
    let mut out = Vec::new();
    let mut json_start: Option<usize> = None;
    let mut depth = 0i64;
    let mut table_start: Option<usize> = None;
    let spaced: Vec<usize> = named_rows(doc)
        .iter()
        .map(|r| r.line)
        .filter(|&n| !lines[n - 1].contains('|'))
        .collect();
    for (index, line) in lines.iter().enumerate() {
        let n = index + 1;
        let t = line.trim();
        if json_start.is_none() && (t.starts_with('{') || t.starts_with('[')) {
            if let Some(start) = table_start.take() {
                out.push(start..=n - 1);
            }
            json_start = Some(n);
            depth = 0;
        }
        if let Some(start) = json_start {
            depth += brace_balance(t);
            if depth <= 0 {
                out.push(start..=n);
                json_start = None;
            }
            continue;
        }
        let row = t.contains('|')
            || spaced.contains(&n)
            || spaced.contains(&(n + 1)) && header_name_column(line).is_some();
        match (row, table_start) {
            (true, None) => table_start = Some(n),
            (false, Some(start)) => {
                out.push(start..=n - 1);
                table_start = None;
            }
            _ => {}
        }
    }
    if let Some(start) = json_start.or(table_start) {
        out.push(start..=lines.len());
    }
    out
}

/// Opening minus closing braces and brackets outside string literals.
fn brace_balance(line: &str) -> i64 {
    let (mut balance, mut in_string, mut escaped) = (0, false, false);
    for c in line.chars() {
        match (in_string, escaped, c) {
            (true, true, _) => escaped = false,
            (true, false, '\\') => escaped = true,
            (_, false, '"') => in_string = !in_string,
            (false, _, '{' | '[') => balance += 1,
            (false, _, '}' | ']') => balance -= 1,
            _ => {}
        }
    }
    balance
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn doc(text: &str) -> SourceDocument {
        SourceDocument::new(PathBuf::from("d.txt"), text)
    }

    #[test]
    fn reads_rows_by_the_column_their_header_names() {
        let doc = doc(
            "入参\n\n项目 名称 类型 必填 描述\n对接码 logistic_provider_id String 菜鸟侧提供\n\
             logistics_interface内容\n字段 类型 描述\na->b->receiverMobile String(20) 收件人手机 不能有\"-\"以外的特殊字符\n\n\
             名称 说明\n| 项目 | 名称 | 类型 |\n|---|---|---|\n| 订单号 | Req-->extendsFeatures(outOrderCode) | String |\n\
             | 运单号 | Req-->bizNo | String |\n",
        );
        let rows = named_rows(&doc);
        let names: Vec<(&str, usize, usize)> = rows
            .iter()
            .map(|r| (r.name.as_str(), r.line, r.column))
            .collect();
        assert_eq!(
            names,
            vec![
                ("logistic_provider_id", 4, 5),
                ("receiverMobile", 7, 7),
                ("extendsFeatures", 12, 15),
                ("bizNo", 13, 15)
            ]
        );
        assert_eq!(rows[1].members, vec![("b".to_owned(), 4)]);
        assert!(rows[0].cells.contains(&"菜鸟侧提供".to_owned()));
        assert!(
            rows[1]
                .cells
                .contains(&"收件人手机 不能有\"-\"以外的特殊字符".to_owned())
        );
        assert!(!rows[1].cells.iter().any(|c| c.contains("receiverMobile")));
        assert_eq!(rows[3].cells, vec!["运单号", "String"]);
    }

    #[test]
    fn blocks_are_json_examples_and_tables() {
        let doc = doc(
            "prose\n{\n\"a\": \"}\",\n\"b\": [1]\n}\n| x | y |\n|---|---|\n| 1 | 2 |\nbetween\n项目 名称 类型\n甲 a String\n| z |\n{\n}\n",
        );
        assert_eq!(blocks(&doc), vec![2..=5, 6..=8, 10..=12, 13..=14]);
    }
}
