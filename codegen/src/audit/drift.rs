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

use similar::{DiffTag, TextDiff};

use super::{identifiers, provenance, texts};
use crate::diagnostics::Loc;
use crate::document::SourceDocument;
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
    /// The old document's lines the hunk removes.
    pub removed: Vec<String>,
    /// The revised document's lines the hunk adds.
    pub added: Vec<String>,
    /// Spec entries whose provenance lies in the hunk; empty: new material.
    pub cited: Vec<Cited>,
}

/// Spec path → the document lines it cites (a span for multi-line texts).
fn citations(loaded: &LoadedSpec, doc: &SourceDocument) -> Vec<(String, Vec<usize>)> {
    let idents = identifiers::extract(doc);
    let prov = provenance::compute(&loaded.spec, doc, &idents);
    let mut out: Vec<(String, Vec<usize>)> = prov
        .entries()
        .map(|(path, pos)| (path.to_owned(), pos.iter().map(|p| p.line).collect()))
        .collect();
    // Lifetimes and rate limits, where the document states them (see the audit).
    for stated in super::lifetimes::statements(&loaded.spec, doc, &idents) {
        match out.iter_mut().find(|(p, _)| p == stated.spec_path) {
            Some((_, lines)) => lines.push(stated.pos.line),
            None => out.push((stated.spec_path.to_owned(), vec![stated.pos.line])),
        }
    }
    // An auth step's doc is also read at each endpoint's row for its value.
    let spaced = super::rows::space_rows(doc.lines());
    for (i, step) in loaded.spec.auth.apply.iter().enumerate() {
        let Some(named) = step.named().filter(|n| n.doc.is_some()) else {
            continue;
        };
        let rows = super::endpoint_rows(&loaded.spec, doc, &idents, &spaced, &prov, named.name);
        out.push((
            format!("auth.apply[{i}].doc"),
            rows.iter().map(|(_, pos, _, _)| pos.line).collect(),
        ));
    }
    // A field the document names only in a table the identifiers do not read
    // (space-separated columns): cited where it occurs as a whole word.
    for (name, ty) in &loaded.spec.types {
        for field in ty.fields.keys() {
            let path = format!("types.{name}.fields.{field}");
            if prov.positions(&path).is_empty() {
                let lines = doc.find_whole_at(field).iter().map(|p| p.line).collect();
                out.push((path, lines));
            }
        }
    }
    // An example is cited at its own place (`example_places`), so a revised
    // copy of a text the document shows twice is attributed to its example.
    let places = super::example_places(&loaded.spec, doc);
    for t in texts::document_texts(&loaded.spec) {
        let place = t
            .path
            .strip_prefix("examples.")
            .and_then(|rest| rest.strip_suffix(".text"))
            .and_then(|name| places.iter().find(|(n, _)| *n == name));
        if let Some((_, super::ExamplePlace::Here(at))) = place {
            let span = t.text.trim().lines().count().max(1);
            out.push((t.path, (at.line..at.line + span).collect()));
            continue;
        }
        let mut lines = Vec::new();
        for passage in texts::paragraphs(t.text) {
            if let Some(start) = doc.find(passage) {
                let span = passage.lines().count().max(1);
                lines.extend(start..start + span);
            }
        }
        out.push((t.path, lines));
    }
    out
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
        let removed = o.clone().map(|i| line(old, i)).collect();
        let added = n.clone().map(|i| line(new, i)).collect();
        let mut cited: Vec<Cited> = Vec::new();
        let mut cite = |path: &str| {
            if !cited.iter().any(|c| c.spec_path == path) {
                cited.push(Cited {
                    spec_path: path.to_owned(),
                    loc: loaded.node.locate(path),
                });
            }
        };
        for (path, lines) in &old_cites {
            if lines.iter().any(|l| old_lines.contains(l)) {
                cite(path);
            }
        }
        // In the new document, only an entry the old one did not hold: one
        // found elsewhere before is not attributed to a new same-named row.
        let found_before = |path: &str| {
            old_cites
                .iter()
                .any(|(p, lines)| p == path && !lines.is_empty())
        };
        for (path, lines) in &new_cites {
            if !found_before(path) && lines.iter().any(|l| new_lines.contains(l)) {
                cite(path);
            }
        }
        cited.sort_by_key(|c| (c.loc.line, c.loc.column));
        hunks.push(Hunk {
            change,
            old_lines,
            new_lines,
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
