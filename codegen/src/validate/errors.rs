//! The `errors:` section: code tables, classes, and the evidence a behaviour claims.

use super::*;

impl Checker<'_> {
    pub(super) fn check_error_codes(&mut self) {
        let spec = &self.loaded.spec;
        let mut codes: HashMap<String, String> = HashMap::new();
        let mut variants: HashMap<String, String> = HashMap::new();
        for (table, t) in &spec.error_codes {
            for (i, entry) in t.codes.iter().enumerate() {
                let path = format!("error_codes.{table}.codes[{i}]");
                let code_text = match &entry.code {
                    Code::Int(n) => n.to_string(),
                    Code::Str(s) => format!("{s:?}"),
                };
                if let Some(other) = codes.insert(code_text.clone(), path.clone()) {
                    self.err(
                        &format!("{path}.code"),
                        format!("code {code_text} is already defined at {other}"),
                    );
                }
                if entry.class == ErrorClass::Unknown {
                    self.err(
                        &format!("{path}.class"),
                        "`unknown` is what the client reports for codes the spec does not list; give this code the class it has",
                    );
                }
                let name = error_variant_name(entry);
                match name {
                    Some(name) if is_upper_camel_ident(&name) && name != "Unknown" => {
                        if let Some(other) = variants.insert(name.clone(), code_text.clone()) {
                            self.err(&path, format!("variant `{name}` is generated for both code {code_text} and code {other}; set `name`"));
                        }
                    }
                    Some(name) => self.err(&path, format!("variant name `{name}` is not usable (UpperCamelCase, not `Unknown`); set `name`")),
                    None => self.err(&path, format!("code {code_text} needs a `name` (or `java_name`) for its variant")),
                }
                if let Some(evidence) = &entry.rejected_before_execution {
                    self.check_evidence(&format!("{path}.rejected_before_execution"), evidence);
                    if !matches!(entry.class, ErrorClass::Resign | ErrorClass::ClockSkew) {
                        self.err(
                            &format!("{path}.rejected_before_execution"),
                            "only `resign` and `clock_skew` codes are re-sent; this code is never re-sent",
                        );
                    }
                }
            }
        }
    }

    /// Exactly one of the document's words or a `doc_gaps` entry that exists.
    pub(super) fn check_evidence(&mut self, path: &str, evidence: &Evidence) {
        match (&evidence.doc, &evidence.doc_gap) {
            (Some(_), None) => {}
            (None, Some(id)) => {
                if !self.loaded.spec.doc_gaps.iter().any(|g| &g.id == id) {
                    self.err(
                        &format!("{path}.doc_gap"),
                        format!("no `doc_gaps` entry has id `{id}`"),
                    );
                }
            }
            _ => self.err(path, "give either `doc` (the document's words) or `doc_gap` (the id of a `doc_gaps` entry)"),
        }
    }
}
