//! Webhooks → a tagged `WebhookEvent` enum, a `Webhook` delivery type and
//! signature verification over the raw payload bytes.

use proc_macro2::TokenStream;
use quote::quote;

use super::docs::{code, doc, ident, inline};
use super::types::{RecordField, field, record_impls, rust_type};
use crate::ir::{Api, FieldIr};

/// The webhook types and functions, and `WebhookMeta`'s serde impl as source text.
pub fn emit_webhooks(api: &Api) -> (TokenStream, String) {
    let Some(w) = &api.webhooks else {
        return (TokenStream::new(), String::new());
    };
    let variants = w.events.iter().map(|e| {
        let v = ident(&e.variant);
        let ty = rust_type(&e.payload_type);
        let d = doc(&format!(
            "`{}`{}",
            e.kind,
            e.doc
                .as_deref()
                .map(|d| format!(": {}", inline(d)))
                .unwrap_or_default()
        ));
        quote!(#d #v(#ty),)
    });
    let arms = w.events.iter().map(|e| {
        let v = ident(&e.variant);
        let kind = &e.kind;
        quote!(#kind => WebhookEvent::#v(rt::serde_json::from_value(payload).map_err(rt::WebhookError::Decode)?),)
    });
    let typed_arms = w.events.iter().map(|e| {
        let v = ident(&e.variant);
        let kind = &e.kind;
        quote!(#kind => WebhookEvent::#v(rt::serde_json::from_str(payload.get()).ok()?),)
    });
    let kind_arms = w.events.iter().map(|e| {
        let v = ident(&e.variant);
        let kind = &e.kind;
        quote!(WebhookEvent::#v(_) => #kind,)
    });
    // Top-level fields: the common ones, then those only some events carry (optional on the delivery).
    let mut fields: Vec<FieldIr> = w.fields.clone();
    for e in &w.events {
        for f in &e.fields {
            if !fields.iter().any(|x| x.wire == f.wire) {
                let mut f = f.clone();
                f.optional = true;
                f.may_be_absent = true;
                fields.push(f);
            }
        }
    }
    let field_decls = fields.iter().map(field);
    let record: Vec<RecordField> = fields.iter().map(RecordField::of).collect();
    let meta_serde = record_impls("WebhookMeta", &record, false, true);
    let discriminator = &w.discriminator;
    let payload = &w.payload;
    let signature_value = super::data::expr(&w.signature_value);
    let ack_success = &w.acknowledgement.success;
    let ack_failure = &w.acknowledgement.failure;
    let secret_name = &w.signature.secret;
    // Everything at the top level but the payload lies outside the signed text.
    let unsigned: Vec<String> = std::iter::once(discriminator.clone())
        .chain(fields.iter().map(|f| f.wire.clone()))
        .map(|wire| format!("`{wire}`"))
        .collect();
    let coverage = if w.signature_covers_body {
        "**What the signature covers:** the whole delivery, as received.".to_owned()
    } else {
        format!(
            "**What the signature covers:** only the `{payload}` field. {} {} not protected: anyone who captured a delivery can change {} and the signature still verifies, so a signed payload can be re-labelled as another event kind, and a delivery time proves nothing about freshness.",
            unsigned.join(", "),
            if unsigned.len() == 1 { "is" } else { "are" },
            if unsigned.len() == 1 { "it" } else { "them" },
        )
    };
    let recipe = match (&w.signature.algorithm, &w.signature.signed_text) {
        (Some(algorithm), Some(text)) => format!(
            "The signature is `{algorithm}` of {}, where `{{payload}}` is the raw bytes of the delivery's `{payload}` field exactly as received (a re-serialization would change key order and number formatting) and `{{secret}}` is the `{secret_name}` credential.",
            code(text)
        ),
        _ => format!(
            "The signature is the spec's recipe over `{{payload}}` (the raw bytes of the delivery's `{payload}` field exactly as received), `{{body}}` (the whole delivery as received) and the `{secret_name}` credential, computed with the value language the client signs requests with."
        ),
    };
    let sig_doc = doc(&format!(
        "Verifies a delivery's signature, then parses it.\n\n{recipe} The comparison runs in constant time.\n\n{coverage}{}\n\nFramework-neutral: pass the raw request body and the signature however your framework exposes them.",
        w.signature
            .doc
            .as_deref()
            .map(|d| format!("\n\n{}", inline(d)))
            .unwrap_or_default(),
    ));
    let max_age = match &w.timestamp {
        Some(rust) => {
            let f = ident(rust);
            let wire = fields
                .iter()
                .find(|x| &x.rust == rust)
                .map(|x| x.wire.clone())
                .unwrap_or_default();
            let d = doc(&format!(
                "[`verify_and_parse`], then rejects a delivery whose `{wire}` is more than `max_age` away from now (in either direction), with [`rt::WebhookError::Stale`]. `{wire}` may be Unix seconds or milliseconds (values above 10^11 are read as milliseconds).\n\n`{wire}` is not signed: this discards deliveries that arrive late (a vendor's redelivery, a queue backlog), but a deliberate replay can carry a fresh `{wire}`. Against replays, deduplicate on the payload's own identifiers."
            ));
            quote! {
                #d
                pub fn verify_and_parse_max_age(raw_body: &[u8], signature: &str, secret: &rt::secrecy::SecretString, max_age: std::time::Duration) -> std::result::Result<Webhook, rt::WebhookError> {
                    let webhook = verify_and_parse(raw_body, signature, secret)?;
                    private::webhook::check_age(webhook.meta.#f, max_age)?;
                    Ok(webhook)
                }
            }
        }
        None => TokenStream::new(),
    };
    let w_doc = doc(&w
        .doc
        .clone()
        .unwrap_or_else(|| "A webhook delivery.".to_owned()));
    let tokens = quote! {
        /// The event a webhook delivery carries, by its `type`.
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub enum WebhookEvent {
            #(#variants)*
            /// A kind the document does not list; its payload is kept as JSON.
            Unknown {
                /// The delivery's `type`.
                kind: String,
                /// The raw payload.
                payload: rt::serde_json::Value,
            },
        }

        impl WebhookEvent {
            /// The delivery's `type` string.
            pub fn kind(&self) -> &str {
                match self {
                    #(#kind_arms)*
                    WebhookEvent::Unknown { kind, .. } => kind,
                }
            }
        }

        /// Top-level fields of a delivery besides its `type` and payload.
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub struct WebhookMeta {
            #(#field_decls)*
        }

        #w_doc
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub struct Webhook {
            /// Top-level fields (timestamp and the like).
            pub meta: WebhookMeta,
            /// The event and its payload.
            pub event: WebhookEvent,
        }

        impl Webhook {
            /// Parses a delivery without checking its signature (use [`verify_and_parse`] for
            /// deliveries from the network). A key repeated in one object is accepted: the last
            /// occurrence wins, as in most JSON parsers.
            pub fn parse(raw_body: &[u8]) -> std::result::Result<Webhook, rt::WebhookError> {
                // Typed straight from the bytes first: a JSON tree costs several times the body.
                match Self::parse_typed(raw_body) {
                    Some(webhook) => Ok(webhook),
                    None => Self::parse_tree(raw_body),
                }
            }

            /// `None` on anything unusual (a repeated key, which typed decoders reject; a
            /// malformed body): [`parse_tree`](Self::parse_tree) decides then.
            fn parse_typed(raw_body: &[u8]) -> Option<Webhook> {
                let (kind, payload) = private::webhook::split_delivery(raw_body, #discriminator, #payload)?;
                let meta: WebhookMeta = rt::serde_json::from_slice(raw_body).ok()?;
                let event = match kind.as_str() {
                    #(#typed_arms)*
                    _ => WebhookEvent::Unknown { kind, payload: rt::serde_json::from_str(payload.get()).ok()? },
                };
                Some(Webhook { meta, event })
            }

            fn parse_tree(raw_body: &[u8]) -> std::result::Result<Webhook, rt::WebhookError> {
                // Through a JSON tree on purpose: it accepts duplicate keys (last wins), which
                // serde's derived decoders reject.
                let mut tree: rt::serde_json::Value = rt::serde_json::from_slice(raw_body).map_err(rt::WebhookError::Decode)?;
                let object = tree.as_object_mut().ok_or_else(|| rt::WebhookError::Malformed("the body is not a JSON object".to_owned()))?;
                let kind = match object.remove(#discriminator) {
                    Some(rt::serde_json::Value::String(kind)) => kind,
                    _ => return Err(rt::WebhookError::MissingField(#discriminator)),
                };
                let payload = object.remove(#payload).ok_or(rt::WebhookError::MissingField(#payload))?;
                let meta: WebhookMeta = rt::serde_json::from_value(tree).map_err(rt::WebhookError::Decode)?;
                let event = match kind.as_str() {
                    #(#arms)*
                    _ => WebhookEvent::Unknown { kind, payload },
                };
                Ok(Webhook { meta, event })
            }
        }

        #sig_doc
        pub fn verify_and_parse(raw_body: &[u8], signature: &str, secret: &rt::secrecy::SecretString) -> std::result::Result<Webhook, rt::WebhookError> {
            let payload = private::webhook::raw_field(raw_body, #payload)?;
            private::webhook::verify(&#signature_value, payload.get(), raw_body, #secret_name, secret, signature)?;
            Webhook::parse(raw_body)
        }

        #max_age

        /// The body to answer a delivery with once it is accepted.
        pub const WEBHOOK_ACK_SUCCESS: &str = #ack_success;

        /// The body to answer a delivery with when it is rejected; `message` is JSON-escaped.
        pub fn webhook_ack_failure(message: &str) -> String {
            private::webhook::ack_failure(#ack_failure, message)
        }
    };
    (tokens, meta_serde)
}
