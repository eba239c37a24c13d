//! Examples → `generated-client/tests/<module>_examples.rs`: every JSON
//! example of the document must decode into the generated types.
//!
//! What each test expects (success or a specific error variant, the token
//! value, the event kind) is read from the example itself at generation time,
//! so every test asserts something the example states.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

use super::docs::{doc, ident, int};
use super::types::rust_type;
use crate::ir::TypeExpr;
use crate::ir::{Api, ExampleIr};
use crate::ir::{Code, Envelope, ParsesAs, SuccessRule};

fn at<'a>(v: &'a Value, dotted: &str) -> Option<&'a Value> {
    dotted.split('.').try_fold(v, |v, k| v.get(k))
}

/// A type expression with named types qualified by the vendor module.
fn qualified(ty: &TypeExpr, module: &proc_macro2::Ident) -> TokenStream {
    match ty {
        TypeExpr::Named(n) => {
            let n = ident(n);
            quote!(#module::#n)
        }
        TypeExpr::List(inner) => {
            let inner = qualified(inner, module);
            quote!(Vec<#inner>)
        }
        TypeExpr::Map(inner) => {
            let inner = qualified(inner, module);
            quote!(std::collections::BTreeMap<String, #inner>)
        }
        TypeExpr::JsonText(inner) => qualified(inner, module),
        other => rust_type(other),
    }
}

fn as_code(v: &Value) -> Option<Code> {
    match v {
        Value::Number(n) => n.as_i64().map(Code::Int),
        Value::String(s) => Some(Code::Str(s.clone())),
        _ => None,
    }
}

fn is_success(env: &Envelope, body: &Value) -> bool {
    match &env.success {
        SuccessRule::CodeIn(codes) => env
            .code
            .as_deref()
            .and_then(|p| at(body, p))
            .and_then(as_code)
            .is_some_and(|c| codes.contains(&c)),
        SuccessRule::FieldTrue(f) => at(body, f) == Some(&Value::Bool(true)),
    }
}

/// The variant of `code` in the vendor's tables, or `None` for an unknown code.
fn variant_of(api: &Api, code: &Code) -> Option<String> {
    api.error_tables
        .iter()
        .flat_map(|t| &t.codes)
        .find(|c| c.code == *code)
        .map(|c| c.variant.clone())
}

fn expect_code(api: &Api, module: &proc_macro2::Ident, code: Option<Code>) -> TokenStream {
    match code.as_ref().and_then(|c| variant_of(api, c)) {
        Some(v) => {
            let v = ident(&v);
            quote!(assert_eq!(err.code(), Some(&#module::ErrorCode::#v), "{err}");)
        }
        None => {
            quote!(assert!(matches!(err.code(), Some(#module::ErrorCode::Unknown(_))), "{err}");)
        }
    }
}

fn example_test(api: &Api, ex: &ExampleIr) -> Option<TokenStream> {
    let target = ex.parses_as.as_ref()?;
    let module = ident(&api.module);
    let name = format_ident!("{}", ex.name);
    let text = &ex.normalized;
    let json: Value = serde_json::from_str(text).ok()?;
    let status = int(ex.status.unwrap_or(200));
    let body = match target {
        ParsesAs::Response(_) | ParsesAs::ErrorResponse => {
            let env = api.envelope.as_ref()?;
            let endpoint = match target {
                ParsesAs::Response(e) => Some(e),
                _ => None,
            };
            if let Some(endpoint) = endpoint.filter(|_| is_success(env, &json)) {
                let ep = api.endpoints.iter().find(|e| &e.method_name == endpoint)?;
                let ty = ep
                    .response
                    .as_ref()
                    .map(|t| qualified(t, &module))
                    .unwrap_or(quote!(serde_json::Value));
                let data_path = &env.data;
                quote! {
                    let data: #ty = #module::decode_response(#status, TEXT.as_bytes()).expect("decodes");
                    super::support::assert_same_shape(&super::support::json_at(TEXT, #data_path), &data);
                }
            } else {
                let code = env
                    .code
                    .as_deref()
                    .and_then(|p| at(&json, p))
                    .and_then(as_code);
                let check = expect_code(api, &module, code);
                quote! {
                    let err = #module::decode_response::<serde_json::Value>(#status, TEXT.as_bytes()).expect_err("an error response");
                    #check
                    assert!(err.raw_body().is_some(), "the raw body is kept");
                }
            }
        }
        ParsesAs::Request(endpoint) => {
            let ep = api.endpoints.iter().find(|e| &e.method_name == endpoint)?;
            let ty = ident(&ep.request_type);
            quote! {
                let request: #module::#ty = serde_json::from_str(TEXT).expect("decodes");
                super::support::assert_same_shape(&super::support::json_at(TEXT, ""), &request);
            }
        }
        ParsesAs::Type(t) => {
            let ty = ident(t);
            quote! {
                let value: #module::#ty = serde_json::from_str(TEXT).expect("decodes");
                super::support::assert_same_shape(&super::support::json_at(TEXT, ""), &value);
            }
        }
        ParsesAs::TokenResponse(_) => {
            let token = api.token.as_ref()?;
            let mut path = token.response.access_token.clone();
            if token.response.enveloped {
                path = format!("{}.{path}", api.envelope.as_ref()?.data);
            }
            let expected = at(&json, &path)?.as_str()?.to_owned();
            quote! {
                use secrecy::ExposeSecret as _;
                let state = #module::decode_token_response(#status, TEXT.as_bytes()).expect("decodes");
                assert_eq!(state.access_token.expose_secret(), #expected);
            }
        }
        ParsesAs::TokenError(_) => {
            let token = api.token.as_ref()?;
            let code = match (&token.response.error, &api.envelope) {
                (Some(fields), _) => at(&json, &fields.code).and_then(as_code),
                (None, Some(env)) => env
                    .code
                    .as_deref()
                    .and_then(|p| at(&json, p))
                    .and_then(as_code),
                _ => None,
            };
            let check = expect_code(api, &module, code);
            let status = int(ex.status.unwrap_or(400));
            quote! {
                let err = #module::decode_token_response(#status, TEXT.as_bytes()).expect_err("a token error");
                #check
            }
        }
        ParsesAs::Webhook => {
            let w = api.webhooks.as_ref()?;
            let kind = at(&json, &w.discriminator)?.as_str()?.to_owned();
            quote! {
                let webhook = #module::Webhook::parse(TEXT.as_bytes()).expect("decodes");
                assert_eq!(webhook.event.kind(), #kind);
                assert!(!matches!(webhook.event, #module::WebhookEvent::Unknown { .. }), "a documented kind");
            }
        }
        ParsesAs::WebhookAck => quote! {
            let ack: serde_json::Value = serde_json::from_str(TEXT).expect("valid JSON");
            assert!(ack.is_object());
        },
    };
    let d = doc(&format!(
        "{} (`examples.{}`)",
        ex.title.as_deref().unwrap_or("example"),
        ex.name
    ));
    Some(quote! {
        #d
        #[test]
        fn #name() {
            const TEXT: &str = #text;
            #body
        }
    })
}

fn mentions_ident(tokens: TokenStream, name: &str) -> bool {
    tokens.into_iter().any(|t| match t {
        proc_macro2::TokenTree::Ident(i) => i == name,
        proc_macro2::TokenTree::Group(g) => mentions_ident(g.stream(), name),
        _ => false,
    })
}

/// The fixture test file for one vendor; `None` when the spec has no decodable example.
pub fn emit_example_tests(api: &Api) -> Result<Option<String>, String> {
    let tests: Vec<TokenStream> = api
        .examples
        .iter()
        .filter_map(|ex| example_test(api, ex))
        .collect();
    if tests.is_empty() {
        return Ok(None);
    }
    let module = ident(&api.module);
    // Scalar types in the tests name the runtime's re-exports through `rt`, as the module does.
    let runtime_alias = if tests.iter().any(|t| mentions_ident(t.clone(), "rt")) {
        quote!(
            use generated_client::runtime as rt;
        )
    } else {
        TokenStream::new()
    };
    let inner = format!(
        " Every JSON example of `{}` decodes into the generated `{}` types.",
        api.spec_path, api.module
    );
    let tokens = quote! {
        #![doc = #inner]

        use generated_client::#module;
        #runtime_alias

        #(#tests)*
    };
    Ok(Some(
        super::header(&api.spec_path, &api.source_document) + &super::format_file(tokens)?,
    ))
}
