//! Stage 3: the validated spec lowered to what the emitter needs.
//!
//! Rust names are resolved here, once: field and method names, request type
//! names, error variants, event variants. Type expressions and auth values
//! are parsed into trees. The emitter only walks this IR; it never looks at
//! YAML or repeats a naming decision.

// The vocabulary the IR shares with the spec model and the checked value and type languages:
// plain enums and parsed trees that lowering passes through unchanged. The emitter names them
// through `ir` only, so it depends on nothing but this module.
pub use crate::spec::model::{
    Acknowledgement, BodyEncoding, CatalogueGroup, ClientAuth, Code, DocGap, Envelope, Environment,
    ErrorClass, HttpMethod, MockRefusal, MockRefusalRule, NestedResult, ParamLocation, ParsesAs,
    RefreshPolicy, SuccessRule, TokenResponse, Transport, Vendor, WebhookSignature, WireFormat,
};
pub use crate::validate::types::{
    Capabilities, ParamText, Primitive, ScalarText, TypeExpr, ValueCheck,
};
/// The value language, as lowering produces it and the emitter writes it (`emit::data`).
pub use spec_lang as lang;
pub use spec_lang::{Step, Target, Value};

use crate::diagnostics::Diagnostics;
use crate::spec::LoadedSpec;
use crate::spec::model::{self, *};
use crate::validate::Validated;
use crate::validate::names::{field_name, variant_name};

use crate::validate::{error_variant_name, field_path, normalized_example};

/// One vendor's API, ready to emit.
#[derive(Debug, Clone)]
pub struct Api {
    /// The spec's path as shown in the generated header, e.g. `specs/erp.yaml`.
    pub spec_path: String,
    pub source_document: String,
    pub module: String,
    pub vendor: Vendor,
    pub environments: Vec<Environment>,
    pub transport: Transport,
    pub credentials: Vec<CredentialIr>,
    pub auth_doc: Option<String>,
    pub steps: Vec<Step>,
    pub token: Option<TokenIr>,
    pub envelope: Option<Envelope>,
    pub types: Vec<TypeIr>,
    pub endpoints: Vec<EndpointIr>,
    pub error_tables: Vec<ErrorTableIr>,
    pub webhooks: Option<WebhooksIr>,
    pub catalogue: Vec<CatalogueGroup>,
    pub examples: Vec<ExampleIr>,
    pub doc_gaps: Vec<DocGap>,
}

#[derive(Debug, Clone)]
pub struct CredentialIr {
    pub name: String,
    pub secret: bool,
    pub optional: bool,
    pub doc: Option<String>,
    pub env: Option<String>,
}

#[derive(Debug, Clone)]
pub struct TypeIr {
    pub name: String,
    pub doc: Option<String>,
    pub fields: Vec<FieldIr>,
    pub allow_duplicate_keys: bool,
    /// Reachable from a request parameter: the caller builds values of it, so it gets a
    /// constructor (the struct is `#[non_exhaustive]`, so a struct literal is not available).
    pub built_by_caller: bool,
}

#[derive(Debug, Clone)]
pub struct FieldIr {
    pub wire: String,
    pub rust: String,
    pub ty: TypeExpr,
    pub doc: Option<String>,
    pub document_type: Option<String>,
    /// `Option<T>` in Rust.
    pub optional: bool,
    /// The key may be absent (not only null).
    pub may_be_absent: bool,
    pub lenient: bool,
    pub wire_format: WireFormat,
}

#[derive(Debug, Clone)]
pub struct EndpointIr {
    /// The client method, e.g. `query_inventory`.
    pub method_name: String,
    /// The request type, e.g. `QueryInventoryRequest`.
    pub request_type: String,
    pub title: String,
    pub doc: Option<String>,
    pub http_method: HttpMethod,
    pub allowed_methods: Vec<HttpMethod>,
    pub path: String,
    pub authenticated: bool,
    /// The spec marks it idempotent (GET and HEAD are, whatever the spec says).
    pub idempotent: bool,
    pub body: Option<BodyEncoding>,
    pub params: Vec<ParamIr>,
    /// `None`: the document gives no response; the client returns the raw JSON.
    pub response: Option<TypeExpr>,
    pub pagination: Option<PaginationIr>,
    /// An example of the document is a request of this endpoint, so the request type also
    /// decodes (derives `Deserialize`) for the example tests; otherwise it only encodes.
    pub request_decodable: bool,
}

#[derive(Debug, Clone)]
pub struct ParamIr {
    pub wire: String,
    pub rust: String,
    pub ty: TypeExpr,
    /// A fixed value the endpoint always sends: not a field of the request type.
    pub const_value: Option<String>,
    pub required: bool,
    pub location: ParamLocation,
    pub default: Option<serde_json::Value>,
    pub minimum: Option<i64>,
    pub maximum: Option<i64>,
    pub doc: Option<String>,
    pub document_type: Option<String>,
    pub wire_format: WireFormat,
}

#[derive(Debug, Clone)]
pub struct PaginationIr {
    /// Rust name of the page parameter.
    pub page_param: String,
    /// Rust name of the items field of the response type.
    pub items_field: String,
    /// Item type of the items list.
    pub item_type: TypeExpr,
    /// Rust field names leading to the total page count.
    pub total_pages_path: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct TokenIr {
    pub doc: Option<String>,
    pub grants: Vec<GrantIr>,
    pub automatic: Option<String>,
    pub refresh_with: Option<String>,
    pub interchangeable_grants: Vec<String>,
    pub authorize: Option<AuthorizeIr>,
    pub response: TokenResponse,
    pub policy: RefreshPolicy,
}

#[derive(Debug, Clone)]
pub struct GrantIr {
    pub name: String,
    pub title: Option<String>,
    pub doc: Option<String>,
    pub method: HttpMethod,
    pub path: Option<String>,
    pub encoding: BodyEncoding,
    pub fields: Vec<(String, Value)>,
    pub client_auth: Vec<ClientAuth>,
    pub inputs: Vec<String>,
    pub send_auth_steps: bool,
}

#[derive(Debug, Clone)]
pub struct AuthorizeIr {
    pub path: String,
    pub params: Vec<(String, Value)>,
    pub code_lifetime_seconds: Option<u64>,
}

#[derive(Debug, Clone)]
pub struct ErrorTableIr {
    pub name: String,
    pub http_status: bool,
    pub title: String,
    pub doc: Option<String>,
    pub codes: Vec<ErrorCodeIr>,
}

#[derive(Debug, Clone)]
pub struct ErrorCodeIr {
    pub variant: String,
    pub code: Code,
    pub java_name: Option<String>,
    pub message: String,
    pub doc: Option<String>,
    pub class: ErrorClass,
    /// The failures the spec mock answers with this code (spec `mock_refusal`).
    pub mock_refusal: Vec<MockRefusalRule>,
    /// The spec states the vendor rejects this code before executing the request.
    pub rejected_before_execution: bool,
}

#[derive(Debug, Clone)]
pub struct WebhooksIr {
    pub doc: Option<String>,
    pub discriminator: String,
    pub payload: String,
    pub fields: Vec<FieldIr>,
    /// The Rust name of the delivery-time field, when the spec names one.
    pub timestamp: Option<String>,
    pub events: Vec<EventIr>,
    pub signature: WebhookSignature,
    /// The signature recipe (the `algorithm`/`signed_text` shorthand lowered to it).
    pub signature_value: Value,
    /// The recipe reads `{body}`: the whole delivery is signed, not only the payload.
    pub signature_covers_body: bool,
    pub acknowledgement: Acknowledgement,
}

#[derive(Debug, Clone)]
pub struct EventIr {
    pub kind: String,
    pub variant: String,
    pub payload_type: TypeExpr,
    pub doc: Option<String>,
    pub fields: Vec<FieldIr>,
}

#[derive(Debug, Clone)]
pub struct ExampleIr {
    pub name: String,
    pub title: Option<String>,
    pub language: String,
    pub status: Option<u16>,
    pub parses_as: Option<ParsesAs>,
    /// The text after `normalize`, as tests feed it to the decoders.
    pub normalized: String,
}

/// Lowers a validated spec. Lowering makes no guess: whatever it cannot lower (which
/// [`crate::validate::validate`] should have rejected) is a located diagnostic, never a
/// fallback such as `json` for a type or `GET` for a method.
pub fn lower(valid: &Validated<'_>, spec_path: &str) -> Result<Api, Diagnostics> {
    let mut cx = Lowering {
        loaded: valid.loaded(),
        recipe: valid.recipe(),
        types: valid,
        diags: Diagnostics::default(),
    };
    let api = cx.api(spec_path);
    if cx.diags.is_empty() {
        Ok(api)
    } else {
        Err(cx.diags.sorted())
    }
}

struct Lowering<'a> {
    loaded: &'a LoadedSpec,
    /// The auth values validation parsed: taken as they are, never parsed again.
    recipe: &'a crate::validate::Recipe,
    /// The type expressions validation parsed, by spec path.
    types: &'a Validated<'a>,
    diags: Diagnostics,
}

impl Lowering<'_> {
    fn err(&mut self, path: &str, message: impl Into<String>) {
        let loc = self.loaded.node.locate(path);
        self.diags.push(
            &self.loaded.path,
            loc,
            path,
            format!("cannot lower: {}", message.into()),
        );
    }

    fn api(&mut self, spec_path: &str) -> Api {
        let spec = &self.loaded.spec;
        let types = spec
            .types
            .iter()
            .map(|(name, def)| TypeIr {
                name: name.clone(),
                doc: def.doc.clone(),
                fields: self.fields(&format!("types.{name}.fields"), &def.fields),
                allow_duplicate_keys: def.allow_duplicate_keys,
                built_by_caller: false,
            })
            .collect::<Vec<TypeIr>>();
        let mut endpoints: Vec<EndpointIr> = spec
            .endpoints
            .iter()
            .map(|(name, ep)| self.endpoint(name, ep))
            .collect();
        for ex in spec.examples.values() {
            if let Some(ParsesAs::Request(name)) = &ex.parses_as
                && let Some(ep) = endpoints.iter_mut().find(|e| e.method_name == *name)
            {
                ep.request_decodable = true;
            }
        }
        let types = mark_built_by_caller(types, &endpoints);
        if self.recipe.apply.len() != spec.auth.apply.len() {
            self.err("auth.apply", "these steps were not validated");
        }
        let steps = self.recipe.apply.clone();
        let token = spec.auth.token.as_ref().map(|t| self.token(t));
        let error_tables = spec
            .error_codes
            .iter()
            .map(|(name, t)| ErrorTableIr {
                name: name.clone(),
                http_status: t.http_status,
                title: t.title.clone(),
                doc: t.doc.clone(),
                codes: t
                    .codes
                    .iter()
                    .enumerate()
                    .map(|(i, c)| ErrorCodeIr {
                        variant: error_variant_name(c).unwrap_or_else(|| {
                            self.err(
                                &format!("error_codes.{name}.codes[{i}]"),
                                "an integer code needs `name` or `java_name`",
                            );
                            String::new()
                        }),
                        code: c.code.clone(),
                        java_name: c.java_name.clone(),
                        message: c.message.clone(),
                        doc: c.doc.clone(),
                        class: c.class,
                        mock_refusal: c.mock_refusal.clone(),
                        rejected_before_execution: c.rejected_before_execution.is_some(),
                    })
                    .collect(),
            })
            .collect();
        let webhooks = spec.webhooks.as_ref().and_then(|w| {
            let Some(signature_value) = self.recipe.webhook_signature.clone() else {
                self.err("webhooks.signature", "no signature recipe was validated");
                return None;
            };
            Some(WebhooksIr {
                doc: w.doc.clone(),
                discriminator: w.discriminator.clone(),
                payload: w.payload.clone(),
                fields: self.fields("webhooks.fields", &w.fields),
                timestamp: w.timestamp.as_ref().map(|wire| {
                    w.fields
                        .get(wire)
                        .and_then(|f| f.rust_name.clone())
                        .unwrap_or_else(|| field_name(wire))
                }),
                events: w
                    .events
                    .iter()
                    .map(|(kind, e)| EventIr {
                        kind: kind.clone(),
                        variant: e.name.clone().unwrap_or_else(|| variant_name(kind)),
                        payload_type: self.ty(&format!("webhooks.events.{kind}.type")),
                        doc: e.doc.clone(),
                        fields: self.fields(&format!("webhooks.events.{kind}.fields"), &e.fields),
                    })
                    .collect(),
                signature: w.signature.clone(),
                signature_value: signature_value.clone(),
                signature_covers_body: signature_value.reads_var("body"),
                acknowledgement: w.acknowledgement.clone(),
            })
        });
        Api {
            spec_path: spec_path.to_owned(),
            source_document: spec.source.clone(),
            module: spec.module.clone(),
            vendor: spec.vendor.clone(),
            environments: spec.environments.clone(),
            transport: spec.transport.clone(),
            credentials: spec
                .auth
                .credentials
                .iter()
                .map(|(name, c)| CredentialIr {
                    name: name.clone(),
                    secret: c.secret,
                    optional: c.optional,
                    doc: c.doc.clone(),
                    env: c.env.clone(),
                })
                .collect(),
            auth_doc: spec.auth.doc.clone(),
            steps,
            token,
            envelope: spec.envelope.clone(),
            types,
            endpoints,
            error_tables,
            webhooks,
            catalogue: spec.catalogue.clone(),
            examples: spec
                .examples
                .iter()
                .map(|(name, ex)| ExampleIr {
                    name: name.clone(),
                    title: ex.title.clone(),
                    language: ex.language.clone(),
                    status: ex.status,
                    parses_as: ex.parses_as.clone(),
                    normalized: normalized_example(ex),
                })
                .collect(),
            doc_gaps: spec.doc_gaps.clone(),
        }
    }

    /// The type validation parsed at `path`. A path it did not parse (lowering an unvalidated
    /// spec) is a located error; the placeholder is never emitted, since lowering then fails.
    fn ty(&mut self, path: &str) -> TypeExpr {
        match self.types.type_at(path) {
            Some(ty) => ty.clone(),
            None => {
                self.err(path, "this type was not validated");
                TypeExpr::Primitive(Primitive::Json)
            }
        }
    }

    fn fields(&mut self, path: &str, fields: &indexmap::IndexMap<String, Field>) -> Vec<FieldIr> {
        fields
            .iter()
            .map(|(wire, f)| FieldIr {
                wire: wire.clone(),
                rust: f.rust_name.clone().unwrap_or_else(|| field_name(wire)),
                ty: self.ty(&format!("{path}.{wire}.type")),
                doc: f.doc.clone(),
                document_type: f.document_type.clone(),
                optional: f.nullable || f.optional,
                may_be_absent: f.optional,
                lenient: f.lenient,
                wire_format: f.wire.unwrap_or(WireFormat::String),
            })
            .collect()
    }

    fn endpoint(&mut self, name: &str, ep: &Endpoint) -> EndpointIr {
        let at = format!("endpoints.{name}");
        let params: Vec<ParamIr> = ep
            .params
            .iter()
            .map(|(wire, p)| ParamIr {
                wire: wire.clone(),
                rust: p.rust_name.clone().unwrap_or_else(|| field_name(wire)),
                ty: self.ty(&format!("{at}.params.{wire}.type")),
                const_value: p.const_value.clone(),
                required: p.required || p.const_value.is_some(),
                location: p.location,
                default: p.default.clone(),
                minimum: p.minimum,
                maximum: p.maximum,
                doc: p.doc.clone(),
                document_type: p.document_type.clone(),
                wire_format: p.wire.unwrap_or(WireFormat::String),
            })
            .collect();
        for p in &params {
            let text_location =
                p.location != ParamLocation::Body || ep.body != Some(BodyEncoding::Json);
            if text_location && p.ty.param_text().is_none() {
                self.err(
                    &format!("{at}.params.{}.type", p.wire),
                    format!("{} has no text form where the parameter stands", p.ty),
                );
            }
        }
        let response = ep
            .response
            .as_deref()
            .map(|_| self.ty(&format!("{at}.response")));
        let pagination = ep
            .pagination
            .as_ref()
            .map(|p| self.pagination(&format!("{at}.pagination"), ep, p, &params));
        let http_method = ep.methods.first().copied().unwrap_or_else(|| {
            self.err(&format!("{at}.methods"), "no HTTP method");
            HttpMethod::Get
        });
        EndpointIr {
            method_name: name.to_owned(),
            request_type: format!("{}Request", variant_name(name)),
            title: ep.title.clone(),
            doc: ep.doc.clone(),
            http_method,
            allowed_methods: ep.methods.clone(),
            path: ep.path.clone(),
            authenticated: ep.auth,
            idempotent: ep.idempotent,
            body: ep.body,
            params,
            response,
            pagination,
            request_decodable: false,
        }
    }

    fn pagination(
        &mut self,
        at: &str,
        ep: &Endpoint,
        p: &Pagination,
        params: &[ParamIr],
    ) -> PaginationIr {
        let spec = &self.loaded.spec;
        let response_def = ep.response.as_deref().and_then(|r| spec.types.get(r));
        let items = response_def.and_then(|def| def.fields.get_key_value(&p.items));
        let item_type = match items.map(|(_, f)| TypeExpr::parse(&f.ty)) {
            Some(Ok(TypeExpr::List(inner))) => *inner,
            _ => {
                self.err(
                    &format!("{at}.items"),
                    "not a list field of the endpoint's response type",
                );
                TypeExpr::Primitive(Primitive::Json)
            }
        };
        let page_param = match params.iter().find(|q| q.wire == p.page_param) {
            Some(q) => q.rust.clone(),
            None => {
                self.err(
                    &format!("{at}.page_param"),
                    "not a parameter of the endpoint",
                );
                String::new()
            }
        };
        let total_pages_path =
            match response_def.and_then(|def| field_path(spec, def, &p.total_pages)) {
                Some(path) => path
                    .into_iter()
                    .map(|(wire, f)| f.rust_name.clone().unwrap_or_else(|| field_name(wire)))
                    .collect(),
                None => {
                    self.err(
                        &format!("{at}.total_pages"),
                        "no such field path in the response type",
                    );
                    Vec::new()
                }
            };
        PaginationIr {
            page_param,
            items_field: items
                .map(|(wire, f)| f.rust_name.clone().unwrap_or_else(|| field_name(wire)))
                .unwrap_or_default(),
            item_type,
            total_pages_path,
        }
    }

    fn token(&mut self, token: &model::TokenSource) -> TokenIr {
        let grants = token
            .grants
            .iter()
            .map(|(name, g)| GrantIr {
                name: name.clone(),
                title: g.title.clone(),
                doc: g.doc.clone(),
                method: g.method,
                path: g.path.clone(),
                encoding: g.encoding,
                fields: self
                    .recipe
                    .grant_fields
                    .get(name)
                    .cloned()
                    .unwrap_or_default(),
                client_auth: g.client_auth.clone(),
                inputs: g.inputs.clone(),
                send_auth_steps: g.send_auth_steps,
            })
            .collect();
        let authorize = token.authorize.as_ref().map(|a| AuthorizeIr {
            path: a.path.clone(),
            params: self.recipe.authorize_params.clone(),
            code_lifetime_seconds: a.code_lifetime_seconds,
        });
        TokenIr {
            doc: token.doc.clone(),
            grants,
            automatic: token.automatic.clone(),
            refresh_with: token.refresh_with.clone(),
            interchangeable_grants: token.interchangeable_grants.clone(),
            authorize,
            response: token.response.clone(),
            policy: token.policy.clone(),
        }
    }
}

impl EndpointIr {
    /// The parameters a caller sets (every one but the fixed `const` values).
    pub fn caller_params(&self) -> impl Iterator<Item = &ParamIr> {
        self.params.iter().filter(|p| p.const_value.is_none())
    }
}

/// Marks every type reachable from a request parameter (through fields, lists and maps).
fn mark_built_by_caller(mut types: Vec<TypeIr>, endpoints: &[EndpointIr]) -> Vec<TypeIr> {
    let mut stack: Vec<String> = endpoints
        .iter()
        .flat_map(|e| &e.params)
        .filter_map(|p| p.ty.named().map(str::to_owned))
        .collect();
    while let Some(name) = stack.pop() {
        if let Some(t) = types
            .iter_mut()
            .find(|t| t.name == name && !t.built_by_caller)
        {
            t.built_by_caller = true;
            stack.extend(
                t.fields
                    .iter()
                    .filter_map(|f| f.ty.named().map(str::to_owned)),
            );
        }
    }
    types
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    const SPEC: &str = r#"source: tiny.txt
module: tiny
vendor: { name: Tiny API, title: Tiny }
environments:
  - { name: production, base_url: "https://api.example.com" }
auth:
  credentials:
    api_key: { secret: true }
  apply:
    - { in: header, name: X-Sum, value: { arithmetic: "(1 +" } }
types:
  Thing:
    fields:
      id: { type: innt }
endpoints:
  get_thing:
    title: Get
    methods: [GET]
    path: /thing
    response: Thing
"#;

    /// Lowering takes what validation parsed; an unvalidated spec is a located diagnostic for
    /// each thing it would otherwise have to guess (a type, the auth steps), never a `json`
    /// type or an empty recipe.
    #[test]
    fn lowering_reports_what_it_cannot_lower_instead_of_guessing() {
        let loaded = crate::spec::load_str(Path::new("tiny.yaml"), SPEC.to_owned())
            .unwrap_or_else(|d| panic!("structurally valid: {d}"));
        let diags = lower(&Validated::unchecked(&loaded), "tiny.yaml")
            .expect_err("an unknown type and broken arithmetic cannot be lowered");
        let rendered = diags.to_string();
        assert!(
            rendered.contains("types.Thing.fields.id.type"),
            "{rendered}"
        );
        assert!(rendered.contains("auth.apply"), "{rendered}");
        assert!(diags.iter().all(|d| d.loc.line > 0), "located: {rendered}");
    }
}
