//! The README's "Using the generator in your own crate" recipe is this crate, verbatim.

use std::path::Path;

/// The fenced blocks of the README section, each without its fences.
fn recipe_blocks() -> Vec<String> {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(manifest_dir.join("../../README.md")).expect("README.md");
    let section = readme
        .split_once("## Using the generator in your own crate")
        .expect("README.md has the section")
        .1;
    let section = section.split_once("\n## ").map_or(section, |(s, _)| s);
    section
        .split("```")
        .skip(1)
        .step_by(2)
        .map(|block| {
            block
                .split_once('\n')
                .map_or("", |(_, body)| body)
                .to_owned()
        })
        .collect()
}

fn read(file: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(file)).expect(file)
}

#[test]
fn build_rs_is_the_readme_recipe() {
    let blocks = recipe_blocks();
    let build_rs = read("build.rs");
    assert!(
        blocks.contains(&build_rs),
        "build.rs differs from the README's build.rs block; copy it again:\n{blocks:#?}"
    );
}

#[test]
fn the_include_is_the_readme_recipe() {
    let blocks = recipe_blocks();
    let block = blocks
        .iter()
        .find(|b| b.starts_with("// src/lib.rs\n"))
        .expect("a `// src/lib.rs` block");
    let code = block.trim_start_matches("// src/lib.rs\n");
    assert!(
        read("src/lib.rs").contains(code),
        "src/lib.rs does not contain the README's include:\n{code}"
    );
}

#[test]
fn the_manifest_has_the_readme_dependencies_and_no_other() {
    let blocks = recipe_blocks();
    let toml = blocks
        .iter()
        .find(|b| b.starts_with("[dependencies]"))
        .expect("a Cargo.toml block");
    let manifest = read("Cargo.toml");
    let section = |text: &str, name: &str| -> Vec<String> {
        text.split_once(&format!("[{name}]\n"))
            .map(|(_, rest)| rest.split("\n[").next().unwrap_or(""))
            .unwrap_or("")
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| l.split('=').next().unwrap_or("").trim().to_owned())
            .collect()
    };
    for name in ["dependencies", "build-dependencies"] {
        assert_eq!(section(&manifest, name), section(toml, name), "[{name}]");
    }
}
