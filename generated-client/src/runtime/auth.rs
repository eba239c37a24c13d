//! Steps that authenticate a request: headers, query parameters and HTTP Basic, computed by the
//! value language. Each step's output is bound under its name so later steps can sign it.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use reqwest::header::{AUTHORIZATION, HeaderName, HeaderValue};

use super::value::{EvalError, Scope, Value};

/// One thing added to an authenticated request, in spec order.
#[derive(Clone, Debug)]
pub enum Step {
    /// A request header; its value is then bound as `{name}` (unless that name is already
    /// bound: credentials, token fields, `method` and `path` win).
    Header {
        /// Header name as the vendor spells it.
        name: &'static str,
        /// Its value.
        value: Value,
    },
    /// A query parameter; its value is then bound as `{name}` (unless already bound).
    Query {
        /// Parameter name.
        name: &'static str,
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
    fn for_each_var(&self, f: &mut dyn FnMut(&'static str)) {
        match self {
            Step::Header { value, .. } | Step::Query { value, .. } => value.for_each_var(f),
            Step::Basic { username, password } => {
                username.for_each_var(f);
                password.for_each_var(f);
            }
        }
    }

    fn bound_name(&self) -> Option<&'static str> {
        match self {
            Step::Header { name, .. } | Step::Query { name, .. } => Some(name),
            Step::Basic { .. } => None,
        }
    }
}

/// Why steps could not be applied.
#[derive(Debug)]
pub(crate) enum ApplyError {
    Eval(EvalError),
    /// The header name or computed value is not valid HTTP (names the header, not the value).
    Header(&'static str),
}

impl std::fmt::Display for ApplyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ApplyError::Eval(e) => write!(f, "auth step: {e}"),
            ApplyError::Header(name) => write!(f, "auth header `{name}` is not valid HTTP"),
        }
    }
}

/// Headers and query parameters produced by the steps.
#[derive(Default)]
pub(crate) struct Applied {
    pub(crate) headers: Vec<(HeaderName, HeaderValue)>,
    pub(crate) query: Vec<(&'static str, String)>,
}

/// The steps that also run on token requests: those that do not reference a token variable,
/// directly or through an earlier step's output (a signature over `{accessToken}` counts).
pub(crate) fn token_free(steps: &[Step], token_vars: &[&str]) -> Vec<Step> {
    let mut tainted: Vec<&str> = token_vars.to_vec();
    let mut out = Vec::new();
    for step in steps {
        let mut uses_token = false;
        step.for_each_var(&mut |v| uses_token |= tainted.contains(&v));
        if uses_token {
            if let Some(name) = step.bound_name() {
                tainted.push(name);
            }
        } else {
            out.push(step.clone());
        }
    }
    out
}

/// Evaluates the steps in order, binding each output into `scope`.
pub(crate) fn apply(
    steps: &[Step],
    scope: &mut Scope,
    now: jiff::Timestamp,
) -> Result<Applied, ApplyError> {
    let mut out = Applied::default();
    for step in steps {
        match step {
            Step::Header { name, value } => {
                let v = value.eval(scope, now).map_err(ApplyError::Eval)?;
                let header_name = HeaderName::from_bytes(name.as_bytes())
                    .map_err(|_| ApplyError::Header(name))?;
                out.headers.push((header_name, sensitive(&v, name)?));
                bind(scope, name, v);
            }
            Step::Query { name, value } => {
                let v = value.eval(scope, now).map_err(ApplyError::Eval)?;
                out.query.push((name, v.clone()));
                bind(scope, name, v);
            }
            Step::Basic { username, password } => {
                let user = username.eval(scope, now).map_err(ApplyError::Eval)?;
                let pass = password.eval(scope, now).map_err(ApplyError::Eval)?;
                out.headers.push((
                    AUTHORIZATION,
                    sensitive(&basic_header(&user, &pass), "Authorization")?,
                ));
            }
        }
    }
    Ok(out)
}

/// Binds a step's output for later steps, unless the name is taken: a query parameter named
/// `access_token` that carries a credential must not hide the cached token `{access_token}`.
/// Bound as secret: outputs are auth material (tokens, signatures).
fn bind(scope: &mut Scope, name: &'static str, value: String) {
    if scope.get(name).is_none() {
        scope.set_secret(name, value.into());
    }
}

/// Marked sensitive so HTTP/2 never puts it in the HPACK table and `Debug` hides it.
pub(crate) fn sensitive(v: &str, name: &'static str) -> Result<HeaderValue, ApplyError> {
    let mut hv = HeaderValue::from_str(v).map_err(|_| ApplyError::Header(name))?;
    hv.set_sensitive(true);
    Ok(hv)
}

/// `Basic base64(user:pass)`. The pair is sent as is, like `curl -u` in the vendor documents
/// (RFC 6749 §2.3.1's form-encoding first is a no-op for the usual alphanumeric credentials and
/// servers commonly skip the matching decode).
pub(crate) fn basic_header(user: &str, pass: &str) -> String {
    format!("Basic {}", BASE64.encode(format!("{user}:{pass}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::value::{Expr, Piece, TimeUnit};

    fn var(name: &'static str) -> Value {
        Value::Template(vec![Piece::Var(name)])
    }

    #[test]
    fn basic_header_vector() {
        assert_eq!(
            basic_header("1102084294", "aku8hCyXBd9SqYkT"),
            "Basic MTEwMjA4NDI5NDpha3U4aEN5WEJkOVNxWWtU"
        );
    }

    /// Basic + access_token + t_ + p_: the later step sees the earlier one's output.
    fn time_derived_steps() -> Vec<Step> {
        vec![
            Step::Basic {
                username: var("client_id"),
                password: var("client_secret"),
            },
            Step::Query {
                name: "access_token",
                value: var("access_token"),
            },
            Step::Query {
                name: "t_",
                value: Value::Now(TimeUnit::Millis),
            },
            Step::Query {
                name: "p_",
                value: Value::Arithmetic(Expr::Add(
                    Box::new(Expr::Mul(
                        Box::new(Expr::Rem(
                            Box::new(Expr::Var("t_")),
                            Box::new(Expr::Int(10000)),
                        )),
                        Box::new(Expr::Int(3)),
                    )),
                    Box::new(Expr::Int(2345)),
                )),
            },
        ]
    }

    #[test]
    fn apply_binds_outputs_in_order() {
        let mut scope = Scope::new();
        scope.set("client_id", "1102084294");
        scope.set_secret("client_secret", "aku8hCyXBd9SqYkT".into());
        scope.set_secret("access_token", "tok".into());
        let now = jiff::Timestamp::from_millisecond(1_422_339_152_058).unwrap();
        let out = apply(&time_derived_steps(), &mut scope, now).unwrap();
        assert_eq!(
            out.query,
            vec![
                ("access_token", "tok".to_owned()),
                ("t_", "1422339152058".to_owned()),
                ("p_", "8519".to_owned()),
            ]
        );
        let (name, value) = &out.headers[0];
        assert_eq!(name, AUTHORIZATION);
        assert_eq!(value, "Basic MTEwMjA4NDI5NDpha3U4aEN5WEJkOVNxWWtU");
        assert!(value.is_sensitive());
        assert!(!format!("{value:?}").contains("MTEw"));
    }

    #[test]
    fn step_outputs_do_not_shadow_bound_names() {
        let mut scope = Scope::new();
        scope.set_secret("desktop", "desk".into());
        scope.set_secret("access_token", "cached".into());
        let steps = [
            Step::Query {
                name: "access_token",
                value: var("desktop"),
            },
            Step::Query {
                name: "auth_code",
                value: var("access_token"),
            },
        ];
        let out = apply(&steps, &mut scope, jiff::Timestamp::UNIX_EPOCH).unwrap();
        assert_eq!(
            out.query,
            [
                ("access_token", "desk".to_owned()),
                ("auth_code", "cached".to_owned())
            ]
        );
    }

    #[test]
    fn token_free_steps_exclude_token_references_transitively() {
        let steps = vec![
            Step::Header {
                name: "accessToken",
                value: var("access_token"),
            },
            Step::Header {
                name: "timestamp",
                value: Value::Now(TimeUnit::Millis),
            },
            Step::Header {
                name: "userId",
                value: var("user_id"),
            },
            Step::Header {
                name: "sign",
                value: Value::Md5Hex(Box::new(var("accessToken"))),
            },
            Step::Header {
                name: "x",
                value: var("timestamp"),
            },
        ];
        let names: Vec<_> = token_free(&steps, &["access_token", "refresh_token", "user_id"])
            .iter()
            .filter_map(Step::bound_name)
            .collect();
        assert_eq!(names, ["timestamp", "x"]);
        // No token variables: every step of the Basic + t_/p_ vendor runs on token calls too,
        // except the one naming `access_token`.
        assert_eq!(
            token_free(&time_derived_steps(), &["access_token"]).len(),
            3
        );
    }

    #[test]
    fn bad_header_value_names_the_header_only() {
        let mut scope = Scope::new();
        scope.set_secret("t", "line\nbreak-secret".into());
        let steps = [Step::Header {
            name: "accessToken",
            value: var("t"),
        }];
        let err = apply(&steps, &mut scope, jiff::Timestamp::UNIX_EPOCH)
            .err()
            .unwrap();
        let text = err.to_string();
        assert!(
            text.contains("accessToken") && !text.contains("secret"),
            "{text}"
        );
    }
}
