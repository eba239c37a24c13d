//! `cargo xtask openapi SPEC`: the spec as an OpenAPI 3.1 document.
//!
//! Servers, paths (one operation per allowed method), parameters, request
//! bodies, schemas of every type, the envelope (the success schema wraps the
//! endpoint's `data`; the error schema is shared), error codes (HTTP-status
//! tables as responses, the others as `x-error-codes`), auth as
//! `securitySchemes` (module `security`), token grants with a path as operations,
//! and webhooks. Civil date-times, decimals and Unix times carry formats that
//! say what they are. Every export is checked by an independent validator
//! (`cargo xtask openapi --validate`, run in CI).

mod schema;
mod security;

use serde_json::{Map, Value, json};

use crate::audit::Provenance;
use crate::spec::model::{BodyEncoding, Code, Endpoint, HttpMethod, ParamLocation, Spec, Webhooks};

/// The OpenAPI document of a valid spec. `provenance` adds `x-document-lines`.
pub fn export(spec: &Spec, provenance: Option<&Provenance>) -> Value {
    let lines =
        |path: &str| -> Vec<usize> { provenance.map(|p| p.lines(path)).unwrap_or_default() };
    let all_codes: Vec<Code> = spec
        .error_codes
        .values()
        .filter(|t| !t.http_status)
        .flat_map(|t| t.codes.iter().map(|c| c.code.clone()))
        .collect();
    let security = security::security(spec);

    let mut schemas = Map::new();
    for (name, ty) in &spec.types {
        let field_lines = |f: &str| lines(&format!("types.{name}.fields.{f}"));
        schemas.insert(
            name.clone(),
            schema::type_def(ty, &lines(&format!("types.{name}")), field_lines),
        );
    }
    if let Some(env) = &spec.envelope {
        let error = schema::describe(
            schema::envelope_error(env, &all_codes),
            env.doc.as_deref(),
            env.note.as_deref(),
            &[],
        );
        schemas.insert("ErrorEnvelope".into(), error);
    }

    let mut paths = Map::new();
    for (name, ep) in &spec.endpoints {
        let item = paths.entry(ep.path.clone()).or_insert_with(|| json!({}));
        for (i, method) in ep.methods.iter().enumerate() {
            let operation_id = if i == 0 {
                name.clone()
            } else {
                format!("{name}_{}", method_key(*method))
            };
            let op = operation(spec, name, ep, operation_id, &security.requirement, &lines);
            item[method_key(*method)] = op;
        }
    }
    if let Some(token) = &spec.auth.token {
        for (name, grant) in &token.grants {
            let Some(path) = &grant.path else { continue };
            let item = paths.entry(path.clone()).or_insert_with(|| json!({}));
            let method = method_key(grant.method);
            if item.get(method).is_some() {
                continue;
            }
            let fields: Map<String, Value> = grant
                .fields
                .iter()
                .map(|(k, v)| (k.clone(), json!({ "type": "string", "x-value": v })))
                .collect();
            let mut op = json!({
                "operationId": format!("token_{name}"),
                "summary": grant.title.clone().unwrap_or_else(|| format!("Token grant `{name}`")),
                "x-token-grant": name,
                "security": [],
                "responses": {
                    "200": { "description": "The token response (see `x-auth` for where the token and its lifetime are)." },
                    "default": { "description": "An error of the token endpoint." }
                }
            });
            if let Some(d) = &grant.doc {
                op["description"] = json!(d);
            }
            if grant.send_auth_steps {
                op["security"] = json!([security.requirement]);
            }
            if !fields.is_empty() {
                let body = json!({ "type": "object", "properties": fields });
                match grant.encoding {
                    BodyEncoding::Json => {
                        op["requestBody"] = json!({ "required": true, "content": { "application/json": { "schema": body } } });
                    }
                    BodyEncoding::Form => {
                        op["requestBody"] = json!({ "required": true, "content": { "application/x-www-form-urlencoded": { "schema": body } } });
                    }
                    BodyEncoding::Query => {
                        let params: Vec<Value> = grant
                            .fields
                            .iter()
                            .map(|(k, v)| json!({ "name": k, "in": "query", "required": true, "schema": { "type": "string", "x-value": v } }))
                            .collect();
                        op["parameters"] = Value::Array(params);
                    }
                }
            }
            item[method] = op;
        }
    }

    let mut info = json!({
        "title": spec.vendor.title,
        "version": spec.vendor.version.clone().unwrap_or_else(|| "unversioned".to_owned()),
        "x-vendor-name": spec.vendor.name,
        "x-source-document": spec.source,
    });
    if let Some(d) = &spec.vendor.doc {
        info["description"] = json!(d);
    }
    let servers: Vec<Value> = spec
        .environments
        .iter()
        .map(|e| json!({ "url": e.base_url, "description": e.name }))
        .collect();
    let mut doc = json!({
        "openapi": "3.1.0",
        "info": info,
        "servers": servers,
        "security": [security.requirement],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": security.schemes,
        },
        "x-auth": security::recipe(&spec.auth),
    });
    if let Some(w) = &spec.webhooks {
        doc["webhooks"] = webhooks(w);
    }
    if !spec.doc_gaps.is_empty() {
        let gaps: Vec<Value> = spec
            .doc_gaps
            .iter()
            .map(|g| {
                let mut v = serde_json::to_value(g).unwrap_or(Value::Null);
                security::prune(&mut v);
                v
            })
            .collect();
        doc["x-doc-gaps"] = Value::Array(gaps);
    }
    doc
}

fn method_key(m: HttpMethod) -> &'static str {
    match m {
        HttpMethod::Get => "get",
        HttpMethod::Post => "post",
        HttpMethod::Put => "put",
        HttpMethod::Patch => "patch",
        HttpMethod::Delete => "delete",
    }
}

fn operation(
    spec: &Spec,
    name: &str,
    ep: &Endpoint,
    operation_id: String,
    requirement: &Value,
    lines: &impl Fn(&str) -> Vec<usize>,
) -> Value {
    let here = format!("endpoints.{name}");
    let mut op = json!({ "operationId": operation_id, "summary": ep.title });
    if let Some(d) = &ep.doc {
        op["description"] = json!(d);
    }
    if let Some(n) = &ep.note {
        op["x-note"] = json!(n);
    }
    let ep_lines = lines(&here);
    if !ep_lines.is_empty() {
        op["x-document-lines"] = json!(ep_lines);
    }
    op["security"] = if ep.auth {
        json!([requirement])
    } else {
        json!([])
    };

    let mut parameters = Vec::new();
    let mut body = Map::new();
    let mut body_required = Vec::new();
    for (pname, p) in &ep.params {
        let schema = schema::param(p, &lines(&format!("{here}.params.{pname}")));
        let required = p.required || p.const_value.is_some();
        match p.location {
            ParamLocation::Query | ParamLocation::Path | ParamLocation::Header => {
                let place = match p.location {
                    ParamLocation::Path => "path",
                    ParamLocation::Header => "header",
                    _ => "query",
                };
                let mut param =
                    json!({ "name": pname, "in": place, "required": required, "schema": schema });
                if let Some(d) = &p.doc {
                    param["description"] = json!(d);
                }
                parameters.push(param);
            }
            ParamLocation::Body => {
                let schema = schema::describe(schema, p.doc.as_deref(), None, &[]);
                body.insert(pname.clone(), schema);
                if required {
                    body_required.push(json!(pname));
                }
            }
        }
    }
    if !parameters.is_empty() {
        op["parameters"] = Value::Array(parameters);
    }
    if !body.is_empty() {
        let media = match ep.body {
            Some(BodyEncoding::Form) => "application/x-www-form-urlencoded",
            _ => "application/json",
        };
        let mut schema = json!({ "type": "object", "properties": body });
        if !body_required.is_empty() {
            schema["required"] = Value::Array(body_required);
        }
        op["requestBody"] = json!({ "required": true, "content": { media: { "schema": schema } } });
    }

    let data = match &ep.response {
        Some(ty) => schema::of_type(ty, None, false),
        None => json!({}),
    };
    let success = match &spec.envelope {
        Some(env) => {
            let all: Vec<Code> = spec
                .error_codes
                .values()
                .filter(|t| !t.http_status)
                .flat_map(|t| t.codes.iter().map(|c| c.code.clone()))
                .collect();
            schema::envelope_success(env, data, &all)
        }
        None => data,
    };
    let mut responses = Map::new();
    responses.insert(
        "200".into(),
        json!({
            "description": "Success: the envelope wraps the endpoint's data.",
            "content": { "application/json": { "schema": success } }
        }),
    );
    let error_content = if spec.envelope.is_some() {
        json!({ "application/json": { "schema": { "$ref": "#/components/schemas/ErrorEnvelope" } } })
    } else {
        json!({})
    };
    for table in spec.error_codes.values().filter(|t| t.http_status) {
        for code in &table.codes {
            let Code::Int(status) = code.code else {
                continue;
            };
            if (200..300).contains(&status) {
                continue;
            }
            let mut r = json!({ "description": code.message, "x-error-class": code.class });
            if spec.envelope.is_some() {
                r["content"] = error_content.clone();
            }
            responses.insert(status.to_string(), r);
        }
    }
    let codes: Vec<Value> = spec
        .error_codes
        .iter()
        .filter(|(_, t)| !t.http_status)
        .flat_map(|(table, t)| {
            t.codes.iter().map(move |c| {
                let mut v = json!({ "code": c.code, "message": c.message, "class": c.class, "table": table });
                if let Some(n) = crate::validate::error_variant_name(c) {
                    v["name"] = json!(n);
                }
                if let Some(j) = &c.java_name {
                    v["java_name"] = json!(j);
                }
                v
            })
        })
        .collect();
    let mut default = json!({ "description": "An error in the vendor's envelope; `x-error-codes` lists every documented code." });
    if spec.envelope.is_some() {
        default["content"] = error_content;
    }
    if !codes.is_empty() {
        default["x-error-codes"] = Value::Array(codes);
    }
    responses.insert("default".into(), default);
    op["responses"] = Value::Object(responses);
    op
}

fn webhooks(w: &Webhooks) -> Value {
    let mut out = Map::new();
    for (kind, event) in &w.events {
        let mut props = Map::new();
        let mut required = vec![json!(w.discriminator), json!(w.payload)];
        props.insert(w.discriminator.clone(), json!({ "const": kind }));
        props.insert(w.payload.clone(), schema::of_type(&event.ty, None, false));
        for (name, f) in w.fields.iter().chain(&event.fields) {
            props.insert(name.clone(), schema::field(f, &[]));
            if !f.optional {
                required.push(json!(name));
            }
        }
        let mut op = json!({
            "summary": format!("`{}` = `{kind}`", w.discriminator),
            "requestBody": { "required": true, "content": { "application/json": {
                "schema": { "type": "object", "properties": props, "required": required }
            } } },
            "responses": { "200": {
                "description": "Acknowledgement",
                "content": { "application/json": { "examples": {
                    "success": { "value": w.acknowledgement.success },
                    "failure": { "value": w.acknowledgement.failure }
                } } }
            } },
            "x-signature": {
                "algorithm": w.signature.algorithm,
                "signed_text": w.signature.signed_text,
                "value": w.signature.value,
                "secret": w.signature.secret,
                "header": w.signature.header,
            }
        });
        if let Some(d) = &event.doc {
            op["description"] = json!(d);
        }
        security::prune(&mut op["x-signature"]);
        out.insert(kind.clone(), json!({ "post": op }));
    }
    Value::Object(out)
}

/// Loads and validates a spec file and exports it, with document lines when
/// its source document is found.
pub fn export_file(path: &std::path::Path) -> Result<Value, crate::Diagnostics> {
    let loaded = crate::spec::load(path)?;
    crate::validate::validate(&loaded)?;
    let provenance = crate::document::load_source(&loaded)
        .ok()
        .map(|doc| crate::audit::provenance(&loaded, &doc));
    Ok(export(&loaded.spec, provenance.as_ref()))
}
