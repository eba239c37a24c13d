//! The vendor document a spec transcribes (`source:`), found relative to the
//! spec file, and searched the way the audit and provenance need it: text
//! compared with all whitespace removed, so line wrapping never matters.

use std::path::{Path, PathBuf};

use crate::diagnostics::Diagnostics;
use crate::spec::LoadedSpec;

/// A vendor document, read from `specs/sources/`.
#[derive(Debug, Clone)]
pub struct SourceDocument {
    pub path: PathBuf,
    lines: Vec<String>,
    /// The text without whitespace, and the 1-based line of each of its bytes.
    squeezed: String,
    line_of_byte: Vec<u32>,
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
    pub fn new(path: PathBuf, text: &str) -> Self {
        let lines: Vec<String> = text.lines().map(str::to_owned).collect();
        let mut squeezed = String::with_capacity(text.len());
        let mut line_of_byte = Vec::with_capacity(text.len());
        for (index, line) in lines.iter().enumerate() {
            let number = u32::try_from(index + 1).unwrap_or(u32::MAX);
            for c in line.chars().filter(|c| !c.is_whitespace()) {
                squeezed.push(c);
                line_of_byte.extend(std::iter::repeat_n(number, c.len_utf8()));
            }
        }
        SourceDocument {
            path,
            lines,
            squeezed,
            line_of_byte,
        }
    }

    /// The document's lines (line `n` is `lines()[n - 1]`).
    pub fn lines(&self) -> &[String] {
        &self.lines
    }

    /// Every 1-based line on which `text` (whitespace ignored) starts.
    /// Empty when the text does not occur; an empty text occurs nowhere.
    pub fn find_all(&self, text: &str) -> Vec<usize> {
        let needle = squeeze(text);
        if needle.is_empty() {
            return Vec::new();
        }
        let mut out: Vec<usize> = self
            .squeezed
            .match_indices(&needle)
            .filter_map(|(at, _)| self.line_of_byte.get(at))
            .map(|&line| line as usize)
            .collect();
        out.dedup();
        out
    }

    /// The first line on which `text` occurs, preferring a line that is exactly
    /// `text` (a heading) over a mention inside a longer line.
    pub fn find(&self, text: &str) -> Option<usize> {
        let all = self.find_all(text);
        let wanted = squeeze(text);
        all.iter()
            .copied()
            .find(|&n| self.lines.get(n - 1).is_some_and(|l| squeeze(l) == wanted))
            .or_else(|| all.first().copied())
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
    }
}
