//! Generates every dialect spec under `codegen/tests/dialects/` into `OUT_DIR`, as a user's
//! crate would (`codegen::Config::compile`).
fn main() {
    let dir = "../../codegen/tests/dialects";
    let mut specs: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{dir}: {e}"))
        .filter_map(|entry| {
            let path = entry.ok()?.path();
            (path.extension()? == "yaml").then(|| path.to_string_lossy().into_owned())
        })
        .collect();
    specs.sort();
    println!("cargo:rerun-if-changed={dir}");
    codegen::Config::new()
        .compile(&specs)
        .unwrap_or_else(|e| panic!("{e}"));
}
