//! The broken-spec corpus: every `tests/broken_specs/NAME.yaml` is an invalid
//! spec, and `NAME.stderr` is exactly what `cargo xtask check-spec` prints for
//! it (run from `codegen/`). Regenerate the expectations after an intended
//! change to a message with
//!
//! ```text
//! BLESS=1 cargo test -p codegen --test broken_specs
//! ```
//!
//! and review the diff. Also here: a minimal valid spec that must load cleanly,
//! and garbage inputs that must be rejected without panicking.

use std::path::{Path, PathBuf};

use codegen::Diagnostics;

const CORPUS: &str = "tests/broken_specs";

/// Smallest spec that passes every check; each corpus case starts from it.
const MINIMAL: &str = r#"source: tiny.txt
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
      value: "{api_key}"
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
"#;

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Loads and validates spec text exactly as `xtask check-spec` does
/// (`spec::load` is `read_to_string` + `spec::load_str`).
fn check(display_path: &Path, source: &str) -> Result<(), Diagnostics> {
    codegen::spec::load_str(display_path, source.to_owned())
        .and_then(|loaded| codegen::validate::validate(&loaded).map(drop))
}

/// What `xtask check-spec` prints on stderr for a failing spec.
fn render(diags: &Diagnostics, source: &str) -> String {
    format!(
        "{}{} error(s)\n",
        diags.render(|_| Some(source.to_owned())),
        diags.len()
    )
}

fn cases() -> Vec<PathBuf> {
    let dir = manifest_dir().join(CORPUS);
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    cases.sort();
    cases
}

#[test]
fn minimal_spec_is_valid() {
    if let Err(diags) = check(Path::new("minimal.yaml"), MINIMAL) {
        panic!(
            "the baseline spec must be valid:\n{}",
            render(&diags, MINIMAL)
        );
    }
}

#[test]
fn broken_specs() {
    let bless = std::env::var_os("BLESS").is_some_and(|v| !v.is_empty() && v != "0");
    let cases = cases();
    assert!(
        cases.len() >= 25,
        "the corpus has only {} cases",
        cases.len()
    );
    let mut failures = Vec::new();
    for path in &cases {
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let display = PathBuf::from(format!("{CORPUS}/{name}.yaml"));
        let source =
            std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let diags = match check(&display, &source) {
            Ok(()) => {
                failures.push(format!(
                    "{name}: the spec is accepted, but every corpus case must be rejected"
                ));
                continue;
            }
            Err(diags) => diags,
        };
        for d in diags.iter() {
            if d.loc.line == 0 || d.loc.column == 0 {
                failures.push(format!("{name}: unlocated diagnostic: {d}"));
            }
        }
        let actual = render(&diags, &source);
        let expected_path = path.with_extension("stderr");
        let expected = std::fs::read_to_string(&expected_path).ok();
        if expected.as_deref() == Some(actual.as_str()) {
            continue;
        }
        if bless {
            std::fs::write(&expected_path, &actual)
                .unwrap_or_else(|e| panic!("{}: {e}", expected_path.display()));
            eprintln!("blessed {}", expected_path.display());
        } else {
            failures.push(match expected {
                None => format!("{name}: no {name}.stderr; run with BLESS=1 to create it. Actual:\n{actual}"),
                Some(expected) => format!("{name}: output differs (BLESS=1 to accept)\n--- expected\n{expected}--- actual\n{actual}"),
            });
        }
    }
    // A `.stderr` without its `.yaml` is a leftover from a renamed or removed case.
    let dir = manifest_dir().join(CORPUS);
    for entry in std::fs::read_dir(&dir).unwrap().flatten() {
        let p = entry.path();
        if p.extension().is_some_and(|x| x == "stderr") && !p.with_extension("yaml").exists() {
            failures.push(format!("{}: no matching .yaml", p.display()));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}

/// Inputs a spec file should never be, each with a label.
fn garbage() -> Vec<(String, String)> {
    let mut cases: Vec<(String, String)> = vec![
        ("empty file".into(), String::new()),
        ("only whitespace".into(), " \n\n\t\n".into()),
        ("only a comment".into(), "# nothing here\n".into()),
        ("a bare scalar".into(), "just some text\n".into()),
        ("null document".into(), "~\n".into()),
        (
            "a top-level list".into(),
            "- source: a.txt\n- module: a\n".into(),
        ),
        (
            "control bytes".into(),
            "\u{0}\u{1}\u{2}\u{7}\u{1b}[31m\u{7f}\u{feff}".into(),
        ),
        (
            "binary-looking text".into(),
            (0u8..=127).map(char::from).cycle().take(4096).collect(),
        ),
        (
            "byte order mark".into(),
            format!("\u{feff}{MINIMAL}").replace("module: tiny", "module: ["),
        ),
        (
            "tabs for indentation".into(),
            "source: a.txt\nvendor:\n\tname: x\n".into(),
        ),
        (
            "tab after a key".into(),
            "source:\ta.txt\nmodule:\t\tb\n".into(),
        ),
        (
            "CRLF line endings".into(),
            MINIMAL
                .replace('\n', "\r\n")
                .replace("title: Tiny", "titel: Tiny"),
        ),
        ("two documents".into(), format!("{MINIMAL}---\n{MINIMAL}")),
        (
            "document end marker".into(),
            "source: a\n...\nmodule: b\n".into(),
        ),
        (
            "unknown tag".into(),
            "source: !custom a.txt\nmodule: !!binary aGVsbG8=\n".into(),
        ),
        (
            "merge key".into(),
            "base: &b { name: x }\nvendor:\n  <<: *b\n  title: t\n".into(),
        ),
        ("undefined alias".into(), "source: *nowhere\n".into()),
        ("alias cycle".into(), "a: &a [*a]\n".into()),
        (
            "huge integer".into(),
            "source: 123456789012345678901234567890\n".into(),
        ),
        (
            "float specials".into(),
            "source: .nan\nmodule: .inf\nvendor: -.inf\n".into(),
        ),
        (
            "unterminated quote".into(),
            "source: \"abc\nmodule: x\n".into(),
        ),
        (
            "unterminated flow map".into(),
            "vendor: { name: a, title: b\n".into(),
        ),
        (
            "very long line".into(),
            format!("source: {}\n", "x".repeat(1_000_000)),
        ),
        (
            "very long key".into(),
            format!("{}: 1\n", "k".repeat(100_000)),
        ),
        (
            "unicode keys and values".into(),
            "源: 文档.txt\nmodule: 模块\n\u{200b}: \u{202e}\n".into(),
        ),
        (
            "right-to-left and combining marks".into(),
            "source: a\u{301}\u{202e}b\n".into(),
        ),
    ];
    // Deep nesting, in flow and block style.
    cases.push((
        "deep flow nesting".into(),
        format!("source: {}{}\n", "[".repeat(100_000), "]".repeat(100_000)),
    ));
    cases.push((
        "deep flow maps".into(),
        format!("source: {}1{}\n", "{a: ".repeat(10_000), "}".repeat(10_000)),
    ));
    let mut block = String::new();
    for depth in 0..1_000 {
        block.push_str(&format!("{}k{depth}:\n", " ".repeat(depth)));
    }
    cases.push(("deep block nesting".into(), block));
    let mut seqs = String::new();
    for depth in 0..1_000 {
        seqs.push_str(&format!("{}-\n", "  ".repeat(depth)));
    }
    cases.push(("deep block lists".into(), seqs));
    // A map with 10,000 keys, at the top level and inside `types`.
    let wide: String = (0..10_000).map(|i| format!("key{i}: {i}\n")).collect();
    cases.push(("10k top-level keys".into(), wide));
    // 10,000 valid types and one field of an unknown type.
    let wide_types: String = (0..10_000)
        .map(|i| format!("  T{i}:\n    fields:\n      f: {{ type: integer }}\n"))
        .collect();
    cases.push((
        "10k types".into(),
        MINIMAL
            .replace("types:\n", &format!("types:\n{wide_types}"))
            .replace("id: { type: integer }", "id: { type: innt }"),
    ));
    // Duplicate keys, 10k times.
    let dup: String = (0..10_000).map(|_| "source: a\n").collect();
    cases.push(("10k duplicate keys".into(), dup));
    // "Billion laughs": each level refers to the previous one ten times.
    let mut bomb = String::from(
        "a0: &a0 [\"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\"]\n",
    );
    for level in 1..10 {
        let refs = vec![format!("*a{}", level - 1); 10].join(", ");
        bomb.push_str(&format!("a{level}: &a{level} [{refs}]\n"));
    }
    cases.push(("YAML bomb (aliases)".into(), bomb.clone()));
    cases.push((
        "YAML bomb inside a valid spec".into(),
        format!("{MINIMAL}{}", bomb.replace("a0:", "x-a0:")),
    ));
    // A valid spec with every value replaced by an alias of a mapping.
    cases.push((
        "aliases in place of values".into(),
        "v: &v { name: a, title: b }\nsource: *v\nmodule: *v\nvendor: *v\nauth: *v\n".into(),
    ));
    cases
}

/// The stack of the main thread on Linux, where `cargo xtask` and build scripts
/// run the generator. Test threads get 2 MiB, on which nesting deeper than about
/// 45 levels overflows the stack in a debug build (a known bug, reproduced by
/// `known_bugs.rs`), so the garbage runs on a thread this size.
const MAIN_THREAD_STACK: usize = 8 << 20;

/// Garbage is rejected with diagnostics, never a panic (and never accepted).
#[test]
fn garbage_is_rejected_without_panicking() {
    std::thread::Builder::new()
        .stack_size(MAIN_THREAD_STACK)
        .spawn(check_garbage)
        .expect("spawn")
        .join()
        .unwrap_or_else(|e| std::panic::resume_unwind(e));
}

fn check_garbage() {
    let mut failures = Vec::new();
    for (label, source) in garbage() {
        let started = std::time::Instant::now();
        let outcome = std::panic::catch_unwind(|| {
            let result = check(Path::new("garbage.yaml"), &source);
            // Rendering must not panic either, whatever the positions. `render`
            // costs O(diagnostics × file size) (it looks up each line from the
            // start), so with thousands of errors it renders without sources.
            let rendered = result.as_ref().err().map(|d| {
                if d.len() <= 1_000 {
                    render(d, &source)
                } else {
                    d.render(|_| None)
                }
            });
            (result, rendered)
        });
        match outcome {
            Err(_) => failures.push(format!("{label}: panicked")),
            Ok((Ok(()), _)) => failures.push(format!("{label}: accepted as a valid spec")),
            Ok((Err(diags), _)) => {
                if diags.is_empty() {
                    failures.push(format!("{label}: rejected without a diagnostic"));
                }
            }
        }
        let elapsed = started.elapsed();
        // Generous (debug build, busy machine): only a blow-up, such as an
        // expanded YAML bomb, should take this long.
        if elapsed > std::time::Duration::from_secs(60) {
            failures.push(format!("{label}: took {elapsed:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Files that are not UTF-8 (or not files) are rejected by `spec::load` with a message, not a panic.
#[test]
fn unreadable_files_are_rejected_cleanly() {
    let dir = std::env::temp_dir().join(format!("codegen-broken-specs-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let latin1 = dir.join("latin1.yaml");
    std::fs::write(&latin1, b"source: caf\xe9.txt\nmodule: x\n").unwrap();
    let binary = dir.join("binary.yaml");
    std::fs::write(&binary, (0u8..=255).cycle().take(8192).collect::<Vec<u8>>()).unwrap();
    let utf16 = dir.join("utf16.yaml");
    std::fs::write(
        &utf16,
        "source: a\n"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect::<Vec<u8>>(),
    )
    .unwrap();
    let cases = [
        (latin1.clone(), "UTF-8"),
        (binary.clone(), "UTF-8"),
        (utf16.clone(), "unexpected character"),
        (dir.join("missing.yaml"), "cannot read spec"),
        (dir.clone(), "cannot read spec"),
    ];
    for (path, needle) in cases {
        let result = std::panic::catch_unwind(|| {
            codegen::spec::load(&path).and_then(|l| codegen::validate::validate(&l).map(drop))
        });
        let diags = match result {
            Err(_) => panic!("{}: panicked", path.display()),
            Ok(Ok(())) => panic!("{}: accepted", path.display()),
            Ok(Err(diags)) => diags,
        };
        let text = diags.to_string();
        assert!(
            !diags.is_empty() && text.contains(needle),
            "{}: {text}",
            path.display()
        );
        // Rendering reads the file again; it must cope with unreadable files and still
        // print every diagnostic.
        let rendered = diags.render(|p| std::fs::read_to_string(p).ok());
        assert!(
            rendered.starts_with("error: ") && rendered.contains(needle),
            "{}: {rendered}",
            path.display()
        );
    }
    std::fs::remove_dir_all(&dir).ok();
}
