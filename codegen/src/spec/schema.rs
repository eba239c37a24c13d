//! Structural check of a spec against the JSON Schema derived from the model.
//!
//! serde stops at the first problem; this walk reports all of them (unknown
//! keys, missing keys, wrong kinds, bad enum values) with their positions.
//! It understands the subset of JSON Schema that `schemars` emits for
//! [`crate::spec::model`]: `$ref`, `type`, `properties`, `required`,
//! `additionalProperties`, `items`, `enum`, `const`, `oneOf`/`anyOf`,
//! `minimum`/`maximum`.

use serde_json::{Map, Value};

use crate::diagnostics::Loc;
use crate::spec::model::Spec;
use crate::spec::yaml::{Node, NodeKind};

/// The spec format's JSON Schema, as published in `specs/spec.schema.json`.
/// Derived once per process: every spec load walks it.
pub fn spec_schema() -> &'static Value {
    static SCHEMA: std::sync::LazyLock<Value> =
        std::sync::LazyLock::new(|| schemars::schema_for!(Spec).as_value().clone());
    &SCHEMA
}

/// A structural problem at a spec path.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// Where in the file: the offending key or value.
    pub loc: Loc,
    /// The spec path, e.g. `endpoints.get_order.params.erpNo.type`.
    pub path: String,
    /// What is wrong, and what the schema allows there.
    pub message: String,
}

/// Checks `node` against the spec schema; returns every problem found.
pub fn check(node: &Node, schema: &Value) -> Vec<Problem> {
    // Borrowed, not cloned: cloning the whole schema cost more than checking a small spec.
    let empty = Map::new();
    let defs = schema
        .get("$defs")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let mut walker = Walker {
        defs,
        problems: Vec::new(),
    };
    walker.walk(node, schema, "");
    walker.problems
}

struct Walker<'a> {
    defs: &'a Map<String, Value>,
    problems: Vec<Problem>,
}

impl Walker<'_> {
    fn report(&mut self, loc: Loc, path: &str, message: String) {
        self.problems.push(Problem {
            loc,
            path: path.to_owned(),
            message,
        });
    }

    fn walk(&mut self, node: &Node, schema: &Value, path: &str) {
        let schema = resolve(self.defs, schema);
        match schema.as_bool() {
            Some(true) => return, // the `true` schema accepts anything
            Some(false) => {
                self.report(node.loc, path, "no value is allowed here".to_owned());
                return;
            }
            None => {}
        }
        if let Some(branches) = schema
            .get("oneOf")
            .or_else(|| schema.get("anyOf"))
            .and_then(Value::as_array)
        {
            self.walk_alternatives(node, branches, path);
            return;
        }
        if let Some(allowed) = schema.get("enum").and_then(Value::as_array) {
            if !allowed.iter().any(|a| matches_json(node, a)) {
                let names: Vec<String> = allowed.iter().map(render_json).collect();
                self.report(
                    node.loc,
                    path,
                    format!(
                        "expected one of {}, found {}",
                        names.join(", "),
                        render_node(node)
                    ),
                );
            }
            return;
        }
        if let Some(constant) = schema.get("const") {
            if !matches_json(node, constant) {
                self.report(
                    node.loc,
                    path,
                    format!(
                        "expected {}, found {}",
                        render_json(constant),
                        render_node(node)
                    ),
                );
            }
            return;
        }
        if !self.kind_ok(node, schema, path) {
            return;
        }
        match &node.kind {
            NodeKind::Map(entries) => self.walk_object(node, entries, schema, path),
            NodeKind::Seq(items) => {
                if let Some(item_schema) = schema.get("items") {
                    for (i, item) in items.iter().enumerate() {
                        self.walk(item, item_schema, &format!("{path}[{i}]"));
                    }
                }
            }
            NodeKind::Int(v) => {
                let v = *v as f64;
                if let Some(min) = schema
                    .get("minimum")
                    .and_then(Value::as_f64)
                    .filter(|m| v < *m)
                {
                    self.report(node.loc, path, format!("must be at least {min}"));
                }
                if let Some(max) = schema
                    .get("maximum")
                    .and_then(Value::as_f64)
                    .filter(|m| v > *m)
                {
                    self.report(node.loc, path, format!("must be at most {max}"));
                }
            }
            _ => {}
        }
    }

    /// Checks the node's kind against `type`; reports and returns false on a mismatch.
    fn kind_ok(&mut self, node: &Node, schema: &Value, path: &str) -> bool {
        let types: Vec<&str> = match schema.get("type") {
            Some(Value::String(t)) => vec![t.as_str()],
            Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
            _ => return true,
        };
        let ok = types.iter().any(|t| {
            matches!(
                (*t, &node.kind),
                ("null", NodeKind::Null)
                    | ("boolean", NodeKind::Bool(_))
                    | ("integer", NodeKind::Int(_))
                    | ("number", NodeKind::Int(_) | NodeKind::Float(_))
                    | ("string", NodeKind::Str(_))
                    | ("array", NodeKind::Seq(_))
                    | ("object", NodeKind::Map(_))
            )
        });
        if !ok {
            let expected: Vec<&str> = types.iter().map(|t| describe_type(t)).collect();
            self.report(
                node.loc,
                path,
                format!(
                    "expected {}, found {}",
                    expected.join(" or "),
                    render_node(node)
                ),
            );
        }
        ok
    }

    fn walk_object(
        &mut self,
        node: &Node,
        entries: &[(crate::spec::yaml::Key, Node)],
        schema: &Value,
        path: &str,
    ) {
        let empty = Map::new();
        let properties = schema
            .get("properties")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        let additional = schema.get("additionalProperties");
        for (key, value) in entries {
            let child = join(path, &key.name);
            if let Some(prop) = properties.get(&key.name) {
                self.walk(value, prop, &child);
            } else {
                match additional {
                    Some(Value::Bool(false)) => {
                        let mut known: Vec<&str> = properties.keys().map(String::as_str).collect();
                        known.sort_unstable();
                        let hint = if key.name.contains(' ') {
                            " (a comma inside `{ … }` ends the value: quote text that contains one, `note: \"a, b\"`)".to_owned()
                        } else {
                            closest(&key.name, &known)
                                .map(|k| format!(" (did you mean `{k}`?)"))
                                .unwrap_or_default()
                        };
                        self.report(
                            key.loc,
                            &child,
                            format!(
                                "unknown key `{}`{hint}; expected one of: {}",
                                key.name,
                                known.join(", ")
                            ),
                        );
                    }
                    Some(extra @ Value::Object(_)) => self.walk(value, extra, &child),
                    _ => {}
                }
            }
        }
        if let Some(required) = schema.get("required").and_then(Value::as_array) {
            for name in required.iter().filter_map(Value::as_str) {
                if !entries.iter().any(|(k, _)| k.name == name) {
                    self.report(node.loc, path, format!("missing required key `{name}`"));
                }
            }
        }
    }

    /// `oneOf`/`anyOf`: passes if any branch passes; otherwise reports the
    /// errors of the branch the author most plausibly meant.
    fn walk_alternatives(&mut self, node: &Node, branches: &[Value], path: &str) {
        let mut attempts: Vec<Vec<Problem>> = Vec::new();
        for branch in branches {
            let mut sub = Walker {
                defs: self.defs,
                problems: Vec::new(),
            };
            sub.walk(node, branch, path);
            if sub.problems.is_empty() {
                return;
            }
            attempts.push(sub.problems);
        }
        // Enums of serde's default (external) tagging: unit variants are string
        // constants, the others mappings with a single key. Name the variants.
        let resolved: Vec<&Value> = branches.iter().map(|b| resolve(self.defs, b)).collect();
        let object_tags: Vec<Option<String>> =
            resolved.iter().map(|b| single_required(b)).collect();
        let is_variant_enum = resolved
            .iter()
            .zip(&object_tags)
            .all(|(b, tag)| tag.is_some() || b.get("const").is_some());
        if is_variant_enum {
            let names: Vec<String> = resolved
                .iter()
                .zip(&object_tags)
                .filter_map(|(b, tag)| {
                    tag.clone()
                        .or_else(|| b.get("const").and_then(Value::as_str).map(str::to_owned))
                })
                .map(|name| format!("`{name}`"))
                .collect();
            let list = names.join(", ");
            match &node.kind {
                NodeKind::Map(entries) if entries.len() == 1 => {
                    let key = &entries[0].0;
                    match object_tags
                        .iter()
                        .position(|t| t.as_deref() == Some(key.name.as_str()))
                    {
                        Some(i) => self.problems.extend(attempts.swap_remove(i)),
                        None => self.report(
                            key.loc,
                            &join(path, &key.name),
                            format!("unknown variant `{}`; expected one of: {list}", key.name),
                        ),
                    }
                }
                NodeKind::Str(v) => self.report(
                    node.loc,
                    path,
                    format!("unknown value `{v}`; expected one of: {list}"),
                ),
                _ => self.report(
                    node.loc,
                    path,
                    format!("expected one of: {list}, found {}", render_node(node)),
                ),
            }
            return;
        }
        if let NodeKind::Map(_) = &node.kind
            && let Some((tag, values)) = discriminator(&resolved)
        {
            match node.get(&tag) {
                Some(Node {
                    kind: NodeKind::Str(v),
                    loc,
                }) => match values.iter().position(|x| x == v) {
                    Some(i) => self.problems.extend(attempts.swap_remove(i)),
                    None => self.report(
                        *loc,
                        &join(path, &tag),
                        format!(
                            "unknown `{tag}` value `{v}`; expected one of: {}",
                            values.join(", ")
                        ),
                    ),
                },
                _ => self.report(
                    node.loc,
                    path,
                    format!(
                        "missing required key `{tag}` (one of: {})",
                        values.join(", ")
                    ),
                ),
            }
            return;
        }
        // Otherwise prefer a branch whose kind matched (its problems are deeper), then the fewest problems.
        let best = attempts.into_iter().min_by_key(|p| {
            (
                p.iter()
                    .any(|x| x.path == path && x.message.starts_with("expected")),
                p.len(),
            )
        });
        if let Some(problems) = best {
            let kinds_only = problems.iter().all(|p| p.path == path);
            if kinds_only {
                let expected: Vec<String> = branches
                    .iter()
                    .map(|b| describe_schema(resolve(self.defs, b), self.defs))
                    .collect();
                self.report(
                    node.loc,
                    path,
                    format!(
                        "expected {}, found {}",
                        expected.join(" or "),
                        render_node(node)
                    ),
                );
            } else {
                self.problems.extend(problems);
            }
        }
    }
}

fn resolve<'s>(defs: &'s Map<String, Value>, mut schema: &'s Value) -> &'s Value {
    // Bounded: a cyclic `$ref` chain without structure would be a schemars bug.
    for _ in 0..16 {
        let Some(target) = schema.get("$ref").and_then(Value::as_str) else {
            break;
        };
        match target
            .strip_prefix("#/$defs/")
            .and_then(|name| defs.get(name))
        {
            Some(def) => schema = def,
            None => break,
        }
    }
    schema
}

fn single_required(schema: &Value) -> Option<String> {
    let req = schema.get("required")?.as_array()?;
    let props = schema.get("properties")?.as_object()?;
    match (req.as_slice(), props.len()) {
        ([Value::String(name)], 1) => Some(name.clone()),
        _ => None,
    }
}

/// For internally tagged enums: the property every branch pins with `const`.
fn discriminator(branches: &[&Value]) -> Option<(String, Vec<String>)> {
    let first = branches.first()?.get("properties")?.as_object()?;
    for (name, _) in first {
        let values: Option<Vec<String>> = branches
            .iter()
            .map(|b| {
                b.get("properties")?
                    .get(name)?
                    .get("const")
                    .and_then(Value::as_str)
                    .map(str::to_owned)
            })
            .collect();
        if let Some(values) = values {
            return Some((name.clone(), values));
        }
    }
    None
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

fn matches_json(node: &Node, value: &Value) -> bool {
    match (&node.kind, value) {
        (NodeKind::Str(s), Value::String(v)) => s == v,
        (NodeKind::Int(i), Value::Number(n)) => n.as_i64() == Some(*i),
        (NodeKind::Bool(b), Value::Bool(v)) => b == v,
        (NodeKind::Null, Value::Null) => true,
        _ => false,
    }
}

fn describe_type(t: &str) -> &'static str {
    match t {
        "null" => "null",
        "boolean" => "a boolean",
        "integer" => "an integer",
        "number" => "a number",
        "string" => "a string",
        "array" => "a list",
        "object" => "a mapping",
        _ => "a value",
    }
}

fn describe_schema(schema: &Value, defs: &Map<String, Value>) -> String {
    if let Some(constant) = schema.get("const") {
        return render_json(constant);
    }
    if let Some(branches) = schema
        .get("oneOf")
        .or_else(|| schema.get("anyOf"))
        .and_then(Value::as_array)
    {
        let names: Vec<String> = branches
            .iter()
            .map(|b| describe_schema(resolve(defs, b), defs))
            .collect();
        return names.join(" or ");
    }
    if let Some(allowed) = schema.get("enum").and_then(Value::as_array) {
        return allowed
            .iter()
            .map(render_json)
            .collect::<Vec<_>>()
            .join(" or ");
    }
    if let Some(name) = single_required(schema) {
        return format!("a mapping with key `{name}`");
    }
    match schema.get("type") {
        Some(Value::String(t)) => describe_type(t).to_owned(),
        _ => "a value".to_owned(),
    }
}

fn render_json(v: &Value) -> String {
    match v {
        Value::String(s) => format!("`{s}`"),
        other => format!("`{other}`"),
    }
}

fn render_node(node: &Node) -> String {
    match &node.kind {
        NodeKind::Str(s) => format!("the string {s:?}"),
        NodeKind::Int(i) => format!("`{i}`"),
        NodeKind::Bool(b) => format!("`{b}`"),
        _ => node.kind_name().to_owned(),
    }
}

/// The known name closest to a misspelt one, if any is close: a small edit
/// distance, or else the only name sharing its first two letters (`innt` → `integer`).
pub fn closest<'a>(name: &str, known: &[&'a str]) -> Option<&'a str> {
    let near = known
        .iter()
        .map(|k| (edit_distance(name, k), *k))
        .filter(|(d, k)| *d <= 2.max(k.len() / 4))
        .min()
        .map(|(_, k)| k);
    near.or_else(|| {
        let prefix: String = name.chars().take(2).collect();
        let mut same = known
            .iter()
            .filter(|k| prefix.chars().count() == 2 && k.starts_with(&prefix));
        match (same.next(), same.next()) {
            (Some(only), None) => Some(*only),
            _ => None,
        }
    })
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}
