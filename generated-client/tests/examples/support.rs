//! Helpers for the generated example tests (`*_examples.rs`).

use serde_json::Value;

/// The JSON value at a dotted path of an example (`""` for the whole example).
/// Parsed through a JSON tree, so a repeated key keeps its last value.
pub fn json_at(text: &str, dotted: &str) -> Value {
    let mut value: Value = serde_json::from_str(text).expect("the example is valid JSON");
    for key in dotted.split('.').filter(|k| !k.is_empty()) {
        value = value.get(key).cloned().unwrap_or(Value::Null);
    }
    value
}

/// Asserts that decoding kept the example's structure: every key of the example
/// is in the decoded value and the decoded value invents no key the example
/// lacks (a null may stand for an absent key). Scalars are not compared: the
/// types legitimately normalise them (`"5"` → `5`, date formats).
pub fn assert_same_shape<T: serde::Serialize>(example: &Value, decoded: &T) {
    let decoded = serde_json::to_value(decoded).expect("decoded values serialize");
    let mut problems = Vec::new();
    compare(example, &decoded, "$", &mut problems);
    assert!(
        problems.is_empty(),
        "decoded value differs from the example:\n{}",
        problems.join("\n")
    );
}

fn compare(example: &Value, decoded: &Value, path: &str, problems: &mut Vec<String>) {
    match (example, decoded) {
        (Value::Object(e), Value::Object(d)) => {
            for (k, v) in e {
                match d.get(k) {
                    Some(dv) => compare(v, dv, &format!("{path}.{k}"), problems),
                    None if v.is_null() => {}
                    None => problems.push(format!(
                        "{path}.{k}: in the example, lost by the decoded type"
                    )),
                }
            }
            for (k, v) in d {
                if !e.contains_key(k) && !v.is_null() {
                    problems.push(format!("{path}.{k}: not in the example"));
                }
            }
        }
        (Value::Array(e), Value::Array(d)) => {
            if e.len() != d.len() {
                problems.push(format!(
                    "{path}: {} items in the example, {} decoded",
                    e.len(),
                    d.len()
                ));
            }
            for (i, (ev, dv)) in e.iter().zip(d).enumerate() {
                compare(ev, dv, &format!("{path}[{i}]"), problems);
            }
        }
        (Value::Object(_) | Value::Array(_), other) if !other.is_null() => {
            problems.push(format!("{path}: structure changed to {other}"));
        }
        _ => {}
    }
}
