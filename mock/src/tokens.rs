//! Token grants as the spec declares them: client authentication, fields recomputed with the
//! value language, authorization codes and refresh tokens the mock issued, lifetimes, the
//! minimum interval between token requests, and the token answer in the spec's shape.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use codegen::ir::{BodyEncoding, ClientAuth, ParsesAs};
use serde_json::{Value as Json, json};
use subtle::ConstantTimeEq;

use crate::codes::{Answer, Problem, Style, refuse};
use crate::json_path::{get_path, set_path, text};
use crate::server::{Incoming, Shared};
use crate::spec::MockGrant;
use crate::synth::{is_success, wrap};
use crate::verify::{self, Facts, Refusal, TokenLookup};

/// What the mock issued.
#[derive(Default)]
pub(crate) struct Issued {
    access: HashMap<String, AccessToken>,
    refresh: HashMap<String, (Instant, Vec<(String, String)>)>,
    codes: HashMap<String, Instant>,
    last_token_request: Option<Instant>,
}

struct AccessToken {
    expires: Instant,
    refresh: Option<String>,
    extra: Vec<(String, String)>,
}

impl Issued {
    /// The variables a valid access token binds.
    pub(crate) fn lookup(&self, token: &str) -> TokenLookup {
        match self.access.get(token) {
            Some(t) if t.expires > Instant::now() => {
                let mut vars = vec![("access_token".to_owned(), token.to_owned())];
                if let Some(r) = &t.refresh {
                    vars.push(("refresh_token".to_owned(), r.clone()));
                }
                vars.extend(t.extra.iter().cloned());
                TokenLookup::Valid(vars)
            }
            _ => TokenLookup::Invalid,
        }
    }

    /// A single-use authorization code valid for `lifetime`.
    pub(crate) fn new_code(&mut self, lifetime: Duration) -> String {
        let code = random_hex(16);
        self.codes.insert(code.clone(), Instant::now() + lifetime);
        code
    }

    /// Makes every access token the mock issued expire (a test of renewal).
    pub(crate) fn expire_access_tokens(&mut self) {
        let now = Instant::now();
        for t in self.access.values_mut() {
            t.expires = now;
        }
    }
}

pub(crate) fn random_hex(bytes: usize) -> String {
    use rand::RngExt;
    let mut rng = rand::rng();
    (0..bytes)
        .map(|_| format!("{:02x}", rng.random::<u8>()))
        .collect()
}

fn lookup_field<'f>(fields: &'f [(String, String)], name: &str) -> Option<&'f str> {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// How the token endpoint writes its errors.
pub(crate) fn style(shared: &Shared) -> Style {
    match &shared.spec.api.token {
        Some(t) if !t.response.enveloped && t.response.error.is_some() => Style::TokenError,
        _ => Style::Envelope,
    }
}

/// Answers a token request at a grant path.
pub(crate) fn grant(
    shared: &Shared,
    candidates: &[&MockGrant],
    req: &Incoming,
) -> Result<Answer, Answer> {
    let api = &shared.spec.api;
    let refuse = |p: Problem| Err(refuse(api, style(shared), &p));
    let Some(token_spec) = &api.token else {
        return refuse(Problem::UnknownPath);
    };
    let Some(first) = candidates.first() else {
        return refuse(Problem::UnknownPath);
    };
    let fields = match first.encoding() {
        BodyEncoding::Query => req.query.clone(),
        BodyEncoding::Form => req.form(),
        BodyEncoding::Json => match req.json_fields() {
            Some(f) => f,
            None => {
                return refuse(Problem::BadParam {
                    name: "body".into(),
                    reason: "not a JSON object".into(),
                });
            }
        },
    };
    let field = |name: &str| lookup_field(&fields, name);
    let Some(grant) = candidates.iter().find(|g| {
        g.literal_fields()
            .all(|(k, v)| field(k).is_some_and(|got| got == v))
    }) else {
        return refuse(Problem::UnsupportedGrant);
    };

    let min_interval = token_spec
        .policy
        .min_interval_seconds
        .map(Duration::from_secs);
    {
        let issued = shared.issued();
        if let (Some(min), Some(last)) = (min_interval, issued.last_token_request)
            && last.elapsed() < min
        {
            return refuse(Problem::RateLimited);
        }
    }

    if let Err(p) = client_auth(shared, grant, req, &fields) {
        return refuse(p);
    }

    // Inputs (`{code}`, `{refresh_token}`, `{redirect_uri}`) are taken from the request; the
    // ones the mock issued are checked and, for codes, used up.
    let mut bindings = Vec::new();
    let mut carried_refresh = None;
    for input in &grant.ir.inputs {
        let got = grant.fields().iter().find_map(|(name, value)| {
            verify::extract_single_var(value, input, field(name)?).map(str::to_owned)
        });
        let Some(got) = got else {
            return refuse(Problem::BadGrant {
                input: input.clone(),
            });
        };
        let mut issued = shared.issued();
        let valid = match input.as_str() {
            "code" => issued
                .codes
                .remove(&got)
                .is_some_and(|until| until > Instant::now()),
            "refresh_token" => match issued.refresh.get(&got) {
                Some((until, extra)) if *until > Instant::now() => {
                    carried_refresh = Some((got.clone(), extra.clone()));
                    true
                }
                _ => false,
            },
            _ => true,
        };
        if !valid {
            return refuse(Problem::BadGrant {
                input: input.clone(),
            });
        }
        bindings.push((input.clone(), got));
    }

    let headers = &req.headers;
    let no_token = |_: &str| TokenLookup::Invalid;
    let facts = Facts {
        method: &req.method_lower,
        path: &req.full_path,
        headers,
        query: &req.query,
        fields: &fields,
        body: &req.body,
        host: &req.host,
        credentials: &shared.credentials,
        bindings: &bindings,
        token: &no_token,
        token_var: "access_token",
        now: jiff::Timestamp::now(),
        tolerance: shared.config.tolerance,
        replays: &shared.replays,
    };
    if let Err(r) = verify::check_fields(grant.fields(), &facts) {
        return refuse(match r {
            Refusal::Missing { step } => Problem::BadParam {
                name: step,
                reason: "required".into(),
            },
            Refusal::Mismatch { step } => Problem::BadClient { field: step },
            other => Problem::Auth(other),
        });
    }
    if !grant.steps.is_empty()
        && let Err(r) = verify::check_request(&grant.steps, &facts)
    {
        return refuse(Problem::Auth(r));
    }

    Ok(Answer::ok(200, issue(shared, grant, carried_refresh)))
}

/// The client id and secret, as a Basic header or form fields, where the grant takes them.
fn client_auth(
    shared: &Shared,
    grant: &MockGrant,
    req: &Incoming,
    fields: &[(String, String)],
) -> Result<(), Problem> {
    if grant.ir.client_auth.is_empty() {
        return Ok(());
    }
    let basic = req
        .headers
        .get("authorization")
        .and_then(|h| h.strip_prefix("Basic "))
        .and_then(|b| BASE64.decode(b).ok())
        .and_then(|b| String::from_utf8(b).ok());
    let (id, secret) = match basic {
        Some(pair) if grant.accepts_client_auth(ClientAuth::Basic) => {
            let (id, secret) = pair.split_once(':').unwrap_or((pair.as_str(), ""));
            (id.to_owned(), secret.to_owned())
        }
        _ if grant.accepts_client_auth(ClientAuth::Form) => (
            lookup_field(fields, "client_id")
                .unwrap_or_default()
                .to_owned(),
            lookup_field(fields, "client_secret")
                .unwrap_or_default()
                .to_owned(),
        ),
        _ => {
            return Err(Problem::BadClient {
                field: "client_id".into(),
            });
        }
    };
    let expect = |name: &str| {
        shared
            .credentials
            .iter()
            .find(|(n, _, _)| n == name)
            .map(|(_, v, _)| v.as_str())
            .unwrap_or_default()
    };
    let id_ok: bool = expect("client_id").as_bytes().ct_eq(id.as_bytes()).into();
    let secret_ok: bool = expect("client_secret")
        .as_bytes()
        .ct_eq(secret.as_bytes())
        .into();
    if id_ok && secret_ok {
        Ok(())
    } else {
        Err(Problem::BadClient {
            field: "client".into(),
        })
    }
}

/// Issues a token and writes the answer the spec's `response` describes.
fn issue(
    shared: &Shared,
    grant: &MockGrant,
    carried_refresh: Option<(String, Vec<(String, String)>)>,
) -> Json {
    let api = &shared.spec.api;
    let Some(t) = &api.token else {
        return json!({});
    };
    let r = &t.response;
    // The document's example token answer, when the spec has one, gives the other fields (and,
    // when enveloped, the envelope's own message and extras).
    let example = api.examples.iter().find_map(|ex| match &ex.parses_as {
        Some(ParsesAs::TokenResponse(g)) if *g == grant.ir.name => {
            serde_json::from_str::<Json>(&ex.normalized).ok()
        }
        _ => None,
    });
    let data_path = api.envelope.as_ref().map(|e| e.data.as_str());
    let (envelope, mut data) = match (example, data_path) {
        (Some(body), Some(path)) if r.enveloped && is_success(api, &body) => {
            let data = get_path(&body, path).cloned().unwrap_or(json!({}));
            (Some(body), data)
        }
        (Some(body), _) if !r.enveloped && body.is_object() => (None, body),
        _ => (None, json!({})),
    };
    if !data.is_object() {
        data = json!({});
    }

    let lifetime = shared
        .config
        .token_lifetime
        .or(r.default_lifetime_seconds.map(Duration::from_secs))
        .unwrap_or(Duration::from_secs(3600));
    let access = random_hex(16);
    set_path(&mut data, &r.access_token, json!(access));
    if let Some(p) = &r.expires_in {
        set_path(&mut data, p, json!(lifetime.as_secs()));
    }
    let (refresh, extra) = match carried_refresh {
        Some((token, extra)) => (Some(token), extra),
        None => {
            let extra: Vec<(String, String)> = r
                .extra
                .iter()
                .map(|(name, path)| {
                    let v = get_path(&data, path)
                        .map(text)
                        .unwrap_or_else(|| "1".into());
                    (name.clone(), v)
                })
                .collect();
            (r.refresh_token.as_ref().map(|_| random_hex(16)), extra)
        }
    };
    for (name, path) in &r.extra {
        if let Some((_, v)) = extra.iter().find(|(n, _)| n == name)
            && get_path(&data, path).is_none()
        {
            set_path(&mut data, path, json!(v));
        }
    }
    let mut issued = shared.issued();
    if let (Some(p), Some(token)) = (&r.refresh_token, &refresh) {
        set_path(&mut data, p, json!(token));
        let lifetime = r
            .refresh_token_lifetime_seconds
            .map(Duration::from_secs)
            .unwrap_or(Duration::from_secs(365 * 86_400));
        issued
            .refresh
            .entry(token.clone())
            .or_insert((Instant::now() + lifetime, extra.clone()));
    }
    issued.access.insert(
        access,
        AccessToken {
            expires: Instant::now() + lifetime,
            refresh,
            extra,
        },
    );
    issued.last_token_request = Some(Instant::now());
    match (envelope, data_path) {
        (Some(mut body), Some(path)) => {
            set_path(&mut body, path, data);
            body
        }
        _ if r.enveloped => wrap(api, data),
        _ => data,
    }
}
