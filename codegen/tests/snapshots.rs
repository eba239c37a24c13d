//! Snapshots of everything the generator writes for the specs in `specs/`:
//! the vendor module and the example-test file of each, named
//! `<module>_<kind>` (`erp_Module`, `erp_ExampleTests`) in `tests/snapshots/`.
//!
//! After an intended change to the generator or a spec, re-accept them all
//! with
//!
//! ```text
//! INSTA_UPDATE=always cargo test -p codegen --test snapshots
//! ```
//!
//! then review `git diff codegen/tests/snapshots/` and run the tests again
//! without the variable.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use codegen::{Config, GeneratedFile, GeneratedKind};

fn workspace_root() -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir
        .parent()
        .expect("codegen/ is inside the workspace")
        .to_path_buf()
}

/// Every `specs/*.yaml`, sorted, as `cargo xtask codegen` finds them.
fn spec_files(root: &Path) -> Vec<PathBuf> {
    let dir = root.join("specs");
    let mut specs: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    specs.sort();
    assert!(!specs.is_empty(), "no specs in {}", dir.display());
    specs
}

fn generate(specs: &[PathBuf]) -> Vec<GeneratedFile> {
    Config::new()
        .spec_root(workspace_root())
        .generate(specs)
        .unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn generated_code_matches_snapshots() {
    let files = generate(&spec_files(&workspace_root()));
    // Check every file before failing, so one run shows every stale snapshot.
    let mut failed = Vec::new();
    for file in &files {
        let name = format!("{}_{:?}", file.module, file.kind);
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            insta::with_settings!({
                prepend_module_to_snapshot => false,
                omit_expression => true,
                description => format!("{:?} `{}` of module `{}`", file.kind, file.file_name, file.module),
            }, {
                insta::assert_snapshot!(name.clone(), file.contents);
            });
        }));
        if outcome.is_err() {
            failed.push(name);
        }
    }
    assert!(
        failed.is_empty(),
        "snapshots differ: {}\nre-accept with `INSTA_UPDATE=always cargo test -p codegen --test snapshots` and review the diff",
        failed.join(", ")
    );
}

/// Every spec yields its module; example tests exist for specs with decodable examples.
#[test]
fn every_spec_generates_its_module() {
    let root = workspace_root();
    let specs = spec_files(&root);
    let files = generate(&specs);
    for spec in &specs {
        let source = std::fs::read_to_string(spec).unwrap();
        let loaded = codegen::spec::load_str(spec, source).unwrap_or_else(|d| panic!("{d}"));
        let module = &loaded.spec.module;
        let kinds: Vec<GeneratedKind> = files
            .iter()
            .filter(|f| f.module == *module)
            .map(|f| f.kind)
            .collect();
        assert!(
            kinds.contains(&GeneratedKind::Module),
            "{}: no module generated",
            spec.display()
        );
        let has_decodable_example = loaded.spec.examples.values().any(|e| e.parses_as.is_some());
        assert_eq!(
            kinds.contains(&GeneratedKind::ExampleTests),
            has_decodable_example,
            "{}: example tests are generated exactly when an example has `parses_as`",
            spec.display()
        );
        let shown = spec
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        for f in files.iter().filter(|f| f.module == *module) {
            let header = format!(
                "{}{} from `{shown}`",
                codegen::emit::MARK,
                env!("CARGO_PKG_VERSION")
            );
            assert!(
                f.contents.starts_with(&header),
                "{}: header is {:?}",
                f.file_name,
                f.contents.lines().next()
            );
        }
    }
}

/// Generation is a pure function of the specs: twice gives byte-identical
/// output, and the order the specs are given in does not change any file.
#[test]
fn generation_is_deterministic() {
    let specs = spec_files(&workspace_root());
    let first = generate(&specs);
    let second = generate(&specs);
    assert_eq!(first.len(), second.len());
    for (a, b) in first.iter().zip(&second) {
        assert!(
            a == b,
            "{} ({:?}) differs between two runs",
            a.file_name,
            a.kind
        );
    }
    let mut reversed_specs = specs.clone();
    reversed_specs.reverse();
    let mut reversed = generate(&reversed_specs);
    reversed.reverse();
    let key = |f: &GeneratedFile| (f.module.clone(), f.kind == GeneratedKind::ExampleTests);
    let mut sorted_first = first.clone();
    sorted_first.sort_by_key(key);
    reversed.sort_by_key(key);
    assert!(
        sorted_first == reversed,
        "the order of the specs changes the output"
    );
    // One spec alone gives the same files as within the whole set.
    for spec in &specs {
        for file in generate(std::slice::from_ref(spec)) {
            assert!(
                first.contains(&file),
                "{} differs when {} is generated alone",
                file.file_name,
                spec.display()
            );
        }
    }
}
