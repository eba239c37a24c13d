//! Auth steps, token grants and the envelope → runtime data constructors.
//!
//! The generated `api_spec()` is plain data: the runtime interprets it. That
//! keeps every vendor's auth in its spec and every algorithm in the runtime.

use proc_macro2::TokenStream;
use quote::quote;

use super::docs::int;
use crate::ir::{Api, StepIr, TokenIr, ValueIr};
use crate::spec::model::{
    BodyEncoding, ClientAuth, Code, Envelope, HttpMethod, SuccessRule, TimeUnit,
};
use crate::validate::values::{Expr, Op, Piece};

pub fn method(m: HttpMethod) -> TokenStream {
    match m {
        HttpMethod::Get => quote!(rt::reqwest::Method::GET),
        HttpMethod::Post => quote!(rt::reqwest::Method::POST),
        HttpMethod::Put => quote!(rt::reqwest::Method::PUT),
        HttpMethod::Patch => quote!(rt::reqwest::Method::PATCH),
        HttpMethod::Delete => quote!(rt::reqwest::Method::DELETE),
    }
}

fn expr(e: &Expr) -> TokenStream {
    match e {
        Expr::Int(n) => {
            let n = int(*n);
            quote!(rt::Expr::Int(#n))
        }
        Expr::Var(v) => quote!(rt::Expr::Var(#v)),
        Expr::Bin(a, op, b) => {
            let (a, b) = (expr(a), expr(b));
            let op = match op {
                Op::Add => quote!(Add),
                Op::Sub => quote!(Sub),
                Op::Mul => quote!(Mul),
                Op::Div => quote!(Div),
                Op::Rem => quote!(Rem),
            };
            quote!(rt::Expr::#op(Box::new(#a), Box::new(#b)))
        }
    }
}

pub fn value(v: &ValueIr) -> TokenStream {
    match v {
        ValueIr::Template(pieces) => {
            let pieces = pieces.iter().map(|p| match p {
                Piece::Lit(s) => quote!(rt::Piece::Lit(#s)),
                Piece::Var(s) => quote!(rt::Piece::Var(#s)),
            });
            quote!(rt::Value::Template(vec![#(#pieces),*]))
        }
        ValueIr::Now(unit) => match unit {
            TimeUnit::Seconds => quote!(rt::Value::Now(rt::TimeUnit::Seconds)),
            TimeUnit::Millis => quote!(rt::Value::Now(rt::TimeUnit::Millis)),
        },
        ValueIr::RandomDigits(n) => {
            let n = int(*n);
            quote!(rt::Value::RandomDigits(#n))
        }
        ValueIr::Md5Hex(inner) => {
            let inner = value(inner);
            quote!(rt::Value::Md5Hex(Box::new(#inner)))
        }
        ValueIr::HmacSha256Hex { key, data } => {
            let (key, data) = (value(key), value(data));
            quote!(rt::Value::HmacSha256Hex { key: Box::new(#key), data: Box::new(#data) })
        }
        ValueIr::SortedPairs { separator, pairs } => {
            let pairs = pairs.iter().map(|(k, v)| {
                let v = value(v);
                quote!((#k, #v))
            });
            quote!(rt::Value::SortedPairs { separator: #separator, pairs: vec![#(#pairs),*] })
        }
        ValueIr::Arithmetic(e) => {
            let e = expr(e);
            quote!(rt::Value::Arithmetic(#e))
        }
    }
}

fn step(s: &StepIr) -> TokenStream {
    match s {
        StepIr::Header { name, value: v } => {
            let v = value(v);
            quote!(rt::Step::Header { name: #name, value: #v })
        }
        StepIr::Query { name, value: v } => {
            let v = value(v);
            quote!(rt::Step::Query { name: #name, value: #v })
        }
        StepIr::Basic { username, password } => {
            let (u, p) = (value(username), value(password));
            quote!(rt::Step::Basic { username: #u, password: #p })
        }
    }
}

fn opt_str(s: &Option<String>) -> TokenStream {
    match s {
        Some(s) => quote!(Some(#s)),
        None => quote!(None),
    }
}

fn opt_secs(s: Option<u64>) -> TokenStream {
    match s {
        Some(n) => {
            let n = int(n);
            quote!(Some(std::time::Duration::from_secs(#n)))
        }
        None => quote!(None),
    }
}

fn raw_code(c: &Code) -> TokenStream {
    match c {
        Code::Int(n) => {
            let n = int(*n);
            quote!(rt::RawCode::Int(#n))
        }
        Code::Str(s) => quote!(rt::RawCode::Str(#s.to_owned())),
    }
}

pub fn envelope(env: &Envelope) -> TokenStream {
    let success = match &env.success {
        SuccessRule::CodeIn(codes) => {
            let codes = codes.iter().map(raw_code);
            quote!(rt::Success::CodeIn(vec![#(#codes),*]))
        }
        SuccessRule::FieldTrue(f) => quote!(rt::Success::FieldTrue(#f)),
    };
    let code = opt_str(&env.code);
    let message = &env.message;
    let data = &env.data;
    let details = opt_str(&env.details);
    let extra = &env.extra;
    quote! {
        rt::EnvelopeSpec {
            success: #success,
            code: #code,
            message: vec![#(#message),*],
            data: #data,
            details: #details,
            extra: vec![#(#extra),*],
        }
    }
}

fn token(t: &TokenIr) -> TokenStream {
    let grants = t.grants.iter().map(|g| {
        let name = &g.name;
        let m = method(g.method);
        let path = opt_str(&g.path);
        let encoding = match g.encoding {
            BodyEncoding::Form => quote!(rt::Encoding::Form),
            BodyEncoding::Json => quote!(rt::Encoding::Json),
            BodyEncoding::Query => quote!(rt::Encoding::Query),
        };
        let fields = g.fields.iter().map(|(k, v)| {
            let v = value(v);
            quote!((#k, #v))
        });
        let client_auth = g.client_auth.iter().map(|c| match c {
            ClientAuth::Form => quote!(rt::ClientAuth::Form),
            ClientAuth::Basic => quote!(rt::ClientAuth::Basic),
        });
        let inputs = &g.inputs;
        let send_auth_steps = g.send_auth_steps;
        quote! {
            rt::Grant {
                name: #name,
                method: #m,
                path: #path,
                encoding: #encoding,
                fields: vec![#(#fields),*],
                client_auth: vec![#(#client_auth),*],
                inputs: vec![#(#inputs),*],
                send_auth_steps: #send_auth_steps,
            }
        }
    });
    let automatic = opt_str(&t.automatic);
    let refresh_with = opt_str(&t.refresh_with);
    let authorize = match &t.authorize {
        Some(a) => {
            let path = &a.path;
            let params = a.params.iter().map(|(k, v)| {
                let v = value(v);
                quote!((#k, #v))
            });
            quote!(Some(rt::AuthorizeSpec { path: #path, params: vec![#(#params),*] }))
        }
        None => quote!(None),
    };
    let r = &t.response;
    let enveloped = r.enveloped;
    let access_token = &r.access_token;
    let expires_in = opt_str(&r.expires_in);
    let default_lifetime = opt_secs(r.default_lifetime_seconds);
    let refresh_token = opt_str(&r.refresh_token);
    let refresh_token_lifetime = opt_secs(r.refresh_token_lifetime_seconds);
    let extra = r.extra.iter().map(|(k, v)| quote!((#k, #v)));
    let error = match &r.error {
        Some(e) => {
            let code = &e.code;
            let message = opt_str(&e.message);
            quote!(Some((#code, #message)))
        }
        None => quote!(None),
    };
    let p = &t.policy;
    let before = opt_secs(p.refresh_before_expiry_seconds);
    let fraction = match p.refresh_in_last_fraction {
        Some(f) => quote!(Some(#f)),
        None => quote!(None),
    };
    let min_interval = opt_secs(p.min_interval_seconds);
    let fetch_on_start = p.fetch_on_start;
    let statuses = p.renew_on_http_status.iter().map(|s| int(*s));
    quote! {
        rt::TokenSpec {
            grants: vec![#(#grants),*],
            automatic: #automatic,
            refresh_with: #refresh_with,
            authorize: #authorize,
            response: rt::TokenResponseSpec {
                enveloped: #enveloped,
                access_token: #access_token,
                expires_in: #expires_in,
                default_lifetime: #default_lifetime,
                refresh_token: #refresh_token,
                refresh_token_lifetime: #refresh_token_lifetime,
                extra: vec![#(#extra),*],
                error: #error,
            },
            policy: rt::RefreshPolicy {
                refresh_before_expiry: #before,
                refresh_in_last_fraction: #fraction,
                min_interval: #min_interval,
                fetch_on_start: #fetch_on_start,
                renew_on_http_status: vec![#(#statuses),*],
            },
        }
    }
}

/// `fn api_spec()` and `fn envelope()`: the vendor's auth, token and envelope rules as runtime data.
pub fn emit_api_spec(api: &Api) -> TokenStream {
    let steps = api.steps.iter().map(step);
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
        fn envelope() -> Option<rt::EnvelopeSpec> {
            #envelope_fn
        }

        /// Auth, token and envelope rules from the spec, as runtime data.
        fn api_spec() -> rt::ApiSpec<ErrorCode> {
            rt::ApiSpec::new(envelope(), vec![#(#steps),*], #token, #allow_plain_http)
        }
    }
}
