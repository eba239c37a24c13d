//! `cargo xtask mock SPEC [--port P] [--tolerance-seconds S]`: runs the spec-driven mock
//! server (the `spec-mock` crate's binary) until interrupted. It lives in its own crate, which
//! links the runtime and axum, so `xtask` stays a small build that needs only `codegen`.

use std::path::Path;
use std::process::Command;

pub fn run(root: &Path, args: &[&str]) -> Result<(), String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    // The spec path is the caller's, relative to where `cargo xtask` was run.
    let status = Command::new(cargo)
        .current_dir(root)
        .args([
            "run",
            "--quiet",
            "--package",
            "spec-mock",
            "--bin",
            "spec-mock",
            "--",
        ])
        .args(args.iter().enumerate().map(
            |(i, a)| {
                if i == 0 { absolute(a) } else { (*a).to_owned() }
            },
        ))
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("spec-mock exited with {status}"))
    }
}

fn absolute(path: &str) -> String {
    std::env::current_dir()
        .map(|d| d.join(path).to_string_lossy().into_owned())
        .unwrap_or_else(|_| path.to_owned())
}
