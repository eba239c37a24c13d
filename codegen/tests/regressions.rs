//! Regression tests for generator bugs found in review: panics on odd names,
//! a stack overflow on deep nesting, misleading messages and missing checks.
//! Each asserts the fixed behaviour.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use codegen::Diagnostics;

const HEAD: &str = r#"source: tiny.txt
module: tiny
vendor:
  name: Tiny API
  title: Tiny
environments:
  - name: production
    base_url: https://api.example.com
"#;

const AUTH: &str = r#"auth:
  credentials:
    api_key: { secret: true }
  apply:
    - in: header
      name: X-Api-Key
      value: "{api_key}"
"#;

fn check(source: &str) -> Result<(), Diagnostics> {
    codegen::spec::load_str(Path::new("bug.yaml"), source.to_owned())
        .and_then(|l| codegen::validate::validate(&l).map(drop))
}

/// Runs the whole pipeline on `source` written to a temporary file.
fn generate(
    name: &str,
    source: &str,
) -> std::thread::Result<Result<Vec<codegen::GeneratedFile>, codegen::Error>> {
    let dir = std::env::temp_dir().join(format!("codegen-known-bugs-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path: PathBuf = dir.join(format!("{name}.yaml"));
    std::fs::write(&path, source).unwrap();
    catch_unwind(AssertUnwindSafe(|| {
        codegen::Config::new().generate(&[&path])
    }))
}

/// The spec must be rejected by validation with located diagnostics whose text contains `needle`.
fn assert_rejected(source: &str, needle: &str) {
    let diags = check(source).expect_err("validation accepts the spec");
    let text = diags.to_string();
    assert!(
        text.contains(needle),
        "expected a diagnostic containing {needle:?}, got:\n{text}"
    );
    assert!(
        diags.iter().all(|d| d.loc.line > 0 && d.loc.column > 0),
        "unlocated:\n{text}"
    );
}

#[test]
fn example_names_that_are_not_identifiers_are_rejected() {
    let source = format!(
        "{HEAD}{AUTH}types:\n  Item:\n    fields:\n      id: {{ type: integer }}\nexamples:\n  my example:\n    language: json\n    parses_as: {{ type: Item }}\n    text: '{{\"id\": 1}}'\n"
    );
    match generate("example_name", &source) {
        Err(_) => panic!("Config::generate panicked"),
        Ok(Ok(_)) => panic!("accepted"),
        Ok(Err(e)) => assert!(
            matches!(e, codegen::Error::Spec { .. }),
            "not a located spec error: {e}"
        ),
    }
    assert_rejected(&source, "my example");
}

#[test]
fn example_names_that_are_keywords_are_rejected() {
    let source = format!(
        "{HEAD}{AUTH}types:\n  Item:\n    fields:\n      id: {{ type: integer }}\nexamples:\n  type:\n    language: json\n    parses_as: {{ type: Item }}\n    text: '{{\"id\": 1}}'\n"
    );
    assert_rejected(&source, "examples");
}

#[test]
fn grant_inputs_must_be_identifiers() {
    for input in ["redirect-uri", "type"] {
        let source = format!(
            "{HEAD}auth:\n  credentials:\n    client_id: {{}}\n  token:\n    grants:\n      code_grant:\n        path: /token\n        encoding: form\n        fields: {{ grant_type: authorization_code }}\n        inputs: [{input}]\n    response: {{ access_token: access_token }}\n  apply: []\n"
        );
        match generate("grant_inputs", &source) {
            Err(_) => panic!("{input}: Config::generate panicked"),
            Ok(Ok(_)) => panic!("{input}: accepted"),
            Ok(Err(e)) => assert!(
                matches!(e, codegen::Error::Spec { .. }),
                "{input}: not a located spec error: {e}"
            ),
        }
    }
}

#[test]
fn bad_enum_values_list_the_allowed_values() {
    let class = format!(
        "{HEAD}{AUTH}error_codes:\n  t:\n    title: t\n    codes:\n      - {{ code: 1, name: A, message: m, class: fatal }}\n"
    );
    assert_rejected(&class, "`renew_token`");
    let gap = format!(
        "{HEAD}{AUTH}doc_gaps:\n  - {{ id: a, kind: bogus, where: w, text: t, resolution: r }}\n"
    );
    assert_rejected(&gap, "`contradiction`");
    let encoding = format!(
        "{HEAD}{AUTH}endpoints:\n  e:\n    title: t\n    methods: [POST]\n    path: /e\n    body: xml\n"
    );
    assert_rejected(&encoding, "`json`");
}

#[test]
fn misspelt_parses_as_variant_is_named() {
    let source = format!(
        "{HEAD}{AUTH}types:\n  Item:\n    fields:\n      id: {{ type: integer }}\nexamples:\n  item:\n    language: json\n    parses_as: {{ typ: Item }}\n    text: '{{\"id\": 1}}'\n"
    );
    assert_rejected(&source, "unknown variant `typ`");
    let unit = source.replace("{ typ: Item }", "error_respons");
    assert_rejected(&unit, "error_response");
}

#[test]
fn yaml11_boolean_words_are_strings_where_strings_are_expected() {
    let source = format!(
        "{HEAD}auth:\n  credentials:\n    api_key: {{ secret: true }}\n  apply:\n    - in: header\n      name: Y\n      value: \"{{api_key}}\"\n"
    );
    // YAML 1.2: `Y` is the string "Y" (in YAML 1.1 it would be `true`), and it reaches the
    // generated header step unchanged.
    check(&source).unwrap_or_else(|d| panic!("`Y` rejected:\n{d}"));
    let files = generate("yaml11_words", &source)
        .expect("no panic")
        .expect("generates");
    assert!(
        files.iter().any(|f| {
            let compact: String = f.contents.split_whitespace().collect();
            compact.contains(r#"lang::Step::Header{name:"Y".into(),"#)
        }),
        "no header step named \"Y\""
    );
}

#[test]
fn yaml_errors_speak_to_spec_authors() {
    let cases = [
        "a: 1\na: 2\n",      // duplicate key: "set DuplicateKeyPolicy in Options"
        "a: 1\n---\nb: 2\n", // "use from_str_multiple or from_str_multiple_with_options"
        "a: &a [*a]\n",      // "recursive references require weak recursion types"
        "source: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]\n", // "budget breached: Depth { depth: 65 }"
    ];
    for source in cases {
        let diags = check(source).expect_err("rejected");
        for d in diags.iter() {
            for leak in [
                "at line",
                "Options",
                "from_str",
                "weak recursion",
                "{ depth",
            ] {
                assert!(!d.message.contains(leak), "{source:?}: {}", d.message);
            }
        }
    }
}

#[test]
fn catalogue_endpoint_must_exist() {
    let source = format!(
        "{HEAD}{AUTH}catalogue:\n  - title: g\n    entries:\n      - {{ title: x, endpoint: nope }}\n"
    );
    assert_rejected(&source, "nope");
}

#[test]
fn std_type_names_are_reserved() {
    for name in ["String", "Option", "Vec", "Box"] {
        let source =
            format!("{HEAD}{AUTH}types:\n  {name}:\n    fields:\n      id: {{ type: string }}\n");
        assert_rejected(&source, name);
    }
}

#[test]
fn recursive_types_need_indirection() {
    let source = format!(
        "{HEAD}{AUTH}types:\n  Node:\n    fields:\n      child: {{ type: Node, optional: true }}\n"
    );
    assert_rejected(&source, "type `Node` contains itself");
}

#[test]
fn code_in_needs_a_code_path() {
    let source = format!("{HEAD}{AUTH}envelope:\n  success: {{ code_in: [0] }}\n  data: data\n");
    assert_rejected(&source, "`code_in` needs `envelope.code`");
}

/// Nested YAML deeper than about 45 levels overflows a 2 MiB stack (the size
/// of test threads, tokio workers and most spawned threads) in a debug build,
/// before serde-saphyr's own depth limit (64) is reached. A stack overflow
/// aborts the process, so the parse runs in a child process.
#[test]
fn deep_nesting_does_not_overflow_a_2_mib_stack() {
    const CHILD: &str = "CODEGEN_KNOWN_BUGS_DEEP_CHILD";
    if std::env::var_os(CHILD).is_some() {
        let source = format!("source: {}1{}\n", "{a: ".repeat(50), "}".repeat(50));
        let outcome = std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn(move || check(&source).is_err())
            .unwrap()
            .join()
            .unwrap();
        assert!(outcome);
        return;
    }
    let output = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "deep_nesting_does_not_overflow_a_2_mib_stack",
            "--nocapture",
        ])
        .env(CHILD, "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "child failed: {stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // Proof that the child ran the check (a filter matching nothing also succeeds).
    assert!(
        stdout.contains("1 passed"),
        "the child ran no test: {stdout}"
    );
}
