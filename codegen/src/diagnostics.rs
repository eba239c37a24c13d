//! Located problems in a spec, reported all at once.
//!
//! Every stage (YAML syntax, structure, semantics) appends to one
//! [`Diagnostics`] list instead of stopping at the first problem, so a
//! maintainer sees everything wrong with a spec in one run.

use std::fmt;
use std::path::{Path, PathBuf};

/// A position in a spec file (1-based, in characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Loc {
    /// The line, from 1; 0 when the position is unknown (a spec that cannot be read), and
    /// then no source line is rendered.
    pub line: u64,
    /// The column, from 1, in characters (0 with an unknown line).
    pub column: u64,
}

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub enum Severity {
    /// The spec cannot be used.
    #[default]
    Error,
    /// The spec works, but a tool will guess where it says nothing (reported by `check`,
    /// never a failure).
    Warning,
}

/// One problem: where it is (file, line, column, path inside the spec) and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The spec file, as the path it was loaded by.
    pub file: PathBuf,
    /// Where in `file`.
    pub loc: Loc,
    /// Dotted path inside the spec, e.g. `endpoints.query_inventory.params.page_size.type`.
    pub path: String,
    /// What is wrong, without the location (the `Display` impl puts that first).
    pub message: String,
    /// An error, or a warning that never fails a build.
    pub severity: Severity,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: ",
            self.file.display(),
            self.loc.line,
            self.loc.column
        )?;
        if !self.path.is_empty() {
            write!(f, "{}: ", self.path)?;
        }
        f.write_str(&self.message)
    }
}

/// All problems found in one or more specs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diagnostics(Vec<Diagnostic>);

impl Diagnostics {
    /// Adds an error at `loc` of `file`; `path` is the dotted spec path (empty for the whole
    /// file).
    pub fn push(
        &mut self,
        file: &Path,
        loc: Loc,
        path: impl Into<String>,
        message: impl Into<String>,
    ) {
        self.0.push(Diagnostic {
            file: file.to_path_buf(),
            loc,
            path: path.into(),
            message: message.into(),
            severity: Severity::Error,
        });
    }

    /// A located warning (see [`Severity::Warning`]).
    pub fn push_warning(
        &mut self,
        file: &Path,
        loc: Loc,
        path: impl Into<String>,
        message: impl Into<String>,
    ) {
        self.0.push(Diagnostic {
            file: file.to_path_buf(),
            loc,
            path: path.into(),
            message: message.into(),
            severity: Severity::Warning,
        });
    }

    /// Appends every diagnostic of `other` (one stage's or one spec's to the whole list).
    pub fn extend(&mut self, other: Diagnostics) {
        self.0.extend(other.0);
    }

    /// Nothing was found: no error and no warning.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// How many diagnostics there are, errors and warnings alike.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// The diagnostics in the order they were pushed (by position once [`sorted`](Self::sorted)).
    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter()
    }

    /// Sorted by file and position, so output is stable whatever order the checks ran in.
    pub fn sorted(mut self) -> Self {
        self.0
            .sort_by(|a, b| (&a.file, a.loc, &a.path).cmp(&(&b.file, b.loc, &b.path)));
        self.0.dedup();
        self
    }

    /// Renders each diagnostic with the offending source line and a caret.
    /// Each file is read and split into lines once, however many diagnostics it has.
    pub fn render(&self, source_of: impl Fn(&Path) -> Option<String>) -> String {
        let mut sources: std::collections::HashMap<&Path, Option<Vec<String>>> = Default::default();
        let mut out = String::new();
        for d in &self.0 {
            let label = match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            };
            out.push_str(&format!("{label}: {d}\n"));
            let lines = sources.entry(d.file.as_path()).or_insert_with(|| {
                source_of(&d.file).map(|src| src.lines().map(str::to_owned).collect())
            });
            let line = lines.as_ref().and_then(|lines| {
                let idx = usize::try_from(d.loc.line).ok()?.checked_sub(1)?;
                lines.get(idx).cloned()
            });
            if let Some(line) = line {
                let num = d.loc.line.to_string();
                let pad = " ".repeat(num.len());
                let caret_at = usize::try_from(d.loc.column.saturating_sub(1)).unwrap_or(0);
                let indent: String = line
                    .chars()
                    .take(caret_at)
                    .map(|c| if c == '\t' { '\t' } else { ' ' })
                    .collect();
                out.push_str(&format!("{pad} |\n{num} | {line}\n{pad} | {indent}^\n"));
            }
        }
        out
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in &self.0 {
            writeln!(f, "{d}")?;
        }
        write!(f, "{} error(s)", self.0.len())
    }
}

impl std::error::Error for Diagnostics {}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}
