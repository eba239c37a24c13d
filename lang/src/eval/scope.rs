//! What a value can read: named variables (credentials, token fields, request facts, earlier
//! steps' outputs) and the request's parameters as collections.

use std::fmt;
use std::sync::Arc;

use secrecy::{ExposeSecret, SecretString};

use crate::{Collection, PARAM_PREFIX, Text};

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
///
/// A scope may lie [`over`](Scope::over) a shared base: what is fixed for a client
/// (credentials, host) is written once, and each request's scope adds only its own facts.
/// Variables are few (a dozen at most), so they are kept in insertion order and looked up
/// by a linear scan, which is cheaper than a map at that size.
#[derive(Default)]
pub struct Scope {
    vars: Vec<(Text, Entry)>,
    base: Option<Arc<Scope>>,
    query: Vec<(String, String)>,
    body: Vec<(String, String)>,
}

impl Scope {
    /// An empty scope.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty scope whose lookups fall back to `base`; a variable set here shadows the
    /// base's. The base's parameters are not inherited.
    pub fn over(base: Arc<Scope>) -> Self {
        Scope {
            base: Some(base),
            ..Self::default()
        }
    }

    fn put(&mut self, name: Text, entry: Entry) {
        match self.vars.iter_mut().find(|(k, _)| *k == name) {
            Some((_, slot)) => *slot = entry,
            None => self.vars.push((name, entry)),
        }
    }

    /// Binds a non-secret value (replacing any earlier binding).
    pub fn set(&mut self, name: impl Into<Text>, value: impl Into<String>) {
        self.put(name.into(), Entry::Plain(value.into()));
    }

    /// Binds a secret value (replacing any earlier binding).
    pub fn set_secret(&mut self, name: impl Into<Text>, value: SecretString) {
        self.put(name.into(), Entry::Secret(value));
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
        match self.vars.iter().find(|(k, _)| k == name) {
            Some((_, Entry::Plain(v))) => Some(v.as_str()),
            Some((_, Entry::Secret(v))) => Some(v.expose_secret()),
            None => self.base.as_deref().and_then(|base| base.get(name)),
        }
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
        struct Vars<'a>(&'a [(Text, Entry)]);
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
        let mut d = f.debug_struct("Scope");
        d.field("vars", &Vars(&self.vars));
        if let Some(base) = &self.base {
            d.field("base", base);
        }
        d.field("query_names", &query)
            .field("body_names", &body)
            .finish()
    }
}
