//! JSON Schemas (OpenAPI 3.1 dialect) of the spec's types, fields and envelope.

use serde_json::{Map, Value, json};

use crate::spec::model::{Code, Envelope, Field, Param, SuccessRule, TypeDef, WireFormat};
use crate::validate::types::{Primitive, TypeExpr};

pub fn type_ref(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

/// The schema of a `type:` expression. `wire` and `lenient` are the field's options.
pub fn of_type(ty: &str, wire: Option<WireFormat>, lenient: bool) -> Value {
    match TypeExpr::parse(ty) {
        Ok(parsed) => of_expr(&parsed, wire, lenient),
        // Only valid specs are exported; keep any text visible rather than panic.
        Err(_) => json!({ "x-spec-type": ty }),
    }
}

fn of_expr(ty: &TypeExpr, wire: Option<WireFormat>, lenient: bool) -> Value {
    let lenient_note = "Numbers and booleans may also arrive as JSON strings (\"5\").";
    let mut schema = match ty {
        TypeExpr::Primitive(p) => (p.capabilities().schema)(wire.unwrap_or(WireFormat::String)),
        TypeExpr::List(inner) => json!({ "type": "array", "items": of_expr(inner, wire, lenient) }),
        TypeExpr::Map(inner) => {
            json!({ "type": "object", "additionalProperties": of_expr(inner, wire, lenient) })
        }
        TypeExpr::JsonText(inner) => json!({
            "type": "string",
            "contentMediaType": "application/json",
            "contentSchema": of_expr(inner, wire, lenient),
        }),
        TypeExpr::Named(name) => type_ref(name),
    };
    if lenient
        && ty.is_lenient_capable()
        && let Some(obj) = schema.as_object_mut()
    {
        let base = obj.get("type").cloned().unwrap_or(Value::Null);
        obj.insert("type".into(), json!([base, "string"]));
        obj.remove("pattern");
        obj.insert("x-lenient".into(), json!(lenient_note));
    }
    schema
}

/// `{anyOf: [schema, null]}` when the value may be `null`.
fn nullable(schema: Value, yes: bool) -> Value {
    if yes {
        json!({ "anyOf": [schema, { "type": "null" }] })
    } else {
        schema
    }
}

/// Adds `description` (the document's text), `x-note` (the maintainer's) and
/// `x-document-lines` (provenance) to a schema.
pub fn describe(
    mut schema: Value,
    doc: Option<&str>,
    note: Option<&str>,
    lines: &[usize],
) -> Value {
    if let Some(obj) = schema.as_object_mut() {
        if let Some(d) = doc {
            obj.insert("description".into(), json!(d));
        }
        if let Some(n) = note {
            obj.insert("x-note".into(), json!(n));
        }
        if !lines.is_empty() {
            obj.insert("x-document-lines".into(), json!(lines));
        }
    }
    schema
}

pub fn field(f: &Field, lines: &[usize]) -> Value {
    let schema = of_type(&f.ty, f.wire, f.lenient);
    let mut schema = describe(schema, f.doc.as_deref(), f.note.as_deref(), lines);
    if let (Some(dt), Some(obj)) = (&f.document_type, schema.as_object_mut()) {
        obj.insert("x-document-type".into(), json!(dt));
    }
    // `$ref` siblings are allowed in 3.1; nullability wraps the described schema.
    nullable(schema, f.nullable)
}

fn default_fits(ty: &str, value: &Value) -> bool {
    match TypeExpr::parse(ty) {
        Ok(TypeExpr::Primitive(Primitive::Date)) => value.as_str().is_some_and(|s| {
            s.len() == 10
                && s.char_indices().all(|(i, c)| {
                    if i == 4 || i == 7 {
                        c == '-'
                    } else {
                        c.is_ascii_digit()
                    }
                })
        }),
        Ok(TypeExpr::Primitive(Primitive::Integer)) => value.is_i64(),
        Ok(TypeExpr::Primitive(Primitive::Boolean)) => value.is_boolean(),
        Ok(TypeExpr::Primitive(Primitive::String)) => value.is_string(),
        Ok(_) => true,
        Err(_) => false,
    }
}

pub fn param(p: &Param, lines: &[usize]) -> Value {
    let mut schema = of_type(p.type_text(), p.wire, false);
    if let Some(obj) = schema.as_object_mut() {
        if let Some(c) = &p.const_value {
            obj.insert("const".into(), json!(c));
        }
        if let Some(d) = &p.default {
            // A default that is not a value of the type (erp's `day` defaults to
            // "1", doc_gaps.day_default) is kept as the document states it, apart.
            let key = if default_fits(p.type_text(), d) {
                "default"
            } else {
                "x-document-default"
            };
            obj.insert(key.into(), d.clone());
        }
        if let Some(min) = p.minimum {
            obj.insert("minimum".into(), json!(min));
        }
        if let Some(max) = p.maximum {
            obj.insert("maximum".into(), json!(max));
        }
        if let Some(dt) = &p.document_type {
            obj.insert("x-document-type".into(), json!(dt));
        }
    }
    describe(schema, None, p.note.as_deref(), lines)
}

/// An object schema of fields keyed by wire name; required = not `optional`.
pub fn object<'a>(
    fields: impl Iterator<Item = (&'a String, &'a Field)>,
    lines: impl Fn(&str) -> Vec<usize>,
) -> Value {
    let mut props = Map::new();
    let mut required = Vec::new();
    for (name, f) in fields {
        props.insert(name.clone(), field(f, &lines(name)));
        if !f.optional {
            required.push(json!(name));
        }
    }
    let mut schema = json!({ "type": "object", "properties": props });
    if !required.is_empty() {
        schema["required"] = Value::Array(required);
    }
    schema
}

pub fn type_def(
    ty: &TypeDef,
    type_lines: &[usize],
    field_lines: impl Fn(&str) -> Vec<usize>,
) -> Value {
    let schema = object(ty.fields.iter(), field_lines);
    describe(schema, ty.doc.as_deref(), ty.note.as_deref(), type_lines)
}

/// Puts `value` at a dotted path (`error.code`) inside an object schema.
fn insert_at(schema: &mut Value, path: &str, value: Value, required: bool) {
    let mut node = schema;
    let mut segments = path.split('.').peekable();
    while let Some(seg) = segments.next() {
        if node.get("properties").is_none() {
            node["type"] = json!("object");
            node["properties"] = json!({});
        }
        if required {
            let list = node
                .as_object_mut()
                .map(|o| o.entry("required").or_insert_with(|| json!([])));
            if let Some(Value::Array(list)) = list
                && !list.iter().any(|v| v == seg)
            {
                list.push(json!(seg));
            }
        }
        let props = &mut node["properties"];
        if segments.peek().is_none() {
            props[seg] = value;
            return;
        }
        if props.get(seg).is_none() {
            props[seg] = json!({ "type": "object", "properties": {} });
        }
        node = &mut props[seg];
    }
}

fn code_schema(codes: &[Code]) -> Value {
    let ints = codes.iter().all(|c| matches!(c, Code::Int(_)));
    if ints {
        json!({ "type": "integer" })
    } else {
        json!({ "type": ["string", "integer"] })
    }
}

/// The envelope of a successful response, with `data` described by `data`.
pub fn envelope_success(env: &Envelope, data: Value, all_codes: &[Code]) -> Value {
    let mut schema = json!({ "type": "object", "properties": {} });
    match &env.success {
        SuccessRule::CodeIn(ok) => {
            if let Some(code) = &env.code {
                let values: Vec<Value> = ok
                    .iter()
                    .map(|c| match c {
                        Code::Int(n) => json!(n),
                        Code::Str(s) => json!(s),
                    })
                    .collect();
                let mut s = code_schema(all_codes);
                s["enum"] = Value::Array(values);
                insert_at(&mut schema, code, s, true);
            }
        }
        SuccessRule::FieldTrue(f) => insert_at(&mut schema, f, json!({ "const": true }), true),
    }
    common(env, &mut schema);
    insert_at(&mut schema, &env.data, data, false);
    schema
}

/// The envelope of an error response (`data` is absent or null).
pub fn envelope_error(env: &Envelope, all_codes: &[Code]) -> Value {
    let mut schema = json!({ "type": "object", "properties": {} });
    if let SuccessRule::FieldTrue(f) = &env.success {
        insert_at(&mut schema, f, json!({ "const": false }), true);
    }
    if let Some(code) = &env.code {
        insert_at(&mut schema, code, code_schema(all_codes), false);
    }
    common(env, &mut schema);
    if let Some(d) = &env.details {
        let mut properties = serde_json::Map::new();
        properties.insert(d.field.clone(), json!({ "type": "string" }));
        properties.insert(d.message.clone(), json!({ "type": "string" }));
        let item = json!({ "type": "object", "properties": properties });
        insert_at(
            &mut schema,
            &d.path,
            json!({ "type": "array", "items": item }),
            false,
        );
    }
    schema
}

fn common(env: &Envelope, schema: &mut Value) {
    for m in &env.message {
        insert_at(schema, m, json!({ "type": ["string", "null"] }), false);
    }
    for e in &env.extra {
        insert_at(
            schema,
            e,
            json!({ "x-kept-as-extra": "Kept by the client on every response and error." }),
            false,
        );
    }
}
