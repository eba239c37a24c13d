//! The vendor document a spec transcribes (`source:`), found relative to the
//! spec file, and searched the way the audit and provenance need it: text
//! compared with all whitespace removed, so line wrapping never matters.

use std::path::{Path, PathBuf};

use crate::diagnostics::Diagnostics;
use crate::spec::LoadedSpec;

/// A place in a document: 1-based line and column (in characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DocPos {
    /// The line, from 1.
    pub line: usize,
    /// The column, from 1, in characters of that line.
    pub column: usize,
}

impl DocPos {
    /// The position of byte `byte` of `text`, document line `line` (from 1).
    pub fn in_line(line: usize, text: &str, byte: usize) -> DocPos {
        DocPos {
            line,
            column: column_at(text, byte),
        }
    }
}

/// The column (from 1, in characters, as [`DocPos`] counts) of byte `byte` of a line's
/// `text`. A byte inside a character or past the end counts as the line's start.
pub fn column_at(text: &str, byte: usize) -> usize {
    text.get(..byte).map_or(1, |head| head.chars().count() + 1)
}

/// Lines longer than this are paragraphs of a flattened page (supercarrier8's
/// document is one line of 5,800 characters): positions in them name the column too.
const LONG_LINE: usize = 300;

/// A vendor document, read from `specs/sources/`.
#[derive(Debug, Clone)]
pub struct SourceDocument {
    /// Where it was read from ([`source_path`] for a spec's document).
    pub path: PathBuf,
    lines: Vec<String>,
    /// The text without whitespace, and the position of each of its bytes.
    squeezed: String,
    pos_of_byte: Vec<DocPos>,
}

/// Where `source:` points for this spec: relative to the spec file's directory.
pub fn source_path(loaded: &LoadedSpec) -> PathBuf {
    let dir = loaded.path.parent().unwrap_or_else(|| Path::new(""));
    dir.join(&loaded.spec.source)
}

/// Reads the spec's source document; a missing or unreadable one is a
/// diagnostic located at the spec's `source:` value.
pub fn load_source(loaded: &LoadedSpec) -> Result<SourceDocument, Diagnostics> {
    let path = source_path(loaded);
    match std::fs::read_to_string(&path) {
        Ok(text) => Ok(SourceDocument::new(path, &text)),
        Err(err) => {
            let mut d = Diagnostics::default();
            d.push(
                &loaded.path,
                loaded.node.locate("source"),
                "source",
                format!(
                    "cannot read the source document `{}`: {err} (`source:` is relative to the spec file; the documents live in specs/sources/)",
                    path.display()
                ),
            );
            Err(d)
        }
    }
}

/// Removes every whitespace character.
pub fn squeeze(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

impl SourceDocument {
    /// A document from its text, indexed for the whitespace-blind searches below; `path` is
    /// only recorded, not read.
    pub fn new(path: PathBuf, text: &str) -> Self {
        let lines: Vec<String> = text.lines().map(str::to_owned).collect();
        let mut squeezed = String::with_capacity(text.len());
        let mut pos_of_byte = Vec::with_capacity(text.len());
        for (index, line) in lines.iter().enumerate() {
            for (column, c) in line.chars().enumerate() {
                if c.is_whitespace() {
                    continue;
                }
                squeezed.push(c);
                let pos = DocPos {
                    line: index + 1,
                    column: column + 1,
                };
                pos_of_byte.extend(std::iter::repeat_n(pos, c.len_utf8()));
            }
        }
        SourceDocument {
            path,
            lines,
            squeezed,
            pos_of_byte,
        }
    }

    /// The document's lines (line `n` is `lines()[n - 1]`).
    pub fn lines(&self) -> &[String] {
        &self.lines
    }

    /// Every position at which `text` (whitespace ignored) starts, in order.
    /// Empty when the text does not occur; an empty text occurs nowhere.
    pub fn find_all_at(&self, text: &str) -> Vec<DocPos> {
        let needle = squeeze(text);
        if needle.is_empty() {
            return Vec::new();
        }
        self.squeezed
            .match_indices(&needle)
            .filter_map(|(at, _)| self.pos_of_byte.get(at).copied())
            .collect()
    }

    /// Every position at which `text` occurs as a whole token: the character
    /// after it in the document (not the whitespace-free text) does not
    /// continue a name or path, so `/cncop/demo` is not found in `/cncop/demo2`.
    pub fn find_whole_at(&self, text: &str) -> Vec<DocPos> {
        let needle = squeeze(text);
        if needle.is_empty() {
            return Vec::new();
        }
        let continues = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '/' | '{');
        self.squeezed
            .match_indices(&needle)
            .filter_map(|(at, _)| {
                let start = *self.pos_of_byte.get(at)?;
                let last = *self.pos_of_byte.get(at + needle.len() - 1)?;
                let next = self.lines.get(last.line - 1)?.chars().nth(last.column);
                (!next.is_some_and(continues)).then_some(start)
            })
            .collect()
    }

    /// Where the occurrence of `text` (whitespace ignored) that starts at
    /// `start` ends: the position of its last character.
    pub fn end_of(&self, text: &str, start: DocPos) -> Option<DocPos> {
        let needle = squeeze(text);
        if needle.is_empty() {
            return None;
        }
        self.squeezed
            .match_indices(&needle)
            .find(|(at, _)| self.pos_of_byte.get(*at) == Some(&start))
            .and_then(|(at, _)| self.pos_of_byte.get(at + needle.len() - 1).copied())
    }

    /// Every line on which `text` starts.
    pub fn find_all(&self, text: &str) -> Vec<usize> {
        let mut out: Vec<usize> = self.find_all_at(text).iter().map(|p| p.line).collect();
        out.dedup();
        out
    }

    /// Where `text` first occurs, preferring a line that is exactly `text` (a
    /// heading) over a mention inside a longer line.
    pub fn find_at(&self, text: &str) -> Option<DocPos> {
        let all = self.find_all_at(text);
        let wanted = squeeze(text);
        all.iter()
            .copied()
            .find(|p| {
                self.lines
                    .get(p.line - 1)
                    .is_some_and(|l| squeeze(l) == wanted)
            })
            .or_else(|| all.first().copied())
    }

    /// The line on which `text` first occurs (see [`SourceDocument::find_at`]).
    pub fn find(&self, text: &str) -> Option<usize> {
        self.find_at(text).map(|p| p.line)
    }

    /// Whether a line is so long that positions in it should name the column.
    pub fn is_long(&self, line: usize) -> bool {
        self.lines
            .get(line.saturating_sub(1))
            .is_some_and(|l| l.chars().count() > LONG_LINE)
    }

    /// "line 131", or "line 173 (column 2345)" inside a very long line.
    pub fn describe(&self, pos: DocPos) -> String {
        if self.is_long(pos.line) {
            format!("line {} (column {})", pos.line, pos.column)
        } else {
            format!("line {}", pos.line)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_text_across_line_breaks_and_prefers_headings() {
        let doc = SourceDocument::new(
            PathBuf::from("d.txt"),
            "库存查询接口 | x\nAuthorization Code Grant\n授权码模式,适用\n库存查询接口\n",
        );
        assert_eq!(doc.find_all("Grant 授权码模式"), vec![2]);
        assert_eq!(doc.find("库存查询接口"), Some(4));
        assert_eq!(doc.find("组织名称"), None);
        assert_eq!(doc.find("  "), None);
        assert_eq!(
            doc.find_all_at("授权码"),
            vec![DocPos { line: 3, column: 1 }]
        );
        let long =
            SourceDocument::new(PathBuf::from("d.txt"), &format!("{} code", "x".repeat(400)));
        assert_eq!(
            long.describe(DocPos {
                line: 1,
                column: 402
            }),
            "line 1 (column 402)"
        );
        assert_eq!(doc.describe(DocPos { line: 3, column: 1 }), "line 3");
        let paths = SourceDocument::new(PathBuf::from("d.txt"), "GET /cncop/demo2\n/a/b and\n");
        assert!(paths.find_whole_at("/cncop/demo").is_empty());
        assert_eq!(paths.find_whole_at("/cncop/demo2").len(), 1);
        assert_eq!(paths.find_whole_at("/a/b").len(), 1);
    }
}
