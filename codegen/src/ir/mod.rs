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

/// One vendor's API, ready to emit: what `emit` writes into the vendor module (and, for
/// [`Api::examples`], the example tests), and what the spec mock serves.
///
/// Names come in two kinds. A *wire* name is the spec's (and the vendor's) spelling, sent and
/// received as it is: a JSON key, a query or form name, a header, an event kind. A *Rust* name
/// is the identifier generated code declares, decided here once and never again by the emitter.
///
/// Every `doc` in the IR is the item's finished doc text: when lowered through
/// [`Config`](crate::Config), [`crate::audit::compose_docs`] has already joined the document's
/// text, the maintainer's note and the document lines, markdown-escaped. `None`: nothing to say.
#[derive(Debug, Clone)]
pub struct Api {
    /// The spec's path as shown in the generated header, e.g. `specs/erp.yaml`.
    pub spec_path: String,
    /// The spec's `source:` as written (relative to the spec file, e.g.
    /// `sources/erp.txt`): named in the generated header and the `Client` docs.
    pub source_document: String,
    /// The generated module's name (snake_case, e.g. `erp`): the output file `<module>.rs`,
    /// the module the example tests name, and the vendor name the client gives its traces.
    pub module: String,
    /// The vendor's name, title, introduction and version, for the `Client` docs.
    pub vendor: Vendor,
    /// Base URLs, in spec order: all listed in the `Client` docs; the first is the generated
    /// `DEFAULT_BASE_URL` (and the mock's base path).
    pub environments: Vec<Environment>,
    /// Transport rules; `allow_plain_http` goes into `api_spec()`, its reason into the docs.
    pub transport: Transport,
    /// The fields of the generated `Credentials` struct, in spec order.
    pub credentials: Vec<CredentialIr>,
    /// Doc text of `auth:`, the "Authentication" section of the `Client` docs.
    pub auth_doc: Option<String>,
    /// `auth.apply` as validation parsed it into the value language: the steps the runtime
    /// runs, in order, on every authenticated request (written into `api_spec()`, checked by
    /// the mock).
    pub steps: Vec<Step>,
    /// How tokens are obtained and renewed; `None` when the credentials alone authenticate.
    pub token: Option<TokenIr>,
    /// The vendor's response wrapper, written as the generated `envelope()` (used by every
    /// call and by `decode_response`); `None`: a response body is the data itself.
    pub envelope: Option<Envelope>,
    /// The spec's named types, in spec order: one struct each.
    pub types: Vec<TypeIr>,
    /// The endpoints, in spec order: a `Client` method each, and a request type when the
    /// caller sets any parameter.
    pub endpoints: Vec<EndpointIr>,
    /// The error-code tables, in spec order; together they make one `ErrorCode` enum.
    pub error_tables: Vec<ErrorTableIr>,
    /// The webhook deliveries the vendor pushes; `None`: the spec has no `webhooks:`.
    pub webhooks: Option<WebhooksIr>,
    /// Endpoints the document only names, in its grouping: the generated `catalogue` module
    /// and `Client::call` (nothing is emitted when empty).
    pub catalogue: Vec<CatalogueGroup>,
    /// The document's examples, in spec order: a fixture test for each JSON one that says
    /// what it parses as; the mock answers with them.
    pub examples: Vec<ExampleIr>,
    /// Where the document is silent or contradicts itself: listed in the `Client` docs.
    pub doc_gaps: Vec<DocGap>,
}

/// A credential the application supplies: one field of the generated `Credentials`.
#[derive(Debug, Clone)]
pub struct CredentialIr {
    /// The spec's key, validated snake_case and not a keyword: both the Rust field name and
    /// the name the value language reads it by (`{client_id}`).
    pub name: String,
    /// Held as a `SecretString`, never shown in `Debug` output or errors.
    pub secret: bool,
    /// An `Option` field, left out of `Credentials::new` (set it on the struct).
    pub optional: bool,
    /// Doc text of the field (see [`Api`]).
    pub doc: Option<String>,
    /// Environment variable the runnable examples read it from, noted in the field's docs.
    pub env: Option<String>,
}

/// A named type: a `#[non_exhaustive]` struct with its serde impls.
#[derive(Debug, Clone)]
pub struct TypeIr {
    /// The spec's type name, validated UpperCamelCase: the struct's name as it is, and what
    /// [`TypeExpr::Named`] refers to.
    pub name: String,
    /// Doc text of the struct (see [`Api`]).
    pub doc: Option<String>,
    /// The fields, in spec order (the struct's field order).
    pub fields: Vec<FieldIr>,
    /// The vendor may repeat a key in one object (spec `allow_duplicate_keys`); the struct's
    /// docs say so.
    pub allow_duplicate_keys: bool,
    /// Reachable from a request parameter: the caller builds values of it, so it gets a
    /// constructor (the struct is `#[non_exhaustive]`, so a struct literal is not available).
    pub built_by_caller: bool,
}

/// A field of a record: of a named type, or a top-level field of a webhook delivery.
#[derive(Debug, Clone)]
pub struct FieldIr {
    /// The JSON key, as the vendor spells it.
    pub wire: String,
    /// The Rust field name: the spec's `rust_name`, else the wire name in snake_case.
    pub rust: String,
    /// The field's type, as validation parsed it.
    pub ty: TypeExpr,
    /// Doc text of the field (see [`Api`]); without it the field's docs name the wire key.
    pub doc: Option<String>,
    /// The type the document states where it differs from `ty`, noted in the field's docs.
    pub document_type: Option<String>,
    /// `Option<T>` in Rust.
    pub optional: bool,
    /// The key may be absent (not only null).
    pub may_be_absent: bool,
    /// The value may arrive as a JSON string (`"5"`): decoded through the runtime's
    /// `Lenient<T>` where the primitive's [`Capabilities::lenient`] allows it.
    pub lenient: bool,
    /// How a decimal is written on the wire (`String` unless the spec says `wire: number`);
    /// picks the record adapter ([`Capabilities::adapter`]).
    pub wire_format: WireFormat,
}

/// An endpoint: a `Client` method, its request type and, when paged, a `_pages` stream.
#[derive(Debug, Clone)]
pub struct EndpointIr {
    /// The client method, e.g. `query_inventory`.
    pub method_name: String,
    /// The request type, e.g. `QueryInventoryRequest`.
    pub request_type: String,
    /// The document's title for the endpoint, verbatim: the first line of the method's docs.
    pub title: String,
    /// Doc text of the method (see [`Api`]).
    pub doc: Option<String>,
    /// The method the client sends: the first the spec lists.
    pub http_method: HttpMethod,
    /// Every method the document allows (the docs list them when there are several; the
    /// mock accepts any of them).
    pub allowed_methods: Vec<HttpMethod>,
    /// The path below the base URL; each `{name}` segment is filled with the path
    /// parameter of that wire name, percent-encoded.
    pub path: String,
    /// The call runs the auth steps (`auth.apply`); `false` sends it without them.
    pub authenticated: bool,
    /// The spec marks it idempotent (GET and HEAD are, whatever the spec says).
    pub idempotent: bool,
    /// How `body` parameters are sent: a form, a JSON object (the request type itself,
    /// encoded), or `None`/`Query`: in the query string.
    pub body: Option<BodyEncoding>,
    /// Every parameter in spec order, fixed (`const`) ones included; see
    /// [`EndpointIr::caller_params`].
    pub params: Vec<ParamIr>,
    /// `None`: the document gives no response; the client returns the raw JSON.
    pub response: Option<TypeExpr>,
    /// Page-number pagination: adds the `<method>_pages` stream and the response type's
    /// `Page` impl.
    pub pagination: Option<PaginationIr>,
    /// An example of the document is a request of this endpoint, so the request type also
    /// decodes (derives `Deserialize`) for the example tests; otherwise it only encodes.
    pub request_decodable: bool,
}

/// A parameter of an endpoint: a field of its request type, or a fixed value it always sends.
#[derive(Debug, Clone)]
pub struct ParamIr {
    /// The name as sent: query or form name, header name, JSON member, or the `{name}` of a
    /// path segment.
    pub wire: String,
    /// The request type's field and setter name: the spec's `rust_name`, else the wire name
    /// in snake_case.
    pub rust: String,
    /// The parameter's type, as validation parsed it (`string` for a `const` that states
    /// none). Outside a JSON body it must have a text form ([`TypeExpr::param_text`]).
    pub ty: TypeExpr,
    /// A fixed value the endpoint always sends: not a field of the request type.
    pub const_value: Option<String>,
    /// An argument of the request type's `new` (always true for a `const`); otherwise an
    /// `Option` field with a setter, left out when `None`.
    pub required: bool,
    /// Where it goes: path, query, header or body (by [`EndpointIr::body`]).
    pub location: ParamLocation,
    /// The server's default when omitted, as the document states it: shown in the docs,
    /// never sent.
    pub default: Option<serde_json::Value>,
    /// Smallest allowed value: checked before sending (an `InvalidRequest` error) and by the
    /// mock.
    pub minimum: Option<i64>,
    /// Largest allowed value, checked like `minimum`.
    pub maximum: Option<i64>,
    /// Doc text of the field (see [`Api`]); without it the docs name the wire name.
    pub doc: Option<String>,
    /// The type the document states where it differs from `ty`, noted in the docs.
    pub document_type: Option<String>,
    /// How a decimal is written in a JSON body (`String` unless the spec says `wire: number`).
    pub wire_format: WireFormat,
}

/// Page-number pagination, in Rust names: what the `<method>_pages` stream and the response
/// type's `Page` impl read.
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

/// How tokens are obtained and renewed: the `TokenSpec` of the generated `api_spec()`, and the
/// `Client`'s token methods.
#[derive(Debug, Clone)]
pub struct TokenIr {
    /// Doc text of `auth.token` (see [`Api`]); the emitter does not show it.
    pub doc: Option<String>,
    /// The token requests, in spec order.
    pub grants: Vec<GrantIr>,
    /// The grant the client runs by itself when it has no usable token; `None` when a person
    /// must authorize first.
    pub automatic: Option<String>,
    /// The grant that renews an expired token; `None`: `automatic` renews it too.
    pub refresh_with: Option<String>,
    /// Grants whose tokens stand for one identity, so one may renew another's token.
    pub interchangeable_grants: Vec<String>,
    /// The browser redirect of the authorization-code flow: adds `authorize_url`,
    /// `new_state` and `check_state` to the `Client`.
    pub authorize: Option<AuthorizeIr>,
    /// Where the token, its lifetime and further values are in a token response.
    pub response: TokenResponse,
    /// When to renew; written only when the spec states something.
    pub policy: RefreshPolicy,
}

/// One token request (`client_credentials`, `authorization_code`, `refresh_token`, …).
#[derive(Debug, Clone)]
pub struct GrantIr {
    /// The spec's key, snake_case: the grant's name in the runtime data and in the
    /// `exchange_<name>` method.
    pub name: String,
    /// The document's name for the call: the first line of `exchange_<name>`'s docs (else
    /// the grant's name).
    pub title: Option<String>,
    /// Doc text of `exchange_<name>` (see [`Api`]).
    pub doc: Option<String>,
    /// The HTTP method of the token request.
    pub method: HttpMethod,
    /// Path below the base URL; `None`: the application sets it
    /// (`ClientBuilder::grant_path`, named in the `Client` docs).
    pub path: Option<String>,
    /// How `fields` are sent: form, JSON or query.
    pub encoding: BodyEncoding,
    /// The request's fields and their values (over credentials and `inputs`), in spec order,
    /// as validation parsed them.
    pub fields: Vec<(String, Value)>,
    /// How the client id and secret may be presented; the first is used, empty: not at all.
    pub client_auth: Vec<ClientAuth>,
    /// Values the caller passes per request (`code`, `redirect_uri`): a grant that has some
    /// and is neither `automatic` nor `refresh_with` gets an `exchange_<name>` method taking
    /// them.
    pub inputs: Vec<String>,
    /// Also apply the `auth.apply` steps that need no token to this request.
    pub send_auth_steps: bool,
}

/// The authorization-code flow's browser redirect.
#[derive(Debug, Clone)]
pub struct AuthorizeIr {
    /// The authorization page's path below the base URL.
    pub path: String,
    /// Its query parameters, in spec order, as validation parsed them (values over
    /// credentials, `redirect_uri` and `state`).
    pub params: Vec<(String, Value)>,
    /// How long a code stays valid, when the document says: only the mock reads it.
    pub code_lifetime_seconds: Option<u64>,
}

/// One error-code table of the document.
#[derive(Debug, Clone)]
pub struct ErrorTableIr {
    /// The spec's key for the table (`error_codes.<name>`).
    pub name: String,
    /// The codes are HTTP statuses: they classify responses whose body carries no documented
    /// code (the generated `from_http_status`).
    pub http_status: bool,
    /// The document's heading for the table, verbatim: named in each variant's docs and
    /// returned by `ErrorCode::table`.
    pub title: String,
    /// Doc text of the table (see [`Api`]); the emitter does not show it.
    pub doc: Option<String>,
    /// The codes, in spec order: one `ErrorCode` variant each.
    pub codes: Vec<ErrorCodeIr>,
}

/// One documented error code: a variant of the generated `ErrorCode` and its row of the
/// static code table.
#[derive(Debug, Clone)]
pub struct ErrorCodeIr {
    /// The `ErrorCode` variant: the spec's `name`, else `java_name` or a string code in
    /// UpperCamelCase.
    pub variant: String,
    /// The code as the vendor sends it (an integer or a string).
    pub code: Code,
    /// The vendor's own constant name (`SIGN_ERROR`), noted in the variant's docs.
    pub java_name: Option<String>,
    /// The document's message, verbatim (placeholders such as `%s` kept): the variant's docs
    /// and `documented_message`.
    pub message: String,
    /// Further doc text of the code (see [`Api`]).
    pub doc: Option<String>,
    /// What the runtime does on this code (retry, renew the token, re-sign, …).
    pub class: ErrorClass,
    /// The failures the spec mock answers with this code (spec `mock_refusal`).
    pub mock_refusal: Vec<MockRefusalRule>,
    /// The spec states the vendor rejects this code before executing the request.
    pub rejected_before_execution: bool,
}

/// Webhook deliveries: the generated `WebhookEvent`, `WebhookMeta` and `Webhook` types,
/// `verify_and_parse` and the acknowledgement bodies.
#[derive(Debug, Clone)]
pub struct WebhooksIr {
    /// Doc text of the `Webhook` type (see [`Api`]).
    pub doc: Option<String>,
    /// Wire name of the top-level field naming the event kind.
    pub discriminator: String,
    /// Wire name of the top-level field holding the event's payload, whose raw text the
    /// signature recipe reads as `{payload}`.
    pub payload: String,
    /// Top-level fields common to every kind, besides the discriminator and payload:
    /// `WebhookMeta`'s fields (each event's own fields are added to it as optional ones).
    pub fields: Vec<FieldIr>,
    /// The Rust name of the delivery-time field, when the spec names one.
    pub timestamp: Option<String>,
    /// The event kinds, in spec order: one `WebhookEvent` variant each.
    pub events: Vec<EventIr>,
    /// The spec's `signature:` as written: the name of the secret credential verification
    /// reads, the texts `verify_and_parse`'s docs quote (`algorithm`, `signed_text`, `doc`),
    /// and the `header` the mock sends the signature in.
    pub signature: WebhookSignature,
    /// The signature recipe (the `algorithm`/`signed_text` shorthand lowered to it).
    pub signature_value: Value,
    /// The recipe reads `{body}`: the whole delivery is signed, not only the payload.
    pub signature_covers_body: bool,
    /// The bodies the application answers a delivery with: `WEBHOOK_ACK_SUCCESS` and
    /// `webhook_ack_failure`.
    pub acknowledgement: Acknowledgement,
}

/// One event kind of a webhook delivery: a `WebhookEvent` variant.
#[derive(Debug, Clone)]
pub struct EventIr {
    /// The discriminator's value for this kind, as the vendor sends it.
    pub kind: String,
    /// The `WebhookEvent` variant: the spec's `name`, else the kind in UpperCamelCase.
    pub variant: String,
    /// The payload's type: what the variant holds.
    pub payload_type: TypeExpr,
    /// Doc text of the variant (see [`Api`]).
    pub doc: Option<String>,
    /// Top-level fields only this kind carries: optional fields of `WebhookMeta`.
    pub fields: Vec<FieldIr>,
}

/// One example of the document: a fixture test when it says what it parses as.
#[derive(Debug, Clone)]
pub struct ExampleIr {
    /// The spec's key, snake_case: the name of its test function.
    pub name: String,
    /// The document's caption for it, in the test's docs.
    pub title: Option<String>,
    /// The example's language as the spec gives it (`json`, `http`, `shell`, …).
    pub language: String,
    /// The HTTP status the document gives with it; a test assumes 200 (400 for a token
    /// error response) when absent.
    pub status: Option<u16>,
    /// What the example must decode into; `None`: no test.
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
