// build.rs
fn main() {
    codegen::Config::new()
        .compile(&["specs/bookshop.yaml"])
        .unwrap_or_else(|e| panic!("{e}"));
}
