//! What the mock answers when it refuses a request: a code from the document's error tables,
//! chosen by the spec's `class`, in the spec's envelope.
//!
//! Every refusal names the classes that fit it, in order (a bad signature: `auth`; a stale
//! timestamp: `clock_skew`, then `auth`; a replayed nonce: `resign`, then `auth`; a missing
//! or unknown token: `renew_token`; bad input: `caller`; too many token requests:
//! `rate_limited`; a used or unknown authorization code or refresh token: `reauthorize`).
//! Within a class, a code whose constant name mentions the step or parameter at fault is
//! preferred (jfwms `SIGN_ERROR` for a wrong `sign`, `NONCE_FORMAT_ERROR` for a malformed
//! `nonce`), otherwise the class's first code in document order. Codes must be of the kind the
//! envelope uses (integers when the success code is an integer; strings for un-enveloped OAuth2
//! token errors). The HTTP status is the one an `http_status: true` table gives the class, or
//! 200 for a documented code in the envelope (the vendors answer errors in the body), or the
//! OAuth2 status (400, 401 for `invalid_client`) for un-enveloped token errors.
//!
//! Where the spec has no code for a case, the mock answers a generic HTTP status (400 bad
//! input, 401 refused auth, 404 unknown path, 405 wrong method, 429 rate limited) with the
//! envelope's failure shape and no code: the client then sees an HTTP-status error.

use codegen::ir::{Api, Code, ErrorClass, ErrorCodeIr, SuccessRule};
use serde_json::{Value as Json, json};

use crate::json_path::set_path;
use crate::verify::Refusal;

/// Why the mock refuses a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// An auth step failed.
    Auth(Refusal),
    /// A parameter is missing, unknown, of the wrong type or out of bounds.
    BadParam { name: String, reason: String },
    /// No endpoint or grant at this path.
    UnknownPath,
    /// The endpoint does not take this method.
    MethodNotAllowed,
    /// A token request's client credentials (or a credential-derived field) are wrong.
    BadClient { field: String },
    /// A token request's authorization code or refresh token is unknown, used or expired.
    BadGrant { input: String },
    /// No grant at this path matches the request's fixed fields (`grant_type`).
    UnsupportedGrant,
    /// A token request within the spec's `min_interval_seconds` of the last one.
    RateLimited,
}

/// A class to look in, the name a code should mention, a second word it may mention, and
/// whether the first must match.
type Want<'a> = (ErrorClass, Option<&'a str>, Option<&'a str>, bool);

impl Problem {
    /// Classes to look in, in order, and the generic HTTP status when none has a code.
    fn wanted(&self) -> (Vec<Want<'_>>, u16) {
        use ErrorClass::*;
        match self {
            Problem::Auth(r) => {
                let step = Some(r.step());
                match r {
                    Refusal::Missing { .. } => (
                        vec![
                            (Caller, step, Some("null"), true),
                            (Auth, step, None, false),
                        ],
                        401,
                    ),
                    Refusal::Malformed { .. } => (
                        vec![
                            (Caller, step, Some("format"), true),
                            (Auth, step, None, false),
                        ],
                        401,
                    ),
                    Refusal::Mismatch { .. } | Refusal::Unevaluable { .. } => {
                        (vec![(Auth, step, None, false)], 401)
                    }
                    Refusal::UnknownToken { .. } => (
                        vec![(RenewToken, step, None, false), (Auth, step, None, false)],
                        401,
                    ),
                    Refusal::Stale { .. } => (
                        vec![(ClockSkew, step, None, false), (Auth, step, None, false)],
                        401,
                    ),
                    Refusal::Replayed { .. } => (
                        vec![(Resign, step, None, false), (Auth, step, None, false)],
                        401,
                    ),
                }
            }
            Problem::BadParam { name, .. } => (
                vec![(Caller, Some("param"), Some(name.as_str()), false)],
                400,
            ),
            Problem::UnknownPath => (vec![], 404),
            Problem::MethodNotAllowed => (vec![], 405),
            Problem::BadClient { field } => (vec![(Auth, Some(field.as_str()), None, false)], 401),
            Problem::BadGrant { input } => (
                vec![
                    (Reauthorize, Some(input.as_str()), None, false),
                    (Auth, Some(input.as_str()), None, false),
                ],
                400,
            ),
            Problem::UnsupportedGrant => (vec![(Caller, Some("grant"), None, false)], 400),
            Problem::RateLimited => (vec![(RateLimited, None, None, false)], 429),
        }
    }

    fn text(&self) -> String {
        match self {
            Problem::Auth(r) => format!("mock: auth refused: {r}"),
            Problem::BadParam { name, reason } => format!("mock: parameter `{name}`: {reason}"),
            Problem::UnknownPath => "mock: no endpoint at this path".into(),
            Problem::MethodNotAllowed => "mock: method not allowed".into(),
            Problem::BadClient { field } => format!("mock: client authentication (`{field}`)"),
            Problem::BadGrant { input } => format!("mock: `{input}` is not valid"),
            Problem::UnsupportedGrant => "mock: no grant matches".into(),
            Problem::RateLimited => "mock: token requested too often".into(),
        }
    }
}

/// An HTTP answer.
#[derive(Debug, Clone)]
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) body: Json,
    /// A redirect's target.
    pub(crate) location: Option<String>,
}

/// How errors of the place refused are written.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Style {
    /// In the spec's envelope (business calls, enveloped token responses).
    Envelope,
    /// OAuth2's un-enveloped `{error, error_description}` (the token response's `error` paths).
    TokenError,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Int,
    Str,
    Any,
}

fn kind_of(c: &Code) -> Kind {
    match c {
        Code::Int(_) => Kind::Int,
        Code::Str(_) => Kind::Str,
    }
}

fn envelope_kind(api: &Api) -> Kind {
    match api.envelope.as_ref().map(|e| &e.success) {
        Some(SuccessRule::CodeIn(codes)) => codes.first().map(kind_of).unwrap_or(Kind::Any),
        _ => Kind::Any,
    }
}

fn norm(s: &str) -> String {
    s.chars()
        .filter(char::is_ascii_alphanumeric)
        .flat_map(char::to_lowercase)
        .collect()
}

fn mentions(code: &ErrorCodeIr, word: Option<&str>) -> bool {
    let Some(word) = word.map(norm).filter(|w| w.len() >= 3) else {
        return false;
    };
    let name = norm(code.java_name.as_deref().unwrap_or(&code.variant));
    name.contains(&word) || norm(&code.variant).contains(&word)
}

/// The document's code for a problem, by class (see the module docs).
fn pick<'a>(
    api: &'a Api,
    class: ErrorClass,
    hint: Option<&str>,
    secondary: Option<&str>,
    hint_required: bool,
    kind: Kind,
) -> Option<&'a ErrorCodeIr> {
    let candidates: Vec<&ErrorCodeIr> = api
        .error_tables
        .iter()
        .filter(|t| !t.http_status)
        .flat_map(|t| &t.codes)
        .filter(|c| c.class == class && (kind == Kind::Any || kind_of(&c.code) == kind))
        .collect();
    let score =
        |c: &ErrorCodeIr| 2 * usize::from(mentions(c, hint)) + usize::from(mentions(c, secondary));
    let best = candidates.iter().copied().max_by_key(|c| {
        // `max_by_key` keeps the last maximum: reverse the document order in the key.
        (score(c), std::cmp::Reverse(position(api, c)))
    })?;
    if hint_required && !mentions(best, hint) {
        return None;
    }
    Some(best)
}

fn position(api: &Api, code: &ErrorCodeIr) -> usize {
    api.error_tables
        .iter()
        .flat_map(|t| &t.codes)
        .position(|c| std::ptr::eq(c, code))
        .unwrap_or(usize::MAX)
}

fn http_status_for(api: &Api, class: ErrorClass) -> Option<u16> {
    api.error_tables
        .iter()
        .filter(|t| t.http_status)
        .flat_map(|t| &t.codes)
        .find(|c| c.class == class)
        .and_then(|c| match c.code {
            Code::Int(i) => u16::try_from(i).ok(),
            Code::Str(_) => None,
        })
}

fn code_json(c: &Code) -> Json {
    match c {
        Code::Int(i) => json!(i),
        Code::Str(s) => json!(s),
    }
}

/// The answer to a problem, in `style`.
pub(crate) fn refuse(api: &Api, style: Style, problem: &Problem) -> Answer {
    let (wanted, generic_status) = problem.wanted();
    let kind = match style {
        Style::Envelope => envelope_kind(api),
        Style::TokenError => Kind::Str,
    };
    for (class, hint, secondary, required) in &wanted {
        if let Some(code) = pick(api, *class, *hint, *secondary, *required, kind) {
            let status = match style {
                Style::TokenError if code.class == ErrorClass::Auth => 401,
                Style::TokenError => 400,
                Style::Envelope => http_status_for(api, code.class).unwrap_or(200),
            };
            return Answer {
                status,
                body: error_body(api, style, Some(&code.code), &code.message),
                location: None,
            };
        }
        if let Some(status) = http_status_for(api, *class) {
            return Answer {
                status,
                body: error_body(api, style, None, &problem.text()),
                location: None,
            };
        }
    }
    Answer {
        status: generic_status,
        body: error_body(api, style, None, &problem.text()),
        location: None,
    }
}

/// A documented code as the answer to one call (`fail_with`), written as `style` says.
pub(crate) fn documented(api: &Api, style: Style, raw: &Code) -> Option<Answer> {
    for table in &api.error_tables {
        if let Some(c) = table.codes.iter().find(|c| c.code == *raw) {
            return Some(if table.http_status {
                Answer {
                    status: u16::try_from(match c.code {
                        Code::Int(i) => i,
                        Code::Str(_) => 500,
                    })
                    .unwrap_or(500),
                    body: error_body(api, style, None, &c.message),
                    location: None,
                }
            } else {
                Answer {
                    status: match style {
                        Style::TokenError if c.class == ErrorClass::Auth => 401,
                        Style::TokenError => 400,
                        Style::Envelope => http_status_for(api, c.class).unwrap_or(200),
                    },
                    body: error_body(api, style, Some(&c.code), &c.message),
                    location: None,
                }
            });
        }
    }
    None
}

fn error_body(api: &Api, style: Style, code: Option<&Code>, message: &str) -> Json {
    let mut body = json!({});
    match style {
        Style::TokenError => {
            let fields = api.token.as_ref().and_then(|t| t.response.error.as_ref());
            let code_path = fields.map(|f| f.code.as_str()).unwrap_or("error");
            set_path(
                &mut body,
                code_path,
                code.map(code_json).unwrap_or(json!("invalid_request")),
            );
            if let Some(m) = fields.and_then(|f| f.message.as_deref()) {
                set_path(&mut body, m, json!(message));
            }
        }
        Style::Envelope => match &api.envelope {
            Some(env) => {
                if let SuccessRule::FieldTrue(f) = &env.success {
                    set_path(&mut body, f, json!(false));
                }
                if let (Some(path), Some(code)) = (&env.code, code) {
                    set_path(&mut body, path, code_json(code));
                }
                if let Some(m) = env.message.first() {
                    set_path(&mut body, m, json!(message));
                }
                set_path(&mut body, &env.data, Json::Null);
            }
            None => set_path(&mut body, "message", json!(message)),
        },
    }
    body
}
