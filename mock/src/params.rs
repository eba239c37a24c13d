//! Parameter checks: required, unknown names, types and bounds, fixed values, where the spec
//! puts each parameter (path segment, header, query string, form body, JSON body).

use codegen::ir::{Api, BodyEncoding, EndpointIr, ParamIr, ParamLocation, TypeExpr, ValueCheck};
use serde_json::Value as Json;

use crate::codes::Problem;

/// A request body as the checks see it.
pub(crate) enum Body {
    None,
    Form(Vec<(String, String)>),
    Json(Json),
    /// Declared JSON (or form) but unreadable.
    Invalid(String),
}

fn bad(name: &str, reason: impl Into<String>) -> Problem {
    Problem::BadParam {
        name: name.to_owned(),
        reason: reason.into(),
    }
}

/// Where a parameter travels: the query string, a form or a JSON body; `None` for the path and
/// headers, checked on their own.
fn travels_in(ep: &EndpointIr, p: &ParamIr) -> Option<BodyEncoding> {
    match p.location {
        ParamLocation::Query => Some(BodyEncoding::Query),
        ParamLocation::Body => Some(ep.body.unwrap_or(BodyEncoding::Json)),
        ParamLocation::Path | ParamLocation::Header => None,
    }
}

/// The request's path and headers, for the parameters that travel there.
pub(crate) struct PathAndHeaders<'a> {
    /// The path below the base path, as received (percent-encoded).
    pub(crate) path: &'a str,
    /// Lowercase header name → value.
    pub(crate) headers: &'a std::collections::BTreeMap<String, String>,
}

/// Path segments of `template` (`/orders/{id}`) matched against `path`: the `{name}` segments'
/// decoded values, or `None` when the path is not this template's.
pub(crate) fn match_path<'t>(template: &'t str, path: &str) -> Option<Vec<(&'t str, String)>> {
    let (want, got): (Vec<&str>, Vec<&str>) =
        (template.split('/').collect(), path.split('/').collect());
    if want.len() != got.len() {
        return None;
    }
    let mut values = Vec::new();
    for (w, g) in want.iter().zip(&got) {
        match w.strip_prefix('{').and_then(|n| n.strip_suffix('}')) {
            Some(name) if !g.is_empty() => values.push((
                name,
                percent_encoding::percent_decode_str(g)
                    .decode_utf8()
                    .ok()?
                    .into_owned(),
            )),
            Some(_) => return None,
            None if w == g => {}
            None => return None,
        }
    }
    Some(values)
}

/// Path and header parameters: present, of their type, equal to their fixed value.
fn check_path_and_headers(ep: &EndpointIr, at: &PathAndHeaders<'_>) -> Result<(), Problem> {
    let segments = match_path(&ep.path, at.path).unwrap_or_default();
    for p in &ep.params {
        let value = match p.location {
            ParamLocation::Path => segments
                .iter()
                .find(|(name, _)| *name == p.wire)
                .map(|(_, v)| v.as_str()),
            ParamLocation::Header => at
                .headers
                .get(&p.wire.to_ascii_lowercase())
                .map(String::as_str),
            _ => continue,
        };
        check_text(p, value.into_iter().collect())?;
    }
    Ok(())
}

/// Checks the request's parameters against `ep`. `auth_query` names the parameters (query, form or JSON) the
/// auth steps add (they are not the endpoint's).
pub(crate) fn check(
    api: &Api,
    ep: &EndpointIr,
    at: &PathAndHeaders<'_>,
    query: &[(String, String)],
    auth_query: &[&str],
    body: &Body,
) -> Result<(), Problem> {
    check_path_and_headers(ep, at)?;
    let declared = |enc: BodyEncoding| {
        ep.params
            .iter()
            .filter(move |p| travels_in(ep, p) == Some(enc))
    };
    for (name, _) in query {
        if !auth_query.contains(&name.as_str())
            && !declared(BodyEncoding::Query).any(|p| p.wire == *name)
        {
            return Err(bad(name, "not a parameter of this endpoint"));
        }
    }
    for p in declared(BodyEncoding::Query) {
        check_text(p, values_of(query, &p.wire))?;
    }
    match body {
        Body::Invalid(reason) => return Err(bad("body", reason.clone())),
        Body::Form(pairs) => {
            for (name, _) in pairs {
                if !auth_query.contains(&name.as_str())
                    && !declared(BodyEncoding::Form).any(|p| p.wire == *name)
                {
                    return Err(bad(name, "not a parameter of this endpoint"));
                }
            }
            for p in declared(BodyEncoding::Form) {
                check_text(p, values_of(pairs, &p.wire))?;
            }
        }
        Body::Json(v) => {
            let Json::Object(map) = v else {
                return Err(bad("body", "not a JSON object"));
            };
            for name in map.keys() {
                if !auth_query.contains(&name.as_str())
                    && !declared(BodyEncoding::Json).any(|p| p.wire == *name)
                {
                    return Err(bad(name, "not a parameter of this endpoint"));
                }
            }
            for p in declared(BodyEncoding::Json) {
                match map.get(&p.wire) {
                    None | Some(Json::Null) if p.required => {
                        return Err(bad(&p.wire, "required"));
                    }
                    None | Some(Json::Null) => {}
                    Some(v) => {
                        if let Some(c) = &p.const_value
                            && v.as_str() != Some(c.as_str())
                        {
                            return Err(bad(&p.wire, format!("must be the fixed value {c:?}")));
                        }
                        check_json(api, &p.wire, &p.ty, v, 0)?;
                        bounds(p, v.as_i64())?;
                    }
                }
            }
        }
        Body::None => {
            if let Some(p) = declared(BodyEncoding::Form)
                .chain(declared(BodyEncoding::Json))
                .find(|p| p.required)
            {
                return Err(bad(&p.wire, "required"));
            }
        }
    }
    Ok(())
}

fn bounds(p: &ParamIr, value: Option<i64>) -> Result<(), Problem> {
    let Some(v) = value else { return Ok(()) };
    if p.minimum.is_some_and(|m| v < m) || p.maximum.is_some_and(|m| v > m) {
        return Err(bad(&p.wire, "out of bounds"));
    }
    Ok(())
}

/// Every value of the pairs named `name`, in order.
fn values_of<'a>(pairs: &'a [(String, String)], name: &str) -> Vec<&'a str> {
    pairs
        .iter()
        .filter(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .collect()
}

/// A path, header, query or form parameter's values: one, or one per element of a list.
fn check_text(p: &ParamIr, values: Vec<&str>) -> Result<(), Problem> {
    if values.is_empty() {
        return if p.required {
            Err(bad(&p.wire, "required"))
        } else {
            Ok(())
        };
    }
    if let Some(c) = &p.const_value {
        return if values == [c.as_str()] {
            Ok(())
        } else {
            Err(bad(&p.wire, format!("must be the fixed value {c:?}")))
        };
    }
    let item = match &p.ty {
        TypeExpr::List(item) => item.as_ref(),
        one if values.len() == 1 => one,
        _ => return Err(bad(&p.wire, "repeated")),
    };
    for v in values {
        if !text_fits(item, v) {
            return Err(bad(&p.wire, "wrong type"));
        }
        bounds(p, v.parse().ok())?;
    }
    Ok(())
}

fn text_fits(ty: &TypeExpr, v: &str) -> bool {
    match ty {
        // The document inside the text: valid JSON (its shape is the client's business; the
        // generator wrote it from the type).
        TypeExpr::JsonText(_) => serde_json::from_str::<Json>(v).is_ok(),
        TypeExpr::Primitive(p) => text_passes(p.capabilities().check, v),
        TypeExpr::List(_) | TypeExpr::Map(_) | TypeExpr::Named(_) => true,
    }
}

/// A value written as text (a query value, a path segment) against the table's check.
fn text_passes(check: ValueCheck, v: &str) -> bool {
    match check {
        ValueCheck::Integer => v.parse::<i64>().is_ok(),
        ValueCheck::Boolean => matches!(v, "true" | "false"),
        ValueCheck::Decimal => is_decimal(v),
        ValueCheck::Date => v.parse::<jiff::civil::Date>().is_ok(),
        ValueCheck::DateTime => v
            .replacen(' ', "T", 1)
            .parse::<jiff::civil::DateTime>()
            .is_ok(),
        ValueCheck::Timestamp => v.parse::<jiff::Timestamp>().is_ok(),
        ValueCheck::Text | ValueCheck::Any => true,
    }
}

/// A JSON value of a primitive against the table's check.
fn json_passes(check: ValueCheck, v: &Json) -> bool {
    match (check, v) {
        (ValueCheck::Any, _) => true,
        (ValueCheck::Text, Json::String(_)) => true,
        (ValueCheck::Integer, Json::Number(n)) => n.is_i64() || n.is_u64(),
        (ValueCheck::Boolean, Json::Bool(_)) => true,
        (ValueCheck::Decimal, Json::Number(_)) => true,
        (ValueCheck::Decimal, Json::String(s)) => is_decimal(s),
        (ValueCheck::Date | ValueCheck::DateTime | ValueCheck::Timestamp, Json::String(s)) => {
            text_passes(check, s)
        }
        _ => false,
    }
}

fn is_decimal(v: &str) -> bool {
    let digits = v.strip_prefix('-').unwrap_or(v);
    let (int, frac) = digits.split_once('.').unwrap_or((digits, "0"));
    !int.is_empty()
        && !frac.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.bytes().all(|b| b.is_ascii_digit())
}

/// A JSON value against a type; named types are checked field by field (unknown keys refused).
fn check_json(api: &Api, at: &str, ty: &TypeExpr, v: &Json, depth: usize) -> Result<(), Problem> {
    if depth > 24 {
        return Err(bad(at, "nested too deeply"));
    }
    let ok = match (ty, v) {
        (TypeExpr::Primitive(p), v) => json_passes(p.capabilities().check, v),
        (TypeExpr::JsonText(inner), Json::String(text)) => {
            let Ok(doc) = serde_json::from_str::<Json>(text) else {
                return Err(bad(at, "not a JSON document inside the string"));
            };
            check_json(api, at, inner, &doc, depth + 1)?;
            true
        }
        (TypeExpr::List(item), Json::Array(items)) => {
            for (i, x) in items.iter().enumerate() {
                check_json(api, &format!("{at}[{i}]"), item, x, depth + 1)?;
            }
            true
        }
        (TypeExpr::Map(item), Json::Object(map)) => {
            for (k, x) in map {
                check_json(api, &format!("{at}.{k}"), item, x, depth + 1)?;
            }
            true
        }
        (TypeExpr::Named(name), Json::Object(map)) => {
            let Some(t) = api.types.iter().find(|t| t.name == *name) else {
                return Ok(());
            };
            for k in map.keys() {
                if !t.fields.iter().any(|f| f.wire == *k) {
                    return Err(bad(&format!("{at}.{k}"), "not a field of this type"));
                }
            }
            for f in &t.fields {
                match map.get(&f.wire) {
                    None | Some(Json::Null) if !f.optional => {
                        return Err(bad(&format!("{at}.{}", f.wire), "required"));
                    }
                    None | Some(Json::Null) => {}
                    Some(x) => check_json(api, &format!("{at}.{}", f.wire), &f.ty, x, depth + 1)?,
                }
            }
            true
        }
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(bad(at, "wrong type"))
    }
}
