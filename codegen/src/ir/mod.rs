//! Stage 3: the validated spec lowered to what the emitter needs.
//!
//! Rust names are resolved here, once: field and method names, request type
//! names, error variants, event variants. Type expressions and auth values
//! are parsed into trees. The emitter only walks this IR; it never looks at
//! YAML or repeats a naming decision.

use crate::spec::LoadedSpec;
use crate::spec::model::{self, *};
use crate::validate::names::{field_name, variant_name};
use crate::validate::types::TypeExpr;
use crate::validate::values::{Expr, Piece, parse_arithmetic, parse_template};
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
    pub steps: Vec<StepIr>,
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
pub enum ValueIr {
    Template(Vec<Piece>),
    Now(TimeUnit),
    RandomDigits(u8),
    Md5Hex(Box<ValueIr>),
    HmacSha256Hex {
        key: Box<ValueIr>,
        data: Box<ValueIr>,
    },
    SortedPairs {
        separator: String,
        pairs: Vec<(String, ValueIr)>,
    },
    Arithmetic(Expr),
}

#[derive(Debug, Clone)]
pub enum StepIr {
    Header {
        name: String,
        value: ValueIr,
    },
    Query {
        name: String,
        value: ValueIr,
    },
    Basic {
        username: ValueIr,
        password: ValueIr,
    },
}

#[derive(Debug, Clone)]
pub struct TokenIr {
    pub doc: Option<String>,
    pub grants: Vec<GrantIr>,
    pub automatic: Option<String>,
    pub refresh_with: Option<String>,
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
    pub fields: Vec<(String, ValueIr)>,
    pub client_auth: Vec<ClientAuth>,
    pub inputs: Vec<String>,
    pub send_auth_steps: bool,
}

#[derive(Debug, Clone)]
pub struct AuthorizeIr {
    pub path: String,
    pub params: Vec<(String, ValueIr)>,
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
}

#[derive(Debug, Clone)]
pub struct WebhooksIr {
    pub doc: Option<String>,
    pub discriminator: String,
    pub payload: String,
    pub fields: Vec<FieldIr>,
    pub events: Vec<EventIr>,
    pub signature: WebhookSignature,
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

/// Lowers a validated spec. Call [`crate::validate::validate`] first: lowering
/// assumes references resolve and falls back to `json` where they do not.
pub fn lower(loaded: &LoadedSpec, spec_path: &str) -> Api {
    let spec = &loaded.spec;
    let types = spec
        .types
        .iter()
        .map(|(name, def)| TypeIr {
            name: name.clone(),
            doc: def.doc.clone(),
            fields: lower_fields(&def.fields),
            allow_duplicate_keys: def.allow_duplicate_keys,
            built_by_caller: false,
        })
        .collect::<Vec<TypeIr>>();
    let mut endpoints: Vec<EndpointIr> = spec
        .endpoints
        .iter()
        .map(|(name, ep)| lower_endpoint(spec, name, ep))
        .collect();
    for ex in spec.examples.values() {
        if let Some(ParsesAs::Request(name)) = &ex.parses_as
            && let Some(ep) = endpoints.iter_mut().find(|e| e.method_name == *name)
        {
            ep.request_decodable = true;
        }
    }
    let types = mark_built_by_caller(types, &endpoints);
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
        steps: spec.auth.apply.iter().map(lower_step).collect(),
        token: spec.auth.token.as_ref().map(lower_token),
        envelope: spec.envelope.clone(),
        types,
        endpoints,
        error_tables: spec
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
                    .map(|c| ErrorCodeIr {
                        variant: error_variant_name(c).unwrap_or_else(|| "Unnamed".to_owned()),
                        code: c.code.clone(),
                        java_name: c.java_name.clone(),
                        message: c.message.clone(),
                        doc: c.doc.clone(),
                        class: c.class,
                    })
                    .collect(),
            })
            .collect(),
        webhooks: spec.webhooks.as_ref().map(|w| WebhooksIr {
            doc: w.doc.clone(),
            discriminator: w.discriminator.clone(),
            payload: w.payload.clone(),
            fields: lower_fields(&w.fields),
            events: w
                .events
                .iter()
                .map(|(kind, e)| EventIr {
                    kind: kind.clone(),
                    variant: e.name.clone().unwrap_or_else(|| variant_name(kind)),
                    payload_type: parse_type(&e.ty),
                    doc: e.doc.clone(),
                    fields: lower_fields(&e.fields),
                })
                .collect(),
            signature: w.signature.clone(),
            acknowledgement: w.acknowledgement.clone(),
        }),
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

fn parse_type(text: &str) -> TypeExpr {
    TypeExpr::parse(text).unwrap_or(TypeExpr::Json)
}

fn lower_fields(fields: &indexmap::IndexMap<String, Field>) -> Vec<FieldIr> {
    fields
        .iter()
        .map(|(wire, f)| FieldIr {
            wire: wire.clone(),
            rust: f.rust_name.clone().unwrap_or_else(|| field_name(wire)),
            ty: parse_type(&f.ty),
            doc: f.doc.clone(),
            document_type: f.document_type.clone(),
            optional: f.nullable || f.optional,
            may_be_absent: f.optional,
            lenient: f.lenient,
            wire_format: f.wire.unwrap_or(WireFormat::String),
        })
        .collect()
}

fn lower_endpoint(spec: &Spec, name: &str, ep: &Endpoint) -> EndpointIr {
    let params: Vec<ParamIr> = ep
        .params
        .iter()
        .map(|(wire, p)| ParamIr {
            wire: wire.clone(),
            rust: p.rust_name.clone().unwrap_or_else(|| field_name(wire)),
            ty: parse_type(&p.ty),
            required: p.required,
            location: p.location,
            default: p.default.clone(),
            minimum: p.minimum,
            maximum: p.maximum,
            doc: p.doc.clone(),
            document_type: p.document_type.clone(),
            wire_format: p.wire.unwrap_or(WireFormat::String),
        })
        .collect();
    let response = ep.response.as_deref().map(parse_type);
    let pagination = ep.pagination.as_ref().and_then(|p| {
        let response_def = spec.types.get(ep.response.as_deref()?)?;
        let items = response_def.fields.get(&p.items)?;
        let item_type = match parse_type(&items.ty) {
            TypeExpr::List(inner) => *inner,
            _ => return None,
        };
        Some(PaginationIr {
            page_param: params.iter().find(|q| q.wire == p.page_param)?.rust.clone(),
            items_field: items
                .rust_name
                .clone()
                .unwrap_or_else(|| field_name(&p.items)),
            item_type,
            total_pages_path: rust_field_path(spec, response_def, &p.total_pages),
        })
    });
    EndpointIr {
        method_name: name.to_owned(),
        request_type: format!("{}Request", variant_name(name)),
        title: ep.title.clone(),
        doc: ep.doc.clone(),
        http_method: ep.methods.first().copied().unwrap_or(HttpMethod::Get),
        allowed_methods: ep.methods.clone(),
        path: ep.path.clone(),
        authenticated: ep.auth,
        body: ep.body,
        params,
        response,
        pagination,
        request_decodable: false,
    }
}

/// `pagination.total_pages` → the Rust field names along the way.
fn rust_field_path(spec: &Spec, def: &TypeDef, dotted: &str) -> Vec<String> {
    field_path(spec, def, dotted)
        .unwrap_or_default()
        .into_iter()
        .map(|(wire, f)| f.rust_name.clone().unwrap_or_else(|| field_name(wire)))
        .collect()
}

fn lower_value(value: &ValueExpr) -> ValueIr {
    match value {
        ValueExpr::Template(text) => ValueIr::Template(
            parse_template(text).unwrap_or_else(|_| vec![Piece::Lit(text.clone())]),
        ),
        ValueExpr::Op(op) => match op {
            ValueOp::Now(unit) => ValueIr::Now(*unit),
            ValueOp::RandomDigits(n) => ValueIr::RandomDigits(*n),
            ValueOp::Md5Hex(inner) => ValueIr::Md5Hex(Box::new(lower_value(inner))),
            ValueOp::HmacSha256Hex { key, data } => ValueIr::HmacSha256Hex {
                key: Box::new(lower_value(key)),
                data: Box::new(lower_value(data)),
            },
            ValueOp::SortedPairs { separator, pairs } => ValueIr::SortedPairs {
                separator: separator.clone(),
                pairs: pairs
                    .iter()
                    .map(|(k, v)| (k.clone(), lower_value(v)))
                    .collect(),
            },
            ValueOp::Arithmetic(text) => {
                ValueIr::Arithmetic(parse_arithmetic(text).unwrap_or(Expr::Int(0)))
            }
        },
    }
}

fn lower_step(step: &ApplyStep) -> StepIr {
    match step {
        ApplyStep::Header { name, value, .. } => StepIr::Header {
            name: name.clone(),
            value: lower_value(value),
        },
        ApplyStep::Query { name, value, .. } => StepIr::Query {
            name: name.clone(),
            value: lower_value(value),
        },
        ApplyStep::Basic { username, password } => StepIr::Basic {
            username: lower_value(username),
            password: lower_value(password),
        },
    }
}

fn lower_token(token: &model::TokenSource) -> TokenIr {
    TokenIr {
        doc: token.doc.clone(),
        grants: token
            .grants
            .iter()
            .map(|(name, g)| GrantIr {
                name: name.clone(),
                title: g.title.clone(),
                doc: g.doc.clone(),
                method: g.method,
                path: g.path.clone(),
                encoding: g.encoding,
                fields: g
                    .fields
                    .iter()
                    .map(|(k, v)| (k.clone(), lower_value(v)))
                    .collect(),
                client_auth: g.client_auth.clone(),
                inputs: g.inputs.clone(),
                send_auth_steps: g.send_auth_steps,
            })
            .collect(),
        automatic: token.automatic.clone(),
        refresh_with: token.refresh_with.clone(),
        authorize: token.authorize.as_ref().map(|a| AuthorizeIr {
            path: a.path.clone(),
            params: a
                .params
                .iter()
                .map(|(k, v)| (k.clone(), lower_value(v)))
                .collect(),
            code_lifetime_seconds: a.code_lifetime_seconds,
        }),
        response: token.response.clone(),
        policy: token.policy.clone(),
    }
}
