//! `cargo xtask drift SPEC --was OLD`: what changed between the revision of a
//! document the spec transcribes and the new one, and which spec entries each
//! change touches.
//!
//! The two documents are diffed by lines (`similar`); each changed hunk names
//! the spec entries whose provenance lies in it: in the old document (what
//! the spec cites) or in the new one (an entry that now matches the new text).
//! Provenance is that of [`provenance`](mod@super::provenance) (endpoints, parameters, fields,
//! codes) plus every text the spec presents as the document's (titles, docs,
//! messages, auth step docs, examples), located by where it occurs.

use std::ops::Range;

use similar::{DiffTag, TextDiff};

use super::{identifiers, provenance, texts};
use crate::diagnostics::Loc;
use crate::document::{DocPos, SourceDocument};
use crate::spec::LoadedSpec;

/// What a hunk does to the document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// Lines only added: new material.
    Added,
    /// Lines only removed.
    Removed,
    /// Lines replaced by others.
    Reworded,
}

impl Change {
    /// "added", "removed" or "reworded", as the report prints it.
    pub fn describe(self) -> &'static str {
        match self {
            Change::Added => "added",
            Change::Removed => "removed",
            Change::Reworded => "reworded",
        }
    }
}

/// A spec entry a hunk touches, with where it is written in the spec.
#[derive(Debug, Clone)]
pub struct Cited {
    /// The entry's spec path, e.g. `endpoints.query_orders.params.page_size`.
    pub spec_path: String,
    /// Where the entry is written in the spec file.
    pub loc: Loc,
}

/// One changed hunk of the document.
#[derive(Debug, Clone)]
pub struct Hunk {
    /// Added, removed or reworded.
    pub change: Change,
    /// 1-based line ranges (inclusive start, exclusive end); empty when none.
    pub old_lines: std::ops::Range<usize>,
    /// The hunk's lines in the revised document (same convention).
    pub new_lines: std::ops::Range<usize>,
    /// Inside one long line (a flattened page): the old and new column
    /// ranges (1-based, end exclusive) of the segment shown in `removed` and
    /// `added`, the change with the words around it.
    pub columns: Option<(Range<usize>, Range<usize>)>,
    /// The old document's lines the hunk removes (inside a long line, the
    /// changed segment).
    pub removed: Vec<String>,
    /// The revised document's lines the hunk adds.
    pub added: Vec<String>,
    /// Spec entries whose provenance lies in the hunk; empty: new material.
    pub cited: Vec<Cited>,
}

/// Where in the document a spec entry is: first and last position of each
/// place (a point for a name or code, a span for a text).
type Spans = Vec<(DocPos, DocPos)>;

fn point(p: DocPos) -> (DocPos, DocPos) {
    (p, p)
}

/// The whole of `n` lines from `line` on.
fn whole_lines(line: usize, n: usize) -> (DocPos, DocPos) {
    (
        DocPos { line, column: 1 },
        DocPos {
            line: line + n.max(1) - 1,
            column: usize::MAX,
        },
    )
}

/// Spec path → where it is in the document.
fn citations(loaded: &LoadedSpec, doc: &SourceDocument) -> Vec<(String, Spans)> {
    let idents = identifiers::extract(doc);
    let prov = provenance::compute(&loaded.spec, doc, &idents);
    let mut out: Vec<(String, Spans)> = prov
        .entries()
        .map(|(path, pos)| (path.to_owned(), pos.iter().copied().map(point).collect()))
        .collect();
    // Lifetimes and rate limits, where the document states them (see the audit).
    for stated in super::lifetimes::statements(&loaded.spec, doc, &idents) {
        match out.iter_mut().find(|(p, _)| p == stated.spec_path) {
            Some((_, spans)) => spans.push(point(stated.pos)),
            None => out.push((stated.spec_path.to_owned(), vec![point(stated.pos)])),
        }
    }
    // An auth step's doc is also read at each endpoint's row for its value.
    let named_rows = super::rows::named_rows(doc);
    for (i, step) in loaded.spec.auth.apply.iter().enumerate() {
        let Some(named) = step.named().filter(|n| n.doc.is_some()) else {
            continue;
        };
        let rows = super::endpoint_rows(&loaded.spec, doc, &idents, &named_rows, &prov, named.name);
        out.push((
            format!("auth.apply[{i}].doc"),
            rows.iter().map(|(_, pos, _, _)| point(*pos)).collect(),
        ));
    }
    // A field the document names only in a table the identifiers do not read
    // (a flattened page's rows): cited where it occurs as a whole word.
    for (name, ty) in &loaded.spec.types {
        for field in ty.fields.keys() {
            let path = format!("types.{name}.fields.{field}");
            if prov.positions(&path).is_empty() {
                let spans = doc.find_whole_at(field).into_iter().map(point).collect();
                out.push((path, spans));
            }
        }
    }
    // An example is cited at its own place (`example_places`), so a revised
    // copy of a text the document shows twice is attributed to its example.
    let places = super::example_places(&loaded.spec, doc);
    let span_of = |text: &str, at: DocPos| match doc.end_of(text, at) {
        Some(end) => (at, end),
        None => whole_lines(at.line, text.trim().lines().count()),
    };
    for t in texts::document_texts(&loaded.spec) {
        let place = t
            .path
            .strip_prefix("examples.")
            .and_then(|rest| rest.strip_suffix(".text"))
            .and_then(|name| places.iter().find(|(n, _)| *n == name));
        if let Some((_, super::ExamplePlace::Here(at))) = place {
            out.push((t.path, vec![span_of(t.text, *at)]));
            continue;
        }
        let spans = texts::paragraphs(t.text)
            .filter_map(|passage| Some(span_of(passage, doc.find_at(passage)?)))
            .collect();
        out.push((t.path, spans));
    }
    out
}

/// Characters of context shown on either side of a change inside a long line.
const CONTEXT: usize = 40;

/// The changed part of a long line with `CONTEXT` characters around it: the
/// old and new 1-based column ranges (end exclusive) and texts shown.
fn segment(old: &str, new: &str) -> ((Range<usize>, String), (Range<usize>, String)) {
    let (a, b): (Vec<char>, Vec<char>) = (old.chars().collect(), new.chars().collect());
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let room = a.len().min(b.len()) - prefix;
    let suffix = a
        .iter()
        .rev()
        .zip(b.iter().rev())
        .take(room)
        .take_while(|(x, y)| x == y)
        .count();
    let start = prefix.saturating_sub(CONTEXT);
    let show = |chars: &[char]| {
        let end = (chars.len() - suffix + CONTEXT).min(chars.len());
        let mut text: String = chars[start..end].iter().collect();
        if start > 0 {
            text.insert(0, '…');
        }
        if end < chars.len() {
            text.push('…');
        }
        (start + 1..end + 1, text)
    };
    (show(&a), show(&b))
}

/// Whether a spec entry's places meet a hunk's lines (and, inside a long
/// line, the segment shown: the change and the words around it).
fn touches(spans: &Spans, lines: &Range<usize>, columns: Option<&Range<usize>>) -> bool {
    spans.iter().any(|(s, e)| {
        if lines.is_empty() || s.line >= lines.end || e.line < lines.start {
            return false;
        }
        let Some(columns) = columns else { return true };
        let line = lines.start;
        let from = if s.line == line { s.column } else { 1 };
        let to = if e.line == line { e.column } else { usize::MAX };
        from < columns.end && to >= columns.start
    })
}

/// The hunks between `old` and `new`, each with the spec entries it touches.
pub fn drift(loaded: &LoadedSpec, old: &SourceDocument, new: &SourceDocument) -> Vec<Hunk> {
    // Diffed as line slices, so a line added after the last one (no newline
    // at the end) is an addition, not a rewording of that last line.
    let old_text: Vec<&str> = old.lines().iter().map(String::as_str).collect();
    let new_text: Vec<&str> = new.lines().iter().map(String::as_str).collect();
    let diff = TextDiff::from_slices(&old_text, &new_text);
    let old_cites = citations(loaded, old);
    let new_cites = citations(loaded, new);
    let mut hunks = Vec::new();
    for op in diff.ops() {
        if op.tag() == DiffTag::Equal {
            continue;
        }
        let (o, n) = (op.old_range(), op.new_range());
        let old_lines = o.start + 1..o.end + 1;
        let new_lines = n.start + 1..n.end + 1;
        let change = match (o.is_empty(), n.is_empty()) {
            (true, _) => Change::Added,
            (_, true) => Change::Removed,
            _ => Change::Reworded,
        };
        let line = |d: &SourceDocument, i: usize| d.lines().get(i).cloned().unwrap_or_default();
        let mut removed: Vec<String> = o.clone().map(|i| line(old, i)).collect();
        let mut added: Vec<String> = n.clone().map(|i| line(new, i)).collect();
        // One long line reworded (a flattened page): the changed segment, not the line.
        let long = o.len() == 1
            && n.len() == 1
            && (old.is_long(old_lines.start) || new.is_long(new_lines.start));
        let columns = long.then(|| {
            let ((old_columns, was), (new_columns, now)) = segment(&removed[0], &added[0]);
            removed = vec![was];
            added = vec![now];
            (old_columns, new_columns)
        });
        let mut cited: Vec<Cited> = Vec::new();
        let mut cite = |path: &str| {
            if !cited.iter().any(|c| c.spec_path == path) {
                cited.push(Cited {
                    spec_path: path.to_owned(),
                    loc: loaded.node.locate(path),
                });
            }
        };
        for (path, spans) in &old_cites {
            if touches(spans, &old_lines, columns.as_ref().map(|c| &c.0)) {
                cite(path);
            }
        }
        // In the new document, only an entry the old one did not hold: one
        // found elsewhere before is not attributed to a new same-named row.
        let found_before = |path: &str| {
            old_cites
                .iter()
                .any(|(p, spans)| p == path && !spans.is_empty())
        };
        for (path, spans) in &new_cites {
            if !found_before(path) && touches(spans, &new_lines, columns.as_ref().map(|c| &c.1)) {
                cite(path);
            }
        }
        cited.sort_by_key(|c| (c.loc.line, c.loc.column));
        hunks.push(Hunk {
            change,
            old_lines,
            new_lines,
            columns,
            removed,
            added,
            cited,
        });
    }
    hunks
}

/// What the maintainer should do about a hunk.
pub fn advice(h: &Hunk) -> &'static str {
    match (h.change, h.cited.is_empty()) {
        (Change::Added, true) => {
            "new material: transcribe it into the spec, or acknowledge it in doc_gaps"
        }
        (Change::Removed, true) => "removed text no spec entry cites: nothing to change",
        (Change::Reworded, true) => {
            "reworded text no spec entry cites: transcribe it if the spec should say it"
        }
        (Change::Added, false) => "check the cited entries against the added lines",
        (Change::Removed, false) => {
            "the cited entries transcribe removed text: remove them or acknowledge the gap in doc_gaps"
        }
        (Change::Reworded, false) => {
            "re-transcribe the cited entries from the new lines (then `cargo xtask audit`)"
        }
    }
}
