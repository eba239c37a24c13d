//! Project automation: `cargo xtask codegen [--check]`, `cargo xtask check-spec FILE...`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = workspace_root();
    match args.first().map(String::as_str) {
        Some("check-spec") if args.len() > 1 => check_specs(&args[1..]),
        _ => {
            eprintln!("usage: cargo xtask codegen [--check] | cargo xtask check-spec FILE...");
            let _ = root;
            ExitCode::from(2)
        }
    }
}

fn check_specs(files: &[String]) -> ExitCode {
    let mut failed = false;
    for file in files {
        let path = Path::new(file);
        match codegen::spec::load(path).and_then(|l| codegen::validate::validate(&l).map(|()| l)) {
            Ok(_) => eprintln!("{file}: ok"),
            Err(diags) => {
                failed = true;
                eprint!("{}", diags.render(|p| std::fs::read_to_string(p).ok()));
                eprintln!("{file}: {} error(s)", diags.len());
            }
        }
    }
    if failed { ExitCode::FAILURE } else { ExitCode::SUCCESS }
}

/// The workspace root, whatever directory `cargo xtask` was run from.
fn workspace_root() -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir.parent().unwrap_or(manifest_dir).to_path_buf()
}
