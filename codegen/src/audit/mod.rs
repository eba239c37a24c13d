//! `cargo xtask audit`: is a spec faithful to its source document?
//!
//! Reports, each at its spec position (and the document line where relevant):
//!
//! - **invented text**: a `title`, `doc`, `message`, `java_name` or example the
//!   spec presents as the document's own that does not occur in it (whitespace
//!   ignored; each blank-line-separated paragraph of a `doc` on its own). The
//!   maintainer's own words belong in `note`, which is not checked;
//! - **unmodelled identifiers**: a field name, path, parameter, header or code
//!   of the document ([`identifiers`]) that the spec's structure does not
//!   model. A copy in `examples:` does not count;
//! - **unsupported claims**: a field, parameter or endpoint path that never
//!   occurs in the document, and a parameter bound that its `doc` does not give;
//! - **stale acknowledgements**: a doc_gaps `names`/`claims` entry that
//!   acknowledges nothing;
//! - **text out of context**, read where provenance points rather than
//!   anywhere: a parameter's or field's `doc` against its own table row (one
//!   paragraph must be a whole cell, whitespace normalised: a limit changed in
//!   one endpoint's table is reported although other tables keep the old
//!   text), the row named in its first cell or in the column its header names
//!   (`rows`: cainiao's `项目 名称 类型 …` tables); an auth step's `doc`
//!   against each endpoint's row for the value it sends; a code's `message`
//!   against its own row's whole cell (markdown, `code | text`,
//!   `NAME(code, "message")` enum lines, a JSON example's code object and the
//!   flattened page's `| code | text |` rows); each example at its own place,
//!   between the examples around it (a revised copy of a token response the
//!   document shows twice); a required field against its own type's table or
//!   example (a field removed there but named elsewhere); token lifetimes and
//!   the token rate limit as numbers (`lifetimes`): the lifetime field's row,
//!   every lifetime stated in prose for the access or refresh token
//!   (`有效期24小时`) and every rate statement (`1分钟内获取1次`).
//!
//! A finding is acknowledged by a `doc_gaps` entry listing the identifier in
//! `names` or the spec path in `claims` (e.g. a `title` the document does not
//! give, which the format requires). [`provenance()`] computes where each
//! item comes from; the generator shows it in the generated docs.

mod compose;
pub mod drift;
pub mod identifiers;
mod lifetimes;
pub mod provenance;
mod rows;
mod texts;

use std::collections::HashSet;
use std::path::Path;

pub use compose::compose_docs;
use identifiers::{DocIdent, IdentKind, Modelled};
pub use provenance::Provenance;

use crate::diagnostics::Diagnostics;
use crate::document::{self, DocPos, SourceDocument};
use crate::spec::{self, LoadedSpec};

/// Loads, validates and audits one spec file against its source document.
pub fn audit_file(path: &Path) -> Result<(), Diagnostics> {
    let loaded = spec::load(path)?;
    crate::validate::validate(&loaded)?;
    let doc = document::load_source(&loaded)?;
    let findings = audit(&loaded, &doc);
    if findings.is_empty() {
        Ok(())
    } else {
        Err(findings)
    }
}

/// Provenance of a loaded spec's items in its document.
pub fn provenance(loaded: &LoadedSpec, doc: &SourceDocument) -> Provenance {
    provenance::compute(&loaded.spec, doc, &identifiers::extract(doc))
}

/// Every finding for a loaded, valid spec, sorted by position.
pub fn audit(loaded: &LoadedSpec, doc: &SourceDocument) -> Diagnostics {
    let spec = &loaded.spec;
    let idents = identifiers::extract(doc);
    let prov = provenance::compute(spec, doc, &idents);
    let named_rows = rows::named_rows(doc);
    let mut out = Findings {
        loaded,
        diags: Diagnostics::default(),
        names: acknowledged(loaded, "names", |g| &g.names),
        claims: acknowledged(loaded, "claims", |g| &g.claims),
        used: HashSet::new(),
    };

    for t in texts::document_texts(spec) {
        let whole = t.path.starts_with("examples.");
        let passages: Vec<&str> = if whole {
            vec![t.text]
        } else {
            texts::paragraphs(t.text).collect()
        };
        for passage in passages {
            if doc.find(passage).is_none() {
                let key = t.path.rsplit('.').next().unwrap_or("");
                let advice = if matches!(key, "doc") {
                    "; put the maintainer's own words in `note`"
                } else {
                    ""
                };
                out.claim(
                    &t.path,
                    format!(
                        "presented as document text but the document does not contain it: {:?}{advice}",
                        shorten(passage)
                    ),
                );
            }
        }
    }

    let modelled = Modelled::from_spec(spec);
    let mut seen = HashSet::new();
    for ident in &idents {
        if let Some(endpoint) = out_of_context(spec, &prov, doc, &idents, &named_rows, ident) {
            // Modelled somewhere, but not here: a row in one endpoint's table
            // is not modelled by a same-named field or parameter elsewhere.
            let at = format!("endpoints.{endpoint}.params");
            if !out.acknowledge_name(&ident.name) {
                out.report(
                    &at,
                    format!(
                        "document {}: `{}` is a row of this endpoint's table, but the endpoint has no such parameter and the table is its parameter table (a same-named field or parameter elsewhere does not model it); model it or acknowledge it in a doc_gaps entry's `names`",
                        doc.describe(ident.pos),
                        ident.name
                    ),
                );
            }
            continue;
        }
        if modelled.covers(ident) || !seen.insert(ident.name.as_str()) {
            continue;
        }
        if out.acknowledge_name(&ident.name) {
            continue;
        }
        let mut also: Vec<String> = idents
            .iter()
            .filter(|o| o.name == ident.name && o.pos != ident.pos)
            .map(|o| doc.describe(o.pos))
            .collect();
        also.dedup();
        let also = if also.is_empty() {
            String::new()
        } else {
            format!(" (also {})", also.join("; "))
        };
        let at = owner_path(&prov, ident);
        out.report(
            &at,
            format!(
                "document {}{also}: the document's {} `{}` is not modelled by the spec; model it or acknowledge it in a doc_gaps entry's `names`",
                doc.describe(ident.pos),
                ident.kind.describe(),
                ident.name
            ),
        );
    }

    let named: HashSet<&str> = idents.iter().map(|i| i.name.as_str()).collect();
    // A whole word: `tokenTtl` is not mentioned by `tokenTtlSeconds`.
    let mentioned = |name: &str| named.contains(name) || !doc.find_whole_at(name).is_empty();
    for (type_name, ty) in &spec.types {
        for field in ty.fields.keys() {
            if !mentioned(field) {
                out.claim(
                    &format!("types.{type_name}.fields.{field}"),
                    format!("field `{field}` does not occur in the document"),
                );
            }
        }
    }
    for (name, ep) in &spec.endpoints {
        // A whole path: a renamed `/demo` → `/demo2` must not still "occur".
        if doc.find_whole_at(&ep.path).is_empty() {
            out.claim(
                &format!("endpoints.{name}.path"),
                format!("path `{}` does not occur in the document", ep.path),
            );
        }
        for (param, p) in &ep.params {
            let here = format!("endpoints.{name}.params.{param}");
            if !mentioned(param) {
                out.claim(
                    &here,
                    format!("parameter `{param}` does not occur in the document"),
                );
            }
            for (bound, value) in [("minimum", p.minimum), ("maximum", p.maximum)] {
                let Some(value) = value else { continue };
                let stated = p
                    .doc
                    .as_deref()
                    .is_some_and(|d| lifetimes::states_number(d, value));
                if !stated {
                    out.claim(
                        &format!("{here}.{bound}"),
                        format!("{bound} {value} is not stated by the document (the parameter's `doc` does not give it); remove it or acknowledge it in a doc_gaps entry's `claims`"),
                    );
                }
            }
        }
    }

    // Every parameter and field, with its spec path, for the two own-row checks below.
    let entries: Vec<(String, &String, Option<&str>, Option<&str>)> = spec
        .endpoints
        .iter()
        .flat_map(|(name, ep)| {
            ep.params.iter().map(move |(param, p)| {
                (
                    format!("endpoints.{name}.params.{param}"),
                    param,
                    p.doc.as_deref(),
                    p.document_type.as_deref(),
                )
            })
        })
        .chain(spec.types.iter().flat_map(|(name, ty)| {
            ty.fields.iter().map(move |(field, f)| {
                (
                    format!("types.{name}.fields.{field}"),
                    field,
                    f.doc.as_deref(),
                    f.document_type.as_deref(),
                )
            })
        }))
        .collect();
    // A parameter's or field's `doc` against its own row (the row its
    // provenance points at): one of its paragraphs must be a whole cell of
    // that row, whitespace normalised, so a limit changed in one endpoint's
    // table only is reported although other tables still give the old text.
    for (here, name, text, _) in &entries {
        let (here, name) = (here.as_str(), name.as_str());
        let Some(text) = text else { continue };
        if let Some((row, line, cells)) = own_row(doc, &named_rows, &prov, here, name)
            && texts::paragraphs(text).all(|p| doc.find(p).is_some())
            && !texts::paragraphs(text).any(|p| {
                let wanted = document::squeeze(p);
                cells.iter().any(|c| document::squeeze(c) == wanted)
            })
        {
            out.claim(
                &format!("{here}.doc"),
                format!(
                    "its own row (document {}) does not give this text as a whole cell: the row reads {:?}, the spec {:?}; transcribe the row's text (a changed limit or wording), or acknowledge it in a doc_gaps entry's `claims`",
                    doc.describe(row),
                    shorten(line),
                    shorten(text)
                ),
            );
        }
    }

    // A `document_type` (the type as the document writes it, where it says
    // more than `type`: cainiao's `String(40)` lengths) against its own row:
    // a whole cell, or a whitespace-separated word of a space-separated row,
    // so a length changed in one table is reported at the entry.
    for (here, name, _, stated) in &entries {
        let (here, name) = (here.as_str(), name.as_str());
        let Some(stated) = *stated else { continue };
        let Some((row, line, cells)) = own_row(doc, &named_rows, &prov, here, name) else {
            continue;
        };
        let wanted = document::squeeze(stated);
        let in_row = cells.iter().any(|c| document::squeeze(c) == wanted)
            || line.split_whitespace().any(|word| word == stated);
        if !in_row {
            out.claim(
                &format!("{here}.document_type"),
                format!(
                    "its own row (document {}) does not give the type {stated:?}: the row reads {:?}; transcribe the row's type, or acknowledge it in a doc_gaps entry's `claims`",
                    doc.describe(row),
                    shorten(line),
                ),
            );
        }
    }

    // An auth step's `doc` against each endpoint's own row for the value it
    // sends (zhiyun repeats `access_token | …过期时间3个月 |` in every endpoint's
    // table): one paragraph must be a whole cell of every such row, so a limit
    // changed in one endpoint's table only is reported.
    for (i, step) in spec.auth.apply.iter().enumerate() {
        let Some(named) = step.named() else { continue };
        let Some(text) = named.doc else { continue };
        if !texts::paragraphs(text).all(|p| doc.find(p).is_some()) {
            continue; // already reported as text the document lacks
        }
        for (endpoint, row, line, cells) in
            endpoint_rows(spec, doc, &idents, &named_rows, &prov, named.name)
        {
            let whole = texts::paragraphs(text).any(|p| {
                let wanted = document::squeeze(p);
                cells.iter().any(|c| document::squeeze(c) == wanted)
            });
            if !whole {
                out.claim(
                    &format!("auth.apply[{i}].doc"),
                    format!(
                        "the row for `{}` in the table of endpoint `{endpoint}` (document {}) does not give this text as a whole cell: the row reads {:?}, the spec {:?}; transcribe the row's text (a limit or wording changed in this endpoint's table), or acknowledge it in a doc_gaps entry's `claims`",
                        named.name,
                        doc.describe(row),
                        shorten(line),
                        shorten(text)
                    ),
                );
            }
        }
    }

    // Each example at its own place: the spec lists the document's examples
    // in document order, so an example must occur after the one before it and
    // before the one after it. A document showing the same text twice (two
    // grants' token responses) and revising one copy is then reported at the
    // example whose copy changed, not passed by the other copy.
    for (name, place) in example_places(spec, doc) {
        if let ExamplePlace::Elsewhere(at) = place {
            out.claim(
                &format!("examples.{name}.text"),
                format!(
                    "the document shows this example only elsewhere (document {}), not between the examples around it: the copy at its own place was changed; transcribe it again, or acknowledge it in a doc_gaps entry's `claims`",
                    at.iter().map(|p| doc.describe(*p)).collect::<Vec<_>>().join(", ")
                ),
            );
        }
    }

    // A field against its own type's table or example: a field the document
    // still names elsewhere (another type's example) but no longer in its
    // type's is reported, so a field removed from one response is found.
    for (here, at, last) in prov.strays() {
        out.claim(
            here,
            format!(
                "the field does not occur in its type's table or example (document {} to line {last}), only elsewhere; a field the document removed from this type: remove it, or acknowledge it in a doc_gaps entry's `claims`",
                doc.describe(at)
            ),
        );
    }

    // A code's message against its own row: the whole cell (or the enum
    // line's message), whitespace normalised, so a message the document has
    // reworded or extended is reported even though the old text still occurs.
    for (table_name, table) in &spec.error_codes {
        for (i, code) in table.codes.iter().enumerate() {
            let here = format!("error_codes.{table_name}.codes[{i}]");
            let Some(&row) = prov.positions(&here).first() else {
                continue;
            };
            let line = &doc.lines()[row.line - 1];
            let cells = if doc.is_long(row.line) {
                // A flattened page: the row whose code is at this column.
                let Some((_, message)) = identifiers::flat_code_rows(line)
                    .into_iter()
                    .find(|(column, _)| *column == row.column)
                else {
                    continue;
                };
                vec![format!("| {} | {message} |", code_text(&code.code))]
                    .into_iter()
                    .chain([message])
                    .collect()
            } else {
                let cells = identifiers::row_texts(line)
                    .or_else(|| identifiers::object_texts(doc.lines(), row.line));
                let Some(cells) = cells else { continue };
                cells
            };
            if doc.find(&code.message).is_none() {
                continue; // already reported as text the document lacks
            }
            let wanted = document::squeeze(&code.message);
            if !cells.iter().any(|c| document::squeeze(c) == wanted) {
                out.claim(
                    &format!("{here}.message"),
                    format!(
                        "the code's row (document {}) does not give this message as a whole: the row reads {:?}, the spec {:?}; transcribe the row's text (a reworded or extended message), or acknowledge it in a doc_gaps entry's `claims`",
                        doc.describe(row),
                        if doc.is_long(row.line) {
                            shorten(&cells[0])
                        } else {
                            shorten(line)
                        },
                        shorten(&code.message)
                    ),
                );
            }
        }
    }

    // Token lifetimes and rate limits stated in the document, as numbers.
    for (path, message) in lifetimes::check(spec, doc, &idents, shorten) {
        out.claim(path, message);
    }

    out.report_unused_acknowledgements();
    out.diags.sorted()
}

/// The endpoint whose parameter table holds a row `ident` that the endpoint
/// does not model. The table (the contiguous `|` lines around the row) is an
/// endpoint's parameter table when that endpoint's parameters name at least
/// half of its other rows (and more of them than any other endpoint's do); a
/// same-named response field or another endpoint's parameter does not model
/// a row there. Read from the table itself, since documents without headings
/// (niumall) give endpoint sections no start.
fn out_of_context<'s>(
    spec: &'s spec::model::Spec,
    prov: &Provenance,
    doc: &SourceDocument,
    idents: &[DocIdent],
    named_rows: &[rows::NamedRow],
    ident: &DocIdent,
) -> Option<&'s str> {
    if ident.kind != IdentKind::TableEntry || doc.is_long(ident.pos.line) {
        return None;
    }
    let lines = doc.lines();
    // The table: the contiguous `|` lines, or rows of a space-separated table.
    let spaced = |n: usize| {
        named_rows
            .iter()
            .any(|r| r.line == n && !lines[n - 1].contains('|'))
    };
    let in_table = |n: usize| {
        n >= 1 && lines.get(n - 1).is_some_and(|l| l.contains('|'))
            || (n >= 1 && n <= lines.len() && spaced(n))
    };
    let (mut lo, mut hi) = (ident.pos.line, ident.pos.line);
    while in_table(lo - 1) {
        lo -= 1;
    }
    while in_table(hi + 1) {
        hi += 1;
    }
    let rows: Vec<&str> = idents
        .iter()
        .filter(|i| i.kind == IdentKind::TableEntry && (lo..=hi).contains(&i.pos.line))
        .filter(|i| i.pos != ident.pos)
        .map(|i| i.name.as_str())
        .collect();
    let last = |name: &str| name.rsplit('.').next().unwrap_or(name).to_owned();
    // Among endpoints naming equally many rows (erp's three query tables have
    // the same rows), the one whose title is the last before the table.
    let title_before = |name: &str| {
        prov.positions(&format!("endpoints.{name}"))
            .first()
            .filter(|p| p.line <= lo)
            .copied()
    };
    // A value an auth step sends (cainiao's `data_digest` form field) is a
    // parameter of every endpoint.
    let applied: HashSet<&str> = spec
        .auth
        .apply
        .iter()
        .filter_map(|s| s.named().map(|n| n.name))
        .collect();
    let has = |ep: &spec::model::Endpoint, row: &str| {
        ep.params.contains_key(row) || ep.params.contains_key(&last(row)) || applied.contains(row)
    };
    let (best, covered) = spec
        .endpoints
        .iter()
        .map(|(name, ep)| (name, rows.iter().filter(|r| has(ep, r)).count()))
        .max_by_key(|&(name, n)| (n, title_before(name)))?;
    // A table before every endpoint's title (zhiyun's 6.1鉴权接口, a token
    // grant) is no endpoint's.
    title_before(best)?;
    let ep = &spec.endpoints[best];
    let models = has(ep, &ident.name);
    (covered > 0 && 2 * covered >= rows.len() && !models).then_some(best.as_str())
}

/// The table row a parameter or field comes from, with its cells: the line
/// its provenance points at, when that line is a table row whose first cell
/// is `name`, or a space-separated table's row naming it (not a JSON example
/// or prose mention, not a flattened page's long line).
fn own_row<'d>(
    doc: &'d SourceDocument,
    named_rows: &[rows::NamedRow],
    prov: &Provenance,
    spec_path: &str,
    name: &str,
) -> Option<(DocPos, &'d str, Vec<String>)> {
    let &pos = prov.positions(spec_path).first()?;
    if doc.is_long(pos.line) {
        return None;
    }
    let line = doc.lines().get(pos.line - 1)?.as_str();
    if let Some(row) = named_rows
        .iter()
        .find(|r| r.line == pos.line && r.name == name)
    {
        return Some((pos, line, row.cells.clone()));
    }
    let first = line
        .trim()
        .trim_start_matches('|')
        .split('|')
        .next()?
        .trim();
    if !(line.contains('|') && (first == name || first.rsplit('.').next() == Some(name))) {
        return None;
    }
    Some((pos, line, identifiers::row_texts(line)?))
}

/// Each endpoint's own table row for `name`: the first row naming it between
/// the endpoint's title and the next endpoint's, with its cells.
pub(crate) fn endpoint_rows<'s, 'd>(
    spec: &'s spec::model::Spec,
    doc: &'d SourceDocument,
    idents: &[DocIdent],
    named_rows: &[rows::NamedRow],
    prov: &Provenance,
    name: &str,
) -> Vec<(&'s str, DocPos, &'d str, Vec<String>)> {
    let mut starts: Vec<(DocPos, &str)> = spec
        .endpoints
        .keys()
        .filter_map(|e| {
            let at = prov.positions(&format!("endpoints.{e}")).first()?;
            Some((*at, e.as_str()))
        })
        .collect();
    starts.sort();
    let mut out = Vec::new();
    for (k, &(start, endpoint)) in starts.iter().enumerate() {
        let end = starts.get(k + 1).map(|(p, _)| *p);
        let row = idents.iter().find(|i| {
            i.kind == IdentKind::TableEntry
                && i.name == name
                && i.pos > start
                && end.is_none_or(|e| i.pos < e)
                && !doc.is_long(i.pos.line)
        });
        let Some(row) = row else { continue };
        let line = doc.lines()[row.pos.line - 1].as_str();
        let cells = match named_rows.iter().find(|r| r.line == row.pos.line) {
            Some(r) => Some(r.cells.clone()),
            None => identifiers::row_texts(line),
        };
        if let Some(cells) = cells {
            out.push((endpoint, row.pos, line, cells));
        }
    }
    out
}

/// Where an example of the spec is in the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ExamplePlace {
    /// Nowhere (reported as text the document lacks).
    Missing,
    /// At its own place: after the example before it, before the one after it.
    Here(DocPos),
    /// Only at these positions, outside its own place.
    Elsewhere(Vec<DocPos>),
}

/// Each example at its own place. The spec lists the document's examples in
/// document order, so an example must occur after the one before it and
/// before the one after it: a document showing the same text twice (two
/// grants' token responses) and revising one copy is then reported at the
/// example whose copy changed, not passed by the other copy.
pub(crate) fn example_places<'s>(
    spec: &'s spec::model::Spec,
    doc: &SourceDocument,
) -> Vec<(&'s str, ExamplePlace)> {
    let found: Vec<(&str, Vec<DocPos>)> = spec
        .examples
        .iter()
        .map(|(name, ex)| (name.as_str(), doc.find_all_at(&ex.text)))
        .collect();
    let mut after = DocPos { line: 0, column: 0 };
    let mut out = Vec::with_capacity(found.len());
    for (i, (name, at)) in found.iter().enumerate() {
        if at.is_empty() {
            out.push((*name, ExamplePlace::Missing));
            continue;
        }
        let before = found[i + 1..]
            .iter()
            .find_map(|(_, next)| next.iter().copied().find(|&p| p > after));
        let here = at
            .iter()
            .copied()
            .find(|&p| p > after && before.is_none_or(|b| p < b));
        out.push(match here {
            Some(p) => {
                after = p;
                (*name, ExamplePlace::Here(p))
            }
            None => (*name, ExamplePlace::Elsewhere(at.clone())),
        });
    }
    out
}

fn code_text(code: &spec::model::Code) -> String {
    match code {
        spec::model::Code::Int(n) => n.to_string(),
        spec::model::Code::Str(s) => s.clone(),
    }
}

fn shorten(text: &str) -> String {
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() > 80 {
        flat.chars().take(77).collect::<String>() + "..."
    } else {
        flat
    }
}

/// The spec path a finding about a document identifier is reported at: the
/// fields of the type (or the params of the endpoint) covering its line, else `source`.
fn owner_path(prov: &Provenance, ident: &DocIdent) -> String {
    match prov.owner_of(ident.pos) {
        Some(owner) if owner.starts_with("types.") => format!("{owner}.fields"),
        Some(owner) if ident.kind == IdentKind::Path => format!("{owner}.path"),
        Some(owner) => format!("{owner}.params"),
        None => "source".to_owned(),
    }
}

/// A doc_gaps acknowledgement: the value and where it is written.
struct Ack {
    value: String,
    spec_path: String,
}

fn acknowledged(
    loaded: &LoadedSpec,
    key: &str,
    list: impl Fn(&crate::spec::model::DocGap) -> &Vec<String>,
) -> Vec<Ack> {
    let mut out = Vec::new();
    for (i, gap) in loaded.spec.doc_gaps.iter().enumerate() {
        for (j, value) in list(gap).iter().enumerate() {
            out.push(Ack {
                value: value.clone(),
                spec_path: format!("doc_gaps[{i}].{key}[{j}]"),
            });
        }
    }
    out
}

struct Findings<'a> {
    loaded: &'a LoadedSpec,
    diags: Diagnostics,
    names: Vec<Ack>,
    claims: Vec<Ack>,
    used: HashSet<String>,
}

impl Findings<'_> {
    fn report(&mut self, spec_path: &str, message: String) {
        let loc = self.loaded.node.locate(spec_path);
        self.diags.push(&self.loaded.path, loc, spec_path, message);
    }

    fn acknowledge_name(&mut self, name: &str) -> bool {
        match self.names.iter().find(|a| a.value == name) {
            Some(a) => {
                self.used.insert(a.spec_path.clone());
                true
            }
            None => false,
        }
    }

    /// Reports a claim the document does not support, unless acknowledged.
    fn claim(&mut self, spec_path: &str, message: String) {
        if let Some(a) = self.claims.iter().find(|a| a.value == spec_path) {
            self.used.insert(a.spec_path.clone());
            return;
        }
        self.report(spec_path, message);
    }

    fn report_unused_acknowledgements(&mut self) {
        let unused: Vec<(String, String)> = self
            .names
            .iter()
            .chain(&self.claims)
            .filter(|a| !self.used.contains(&a.spec_path))
            .map(|a| (a.spec_path.clone(), a.value.clone()))
            .collect();
        for (path, value) in unused {
            self.report(
                &path,
                format!(
                    "`{value}` acknowledges nothing: no finding names it (remove it, or correct it)"
                ),
            );
        }
    }
}
