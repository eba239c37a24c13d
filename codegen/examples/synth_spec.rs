//! Prints a synthetic spec of N operations (for `bench/scale.sh`): each operation is a POST
//! with an 8-field JSON body answering an enveloped list of 15-field items, each with a
//! 5-field nested list. Usage: `cargo run -p codegen --example synth_spec -- 2000 > spec.yaml`.
//! `-- 2000 --openapi` prints the same API as an OpenAPI 3.0 document (JSON), for generators
//! that read OpenAPI (`bench/progenitor.sh`); the envelope is an object schema there.

use std::fmt::Write as _;

/// The field types, in turn. `timestamp` (RFC 3339, what OpenAPI's `date-time` means) rather
/// than a civil `datetime`, so that one page decodes with either generator's types.
const SCALARS: [&str; 5] = ["string", "integer", "decimal", "timestamp", "boolean"];

const HEADER: &str = r#"source: synthetic.txt
module: synth
vendor:
  name: Synthetic API
  title: Synthetic
environments:
  - name: production
    base_url: https://api.example.com
auth:
  credentials:
    api_key: { secret: true }
  apply:
    - in: header
      name: X-Api-Key
      value: "{api_key}"
envelope:
  success:
    code_in: [0]
  code: code
  message: [message]
  data: data
error_codes:
  business:
    title: Errors
    codes:
      - { code: 0, name: Ok, message: OK, class: success }
      - { code: 1, name: Failed, message: Failed, class: vendor }
types:
"#;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(n) = args.first().and_then(|a| a.parse::<usize>().ok()) else {
        eprintln!("usage: synth_spec N [--openapi]");
        std::process::exit(2);
    };
    if args.iter().any(|a| a == "--openapi") {
        print!("{}", openapi(n));
        return;
    }
    let mut out = String::from(HEADER);
    for i in 0..n {
        let _ = writeln!(out, "  Nested{i}:\n    doc: Nested line {i}.\n    fields:");
        for f in 0..5 {
            let ty = SCALARS[f % SCALARS.len()];
            let _ = writeln!(
                out,
                "      nested_field_{f}: {{ type: {ty}, doc: Nested field {f}. }}"
            );
        }
        let _ = writeln!(out, "  Item{i}:\n    doc: Item {i}.\n    fields:");
        for f in 0..14 {
            let ty = SCALARS[f % SCALARS.len()];
            let nullable = if f % 4 == 3 { ", nullable: true" } else { "" };
            let _ = writeln!(
                out,
                "      item_field_{f}: {{ type: {ty}{nullable}, doc: Item field {f}. }}"
            );
        }
        let _ = writeln!(
            out,
            "      lines: {{ type: list<Nested{i}>, doc: The nested list. }}"
        );
    }
    out.push_str("endpoints:\n");
    for i in 0..n {
        let _ = writeln!(
            out,
            "  operation_{i}:\n    title: Operation {i}\n    methods: [POST]\n    path: /v1/operation/{i}\n    body: json\n    params:"
        );
        for f in 0..8 {
            let ty = SCALARS[f % SCALARS.len()];
            let required = f < 3;
            let _ = writeln!(
                out,
                "      body_field_{f}: {{ in: body, type: {ty}, required: {required}, doc: Body field {f}. }}"
            );
        }
        let _ = writeln!(out, "    response: list<Item{i}>");
    }
    print!("{out}");
}

/// The OpenAPI schema of one of [`SCALARS`], as the document types it.
fn openapi_scalar(ty: &str) -> serde_json::Value {
    use serde_json::json;
    match ty {
        "string" => json!({ "type": "string" }),
        "integer" => json!({ "type": "integer", "format": "int64" }),
        "decimal" => json!({ "type": "number" }),
        "timestamp" => json!({ "type": "string", "format": "date-time" }),
        _ => json!({ "type": "boolean" }),
    }
}

/// The same API as [`main`]'s spec, as an OpenAPI 3.0 document: same operations, fields,
/// nullability and required body fields; each response an envelope object around the list.
fn openapi(n: usize) -> String {
    use serde_json::{Map, Value, json};
    let mut schemas = Map::new();
    let mut paths = Map::new();
    for i in 0..n {
        let mut nested = Map::new();
        for f in 0..5 {
            nested.insert(
                format!("nested_field_{f}"),
                openapi_scalar(SCALARS[f % SCALARS.len()]),
            );
        }
        let names: Vec<String> = nested.keys().cloned().collect();
        schemas.insert(
            format!("Nested{i}"),
            json!({ "type": "object", "required": names, "properties": nested }),
        );
        let mut item = Map::new();
        let mut required = Vec::new();
        for f in 0..14 {
            let mut schema = openapi_scalar(SCALARS[f % SCALARS.len()]);
            if f % 4 == 3 {
                schema["nullable"] = json!(true);
            }
            item.insert(format!("item_field_{f}"), schema);
            required.push(format!("item_field_{f}"));
        }
        item.insert(
            "lines".into(),
            json!({ "type": "array", "items": { "$ref": format!("#/components/schemas/Nested{i}") } }),
        );
        required.push("lines".into());
        schemas.insert(
            format!("Item{i}"),
            json!({ "type": "object", "required": required, "properties": item }),
        );
        schemas.insert(
            format!("Envelope{i}"),
            json!({
                "type": "object",
                "required": ["code"],
                "properties": {
                    "code": { "type": "integer", "format": "int64" },
                    "message": { "type": "string", "nullable": true },
                    "data": { "type": "array", "items": { "$ref": format!("#/components/schemas/Item{i}") } },
                },
            }),
        );
        let mut body = Map::new();
        for f in 0..8 {
            body.insert(
                format!("body_field_{f}"),
                openapi_scalar(SCALARS[f % SCALARS.len()]),
            );
        }
        schemas.insert(
            format!("Operation{i}Body"),
            json!({ "type": "object", "required": ["body_field_0", "body_field_1", "body_field_2"], "properties": body }),
        );
        paths.insert(
            format!("/v1/operation/{i}"),
            json!({ "post": {
                "operationId": format!("operation_{i}"),
                "requestBody": { "required": true, "content": { "application/json": {
                    "schema": { "$ref": format!("#/components/schemas/Operation{i}Body") } } } },
                "responses": { "200": { "description": "OK", "content": { "application/json": {
                    "schema": { "$ref": format!("#/components/schemas/Envelope{i}") } } } } },
            } }),
        );
    }
    let doc: Value = json!({
        "openapi": "3.0.3",
        "info": { "title": "Synthetic", "version": "1.0.0" },
        "servers": [{ "url": "https://api.example.com" }],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": { "apiKey": { "type": "apiKey", "in": "header", "name": "X-Api-Key" } },
        },
        "security": [{ "apiKey": [] }],
    });
    serde_json::to_string_pretty(&doc).unwrap_or_default()
}
