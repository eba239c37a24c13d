//! Checks that secrets stay out of what a type prints (`Debug`, `Display`).
//!
//! Tests collect every secret a flow handled (client secrets, passwords, tokens, signatures as
//! they went over the wire) into a [`Secrets`] and hold each printable value against all of
//! them, so a new secret-holding field cannot slip through a check that names one value only.

use crate::fakes::RecordedRequest;

/// Shorter values would match by accident inside unrelated text.
const MIN_LEN: usize = 8;

/// The secrets a test handled.
#[derive(Debug, Default, Clone)]
pub struct Secrets(Vec<(String, String)>);

impl Secrets {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a secret under a name used in failure messages. Panics on a value too short to
    /// search for without false alarms, so a test cannot weaken itself by accident.
    pub fn add(&mut self, name: impl Into<String>, value: impl Into<String>) -> &mut Self {
        let (name, value) = (name.into(), value.into());
        assert!(
            value.len() >= MIN_LEN,
            "secret `{name}` is too short ({} chars) to search for",
            value.len()
        );
        if !self.0.iter().any(|(_, v)| *v == value) {
            self.0.push((name, value));
        }
        self
    }

    /// Adds the values of the named headers, query parameters, form or JSON body fields of
    /// every request (for instance `sign`, `accessToken`, `Authorization`); the credential of
    /// an `Authorization` header is added without its scheme too. Returns how many values
    /// were found, so a caller can assert the flow really sent them.
    pub fn add_sent(&mut self, requests: &[RecordedRequest], names: &[&str]) -> usize {
        let mut found = 0;
        for r in requests {
            let mut values: Vec<(String, String)> = Vec::new();
            for name in names {
                if let Some(v) = r.header(name) {
                    values.push((format!("header {name}"), v.to_owned()));
                    if let Some((_scheme, credential)) = v.split_once(' ') {
                        values.push((format!("header {name} credential"), credential.to_owned()));
                    }
                }
                for (k, v) in r.query_pairs().into_iter().chain(r.form_pairs()) {
                    if k == *name {
                        values.push((format!("parameter {name}"), v));
                    }
                }
                if let Some(v) = r
                    .body_json()
                    .as_ref()
                    .and_then(|b| b.get(name))
                    .and_then(|v| v.as_str())
                {
                    values.push((format!("body field {name}"), v.to_owned()));
                }
            }
            for (what, value) in values {
                if value.len() >= MIN_LEN {
                    found += 1;
                    self.add(what, value);
                }
            }
        }
        found
    }

    /// Panics when `shown` (what `what` printed) contains any secret.
    pub fn assert_hidden_in(&self, what: &str, shown: &str) {
        assert!(!self.0.is_empty(), "no secrets to check {what} against");
        for (name, value) in &self.0 {
            assert!(
                !shown.contains(value.as_str()),
                "{what} shows the {name}: {shown}"
            );
        }
    }

    /// Checks both `Debug` (also `{:#?}`) and `Display` of an error.
    pub fn assert_hidden_in_error(
        &self,
        what: &str,
        err: &(impl std::fmt::Debug + std::fmt::Display),
    ) {
        self.assert_hidden_in(what, &format!("{err} {err:?} {err:#?}"));
    }
}
