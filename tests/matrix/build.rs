//! Generates the matrix spec into `OUT_DIR`, as a user's crate would.
fn main() {
    println!("cargo:rerun-if-changed=matrix.yaml");
    codegen::Config::new()
        .compile(&["matrix.yaml"])
        .unwrap_or_else(|e| panic!("{e}"));
}
