//! Seed corpora, read from the workspace at start-up: the real specs (cut into
//! small fragments), the broken-spec corpus, and the documents' JSON examples.

use std::path::{Path, PathBuf};

use codegen::spec::model::{ParsesAs, Spec};
use serde_json::Value;

/// The workspace root (the harness is `fuzz/` inside it).
pub fn workspace_root() -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir.parent().unwrap_or(manifest_dir).to_path_buf()
}

/// Every `*.yaml` file of a directory, sorted by name.
fn yaml_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

/// The real specs, loaded (they are valid, so loading cannot fail unless the tree is broken).
pub fn specs(root: &Path) -> Vec<Spec> {
    yaml_files(&root.join("specs"))
        .iter()
        .filter_map(|path| match codegen::spec::load(path) {
            Ok(loaded) => Some(loaded.spec),
            Err(diags) => {
                eprintln!(
                    "seed spec {} does not load:\n{}",
                    path.display(),
                    diags.render(|_| None)
                );
                None
            }
        })
        .collect()
}

/// The smallest valid spec (as in `specs/README.md`): the frame fragments are put in.
pub const MINIMAL_SPEC: &str = "source: tiny.txt
module: tiny
vendor:
  name: Tiny API
  title: Tiny
environments:
  - name: production
    base_url: https://api.example.com
auth:
  credentials:
    api_key: { secret: true }
  apply:
    - in: header
      name: X-Api-Key
      value: \"{api_key}\"
types:
  Item:
    fields:
      id: { type: integer }
endpoints:
  list_items:
    title: List items
    methods: [GET]
    path: /items
    response: Item
";

/// Fragments longer than this many lines are not used as seeds: loading cost grows with
/// size, and 10 M executions must fit in a session (see README "Fuzzing").
const MAX_FRAGMENT_LINES: usize = 80;

/// Loader seeds: the minimal spec; the minimal spec with one top-level section of a real
/// spec (or one entry of it: a type, an endpoint, an error table, an example...) swapped
/// in; and every file of `codegen/tests/broken_specs/` and `codegen/tests/dialects/` (the
/// signing language at its widest).
pub fn loader_seeds(root: &Path) -> Vec<Vec<u8>> {
    let mut seeds = vec![MINIMAL_SPEC.as_bytes().to_vec()];
    for path in yaml_files(&root.join("specs")) {
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        for (key, section) in top_level_sections(&text) {
            if matches!(key.as_str(), "source" | "module" | "vendor") {
                continue;
            }
            if section.len() <= MAX_FRAGMENT_LINES {
                seeds.push(with_section(&key, &section, false).into_bytes());
            }
            for entry in entries(&section[1..]) {
                if entry.len() < MAX_FRAGMENT_LINES {
                    let mut cut = vec![section[0].clone()];
                    cut.extend(entry);
                    seeds.push(with_section(&key, &cut, true).into_bytes());
                }
            }
        }
    }
    for dir in ["codegen/tests/broken_specs", "codegen/tests/dialects"] {
        for path in yaml_files(&root.join(dir)) {
            if let Ok(bytes) = std::fs::read(&path) {
                seeds.push(bytes);
            }
        }
    }
    seeds.sort();
    seeds.dedup();
    seeds
}

/// Top-level `key:` sections of a YAML text, each with its lines (comments dropped).
fn top_level_sections(text: &str) -> Vec<(String, Vec<String>)> {
    let mut sections: Vec<(String, Vec<String>)> = Vec::new();
    for line in text.lines() {
        if line.trim_start().starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let top = !line.starts_with(' ') && !line.starts_with('-');
        match (top, line.split_once(':')) {
            (true, Some((key, _))) => sections.push((key.to_owned(), vec![line.to_owned()])),
            _ => {
                if let Some((_, lines)) = sections.last_mut() {
                    lines.push(line.to_owned());
                }
            }
        }
    }
    sections
}

/// The entries of a section body: runs of lines starting at its shallowest indentation.
fn entries(body: &[String]) -> Vec<Vec<String>> {
    let indent = |l: &str| l.len() - l.trim_start_matches(' ').len();
    let Some(base) = body.iter().map(|l| indent(l)).min() else {
        return Vec::new();
    };
    let mut out: Vec<Vec<String>> = Vec::new();
    for line in body {
        if indent(line) == base || out.is_empty() {
            out.push(Vec::new());
        }
        if let Some(last) = out.last_mut() {
            last.push(line.clone());
        }
    }
    out
}

/// The minimal spec with `section` (its `key:` line first) in place of its own section
/// `key`, or, with `extend`, appended to it (one more type next to `Item`).
fn with_section(key: &str, section: &[String], extend: bool) -> String {
    let mut out = String::new();
    let mut in_key = false;
    let mut placed = false;
    let place = |out: &mut String, lines: &[String]| {
        for l in lines {
            out.push_str(l);
            out.push('\n');
        }
    };
    for line in MINIMAL_SPEC.lines() {
        let top = !line.starts_with(' ') && !line.starts_with('-');
        if top {
            if in_key && extend && !placed {
                place(&mut out, &section[1..]);
                placed = true;
            }
            in_key = line.split_once(':').is_some_and(|(k, _)| k == key);
            if in_key && !extend {
                place(&mut out, section);
                placed = true;
            }
        }
        if !in_key || extend {
            out.push_str(line);
            out.push('\n');
        }
    }
    if !placed {
        place(&mut out, if in_key { &section[1..] } else { section });
    }
    out
}

/// One JSON example of a document, normalized as the generated tests use it.
#[derive(Debug, Clone)]
pub struct ExampleSeed {
    pub module: String,
    pub parses_as: Option<ParsesAs>,
    pub status: Option<u16>,
    pub text: String,
}

/// Every example that is JSON after its `normalize` edits, with long arrays cut to three
/// items (the outbound-order example has 18 lines of products; three exercise the same code).
pub fn examples(specs: &[Spec]) -> Vec<ExampleSeed> {
    let mut out = Vec::new();
    for spec in specs {
        for example in spec.examples.values() {
            let text = codegen::validate::normalized_example(example);
            let Ok(mut value) = serde_json::from_str::<Value>(&text) else {
                continue;
            };
            shorten_arrays(&mut value, 3);
            out.push(ExampleSeed {
                module: spec.module.clone(),
                parses_as: example.parses_as.clone(),
                status: example.status,
                text: value.to_string(),
            });
        }
    }
    out
}

fn shorten_arrays(value: &mut Value, max: usize) {
    match value {
        Value::Array(items) => {
            items.truncate(max);
            items.iter_mut().for_each(|v| shorten_arrays(v, max));
        }
        Value::Object(map) => map.values_mut().for_each(|v| shorten_arrays(v, max)),
        _ => {}
    }
}

/// Sets the value at a dotted path, creating objects on the way.
pub fn set_path(root: &mut Value, dotted: &str, value: Value) {
    let mut node = root;
    let mut keys = dotted.split('.').peekable();
    while let Some(key) = keys.next() {
        if !node.is_object() {
            *node = Value::Object(Default::default());
        }
        let Value::Object(map) = node else {
            return;
        };
        if keys.peek().is_none() {
            map.insert(key.to_owned(), value);
            return;
        }
        node = map.entry(key.to_owned()).or_insert(Value::Null);
    }
}
