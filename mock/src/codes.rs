//! What the mock answers when it refuses a request: a code from the document's error tables,
//! in the spec's envelope, with the failure kind, step and reason in the `x-mock-refusal`
//! header.
//!
//! The code is the one the spec declares for the failure (`mock_refusal` on an error code:
//! first a rule for the failing step or parameter, then one for the kind alone; see
//! [`Problem::declared_keys`]). Only when the spec declares none is it chosen by class and name,
//! as follows (and `codegen check` warns about the missing declaration).
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

use codegen::ir::{Api, Code, ErrorClass, ErrorCodeIr, MockRefusal, SuccessRule};
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
                    Refusal::UnknownToken { .. } | Refusal::MissingToken { .. } => (
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

    /// The spec's name for this failure (`mock_refusal` kinds).
    pub fn kind(&self) -> MockRefusal {
        match self {
            Problem::Auth(r) => match r {
                Refusal::Missing { .. } => MockRefusal::Missing,
                Refusal::Mismatch { .. } | Refusal::Unevaluable { .. } => MockRefusal::BadSignature,
                Refusal::UnknownToken { .. } | Refusal::MissingToken { .. } => {
                    MockRefusal::UnknownToken
                }
                Refusal::Stale { .. } => MockRefusal::StaleTime,
                Refusal::Replayed { .. } => MockRefusal::ReplayedNonce,
                Refusal::Malformed { .. } => MockRefusal::Malformed,
            },
            Problem::BadParam { reason, .. } if reason == REQUIRED => MockRefusal::Missing,
            Problem::BadParam { .. } => MockRefusal::BadParameter,
            Problem::UnknownPath => MockRefusal::UnknownPath,
            Problem::MethodNotAllowed => MockRefusal::MethodNotAllowed,
            Problem::BadClient { .. } => MockRefusal::BadClient,
            Problem::BadGrant { .. } => MockRefusal::BadGrant,
            Problem::UnsupportedGrant => MockRefusal::UnsupportedGrant,
            Problem::RateLimited => MockRefusal::RateLimited,
        }
    }

    /// The step, parameter, client field or grant input at fault, if any.
    pub fn step(&self) -> Option<&str> {
        match self {
            Problem::Auth(r) => Some(r.step()),
            Problem::BadParam { name, .. } => Some(name),
            Problem::BadClient { field } => Some(field),
            Problem::BadGrant { input } => Some(input),
            _ => None,
        }
    }

    /// The `mock_refusal` rules to look for, most specific first: the kind for this step, then
    /// the kind alone. An absent token is first a `missing` of its step, then an unknown token.
    pub fn declared_keys(&self) -> Vec<(MockRefusal, Option<&str>)> {
        let kind = self.kind();
        match (self, self.step()) {
            (Problem::Auth(Refusal::MissingToken { step }), _) => vec![
                (MockRefusal::Missing, Some(step.as_str())),
                (kind, Some(step.as_str())),
                (kind, None),
            ],
            (_, Some(step)) => vec![(kind, Some(step)), (kind, None)],
            (_, None) => vec![(kind, None)],
        }
    }

    /// Why, in words (names steps and parameters, never a value).
    pub fn text(&self) -> String {
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

/// The reason text of a missing required parameter (`Problem::BadParam`).
pub(crate) const REQUIRED: &str = "required";

/// An HTTP answer.
#[derive(Debug, Clone)]
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) body: Json,
    /// A redirect's target.
    pub(crate) location: Option<String>,
    /// Why the request was refused (the `x-mock-refusal` header and the log line).
    pub(crate) refusal: Option<Box<RefusalNote>>,
}

impl Answer {
    pub(crate) fn ok(status: u16, body: Json) -> Answer {
        Answer {
            status,
            body,
            location: None,
            refusal: None,
        }
    }
}

/// What a refusal's header and log line say. Holds no value of the request.
#[derive(Debug, Clone)]
pub(crate) struct RefusalNote {
    pub(crate) kind: MockRefusal,
    pub(crate) step: Option<String>,
    pub(crate) reason: String,
    /// The code answered, if any.
    pub(crate) code: Option<String>,
    /// The code came from the spec's `mock_refusal` (not from the class fallback).
    pub(crate) declared: bool,
}

impl RefusalNote {
    /// The `x-mock-refusal` header: `bad_signature; step=sign; code=10026 (declared);
    /// reason=...`, printable ASCII (other characters escaped as `\u{..}`).
    pub(crate) fn header(&self) -> String {
        let mut out = self.kind.as_str().to_owned();
        if let Some(step) = &self.step {
            out.push_str(&format!("; step={step}"));
        }
        match (&self.code, self.declared) {
            (Some(code), true) => out.push_str(&format!("; code={code} (declared)")),
            (Some(code), false) => out.push_str(&format!("; code={code} (by class)")),
            (None, _) => {}
        }
        out.push_str(&format!("; reason={}", self.reason));
        out.chars()
            .map(|c| {
                if c == ' ' || c.is_ascii_graphic() {
                    c.to_string()
                } else {
                    format!("\\u{{{:x}}}", u32::from(c))
                }
            })
            .collect()
    }
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

/// The code the spec declares for a problem (`mock_refusal`), as an answer in `style`.
fn declared(
    api: &Api,
    style: Style,
    problem: &Problem,
    kind: Kind,
) -> Option<(Answer, Code, MockRefusal)> {
    for (want, step) in problem.declared_keys() {
        for table in &api.error_tables {
            let declares = |c: &&ErrorCodeIr| {
                c.mock_refusal
                    .iter()
                    .any(|r| r.kind() == want && r.step() == step)
            };
            for code in table.codes.iter().filter(declares) {
                if table.http_status {
                    let Code::Int(status) = code.code else {
                        continue;
                    };
                    let Ok(status) = u16::try_from(status) else {
                        continue;
                    };
                    let body = error_body(api, style, None, &code.message);
                    return Some((Answer::ok(status, body), code.code.clone(), want));
                }
                if kind != Kind::Any && kind_of(&code.code) != kind {
                    continue;
                }
                let status = match style {
                    Style::TokenError if code.class == ErrorClass::Auth => 401,
                    Style::TokenError => 400,
                    Style::Envelope => http_status_for(api, code.class).unwrap_or(200),
                };
                let body = error_body(api, style, Some(&code.code), &code.message);
                return Some((Answer::ok(status, body), code.code.clone(), want));
            }
        }
    }
    None
}

fn code_text(c: &Code) -> String {
    match c {
        Code::Int(i) => i.to_string(),
        Code::Str(s) => s.clone(),
    }
}

/// The answer to a problem, in `style`, with its [`RefusalNote`].
pub(crate) fn refuse(api: &Api, style: Style, problem: &Problem) -> Answer {
    let (mut answer, code, matched) = answer_for(api, style, problem);
    answer.refusal = Some(Box::new(RefusalNote {
        kind: matched.unwrap_or_else(|| problem.kind()),
        step: problem.step().map(str::to_owned),
        reason: problem.text(),
        code: code.as_ref().map(code_text),
        declared: matched.is_some(),
    }));
    answer
}

/// The answer, its code, and the declared kind that chose it (`None`: chosen by class).
fn answer_for(
    api: &Api,
    style: Style,
    problem: &Problem,
) -> (Answer, Option<Code>, Option<MockRefusal>) {
    let kind = match style {
        Style::Envelope => envelope_kind(api),
        Style::TokenError => Kind::Str,
    };
    if let Some((answer, code, matched)) = declared(api, style, problem, kind) {
        return (answer, Some(code), Some(matched));
    }
    let (wanted, generic_status) = problem.wanted();
    for (class, hint, secondary, required) in &wanted {
        if let Some(code) = pick(api, *class, *hint, *secondary, *required, kind) {
            let status = match style {
                Style::TokenError if code.class == ErrorClass::Auth => 401,
                Style::TokenError => 400,
                Style::Envelope => http_status_for(api, code.class).unwrap_or(200),
            };
            let body = error_body(api, style, Some(&code.code), &code.message);
            return (Answer::ok(status, body), Some(code.code.clone()), None);
        }
        if let Some(status) = http_status_for(api, *class) {
            let body = error_body(api, style, None, &problem.text());
            return (Answer::ok(status, body), None, None);
        }
    }
    let body = error_body(api, style, None, &problem.text());
    (Answer::ok(generic_status, body), None, None)
}

/// A documented code as the answer to one call (`fail_with`), written as `style` says.
pub(crate) fn documented(api: &Api, style: Style, raw: &Code) -> Option<Answer> {
    for table in &api.error_tables {
        if let Some(c) = table.codes.iter().find(|c| c.code == *raw) {
            return Some(if table.http_status {
                let status = u16::try_from(match c.code {
                    Code::Int(i) => i,
                    Code::Str(_) => 500,
                })
                .unwrap_or(500);
                Answer::ok(status, error_body(api, style, None, &c.message))
            } else {
                let status = match style {
                    Style::TokenError if c.class == ErrorClass::Auth => 401,
                    Style::TokenError => 400,
                    Style::Envelope => http_status_for(api, c.class).unwrap_or(200),
                };
                Answer::ok(status, error_body(api, style, Some(&c.code), &c.message))
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
