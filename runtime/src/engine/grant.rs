//! Token requests: running a grant and reading the token endpoint's answer.

use super::*;
use crate::token::RenewalError;

/// Decodes a recorded token-endpoint response exactly as the engine does, stamped with the
/// current time. Errors name the spec's automatic (else renewing, else first) grant.
pub fn decode_token_response<C: VendorCode>(
    spec: &ApiSpec<C>,
    status: u16,
    body: &[u8],
) -> Result<TokenState, Error<C>> {
    let token = spec
        .token
        .as_ref()
        .ok_or_else(|| not_configured::<C>("token spec"))?;
    let grant = token
        .automatic
        .or(token.refresh_with)
        .or_else(|| token.grants.first().map(|g| g.name))
        .unwrap_or("token");
    let received = Received {
        status,
        body: Bytes::copy_from_slice(body),
        retry_after: None,
    };
    read_token(
        &token.response,
        spec.envelope.as_ref(),
        grant,
        &received,
        Timestamp::now(),
    )
    .map_err(RenewalError::into_error)
}

/// Reads a token response (see [`TokenResponseSpec`](super::TokenResponseSpec)). A refusal
/// keeps its raw code; the caller's table classifies it ([`RenewalError::into_error`]).
fn read_token(
    spec: &TokenResponseSpec,
    envelope: Option<&EnvelopeSpec>,
    grant: &'static str,
    r: &Received,
    now: Timestamp,
) -> Result<TokenState, RenewalError> {
    let status = r.status;
    let refused = |raw_code: Option<RawCode>, message: Option<String>| -> RenewalError {
        AuthError::TokenEndpoint {
            grant,
            status,
            // Whether there is a code to classify; `AuthError::classify` resolves it.
            code: (raw_code.is_some() || !(200..300).contains(&status))
                .then(|| raw_code.clone().unwrap_or(RawCode::Str(String::new()))),
            raw_code,
            message,
            body: RawBody::new(r.body.clone()),
        }
        .into()
    };
    // The body may hold a token: reasons never quote it.
    let unusable = |reason: String| -> RenewalError {
        AuthError::Decode {
            grant,
            status,
            reason,
        }
        .into()
    };
    let enveloped_data;
    let payload: &[u8] = if spec.enveloped {
        let envelope = envelope.ok_or_else(|| {
            RenewalError::Config(
                "the token response is enveloped but the API has no envelope".into(),
            )
        })?;
        match envelope.decode(&r.body) {
            Ok(Outcome::Success(data)) if r.is_success() => {
                enveloped_data = data;
                enveloped_data.as_bytes()
            }
            Ok(Outcome::Failure(f)) => return Err(refused(f.raw_code, f.message)),
            _ if !r.is_success() => return Err(refused(None, None)),
            _ => return Err(unusable("not the vendor's envelope".into())),
        }
    } else {
        &r.body
    };
    let fields = match Fields::parse(payload) {
        Ok(f) => f,
        Err(_) if !r.is_success() => return Err(refused(None, None)),
        Err(_) => return Err(unusable("not a JSON object".into())),
    };
    if !spec.enveloped
        && let Some((code_path, message_path)) = spec.error
        && let Some(code) = fields.get_present(code_path)
    {
        let raw = RawCode::from_json(code).unwrap_or_else(|| RawCode::Str(text_of(code)));
        return Err(refused(
            Some(raw),
            message_path
                .and_then(|p| fields.get_present(p))
                .map(|m| crate::error::for_logs(&text_of(m))),
        ));
    }
    if !r.is_success() {
        return Err(refused(None, None));
    }
    let string_at = |path: &str| {
        fields
            .get_present(path)
            .and_then(|v| serde_json::from_str::<String>(v.get()).ok())
            .filter(|s| !s.is_empty())
    };
    let access_token = string_at(spec.access_token)
        .ok_or_else(|| unusable(format!("no access token at `{}`", spec.access_token)))?;
    let lifetime = match spec
        .expires_in
        .and_then(|p| fields.get_present(p).map(|v| (p, v)))
    {
        Some((path, v)) => Some(
            seconds(v).ok_or_else(|| unusable(format!("`{path}` is not a number of seconds")))?,
        ),
        None => spec.default_lifetime,
    };
    let refresh_token = spec.refresh_token.and_then(string_at);
    let refresh_expires_at = match (&refresh_token, spec.refresh_token_lifetime) {
        (Some(_), Some(l)) => Some(token::add(now, l)),
        _ => None,
    };
    let extra = spec
        .extra
        .iter()
        .filter_map(|(name, path)| Some(((*name).to_owned(), text_of(fields.get_present(path)?))))
        .collect();
    Ok(TokenState {
        access_token: access_token.into(),
        expires_at: lifetime.map(|l| token::add(now, l)),
        obtained_at: now,
        refresh_token: refresh_token.map(SecretString::from),
        refresh_expires_at,
        extra,
        grant: Some(grant.to_owned()),
    })
}

/// A lifetime in seconds: a JSON number or numeric string; negative counts as zero.
fn seconds(v: &RawValue) -> Option<Duration> {
    let n: f64 = text_of(v).trim().parse().ok()?;
    if n.is_nan() {
        return None;
    }
    Duration::try_from_secs_f64(n.max(0.0)).ok()
}

impl<C: VendorCode> Inner<C> {
    pub(super) fn grant_url(&self, grant: &Grant) -> Result<&Url, RenewalError> {
        self.grant_urls
            .iter()
            .find(|(n, _)| *n == grant.name)
            .map(|(_, u)| u)
            .ok_or_else(|| {
                AuthError::NotConfigured {
                    what: format!(
                        "the path of grant `{}` (set it with ClientBuilder::grant_path)",
                        grant.name
                    ),
                }
                .into()
            })
    }

    pub(super) fn credential(&self, name: &'static str) -> Result<&str, RenewalError> {
        self.credentials
            .get(name)
            .ok_or_else(|| RenewalError::Config(format!("credential `{name}` is not set")))
    }
}
impl<C: VendorCode> GrantRunner<C> for Inner<C> {
    async fn run_grant(
        &self,
        grant: &Grant,
        inputs: &[(&'static str, &str)],
        now: Timestamp,
    ) -> Result<TokenState, RenewalError> {
        let mut url = self.grant_url(grant)?.clone();
        let mut scope = self.scope(&grant.method, url.path());
        for (name, value) in inputs {
            scope.set_secret(*name, SecretString::from(*value));
        }
        let mut fields = grant
            .fields
            .iter()
            .map(|(k, v)| Ok(((*k).to_owned(), v.eval(&scope, now)?)))
            .collect::<Result<Vec<_>, spec_lang::EvalError>>()
            .map_err(|e| RenewalError::Config(format!("grant `{}`: {e}", grant.name)))?;
        let mut headers = Vec::new();
        let client_auth = match self.client_auth {
            Some(m) if grant.client_auth.contains(&m) => Some(m),
            _ => grant.client_auth.first().copied(),
        };
        match client_auth {
            Some(ClientAuth::Form) => {
                for name in ["client_id", "client_secret"] {
                    if !fields.iter().any(|(k, _)| k == name) {
                        fields.push((name.to_owned(), self.credential(name)?.to_owned()));
                    }
                }
            }
            Some(ClientAuth::Basic) => {
                let basic = auth::basic_header(
                    self.credential("client_id")?,
                    self.credential("client_secret")?,
                );
                let value = auth::sensitive(&basic, "Authorization")
                    .map_err(|e| RenewalError::Config(e.to_string()))?;
                headers.push((AUTHORIZATION, value));
            }
            None => {}
        }
        let steps: &[Step] = if grant.send_auth_steps {
            &self.grant_steps
        } else {
            &[]
        };
        let mut message = Message {
            headers,
            ..Message::default()
        };
        match grant.encoding {
            Encoding::Form => message.body = MessageBody::Form(fields.into()),
            Encoding::Json => {
                let map: serde_json::Map<String, serde_json::Value> =
                    fields.into_iter().map(|(k, v)| (k, v.into())).collect();
                message.body = MessageBody::Json(Cow::Owned(map.into()));
            }
            Encoding::Query => message.query = fields,
        }
        auth::apply(steps, &mut scope, now, &mut message)
            .map_err(|e| RenewalError::Config(e.to_string()))?;
        let (headers, body) = message
            .into_parts(&mut url)
            .map_err(|e| RenewalError::Config(e.to_string()))?;
        let shown = transport::display_url(&url);
        let out = Outgoing {
            method: grant.method.clone(),
            url,
            headers,
            body,
            timeout: Some(self.attempt_timeout),
        };
        let received =
            transport::execute(&self.client, out)
                .await
                .map_err(|f| -> RenewalError {
                    match f {
                        Failure::Transport(source) => AuthError::Transport {
                            grant: grant.name,
                            url: shown,
                            source: Arc::new(source),
                        }
                        .into(),
                        Failure::NotSendable(reason) => RenewalError::Config(format!(
                            "token request `{}` cannot be sent: {reason}",
                            grant.name
                        )),
                        Failure::Timeout => AuthError::Timeout {
                            grant: grant.name,
                            url: shown,
                        }
                        .into(),
                        Failure::TooLarge { status } => AuthError::Decode {
                            grant: grant.name,
                            status,
                            reason: format!("response larger than {} bytes", transport::MAX_BODY),
                        }
                        .into(),
                    }
                })?;
        let Some(tm) = &self.tokens else {
            return Err(AuthError::NotConfigured {
                what: "this API has no token spec".into(),
            }
            .into());
        };
        read_token(
            &tm.spec().response,
            self.envelope.as_ref(),
            grant.name,
            &received,
            now,
        )
    }
}
