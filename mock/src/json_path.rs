//! Dotted paths (`error.code`, `data.pagination.total_pages`) into JSON values.

use serde_json::{Map, Value};

/// Sets `path` in `root`, creating objects on the way (a non-object on the way is replaced).
pub(crate) fn set_path(root: &mut Value, path: &str, value: Value) {
    let mut at = root;
    let mut parts = path.split('.').peekable();
    while let Some(part) = parts.next() {
        if !at.is_object() {
            *at = Value::Object(Map::new());
        }
        let Value::Object(map) = at else { return };
        if parts.peek().is_none() {
            map.insert(part.to_owned(), value);
            return;
        }
        at = map.entry(part.to_owned()).or_insert(Value::Null);
    }
}

/// The value at `path`, if present.
pub(crate) fn get_path<'v>(root: &'v Value, path: &str) -> Option<&'v Value> {
    path.split('.').try_fold(root, |v, part| v.get(part))
}

/// JSON as the text the runtime binds (strings without quotes).
pub(crate) fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
