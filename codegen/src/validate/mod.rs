//! Stage 2: semantic checks on a structurally valid spec.
//!
//! Everything the schema cannot say: references resolve, names are unique and
//! stay unique after case conversion, no Rust keyword becomes a field name,
//! templates only name values that exist, codes are unique. Every problem is
//! reported with the position of the YAML value it concerns. Checking also parses: the
//! auth values (`recipe`, into spec-lang) and the type expressions (`types`) are handed to
//! `ir::lower` inside [`Validated`], never parsed twice.
//!
//! One module per spec section (`records` for `types:`, `endpoints`, `auth`, `errors`,
//! `webhooks`, `examples`; the small top-level sections here), each an `impl Checker`;
//! the languages the sections share have their own modules (`types`, `values`, `recipe`,
//! `names`, `refusals`).

mod auth;
mod endpoints;
mod errors;
mod examples;
pub mod names;
mod recipe;
mod records;
pub mod refusals;
pub mod types;
pub mod values;
mod webhooks;

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

pub use examples::normalized_example;
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

/// The primitives `lenient` applies to, as the capability table says.
fn lenient_capable() -> Vec<&'static str> {
    types::PRIMITIVES
        .iter()
        .filter(|c| c.lenient)
        .map(|c| c.name)
        .collect()
}
