//! Provenance: the document lines each endpoint, parameter, type, field and
//! error code comes from, computed from the document (nothing is recorded in
//! the spec, so a changed document never leaves stale line numbers behind).
//!
//! - An endpoint comes from its title (a heading line is preferred) and the
//!   first line after it that gives its path.
//! - A parameter is the first mention of its name at or after its endpoint's title.
//! - A type is anchored where most of its fields occur close together (a table
//!   or a JSON example); each field is its first mention inside that window.
//! - An error code is its row (a line naming the code and giving its message),
//!   else its first mention, else the first line giving its message.

use indexmap::IndexMap;

use super::identifiers::DocIdent;
use crate::document::SourceDocument;
use crate::spec::model::{Code, Spec};

/// Spec path (`types.Item.fields.sku_id`) → 1-based document lines.
#[derive(Debug, Clone, Default)]
pub struct Provenance {
    lines: IndexMap<String, Vec<usize>>,
    /// `types.T` → the document lines its fields span.
    type_spans: Vec<(String, usize, usize)>,
    /// `endpoints.E` → its title line.
    endpoint_starts: Vec<(String, usize)>,
}

impl Provenance {
    pub fn lines(&self, spec_path: &str) -> &[usize] {
        self.lines.get(spec_path).map(Vec::as_slice).unwrap_or(&[])
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &[usize])> {
        self.lines.iter().map(|(k, v)| (k.as_str(), v.as_slice()))
    }

    /// The spec item a document line belongs to: the narrowest type whose
    /// fields span it, else the endpoint whose section it is in.
    pub fn owner_of(&self, line: usize) -> Option<&str> {
        let ty = self
            .type_spans
            .iter()
            .filter(|(_, lo, hi)| (*lo..=*hi).contains(&line))
            .min_by_key(|(_, lo, hi)| hi - lo)
            .map(|(t, _, _)| t.as_str());
        ty.or_else(|| {
            self.endpoint_starts
                .iter()
                .filter(|(_, start)| *start <= line)
                .max_by_key(|(_, start)| *start)
                .map(|(e, _)| e.as_str())
        })
    }

    fn set(&mut self, path: String, mut lines: Vec<usize>) {
        lines.sort_unstable();
        lines.dedup();
        if !lines.is_empty() {
            self.lines.insert(path, lines);
        }
    }
}

/// Lines where `name` occurs as an identifier.
fn occurrences(idents: &[DocIdent], name: &str) -> Vec<usize> {
    let mut v: Vec<usize> = idents
        .iter()
        .filter(|i| i.name == name || i.name.rsplit('.').next() == Some(name))
        .map(|i| i.line)
        .collect();
    v.dedup();
    v
}

pub fn compute(spec: &Spec, doc: &SourceDocument, idents: &[DocIdent]) -> Provenance {
    let mut prov = Provenance::default();

    for (name, ep) in &spec.endpoints {
        let key = format!("endpoints.{name}");
        let title = doc.find(&ep.title);
        let after = title.unwrap_or(0);
        let path_line = doc
            .find_all(&ep.path)
            .into_iter()
            .find(|&l| l >= after)
            .or_else(|| doc.find(&ep.path));
        if let Some(t) = title {
            prov.endpoint_starts.push((key.clone(), t));
        }
        prov.set(key.clone(), title.into_iter().chain(path_line).collect());
        for param in ep.params.keys() {
            let all = occurrences(idents, param);
            let line = all
                .iter()
                .copied()
                .find(|&l| l >= after)
                .or(all.first().copied());
            prov.set(format!("{key}.params.{param}"), line.into_iter().collect());
        }
    }

    for (name, ty) in &spec.types {
        let fields: Vec<(&String, Vec<usize>)> = ty
            .fields
            .keys()
            .map(|f| (f, occurrences(idents, f)))
            .collect();
        let window = 2 * fields.len() + 10;
        let mut candidates: Vec<usize> =
            fields.iter().flat_map(|(_, o)| o.iter().copied()).collect();
        candidates.sort_unstable();
        candidates.dedup();
        let score = |start: usize| {
            fields
                .iter()
                .filter(|(_, occ)| occ.iter().any(|&l| l >= start && l <= start + window))
                .count()
        };
        // Highest score wins; among equals, the earliest.
        let anchor = candidates
            .iter()
            .copied()
            .max_by(|&a, &b| score(a).cmp(&score(b)).then(b.cmp(&a)));
        let mut span: Option<(usize, usize)> = None;
        for (field, occ) in &fields {
            let line = anchor
                .and_then(|a| occ.iter().copied().find(|&l| l >= a && l <= a + window))
                .or(occ.first().copied());
            if let (Some(l), Some(a)) = (line, anchor)
                && l >= a
                && l <= a + window
            {
                span = Some(span.map_or((l, l), |(lo, hi)| (lo.min(l), hi.max(l))));
            }
            prov.set(
                format!("types.{name}.fields.{field}"),
                line.into_iter().collect(),
            );
        }
        let type_key = format!("types.{name}");
        if let Some((lo, hi)) = span {
            prov.type_spans.push((type_key.clone(), lo, hi));
        }
        let doc_line = ty.doc.as_deref().and_then(|d| doc.find(d));
        prov.set(
            type_key,
            doc_line.or(span.map(|(lo, _)| lo)).into_iter().collect(),
        );
    }

    for (table_name, table) in &spec.error_codes {
        for (i, code) in table.codes.iter().enumerate() {
            let code_text = match &code.code {
                Code::Int(n) => n.to_string(),
                Code::Str(s) => s.clone(),
            };
            // The code's own row (or mention) that also carries its message,
            // else its first mention, else the first line giving its message.
            let code_lines: Vec<usize> = idents
                .iter()
                .filter(|i| i.name == code_text)
                .map(|i| i.line)
                .collect();
            let message = crate::document::squeeze(&code.message);
            let line = code_lines
                .iter()
                .copied()
                .find(|&l| {
                    doc.lines()
                        .get(l - 1)
                        .is_some_and(|text| crate::document::squeeze(text).contains(&message))
                })
                .or(code_lines.first().copied())
                .or_else(|| doc.find(&code.message));
            prov.set(
                format!("error_codes.{table_name}.codes[{i}]"),
                line.into_iter().collect(),
            );
        }
    }
    prov
}

/// "Document line 131." / "Document lines 119, 123."
pub fn describe(lines: &[usize]) -> Option<String> {
    match lines {
        [] => None,
        [one] => Some(format!("Document line {one}.")),
        many => Some(format!(
            "Document lines {}.",
            many.iter()
                .map(usize::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}
