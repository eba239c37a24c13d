//! `mock_refusal` on error codes: which code the spec mock answers for each failure kind.
//!
//! Errors: a failure (a kind, or a kind for one step) declared on two codes, or on a success
//! code. Warnings ([`warnings`]): a failure kind the spec's auth makes likely (a signed step,
//! a time, a nonce, a token, a token request's inputs) that no code declares; the mock then
//! falls back to a code chosen by class and name, which may not be the one the vendor sends.

use std::collections::HashMap;

use serde_json::Value as Json;

use crate::diagnostics::Diagnostics;
use crate::spec::LoadedSpec;
use crate::spec::model::{ErrorClass, MockRefusal, MockRefusalRule};

/// Duplicate or misplaced declarations, as errors.
pub(super) fn check(loaded: &LoadedSpec, diags: &mut Diagnostics) {
    let mut seen: HashMap<(MockRefusal, Option<&str>), String> = HashMap::new();
    for (table, t) in &loaded.spec.error_codes {
        for (i, code) in t.codes.iter().enumerate() {
            for (j, rule) in code.mock_refusal.iter().enumerate() {
                let path = format!("error_codes.{table}.codes[{i}].mock_refusal[{j}]");
                if code.class == ErrorClass::Success {
                    diags.push(
                        &loaded.path,
                        loaded.node.locate(&path),
                        &path,
                        "a success code cannot answer a refusal",
                    );
                }
                if let Some(other) = seen.insert((rule.kind(), rule.step()), path.clone()) {
                    diags.push(
                        &loaded.path,
                        loaded.node.locate(&path),
                        &path,
                        format!("{} is already declared at {other}", describe(rule)),
                    );
                }
            }
        }
    }
}

fn describe(rule: &MockRefusalRule) -> String {
    match rule.step() {
        Some(step) => format!("`{}` for `{step}`", rule.kind().as_str()),
        None => format!("`{}`", rule.kind().as_str()),
    }
}

/// The failure kinds this spec's auth can produce that no error code declares.
pub fn warnings(loaded: &LoadedSpec) -> Diagnostics {
    let spec = &loaded.spec;
    let mut likely = Vec::new();
    let auth = serde_json::to_value(&spec.auth).unwrap_or(Json::Null);
    // A step that only carries the token is refused as `unknown_token`; any other step can be
    // missing or wrong.
    let carries_only_token = |step: &Json| {
        step.get("value")
            .and_then(Json::as_str)
            .is_some_and(|t| t.contains("{access_token}"))
    };
    let steps = auth.get("apply").and_then(Json::as_array);
    if steps.is_some_and(|s| s.iter().any(|s| !carries_only_token(s))) {
        likely.push(MockRefusal::Missing);
        likely.push(MockRefusal::BadSignature);
    }
    if has_key(&auth, &["now", "time"]) {
        likely.push(MockRefusal::StaleTime);
    }
    if has_key(&auth, &["random_digits"]) {
        likely.push(MockRefusal::ReplayedNonce);
    }
    if let Some(token) = &spec.auth.token {
        if !spec.auth.apply.is_empty() {
            likely.push(MockRefusal::UnknownToken);
        }
        if token.grants.values().any(|g| !g.inputs.is_empty()) {
            likely.push(MockRefusal::BadGrant);
        }
        if !token.grants.is_empty() {
            likely.push(MockRefusal::BadClient);
        }
    }
    let declared: Vec<MockRefusal> = spec
        .error_codes
        .values()
        .flat_map(|t| &t.codes)
        .flat_map(|c| &c.mock_refusal)
        .map(MockRefusalRule::kind)
        .collect();
    let mut out = Diagnostics::default();
    let at = if spec.error_codes.is_empty() {
        ""
    } else {
        "error_codes"
    };
    for kind in likely {
        if !declared.contains(&kind) {
            out.push_warning(
                &loaded.path,
                loaded.node.locate(at),
                at,
                format!(
                    "no error code declares `mock_refusal: [{}]`: the spec mock will choose a code by class and name for this failure",
                    kind.as_str()
                ),
            );
        }
    }
    out
}

/// Whether a JSON tree has an object key among `keys` (value operations are such keys).
fn has_key(v: &Json, keys: &[&str]) -> bool {
    match v {
        Json::Object(map) => map
            .iter()
            .any(|(k, v)| keys.contains(&k.as_str()) || has_key(v, keys)),
        Json::Array(items) => items.iter().any(|v| has_key(v, keys)),
        _ => false,
    }
}
