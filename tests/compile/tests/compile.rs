//! Runs the trybuild cases in `tests/pass/` and `tests/fail/`.

use std::path::Path;

#[test]
fn compile() {
    let t = trybuild::TestCases::new();
    t.pass("tests/pass/*.rs");
    t.compile_fail("tests/fail/*.rs");
}

/// `tests/readme/quick_start.rs` (compiled by `tests/pass/readme_quick_start.rs`) is the
/// README's "Consumer quick start" example, byte for byte.
#[test]
fn readme_quick_start_is_verbatim() {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(manifest_dir.join("../../README.md")).unwrap();
    let section = readme
        .split_once("## Consumer quick start")
        .expect("README.md has a `## Consumer quick start` section")
        .1;
    let example = section
        .split_once("```rust,no_run\n")
        .expect("the section has a ```rust,no_run block")
        .1
        .split_once("```")
        .expect("the block is closed")
        .0;
    let copy = std::fs::read_to_string(manifest_dir.join("tests/readme/quick_start.rs")).unwrap();
    assert!(
        copy == example,
        "tests/readme/quick_start.rs differs from README.md's consumer example; copy it again:\n{example}"
    );
}
