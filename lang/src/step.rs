//! Auth steps: what a request gains (a header, a query parameter, a form or JSON body field,
//! HTTP Basic), each computed by a [`Value`]. The runtime applies them in order; the mock
//! verifies them; this module holds what both (and the validator) need to know about them.

use serde::Serialize;

use crate::Text;
use crate::value::Value;

/// Where a named step's value goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Target {
    /// A request header.
    Header,
    /// A query parameter.
    Query,
    /// A field of an `application/x-www-form-urlencoded` body.
    Form,
    /// A top-level string member of a JSON object body.
    Json,
}

impl Target {
    /// The spec's word for it (`in: header`).
    pub fn as_str(self) -> &'static str {
        match self {
            Target::Header => "header",
            Target::Query => "query",
            Target::Form => "form",
            Target::Json => "json",
        }
    }
}

/// One thing added to an authenticated request, in spec order. A named step's value is then
/// bound as `{name}` for later steps (unless that name is already bound: credentials, token
/// fields, `method` and `path` win).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum Step {
    /// A request header.
    Header {
        /// Header name as the vendor spells it.
        name: Text,
        /// Its value.
        value: Value,
    },
    /// A query parameter.
    Query {
        /// Parameter name.
        name: Text,
        /// Its value.
        value: Value,
    },
    /// A field of an `application/x-www-form-urlencoded` body.
    Form {
        /// Field name.
        name: Text,
        /// Its value.
        value: Value,
    },
    /// A top-level string member of a JSON object body.
    Json {
        /// Member name.
        name: Text,
        /// Its value.
        value: Value,
    },
    /// `Authorization: Basic base64(username:password)`.
    Basic {
        /// User name (client id).
        username: Value,
        /// Password (client secret).
        password: Value,
    },
}

impl Step {
    /// A named step of the given target.
    pub fn named(target: Target, name: impl Into<Text>, value: Value) -> Step {
        let name = name.into();
        match target {
            Target::Header => Step::Header { name, value },
            Target::Query => Step::Query { name, value },
            Target::Form => Step::Form { name, value },
            Target::Json => Step::Json { name, value },
        }
    }

    /// Where a named step's value goes.
    pub fn target(&self) -> Option<Target> {
        match self {
            Step::Header { .. } => Some(Target::Header),
            Step::Query { .. } => Some(Target::Query),
            Step::Form { .. } => Some(Target::Form),
            Step::Json { .. } => Some(Target::Json),
            Step::Basic { .. } => None,
        }
    }

    /// The step's values.
    pub fn values(&self) -> impl Iterator<Item = &Value> {
        let (first, second) = match self {
            Step::Header { value, .. }
            | Step::Query { value, .. }
            | Step::Form { value, .. }
            | Step::Json { value, .. } => (value, None),
            Step::Basic { username, password } => (username, Some(password)),
        };
        std::iter::once(first).chain(second)
    }

    /// The name its output is bound under, when it has one.
    pub fn name(&self) -> Option<&str> {
        match self {
            Step::Header { name, .. }
            | Step::Query { name, .. }
            | Step::Form { name, .. }
            | Step::Json { name, .. } => Some(name),
            Step::Basic { .. } => None,
        }
    }

    /// Calls `f` with every variable the step's values read.
    pub fn for_each_var<'s>(&'s self, f: &mut dyn FnMut(&'s str)) {
        self.values().for_each(|v| v.for_each_var(f));
    }

    /// Every variable the step's values read, in order.
    pub fn vars(&self) -> Vec<&str> {
        let mut out = Vec::new();
        self.for_each_var(&mut |v| out.push(v));
        out
    }

    /// Whether the step reads the request as sent so far (see [`Value::reads_request`]).
    pub fn reads_request(&self) -> bool {
        self.values().any(Value::reads_request)
    }
}

/// The steps a token request carries when its grant asks for them: those that reference no
/// token variable, directly or through an earlier step's output; each with its index.
pub fn token_free<'s>(steps: &'s [Step], token_vars: &[&str]) -> Vec<(usize, &'s Step)> {
    let mut tainted: Vec<&str> = token_vars.to_vec();
    let mut out = Vec::new();
    for (i, step) in steps.iter().enumerate() {
        let mut uses_token = false;
        step.for_each_var(&mut |v| uses_token |= tainted.contains(&v));
        if uses_token {
            tainted.extend(step.name());
        } else {
            out.push((i, step));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(name: &'static str, value: Value) -> Step {
        Step::named(Target::Header, name, value)
    }

    #[test]
    fn token_free_steps_exclude_token_references_transitively() {
        let steps = [
            set("timestamp", Value::Now(crate::TimeUnit::Millis)),
            set("accessToken", Value::var("access_token")),
            set(
                "sign",
                Value::Concat(vec![Value::var("accessToken"), Value::var("timestamp")]),
            ),
            set("clientId", Value::var("client_id")),
        ];
        let names: Vec<_> = token_free(&steps, &["access_token"])
            .into_iter()
            .filter_map(|(_, s)| s.name())
            .collect();
        assert_eq!(names, ["timestamp", "clientId"]);
    }
}
