//! Endpoints → request types and `Client` methods; credentials → `Credentials`
//! and `ClientBuilder`.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::auth::method;
use super::docs::{doc, ident, int, md};
use super::types::{
    RecordField, argument_type, field_type, many_arguments, record_impls, rust_type, setter_doc,
    wire_adapter,
};
use crate::ir::{Api, EndpointIr, ParamIr};
use crate::ir::{BodyEncoding, ParamLocation};
use crate::ir::{ParamText, Primitive, ScalarText, TypeExpr};

fn param_doc(p: &ParamIr) -> String {
    let mut text = p.doc.clone().unwrap_or_else(|| format!("`{}`.", p.wire));
    let mut notes = Vec::new();
    if let Some(d) = &p.default {
        notes.push(format!("server default when omitted: `{d}`"));
    }
    match (p.minimum, p.maximum) {
        (Some(a), Some(b)) => notes.push(format!("{a} to {b}, checked before sending")),
        (Some(a), None) => notes.push(format!("at least {a}, checked before sending")),
        (None, Some(b)) => notes.push(format!("at most {b}, checked before sending")),
        _ => {}
    }
    if let Some(dt) = &p.document_type {
        notes.push(format!("the document types it as `{dt}`"));
    }
    if !notes.is_empty() {
        text.push_str(&format!("\n\n({}.)", notes.join("; ")));
    }
    text
}

/// `private::Request::new(method, path)` (or `to_path` with the path parameters filled in),
/// unauthenticated and idempotent as the endpoint is. `from_self`: parameters are read from
/// the request type's fields.
fn request_new(ep: &EndpointIr) -> TokenStream {
    let http_method = method(ep.http_method);
    let mut request = if ep.path.contains('{') {
        let (format, args) = path_format(ep);
        quote!(private::Request::to_path(#http_method, format!(#format, #(#args),*)))
    } else {
        let path = &ep.path;
        quote!(private::Request::new(#http_method, #path))
    };
    if !ep.authenticated {
        request = quote!(#request.unauthenticated());
    }
    if ep.idempotent {
        request = quote!(#request.idempotent());
    }
    request
}

/// The path as a `format!` string (`/orders/{}`) and one percent-encoded segment per `{name}`.
fn path_format(ep: &EndpointIr) -> (String, Vec<TokenStream>) {
    let mut format = String::new();
    let mut args = Vec::new();
    let mut rest = ep.path.as_str();
    while let Some(open) = rest.find('{') {
        let close = rest[open..].find('}').map_or(rest.len(), |c| open + c);
        format.push_str(&rest[..open]);
        format.push_str("{}");
        let name = &rest[open + 1..close];
        let text = match ep.params.iter().find(|p| p.wire == name) {
            Some(p) => match (&p.const_value, p.ty.param_text()) {
                (Some(c), _) => quote!(#c),
                (None, Some(ParamText::One(scalar))) => {
                    let f = ident(&p.rust);
                    let text = scalar_text(scalar, &p.wire, quote!(&self.#f));
                    quote!(&#text)
                }
                // Rejected by validation and lowering.
                (None, _) => quote!(""),
            },
            None => quote!(""),
        };
        args.push(quote!(private::text::path_segment(#text)));
        rest = rest.get(close + 1..).unwrap_or("");
    }
    format.push_str(rest);
    (format, args)
}

/// The text of one scalar value (`value` is a reference), by the type language's table.
fn scalar_text(scalar: ScalarText, wire: &str, value: TokenStream) -> TokenStream {
    match scalar {
        ScalarText::Display => quote!(private::text::display(#value)),
        ScalarText::Secret => quote!(private::text::secret(#value)),
        ScalarText::UnixSeconds => quote!(private::text::unix_seconds(#value)),
        ScalarText::UnixMillis => quote!(private::text::unix_millis(#value)),
        ScalarText::Json => quote!(private::text::json(#wire, #value)?),
    }
}

/// One entry of a list being built: an element of the `vec![…]` literal, or statements that
/// push elements (an optional parameter, a list).
enum Entry {
    Item(TokenStream),
    Push(TokenStream),
}

/// The `(name, text)` pairs of the parameters in one text location, in spec order. `list` is
/// the vector's name; `owned_names`: names are `String`s (a form body).
fn text_entries<'a>(
    params: impl Iterator<Item = &'a ParamIr>,
    list: &proc_macro2::Ident,
    owned_names: bool,
) -> Vec<Entry> {
    params
        .map(|p| {
            let wire = &p.wire;
            let name = if owned_names {
                quote!(#wire.to_owned())
            } else {
                quote!(#wire)
            };
            if let Some(c) = &p.const_value {
                return Entry::Item(quote!((#name, #c.to_owned())));
            }
            let f = ident(&p.rust);
            let Some(param_text) = p.ty.param_text() else {
                // Rejected by validation and lowering.
                return Entry::Push(TokenStream::new());
            };
            match (param_text, p.required) {
                (ParamText::One(scalar), true) => {
                    let text = scalar_text(scalar, wire, quote!(&self.#f));
                    Entry::Item(quote!((#name, #text)))
                }
                (ParamText::One(scalar), false) => {
                    let text = scalar_text(scalar, wire, quote!(v));
                    Entry::Push(quote!(if let Some(v) = &self.#f { #list.push((#name, #text)); }))
                }
                (ParamText::Repeated(scalar), true) => {
                    let text = scalar_text(scalar, wire, quote!(v));
                    Entry::Push(quote!(for v in &self.#f { #list.push((#name, #text)); }))
                }
                (ParamText::Repeated(scalar), false) => {
                    let text = scalar_text(scalar, wire, quote!(v));
                    Entry::Push(quote! {
                        if let Some(values) = &self.#f {
                            for v in values { #list.push((#name, #text)); }
                        }
                    })
                }
            }
        })
        .collect()
}

/// Whether the request needs a struct at all: some parameter is the caller's.
pub fn has_request(ep: &EndpointIr) -> bool {
    ep.caller_params().next().is_some()
}

/// Statements that build `request` (an `private::Request`) from the endpoint's parameters: the
/// caller's (read from `self`) and the fixed ones.
fn build_request(ep: &EndpointIr) -> TokenStream {
    let in_query = |p: &&ParamIr| {
        p.location == ParamLocation::Query
            || (p.location == ParamLocation::Body
                && matches!(ep.body, None | Some(BodyEncoding::Query)))
    };
    let new_request = request_new(ep);
    let mut out = quote!(let request = #new_request;);
    let query = text_entries(ep.params.iter().filter(in_query), &ident("query"), false);
    if !query.is_empty() {
        let query = collect_entries(&ident("query"), query);
        out.extend(quote!(#query let request = request.with_query(query);));
    }
    let headers = text_entries(
        ep.params
            .iter()
            .filter(|p| p.location == ParamLocation::Header),
        &ident("headers"),
        false,
    );
    if !headers.is_empty() {
        let headers = collect_entries(&ident("headers"), headers);
        out.extend(quote!(#headers let request = request.with_headers(headers);));
    }
    let body_params = ep
        .params
        .iter()
        .filter(|p| p.location == ParamLocation::Body);
    let body = match ep.body {
        Some(BodyEncoding::Json) => {
            let mut body = if has_request(ep) {
                quote!(private::Body::json(self)?)
            } else {
                quote!(private::Body::json_object())
            };
            for p in body_params {
                if let Some(c) = &p.const_value {
                    let wire = &p.wire;
                    body = quote!(#body.with_member(#wire, #c));
                }
            }
            Some(body)
        }
        Some(BodyEncoding::Form) => {
            let form = collect_entries(
                &ident("form"),
                text_entries(body_params, &ident("form"), true),
            );
            Some(quote!({ #form private::Body::Form(form) }))
        }
        Some(BodyEncoding::Query) | None => None,
    };
    if let Some(body) = body {
        out.extend(quote!(let request = request.with_body(#body);));
    }
    out
}

/// The request type and its methods, and its serde impls as source text.
pub fn request_struct(ep: &EndpointIr) -> (TokenStream, String) {
    let name = ident(&ep.request_type);
    let json_body = ep.body == Some(BodyEncoding::Json);
    let params: Vec<&ParamIr> = ep.caller_params().collect();
    let fields = params.iter().map(|p| {
        let doc = doc(&param_doc(p));
        let f = ident(&p.rust);
        let ty = field_type(&p.ty, !p.required);
        quote!(#doc pub #f: #ty,)
    });
    let required: Vec<&&ParamIr> = params.iter().filter(|p| p.required).collect();
    // Every field optional: `Default` (clippy's `new_without_default` in the user's crate).
    let derives = if !required.is_empty() {
        quote!(#[derive(Debug, Clone, PartialEq)])
    } else {
        quote!(#[derive(Debug, Clone, Default, PartialEq)])
    };
    // A JSON body is the request itself, encoded without its path, query and header
    // parameters (fixed members are added when the request is built).
    let serde = if json_body {
        let record: Vec<RecordField> = params
            .iter()
            .map(|p| RecordField {
                rust: p.rust.clone(),
                wire: p.wire.clone(),
                ty: p.ty.clone(),
                optional: !p.required,
                skip_none: !p.required,
                adapter: wire_adapter(&p.ty, false, p.wire_format, !p.required),
                skipped: p.location != ParamLocation::Body,
            })
            .collect();
        record_impls(&ep.request_type, &record, true, ep.request_decodable)
    } else {
        String::new()
    };
    let new_args = required.iter().map(|p| {
        let f = ident(&p.rust);
        let ty = argument_type(&p.ty);
        quote!(#f: #ty)
    });
    let init = params.iter().map(|p| {
        let f = ident(&p.rust);
        match (p.required, &p.ty) {
            (true, TypeExpr::Primitive(Primitive::String)) => quote!(#f: #f.into()),
            (true, _) => quote!(#f),
            (false, _) => quote!(#f: None),
        }
    });
    let setters = params.iter().filter(|p| !p.required).map(|p| {
        let f = ident(&p.rust);
        let ty = argument_type(&p.ty);
        let value = if p.ty == TypeExpr::Primitive(Primitive::String) {
            quote!(#f.into())
        } else {
            quote!(#f)
        };
        let d = doc(&setter_doc(&p.wire, p.doc.as_deref()));
        quote! {
            #d
            pub fn #f(mut self, #f: #ty) -> Self {
                self.#f = Some(#value);
                self
            }
        }
    });
    let checks = params.iter().filter(|p| p.minimum.is_some() || p.maximum.is_some()).map(|p| {
        let f = ident(&p.rust);
        let wire = &p.wire;
        let value = if p.required { quote!(Some(self.#f)) } else { quote!(self.#f) };
        let min = p.minimum.map(|m| {
            let (bound, reason) = (int(m), format!("must be at least {m}, got {{v}}"));
            quote! {
                if let Some(v) = #value && v < #bound {
                    return Err(rt::Error::InvalidRequest { field: #wire, reason: format!(#reason) });
                }
            }
        });
        let max = p.maximum.map(|m| {
            let (bound, reason) = (int(m), format!("must be at most {m}, got {{v}}"));
            quote! {
                if let Some(v) = #value && v > #bound {
                    return Err(rt::Error::InvalidRequest { field: #wire, reason: format!(#reason) });
                }
            }
        });
        quote!(#min #max)
    });
    let doc_struct = doc(&format!(
        "Parameters of [`Client::{}`] — {}.",
        ep.method_name,
        md(&ep.title)
    ));
    let checks: Vec<TokenStream> = checks.collect();
    let (validate_fn, validate_call) = if checks.is_empty() {
        (TokenStream::new(), TokenStream::new())
    } else {
        (
            quote! {
                /// Checks the document's limits before anything is sent.
                fn validate(&self) -> Result<()> {
                    #(#checks)*
                    Ok(())
                }
            },
            quote!(self.validate()?;),
        )
    };
    let build = build_request(ep);
    let new_doc = if required.is_empty() {
        doc("A request with every optional parameter left to the server's default.")
    } else {
        doc("A request with its required parameters; optional ones are set with the methods below.")
    };
    let allow = many_arguments(required.len());
    let tokens = quote! {
        #doc_struct
        #derives
        #[non_exhaustive]
        pub struct #name {
            #(#fields)*
        }

        impl #name {
            #new_doc
            #allow
            pub fn new(#(#new_args),*) -> Self {
                Self { #(#init),* }
            }

            #(#setters)*

            #validate_fn

            fn to_request(&self) -> Result<private::Request> {
                #validate_call
                #build
                Ok(request)
            }
        }
    };
    (tokens, serde)
}

fn response_type(ep: &EndpointIr) -> TokenStream {
    match &ep.response {
        Some(t) => rust_type(t),
        None => quote!(rt::serde_json::Value),
    }
}

fn endpoint_method(ep: &EndpointIr) -> TokenStream {
    let name = ident(&ep.method_name);
    let out = response_type(ep);
    let mut text = format!(
        "{} — `{} {}`",
        md(&ep.title),
        ep.http_method.as_str(),
        ep.path
    );
    if ep.allowed_methods.len() > 1 {
        let all: Vec<&str> = ep.allowed_methods.iter().map(|m| m.as_str()).collect();
        text.push_str(&format!(
            "\n\nThe document allows {}; the client uses {}.",
            all.join(" or "),
            ep.http_method.as_str()
        ));
    }
    if let Some(d) = &ep.doc {
        text.push_str(&format!("\n\n{d}"));
    }
    if ep.response.is_none() {
        text.push_str("\n\nThe document does not describe the response, so its `data` is returned as raw JSON.");
    }
    if ep.idempotent {
        text.push_str("\n\nIdempotent (the spec marks it so): retried after timeouts, resets and 5xx answers like a GET.");
    }
    let d = doc(&text);
    if has_request(ep) {
        let req = ident(&ep.request_type);
        quote! {
            #d
            pub async fn #name(&self, request: &#req) -> Result<#out> {
                self.engine.send(request.to_request()?).await
            }
        }
    } else if ep.params.is_empty() {
        let request = request_new(ep);
        quote! {
            #d
            pub async fn #name(&self) -> Result<#out> {
                self.engine.send(#request).await
            }
        }
    } else {
        // Fixed parameters only.
        let build = build_request(ep);
        quote! {
            #d
            pub async fn #name(&self) -> Result<#out> {
                #build
                self.engine.send(request).await
            }
        }
    }
}

fn pages_method(ep: &EndpointIr) -> TokenStream {
    let Some(p) = &ep.pagination else {
        return TokenStream::new();
    };
    let name = format_ident!("{}_pages", ep.method_name);
    let single = ident(&ep.method_name);
    let req = ident(&ep.request_type);
    let item = rust_type(&p.item_type);
    let page = ident(&p.page_param);
    let d = doc(&format!(
        "Every item of [`Client::{}`], page after page, starting at the request's `{}` (default 1) and stopping after the last page the server reports.",
        ep.method_name, p.page_param
    ));
    quote! {
        #d
        pub fn #name(&self, request: #req) -> impl rt::futures_core::Stream<Item = Result<#item>> + Send + '_ {
            let first = request.#page.unwrap_or(1);
            private::pages_with_max(first, self.engine.max_page(), move |page| {
                let request = request.clone().#page(page);
                async move { self.#single(&request).await }
            })
        }
    }
}

pub fn page_impl(ep: &EndpointIr) -> TokenStream {
    let (Some(p), Some(TypeExpr::Named(resp))) = (&ep.pagination, &ep.response) else {
        return TokenStream::new();
    };
    let resp = ident(resp);
    let item = rust_type(&p.item_type);
    let items = ident(&p.items_field);
    let path = p.total_pages_path.iter().map(|f| ident(f));
    quote! {
        impl private::Page for #resp {
            type Item = #item;
            fn into_items(self) -> Vec<#item> {
                self.#items
            }
            fn total_pages(&self) -> i64 {
                self.#(#path).*
            }
        }
    }
}

pub fn credentials(api: &Api) -> TokenStream {
    let fields = api.credentials.iter().map(|c| {
        let f = ident(&c.name);
        let mut text = c.doc.clone().unwrap_or_else(|| format!("`{}`.", c.name));
        if let Some(env) = &c.env {
            text.push_str(&format!("\n\nThe runnable examples read it from `{env}`."));
        }
        let d = doc(&text);
        let ty = match (c.secret, c.optional) {
            (true, false) => quote!(rt::secrecy::SecretString),
            (true, true) => quote!(Option<rt::secrecy::SecretString>),
            (false, false) => quote!(String),
            (false, true) => quote!(Option<String>),
        };
        quote!(#d pub #f: #ty,)
    });
    let required: Vec<_> = api.credentials.iter().filter(|c| !c.optional).collect();
    let args = required.iter().map(|c| {
        let f = ident(&c.name);
        quote!(#f: impl Into<String>)
    });
    let init = api.credentials.iter().map(|c| {
        let f = ident(&c.name);
        match (c.secret, c.optional) {
            (true, false) => quote!(#f: rt::secrecy::SecretString::from(#f.into())),
            (false, false) => quote!(#f: #f.into()),
            (_, true) => quote!(#f: None),
        }
    });
    let to_runtime = api.credentials.iter().map(|c| {
        let f = ident(&c.name);
        let name = &c.name;
        match (c.secret, c.optional) {
            (true, false) => quote!(credentials = credentials.secret(#name, self.#f.expose_secret());),
            (false, false) => quote!(credentials = credentials.plain(#name, self.#f.as_str());),
            (true, true) => quote!(if let Some(v) = &self.#f { credentials = credentials.secret(#name, v.expose_secret()); }),
            (false, true) => quote!(if let Some(v) = &self.#f { credentials = credentials.plain(#name, v.as_str()); }),
        }
    });
    let uses_secrecy = api.credentials.iter().any(|c| c.secret);
    let expose = if uses_secrecy {
        quote!(
            use rt::secrecy::ExposeSecret as _;
        )
    } else {
        TokenStream::new()
    };
    quote! {
        /// What the application supplies to authenticate. Secrets are [`rt::secrecy::SecretString`]s:
        /// they never appear in `Debug` output, logs or errors.
        #[derive(Debug, Clone)]
        pub struct Credentials {
            #(#fields)*
        }

        impl Credentials {
            /// Credentials from their values.
            pub fn new(#(#args),*) -> Self {
                Self { #(#init),* }
            }

            fn to_runtime(&self) -> private::Credentials {
                #expose
                let mut credentials = private::Credentials::new();
                #(#to_runtime)*
                credentials
            }
        }
    }
}

/// Per-call settings on a cheap clone of the client: `with_options` reaches every
/// [`CallOptions`] field, including ones newer than the generated code; the other two are
/// shorthands.
fn per_call_options() -> TokenStream {
    quote! {
        /// This client with other per-call settings ([`CallOptions`](rt::CallOptions)) for
        /// the calls made through it: a cheap clone sharing the token cache and connections.
        /// `client.with_options(|o| o.deadline = Duration::from_secs(5)).some_call(&request).await`.
        pub fn with_options(&self, configure: impl FnOnce(&mut rt::CallOptions)) -> Client {
            Client { engine: self.engine.with_options(configure) }
        }

        /// This client with another deadline for the calls made through it (a cheap clone).
        pub fn with_deadline(&self, deadline: std::time::Duration) -> Client {
            self.with_options(|o| o.deadline = deadline)
        }

        /// This client with another retry policy for the calls made through it (a cheap clone).
        pub fn with_retry_policy(&self, policy: rt::RetryPolicy) -> Client {
            self.with_options(|o| o.retry = policy)
        }
    }
}

fn builder(api: &Api) -> TokenStream {
    let default_url = api
        .environments
        .first()
        .map(|e| e.base_url.clone())
        .unwrap_or_default();
    quote! {
        /// Configures a [`Client`]; see [`Client::builder`] and the runtime's
        /// [`ClientBuilder`](rt::ClientBuilder) for every option.
        pub type ClientBuilder = rt::ClientBuilder<ErrorCode, Client>;

        /// The document's default base URL.
        pub const DEFAULT_BASE_URL: &str = #default_url;
    }
}

/// The token requests whose path the application must configure, for the client's docs.
fn grant_paths_doc(api: &Api) -> String {
    let Some(token) = &api.token else {
        return String::new();
    };
    let unset: Vec<String> = token
        .grants
        .iter()
        .filter(|g| g.path.is_none())
        .map(|g| format!("`{}`", g.name))
        .collect();
    if unset.is_empty() {
        return String::new();
    }
    format!(
        "\n\nThe document gives no path for the token request(s) {}: set each with [`ClientBuilder::grant_path`](rt::ClientBuilder::grant_path) before the client can use it.",
        unset.join(", ")
    )
}

fn auth_flow_methods(api: &Api) -> TokenStream {
    let Some(token) = &api.token else {
        return TokenStream::new();
    };
    let mut out = TokenStream::new();
    if token.authorize.is_some() {
        out.extend(quote! {
            /// The URL to send the user's browser to, to authorize this application.
            /// Generate `state` with [`Client::new_state`], keep it, and check the callback's
            /// `state` with [`Client::check_state`] before exchanging the code.
            pub fn authorize_url(&self, redirect_uri: &str, state: &str) -> Result<String> {
                self.engine.authorize_url(redirect_uri, state)
            }

            /// A fresh, unguessable `state` for [`Client::authorize_url`] (CSRF protection).
            pub fn new_state() -> String {
                private::new_state()
            }

            /// Checks the authorization callback's `state` against the one sent, in constant
            /// time; a mismatch is [`AuthError::StateMismatch`](rt::AuthError::StateMismatch).
            pub fn check_state(expected: &str, received: &str) -> Result<()> {
                Ok(private::check_state(expected, received)?)
            }
        });
    }
    let automatic_or_refresh = [token.automatic.as_deref(), token.refresh_with.as_deref()];
    for g in token
        .grants
        .iter()
        .filter(|g| !g.inputs.is_empty() && !automatic_or_refresh.contains(&Some(g.name.as_str())))
    {
        let f = format_ident!("exchange_{}", g.name);
        let name = &g.name;
        let args = g.inputs.iter().map(|i| {
            let i = ident(i);
            quote!(#i: &str)
        });
        let pairs = g.inputs.iter().map(|i| {
            let id = ident(i);
            quote!((#i, #id))
        });
        let title = g.title.clone().unwrap_or_else(|| name.clone());
        let d = doc(&format!(
            "{title}\n\n{}\n\nRuns the `{name}` token request and keeps the result; later calls use it.",
            g.doc.clone().unwrap_or_default()
        ));
        out.extend(quote! {
            #d
            pub async fn #f(&self, #(#args),*) -> Result<rt::TokenState> {
                self.engine.exchange(#name, &[#(#pairs),*]).await
            }
        });
    }
    out.extend(quote! {
        /// The current token state, e.g. to persist it yourself.
        pub async fn token_state(&self) -> Option<rt::TokenState> {
            self.engine.token_state().await
        }

        /// Restores token state saved earlier (e.g. after a restart).
        pub async fn set_token_state(&self, state: rt::TokenState) {
            self.engine.set_token_state(state).await
        }
    });
    out
}

/// `about`: the vendor's documentation (introduction, environments, auth, gaps), which
/// lives on `Client` because a generated file carries no inner `//!` docs (it must work
/// inside `include!`).
/// `Client`, its builder and methods, and `decode_response` (credentials, request types and
/// `Page` impls are emitted separately, one item at a time).
pub fn emit_client(api: &Api, about: &str) -> TokenStream {
    let methods = api.endpoints.iter().map(endpoint_method);
    let pages = api.endpoints.iter().map(pages_method);
    let builder = builder(api);
    let flows = auth_flow_methods(api);
    let generic_call = if api.catalogue.is_empty() {
        TokenStream::new()
    } else {
        quote! {
            /// Calls any endpoint of the [`catalogue`] (the document names them without paths or
            /// fields): auth, token caching and error codes are handled; `data` comes back as JSON.
            pub async fn call(&self, method: rt::reqwest::Method, path: &str, body: Option<rt::serde_json::Value>) -> Result<rt::serde_json::Value> {
                // Unknown endpoints: only GET is retried after it may have been received.
                let request = private::Request::to_path(method, path.to_owned());
                self.engine.send(request.with_body(body.map_or(private::Body::None, private::Body::Json))).await
            }
        }
    };
    let module = &api.module;
    let per_call_options = per_call_options();
    let client_doc = doc(&format!(
        "{about}\n\n# Using the client\n\nCheap to clone: clones share the connection pool and the token cache.{}",
        grant_paths_doc(api)
    ));
    quote! {
        #client_doc
        #[derive(Clone)]
        pub struct Client {
            engine: private::Engine<ErrorCode>,
        }

        impl std::fmt::Debug for Client {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct("Client").finish_non_exhaustive()
            }
        }

        #builder

        impl Client {
            /// Starts configuring a client with the application's credentials.
            pub fn builder(credentials: Credentials) -> ClientBuilder {
                rt::ClientBuilder::new(api_spec(), DEFAULT_BASE_URL, |engine| Client { engine })
                    .credentials(credentials.to_runtime())
                    .vendor(#module)
            }

            #per_call_options

            #(#methods)*
            #(#pages)*
            #flows
            #generic_call
        }

        /// Decodes a raw response body of this vendor (one you recorded, or received through
        /// another HTTP stack) exactly as the client does: envelope, error codes, typed `data`.
        pub fn decode_response<T: rt::serde::de::DeserializeOwned>(status: u16, body: &[u8]) -> Result<T> {
            private::decode_response(envelope().as_ref(), status, body)
        }
    }
}

/// `let name = vec![…]` of the leading required pairs, then the rest in spec order: the
/// required ones pushed, the optional ones (already `if let … push` statements) as they are.
/// `let name = vec![…];` with the leading items, then pushes for the rest, in order (a
/// literal where possible: clippy flags `Vec::new()` followed by pushes in the user's crate).
fn collect_entries(name: &proc_macro2::Ident, entries: Vec<Entry>) -> TokenStream {
    let leading = entries
        .iter()
        .take_while(|e| matches!(e, Entry::Item(_)))
        .count();
    let mut init = Vec::new();
    let mut rest = Vec::new();
    for (i, entry) in entries.into_iter().enumerate() {
        match entry {
            Entry::Item(item) if i < leading => init.push(item),
            Entry::Item(item) => rest.push(quote!(#name.push(#item);)),
            Entry::Push(stmts) => rest.push(stmts),
        }
    }
    if rest.is_empty() {
        quote!(let #name = vec![#(#init),*];)
    } else if init.is_empty() {
        quote!(let mut #name = Vec::new(); #(#rest)*)
    } else {
        quote!(let mut #name = vec![#(#init),*]; #(#rest)*)
    }
}
