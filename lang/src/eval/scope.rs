//! What a value can read: named variables (credentials, token fields, request facts, earlier
//! steps' outputs) and the request's parameters as collections.

use std::collections::BTreeMap;
use std::fmt;

use secrecy::{ExposeSecret, SecretString};

use crate::{Collection, PARAM_PREFIX};

/// Stands in for a secret in `Debug` output.
struct Redacted;

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

enum Entry {
    Plain(String),
    Secret(SecretString),
}

/// Variables available to [`Value::eval`](crate::Value::eval): credentials, token fields, request
/// facts, earlier steps' outputs, and the request's parameters as sent so far. Secret entries
/// never reach `Debug`; parameters show only their names.
#[derive(Default)]
pub struct Scope {
    vars: BTreeMap<String, Entry>,
    query: Vec<(String, String)>,
    body: Vec<(String, String)>,
}

impl Scope {
    /// An empty scope.
    pub fn new() -> Self {
        Self::default()
    }

    /// Binds a non-secret value (replacing any earlier binding).
    pub fn set(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.vars.insert(name.into(), Entry::Plain(value.into()));
    }

    /// Binds a secret value (replacing any earlier binding).
    pub fn set_secret(&mut self, name: impl Into<String>, value: SecretString) {
        self.vars.insert(name.into(), Entry::Secret(value));
    }

    /// The request's parameters as they will be sent: query pairs and body fields (each value
    /// as text: JSON strings unquoted, other JSON values as compact JSON, `null` as empty).
    pub fn set_params(&mut self, query: Vec<(String, String)>, body: Vec<(String, String)>) {
        self.query = query;
        self.body = body;
    }

    /// The value bound to `name`; `params.NAME` is the first parameter called `NAME` (query
    /// first, then body).
    pub fn get(&self, name: &str) -> Option<&str> {
        if let Some(param) = name.strip_prefix(PARAM_PREFIX) {
            return self
                .collection(Collection::Params)
                .find(|(k, _)| k == param)
                .map(|(_, v)| v.as_str());
        }
        self.vars.get(name).map(|e| match e {
            Entry::Plain(v) => v.as_str(),
            Entry::Secret(v) => v.expose_secret(),
        })
    }

    /// The pairs of a collection, in the order they are sent.
    pub fn collection(&self, from: Collection) -> impl Iterator<Item = &(String, String)> {
        let (query, body): (&[_], &[_]) = match from {
            Collection::Params => (&self.query, &self.body),
            Collection::Query => (&self.query, &[]),
            Collection::Body => (&[], &self.body),
        };
        query.iter().chain(body)
    }
}

impl fmt::Debug for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Vars<'a>(&'a BTreeMap<String, Entry>);
        impl fmt::Debug for Vars<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let mut m = f.debug_map();
                for (k, v) in self.0 {
                    match v {
                        Entry::Plain(v) => m.entry(k, v),
                        Entry::Secret(_) => m.entry(k, &Redacted),
                    };
                }
                m.finish()
            }
        }
        let names = |pairs: &[(String, String)]| pairs.iter().map(|(k, _)| k.clone()).collect();
        let (query, body): (Vec<String>, Vec<String>) = (names(&self.query), names(&self.body));
        f.debug_struct("Scope")
            .field("vars", &Vars(&self.vars))
            .field("query_names", &query)
            .field("body_names", &body)
            .finish()
    }
}
