//! Sending one attempt: URL below the base, auth steps applied, one HTTP exchange.

use super::*;

use reqwest::header::{HeaderName, HeaderValue};

/// A header parameter: its name checked (the spec's names are, a `Request` built by hand may
/// not be) and its value marked sensitive, since it may be a secret.
fn header_param<C: VendorCode>(
    name: &'static str,
    value: &str,
) -> Result<(HeaderName, HeaderValue), Error<C>> {
    let invalid = |reason: &str| Error::InvalidRequest {
        field: name,
        reason: reason.to_owned(),
    };
    let header_name =
        HeaderName::from_bytes(name.as_bytes()).map_err(|_| invalid("not a header name"))?;
    let mut header_value = HeaderValue::from_str(value)
        .map_err(|_| invalid("not a valid header value (control characters or non-ASCII)"))?;
    header_value.set_sensitive(true);
    Ok((header_name, header_value))
}

impl<C: VendorCode> Inner<C> {
    /// `base` + `path`, refusing a path that would leave the base URL's origin. A static
    /// path is joined and checked once, then served from [`Inner::endpoints`].
    pub(super) fn endpoint(&self, path: &spec_lang::Text) -> Result<Url, Error<C>> {
        use std::sync::PoisonError;
        let Cow::Borrowed(path) = path else {
            return self.join_checked(path);
        };
        let cached = self
            .endpoints
            .read()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(url) = cached.get(path) {
            return Ok(url.clone());
        }
        drop(cached);
        let url = self.join_checked(path)?;
        self.endpoints
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(path, url.clone());
        Ok(url)
    }

    fn join_checked(&self, path: &str) -> Result<Url, Error<C>> {
        let url = transport::join(&self.base, path).map_err(Error::Config)?;
        if !transport::same_origin(&url, &self.base) {
            return Err(Error::InvalidRequest {
                field: "path",
                reason: "leaves the base URL".into(),
            });
        }
        Ok(url)
    }

    pub(super) fn scope(&self, method: &reqwest::Method, path: &str) -> Scope {
        let mut scope = Scope::over(self.base_scope.clone());
        scope.set("method", method.as_str().to_ascii_lowercase());
        scope.set("path", path);
        scope
    }

    pub(super) async fn call(
        &self,
        req: &Request,
        token: Option<&TokenState>,
    ) -> Result<Received, Error<C>> {
        let mut url = self.endpoint(&req.path)?;
        let mut message = Message {
            headers: req
                .headers
                .iter()
                .map(|(name, value)| header_param(name, value))
                .collect::<Result<_, _>>()?,
            query: req
                .query
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.clone()))
                .collect(),
            body: match &req.body {
                Body::None => MessageBody::None,
                Body::Json(v) => MessageBody::Json(Cow::Borrowed(v)),
                Body::Form(pairs) => MessageBody::Form(Cow::Borrowed(pairs)),
            },
        };
        if req.authenticated {
            let mut scope = self.scope(&req.method, &req.path);
            if let Some(t) = token {
                scope.set_secret("access_token", t.access_token.clone());
                if let Some(r) = &t.refresh_token {
                    scope.set_secret("refresh_token", r.clone());
                }
                for (k, v) in &t.extra {
                    scope.set(k.clone(), v.clone());
                }
            }
            auth::apply(&self.steps, &mut scope, (self.clock)(), &mut message)
                .map_err(|e| Error::Config(e.to_string()))?;
        }
        let (headers, body) = message
            .into_parts(&mut url)
            .map_err(|e| Error::InvalidRequest {
                field: "body",
                reason: e.to_string(),
            })?;
        let method = req.method.clone();
        transport::execute(
            &self.client,
            Outgoing {
                method,
                url,
                headers,
                body,
                // Timed by the engine, with the call's deadline in one timer.
                timeout: None,
            },
        )
        .await
        .map_err(|f| {
            let (method, shown) = self.shown(req);
            match f {
                Failure::Transport(source) => Error::Transport {
                    method,
                    url: shown,
                    source,
                },
                Failure::Timeout => Error::Timeout { method, url: shown },
                Failure::NotSendable(reason) => Error::InvalidRequest {
                    field: "url",
                    reason: format!("cannot be sent ({reason}); nothing was sent"),
                },
                Failure::TooLarge { .. } => Error::ResponseTooLarge {
                    method,
                    url: shown,
                    limit: transport::MAX_BODY,
                },
            }
        })
    }

    /// The attempt took longer than [`Inner::attempt_timeout`].
    pub(super) fn timed_out(&self, req: &Request) -> Error<C> {
        let (method, url) = self.shown(req);
        Error::Timeout { method, url }
    }

    /// The method and URL an error shows. Built only for an error: the URL is the endpoint's,
    /// without its query (which may hold a signature), so the sent URL is not needed.
    fn shown(&self, req: &Request) -> (String, String) {
        let url = self
            .endpoint(&req.path)
            .map(|u| transport::display_url(&u))
            .unwrap_or_default();
        (req.method.to_string(), url)
    }
}
