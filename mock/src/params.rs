//! Parameter checks: required, unknown names, types and bounds, where the spec puts each
//! parameter (query string, form body, JSON body).

use codegen::ir::{Api, BodyEncoding, EndpointIr, ParamIr, ParamLocation, TypeExpr};
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

/// Where a parameter travels.
fn travels_in(ep: &EndpointIr, p: &ParamIr) -> BodyEncoding {
    match p.location {
        ParamLocation::Query => BodyEncoding::Query,
        ParamLocation::Body => ep.body.unwrap_or(BodyEncoding::Json),
    }
}

/// Checks the request's parameters against `ep`. `auth_query` names the parameters (query, form or JSON) the
/// auth steps add (they are not the endpoint's).
pub(crate) fn check(
    api: &Api,
    ep: &EndpointIr,
    query: &[(String, String)],
    auth_query: &[&str],
    body: &Body,
) -> Result<(), Problem> {
    let declared = |enc: BodyEncoding| ep.params.iter().filter(move |p| travels_in(ep, p) == enc);
    for (name, _) in query {
        if !auth_query.contains(&name.as_str())
            && !declared(BodyEncoding::Query).any(|p| p.wire == *name)
        {
            return Err(bad(name, "not a parameter of this endpoint"));
        }
    }
    for p in declared(BodyEncoding::Query) {
        check_text(
            p,
            query
                .iter()
                .find(|(k, _)| *k == p.wire)
                .map(|(_, v)| v.as_str()),
        )?;
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
                check_text(
                    p,
                    pairs
                        .iter()
                        .find(|(k, _)| *k == p.wire)
                        .map(|(_, v)| v.as_str()),
                )?;
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

/// A query or form value.
fn check_text(p: &ParamIr, value: Option<&str>) -> Result<(), Problem> {
    let Some(v) = value else {
        return if p.required {
            Err(bad(&p.wire, "required"))
        } else {
            Ok(())
        };
    };
    if !text_fits(&p.ty, v) {
        return Err(bad(&p.wire, "wrong type"));
    }
    bounds(p, v.parse().ok())
}

fn text_fits(ty: &TypeExpr, v: &str) -> bool {
    match ty {
        TypeExpr::Integer | TypeExpr::UnixSeconds | TypeExpr::UnixMillis => {
            v.parse::<i64>().is_ok()
        }
        TypeExpr::Boolean => matches!(v, "true" | "false"),
        TypeExpr::Decimal => is_decimal(v),
        TypeExpr::Date => v.parse::<jiff::civil::Date>().is_ok(),
        TypeExpr::DateTime => v
            .replacen(' ', "T", 1)
            .parse::<jiff::civil::DateTime>()
            .is_ok(),
        TypeExpr::Timestamp => v.parse::<jiff::Timestamp>().is_ok(),
        TypeExpr::String
        | TypeExpr::Secret
        | TypeExpr::Json
        | TypeExpr::List(_)
        | TypeExpr::Map(_)
        | TypeExpr::Named(_) => true,
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
        (TypeExpr::String | TypeExpr::Secret, Json::String(_)) => true,
        (TypeExpr::Integer | TypeExpr::UnixSeconds | TypeExpr::UnixMillis, Json::Number(n)) => {
            n.is_i64() || n.is_u64()
        }
        (TypeExpr::Boolean, Json::Bool(_)) => true,
        (TypeExpr::Decimal, Json::Number(_)) => true,
        (TypeExpr::Decimal, Json::String(s)) => is_decimal(s),
        (TypeExpr::Date | TypeExpr::DateTime | TypeExpr::Timestamp, Json::String(s)) => {
            text_fits(ty, s)
        }
        (TypeExpr::Json, _) => true,
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
