//! Sending one attempt: URL below the base, auth steps applied, one HTTP exchange.

use super::*;

impl<C: VendorCode> Inner<C> {
    /// `base` + `path`, refusing a path that would leave the base URL's origin.
    pub(super) fn endpoint(&self, path: &str) -> Result<Url, Error<C>> {
        let url = transport::join(&self.base, path).map_err(Error::Config)?;
        if url.origin() != self.base.origin() {
            return Err(Error::InvalidRequest {
                field: "path",
                reason: "leaves the base URL".into(),
            });
        }
        Ok(url)
    }

    pub(super) fn scope(&self, method: &reqwest::Method, path: &str) -> Scope {
        let mut scope = self.credentials.scope();
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
        let mut query: Vec<(&str, String)> = req.query.clone();
        let mut headers = Vec::new();
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
            let applied = auth::apply(&self.steps, &mut scope, (self.clock)())
                .map_err(|e| Error::Config(e.to_string()))?;
            headers = applied.headers;
            query.extend(applied.query);
        }
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        let body = match &req.body {
            Body::None => OutBody::None,
            Body::Json(v) => {
                OutBody::Json(serde_json::to_vec(v).map_err(|e| Error::InvalidRequest {
                    field: "body",
                    reason: e.to_string(),
                })?)
            }
            Body::Form(pairs) => OutBody::Form(pairs.clone()),
        };
        let method = req.method.clone();
        let shown = transport::display_url(&url);
        transport::execute(
            &self.client,
            Outgoing {
                method,
                url,
                headers,
                body,
            },
        )
        .await
        .map_err(|f| {
            let method = req.method.to_string();
            match f {
                Failure::Transport(source) => Error::Transport {
                    method,
                    url: shown,
                    source,
                },
                Failure::Timeout => Error::Timeout { method, url: shown },
                Failure::TooLarge => Error::ResponseTooLarge {
                    method,
                    url: shown,
                    limit: transport::MAX_BODY,
                },
            }
        })
    }
}
