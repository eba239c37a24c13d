//! Provenance: where in the document each endpoint, parameter, type, field and
//! error code comes from, computed from the document (nothing is recorded in
//! the spec, so a changed document never leaves stale line numbers behind).
//!
//! - An endpoint comes from its title (a heading line is preferred) and the
//!   first mention of its path after it.
//! - A parameter is the first mention of its name after its endpoint's title
//!   (never a mention before it).
//! - A type is anchored where most of its fields occur close together (a table
//!   or a JSON example); each field is its first mention inside that window,
//!   which ends with the anchor's own table or example (`rows::blocks`).
//! - An error code is its row: a mention of the code followed on the same line
//!   by its message; else its first mention; else the first mention of its message.
//!
//! Positions carry columns, so inside a very long line (a flattened web page)
//! "after" and "close together" still mean something.

use indexmap::IndexMap;

use super::identifiers::DocIdent;
use crate::document::{DocPos, SourceDocument};
use crate::spec::model::{Code, Spec};

/// Spec path (`types.Item.fields.sku_id`) → document positions.
#[derive(Debug, Clone, Default)]
pub struct Provenance {
    positions: IndexMap<String, Vec<DocPos>>,
    /// "Document line 173, column 2345." texts, rendered once at compute time.
    described: IndexMap<String, String>,
    /// `types.T` → the first and last position of its fields.
    type_spans: Vec<(String, DocPos, DocPos)>,
    /// `endpoints.E` → its title.
    endpoint_starts: Vec<(String, DocPos)>,
    /// Required fields (`types.T.fields.f`) mentioned in the document but not
    /// in their type's table or example, with the window searched (an
    /// optional field may be absent from an example).
    strays: Vec<(String, DocPos, usize)>,
}

impl Provenance {
    /// The document lines of a spec item (empty when not found).
    pub fn lines(&self, spec_path: &str) -> Vec<usize> {
        let mut lines: Vec<usize> = self.positions(spec_path).iter().map(|p| p.line).collect();
        lines.dedup();
        lines
    }

    /// The document positions of a spec item (empty when not found).
    pub fn positions(&self, spec_path: &str) -> &[DocPos] {
        self.positions
            .get(spec_path)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// Every spec path with its document positions, in computation order.
    pub fn entries(&self) -> impl Iterator<Item = (&str, &[DocPos])> {
        self.positions
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_slice()))
    }

    /// "Document line 131." / "Document lines 119, 123." / "Document line 173, column 2345."
    pub fn describe(&self, spec_path: &str) -> Option<&str> {
        self.described.get(spec_path).map(String::as_str)
    }

    /// The spec item a document position belongs to: the narrowest type whose
    /// fields span it, else the endpoint whose section it is in.
    pub fn owner_of(&self, pos: DocPos) -> Option<&str> {
        let ty = self
            .type_spans
            .iter()
            .filter(|(_, lo, hi)| (*lo..=*hi).contains(&pos))
            .min_by_key(|(_, lo, hi)| (hi.line - lo.line, hi.column.abs_diff(lo.column)))
            .map(|(t, _, _)| t.as_str());
        ty.or_else(|| {
            self.endpoint_starts
                .iter()
                .filter(|(_, start)| *start <= pos)
                .max_by_key(|(_, start)| *start)
                .map(|(e, _)| e.as_str())
        })
    }

    /// Fields the document mentions, but not inside their own type's table or
    /// example (the window where most of the type's fields occur together):
    /// the spec path, the window's start and its last line.
    pub fn strays(&self) -> impl Iterator<Item = (&str, DocPos, usize)> {
        self.strays
            .iter()
            .map(|(p, at, last)| (p.as_str(), *at, *last))
    }

    fn set(&mut self, doc: &SourceDocument, path: String, mut positions: Vec<DocPos>) {
        positions.sort_unstable();
        positions.dedup();
        if positions.is_empty() {
            return;
        }
        // One entry per line; inside a very long line, the columns too.
        let mut places: Vec<String> = Vec::new();
        for line in positions
            .iter()
            .map(|p| p.line)
            .collect::<std::collections::BTreeSet<_>>()
        {
            let place = if doc.is_long(line) {
                let columns: Vec<String> = positions
                    .iter()
                    .filter(|p| p.line == line)
                    .map(|p| p.column.to_string())
                    .collect();
                let noun = if columns.len() == 1 {
                    "column"
                } else {
                    "columns"
                };
                format!("{line} ({noun} {})", columns.join(", "))
            } else {
                line.to_string()
            };
            places.push(place);
        }
        let text = match places.as_slice() {
            [one] => format!("Document line {one}."),
            many => format!("Document lines {}.", many.join(", ")),
        };
        self.described.insert(path.clone(), text);
        self.positions.insert(path, positions);
    }
}

/// Positions where `name` occurs as an identifier (or as the last segment of a dotted one).
fn occurrences(idents: &[DocIdent], name: &str) -> Vec<DocPos> {
    idents
        .iter()
        .filter(|i| i.name == name || i.name.rsplit('.').next() == Some(name))
        .map(|i| i.pos)
        .collect()
}

/// The provenance of every endpoint, parameter, type, field and error code
/// of `spec` in `doc` (see the module documentation for how each is found).
pub fn compute(spec: &Spec, doc: &SourceDocument, idents: &[DocIdent]) -> Provenance {
    let mut prov = Provenance::default();
    let start = DocPos { line: 0, column: 0 };
    let blocks = super::rows::blocks(doc);

    for (name, ep) in &spec.endpoints {
        let key = format!("endpoints.{name}");
        let title = doc.find_at(&ep.title);
        let after = title.unwrap_or(start);
        let path_at = doc.find_all_at(&ep.path);
        let path_pos = path_at
            .iter()
            .copied()
            .find(|&p| p >= after)
            .or(path_at.first().copied());
        if let Some(t) = title {
            prov.endpoint_starts.push((key.clone(), t));
        }
        prov.set(
            doc,
            key.clone(),
            title.into_iter().chain(path_pos).collect(),
        );
        for param in ep.params.keys() {
            let all = occurrences(idents, param);
            // After the endpoint's title; a mention before it belongs to
            // another section (anywhere only when the title is not found).
            let pos = all
                .iter()
                .copied()
                .find(|&p| p >= after)
                .or(all.first().copied().filter(|_| title.is_none()));
            prov.set(
                doc,
                format!("{key}.params.{param}"),
                pos.into_iter().collect(),
            );
        }
    }

    for (name, ty) in &spec.types {
        let fields: Vec<(&String, Vec<DocPos>)> = ty
            .fields
            .keys()
            .map(|f| (f, occurrences(idents, f)))
            .collect();
        // A type's fields are looked for after the anchor, in a window of a
        // few lines per field that ends with the anchor's own table or example
        // (a field removed from an example is not found in the next table).
        let window = 2 * fields.len() + 10;
        let last_line = |anchor: DocPos| {
            let end = blocks
                .iter()
                .find(|b| b.contains(&anchor.line))
                .map_or(usize::MAX, |b| *b.end());
            (anchor.line + window).min(end)
        };
        let within = |anchor: DocPos, p: DocPos| p >= anchor && p.line <= last_line(anchor);
        let mut candidates: Vec<DocPos> =
            fields.iter().flat_map(|(_, o)| o.iter().copied()).collect();
        candidates.sort_unstable();
        candidates.dedup();
        let score = |anchor: DocPos| {
            fields
                .iter()
                .filter(|(_, occ)| occ.iter().any(|&p| within(anchor, p)))
                .count()
        };
        // Highest score wins; among equals, the earliest.
        let anchor = candidates
            .iter()
            .copied()
            .max_by(|&a, &b| score(a).cmp(&score(b)).then(b.cmp(&a)));
        let mut span: Option<(DocPos, DocPos)> = None;
        for (field, occ) in &fields {
            let in_window = anchor.and_then(|a| occ.iter().copied().find(|&p| within(a, p)));
            if let Some(p) = in_window {
                span = Some(span.map_or((p, p), |(lo, hi)| (lo.min(p), hi.max(p))));
            }
            if let Some(a) = anchor
                && in_window.is_none()
                && !ty.fields[*field].optional
                && !occ.is_empty()
                && score(a) >= 2
            {
                prov.strays
                    .push((format!("types.{name}.fields.{field}"), a, last_line(a)));
            }
            let pos = in_window.or(occ.first().copied());
            prov.set(
                doc,
                format!("types.{name}.fields.{field}"),
                pos.into_iter().collect(),
            );
        }
        let type_key = format!("types.{name}");
        if let Some((lo, hi)) = span {
            prov.type_spans.push((type_key.clone(), lo, hi));
        }
        let doc_pos = ty.doc.as_deref().and_then(|d| doc.find_at(d));
        prov.set(
            doc,
            type_key,
            doc_pos.or(span.map(|(lo, _)| lo)).into_iter().collect(),
        );
    }

    for (table_name, table) in &spec.error_codes {
        for (i, code) in table.codes.iter().enumerate() {
            let code_text = match &code.code {
                Code::Int(n) => n.to_string(),
                Code::Str(s) => s.clone(),
            };
            let code_at: Vec<DocPos> = idents
                .iter()
                .filter(|i| i.name == code_text)
                .map(|i| i.pos)
                .chain(doc.find_all_at(&code_text))
                .collect();
            let message_at = doc.find_all_at(&code.message);
            // The code's row: its message follows it on the same line, close by.
            let row = code_at.iter().copied().find(|c| {
                message_at
                    .iter()
                    .any(|m| m.line == c.line && m.column > c.column && m.column - c.column < 120)
            });
            let pos = row
                .or(code_at.first().copied())
                .or(message_at.first().copied());
            prov.set(
                doc,
                format!("error_codes.{table_name}.codes[{i}]"),
                pos.into_iter().collect(),
            );
        }
    }
    prov
}
