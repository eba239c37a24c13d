//! Helpers for the generated example tests (`*_examples.rs`).

use serde_json::Value;

/// The JSON value at a dotted path of an example (`""` for the whole example).
/// Parsed through a JSON tree, so a repeated key keeps its last value.
pub fn json_at(text: &str, dotted: &str) -> Value {
    let mut value: Value = serde_json::from_str(text).expect("the example is valid JSON");
    for key in dotted.split('.').filter(|k| !k.is_empty()) {
        // A missing key would hand `null` to the shape check, which then checks nothing.
        value = value
            .get(key)
            .cloned()
            .unwrap_or_else(|| panic!("the example has no `{dotted}`"));
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
        // Decoding to `null` (or a scalar) what the example has as an object or a list loses it.
        (Value::Object(_) | Value::Array(_), other) => {
            problems.push(format!("{path}: structure changed to {other}"));
        }
        _ => {}
    }
}

/// The shape check itself: it must fail on the losses it exists to catch.
mod shape_check {
    use super::*;
    use serde_json::json;

    fn fails(example: Value, decoded: Value) -> bool {
        std::panic::catch_unwind(|| assert_same_shape(&example, &decoded)).is_err()
    }

    #[test]
    fn losses_are_caught_and_normalised_scalars_are_not() {
        let example = json!({"a": {"b": 1}, "list": [1, 2], "n": "5"});
        assert!(!fails(
            example.clone(),
            json!({"a": {"b": 1}, "list": [1, 2], "n": 5})
        ));
        assert!(fails(
            example.clone(),
            json!({"a": null, "list": [1, 2], "n": 5})
        ));
        assert!(fails(
            example.clone(),
            json!({"a": {"b": 1}, "list": [1], "n": 5})
        ));
        assert!(fails(example.clone(), json!({"list": [1, 2], "n": 5})));
        assert!(fails(
            example,
            json!({"a": {"b": 1}, "list": [1, 2], "n": 5, "x": 1})
        ));
        assert!(std::panic::catch_unwind(|| json_at(r#"{"data":{}}"#, "dta")).is_err());
        assert_eq!(json_at(r#"{"data":{"k":[1]}}"#, "data.k"), json!([1]));
    }
}
