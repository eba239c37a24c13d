//! Auth steps, token grants and the envelope → runtime data constructors.
//!
//! The generated `api_spec()` is plain data: the runtime interprets it. That
//! keeps every vendor's auth in its spec and every algorithm in the runtime.

use proc_macro2::TokenStream;
use quote::quote;

use super::data::expr;
use super::docs::int;
use crate::ir::{Api, BodyEncoding, ClientAuth, Code, Envelope, HttpMethod, SuccessRule, TokenIr};

pub fn method(m: HttpMethod) -> TokenStream {
    let name = quote::format_ident!("{}", m.as_str());
    quote!(private::Method::#name)
}

fn secs(n: u64) -> TokenStream {
    let n = int(n);
    quote!(std::time::Duration::from_secs(#n))
}

fn static_code(c: &Code) -> TokenStream {
    match c {
        Code::Int(n) => {
            let n = int(*n);
            quote!(private::StaticCode::Int(#n))
        }
        Code::Str(s) => quote!(private::StaticCode::Str(#s)),
    }
}

fn success_rule(rule: &SuccessRule) -> TokenStream {
    match rule {
        SuccessRule::CodeIn(codes) => {
            let codes = codes.iter().map(static_code);
            quote!(private::Success::code_in(&[#(#codes),*]))
        }
        SuccessRule::FieldTrue(f) => quote!(private::Success::FieldTrue(#f)),
    }
}

/// `private::EnvelopeSpec::new(success, data)` with the code and message paths the spec states.
fn result_spec(
    success: &SuccessRule,
    data: &str,
    code: Option<&String>,
    message: &[String],
) -> TokenStream {
    let success = success_rule(success);
    let mut out = quote!(private::EnvelopeSpec::new(#success, #data));
    if let Some(code) = code {
        out.extend(quote!(.with_code(#code)));
    }
    if !message.is_empty() {
        out.extend(quote!(.with_message(&[#(#message),*])));
    }
    out
}

/// `private::EnvelopeSpec::new(..)` with only what the spec states.
pub fn envelope(env: &Envelope) -> TokenStream {
    let mut out = result_spec(&env.success, &env.data, env.code.as_ref(), &env.message);
    if let Some(nested) = &env.nested {
        let json_text = nested.json_text;
        let inner = result_spec(
            &nested.success,
            &nested.data,
            nested.code.as_ref(),
            &nested.message,
        );
        out.extend(quote!(.with_nested(#json_text, #inner)));
    }
    if let Some(d) = &env.details {
        let (path, field, message) = (&d.path, &d.field, &d.message);
        out.extend(quote!(.with_details(#path, #field, #message)));
    }
    if !env.extra.is_empty() {
        let extra = &env.extra;
        out.extend(quote!(.with_extra(&[#(#extra),*])));
    }
    out
}

fn grant(g: &crate::ir::GrantIr) -> TokenStream {
    let name = &g.name;
    let m = method(g.method);
    let encoding = match g.encoding {
        BodyEncoding::Form => quote!(private::Encoding::Form),
        BodyEncoding::Json => quote!(private::Encoding::Json),
        BodyEncoding::Query => quote!(private::Encoding::Query),
    };
    let mut out = quote!(private::Grant::new(#name, #m, #encoding));
    if let Some(path) = &g.path {
        out.extend(quote!(.with_path(#path)));
    }
    for (k, v) in &g.fields {
        let v = expr(v);
        out.extend(quote!(.with_field(#k, #v)));
    }
    if !g.client_auth.is_empty() {
        let ways = g.client_auth.iter().map(|c| match c {
            ClientAuth::Form => quote!(rt::ClientAuth::Form),
            ClientAuth::Basic => quote!(rt::ClientAuth::Basic),
        });
        out.extend(quote!(.with_client_auth(&[#(#ways),*])));
    }
    if !g.inputs.is_empty() {
        let inputs = &g.inputs;
        out.extend(quote!(.with_inputs(&[#(#inputs),*])));
    }
    if g.send_auth_steps {
        out.extend(quote!(.with_send_auth_steps()));
    }
    out
}

fn token(t: &TokenIr) -> TokenStream {
    let r = &t.response;
    let access_token = &r.access_token;
    let mut response = quote!(private::TokenResponseSpec::new(#access_token));
    if r.enveloped {
        response.extend(quote!(.with_enveloped()));
    }
    if let Some(p) = &r.expires_in {
        response.extend(quote!(.with_expires_in(#p)));
    }
    if let Some(n) = r.default_lifetime_seconds {
        let d = secs(n);
        response.extend(quote!(.with_default_lifetime(#d)));
    }
    if let Some(p) = &r.refresh_token {
        response.extend(quote!(.with_refresh_token(#p)));
    }
    if let Some(n) = r.refresh_token_lifetime_seconds {
        let d = secs(n);
        response.extend(quote!(.with_refresh_token_lifetime(#d)));
    }
    for (k, v) in &r.extra {
        response.extend(quote!(.with_extra(#k, #v)));
    }
    if let Some(e) = &r.error {
        let code = &e.code;
        let message = match &e.message {
            Some(m) => quote!(Some(#m)),
            None => quote!(None),
        };
        response.extend(quote!(.with_error(#code, #message)));
    }
    let mut out = quote!(private::TokenSpec::new(#response));
    for g in &t.grants {
        let g = grant(g);
        out.extend(quote!(.with_grant(#g)));
    }
    if let Some(a) = &t.automatic {
        out.extend(quote!(.with_automatic(#a)));
    }
    if let Some(a) = &t.refresh_with {
        out.extend(quote!(.with_refresh_with(#a)));
    }
    if !t.interchangeable_grants.is_empty() {
        let grants = &t.interchangeable_grants;
        out.extend(quote!(.with_interchangeable_grants(&[#(#grants),*])));
    }
    if let Some(a) = &t.authorize {
        let path = &a.path;
        let mut authorize = quote!(private::AuthorizeSpec::new(#path));
        for (k, v) in &a.params {
            let v = expr(v);
            authorize.extend(quote!(.with_param(#k, #v)));
        }
        out.extend(quote!(.with_authorize(#authorize)));
    }
    let p = &t.policy;
    let mut policy = quote!(private::RefreshPolicy::new());
    let mut stated = false;
    if let Some(n) = p.refresh_before_expiry_seconds {
        let d = secs(n);
        policy.extend(quote!(.with_refresh_before_expiry(#d)));
        stated = true;
    }
    if let Some(f) = p.refresh_in_last_fraction {
        policy.extend(quote!(.with_refresh_in_last_fraction(#f)));
        stated = true;
    }
    if let Some(n) = p.min_interval_seconds {
        let d = secs(n);
        policy.extend(quote!(.with_min_interval(#d)));
        stated = true;
    }
    if p.fetch_on_start {
        policy.extend(quote!(.with_fetch_on_start()));
        stated = true;
    }
    if !p.renew_on_http_status.is_empty() {
        let statuses = p.renew_on_http_status.iter().map(|s| int(*s));
        policy.extend(quote!(.with_renew_on_http_status(&[#(#statuses),*])));
        stated = true;
    }
    if stated {
        out.extend(quote!(.with_policy(#policy)));
    }
    out
}

/// `fn api_spec()` and `fn envelope()`: the vendor's auth, token and envelope rules as runtime data.
pub fn emit_api_spec(api: &Api) -> TokenStream {
    let steps = api.steps.iter().map(expr);
    let token = match &api.token {
        Some(t) => {
            let t = token(t);
            quote!(Some(#t))
        }
        None => quote!(None),
    };
    let envelope_fn = match &api.envelope {
        Some(env) => {
            let env = envelope(env);
            quote!(Some(#env))
        }
        None => quote!(None),
    };
    let allow_plain_http = api.transport.allow_plain_http;
    quote! {
        /// The vendor's response envelope, as runtime data.
        fn envelope() -> Option<private::EnvelopeSpec> {
            #envelope_fn
        }

        /// Auth, token and envelope rules from the spec, as runtime data.
        fn api_spec() -> private::ApiSpec<ErrorCode> {
            private::ApiSpec::new(envelope(), Vec::from([#(#steps),*]), #token, #allow_plain_http)
        }
    }
}
