//! Checking a request's auth material by recomputing it with the runtime's value language.
//!
//! The one entry point is [`check_request`] (with [`check_fields`] for token-request fields,
//! which shares its per-value rule). Every step is evaluated with `Value::eval` over a [`Scope`]
//! built from the request — credentials, the token the mock issued, `method`, `path`, earlier
//! steps' outputs — exactly as the client's `auth::apply` evaluates it, and the result is
//! compared with what the client sent in constant time. Values the server cannot recompute are
//! taken from the request and checked instead: a time (`now`) must be within the tolerance
//! window, random digits must have the declared length and, with the request's times, must not
//! have been seen before within the window (replay).
//!
//! When the value language grows (new step kinds, values over body fields or the raw body),
//! this is the module to extend: [`Facts`] carries the request, `value_rule` says how each
//! value kind is checked.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use spec_lang::{Piece, Scope, Step, TimeUnit, UuidFormat, Value};
use spec_runtime::secrecy::SecretString;
use subtle::ConstantTimeEq;

/// Why a request's auth material was refused. Names the step, never a value.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Refusal {
    /// The step's header, query parameter or field is absent.
    Missing { step: String },
    /// The value differs from the recomputed one (wrong secret, tampered field).
    Mismatch { step: String },
    /// The step carries a token the mock did not issue, or one that expired.
    UnknownToken { step: String },
    /// The step that carries the token is absent.
    MissingToken { step: String },
    /// A time outside the tolerance window.
    Stale { step: String },
    /// Random digits (with the request's times) seen before within the window.
    Replayed { step: String },
    /// A time that is not an integer, random digits of the wrong length or not digits.
    Malformed { step: String },
    /// The value could not be computed (a variable the request does not provide).
    Unevaluable { step: String, reason: String },
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let step = self.step();
        match self {
            Refusal::Missing { .. } => write!(f, "`{step}` is missing"),
            Refusal::Mismatch { .. } => {
                write!(
                    f,
                    "`{step}` does not match the value recomputed from the spec"
                )
            }
            Refusal::UnknownToken { .. } => write!(f, "`{step}` carries no valid token"),
            Refusal::MissingToken { .. } => write!(f, "`{step}` (the token) is missing"),
            Refusal::Stale { .. } => write!(f, "`{step}` is outside the time window"),
            Refusal::Replayed { .. } => write!(f, "`{step}` was seen before (replay)"),
            Refusal::Malformed { .. } => write!(f, "`{step}` is malformed"),
            Refusal::Unevaluable { reason, .. } => {
                write!(f, "`{step}` cannot be computed: {reason}")
            }
        }
    }
}

impl Refusal {
    /// The step (header, query parameter or field name) the refusal is about.
    pub fn step(&self) -> &str {
        match self {
            Refusal::Missing { step }
            | Refusal::Mismatch { step }
            | Refusal::UnknownToken { step }
            | Refusal::MissingToken { step }
            | Refusal::Stale { step }
            | Refusal::Replayed { step }
            | Refusal::Malformed { step }
            | Refusal::Unevaluable { step, .. } => step,
        }
    }
}

/// What a token lookup found.
pub enum TokenLookup {
    /// An access token the mock issued and that is still valid, with the variables it binds
    /// (`access_token`, `refresh_token`, extras such as `user_id`).
    Valid(Vec<(String, String)>),
    /// Unknown or expired.
    Invalid,
}

/// Seen nonces (with their request's times), forgotten after the tolerance window.
#[derive(Default)]
pub struct ReplayGuard {
    seen: Mutex<HashMap<String, Instant>>,
}

impl ReplayGuard {
    /// Forgets every nonce seen.
    pub fn clear(&self) {
        self.seen.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }

    /// Records `key`; false when it was seen within `window`.
    fn first_use(&self, key: String, window: Duration) -> bool {
        let now = Instant::now();
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        seen.retain(|_, at| now.duration_since(*at) <= window);
        if seen.contains_key(&key) {
            return false;
        }
        seen.insert(key, now);
        true
    }
}

/// The request as the checks see it, plus what the mock knows.
pub struct Facts<'a> {
    /// Lowercase method, as the client binds `{method}`.
    pub method: &'a str,
    /// The path below the base URL, as the client binds `{path}`.
    pub path: &'a str,
    /// Lowercase header name → value.
    pub headers: &'a BTreeMap<String, String>,
    /// Decoded query pairs.
    pub query: &'a [(String, String)],
    /// Decoded body fields (form fields, or top-level JSON members as text).
    pub fields: &'a [(String, String)],
    /// The body exactly as received (what `{body}` and canonical strings over JSON read).
    pub body: &'a [u8],
    /// `host[:port]` the client addressed, as it binds `{host}`.
    pub host: &'a str,
    /// Credentials the mock accepts: name → (value, secret).
    pub credentials: &'a [(String, String, bool)],
    /// Further bindings (token-request inputs the caller already checked).
    pub bindings: &'a [(String, String)],
    /// Looks up an access token the mock issued.
    pub token: &'a dyn Fn(&str) -> TokenLookup,
    /// The variable a token-carrying step reads (`access_token`).
    pub token_var: &'a str,
    pub now: jiff::Timestamp,
    pub tolerance: Duration,
    pub replays: &'a ReplayGuard,
}

impl Facts<'_> {
    fn scope(&self) -> Scope {
        let mut scope = Scope::new();
        for (name, value, secret) in self.credentials {
            if *secret {
                scope.set_secret(name.clone(), SecretString::from(value.clone()));
            } else {
                scope.set(name.clone(), value.clone());
            }
        }
        scope.set("method", self.method);
        scope.set("path", self.path);
        scope.set("host", self.host);
        for (name, value) in self.bindings {
            scope.set_secret(name.clone(), SecretString::from(value.clone()));
        }
        scope
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(&name.to_ascii_lowercase())
            .map(String::as_str)
    }

    fn query_value(&self, name: &str) -> Option<&str> {
        first(self.query, name)
    }
}

/// The last pair called `name`: a step's output is appended after the request's own
/// parameters, so a duplicate name is the step's.
fn last<'v>(pairs: &'v [(String, String)], name: &str) -> Option<&'v str> {
    pairs
        .iter()
        .rev()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// Binds what step `k` of the client saw: the request as sent minus the parameters steps
/// `k..` added (their last occurrences), as `{query}`, `{body}` and the parameter collections.
fn expose_sent_so_far(steps: &[Step], k: usize, facts: &Facts<'_>, scope: &mut Scope) {
    let (mut later_query, mut later_form, mut later_json) = (Vec::new(), Vec::new(), Vec::new());
    for step in &steps[k..] {
        match step {
            Step::Query { name, .. } => later_query.push(name.as_ref()),
            Step::Form { name, .. } => later_form.push(name.as_ref()),
            Step::Json { name, .. } => later_json.push(name.as_ref()),
            _ => {}
        }
    }
    let without = |pairs: &[(String, String)], names: &[&str]| {
        let mut pairs = pairs.to_vec();
        for name in names {
            if let Some(at) = pairs.iter().rposition(|(k, _)| k == name) {
                pairs.remove(at);
            }
        }
        pairs
    };
    let query = without(facts.query, &later_query);
    let form_encode = |pairs: &[(String, String)]| {
        form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish()
    };
    let is_json = facts
        .header("content-type")
        .is_some_and(|ct| ct.starts_with("application/json"));
    let (body_text, body_pairs) = if is_json {
        match serde_json::from_slice::<serde_json::Value>(facts.body) {
            Ok(serde_json::Value::Object(mut map)) => {
                for name in &later_json {
                    map.remove(*name);
                }
                let pairs = map
                    .iter()
                    .map(|(k, v)| (k.clone(), crate::json_path::text(v)))
                    .collect();
                (serde_json::Value::Object(map).to_string(), pairs)
            }
            _ => (String::from_utf8_lossy(facts.body).into_owned(), Vec::new()),
        }
    } else if facts.body.is_empty() {
        (String::new(), Vec::new())
    } else {
        let pairs = without(facts.fields, &later_form);
        (form_encode(&pairs), pairs)
    };
    scope.set("query", form_encode(&query));
    scope.set("body", body_text);
    scope.set_params(query, body_pairs);
}

fn first<'v>(pairs: &'v [(String, String)], name: &str) -> Option<&'v str> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// Checks every `auth.apply` step of a request, in order, as the client applied them.
pub fn check_request(steps: &[Step], facts: &Facts<'_>) -> Result<(), Refusal> {
    let mut scope = facts.scope();
    bind_token(steps, facts, &mut scope)?;
    let mut seen = Seen::default();
    for (k, step) in steps.iter().enumerate() {
        // Rebuilding the request as it was before this step (a JSON body re-parsed) is only
        // needed for a step that reads it.
        if step.reads_request() {
            expose_sent_so_far(steps, k, facts, &mut scope);
        }
        match step {
            Step::Header { name, value } => {
                let got = facts.header(name).ok_or_else(|| missing(name))?;
                check_value(name, value, got, &scope, facts, &mut seen)?;
                bind(&mut scope, name, got);
            }
            Step::Query { name, value } => {
                let got = last(facts.query, name).ok_or_else(|| missing(name))?;
                check_value(name, value, got, &scope, facts, &mut seen)?;
                bind(&mut scope, name, got);
            }
            Step::Form { name, value } | Step::Json { name, value } => {
                let got = last(facts.fields, name).ok_or_else(|| missing(name))?;
                check_value(name, value, got, &scope, facts, &mut seen)?;
                bind(&mut scope, name, got);
            }
            Step::Basic { username, password } => {
                // Refusals name the step `Basic` (it has no name of its own; the header is
                // `Authorization`), which also lets a code such as `InvalidBasicAuth` match.
                const NAME: &str = "Basic";
                let got = facts.header("Authorization").ok_or_else(|| missing(NAME))?;
                let user = eval(NAME, username, &scope, facts, seen.now)?;
                let pass = eval(NAME, password, &scope, facts, seen.now)?;
                let want = format!("Basic {}", BASE64.encode(format!("{user}:{pass}")));
                if !same(&want, got) {
                    return Err(Refusal::Mismatch { step: NAME.into() });
                }
            }
        }
    }
    if seen.has_nonce
        && !facts
            .replays
            .first_use(seen.replay_key.join("\u{1f}"), facts.tolerance)
    {
        let step = steps
            .iter()
            .find_map(|s| match s {
                Step::Header { name, value }
                | Step::Query { name, value }
                | Step::Form { name, value }
                | Step::Json { name, value }
                    if has_random(value) =>
                {
                    Some(name.as_ref())
                }
                _ => None,
            })
            .unwrap_or("nonce");
        return Err(Refusal::Replayed { step: step.into() });
    }
    Ok(())
}

/// Checks token-request fields (`auth.token.grants.*.fields`) against the received body or
/// query fields, with the same rule per value as [`check_request`].
pub fn check_fields(fields: &[(String, Value)], facts: &Facts<'_>) -> Result<(), Refusal> {
    let scope = facts.scope();
    let mut seen = Seen::default();
    for (name, value) in fields {
        let got = first(facts.fields, name)
            .or_else(|| facts.query_value(name))
            .ok_or_else(|| missing(name))?;
        check_value(name, value, got, &scope, facts, &mut seen)?;
    }
    Ok(())
}

/// The part of a single-variable template a request carries: `Bearer {access_token}` → the
/// token. `None` when `value` is not such a template or `got` does not fit its literals.
pub fn extract_single_var<'g>(value: &Value, var: &str, got: &'g str) -> Option<&'g str> {
    let Value::Template(pieces) = value else {
        return None;
    };
    let vars = pieces.iter().filter(|p| matches!(p, Piece::Var(_))).count();
    let at = pieces
        .iter()
        .position(|p| matches!(p, Piece::Var(v) if *v == var))?;
    if vars != 1 {
        return None;
    }
    let lit = |ps: &[Piece]| {
        ps.iter()
            .map(|p| match p {
                Piece::Lit(s) => s.as_ref(),
                Piece::Var(_) => "",
            })
            .collect::<String>()
    };
    let (prefix, suffix) = (lit(&pieces[..at]), lit(&pieces[at + 1..]));
    got.strip_prefix(prefix.as_str())?
        .strip_suffix(suffix.as_str())
}

/// Finds the step that carries the token, looks the token up and binds what it carries.
fn bind_token(steps: &[Step], facts: &Facts<'_>, scope: &mut Scope) -> Result<(), Refusal> {
    for step in steps {
        let (name, value, got) = match step {
            Step::Header { name, value } => (name.as_ref(), value, facts.header(name)),
            Step::Query { name, value } => (name.as_ref(), value, facts.query_value(name)),
            _ => continue,
        };
        let Value::Template(pieces) = value else {
            continue;
        };
        if !pieces
            .iter()
            .any(|p| matches!(p, Piece::Var(v) if *v == facts.token_var))
        {
            continue;
        }
        // No token at all: the client should obtain one (answered as an unknown token unless
        // the spec declares a code for the missing step).
        let got = got.ok_or_else(|| Refusal::MissingToken { step: name.into() })?;
        let token = extract_single_var(value, facts.token_var, got)
            .ok_or_else(|| Refusal::UnknownToken { step: name.into() })?;
        return match (facts.token)(token) {
            TokenLookup::Valid(vars) => {
                for (k, v) in vars {
                    scope.set_secret(k, SecretString::from(v));
                }
                Ok(())
            }
            TokenLookup::Invalid => Err(Refusal::UnknownToken { step: name.into() }),
        };
    }
    Ok(())
}

/// How one value is checked: recomputed, or taken from the request and checked.
enum ValueRule<'v> {
    Recompute,
    Time(TimeUnit),
    /// A time formatted in a zone (`yyyy-MM-dd HH:mm:ss` in China time).
    FormattedTime {
        format: &'v str,
        zone: &'v str,
    },
    Digits(u8),
    Uuid(UuidFormat),
}

fn value_rule(value: &Value) -> ValueRule<'_> {
    match value {
        Value::Now(unit) => ValueRule::Time(*unit),
        Value::Time(format, zone) => ValueRule::FormattedTime { format, zone },
        Value::RandomDigits(n) => ValueRule::Digits(*n),
        Value::Uuid(format) => ValueRule::Uuid(*format),
        _ => ValueRule::Recompute,
    }
}

/// The instant a formatted time names, read back with its own format and zone.
fn parse_formatted(format: &str, zone: &str, text: &str) -> Option<jiff::Timestamp> {
    let parsed = jiff::fmt::strtime::parse(format, text).ok()?;
    if let Ok(ts) = parsed.to_timestamp() {
        return Some(ts);
    }
    let civil = parsed.to_datetime().ok()?;
    civil.in_tz(zone).ok().map(|z| z.timestamp())
}

/// What the checks of one request have read so far.
#[derive(Default)]
struct Seen {
    /// The request's times and random digits, as sent: with them a nonce is a replay.
    replay_key: Vec<String>,
    has_nonce: bool,
    /// The first time the request carries: the instant the client evaluated every step at
    /// (the runtime applies all steps with one `now`), so a `now` inside another value is
    /// recomputed with it.
    now: Option<jiff::Timestamp>,
}

/// A value the server cannot recompute: it reads the clock or draws random digits.
fn is_hole(value: &Value) -> bool {
    matches!(
        value,
        Value::Now(_) | Value::Time(..) | Value::RandomDigits(_) | Value::Uuid(_)
    )
}

/// Whether a hole occurs anywhere in the value.
fn contains_hole(value: &Value) -> bool {
    let mut found = false;
    value.visit(&mut |v| found |= is_hole(v));
    found
}

fn has_random(value: &Value) -> bool {
    match value {
        Value::RandomDigits(_) => true,
        Value::Concat(parts) => parts.iter().any(has_random),
        _ => false,
    }
}

/// How many characters a hole takes in the sent text, judged by the mock's clock (a time
/// within the window has as many digits, a formatted one the same width).
fn hole_width(value: &Value, now: jiff::Timestamp) -> Option<usize> {
    match value {
        Value::RandomDigits(n) => Some(usize::from(*n)),
        Value::Uuid(UuidFormat::Hyphenated) => Some(36),
        Value::Uuid(_) => Some(32),
        Value::Now(TimeUnit::Seconds) => Some(now.as_second().to_string().len()),
        Value::Now(TimeUnit::Millis) => Some(now.as_millisecond().to_string().len()),
        Value::Time(format, zone) => {
            let zoned = now.in_tz(zone).ok()?;
            jiff::fmt::strtime::format(format.as_ref(), &zoned)
                .ok()
                .map(|t| t.len())
        }
        _ => None,
    }
}

fn check_value(
    name: &str,
    value: &Value,
    got: &str,
    scope: &Scope,
    facts: &Facts<'_>,
    seen: &mut Seen,
) -> Result<(), Refusal> {
    let step = || name.to_owned();
    match value_rule(value) {
        ValueRule::Recompute => {
            if let Value::Concat(parts) = value
                && parts.iter().any(is_hole)
                && !parts.iter().any(|p| !is_hole(p) && contains_hole(p))
            {
                return check_pattern(name, parts, got, scope, facts, seen);
            }
            let want = eval(name, value, scope, facts, seen.now)?;
            if same(&want, got) {
                Ok(())
            } else {
                Err(Refusal::Mismatch { step: step() })
            }
        }
        ValueRule::Time(unit) => {
            let sent: i64 = got
                .parse()
                .map_err(|_| Refusal::Malformed { step: step() })?;
            let now = match unit {
                TimeUnit::Seconds => facts.now.as_second(),
                TimeUnit::Millis => facts.now.as_millisecond(),
            };
            let per_second: i64 = if unit == TimeUnit::Seconds { 1 } else { 1000 };
            let tolerance = i64::try_from(facts.tolerance.as_millis())
                .unwrap_or(i64::MAX)
                .saturating_mul(per_second)
                / 1000;
            if now.abs_diff(sent) > tolerance.unsigned_abs() {
                return Err(Refusal::Stale { step: step() });
            }
            let at = match unit {
                TimeUnit::Seconds => jiff::Timestamp::from_second(sent),
                TimeUnit::Millis => jiff::Timestamp::from_millisecond(sent),
            };
            if seen.now.is_none() {
                seen.now = at.ok();
            }
            seen.replay_key.push(format!("{name}={got}"));
            Ok(())
        }
        ValueRule::FormattedTime { format, zone } => {
            let sent = parse_formatted(format, zone, got)
                .ok_or_else(|| Refusal::Malformed { step: step() })?;
            let drift = facts.now.as_millisecond().abs_diff(sent.as_millisecond());
            if u128::from(drift) > facts.tolerance.as_millis() {
                return Err(Refusal::Stale { step: step() });
            }
            if seen.now.is_none() {
                seen.now = Some(sent);
            }
            seen.replay_key.push(format!("{name}={got}"));
            Ok(())
        }
        ValueRule::Digits(n) => {
            if got.len() != usize::from(n) || !got.bytes().all(|b| b.is_ascii_digit()) {
                return Err(Refusal::Malformed { step: step() });
            }
            seen.has_nonce = true;
            seen.replay_key.push(format!("{name}={got}"));
            Ok(())
        }
        ValueRule::Uuid(format) => {
            if !is_v4_uuid(format, got) {
                return Err(Refusal::Malformed { step: step() });
            }
            seen.has_nonce = true;
            seen.replay_key.push(format!("{name}={got}"));
            Ok(())
        }
    }
}

/// A random (version 4, RFC 9562 variant) UUID in lowercase hex, written as `format` says.
fn is_v4_uuid(format: UuidFormat, text: &str) -> bool {
    let hex: String = match format {
        UuidFormat::Hyphenated => {
            let groups: Vec<&str> = text.split('-').collect();
            if groups.iter().map(|g| g.len()).collect::<Vec<_>>() != [8, 4, 4, 4, 12] {
                return false;
            }
            groups.concat()
        }
        _ => text.to_owned(),
    };
    hex.len() == 32
        && hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        && hex.as_bytes()[12] == b'4'
        && matches!(hex.as_bytes()[16], b'8' | b'9' | b'a' | b'b')
}

/// A concatenation with times or random digits among its parts (`{ concat: [{ now: millis },
/// { random_digits: 18 }] }`): the recomputable parts must appear as computed, each hole is
/// cut out by its width and checked by its own rule.
fn check_pattern(
    name: &str,
    parts: &[Value],
    got: &str,
    scope: &Scope,
    facts: &Facts<'_>,
    seen: &mut Seen,
) -> Result<(), Refusal> {
    let mismatch = || Refusal::Mismatch {
        step: name.to_owned(),
    };
    let mut at = 0;
    for (i, part) in parts.iter().enumerate() {
        let rest = got.get(at..).ok_or_else(mismatch)?;
        if is_hole(part) {
            let width = if i + 1 == parts.len() {
                rest.len()
            } else {
                hole_width(part, facts.now).ok_or_else(mismatch)?
            };
            let piece = rest.get(..width).ok_or_else(|| Refusal::Malformed {
                step: name.to_owned(),
            })?;
            check_value(name, part, piece, scope, facts, seen)?;
            at += width;
        } else {
            let want = eval(name, part, scope, facts, seen.now)?;
            if !rest.starts_with(want.as_str()) {
                return Err(mismatch());
            }
            at += want.len();
        }
    }
    if at == got.len() {
        Ok(())
    } else {
        Err(mismatch())
    }
}

/// Evaluates with the request's own time when it carries one (see [`Seen::now`]).
fn eval(
    name: &str,
    value: &Value,
    scope: &Scope,
    facts: &Facts<'_>,
    now: Option<jiff::Timestamp>,
) -> Result<String, Refusal> {
    value
        .eval(scope, now.unwrap_or(facts.now))
        .map_err(|e| Refusal::Unevaluable {
            step: name.to_owned(),
            reason: e.to_string(),
        })
}

/// Constant-time equality (length differences end it early, as in any MAC check).
fn same(want: &str, got: &str) -> bool {
    want.as_bytes().ct_eq(got.as_bytes()).into()
}

fn missing(name: &str) -> Refusal {
    Refusal::Missing {
        step: name.to_owned(),
    }
}

/// A step's output is bound for later steps unless the name is taken (the runtime's rule).
fn bind(scope: &mut Scope, name: &str, value: &str) {
    if scope.get(name).is_none() {
        scope.set_secret(name.to_owned(), SecretString::from(value.to_owned()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use spec_lang::Target;

    fn var(name: &'static str) -> Value {
        Value::template(&[Piece::Var(name.into())])
    }

    /// jfwms's recipe, written directly in the runtime's language.
    fn jfwms_steps() -> Vec<Step> {
        let pairs = [
            ("accessToken", "access_token"),
            ("clientId", "client_id"),
            ("method", "method"),
            ("nonce", "nonce"),
            ("timestamp", "timestamp"),
            ("url", "path"),
            ("userId", "user_id"),
        ];
        vec![
            Step::named(Target::Header, "accessToken", var("access_token")),
            Step::named(Target::Header, "clientId", var("client_id")),
            Step::named(Target::Header, "timestamp", Value::Now(TimeUnit::Millis)),
            Step::named(Target::Header, "nonce", Value::RandomDigits(2)),
            Step::named(Target::Header, "userId", var("user_id")),
            Step::named(
                Target::Header,
                "sign",
                Value::hmac_sha256_hex(
                    var("client_secret"),
                    Value::sorted_pairs(
                        "&",
                        pairs.iter().map(|(k, v)| ((*k).into(), var(v))).collect(),
                    ),
                ),
            ),
        ]
    }

    /// The document's signature vector (四、调用业务接口 3、签名生成方式).
    fn document_headers() -> BTreeMap<String, String> {
        [
            ("accesstoken", "1b56814f081c432cb82751be145261d3"),
            ("clientid", "fe73489a9b5948dbafd07e7b28d6e268"),
            ("timestamp", "1692889556000"),
            ("nonce", "14"),
            ("userid", "8"),
            (
                "sign",
                "9bc08ba7552c5dfea4efab6bda78a4a9738010913f2403bd93f09c6bf974b939",
            ),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
    }

    fn check(
        headers: &BTreeMap<String, String>,
        now_ms: i64,
        replays: &ReplayGuard,
    ) -> Result<(), Refusal> {
        let credentials = [
            (
                "client_id".to_owned(),
                "fe73489a9b5948dbafd07e7b28d6e268".to_owned(),
                false,
            ),
            (
                "client_secret".to_owned(),
                "4a506ccaf37e400bac4a42d2dc5f600a".to_owned(),
                true,
            ),
        ];
        let token = |t: &str| {
            if t == "1b56814f081c432cb82751be145261d3" {
                TokenLookup::Valid(vec![
                    ("access_token".into(), t.into()),
                    ("user_id".into(), "8".into()),
                ])
            } else {
                TokenLookup::Invalid
            }
        };
        let facts = Facts {
            method: "post",
            path: "/api/order/get",
            headers,
            query: &[],
            fields: &[],
            body: &[],
            host: "127.0.0.1",
            credentials: &credentials,
            bindings: &[],
            token: &token,
            token_var: "access_token",
            now: jiff::Timestamp::from_millisecond(now_ms).expect("in range"),
            tolerance: Duration::from_secs(300),
            replays,
        };
        check_request(&jfwms_steps(), &facts)
    }

    const AT: i64 = 1_692_889_556_000;

    #[test]
    fn the_documents_vector_passes_once_then_is_a_replay() {
        let replays = ReplayGuard::default();
        assert_eq!(check(&document_headers(), AT + 1000, &replays), Ok(()));
        assert_eq!(
            check(&document_headers(), AT + 2000, &replays),
            Err(Refusal::Replayed {
                step: "nonce".into()
            })
        );
    }

    #[test]
    fn every_tampered_value_is_refused_by_name() {
        let cases = [
            (
                "sign",
                "0".repeat(64),
                Refusal::Mismatch {
                    step: "sign".into(),
                },
            ),
            (
                "userid",
                "9".into(),
                Refusal::Mismatch {
                    step: "userId".into(),
                },
            ),
            (
                "nonce",
                "07".into(),
                Refusal::Mismatch {
                    step: "sign".into(),
                },
            ),
            (
                "nonce",
                "147".into(),
                Refusal::Malformed {
                    step: "nonce".into(),
                },
            ),
            (
                "timestamp",
                "soon".into(),
                Refusal::Malformed {
                    step: "timestamp".into(),
                },
            ),
            (
                "clientid",
                "other".into(),
                Refusal::Mismatch {
                    step: "clientId".into(),
                },
            ),
            (
                "accesstoken",
                "other".into(),
                Refusal::UnknownToken {
                    step: "accessToken".into(),
                },
            ),
        ];
        for (header, value, want) in cases {
            let mut headers = document_headers();
            headers.insert(header.into(), value);
            assert_eq!(
                check(&headers, AT, &ReplayGuard::default()),
                Err(want),
                "{header}"
            );
        }
        let mut headers = document_headers();
        headers.remove("sign");
        assert_eq!(
            check(&headers, AT, &ReplayGuard::default()),
            Err(Refusal::Missing {
                step: "sign".into()
            })
        );
    }

    #[test]
    fn times_outside_the_window_are_stale() {
        for now in [AT + 300_001, AT - 300_001] {
            assert_eq!(
                check(&document_headers(), now, &ReplayGuard::default()),
                Err(Refusal::Stale {
                    step: "timestamp".into()
                })
            );
        }
        assert_eq!(
            check(&document_headers(), AT + 300_000, &ReplayGuard::default()),
            Ok(())
        );
    }

    /// `requestID: { concat: [{ now: millis }, { random_digits: 18 }] }`, a signature over it,
    /// and a `now` inside a digest (recomputed with the request's own time).
    fn request_id_steps() -> Vec<Step> {
        vec![
            Step::named(Target::Header, "timestamp", Value::Now(TimeUnit::Millis)),
            Step::named(
                Target::Header,
                "requestID",
                Value::concat(vec![Value::Now(TimeUnit::Millis), Value::RandomDigits(18)]),
            ),
            Step::named(
                Target::Header,
                "sign",
                Value::md5_hex(Value::concat(vec![var("client_secret"), var("requestID")])),
            ),
            Step::named(
                Target::Header,
                "stamp",
                Value::md5_hex(Value::concat(vec![
                    Value::Now(TimeUnit::Millis),
                    var("client_id"),
                ])),
            ),
        ]
    }

    fn check_request_id(headers: &BTreeMap<String, String>, now_ms: i64) -> Result<(), Refusal> {
        let credentials = [
            ("client_id".to_owned(), "id".to_owned(), false),
            ("client_secret".to_owned(), "secret".to_owned(), true),
        ];
        let token = |_: &str| TokenLookup::Invalid;
        let replays = ReplayGuard::default();
        let facts = Facts {
            method: "post",
            path: "/x",
            headers,
            query: &[],
            fields: &[],
            body: &[],
            host: "127.0.0.1",
            credentials: &credentials,
            bindings: &[],
            token: &token,
            token_var: "access_token",
            now: jiff::Timestamp::from_millisecond(now_ms).expect("in range"),
            tolerance: Duration::from_secs(300),
            replays: &replays,
        };
        check_request(&request_id_steps(), &facts)
    }

    fn request_id_headers(sent_ms: i64, digits: &str) -> BTreeMap<String, String> {
        let md5 = |text: String| {
            let mut scope = Scope::new();
            scope.set("t", text);
            Value::md5_hex(var("t"))
                .eval(&scope, jiff::Timestamp::UNIX_EPOCH)
                .expect("md5")
        };
        let request_id = format!("{sent_ms}{digits}");
        [
            ("timestamp", sent_ms.to_string()),
            ("requestid", request_id.clone()),
            ("sign", md5(format!("secret{request_id}"))),
            ("stamp", md5(format!("{sent_ms}id"))),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect()
    }

    #[test]
    fn a_concatenation_of_a_time_and_random_digits_is_rechecked_part_by_part() {
        let digits = "123456789012345678";
        assert_eq!(
            check_request_id(&request_id_headers(AT, digits), AT + 2000),
            Ok(())
        );
        let step = |s: &str| s.to_owned();
        let mut stale = request_id_headers(AT - 400_000, digits);
        stale.insert("timestamp".into(), AT.to_string());
        assert_eq!(
            check_request_id(&stale, AT),
            Err(Refusal::Stale {
                step: step("requestID")
            })
        );
        let short = request_id_headers(AT, "1234");
        assert_eq!(
            check_request_id(&short, AT),
            Err(Refusal::Malformed {
                step: step("requestID")
            })
        );
        let mut tampered = request_id_headers(AT, digits);
        tampered.insert("requestid".into(), format!("{AT}{}", "9".repeat(18)));
        assert_eq!(
            check_request_id(&tampered, AT),
            Err(Refusal::Mismatch { step: step("sign") })
        );
        let mut moved = request_id_headers(AT, digits);
        moved.insert(
            "stamp".into(),
            request_id_headers(AT + 1, digits)["stamp"].clone(),
        );
        assert_eq!(
            check_request_id(&moved, AT),
            Err(Refusal::Mismatch {
                step: step("stamp")
            }),
            "a `now` inside a digest is the request's own time"
        );
    }

    #[test]
    fn single_variable_templates_give_their_variable_back() {
        let bearer = Value::template(&[
            Piece::Lit("Bearer ".into()),
            Piece::Var("access_token".into()),
        ]);
        assert_eq!(
            extract_single_var(&bearer, "access_token", "Bearer abc"),
            Some("abc")
        );
        assert_eq!(
            extract_single_var(&bearer, "access_token", "Basic abc"),
            None
        );
        assert_eq!(extract_single_var(&bearer, "other", "Bearer abc"), None);
    }
}
