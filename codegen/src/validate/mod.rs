//! Stage 2: semantic checks on a structurally valid spec.
//!
//! Everything the schema cannot say: references resolve, names are unique and
//! stay unique after case conversion, no Rust keyword becomes a field name,
//! templates only name values that exist, codes are unique. Every problem is
//! reported with the position of the YAML value it concerns.

pub mod names;
mod recipe;
pub mod refusals;
pub mod types;
pub mod values;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::diagnostics::Diagnostics;
use crate::spec::LoadedSpec;
use crate::spec::model::*;
use names::{field_name, is_keyword, is_snake_case_ident, is_upper_camel_ident, variant_name};
use types::{Primitive, TypeExpr};

/// Names the generator itself puts in every vendor module.
pub const RESERVED_TYPE_NAMES: &[&str] = &[
    // std types the generated code names unqualified
    "String",
    "Option",
    "Vec",
    "Box",
    "Some",
    "None",
    "Ok",
    "Err",
    // the generator's own items
    "Client",
    "ClientBuilder",
    "Credentials",
    "Error",
    "ErrorCode",
    "Result",
    "WebhookEvent",
    "WebhookMeta",
    "Webhook",
    "Event",
];

pub use recipe::{REQUEST_VARS, Recipe};

/// A spec that passed every semantic check: the only input [`crate::ir::lower`] takes.
#[derive(Debug, Clone)]
pub struct Validated<'a> {
    loaded: &'a LoadedSpec,
    recipe: Recipe,
    types: BTreeMap<String, TypeExpr>,
}

impl<'a> Validated<'a> {
    /// A spec that skipped validation, to test that lowering rejects what it cannot lower.
    #[cfg(test)]
    pub(crate) fn unchecked(loaded: &'a LoadedSpec) -> Self {
        Validated {
            loaded,
            recipe: Recipe::default(),
            types: BTreeMap::new(),
        }
    }

    /// The spec, with its source and node tree for positions.
    pub fn loaded(&self) -> &'a LoadedSpec {
        self.loaded
    }

    /// The auth values, parsed into the value language while they were checked.
    pub fn recipe(&self) -> &Recipe {
        &self.recipe
    }

    /// The type expression at a spec path (`types.Order.fields.id.type`,
    /// `endpoints.x.response`), parsed while it was checked.
    pub fn type_at(&self, path: &str) -> Option<&TypeExpr> {
        self.types.get(path)
    }
}

/// RFC 9110's `token` characters, which a header name is made of.
fn is_header_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// Runs every semantic check; `Ok` is the validated spec, ready to be lowered to IR.
pub fn validate(loaded: &LoadedSpec) -> Result<Validated<'_>, Diagnostics> {
    let mut cx = Checker {
        loaded,
        diags: Diagnostics::default(),
        recipe: Recipe::default(),
        types: BTreeMap::new(),
    };
    cx.check();
    if cx.diags.is_empty() {
        Ok(Validated {
            loaded,
            recipe: cx.recipe,
            types: cx.types,
        })
    } else {
        Err(cx.diags.sorted())
    }
}

struct Checker<'a> {
    loaded: &'a LoadedSpec,
    diags: Diagnostics,
    /// The auth values parsed so far (handed to `Validated`).
    recipe: Recipe,
    /// Every type expression parsed so far, by spec path (handed to `Validated`).
    types: BTreeMap<String, TypeExpr>,
}

impl Checker<'_> {
    fn err(&mut self, path: &str, message: impl Into<String>) {
        let loc = self.loaded.node.locate(path);
        self.diags.push(&self.loaded.path, loc, path, message);
    }

    fn check(&mut self) {
        let spec = &self.loaded.spec;
        if !is_snake_case_ident(&spec.module) || is_keyword(&spec.module) {
            self.err(
                "module",
                format!(
                    "`{}` is not a usable module name: use snake_case, not a Rust keyword",
                    spec.module
                ),
            );
        }
        self.check_environments();
        self.check_types();
        self.check_recursion();
        self.check_endpoints();
        self.check_auth();
        self.check_error_codes();
        refusals::check(self.loaded, &mut self.diags);
        self.check_webhooks();
        self.check_examples();
        self.check_doc_gaps();
        self.check_catalogue();
        self.check_envelope();
    }

    fn check_envelope(&mut self) {
        let Some(env) = &self.loaded.spec.envelope else {
            return;
        };
        if matches!(env.success, SuccessRule::CodeIn(_)) && env.code.is_none() {
            self.err(
                "envelope.success",
                "`code_in` needs `envelope.code`, the path of the code to compare",
            );
        }
        if let Some(nested) = &env.nested
            && matches!(nested.success, SuccessRule::CodeIn(_))
            && nested.code.is_none()
        {
            self.err(
                "envelope.nested.success",
                "`code_in` needs `envelope.nested.code`, the path of the code to compare",
            );
        }
    }

    fn check_catalogue(&mut self) {
        fn walk<'a>(groups: &'a [CatalogueGroup], path: &str, out: &mut Vec<(String, &'a str)>) {
            for (i, g) in groups.iter().enumerate() {
                for (j, e) in g.entries.iter().enumerate() {
                    if let Some(ep) = &e.endpoint {
                        out.push((format!("{path}[{i}].entries[{j}].endpoint"), ep));
                    }
                }
                walk(&g.groups, &format!("{path}[{i}].groups"), out);
            }
        }
        let mut refs = Vec::new();
        walk(&self.loaded.spec.catalogue, "catalogue", &mut refs);
        for (path, ep) in refs {
            if !self.loaded.spec.endpoints.contains_key(ep) {
                self.err(
                    &path,
                    format!("endpoint `{ep}` is not defined in `endpoints`"),
                );
            }
        }
    }

    /// A type that contains itself without a list or map in between has infinite size.
    fn check_recursion(&mut self) {
        let spec = &self.loaded.spec;
        // Direct (non-list, non-map) object fields of each type.
        let direct = |name: &str| -> Vec<String> {
            spec.types.get(name).map_or_else(Vec::new, |def| {
                def.fields
                    .values()
                    .filter_map(|f| match TypeExpr::parse(&f.ty) {
                        Ok(TypeExpr::Named(inner)) => Some(inner),
                        Ok(TypeExpr::JsonText(t)) => match *t {
                            TypeExpr::Named(inner) => Some(inner),
                            _ => None,
                        },
                        _ => None,
                    })
                    .collect()
            })
        };
        for start in spec.types.keys() {
            let mut stack = direct(start);
            let mut seen = BTreeSet::new();
            while let Some(name) = stack.pop() {
                if name == *start {
                    self.err(&format!("types.@{start}"), format!("type `{start}` contains itself without a list or map in between, so it would have infinite size"));
                    break;
                }
                if seen.insert(name.clone()) {
                    stack.extend(direct(&name));
                }
            }
        }
    }

    fn check_environments(&mut self) {
        let spec = &self.loaded.spec;
        if spec.environments.is_empty() {
            self.err(
                "environments",
                "at least one environment (base URL) is required",
            );
        }
        for (i, env) in spec.environments.iter().enumerate() {
            let path = format!("environments[{i}].base_url");
            if env.base_url.starts_with("http://") {
                if !spec.transport.allow_plain_http {
                    self.err(&path, "plain http:// base URL: set `transport.allow_plain_http: true` and say why in `transport.plain_http_reason`");
                }
            } else if !env.base_url.starts_with("https://") {
                self.err(
                    &path,
                    format!(
                        "base URL {:?} must start with https:// (or http://)",
                        env.base_url
                    ),
                );
            }
            if env.base_url.ends_with('/') {
                self.err(
                    &path,
                    "base URL must not end with `/` (paths start with one)",
                );
            }
        }
        if spec.transport.allow_plain_http && spec.transport.plain_http_reason.is_none() {
            self.err("transport", "`allow_plain_http` needs `plain_http_reason`");
        }
    }

    /// Parses a type expression and checks its named types exist.
    fn check_type_expr(&mut self, path: &str, text: &str) -> Option<TypeExpr> {
        match TypeExpr::parse(text) {
            Ok(ty) => {
                if let Some(name) = ty
                    .named()
                    .filter(|n| !self.loaded.spec.types.contains_key(*n))
                {
                    let known: Vec<&str> =
                        self.loaded.spec.types.keys().map(String::as_str).collect();
                    let hint = crate::spec::schema::closest(name, &known)
                        .map(|k| format!(" (did you mean `{k}`?)"))
                        .unwrap_or_default();
                    self.err(
                        path,
                        format!("type `{name}` is not defined in `types`{hint}"),
                    );
                }
                self.types.insert(path.to_owned(), ty.clone());
                Some(ty)
            }
            Err(msg) => {
                self.err(path, msg);
                None
            }
        }
    }

    fn check_field(
        &mut self,
        path: &str,
        wire: &str,
        field: &Field,
        rust_names: &mut HashMap<String, String>,
    ) {
        let ty = self.check_type_expr(&format!("{path}.type"), &field.ty);
        let rust = field.rust_name.clone().unwrap_or_else(|| field_name(wire));
        let key_path = match path.rsplit_once('.') {
            Some((parent, last)) => format!("{parent}.@{last}"),
            None => path.to_owned(),
        };
        if is_keyword(&rust) {
            self.err(
                &key_path,
                format!("`{wire}` becomes the Rust keyword `{rust}`; set `rust_name`"),
            );
        } else if !is_snake_case_ident(&rust) {
            self.err(path, format!("`{wire}` gives the Rust name `{rust}`, which is not a snake_case identifier; set `rust_name`"));
        }
        if let Some(other) = rust_names.insert(rust.clone(), wire.to_owned()) {
            self.err(path, format!("`{wire}` and `{other}` both become the Rust field `{rust}`; set `rust_name` on one"));
        }
        if let Some(ty) = ty {
            if field.lenient && !ty.is_lenient_capable() {
                self.err(
                    &format!("{path}.lenient"),
                    format!(
                        "`lenient` applies to {}, not {ty}",
                        lenient_capable().join(", ")
                    ),
                );
            }
            if field.wire.is_some() && ty != TypeExpr::Primitive(Primitive::Decimal) {
                self.err(
                    &format!("{path}.wire"),
                    format!("`wire` applies to decimal, not {ty}"),
                );
            }
        }
    }

    fn check_types(&mut self) {
        let spec = &self.loaded.spec;
        let mut seen: HashMap<String, String> = HashMap::new();
        for (name, def) in &spec.types {
            let path = format!("types.{name}");
            if !is_upper_camel_ident(name) {
                self.err(
                    &format!("types.@{name}"),
                    format!("type name `{name}` must be UpperCamelCase"),
                );
            }
            if RESERVED_TYPE_NAMES.contains(&name.as_str())
                || name.ends_with("Request")
                    && spec
                        .endpoints
                        .keys()
                        .any(|e| format!("{}Request", variant_name(e)) == *name)
            {
                self.err(
                    &format!("types.@{name}"),
                    format!("type name `{name}` collides with a name the generator emits"),
                );
            }
            if let Some(other) = seen.insert(name.to_lowercase(), name.clone()) {
                self.err(
                    &format!("types.@{name}"),
                    format!("types `{name}` and `{other}` differ only in case"),
                );
            }
            let mut rust_names = HashMap::new();
            for (wire, field) in &def.fields {
                self.check_field(
                    &format!("{path}.fields.{wire}"),
                    wire,
                    field,
                    &mut rust_names,
                );
            }
        }
    }

    fn check_endpoints(&mut self) {
        let spec = &self.loaded.spec;
        let mut methods: HashMap<String, String> = HashMap::new();
        for (name, ep) in &spec.endpoints {
            let path = format!("endpoints.{name}");
            if !is_snake_case_ident(name) || is_keyword(name) {
                self.err(&format!("endpoints.@{name}"), format!("endpoint name `{name}` must be a snake_case identifier that is not a Rust keyword"));
            }
            for generated in [name.clone(), format!("{name}_pages")] {
                if let Some(other) = methods.insert(generated.clone(), name.clone()) {
                    self.err(
                        &format!("endpoints.@{name}"),
                        format!(
                            "method `{generated}` is generated for both `{name}` and `{other}`"
                        ),
                    );
                }
            }
            if ep.methods.is_empty() {
                self.err(
                    &format!("{path}.methods"),
                    "at least one HTTP method is required",
                );
            }
            if ep.idempotent && matches!(ep.methods.first(), Some(HttpMethod::Get)) {
                self.err(
                    &format!("{path}.idempotent"),
                    "GET requests are idempotent already; remove `idempotent`",
                );
            }
            if !ep.path.starts_with('/') {
                self.err(&format!("{path}.path"), "path must start with `/`");
            }
            let mut rust_names: HashMap<String, String> = HashMap::new();
            let mut has_body = false;
            for (wire, param) in &ep.params {
                let ppath = format!("{path}.params.{wire}");
                let ty = match (&param.ty, &param.const_value) {
                    (None, None) => {
                        self.err(&ppath, "`type` is required (or `const`, a fixed value)");
                        None
                    }
                    _ => self.check_type_expr(&format!("{ppath}.type"), param.type_text()),
                };
                if param.const_value.is_some() {
                    self.check_const_param(&ppath, param, ty.as_ref());
                } else {
                    let rust = param.rust_name.clone().unwrap_or_else(|| field_name(wire));
                    if is_keyword(&rust) || !is_snake_case_ident(&rust) {
                        self.err(&ppath, format!("`{wire}` gives the Rust name `{rust}`, which is a keyword or not snake_case; set `rust_name`"));
                    }
                    if let Some(other) = rust_names.insert(rust.clone(), wire.clone()) {
                        self.err(
                            &ppath,
                            format!(
                                "`{wire}` and `{other}` both become the Rust parameter `{rust}`"
                            ),
                        );
                    }
                }
                if let (Some(min), Some(max)) = (param.minimum, param.maximum)
                    && min > max
                {
                    self.err(
                        &format!("{ppath}.minimum"),
                        format!("minimum {min} is above maximum {max}"),
                    );
                }
                if (param.minimum.is_some() || param.maximum.is_some())
                    && ty
                        .as_ref()
                        .is_some_and(|t| *t != TypeExpr::Primitive(Primitive::Integer))
                {
                    self.err(&ppath, "`minimum`/`maximum` apply to integer parameters");
                }
                if param.location == ParamLocation::Body {
                    has_body = true;
                }
                if let Some(ty) = &ty {
                    self.check_param_encoding(&ppath, ep, wire, param, ty);
                }
            }
            self.check_path_template(&path, ep);
            if has_body && ep.body.is_none() {
                self.err(&path, "body parameters need `body: json` or `body: form`");
            }
            if let Some(response) = &ep.response {
                self.check_type_expr(&format!("{path}.response"), response);
            }
            if let Some(p) = &ep.pagination {
                self.check_pagination(&path, ep, p);
            }
        }
    }

    /// A fixed parameter is text the endpoint always sends: no caller-facing options.
    fn check_const_param(&mut self, ppath: &str, param: &Param, ty: Option<&TypeExpr>) {
        if ty.is_some_and(|t| *t != TypeExpr::Primitive(Primitive::String)) {
            self.err(
                &format!("{ppath}.type"),
                "a `const` parameter is sent as written: leave `type` out (or say `string`)",
            );
        }
        for (set, key) in [
            (param.default.is_some(), "default"),
            (param.minimum.is_some(), "minimum"),
            (param.maximum.is_some(), "maximum"),
            (param.rust_name.is_some(), "rust_name"),
            (param.wire.is_some(), "wire"),
        ] {
            if set {
                self.err(
                    &format!("{ppath}.{key}"),
                    format!("`{key}` does not apply to a `const` parameter (it is never a caller's argument)"),
                );
            }
        }
    }

    /// Whether the generator can write this type where the parameter stands: text locations
    /// (path, header, query, form) take scalars and `json_text<T>`, query and form also lists of
    /// scalars (one pair per element); only a JSON body takes records, maps and `json`.
    fn check_param_encoding(
        &mut self,
        ppath: &str,
        ep: &Endpoint,
        wire: &str,
        param: &Param,
        ty: &TypeExpr,
    ) {
        use types::ParamText;
        let json_body =
            param.location == ParamLocation::Body && ep.body == Some(BodyEncoding::Json);
        if json_body {
            return;
        }
        let place = match param.location {
            ParamLocation::Path => "a path segment",
            ParamLocation::Header => "a header",
            ParamLocation::Query => "a query parameter",
            ParamLocation::Body if ep.body == Some(BodyEncoding::Form) => "a form field",
            ParamLocation::Body => "a query parameter (the endpoint has no body)",
        };
        let type_path = format!("{ppath}.type");
        match (ty.param_text(), param.location) {
            (None, _) => self.err(
                &type_path,
                format!("{ty} has no text form for {place}: write `json_text<{ty}>` to send it as a JSON document inside the text, or put it in a `body: json` endpoint"),
            ),
            (Some(ParamText::Repeated(_)), ParamLocation::Path | ParamLocation::Header) => {
                self.err(
                    &type_path,
                    format!("{ty} cannot be {place} (a list is sent as one pair per element only in a query string or form); use `json_text<{ty}>`"),
                )
            }
            _ => {}
        }
        if param.location == ParamLocation::Path && !param.required && param.const_value.is_none() {
            self.err(ppath, "a path parameter must be `required: true`");
        }
        if param.location == ParamLocation::Header
            && (wire.is_empty() || !wire.bytes().all(is_header_name_byte))
        {
            self.err(ppath, format!("`{wire}` is not a valid HTTP header name"));
        }
    }

    /// Every `{name}` of the path is a path parameter and every path parameter is in the path.
    fn check_path_template(&mut self, path: &str, ep: &Endpoint) {
        let mut named = Vec::new();
        let mut rest = ep.path.as_str();
        while let Some(open) = rest.find(['{', '}']) {
            if rest[open..].starts_with('}') {
                self.err(&format!("{path}.path"), "`}` without `{`");
                return;
            }
            let Some(close) = rest[open..].find('}') else {
                self.err(&format!("{path}.path"), "`{` without `}`");
                return;
            };
            named.push(&rest[open + 1..open + close]);
            rest = &rest[open + close + 1..];
        }
        for name in &named {
            match ep.params.get(*name) {
                Some(p) if p.location == ParamLocation::Path => {}
                _ => self.err(
                    &format!("{path}.path"),
                    format!("`{{{name}}}` in the path needs a parameter `{name}` with `in: path`"),
                ),
            }
        }
        for (wire, p) in &ep.params {
            if p.location == ParamLocation::Path && !named.contains(&wire.as_str()) {
                self.err(
                    &format!("{path}.params.{wire}.in"),
                    format!("`{wire}` is a path parameter but the path has no `{{{wire}}}`"),
                );
            }
        }
    }

    fn check_pagination(&mut self, path: &str, ep: &Endpoint, p: &Pagination) {
        let spec = &self.loaded.spec;
        match ep.params.get(&p.page_param) {
            Some(param)
                if param.type_text() == "integer"
                    && !param.required
                    && param.const_value.is_none() => {}
            _ => self.err(
                &format!("{path}.pagination.page_param"),
                format!(
                    "`{}` must be an optional integer parameter of this endpoint",
                    p.page_param
                ),
            ),
        }
        let Some(response) = ep.response.as_deref().and_then(|r| spec.types.get(r)) else {
            self.err(
                &format!("{path}.pagination"),
                "pagination needs a `response` naming an object type",
            );
            return;
        };
        match response
            .fields
            .get(&p.items)
            .map(|f| TypeExpr::parse(&f.ty))
        {
            Some(Ok(TypeExpr::List(_))) => {}
            _ => self.err(
                &format!("{path}.pagination.items"),
                format!("`{}` must be a list field of the response type", p.items),
            ),
        }
        if self.resolve_field_path(response, &p.total_pages)
            != Some(TypeExpr::Primitive(Primitive::Integer))
        {
            self.err(
                &format!("{path}.pagination.total_pages"),
                format!(
                    "`{}` must lead to an integer field of the response type",
                    p.total_pages
                ),
            );
        }
    }

    /// The type of the last field of `a.b.c` when every field on the way is required and non-null.
    fn resolve_field_path<'s>(&'s self, def: &'s TypeDef, dotted: &str) -> Option<TypeExpr> {
        let fields = field_path(&self.loaded.spec, def, dotted)?;
        if fields.iter().any(|(_, f)| f.nullable || f.optional) {
            return None;
        }
        TypeExpr::parse(&fields.last()?.1.ty).ok()
    }

    fn check_auth(&mut self) {
        let spec = &self.loaded.spec;
        let credentials: BTreeSet<String> = spec.auth.credentials.keys().cloned().collect();
        let secrets: BTreeSet<String> = spec
            .auth
            .credentials
            .iter()
            .filter(|(_, c)| c.secret)
            .map(|(name, _)| name.clone())
            .collect();
        for name in &credentials {
            if !is_snake_case_ident(name) || is_keyword(name) {
                self.err(&format!("auth.credentials.@{name}"), format!("credential `{name}` must be a snake_case identifier that is not a Rust keyword"));
            }
            if REQUEST_VARS.contains(&name.as_str()) {
                self.err(
                    &format!("auth.credentials.@{name}"),
                    format!("credential `{name}` would hide the request fact `{{{name}}}`; the names {} are reserved", REQUEST_VARS.join(", ")),
                );
            }
        }
        let mut token_vars: BTreeSet<String> = BTreeSet::new();
        if let Some(token) = &spec.auth.token {
            token_vars.insert("access_token".into());
            if token.response.refresh_token.is_some() {
                token_vars.insert("refresh_token".into());
            }
            token_vars.extend(token.response.extra.keys().cloned());
            for (which, grant) in [
                ("automatic", &token.automatic),
                ("refresh_with", &token.refresh_with),
            ] {
                if let Some(g) = grant.as_ref().filter(|g| !token.grants.contains_key(*g)) {
                    self.err(
                        &format!("auth.token.{which}"),
                        format!("grant `{g}` is not defined in `auth.token.grants`"),
                    );
                }
            }
            for (i, g) in token.interchangeable_grants.iter().enumerate() {
                if !token.grants.contains_key(g) {
                    self.err(
                        &format!("auth.token.interchangeable_grants[{i}]"),
                        format!("grant `{g}` is not defined in `auth.token.grants`"),
                    );
                }
            }
            if token.automatic.is_none()
                && token.authorize.is_none()
                && token.grants.values().all(|g| g.inputs.is_empty())
            {
                self.err("auth.token", "no way to obtain a token: set `automatic`, `authorize`, or a grant with `inputs`");
            }
            for (name, grant) in &token.grants {
                let path = format!("auth.token.grants.{name}");
                if !is_snake_case_ident(name) || is_keyword(name) {
                    self.err(
                        &format!("auth.token.grants.@{name}"),
                        format!("grant name `{name}` must be a snake_case identifier"),
                    );
                }
                for (i, input) in grant.inputs.iter().enumerate() {
                    if !is_snake_case_ident(input) || is_keyword(input) {
                        self.err(&format!("{path}.inputs[{i}]"), format!("input `{input}` must be a snake_case identifier that is not a Rust keyword (it names a method argument)"));
                    }
                }
                let mut scope: BTreeSet<String> = credentials.clone();
                scope.extend(grant.inputs.iter().cloned());
                let mut fields = Vec::new();
                for (field, value) in &grant.fields {
                    let reads = recipe::Reads {
                        names: &scope,
                        secrets: &secrets,
                        params: None,
                        carried: &BTreeSet::new(),
                    };
                    let value = self.check_value(&format!("{path}.fields.{field}"), value, &reads);
                    fields.push((field.clone(), value));
                }
                self.recipe.grant_fields.insert(name.clone(), fields);
                let has_client_credentials =
                    credentials.contains("client_id") && credentials.contains("client_secret");
                if !grant.client_auth.is_empty() && !has_client_credentials {
                    self.err(
                        &format!("{path}.client_auth"),
                        "`client_auth` needs credentials named `client_id` and `client_secret`",
                    );
                }
                if let Some(p) = grant.path.as_ref().filter(|p| !p.starts_with('/')) {
                    self.err(
                        &format!("{path}.path"),
                        format!("path {p:?} must start with `/`"),
                    );
                }
            }
            if let Some(authorize) = &token.authorize {
                let mut scope = credentials.clone();
                scope.extend(["redirect_uri".to_owned(), "state".to_owned()]);
                for (param, value) in &authorize.params {
                    let reads = recipe::Reads {
                        names: &scope,
                        secrets: &secrets,
                        params: None,
                        carried: &BTreeSet::new(),
                    };
                    let value = self.check_value(
                        &format!("auth.token.authorize.params.{param}"),
                        value,
                        &reads,
                    );
                    self.recipe.authorize_params.push((param.clone(), value));
                }
            }
            if let Some(f) = token
                .policy
                .refresh_in_last_fraction
                .filter(|f| !(0.0..1.0).contains(f))
            {
                self.err(
                    "auth.token.policy.refresh_in_last_fraction",
                    format!("{f} must be between 0 and 1"),
                );
            }
        }
        let mut names: BTreeSet<String> = credentials;
        names.extend(token_vars.iter().cloned());
        self.check_apply(names, &secrets);
        self.check_grant_steps(&token_vars);
    }

    fn check_error_codes(&mut self) {
        let spec = &self.loaded.spec;
        let mut codes: HashMap<String, String> = HashMap::new();
        let mut variants: HashMap<String, String> = HashMap::new();
        for (table, t) in &spec.error_codes {
            for (i, entry) in t.codes.iter().enumerate() {
                let path = format!("error_codes.{table}.codes[{i}]");
                let code_text = match &entry.code {
                    Code::Int(n) => n.to_string(),
                    Code::Str(s) => format!("{s:?}"),
                };
                if let Some(other) = codes.insert(code_text.clone(), path.clone()) {
                    self.err(
                        &format!("{path}.code"),
                        format!("code {code_text} is already defined at {other}"),
                    );
                }
                if entry.class == ErrorClass::Unknown {
                    self.err(
                        &format!("{path}.class"),
                        "`unknown` is what the client reports for codes the spec does not list; give this code the class it has",
                    );
                }
                let name = error_variant_name(entry);
                match name {
                    Some(name) if is_upper_camel_ident(&name) && name != "Unknown" => {
                        if let Some(other) = variants.insert(name.clone(), code_text.clone()) {
                            self.err(&path, format!("variant `{name}` is generated for both code {code_text} and code {other}; set `name`"));
                        }
                    }
                    Some(name) => self.err(&path, format!("variant name `{name}` is not usable (UpperCamelCase, not `Unknown`); set `name`")),
                    None => self.err(&path, format!("code {code_text} needs a `name` (or `java_name`) for its variant")),
                }
                if let Some(evidence) = &entry.rejected_before_execution {
                    self.check_evidence(&format!("{path}.rejected_before_execution"), evidence);
                    if !matches!(entry.class, ErrorClass::Resign | ErrorClass::ClockSkew) {
                        self.err(
                            &format!("{path}.rejected_before_execution"),
                            "only `resign` and `clock_skew` codes are re-sent; this code is never re-sent",
                        );
                    }
                }
            }
        }
    }

    /// Exactly one of the document's words or a `doc_gaps` entry that exists.
    fn check_evidence(&mut self, path: &str, evidence: &Evidence) {
        match (&evidence.doc, &evidence.doc_gap) {
            (Some(_), None) => {}
            (None, Some(id)) => {
                if !self.loaded.spec.doc_gaps.iter().any(|g| &g.id == id) {
                    self.err(
                        &format!("{path}.doc_gap"),
                        format!("no `doc_gaps` entry has id `{id}`"),
                    );
                }
            }
            _ => self.err(path, "give either `doc` (the document's words) or `doc_gap` (the id of a `doc_gaps` entry)"),
        }
    }

    fn check_webhooks(&mut self) {
        let spec = &self.loaded.spec;
        let Some(hooks) = &spec.webhooks else { return };
        let mut rust_names = HashMap::new();
        for (wire, field) in &hooks.fields {
            self.check_field(
                &format!("webhooks.fields.{wire}"),
                wire,
                field,
                &mut rust_names,
            );
        }
        if let Some(wire) = &hooks.timestamp {
            let usable = hooks
                .fields
                .get(wire)
                .is_some_and(|f| f.ty == "integer" && !f.optional);
            if !usable {
                self.err(
                    "webhooks.timestamp",
                    format!("`{wire}` must name a required integer entry of `webhooks.fields`"),
                );
            }
        }
        let mut variants: HashMap<String, String> = HashMap::new();
        for (kind, event) in &hooks.events {
            let path = format!("webhooks.events.{kind}");
            self.check_type_expr(&format!("{path}.type"), &event.ty);
            let name = event.name.clone().unwrap_or_else(|| variant_name(kind));
            if !is_upper_camel_ident(&name) || name == "Unknown" {
                self.err(
                    &path,
                    format!("variant name `{name}` is not usable; set `name`"),
                );
            }
            if let Some(other) = variants.insert(name.clone(), kind.clone()) {
                self.err(
                    &path,
                    format!("events `{kind}` and `{other}` both become variant `{name}`"),
                );
            }
            let mut names = rust_names.clone();
            for (wire, field) in &event.fields {
                self.check_field(&format!("{path}.fields.{wire}"), wire, field, &mut names);
            }
        }
        let sig = &hooks.signature;
        if !spec.auth.credentials.contains_key(&sig.secret) {
            self.err(
                "webhooks.signature.secret",
                format!("`{}` is not a credential", sig.secret),
            );
        }
        if let Some(value) = &sig.value {
            let mut names: BTreeSet<String> = ["payload", "body"].map(String::from).into();
            names.insert(sig.secret.clone());
            let secrets = BTreeSet::from([sig.secret.clone()]);
            let reads = recipe::Reads {
                names: &names,
                secrets: &secrets,
                params: None,
                carried: &BTreeSet::new(),
            };
            let value = self.check_value("webhooks.signature.value", value, &reads);
            self.recipe.webhook_signature = Some(value);
        }
        if let Some(algorithm) = sig.algorithm.as_ref().filter(|a| *a != "md5_hex") {
            self.err(
                "webhooks.signature.algorithm",
                format!("unsupported algorithm `{algorithm}`; supported: md5_hex (or write a `value` recipe)"),
            );
        }
        if let Some(text) = sig
            .signed_text
            .as_ref()
            .filter(|t| !t.contains("{payload}"))
        {
            self.err(
                "webhooks.signature.signed_text",
                format!("the signed text {text:?} must contain `{{payload}}`"),
            );
        }
        let shorthand = sig.algorithm.is_some() || sig.signed_text.is_some();
        let complete_shorthand = sig.algorithm.is_some() && sig.signed_text.is_some();
        if sig.value.is_some() == shorthand || (shorthand && !complete_shorthand) {
            self.err(
                "webhooks.signature",
                "give either `value` (a recipe) or both `algorithm` and `signed_text`",
            );
        } else if let Some(text) = &sig.signed_text {
            self.recipe.webhook_signature = Some(recipe::signed_text(text, &sig.secret));
        }
    }

    fn check_examples(&mut self) {
        let spec = &self.loaded.spec;
        let grants: BTreeSet<&str> = spec
            .auth
            .token
            .iter()
            .flat_map(|t| t.grants.keys().map(String::as_str))
            .collect();
        for (name, ex) in &spec.examples {
            if !is_snake_case_ident(name) || is_keyword(name) {
                self.err(&format!("examples.@{name}"), format!("example name `{name}` must be a snake_case identifier that is not a Rust keyword (it names a test)"));
            }
            let path = format!("examples.{name}.parses_as");
            let Some(target) = &ex.parses_as else {
                continue;
            };
            let missing = match target {
                ParsesAs::Response(e) | ParsesAs::Request(e) => {
                    (!spec.endpoints.contains_key(e)).then(|| format!("endpoint `{e}`"))
                }
                ParsesAs::Type(t) => (!spec.types.contains_key(t)).then(|| format!("type `{t}`")),
                ParsesAs::TokenResponse(g) | ParsesAs::TokenError(g) => {
                    (!grants.contains(g.as_str())).then(|| format!("grant `{g}`"))
                }
                ParsesAs::ErrorResponse => {
                    spec.envelope.is_none().then(|| "an `envelope`".to_owned())
                }
                ParsesAs::Webhook | ParsesAs::WebhookAck => {
                    spec.webhooks.is_none().then(|| "`webhooks`".to_owned())
                }
            };
            if let Some(what) = missing {
                self.err(&path, format!("{what} is not defined"));
            }
            if let ParsesAs::Request(e) = target
                && spec
                    .endpoints
                    .get(e)
                    .is_some_and(|ep| ep.body != Some(BodyEncoding::Json))
            {
                self.err(&path, format!("endpoint `{e}` has no JSON body"));
            }
            let text = normalized_example(ex);
            if let Err(err) = serde_json::from_str::<serde_json::Value>(&text) {
                self.err(
                    &format!("examples.{name}.text"),
                    format!("not valid JSON after `normalize`: {err}"),
                );
            }
        }
    }

    fn check_doc_gaps(&mut self) {
        let mut ids = BTreeMap::new();
        for (i, gap) in self.loaded.spec.doc_gaps.iter().enumerate() {
            if let Some(other) = ids.insert(gap.id.clone(), i) {
                self.err(
                    &format!("doc_gaps[{i}].id"),
                    format!("id `{}` is already used by doc_gaps[{other}]", gap.id),
                );
            }
        }
    }
}

/// The fields along a dotted path (`pagination.total_pages`) through named object types,
/// with their wire names; `None` when a segment does not exist or is not an object.
pub fn field_path<'s>(
    spec: &'s Spec,
    mut def: &'s TypeDef,
    dotted: &str,
) -> Option<Vec<(&'s str, &'s Field)>> {
    let mut out = Vec::new();
    let mut parts = dotted.split('.').peekable();
    while let Some(part) = parts.next() {
        let (wire, field) = def.fields.get_key_value(part)?;
        out.push((wire.as_str(), field));
        if parts.peek().is_some() {
            match TypeExpr::parse(&field.ty).ok()? {
                TypeExpr::Named(name) => def = spec.types.get(&name)?,
                _ => return None,
            }
        }
    }
    Some(out)
}

/// The variant name of an error code: `name`, else from `java_name`, else from a string code.
pub fn error_variant_name(entry: &ErrorCode) -> Option<String> {
    if let Some(name) = &entry.name {
        return Some(name.clone());
    }
    if let Some(java) = &entry.java_name {
        return Some(variant_name(java));
    }
    match &entry.code {
        Code::Str(s) => Some(variant_name(s)),
        Code::Int(_) => None,
    }
}

/// An example's text after its `normalize` edits.
pub fn normalized_example(ex: &Example) -> String {
    let mut text = ex.text.clone();
    for step in &ex.normalize {
        text = match step {
            Normalize::StripLineComments => strip_line_comments(&text),
            Normalize::Replace { from, to } => text.replace(from.as_str(), to),
        };
    }
    text
}

/// Removes `// …` to the end of each line. Inside a string value the comment
/// runs to the closing quote, which is kept: `"5 // 良品数量",` → `"5",`.
/// `//` directly after `:` inside a string (a URL scheme such as `http://`) is not a comment.
fn strip_line_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let mut in_string = false;
        let mut result = String::new();
        let mut chars = line.char_indices().peekable();
        let mut prev = '\0';
        while let Some((i, c)) = chars.next() {
            if c == '"' && prev != '\\' {
                in_string = !in_string;
                result.push(c);
            } else if c == '/'
                && chars.peek().map(|(_, n)| *n) == Some('/')
                && !(in_string && prev == ':')
            {
                if in_string {
                    // Drop the comment up to the closing quote and keep the rest of the line.
                    let rest = &line[i..];
                    if let Some(q) = rest.find('"') {
                        let trimmed = result.trim_end().len();
                        result.truncate(trimmed);
                        result.push('"');
                        result.push_str(strip_line_comments(&rest[q + 1..]).trim_end_matches('\n'));
                    }
                } else {
                    let trimmed = result.trim_end().len();
                    result.truncate(trimmed);
                }
                break;
            } else {
                result.push(c);
            }
            prev = c;
        }
        out.push_str(&result);
        out.push('\n');
    }
    out
}

/// The primitives `lenient` applies to, as the capability table says.
fn lenient_capable() -> Vec<&'static str> {
    types::PRIMITIVES
        .iter()
        .filter(|c| c.lenient)
        .map(|c| c.name)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_comments_inside_and_outside_strings() {
        let cases = [
            (r#""num": "5 // 良品数量","#, r#""num": "5","#),
            (r#""sku": "2309-1Bei",// sku"#, r#""sku": "2309-1Bei","#),
            (r#""userId": 1, // oms用户id"#, r#""userId": 1,"#),
            (
                r#""avatar": "http://avatar.x/1""#,
                r#""avatar": "http://avatar.x/1""#,
            ),
            (
                r#""nonGoodChange": null // 次品变动数量"#,
                r#""nonGoodChange": null"#,
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(strip_line_comments(input).trim_end(), expected, "{input}");
        }
    }
}
