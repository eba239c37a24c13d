//! Constructors of the runtime's data types, for generated code.
//!
//! Generated `api_spec()` functions and endpoint methods build runtime data through these
//! functions rather than struct literals, stating only what differs from the default, so a
//! field added to the runtime later does not break code generated earlier.

use std::borrow::Cow;
use std::time::Duration;

use serde::Serialize;

use super::codes::StaticCode;
use super::engine::{Body, Request};
use super::envelope::{EnvelopeSpec, Nested, Success};
use super::error::{Error, VendorCode};
use super::token::{
    AuthorizeSpec, ClientAuth, Encoding, Grant, RefreshPolicy, TokenResponseSpec, TokenSpec,
};
use spec_lang::Value;

impl Request {
    /// A request without query, without body, authenticated.
    pub fn new(method: reqwest::Method, path: &'static str) -> Self {
        Request {
            method,
            path: Cow::Borrowed(path),
            query: Vec::new(),
            headers: Vec::new(),
            body: Body::None,
            authenticated: true,
            idempotent: false,
        }
    }

    /// A request to a path known only at run time (an endpoint the spec only names).
    pub fn to_path(method: reqwest::Method, path: String) -> Self {
        Request {
            path: Cow::Owned(path),
            ..Request::new(method, "")
        }
    }

    /// Its query parameters.
    pub fn with_query(mut self, query: Vec<(&'static str, String)>) -> Self {
        self.query = query;
        self
    }

    /// Its header parameters.
    pub fn with_headers(mut self, headers: Vec<(&'static str, String)>) -> Self {
        self.headers = headers;
        self
    }

    /// Its body.
    pub fn with_body(mut self, body: Body) -> Self {
        self.body = body;
        self
    }

    /// Sent without the API's auth steps and token.
    pub fn unauthenticated(mut self) -> Self {
        self.authenticated = false;
        self
    }

    /// Marked idempotent by the spec: retried after failures that may have reached the server.
    pub fn idempotent(mut self) -> Self {
        self.idempotent = true;
        self
    }
}

impl Body {
    /// An empty JSON object, for members added by [`with_member`](Self::with_member).
    pub fn json_object() -> Body {
        Body::Json(serde_json::Value::Object(serde_json::Map::new()))
    }

    /// A JSON body with one more top-level string member (a fixed parameter of the endpoint);
    /// other bodies are returned unchanged.
    pub fn with_member(mut self, name: &'static str, value: &'static str) -> Body {
        if let Body::Json(serde_json::Value::Object(map)) = &mut self {
            map.insert(name.to_owned(), value.into());
        }
        self
    }

    /// A JSON body from a request type; a value JSON cannot represent is an invalid request.
    pub fn json<T: Serialize, C: VendorCode>(value: &T) -> Result<Body, Error<C>> {
        serde_json::to_value(value)
            .map(Body::Json)
            .map_err(|e| Error::InvalidRequest {
                field: "body",
                reason: e.to_string(),
            })
    }
}

impl EnvelopeSpec {
    /// Success by `success`, the payload at `data`; no code, message, details or extras.
    pub fn new(success: Success, data: &'static str) -> Self {
        EnvelopeSpec {
            success,
            code: None,
            message: Vec::new(),
            data,
            details: None,
            extra: Vec::new(),
            nested: None,
        }
    }

    /// The payload is itself a result (`result`'s paths inside it); `json_text`: written as a
    /// JSON document inside a string.
    pub fn with_nested(mut self, json_text: bool, result: EnvelopeSpec) -> Self {
        self.nested = Some(Box::new(Nested { json_text, result }));
        self
    }

    /// Path of the vendor's result code.
    pub fn with_code(mut self, path: &'static str) -> Self {
        self.code = Some(path);
        self
    }

    /// Paths of the message, the first present non-null winning.
    pub fn with_message(mut self, paths: &[&'static str]) -> Self {
        self.message = paths.to_vec();
        self
    }

    /// Per-field details: the list at `path`, each entry's field name under `field` and its
    /// message under `message`.
    pub fn with_details(
        mut self,
        path: &'static str,
        field: &'static str,
        message: &'static str,
    ) -> Self {
        self.details = Some(crate::envelope::DetailsSpec {
            path,
            field,
            message,
        });
        self
    }

    /// Paths of further fields kept on errors.
    pub fn with_extra(mut self, paths: &[&'static str]) -> Self {
        self.extra = paths.to_vec();
        self
    }
}

impl Grant {
    /// A token request with no fields, no client authentication and no inputs; its path is
    /// configured by the application unless [`with_path`](Self::with_path) is given.
    pub fn new(name: &'static str, method: reqwest::Method, encoding: Encoding) -> Self {
        Grant {
            name,
            method,
            path: None,
            encoding,
            fields: Vec::new(),
            client_auth: Vec::new(),
            inputs: Vec::new(),
            send_auth_steps: false,
        }
    }

    /// Its path below the base URL.
    pub fn with_path(mut self, path: &'static str) -> Self {
        self.path = Some(path);
        self
    }

    /// A request field.
    pub fn with_field(mut self, name: &'static str, value: Value) -> Self {
        self.fields.push((name, value));
        self
    }

    /// How the client id and secret may be presented, the first being the default.
    pub fn with_client_auth(mut self, ways: &[ClientAuth]) -> Self {
        self.client_auth = ways.to_vec();
        self
    }

    /// Values the caller passes per request.
    pub fn with_inputs(mut self, names: &[&'static str]) -> Self {
        self.inputs = names.to_vec();
        self
    }

    /// Also applies the auth steps that need no token to this request.
    pub fn with_send_auth_steps(mut self) -> Self {
        self.send_auth_steps = true;
        self
    }
}

impl TokenResponseSpec {
    /// The access token at `access_token` (a dotted path); nothing else is read.
    pub fn new(access_token: &'static str) -> Self {
        TokenResponseSpec {
            enveloped: false,
            access_token,
            expires_in: None,
            default_lifetime: None,
            refresh_token: None,
            refresh_token_lifetime: None,
            extra: Vec::new(),
            error: None,
        }
    }

    /// The response is wrapped in the API's envelope.
    pub fn with_enveloped(mut self) -> Self {
        self.enveloped = true;
        self
    }

    /// Path of the lifetime in seconds.
    pub fn with_expires_in(mut self, path: &'static str) -> Self {
        self.expires_in = Some(path);
        self
    }

    /// Lifetime when the response does not say.
    pub fn with_default_lifetime(mut self, lifetime: Duration) -> Self {
        self.default_lifetime = Some(lifetime);
        self
    }

    /// Path of the refresh token.
    pub fn with_refresh_token(mut self, path: &'static str) -> Self {
        self.refresh_token = Some(path);
        self
    }

    /// Lifetime of the refresh token.
    pub fn with_refresh_token_lifetime(mut self, lifetime: Duration) -> Self {
        self.refresh_token_lifetime = Some(lifetime);
        self
    }

    /// A value kept with the token (usable as `{name}` in auth steps).
    pub fn with_extra(mut self, name: &'static str, path: &'static str) -> Self {
        self.extra.push((name, path));
        self
    }

    /// Paths of the code and message of an un-enveloped error body (OAuth2).
    pub fn with_error(mut self, code: &'static str, message: Option<&'static str>) -> Self {
        self.error = Some((code, message));
        self
    }
}

impl RefreshPolicy {
    /// No early refresh, no minimum interval, no token at start, no status-triggered renewal.
    pub fn new() -> Self {
        RefreshPolicy::default()
    }

    /// Refresh this long before expiry.
    pub fn with_refresh_before_expiry(mut self, before: Duration) -> Self {
        self.refresh_before_expiry = Some(before);
        self
    }

    /// Refresh in this last fraction of the lifetime.
    pub fn with_refresh_in_last_fraction(mut self, fraction: f64) -> Self {
        self.refresh_in_last_fraction = Some(fraction);
        self
    }

    /// Never call the token endpoint more often than this.
    pub fn with_min_interval(mut self, interval: Duration) -> Self {
        self.min_interval = Some(interval);
        self
    }

    /// Get a token when the client is built.
    pub fn with_fetch_on_start(mut self) -> Self {
        self.fetch_on_start = true;
        self
    }

    /// Renew the token and retry once on these HTTP statuses.
    pub fn with_renew_on_http_status(mut self, statuses: &[u16]) -> Self {
        self.renew_on_http_status = statuses.to_vec();
        self
    }
}

impl AuthorizeSpec {
    /// The browser redirect to `path`, with no parameters yet.
    pub fn new(path: &'static str) -> Self {
        AuthorizeSpec {
            path,
            params: Vec::new(),
        }
    }

    /// A query parameter of the redirect.
    pub fn with_param(mut self, name: &'static str, value: Value) -> Self {
        self.params.push((name, value));
        self
    }
}

impl TokenSpec {
    /// Tokens read from responses as `response` says, with no grant yet and the default policy.
    pub fn new(response: TokenResponseSpec) -> Self {
        TokenSpec {
            grants: Vec::new(),
            automatic: None,
            refresh_with: None,
            interchangeable_grants: Vec::new(),
            authorize: None,
            response,
            policy: RefreshPolicy::default(),
        }
    }

    /// A token request.
    pub fn with_grant(mut self, grant: Grant) -> Self {
        self.grants.push(grant);
        self
    }

    /// The grant the client runs by itself when it has no usable token.
    pub fn with_automatic(mut self, grant: &'static str) -> Self {
        self.automatic = Some(grant);
        self
    }

    /// The grant that renews an expired token (default: the automatic one).
    pub fn with_refresh_with(mut self, grant: &'static str) -> Self {
        self.refresh_with = Some(grant);
        self
    }

    /// Grants whose tokens stand for the same identity: a token obtained by one may be renewed
    /// by another. Without this, a renewal never changes the grant that produced a token.
    pub fn with_interchangeable_grants(mut self, grants: &[&'static str]) -> Self {
        self.interchangeable_grants = grants.to_vec();
        self
    }

    /// The browser redirect of the authorization-code flow.
    pub fn with_authorize(mut self, authorize: AuthorizeSpec) -> Self {
        self.authorize = Some(authorize);
        self
    }

    /// When tokens are renewed.
    pub fn with_policy(mut self, policy: RefreshPolicy) -> Self {
        self.policy = policy;
        self
    }
}

impl Success {
    /// Success when the envelope's code is one of `codes`.
    pub fn code_in(codes: &[StaticCode]) -> Success {
        Success::CodeIn(codes.iter().map(|c| c.to_raw()).collect())
    }
}
