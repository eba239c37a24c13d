//! Auth as `securitySchemes`: OAuth2 flows where the spec's auth is plain
//! OAuth2 (grant_type grants at the token endpoint, a bearer header);
//! otherwise one scheme per apply step (all required together), with
//! `x-value` giving each value in the spec's value language, and the whole
//! recipe (credentials, token grants, response, policy, steps) in `x-auth`.

use serde_json::{Map, Value, json};

use crate::spec::model::{ApplyStep, Auth, Spec, StepTarget, ValueExpr};

/// `components.securitySchemes` and the requirement every authenticated operation carries.
pub struct Security {
    pub schemes: Map<String, Value>,
    pub requirement: Value,
}

fn literal(v: &ValueExpr) -> Option<&str> {
    match v {
        ValueExpr::Template(t) => Some(t),
        ValueExpr::Op(_) => None,
    }
}

fn absolute(spec: &Spec, path: &str) -> String {
    match spec.environments.first() {
        Some(env) => format!("{}{path}", env.base_url),
        None => path.to_owned(),
    }
}

/// OAuth2 flows, when the whole recipe is OAuth2 with a bearer header.
fn oauth2(spec: &Spec) -> Option<Value> {
    let auth = &spec.auth;
    let token = auth.token.as_ref()?;
    let bearer_only = matches!(auth.apply.as_slice(),
        [ApplyStep::Header { name, value, .. }]
            if name == "Authorization" && literal(value) == Some("Bearer {access_token}"));
    if !bearer_only || token.response.enveloped {
        return None;
    }
    let mut flows = Map::new();
    for grant in token.grants.values() {
        let Some(path) = &grant.path else { continue };
        let token_url = absolute(spec, path);
        match grant.fields.get("grant_type").and_then(literal) {
            Some("client_credentials") => {
                flows.insert(
                    "clientCredentials".into(),
                    json!({ "tokenUrl": token_url, "scopes": {} }),
                );
            }
            Some("authorization_code") => {
                let authorize = token.authorize.as_ref()?;
                flows.insert(
                    "authorizationCode".into(),
                    json!({
                        "authorizationUrl": absolute(spec, &authorize.path),
                        "tokenUrl": token_url,
                        "scopes": {}
                    }),
                );
            }
            Some("password") => {
                flows.insert(
                    "password".into(),
                    json!({ "tokenUrl": token_url, "scopes": {} }),
                );
            }
            _ => return None,
        }
    }
    (!flows.is_empty()).then(|| json!({ "type": "oauth2", "flows": flows }))
}

pub fn security(spec: &Spec) -> Security {
    let mut schemes = Map::new();
    if let Some(scheme) = oauth2(spec) {
        let mut scheme = scheme;
        if let Some(d) = &spec.auth.doc {
            scheme["description"] = json!(d);
        }
        schemes.insert("oauth2".into(), scheme);
        return Security {
            schemes,
            requirement: json!({ "oauth2": [] }),
        };
    }
    let mut requirement = Map::new();
    for (i, step) in spec.auth.apply.iter().enumerate() {
        let (key, scheme) = match step {
            ApplyStep::Header { .. }
            | ApplyStep::Query { .. }
            | ApplyStep::Form { .. }
            | ApplyStep::Json { .. } => {
                let Some(named) = step.named() else { continue };
                let location = named.target.as_str();
                // OpenAPI's apiKey lives in a header, query or cookie: a body field has no
                // scheme of its own and is described by the root `x-auth` recipe only.
                if !matches!(named.target, StepTarget::Header | StepTarget::Query) {
                    continue;
                }
                let mut s = json!({
                    "type": "apiKey",
                    "in": location,
                    "name": named.name,
                });
                s["x-value"] = json!(named.value);
                s["x-step"] = json!(i);
                if let Some(d) = named.doc {
                    s["description"] = json!(d);
                }
                (format!("{location}_{}", named.name), s)
            }
            ApplyStep::Basic { username, password } => (
                "basic".to_owned(),
                json!({
                    "type": "http",
                    "scheme": "basic",
                    "x-username": username,
                    "x-password": password,
                    "x-step": i,
                }),
            ),
        };
        requirement.insert(key.clone(), json!([]));
        schemes.insert(key, scheme);
    }
    Security {
        schemes,
        requirement: Value::Object(requirement),
    }
}

/// The whole recipe, in the spec's own terms, without nulls and empty defaults.
pub fn recipe(auth: &Auth) -> Value {
    let mut v = serde_json::to_value(auth).unwrap_or(Value::Null);
    prune(&mut v);
    let note = "How a client authenticates, in the spec's value language \
(see specs/README.md: templates such as \"{client_id}\", now, random_digits, md5_hex, \
hmac_sha256_hex, sorted_pairs, arithmetic). `apply` steps run in order on every \
authenticated request; each header/query step's output is bound to its name.";
    json!({ "description": note, "recipe": v })
}

/// Removes nulls, `false` and empty collections: serde defaults that say nothing.
pub fn prune(v: &mut Value) {
    match v {
        Value::Object(map) => {
            for child in map.values_mut() {
                prune(child);
            }
            map.retain(|_, c| {
                !(c.is_null()
                    || c == &Value::Bool(false)
                    || c.as_array().is_some_and(Vec::is_empty)
                    || c.as_object().is_some_and(Map::is_empty))
            });
        }
        Value::Array(items) => items.iter_mut().for_each(prune),
        _ => {}
    }
}
