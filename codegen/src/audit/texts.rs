//! Every text the spec presents as the document's own, with its spec path.
//!
//! `title`, `doc`, `message`, `java_name` and example texts are document text
//! (checked); `note`, `vendor.name`, and the `where`, `text` and `resolution`
//! of doc_gaps are the maintainer's own words (not checked).

use crate::spec::model::{ApplyStep, CatalogueGroup, Spec};

/// One document text: the spec path of its key and the text.
pub struct DocText<'a> {
    /// Spec path of the key holding the text, e.g. `types.Item.fields.sku_id.doc`.
    pub path: String,
    pub text: &'a str,
}

/// The passages a text holds: paragraphs separated by blank lines are checked
/// one by one, so a `doc` may quote several places of the document.
pub fn paragraphs(text: &str) -> impl Iterator<Item = &str> {
    text.split("\n\n").map(str::trim).filter(|p| !p.is_empty())
}

#[derive(Default)]
struct Texts<'a>(Vec<DocText<'a>>);

impl<'a> Texts<'a> {
    fn add(&mut self, path: impl Into<String>, text: Option<&'a String>) {
        if let Some(text) = text {
            self.0.push(DocText {
                path: path.into(),
                text,
            });
        }
    }

    fn catalogue(&mut self, prefix: &str, groups: &'a [CatalogueGroup]) {
        for (i, g) in groups.iter().enumerate() {
            let here = format!("{prefix}[{i}]");
            self.add(format!("{here}.title"), Some(&g.title));
            for (j, e) in g.entries.iter().enumerate() {
                self.add(format!("{here}.entries[{j}].title"), Some(&e.title));
            }
            self.catalogue(&format!("{here}.groups"), &g.groups);
        }
    }
}

pub fn document_texts(spec: &Spec) -> Vec<DocText<'_>> {
    let mut t = Texts::default();
    t.add("vendor.title", Some(&spec.vendor.title));
    t.add("vendor.doc", spec.vendor.doc.as_ref());
    for (i, e) in spec.environments.iter().enumerate() {
        t.add(format!("environments[{i}].doc"), e.doc.as_ref());
    }
    let auth = &spec.auth;
    t.add("auth.doc", auth.doc.as_ref());
    for (name, c) in &auth.credentials {
        t.add(format!("auth.credentials.{name}.doc"), c.doc.as_ref());
    }
    if let Some(token) = &auth.token {
        t.add("auth.token.doc", token.doc.as_ref());
        for (name, g) in &token.grants {
            t.add(format!("auth.token.grants.{name}.title"), g.title.as_ref());
            t.add(format!("auth.token.grants.{name}.doc"), g.doc.as_ref());
        }
    }
    for (i, step) in auth.apply.iter().enumerate() {
        if let ApplyStep::Header { doc, .. }
        | ApplyStep::Query { doc, .. }
        | ApplyStep::Form { doc, .. }
        | ApplyStep::Json { doc, .. } = step
        {
            t.add(format!("auth.apply[{i}].doc"), doc.as_ref());
        }
    }
    if let Some(env) = &spec.envelope {
        t.add("envelope.doc", env.doc.as_ref());
    }
    for (name, ty) in &spec.types {
        t.add(format!("types.{name}.doc"), ty.doc.as_ref());
        for (field, f) in &ty.fields {
            t.add(format!("types.{name}.fields.{field}.doc"), f.doc.as_ref());
        }
    }
    for (name, ep) in &spec.endpoints {
        t.add(format!("endpoints.{name}.title"), Some(&ep.title));
        t.add(format!("endpoints.{name}.doc"), ep.doc.as_ref());
        for (param, p) in &ep.params {
            t.add(
                format!("endpoints.{name}.params.{param}.doc"),
                p.doc.as_ref(),
            );
        }
    }
    for (name, table) in &spec.error_codes {
        t.add(format!("error_codes.{name}.title"), Some(&table.title));
        t.add(format!("error_codes.{name}.doc"), table.doc.as_ref());
        for (i, code) in table.codes.iter().enumerate() {
            let here = format!("error_codes.{name}.codes[{i}]");
            t.add(format!("{here}.message"), Some(&code.message));
            t.add(format!("{here}.java_name"), code.java_name.as_ref());
            t.add(format!("{here}.doc"), code.doc.as_ref());
            t.add(
                format!("{here}.rejected_before_execution.doc"),
                code.rejected_before_execution
                    .as_ref()
                    .and_then(|e| e.doc.as_ref()),
            );
        }
    }
    if let Some(w) = &spec.webhooks {
        t.add("webhooks.doc", w.doc.as_ref());
        for (name, f) in &w.fields {
            t.add(format!("webhooks.fields.{name}.doc"), f.doc.as_ref());
        }
        for (name, e) in &w.events {
            t.add(format!("webhooks.events.{name}.doc"), e.doc.as_ref());
            for (field, f) in &e.fields {
                t.add(
                    format!("webhooks.events.{name}.fields.{field}.doc"),
                    f.doc.as_ref(),
                );
            }
        }
        t.add("webhooks.signature.doc", w.signature.doc.as_ref());
    }
    t.catalogue("catalogue", &spec.catalogue);
    for (name, ex) in &spec.examples {
        t.add(format!("examples.{name}.title"), ex.title.as_ref());
        t.add(format!("examples.{name}.text"), Some(&ex.text));
    }
    t.0
}
