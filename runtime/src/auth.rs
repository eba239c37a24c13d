//! Steps that authenticate a request: headers, query parameters, form or JSON body fields and
//! HTTP Basic, computed by the value language over the request as it will be sent. Steps run in
//! spec order after the request's own parameters are final; each step's output is bound under
//! its name so later steps can sign it, and a step that writes a parameter is seen by later
//! steps that read the request's parameters or body.

use std::borrow::Cow;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use reqwest::header::{AUTHORIZATION, HeaderName, HeaderValue};

use super::transport::OutBody;
use spec_lang::{EvalError, Scope, Step};

/// Why steps could not be applied.
#[derive(Debug)]
pub(crate) enum ApplyError {
    Eval(EvalError),
    /// The header name or computed value is not valid HTTP (names the header, not the value).
    Header(String),
    /// A body step on a request whose body cannot take it (names the field).
    Body(String),
}

impl std::fmt::Display for ApplyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ApplyError::Eval(e) => write!(f, "auth step: {e}"),
            ApplyError::Header(name) => write!(f, "auth header `{name}` is not valid HTTP"),
            ApplyError::Body(name) => write!(
                f,
                "auth body field `{name}`: the request's body is not of that kind"
            ),
        }
    }
}

/// A request body as it will be sent: borrowed from the request until a step adds to it, so
/// that an attempt whose steps only read it (or do not look) copies nothing.
#[derive(Clone, Default)]
pub(crate) enum MessageBody<'a> {
    #[default]
    None,
    /// `application/x-www-form-urlencoded` pairs, in order.
    Form(Cow<'a, [(String, String)]>),
    /// `application/json` (serialized with `serde_json`, members in its map order).
    Json(Cow<'a, serde_json::Value>),
}

impl MessageBody<'_> {
    /// The body's fields as text pairs (what canonical strings read).
    fn pairs(&self) -> Vec<(String, String)> {
        match self {
            MessageBody::None => Vec::new(),
            MessageBody::Form(pairs) => pairs.to_vec(),
            MessageBody::Json(json) => json.as_object().map_or_else(Vec::new, |map| {
                map.iter().map(|(k, v)| (k.clone(), json_text(v))).collect()
            }),
        }
    }

    /// The bytes sent, as text (`{body}`).
    fn text(&self) -> String {
        match self {
            MessageBody::None => String::new(),
            MessageBody::Form(pairs) => form_encode(pairs),
            MessageBody::Json(v) => v.to_string(),
        }
    }
}

/// A JSON member as parameter text: strings unquoted, `null` empty, the rest compact JSON.
fn json_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// `application/x-www-form-urlencoded`, exactly as `url`/`reqwest` encode query strings and
/// form bodies.
fn form_encode(pairs: &[(String, String)]) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

/// The request as it will be sent; auth steps add to it.
#[derive(Default)]
pub(crate) struct Message<'a> {
    pub(crate) headers: Vec<(HeaderName, HeaderValue)>,
    pub(crate) query: Vec<(String, String)>,
    pub(crate) body: MessageBody<'a>,
}

/// Names only: values carry tokens and signatures (`sign`, `access_token`).
impl std::fmt::Debug for Message<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names = |pairs: &[(String, String)]| -> Vec<String> {
            pairs.iter().map(|(k, _)| k.clone()).collect()
        };
        f.debug_struct("Message")
            .field(
                "headers",
                &self.headers.iter().map(|(k, _)| k).collect::<Vec<_>>(),
            )
            .field("query", &names(&self.query))
            .field("body", &names(&self.body.pairs()))
            .finish()
    }
}

impl Message<'_> {
    /// The query string appended to `url`; the headers and the body to send, encoded.
    pub(crate) fn into_parts(
        self,
        url: &mut url::Url,
    ) -> Result<(Vec<(HeaderName, HeaderValue)>, OutBody), serde_json::Error> {
        if !self.query.is_empty() {
            url.query_pairs_mut().extend_pairs(&self.query);
        }
        let body = match self.body {
            MessageBody::None => OutBody::None,
            MessageBody::Form(pairs) => OutBody::Form(form_encode(&pairs).into_bytes()),
            MessageBody::Json(v) => OutBody::Json(serde_json::to_vec(&*v)?),
        };
        Ok((self.headers, body))
    }

    /// Makes the request as sent so far readable: `{query}`, `{body}` and the parameters.
    fn expose(&self, scope: &mut Scope) {
        scope.set("query", form_encode(&self.query));
        scope.set("body", self.body.text());
        scope.set_params(self.query.clone(), self.body.pairs());
    }
}

/// Evaluates the steps in order, adding each output to `message` and binding it into `scope`.
pub(crate) fn apply(
    steps: &[Step],
    scope: &mut Scope,
    now: jiff::Timestamp,
    message: &mut Message,
) -> Result<(), ApplyError> {
    let eval =
        |value: &spec_lang::Value, scope: &Scope| value.eval(scope, now).map_err(ApplyError::Eval);
    for step in steps {
        if step.reads_request() {
            message.expose(scope);
        }
        match step {
            Step::Header { name, value } => {
                let v = eval(value, scope)?;
                let header_name = HeaderName::from_bytes(name.as_bytes())
                    .map_err(|_| ApplyError::Header(name.to_string()))?;
                message.headers.push((header_name, sensitive(&v, name)?));
                bind(scope, name, v);
            }
            Step::Query { name, value } => {
                let v = eval(value, scope)?;
                message.query.push((name.to_string(), v.clone()));
                bind(scope, name, v);
            }
            Step::Form { name, value } => {
                let v = eval(value, scope)?;
                if let MessageBody::None = message.body {
                    message.body = MessageBody::Form(Cow::Owned(Vec::new()));
                }
                let MessageBody::Form(pairs) = &mut message.body else {
                    return Err(ApplyError::Body(name.to_string()));
                };
                pairs.to_mut().push((name.to_string(), v.clone()));
                bind(scope, name, v);
            }
            Step::Json { name, value } => {
                let v = eval(value, scope)?;
                if let MessageBody::None = message.body {
                    let empty = serde_json::Value::Object(Default::default());
                    message.body = MessageBody::Json(Cow::Owned(empty));
                }
                let map = match &mut message.body {
                    MessageBody::Json(json) if json.is_object() => json.to_mut().as_object_mut(),
                    _ => None,
                };
                let Some(map) = map else {
                    return Err(ApplyError::Body(name.to_string()));
                };
                map.insert(name.to_string(), v.clone().into());
                bind(scope, name, v);
            }
            Step::Basic { username, password } => {
                let user = eval(username, scope)?;
                let pass = eval(password, scope)?;
                message.headers.push((
                    AUTHORIZATION,
                    sensitive(&basic_header(&user, &pass), "Authorization")?,
                ));
            }
        }
    }
    Ok(())
}

/// Binds a step's output for later steps, unless the name is taken: a query parameter named
/// `access_token` that carries a credential must not hide the cached token `{access_token}`.
/// Bound as secret: outputs are auth material (tokens, signatures).
fn bind(scope: &mut Scope, name: &spec_lang::Text, value: String) {
    if scope.get(name).is_none() {
        scope.set_secret(name.clone(), value.into());
    }
}

/// Marked sensitive so HTTP/2 never puts it in the HPACK table and `Debug` hides it.
pub(crate) fn sensitive(v: &str, name: &str) -> Result<HeaderValue, ApplyError> {
    let mut hv = HeaderValue::from_str(v).map_err(|_| ApplyError::Header(name.to_string()))?;
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
    use spec_lang::{Expr, Op, Piece, TimeUnit, Value};

    fn var(name: &'static str) -> Value {
        Value::Template(vec![Piece::Var(name.into())])
    }

    fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
        p.iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
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
                name: "access_token".into(),
                value: var("access_token"),
            },
            Step::Query {
                name: "t_".into(),
                value: Value::Now(TimeUnit::Millis),
            },
            Step::Query {
                name: "p_".into(),
                value: Value::Arithmetic(Expr::bin(
                    Expr::bin(
                        Expr::bin(Expr::Var("t_".into()), Op::Rem, Expr::Int(10000)),
                        Op::Mul,
                        Expr::Int(3),
                    ),
                    Op::Add,
                    Expr::Int(2345),
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
        let mut out = Message::default();
        apply(&time_derived_steps(), &mut scope, now, &mut out).unwrap();
        assert_eq!(
            out.query,
            pairs(&[
                ("access_token", "tok"),
                ("t_", "1422339152058"),
                ("p_", "8519"),
            ])
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
                name: "access_token".into(),
                value: var("desktop"),
            },
            Step::Query {
                name: "auth_code".into(),
                value: var("access_token"),
            },
        ];
        let mut out = Message::default();
        apply(&steps, &mut scope, jiff::Timestamp::UNIX_EPOCH, &mut out).unwrap();
        assert_eq!(
            out.query,
            pairs(&[("access_token", "desk"), ("auth_code", "cached")])
        );
    }

    #[test]
    fn message_debug_shows_names_not_values() {
        let message = Message {
            query: pairs(&[("sign", "S3CRET-SIGN")]),
            body: MessageBody::Form(pairs(&[("access_token", "T0KEN")]).into()),
            ..Message::default()
        };
        let shown = format!("{message:?}");
        assert!(
            shown.contains("sign") && shown.contains("access_token"),
            "{shown}"
        );
        assert!(
            !shown.contains("S3CRET") && !shown.contains("T0KEN"),
            "{shown}"
        );
    }

    #[test]
    fn bad_header_value_names_the_header_only() {
        let mut scope = Scope::new();
        scope.set_secret("t", "line\nbreak-secret".into());
        let steps = [Step::Header {
            name: "accessToken".into(),
            value: var("t"),
        }];
        let err = apply(
            &steps,
            &mut scope,
            jiff::Timestamp::UNIX_EPOCH,
            &mut Message::default(),
        )
        .err()
        .unwrap();
        let text = err.to_string();
        assert!(
            text.contains("accessToken") && !text.contains("secret"),
            "{text}"
        );
    }
}
