//! The authorization-code flow's browser step (`auth.token.authorize`): the mock plays the
//! user who consents at once, issuing a single-use code valid for `code_lifetime_seconds` and
//! redirecting to `redirect_uri` with `code` and `state`.

use std::time::Duration;

use serde_json::json;

use crate::codes::{Answer, Problem, Style, refuse};
use crate::server::{Incoming, Shared};
use crate::verify::{self, Facts, Refusal, TokenLookup};

/// The fallback lifetime of a code when the spec states none (RFC 6749 §4.1.2 recommends at
/// most ten minutes).
const DEFAULT_CODE_LIFETIME: Duration = Duration::from_secs(600);

pub(crate) fn answer(shared: &Shared, req: &Incoming) -> Result<Answer, Answer> {
    let api = &shared.spec.api;
    let Some(authorize) = api.token.as_ref().and_then(|t| t.authorize.as_ref()) else {
        return Err(refuse(api, Style::Envelope, &Problem::UnknownPath));
    };
    let taken = |name: &str| {
        req.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let (Some(redirect_uri), state) = (taken("redirect_uri"), taken("state")) else {
        return Err(refuse(
            api,
            Style::Envelope,
            &Problem::BadParam {
                name: "redirect_uri".into(),
                reason: "required".into(),
            },
        ));
    };
    let mut bindings = vec![("redirect_uri".to_owned(), redirect_uri.clone())];
    if let Some(s) = &state {
        bindings.push(("state".to_owned(), s.clone()));
    }
    let params = &authorize.params;
    let no_token = |_: &str| TokenLookup::Invalid;
    let facts = Facts {
        method: &req.method_lower,
        path: &req.full_path,
        headers: &req.headers,
        query: &req.query,
        fields: &[],
        body: &[],
        host: &req.host,
        credentials: &shared.credentials,
        bindings: &bindings,
        token: &no_token,
        token_var: "access_token",
        now: jiff::Timestamp::now(),
        tolerance: shared.config.tolerance,
        replays: &shared.replays,
    };
    if let Err(r) = verify::check_fields(params, &facts) {
        let problem = match r {
            Refusal::Missing { step } => Problem::BadParam {
                name: step,
                reason: "required".into(),
            },
            Refusal::Mismatch { step } => Problem::BadClient { field: step },
            other => Problem::Auth(other),
        };
        return Err(refuse(api, Style::Envelope, &problem));
    }
    let lifetime = authorize
        .code_lifetime_seconds
        .map(Duration::from_secs)
        .unwrap_or(DEFAULT_CODE_LIFETIME);
    let code = shared.issued().new_code(lifetime);
    let mut location = url_with_query(&redirect_uri, "code", &code);
    if let Some(s) = state {
        location = url_with_query(&location, "state", &s);
    }
    Ok(Answer {
        status: 302,
        body: json!({}),
        location: Some(location),
        refusal: None,
    })
}

fn url_with_query(url: &str, name: &str, value: &str) -> String {
    let sep = if url.contains('?') { '&' } else { '?' };
    let pair: String = form_urlencoded::Serializer::new(String::new())
        .append_pair(name, value)
        .finish();
    format!("{url}{sep}{pair}")
}
