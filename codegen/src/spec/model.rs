//! The spec model: what a maintainer writes in `specs/<vendor>.yaml`.
//!
//! These types are the single source of truth for the spec format. The JSON
//! Schema in `specs/spec.schema.json` is derived from them (`cargo xtask
//! codegen` rewrites it), and the structural check in [`crate::spec::schema`]
//! walks the same schema, so the format, its documentation and its validation
//! cannot drift apart.
//!
//! Maps are [`IndexMap`]s so the generated code follows the document's order.
//! Keys of `types.*.fields` and `endpoints.*.params` are wire names, exactly as
//! the vendor spells them; Rust names are derived from them in `ir`.

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// One vendor document, transcribed.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    /// Path of the vendor document this spec transcribes, relative to the spec
    /// file (the documents live in `specs/sources/`).
    pub source: String,
    /// Name of the generated Rust module and cargo feature (snake_case), e.g. `erp`.
    pub module: String,
    /// Who publishes the API: names and version shown in generated docs.
    pub vendor: Vendor,
    /// Base URLs the document names. The first is the default.
    #[serde(default)]
    pub environments: Vec<Environment>,
    /// Response formats the document offers; only `json` is generated.
    #[serde(default)]
    pub formats: Vec<Format>,
    /// Transport rules that apply to every call.
    #[serde(default)]
    pub transport: Transport,
    /// Credentials, how tokens are obtained, and what every authenticated request carries.
    pub auth: Auth,
    /// Where code, message and data live in every business response.
    #[serde(default)]
    pub envelope: Option<Envelope>,
    /// Named types (objects) used by endpoints, webhooks and other types.
    #[serde(default)]
    pub types: IndexMap<String, TypeDef>,
    /// The document's endpoints, keyed by the Rust method name (snake_case).
    #[serde(default)]
    pub endpoints: IndexMap<String, Endpoint>,
    /// Error-code tables, keyed by table name. All tables of a vendor form one
    /// generated `ErrorCode` enum.
    #[serde(default)]
    pub error_codes: IndexMap<String, ErrorTable>,
    /// Events the vendor pushes to the application.
    #[serde(default)]
    pub webhooks: Option<Webhooks>,
    /// Endpoints the document only names (no paths or fields), in its grouping.
    #[serde(default)]
    pub catalogue: Vec<CatalogueGroup>,
    /// The document's examples, verbatim.
    #[serde(default)]
    pub examples: IndexMap<String, Example>,
    /// Where the document is silent, ambiguous or contradicts itself.
    #[serde(default)]
    pub doc_gaps: Vec<DocGap>,
}

/// The vendor and its document, for generated docs.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Vendor {
    /// Display name used in generated docs, e.g. `ERP inventory/order API`.
    pub name: String,
    /// The document's own title, verbatim.
    pub title: String,
    /// The document's introduction, verbatim.
    #[serde(default)]
    pub doc: Option<String>,
    /// The maintainer's own words (not document text): not checked by the
    /// audit, shown as a maintainer's note in generated docs.
    #[serde(default)]
    pub note: Option<String>,
    /// API version, when the document states one.
    #[serde(default)]
    pub version: Option<String>,
}

/// One base URL the document names (production, sandbox, ...).
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Environment {
    /// Identifier, e.g. `production`.
    pub name: String,
    /// Base URL that endpoint paths are appended to.
    pub base_url: String,
    /// The document's own text, verbatim (checked by `cargo xtask audit`);
    /// your own words go in `note`.
    #[serde(default)]
    pub doc: Option<String>,
    /// The maintainer's own words (not document text): not checked by the
    /// audit, shown as a maintainer's note in generated docs.
    #[serde(default)]
    pub note: Option<String>,
}

/// A response format the document offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// JSON: the only format generated.
    Json,
    /// XML: recorded, not generated.
    Xml,
}

/// Transport rules for every call of the vendor.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Transport {
    /// Allow credentials over plain `http://` to non-loopback hosts. Only for
    /// documents whose only base URLs are plain HTTP; `plain_http_reason` must say why.
    #[serde(default)]
    pub allow_plain_http: bool,
    /// Why plain HTTP is allowed (the maintainer's words), required with `allow_plain_http`;
    /// quoted in the generated module's docs.
    #[serde(default)]
    pub plain_http_reason: Option<String>,
}

// ---------------------------------------------------------------------------
// Auth
// ---------------------------------------------------------------------------

/// How a client authenticates: the credentials the application supplies, how
/// tokens are obtained, and what is added to every authenticated request.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Auth {
    /// The document's own text, verbatim (checked by `cargo xtask audit`);
    /// your own words go in `note`.
    #[serde(default)]
    pub doc: Option<String>,
    /// The maintainer's own words (not document text): not checked by the
    /// audit, shown as a maintainer's note in generated docs.
    #[serde(default)]
    pub note: Option<String>,
    /// Values the application supplies, keyed by snake_case name (`client_id`, `password`, ...).
    pub credentials: IndexMap<String, Credential>,
    /// How access tokens are obtained and renewed. Absent when the credentials
    /// themselves authenticate every call.
    #[serde(default)]
    pub token: Option<TokenSource>,
    /// Added to every authenticated request, in order. Each step's output is
    /// bound to its `name`, so later steps can refer to it as `{name}`.
    pub apply: Vec<ApplyStep>,
}

/// One value the application supplies (`client_id`, `secret_key`, `password`, ...), readable
/// by templates as `{name}`.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Credential {
    /// Secrets are wrapped so they never appear in `Debug` output or errors.
    #[serde(default)]
    pub secret: bool,
    /// The document's own text, verbatim (checked by `cargo xtask audit`);
    /// your own words go in `note`.
    #[serde(default)]
    pub doc: Option<String>,
    /// The maintainer's own words (not document text): not checked by the
    /// audit, shown as a maintainer's note in generated docs.
    #[serde(default)]
    pub note: Option<String>,
    /// Environment variable the runnable examples read it from.
    #[serde(default)]
    pub env: Option<String>,
    /// Optional credentials may be absent (e.g. a token obtained elsewhere).
    #[serde(default)]
    pub optional: bool,
}

/// How access tokens are obtained, renewed and read from the token response.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenSource {
    /// The document's own text, verbatim (checked by `cargo xtask audit`);
    /// your own words go in `note`.
    #[serde(default)]
    pub doc: Option<String>,
    /// The maintainer's own words (not document text): not checked by the
    /// audit, shown as a maintainer's note in generated docs.
    #[serde(default)]
    pub note: Option<String>,
    /// Token requests, keyed by grant name (`client_credentials`, `authorization_code`, `refresh_token`, `login`, ...).
    pub grants: IndexMap<String, Grant>,
    /// The grant the client runs by itself when it has no usable token. Absent
    /// when a person must authorize first (authorization code).
    #[serde(default)]
    pub automatic: Option<String>,
    /// The grant that renews an expired access token (defaults to `automatic`).
    #[serde(default)]
    pub refresh_with: Option<String>,
    /// Browser redirect for the authorization-code flow.
    #[serde(default)]
    pub authorize: Option<Authorize>,
    /// Grants whose tokens stand for the same identity, so that a token obtained by one may be
    /// renewed by another (e.g. `[client_credentials, password]` for one account). By default
    /// a renewal never changes the grant that produced a token: a user's authorization-code
    /// token is never renewed as the application's `client_credentials` token.
    #[serde(default)]
    pub interchangeable_grants: Vec<String>,
    /// Where the token and its lifetime are in the token response.
    pub response: TokenResponse,
    /// When to renew ahead of expiry, how often the token endpoint may be called, and which
    /// statuses mean "renew and retry".
    #[serde(default)]
    pub policy: RefreshPolicy,
}

/// One token request (a grant): its method, path, body encoding and fields.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Grant {
    /// The document's name for this call, verbatim.
    #[serde(default)]
    pub title: Option<String>,
    /// The document's own text, verbatim (checked by `cargo xtask audit`);
    /// your own words go in `note`.
    #[serde(default)]
    pub doc: Option<String>,
    /// The maintainer's own words (not document text): not checked by the
    /// audit, shown as a maintainer's note in generated docs.
    #[serde(default)]
    pub note: Option<String>,
    /// HTTP method of the token request (default `POST`).
    #[serde(default = "post")]
    pub method: HttpMethod,
    /// Path relative to the base URL. Absent when the document gives none: the
    /// application must then configure it (recorded in `doc_gaps`).
    #[serde(default)]
    pub path: Option<String>,
    /// How the fields are sent: `form`, `json`, or `query` (no body).
    pub encoding: BodyEncoding,
    /// Request fields; values are templates over credentials and `inputs`.
    pub fields: IndexMap<String, ValueExpr>,
    /// How the client id and secret may be presented (RFC 6749 §2.3.1); the first is the default.
    #[serde(default)]
    pub client_auth: Vec<ClientAuth>,
    /// Values the caller passes per request (`code`, `redirect_uri`, `refresh_token`).
    #[serde(default)]
    pub inputs: Vec<String>,
    /// Also apply the `auth.apply` steps that need no token (e.g. Basic
    /// credentials and time-derived query values) to this token request.
    #[serde(default)]
    pub send_auth_steps: bool,
}

/// How a grant presents the client id and secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ClientAuth {
    /// `client_id` and `client_secret` as body fields.
    Form,
    /// `Authorization: Basic base64(client_id:client_secret)`.
    Basic,
}

/// The authorization-code flow's browser redirect: the URL the application sends a user to.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Authorize {
    /// Path of the authorization page, relative to the base URL.
    pub path: String,
    /// Query parameters; values are templates over credentials and `redirect_uri`/`state`.
    pub params: IndexMap<String, ValueExpr>,
    /// Lifetime of the authorization code, when the document states it.
    #[serde(default)]
    pub code_lifetime_seconds: Option<u64>,
}

/// Where the token response keeps the access token, its lifetime and what else the client keeps.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenResponse {
    /// The token response is wrapped in the vendor's `envelope`.
    #[serde(default)]
    pub enveloped: bool,
    /// Dotted path of the access token (inside `data` when enveloped).
    pub access_token: String,
    /// Dotted path of the lifetime in seconds.
    #[serde(default)]
    pub expires_in: Option<String>,
    /// Lifetime when the response does not say.
    #[serde(default)]
    pub default_lifetime_seconds: Option<u64>,
    /// Dotted path of the refresh token, when the grant issues one (kept with the token and
    /// saved before it is used, so a rotated one is never lost).
    #[serde(default)]
    pub refresh_token: Option<String>,
    /// Lifetime of the refresh token, when the document states it: an expired one is not
    /// sent (the `automatic` grant runs instead, or re-authorization is required).
    #[serde(default)]
    pub refresh_token_lifetime_seconds: Option<u64>,
    /// Further values kept with the token (e.g. `user_id: userId`), usable as `{user_id}`.
    #[serde(default)]
    pub extra: IndexMap<String, String>,
    /// Where an un-enveloped error response keeps its code and description (OAuth2: `error`, `error_description`).
    #[serde(default)]
    pub error: Option<TokenErrorFields>,
}

/// Where an un-enveloped token error keeps its code and message.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenErrorFields {
    /// Path of the error code (OAuth2: `error`), matched against `error_codes`.
    pub code: String,
    /// Path of the human-readable description (OAuth2: `error_description`).
    #[serde(default)]
    pub message: Option<String>,
}

/// When tokens are renewed and how often the token endpoint may be called.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshPolicy {
    /// Renew this many seconds before expiry.
    #[serde(default)]
    pub refresh_before_expiry_seconds: Option<u64>,
    /// Renew once the token is in the last fraction of its lifetime (e.g. 0.1).
    #[serde(default)]
    pub refresh_in_last_fraction: Option<f64>,
    /// Never call the token endpoint more often than this.
    #[serde(default)]
    pub min_interval_seconds: Option<u64>,
    /// Obtain a token when the client is built rather than on first use.
    #[serde(default)]
    pub fetch_on_start: bool,
    /// HTTP statuses of business calls that mean "renew the token and retry once".
    #[serde(default)]
    pub renew_on_http_status: Vec<u16>,
}

/// One thing added to an authenticated request.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(tag = "in", rename_all = "snake_case", deny_unknown_fields)]
pub enum ApplyStep {
    /// A request header.
    Header {
        /// The header, parameter or member name, as the vendor spells it.
        name: String,
        /// Its value: a template or an operation of the value language.
        value: ValueExpr,
        /// The document's own text, verbatim (checked by `cargo xtask audit`);
        /// your own words go in `note`.
        #[serde(default)]
        doc: Option<String>,
        /// The maintainer's own words (not document text).
        #[serde(default)]
        note: Option<String>,
    },
    /// A query parameter.
    Query {
        /// The header, parameter or member name, as the vendor spells it.
        name: String,
        /// Its value: a template or an operation of the value language.
        value: ValueExpr,
        /// The document's own text, verbatim (checked by `cargo xtask audit`);
        /// your own words go in `note`.
        #[serde(default)]
        doc: Option<String>,
        /// The maintainer's own words (not document text).
        #[serde(default)]
        note: Option<String>,
    },
    /// A field of the form body (`body: form` endpoints only).
    Form {
        /// The header, parameter or member name, as the vendor spells it.
        name: String,
        /// Its value: a template or an operation of the value language.
        value: ValueExpr,
        /// The document's own text, verbatim (checked by `cargo xtask audit`);
        /// your own words go in `note`.
        #[serde(default)]
        doc: Option<String>,
        /// The maintainer's own words (not document text).
        #[serde(default)]
        note: Option<String>,
    },
    /// A top-level string member of the JSON body (`body: json` endpoints only).
    Json {
        /// The header, parameter or member name, as the vendor spells it.
        name: String,
        /// Its value: a template or an operation of the value language.
        value: ValueExpr,
        /// The document's own text, verbatim (checked by `cargo xtask audit`);
        /// your own words go in `note`.
        #[serde(default)]
        doc: Option<String>,
        /// The maintainer's own words (not document text).
        #[serde(default)]
        note: Option<String>,
    },
    /// `Authorization: Basic base64(username:password)`.
    Basic {
        /// The user name (usually `{client_id}` or a credential).
        username: ValueExpr,
        /// The password (usually a secret credential).
        password: ValueExpr,
    },
}

/// Where a named auth step writes its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepTarget {
    /// A request header (`in: header`).
    Header,
    /// A query parameter (`in: query`).
    Query,
    /// A form body field (`in: form`).
    Form,
    /// A top-level JSON body member (`in: json`).
    Json,
}

impl StepTarget {
    /// The spelling of `in:`.
    pub fn as_str(self) -> &'static str {
        match self {
            StepTarget::Header => "header",
            StepTarget::Query => "query",
            StepTarget::Form => "form",
            StepTarget::Json => "json",
        }
    }

    /// Whether the value becomes a request parameter (readable by `canonical`/`{params.…}`).
    pub fn is_param(self) -> bool {
        !matches!(self, StepTarget::Header)
    }
}

/// A step that writes one named value (every step but `basic`).
pub struct NamedStep<'a> {
    /// Where the value goes.
    pub target: StepTarget,
    /// The name it is written under (and readable as `{name}` by later steps).
    pub name: &'a str,
    /// How it is computed.
    pub value: &'a ValueExpr,
    /// The document's text for the step.
    pub doc: Option<&'a str>,
    /// The maintainer's note for the step.
    pub note: Option<&'a str>,
}

impl ApplyStep {
    /// The step's target, name, value and texts, unless it is `basic`.
    pub fn named(&self) -> Option<NamedStep<'_>> {
        let (target, name, value, doc, note) = match self {
            ApplyStep::Header {
                name,
                value,
                doc,
                note,
            } => (StepTarget::Header, name, value, doc, note),
            ApplyStep::Query {
                name,
                value,
                doc,
                note,
            } => (StepTarget::Query, name, value, doc, note),
            ApplyStep::Form {
                name,
                value,
                doc,
                note,
            } => (StepTarget::Form, name, value, doc, note),
            ApplyStep::Json {
                name,
                value,
                doc,
                note,
            } => (StepTarget::Json, name, value, doc, note),
            ApplyStep::Basic { .. } => return None,
        };
        Some(NamedStep {
            target,
            name,
            value,
            doc: doc.as_deref(),
            note: note.as_deref(),
        })
    }
}

/// A value computed per request. A plain string is a template: literal text
/// with `{name}` references to credentials, token fields (`access_token`,
/// `extra` names), request facts (`method`, `path`) and earlier steps.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum ValueExpr {
    /// Literal text with `{name}` references (`{{`/`}}` for braces).
    Template(String),
    /// An operation: a digest, MAC, encoding, time, nonce, canonical string, ...
    Op(ValueOp),
}

/// An operation of the value language, written as a one-key mapping (`{ md5_hex: "{secret}" }`).
/// `validate::recipe` parses these into `spec_lang::Value`; specs/README lists each with an example.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum ValueOp {
    /// The current time as a Unix timestamp.
    Now(TimeUnit),
    /// A random string of this many decimal digits.
    RandomDigits(u8),
    /// Lowercase hex MD5 of the value.
    Md5Hex(Box<ValueExpr>),
    /// Lowercase hex HMAC-SHA256 of `data` keyed by `key`.
    HmacSha256Hex {
        /// The MAC key.
        key: Box<ValueExpr>,
        /// The text authenticated.
        data: Box<ValueExpr>,
    },
    /// `k=v` pairs, sorted by the whole `k=v` text, joined by `separator`.
    SortedPairs {
        /// Between pairs (`&`).
        separator: String,
        /// The pairs: name → value.
        pairs: IndexMap<String, ValueExpr>,
    },
    /// Integer arithmetic over earlier values: `+ - * / %`, parentheses, integer literals and names.
    Arithmetic(String),
    /// The texts one after another.
    Concat(Vec<ValueExpr>),
    /// The text in upper case (ASCII letters).
    Upper(Box<ValueExpr>),
    /// The text in lower case (ASCII letters).
    Lower(Box<ValueExpr>),
    /// MD5 of the value (bytes: encode with `hex` or `base64`).
    Md5(Box<ValueExpr>),
    /// SHA-1 of the value (bytes).
    Sha1(Box<ValueExpr>),
    /// SHA-256 of the value (bytes).
    Sha256(Box<ValueExpr>),
    /// HMAC-MD5 of `data` under `key` (bytes).
    HmacMd5(KeyedValue),
    /// HMAC-SHA1 of `data` under `key` (bytes).
    HmacSha1(KeyedValue),
    /// HMAC-SHA256 of `data` under `key` (bytes).
    HmacSha256(KeyedValue),
    /// RSASSA-PKCS1-v1_5 SHA-256 of `data` under the PEM private key `key`, which must be
    /// a secret credential (bytes).
    RsaSha256(KeyedValue),
    /// Bytes or text as lowercase hexadecimal.
    Hex(Box<ValueExpr>),
    /// Bytes or text as standard base64 with padding.
    Base64(Box<ValueExpr>),
    /// Text percent-encoded outside RFC 3986's unreserved set (space as `%20`).
    UrlEncode(Box<ValueExpr>),
    /// Text as an `application/x-www-form-urlencoded` value, as Java's `URLEncoder` and
    /// Python's `quote_plus` write it: space as `+`, `*` kept, `~` as `%7E`.
    FormUrlEncode(Box<ValueExpr>),
    /// A random (version 4) UUID: `hyphenated` (`8-4-4-4-12`) or `simple` (32 hex digits).
    Uuid(UuidFormat),
    /// Text as it appears inside the quotes of a JSON string.
    JsonString(Box<ValueExpr>),
    /// The current time, formatted (strftime) in a named time zone.
    Time(TimeFormat),
    /// A canonical string over the request's parameters (auth steps only).
    Canonical(CanonicalSpec),
}

/// The operands of a MAC or signature.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KeyedValue {
    /// The key (for `rsa_sha256`, the PEM private key).
    pub key: Box<ValueExpr>,
    /// The bytes or text signed.
    pub data: Box<ValueExpr>,
}

/// `time:` — strftime `format` (`%Y-%m-%d %H:%M:%S`) in the IANA `zone` (`Asia/Shanghai`).
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TimeFormat {
    /// strftime format (`jiff::fmt::strtime`), checked at load time.
    pub format: String,
    /// IANA time-zone name, checked at load time.
    pub zone: String,
}

/// `canonical:` — `name + joiner + value` per selected parameter, ordered, joined by `separator`.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CanonicalSpec {
    /// `params` (query, then body), `query` or `body`.
    pub from: CollectionName,
    /// Only these names (all when absent).
    #[serde(default)]
    pub include: Option<Vec<String>>,
    /// Never these names (typically `sign`).
    #[serde(default)]
    pub exclude: Vec<String>,
    /// Leave out parameters whose value is empty.
    #[serde(default)]
    pub drop_empty: bool,
    /// `key` (default): by name; `pair`: by the whole `name+joiner+value` text; `as_sent`.
    #[serde(default)]
    pub sort: SortOrder,
    /// Between a name and its value: `"="` or `""`.
    pub joiner: String,
    /// Between pairs: `"&"` or `""`.
    pub separator: String,
}

/// Which of the request's parameters a `canonical` string reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CollectionName {
    /// Query parameters, then body parameters.
    Params,
    /// The query string only.
    Query,
    /// The body's parameters only.
    Body,
}

/// The order of a `canonical` string's pairs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SortOrder {
    /// By parameter name, byte order (the default).
    #[default]
    Key,
    /// By the whole `name + joiner + value` text, byte order.
    Pair,
    /// In the order the request sends them.
    AsSent,
}

/// How `uuid:` writes its value, in lowercase hex: `hyphenated`
/// (`67e55044-10b1-426f-9247-bb680e5fe0c8`) or `simple` (`67e5504410b1426f9247bb680e5fe0c8`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum UuidFormat {
    /// `8-4-4-4-12` groups.
    Hyphenated,
    /// 32 hex digits.
    Simple,
}

/// The unit of `now:`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TimeUnit {
    /// Unix seconds.
    Seconds,
    /// Unix milliseconds.
    Millis,
}

/// How a request's body parameters (or a grant's fields) are sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum BodyEncoding {
    /// `application/x-www-form-urlencoded`.
    Form,
    /// `application/json`.
    Json,
    /// No body; fields go in the query string.
    Query,
}

pub use spec_lang::HttpMethod;

fn post() -> HttpMethod {
    HttpMethod::Post
}

// ---------------------------------------------------------------------------
// Envelope
// ---------------------------------------------------------------------------

/// The vendor's common response wrapper. Paths are dotted (`error.code`).
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Envelope {
    /// The document's own text, verbatim (checked by `cargo xtask audit`);
    /// your own words go in `note`.
    #[serde(default)]
    pub doc: Option<String>,
    /// The maintainer's own words (not document text): not checked by the
    /// audit, shown as a maintainer's note in generated docs.
    #[serde(default)]
    pub note: Option<String>,
    /// How a successful response is recognised.
    pub success: SuccessRule,
    /// Path of the vendor's result code.
    #[serde(default)]
    pub code: Option<String>,
    /// Path of the message, or paths of which the first present wins.
    #[serde(default, deserialize_with = "one_or_many")]
    #[schemars(with = "OneOrMany")]
    pub message: Vec<String>,
    /// Path of the payload.
    pub data: String,
    /// The payload is itself a result with its own success flag, code and message (a business
    /// result inside a success envelope).
    #[serde(default)]
    pub nested: Option<NestedResult>,
    /// Per-field error details: where the list is and what its entries' keys are called.
    #[serde(default)]
    pub details: Option<ErrorDetails>,
    /// Further fields kept on every response and error (`requestId`, `traceId`).
    #[serde(default)]
    pub extra: Vec<String>,
}

/// Per-field error details in an error response: a list of objects, each naming a field and
/// what is wrong with it (`error.details: [{"field": "cattle_count", "message": "…"}]`).
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ErrorDetails {
    /// Dotted path of the list (`error.details`).
    pub path: String,
    /// Key of an entry's field name (`field`).
    pub field: String,
    /// Key of an entry's message (`message`).
    pub message: String,
}

/// A result inside the envelope's payload: its failure is the call's failure, with the
/// vendor's code from the nested `code`.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NestedResult {
    /// The payload is a JSON document inside a string (`"{\"success\":true,…}"`).
    #[serde(default)]
    pub json_text: bool,
    /// How a successful nested result is recognised.
    pub success: SuccessRule,
    /// Path of the nested result's code (inside the payload).
    #[serde(default)]
    pub code: Option<String>,
    /// Path of its message, or paths of which the first present wins.
    #[serde(default, deserialize_with = "one_or_many")]
    #[schemars(with = "OneOrMany")]
    pub message: Vec<String>,
    /// Path of the business data inside the payload.
    pub data: String,
}

/// One path, or a list of them.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum OneOrMany {
    /// A single path.
    One(String),
    /// Paths tried in order; the first present wins.
    Many(Vec<String>),
}

fn one_or_many<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    Ok(match OneOrMany::deserialize(d)? {
        OneOrMany::One(s) => vec![s],
        OneOrMany::Many(v) => v,
    })
}

/// How a response (or a nested result) is recognised as successful.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum SuccessRule {
    /// The `code` field equals one of these values.
    CodeIn(Vec<Code>),
    /// This boolean field is `true`.
    FieldTrue(String),
}

/// An error code: the documents use both integers and strings.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Deserialize, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum Code {
    /// A numeric code (`10050`, `-1`).
    Int(i64),
    /// A textual code (`invalid_client`, `SIGN_ERROR`).
    Str(String),
}

// ---------------------------------------------------------------------------
// Types
// ---------------------------------------------------------------------------

/// A named object type: a generated struct with one field per entry.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TypeDef {
    /// The document's own text, verbatim (checked by `cargo xtask audit`);
    /// your own words go in `note`.
    #[serde(default)]
    pub doc: Option<String>,
    /// The maintainer's own words (not document text): not checked by the
    /// audit, shown as a maintainer's note in generated docs.
    #[serde(default)]
    pub note: Option<String>,
    /// Fields keyed by wire name.
    pub fields: IndexMap<String, Field>,
    /// Decode through a JSON tree first, so a key repeated in one object is
    /// accepted and the last occurrence wins (as in most JSON parsers).
    #[serde(default)]
    pub allow_duplicate_keys: bool,
}

/// One field of a type, keyed by its wire name.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Field {
    /// `string`, `integer`, `boolean`, `decimal`, `date`, `datetime`,
    /// `timestamp`, `unix_seconds`, `unix_millis`, `json`, a type name,
    /// `list<T>` or `map<T>`.
    #[serde(rename = "type")]
    pub ty: String,
    /// The document's own text, verbatim (checked by `cargo xtask audit`);
    /// your own words go in `note`.
    #[serde(default)]
    pub doc: Option<String>,
    /// The maintainer's own words (not document text): not checked by the
    /// audit, shown as a maintainer's note in generated docs.
    #[serde(default)]
    pub note: Option<String>,
    /// The value may be `null`.
    #[serde(default)]
    pub nullable: bool,
    /// The key may be absent.
    #[serde(default)]
    pub optional: bool,
    /// Numbers and booleans may also arrive as JSON strings (`"5"`).
    #[serde(default)]
    pub lenient: bool,
    /// How a decimal is written on the wire: `string` (default) or `number`.
    #[serde(default)]
    pub wire: Option<WireFormat>,
    /// Rust field name, when the derived one is unusable.
    #[serde(default)]
    pub rust_name: Option<String>,
    /// The type the document states, when it differs from `type`.
    #[serde(default)]
    pub document_type: Option<String>,
}

/// How a decimal travels in JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum WireFormat {
    /// As a JSON string (`"1.00"`): exact.
    String,
    /// As a JSON number (`1.00`), read and written without going through a float.
    Number,
}

// ---------------------------------------------------------------------------
// Endpoints
// ---------------------------------------------------------------------------

/// One endpoint of the document: a generated client method (and request type).
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Endpoint {
    /// The document's title for this endpoint, verbatim.
    pub title: String,
    /// The document's own text, verbatim (checked by `cargo xtask audit`);
    /// your own words go in `note`.
    #[serde(default)]
    pub doc: Option<String>,
    /// The maintainer's own words (not document text): not checked by the
    /// audit, shown as a maintainer's note in generated docs.
    #[serde(default)]
    pub note: Option<String>,
    /// Methods the document allows; the client uses the first.
    pub methods: Vec<HttpMethod>,
    /// Path relative to the base URL; `{name}` segments are `in: path` parameters.
    pub path: String,
    /// Whether the call carries the vendor's auth (`auth.apply`).
    #[serde(default = "default_true")]
    pub auth: bool,
    /// How body parameters are encoded.
    #[serde(default)]
    pub body: Option<BodyEncoding>,
    /// Parameters keyed by wire name.
    #[serde(default)]
    pub params: IndexMap<String, Param>,
    /// Type of the envelope's `data` (or of the whole body without an envelope).
    #[serde(default)]
    pub response: Option<String>,
    /// Page-number pagination: the client also offers a `<name>_pages` stream.
    #[serde(default)]
    pub pagination: Option<Pagination>,
    /// Sending the request twice has the same effect as sending it once (a pure read sent
    /// with POST, say), so the client may retry it after a failure that may have reached the
    /// server (a timeout, a reset connection, a 5xx). GET and HEAD are idempotent already;
    /// mark only what the document justifies, and say why in a comment next to the mark.
    #[serde(default)]
    pub idempotent: bool,
}

fn default_true() -> bool {
    true
}

/// One parameter of an endpoint, keyed by its wire name.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Param {
    /// Where it travels: `query`, `body`, `path` or `header`.
    #[serde(rename = "in")]
    pub location: ParamLocation,
    /// The type language (`string` when absent on a `const` parameter).
    #[serde(rename = "type", default)]
    pub ty: Option<String>,
    /// A fixed value the endpoint always sends (`serviceCode: EXP_RECE_CREATE_ORDER`): never a
    /// caller's argument, and readable by auth steps like any parameter.
    #[serde(rename = "const", default)]
    pub const_value: Option<String>,
    /// The caller must give it: it becomes an argument of the request type's `new`.
    #[serde(default)]
    pub required: bool,
    /// The server's default when the parameter is omitted, as the document states it.
    #[serde(default)]
    pub default: Option<serde_json::Value>,
    /// Smallest value the document allows, checked before sending (the audit asks that `doc`
    /// states it).
    #[serde(default)]
    pub minimum: Option<i64>,
    /// Largest value the document allows, checked before sending (the audit asks that `doc`
    /// states it).
    #[serde(default)]
    pub maximum: Option<i64>,
    /// The document's own text, verbatim (checked by `cargo xtask audit`);
    /// your own words go in `note`.
    #[serde(default)]
    pub doc: Option<String>,
    /// The maintainer's own words (not document text): not checked by the
    /// audit, shown as a maintainer's note in generated docs.
    #[serde(default)]
    pub note: Option<String>,
    /// How a decimal is written: `string` (default) or `number`.
    #[serde(default)]
    pub wire: Option<WireFormat>,
    /// Rust name of the setter and field, when the derived one is unusable.
    #[serde(default)]
    pub rust_name: Option<String>,
    /// The type the document states, when it differs from `type`.
    #[serde(default)]
    pub document_type: Option<String>,
}

impl Param {
    /// The `type:` text (`string` for a `const` parameter that states none).
    pub fn type_text(&self) -> &str {
        self.ty.as_deref().unwrap_or("string")
    }
}

/// Where a parameter stands: `query` (the query string), `body` (form fields or top-level JSON
/// members, by the endpoint's `body`; the query string when the endpoint has no body), `path`
/// (a `{name}` segment of the endpoint's path) or `header`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ParamLocation {
    /// The query string.
    Query,
    /// The body (or the query string when the endpoint has none).
    Body,
    /// A `{name}` segment of the path.
    Path,
    /// A request header.
    Header,
}

/// Page-number pagination: the client re-sends the request with `page_param`
/// incremented until `total_pages` is reached.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Pagination {
    /// The parameter holding the page number, incremented for each next page.
    pub page_param: String,
    /// Field of the response type holding this page's items.
    pub items: String,
    /// Dotted path (within the response type) of the total number of pages.
    pub total_pages: String,
}

// ---------------------------------------------------------------------------
// Error codes
// ---------------------------------------------------------------------------

/// One of the document's error-code tables.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ErrorTable {
    /// The document's heading for this table, verbatim.
    pub title: String,
    /// The document's own text, verbatim (checked by `cargo xtask audit`);
    /// your own words go in `note`.
    #[serde(default)]
    pub doc: Option<String>,
    /// The maintainer's own words (not document text): not checked by the
    /// audit, shown as a maintainer's note in generated docs.
    #[serde(default)]
    pub note: Option<String>,
    /// The codes are HTTP statuses: they classify responses whose body carries no
    /// documented code.
    #[serde(default)]
    pub http_status: bool,
    /// The table's rows, in document order.
    pub codes: Vec<ErrorCode>,
}

/// One row of an error-code table: a variant of the generated `ErrorCode` enum.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ErrorCode {
    /// The code as the vendor sends it.
    pub code: Code,
    /// Variant name (UpperCamelCase). Derived from `java_name` or `code` when absent.
    #[serde(default)]
    pub name: Option<String>,
    /// The vendor's own constant name (`SIGN_ERROR`).
    #[serde(default)]
    pub java_name: Option<String>,
    /// The message, verbatim (placeholders such as `%s` kept).
    pub message: String,
    /// Further text the document gives (e.g. a Chinese comment), verbatim.
    #[serde(default)]
    pub doc: Option<String>,
    /// What the client and the caller should do: `renew_token`, `retry`, `caller`, `auth`,
    /// `reauthorize`, `rate_limited`, `resign`, `clock_skew`, `success`, ...
    pub class: ErrorClass,
    /// The maintainer's reasoning (e.g. why this class), not document text.
    #[serde(default)]
    pub note: Option<String>,
    /// The failures the spec mock answers with this code (`[bad_signature]`, or
    /// `[{ kind: missing, step: sign }]` for one step or parameter). A failure
    /// no code declares falls back to a code chosen by class and name.
    #[serde(default)]
    pub mock_refusal: Vec<MockRefusalRule>,
    /// For `resign` and `clock_skew` codes: what says the vendor rejects before executing the
    /// request, so that a non-idempotent request may be re-signed and sent again. Without it
    /// only idempotent requests are re-sent; others return the error to the caller.
    #[serde(default)]
    pub rejected_before_execution: Option<Evidence>,
}

/// What supports a claim the client acts on: the document's own words, or a `doc_gaps` entry
/// recording the maintainer's decision where the document is silent.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Evidence {
    /// The document's text, verbatim (checked by `cargo xtask audit`).
    #[serde(default)]
    pub doc: Option<String>,
    /// The `id` of the `doc_gaps` entry that records the decision.
    #[serde(default)]
    pub doc_gap: Option<String>,
}

/// One failure an error code answers in the spec mock: a kind for every step and
/// parameter, or a kind for one of them.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum MockRefusalRule {
    /// This kind of failure anywhere (`bad_signature`).
    Any(MockRefusal),
    /// This kind of failure at one step or parameter (`{ kind: missing, step: sign }`).
    Scoped {
        /// The kind of failure.
        kind: MockRefusal,
        /// The auth step, token-request field or parameter (wire name) the failure is about.
        step: String,
    },
}

impl MockRefusalRule {
    /// The kind of failure, scoped or not.
    pub fn kind(&self) -> MockRefusal {
        match self {
            MockRefusalRule::Any(k) | MockRefusalRule::Scoped { kind: k, .. } => *k,
        }
    }

    /// The step or parameter, when the rule is scoped to one.
    pub fn step(&self) -> Option<&str> {
        match self {
            MockRefusalRule::Any(_) => None,
            MockRefusalRule::Scoped { step, .. } => Some(step),
        }
    }
}

/// Why the spec mock refuses a request.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize, Serialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum MockRefusal {
    /// An auth value differs from the one recomputed from the spec (a signature, or a
    /// credential a step carries).
    BadSignature,
    /// A time (`now`, `time`) outside the mock's window.
    StaleTime,
    /// Random digits (with the request's times) seen before within the window.
    ReplayedNonce,
    /// An auth step's header, query parameter or field, or a required parameter, is absent.
    Missing,
    /// A time that is not a time, or random digits of the wrong length.
    Malformed,
    /// A token the mock did not issue, or one that expired (or none at all).
    UnknownToken,
    /// A parameter that is unknown, of the wrong type or out of bounds.
    BadParameter,
    /// A token request's client credentials are wrong.
    BadClient,
    /// A token request's authorization code or refresh token is unknown, used or expired.
    BadGrant,
    /// No grant matches the token request's fixed fields (`grant_type`).
    UnsupportedGrant,
    /// A token request within the spec's minimum interval.
    RateLimited,
    /// No endpoint at this path.
    UnknownPath,
    /// The endpoint does not take this method.
    MethodNotAllowed,
}

impl MockRefusal {
    /// The spec's name for the kind (`bad_signature`).
    pub fn as_str(self) -> &'static str {
        match self {
            MockRefusal::BadSignature => "bad_signature",
            MockRefusal::StaleTime => "stale_time",
            MockRefusal::ReplayedNonce => "replayed_nonce",
            MockRefusal::Missing => "missing",
            MockRefusal::Malformed => "malformed",
            MockRefusal::UnknownToken => "unknown_token",
            MockRefusal::BadParameter => "bad_parameter",
            MockRefusal::BadClient => "bad_client",
            MockRefusal::BadGrant => "bad_grant",
            MockRefusal::UnsupportedGrant => "unsupported_grant",
            MockRefusal::RateLimited => "rate_limited",
            MockRefusal::UnknownPath => "unknown_path",
            MockRefusal::MethodNotAllowed => "method_not_allowed",
        }
    }
}

pub use spec_lang::ErrorClass;

// ---------------------------------------------------------------------------
// Webhooks
// ---------------------------------------------------------------------------

/// The events the vendor pushes to the application, how they are signed and answered.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Webhooks {
    /// The document's own text, verbatim (checked by `cargo xtask audit`);
    /// your own words go in `note`.
    #[serde(default)]
    pub doc: Option<String>,
    /// The maintainer's own words (not document text): not checked by the
    /// audit, shown as a maintainer's note in generated docs.
    #[serde(default)]
    pub note: Option<String>,
    /// Field naming the event kind.
    pub discriminator: String,
    /// Field holding the event's payload.
    pub payload: String,
    /// Top-level fields besides the discriminator and payload.
    #[serde(default)]
    pub fields: IndexMap<String, Field>,
    /// The entry of `fields` holding when the delivery was sent (an integer of Unix seconds
    /// or milliseconds): the client then offers `verify_and_parse_max_age`.
    #[serde(default)]
    pub timestamp: Option<String>,
    /// Event kinds: discriminator value → payload type.
    pub events: IndexMap<String, WebhookEvent>,
    /// How a delivery is signed, so the application can verify it.
    pub signature: WebhookSignature,
    /// Acknowledgement bodies the application answers with.
    pub acknowledgement: Acknowledgement,
}

/// One event kind: its payload type and the fields only it carries.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookEvent {
    /// Payload type name.
    #[serde(rename = "type")]
    pub ty: String,
    /// Variant name (UpperCamelCase); derived from the discriminator value when absent.
    #[serde(default)]
    pub name: Option<String>,
    /// The document's own text, verbatim (checked by `cargo xtask audit`);
    /// your own words go in `note`.
    #[serde(default)]
    pub doc: Option<String>,
    /// The maintainer's own words (not document text): not checked by the
    /// audit, shown as a maintainer's note in generated docs.
    #[serde(default)]
    pub note: Option<String>,
    /// Top-level fields only this event carries (besides `webhooks.fields`).
    #[serde(default)]
    pub fields: IndexMap<String, Field>,
}

/// How a webhook delivery's signature is computed.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookSignature {
    /// The signature as a value-language recipe (the one auth steps use): `{payload}` is the
    /// payload's raw JSON as received, `{body}` the whole delivery as received, and the
    /// credential named by `secret` is readable by its name. Give this, or `algorithm` with
    /// `signed_text`.
    #[serde(default)]
    pub value: Option<ValueExpr>,
    /// Shorthand for a digest over `signed_text`: `md5_hex`.
    #[serde(default)]
    pub algorithm: Option<String>,
    /// The shorthand's signed text; `{payload}` is the payload's raw JSON as received and
    /// `{secret}` the credential named by `secret`, as written inside a JSON string.
    #[serde(default)]
    pub signed_text: Option<String>,
    /// Credential used as the secret.
    pub secret: String,
    /// Header that carries the signature, when the document says.
    #[serde(default)]
    pub header: Option<String>,
    /// The document's own text, verbatim (checked by `cargo xtask audit`);
    /// your own words go in `note`.
    #[serde(default)]
    pub doc: Option<String>,
    /// The maintainer's own words (not document text): not checked by the
    /// audit, shown as a maintainer's note in generated docs.
    #[serde(default)]
    pub note: Option<String>,
}

/// The bodies the application answers a delivery with.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Acknowledgement {
    /// JSON body meaning "received".
    pub success: String,
    /// JSON body meaning "failed"; `{message}` is replaced by the reason, JSON-escaped.
    pub failure: String,
}

// ---------------------------------------------------------------------------
// Catalogue, examples, gaps
// ---------------------------------------------------------------------------

/// A group of the document's navigation: named endpoints without paths.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CatalogueGroup {
    /// The group's heading, verbatim.
    pub title: String,
    /// The group's entries, in document order.
    #[serde(default)]
    pub entries: Vec<CatalogueEntry>,
    /// Sub-groups, in document order.
    #[serde(default)]
    pub groups: Vec<CatalogueGroup>,
}

/// One named endpoint of the document's navigation.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CatalogueEntry {
    /// The entry's name, verbatim (including any 废弃/作废 mark).
    pub title: String,
    /// The document marks it deprecated (废弃 or 作废).
    #[serde(default)]
    pub deprecated: bool,
    /// The spec endpoint this entry is, when the document specifies it.
    #[serde(default)]
    pub endpoint: Option<String>,
}

/// One of the document's examples, verbatim; JSON examples are also parsed into what they
/// show and become generated tests.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Example {
    /// The document's caption for the example, verbatim.
    #[serde(default)]
    pub title: Option<String>,
    /// `json`, `http`, `shell`, `php`, `java`, ...
    pub language: String,
    /// What the example must parse into; absent for non-JSON examples.
    #[serde(default)]
    pub parses_as: Option<ParsesAs>,
    /// HTTP status the document gives with the example.
    #[serde(default)]
    pub status: Option<u16>,
    /// Edits that make an example with comments or placeholders valid JSON.
    #[serde(default)]
    pub normalize: Vec<Normalize>,
    /// The example, verbatim.
    pub text: String,
}

/// What a JSON example shows, so the generated test decodes it as that.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum ParsesAs {
    /// A whole enveloped response of this endpoint (success or error).
    Response(String),
    /// The JSON body of this endpoint's request.
    Request(String),
    /// A value of this named type.
    Type(String),
    /// A successful token response of this grant.
    TokenResponse(String),
    /// An error response of the token endpoint of this grant.
    TokenError(String),
    /// An error response in the vendor's envelope.
    ErrorResponse,
    /// A webhook delivery.
    Webhook,
    /// A webhook acknowledgement body.
    WebhookAck,
}

/// An edit applied to an example's text before it is parsed (never to the text the audit
/// compares).
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Normalize {
    /// Remove `// ...` comments, also those inside string values (`"5 // 良品数量"` → `"5"`).
    StripLineComments,
    /// Replace every occurrence of `from` with `to`.
    Replace {
        /// The text to replace.
        from: String,
        /// Its replacement.
        to: String,
    },
}

/// A place where the document is silent, contradicts itself or is not modelled, with the
/// behaviour chosen; shown in the generated module's docs.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DocGap {
    /// Short identifier (snake_case).
    pub id: String,
    /// What kind of gap.
    pub kind: GapKind,
    /// Where in the document.
    #[serde(rename = "where")]
    pub location: String,
    /// What the document says or does not say.
    pub text: String,
    /// How the spec and the generated client deal with it.
    pub resolution: String,
    /// Identifiers of the document (field names, paths, headers, codes) that
    /// the spec deliberately does not model; `cargo xtask audit` does not
    /// report them.
    #[serde(default)]
    pub names: Vec<String>,
    /// Spec paths (e.g. `endpoints.send.path`) whose content the document does
    /// not state: the maintainer's decisions, acknowledged for the audit.
    #[serde(default)]
    pub claims: Vec<String>,
}

/// What kind of gap a `doc_gaps` entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum GapKind {
    /// The document does not say.
    Silent,
    /// The document says two incompatible things.
    Contradiction,
    /// A misspelling or mangled text.
    Typo,
    /// The document's example does not match its own tables.
    ExampleMismatch,
    /// The document gives something the spec deliberately does not model
    /// (listed in the entry's `names`).
    NotModelled,
}
