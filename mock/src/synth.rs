//! Successful answers: the document's own example where the spec has one, otherwise a value
//! synthesised from the response type (deterministic: the same spec gives the same answer).

use codegen::ir::{Api, EndpointIr, ParsesAs, SuccessRule, TypeExpr, WireFormat};
use serde_json::{Map, Value as Json, json};

use crate::json_path::{get_path, set_path};

/// Named types nest at most this deep in a synthesised value (a recursive type stops here).
const MAX_DEPTH: usize = 8;

/// A deterministic value of `ty`.
pub(crate) fn synth(api: &Api, ty: &TypeExpr, wire: WireFormat, depth: usize) -> Json {
    match ty {
        TypeExpr::Primitive(p) => (p.capabilities().sample)(wire),
        TypeExpr::JsonText(inner) => json!(synth(api, inner, wire, depth + 1).to_string()),
        TypeExpr::List(item) if depth < MAX_DEPTH => json!([synth(api, item, wire, depth + 1)]),
        TypeExpr::List(_) => json!([]),
        TypeExpr::Map(item) if depth < MAX_DEPTH => {
            json!({ "key": synth(api, item, wire, depth + 1) })
        }
        TypeExpr::Map(_) => json!({}),
        TypeExpr::Named(name) => {
            let mut out = Map::new();
            if let Some(t) = api.types.iter().find(|t| t.name == *name)
                && depth < MAX_DEPTH
            {
                for f in &t.fields {
                    out.insert(f.wire.clone(), synth(api, &f.ty, f.wire_format, depth + 1));
                }
            }
            Json::Object(out)
        }
    }
}

/// Whether a whole response body is a success by the spec's envelope.
pub(crate) fn is_success(api: &Api, body: &Json) -> bool {
    let Some(env) = &api.envelope else {
        return true;
    };
    match &env.success {
        SuccessRule::FieldTrue(f) => get_path(body, f) == Some(&Json::Bool(true)),
        SuccessRule::CodeIn(codes) => {
            let Some(got) = env.code.as_deref().and_then(|p| get_path(body, p)) else {
                return false;
            };
            codes.iter().any(|c| match c {
                codegen::ir::Code::Int(i) => got.as_i64() == Some(*i),
                codegen::ir::Code::Str(s) => got.as_str() == Some(s.as_str()),
            })
        }
    }
}

/// `data` in the spec's success envelope.
pub(crate) fn wrap(api: &Api, data: Json) -> Json {
    let Some(env) = &api.envelope else {
        return data;
    };
    // A nested result wraps the data first; the envelope then carries it (as text when the
    // spec says `json_text`).
    let data = match &env.nested {
        Some(n) => {
            let inner = success_body(&n.success, n.code.as_deref(), &n.message, &n.data, data);
            if n.json_text {
                json!(inner.to_string())
            } else {
                inner
            }
        }
        None => data,
    };
    success_body(
        &env.success,
        env.code.as_deref(),
        &env.message,
        &env.data,
        data,
    )
}

/// A successful result: its success flag or first success code, a message, the data.
fn success_body(
    success: &SuccessRule,
    code: Option<&str>,
    message: &[String],
    data_path: &str,
    data: Json,
) -> Json {
    let mut body = json!({});
    match success {
        SuccessRule::FieldTrue(f) => set_path(&mut body, f, json!(true)),
        SuccessRule::CodeIn(codes) => {
            if let (Some(path), Some(code)) = (code, codes.first()) {
                let v = match code {
                    codegen::ir::Code::Int(i) => json!(i),
                    codegen::ir::Code::Str(s) => json!(s),
                };
                set_path(&mut body, path, v);
            }
        }
    }
    if let Some(m) = message.first() {
        set_path(&mut body, m, json!("ok"));
    }
    set_path(&mut body, data_path, data);
    body
}

/// The document's successful example of this endpoint's response, if it has one.
fn example(api: &Api, ep: &EndpointIr) -> Option<Json> {
    api.examples.iter().find_map(|ex| match &ex.parses_as {
        Some(ParsesAs::Response(name)) if *name == ep.method_name => {
            serde_json::from_str::<Json>(&ex.normalized)
                .ok()
                .filter(|body| is_success(api, body))
        }
        _ => None,
    })
}

/// The successful answer to a call of `ep`, with `total_pages` pages for a paginated one.
pub(crate) fn success(api: &Api, ep: &EndpointIr, total_pages: u32) -> Json {
    let mut body = example(api, ep).unwrap_or_else(|| {
        let data = match &ep.response {
            Some(ty) => synth(api, ty, WireFormat::String, 0),
            None => json!({}),
        };
        wrap(api, data)
    });
    if let (Some(p), Some(TypeExpr::Named(root))) = (&ep.pagination, &ep.response)
        && let Some(wire) = wire_path(api, root, &p.total_pages_path)
    {
        let at = match &api.envelope {
            Some(env) => format!("{}.{wire}", env.data),
            None => wire,
        };
        set_path(&mut body, &at, json!(total_pages));
    }
    body
}

/// Rust field names within `root` turned into the wire's dotted path.
fn wire_path(api: &Api, root: &str, rust: &[String]) -> Option<String> {
    let mut ty = root.to_owned();
    let mut wire = Vec::new();
    for name in rust {
        let t = api.types.iter().find(|t| t.name == ty)?;
        let f = t.fields.iter().find(|f| f.rust == *name)?;
        wire.push(f.wire.clone());
        if let TypeExpr::Named(next) = &f.ty {
            ty = next.clone();
        }
    }
    Some(wire.join("."))
}
