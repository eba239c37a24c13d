//! Table rows written without `|` and the blocks a type's fields are read in.
//!
//! - **Space-separated tables** (cainiao_edi's pages): a header of column
//!   names (`项目 名称 类型 必填 描述`, `字段 类型 描述`), then one row per line
//!   with the name in the header's `名称` (or `字段`) column, until a blank
//!   line or a line that is not such a row. A `waybill->receiver->receiverName`
//!   path is named by its last segment. Read as rows so that a field added to
//!   one of these tables is found, and a `doc` is compared with its own row.
//! - **Blocks**: a JSON example (from its opening brace to the one closing it)
//!   or a table (consecutive `|` lines, or a space-separated table). A type's
//!   fields are looked for inside the block where the type is anchored, so a
//!   field removed from an example is not found in the next table instead.

use std::ops::RangeInclusive;
use std::sync::LazyLock;

use regex::Regex;

/// One row of a space-separated table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpaceRow {
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
    /// Every run of consecutive words on either side of the name, each a
    /// candidate whole cell: the columns are only told apart by spaces, and a
    /// description may itself hold spaces (`收件人手机 不能有"-"以外的特殊字符`).
    pub cells: Vec<String>,
}

static NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[A-Za-z_][A-Za-z0-9_]*(?:->[A-Za-z_][A-Za-z0-9_]*)*$")
        .unwrap_or_else(|e| panic!("row name pattern: {e}"))
});

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
    words.iter().position(|w| *w == "名称" || *w == "字段")
}

/// Every row of every space-separated table, in document order.
pub fn space_rows(lines: &[String]) -> Vec<SpaceRow> {
    let mut out = Vec::new();
    let mut name_column: Option<usize> = None;
    for (index, line) in lines.iter().enumerate() {
        if let Some(column) = header_name_column(line) {
            name_column = Some(column);
            continue;
        }
        let Some(at) = name_column else { continue };
        match space_row(index + 1, line, at) {
            Some(row) => out.push(row),
            None => name_column = None,
        }
    }
    out
}

fn space_row(line_no: usize, line: &str, at: usize) -> Option<SpaceRow> {
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
    if !NAME.is_match(token) || words.len() < at + 2 {
        return None;
    }
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
    let mut segments = Vec::new();
    let mut from = offset;
    for segment in token.split("->") {
        segments.push((segment.to_owned(), line[..from].chars().count() + 1));
        from += segment.len() + 2;
    }
    let (name, column) = segments.pop()?;
    Some(SpaceRow {
        line: line_no,
        name,
        column,
        members: segments.into_iter().skip(1).collect(),
        cells,
    })
}

/// The blocks of a document as 1-based inclusive line ranges: JSON examples
/// (brace depth counted outside strings) and tables (`|` lines, space-separated
/// tables with their header).
pub fn blocks(lines: &[String]) -> Vec<RangeInclusive<usize>> {
    let mut out = Vec::new();
    let mut json_start: Option<usize> = None;
    let mut depth = 0i64;
    let mut table_start: Option<usize> = None;
    let spaced: Vec<usize> = space_rows(lines).iter().map(|r| r.line).collect();
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

    fn lines(text: &str) -> Vec<String> {
        text.lines().map(str::to_owned).collect()
    }

    #[test]
    fn reads_space_separated_rows_by_their_header() {
        let doc = lines(
            "入参\n\n项目 名称 类型 必填 描述\n对接码 logistic_provider_id String 菜鸟侧提供\n\
             logistics_interface内容\n字段 类型 描述\na->b->receiverMobile String(20) 收件人手机 不能有\"-\"以外的特殊字符\n\n\
             名称 说明\n",
        );
        let rows = space_rows(&doc);
        let names: Vec<(&str, usize, usize)> = rows
            .iter()
            .map(|r| (r.name.as_str(), r.line, r.column))
            .collect();
        assert_eq!(
            names,
            vec![("logistic_provider_id", 4, 5), ("receiverMobile", 7, 7)]
        );
        assert_eq!(rows[1].members, vec![("b".to_owned(), 4)]);
        assert!(rows[0].cells.contains(&"菜鸟侧提供".to_owned()));
        assert!(
            rows[1]
                .cells
                .contains(&"收件人手机 不能有\"-\"以外的特殊字符".to_owned())
        );
        assert!(!rows[1].cells.iter().any(|c| c.contains("receiverMobile")));
    }

    #[test]
    fn blocks_are_json_examples_and_tables() {
        let doc = lines(
            "prose\n{\n\"a\": \"}\",\n\"b\": [1]\n}\n| x | y |\n|---|---|\n| 1 | 2 |\nbetween\n项目 名称 类型\n甲 a String\n| z |\n{\n}\n",
        );
        assert_eq!(blocks(&doc), vec![2..=5, 6..=8, 10..=12, 13..=14]);
    }
}
