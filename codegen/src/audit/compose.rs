//! The documentation text generated code shows for each spec item: the
//! document's own words (`doc`), then the maintainer's (`note`, marked as
//! such), then where in the document the item comes from.
//!
//! Composed on the spec before lowering, so the IR and the emitters see one
//! finished text per item and need not know about notes or provenance.

use super::provenance::Provenance;
use crate::markdown::escape;
use crate::spec::model::{ApplyStep, Spec};

fn compose(doc: &mut Option<String>, note: Option<&str>, lines: Option<String>) {
    let mut parts: Vec<String> = Vec::new();
    // Spec text is shown as written, never read as markdown or HTML.
    if let Some(d) = doc.take().filter(|d| !d.trim().is_empty()) {
        parts.push(escape(d.trim_end()));
    }
    if let Some(n) = note.filter(|n| !n.trim().is_empty()) {
        parts.push(format!("Maintainer's note: {}", escape(n.trim_end())));
    }
    parts.extend(lines);
    *doc = (!parts.is_empty()).then(|| parts.join("\n\n"));
}

/// Rewrites every `doc` into its generated form. `provenance` is `None` when
/// the source document is not available (a consumer's `build.rs` without it).
pub fn compose_docs(spec: &mut Spec, provenance: Option<&Provenance>) {
    let lines = |path: String| {
        provenance
            .and_then(|p| p.describe(&path))
            .map(str::to_owned)
    };
    compose(&mut spec.vendor.doc, spec.vendor.note.as_deref(), None);
    for env in &mut spec.environments {
        compose(&mut env.doc, env.note.as_deref(), None);
    }
    let auth = &mut spec.auth;
    compose(&mut auth.doc, auth.note.as_deref(), None);
    for c in auth.credentials.values_mut() {
        compose(&mut c.doc, c.note.as_deref(), None);
    }
    if let Some(token) = &mut auth.token {
        compose(&mut token.doc, token.note.as_deref(), None);
        for g in token.grants.values_mut() {
            compose(&mut g.doc, g.note.as_deref(), None);
        }
    }
    for step in &mut auth.apply {
        if let ApplyStep::Header { doc, note, .. }
        | ApplyStep::Query { doc, note, .. }
        | ApplyStep::Form { doc, note, .. }
        | ApplyStep::Json { doc, note, .. } = step
        {
            compose(doc, note.as_deref(), None);
        }
    }
    if let Some(env) = &mut spec.envelope {
        compose(&mut env.doc, env.note.as_deref(), None);
    }
    for (name, ty) in &mut spec.types {
        compose(
            &mut ty.doc,
            ty.note.as_deref(),
            lines(format!("types.{name}")),
        );
        for (field, f) in &mut ty.fields {
            let at = lines(format!("types.{name}.fields.{field}"));
            compose(&mut f.doc, f.note.as_deref(), at);
        }
    }
    for (name, ep) in &mut spec.endpoints {
        compose(
            &mut ep.doc,
            ep.note.as_deref(),
            lines(format!("endpoints.{name}")),
        );
        for (param, p) in &mut ep.params {
            let at = lines(format!("endpoints.{name}.params.{param}"));
            compose(&mut p.doc, p.note.as_deref(), at);
        }
    }
    for (name, table) in &mut spec.error_codes {
        compose(&mut table.doc, table.note.as_deref(), None);
        for (i, code) in table.codes.iter_mut().enumerate() {
            let at = lines(format!("error_codes.{name}.codes[{i}]"));
            compose(&mut code.doc, code.note.as_deref(), at);
        }
    }
    if let Some(w) = &mut spec.webhooks {
        compose(&mut w.doc, w.note.as_deref(), None);
        for f in w.fields.values_mut() {
            compose(&mut f.doc, f.note.as_deref(), None);
        }
        for e in w.events.values_mut() {
            compose(&mut e.doc, e.note.as_deref(), None);
            for f in e.fields.values_mut() {
                compose(&mut f.doc, f.note.as_deref(), None);
            }
        }
        let s = &mut w.signature;
        compose(&mut s.doc, s.note.as_deref(), None);
    }
}
