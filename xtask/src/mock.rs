//! `cargo xtask mock SPEC [OPTIONS]`: runs the spec-driven mock server (the `spec-mock` crate's
//! binary) until interrupted; `cargo xtask mock --help` prints the binary's options. It lives in its own crate, which
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
        .args(with_absolute_spec(args))
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("spec-mock exited with {status}"))
    }
}

/// The arguments with the spec (the one that is neither an option nor an option's value) made
/// absolute: cargo runs the binary from the workspace root.
fn with_absolute_spec(args: &[&str]) -> Vec<String> {
    let mut out = Vec::with_capacity(args.len());
    let mut after_option = false;
    for a in args {
        let is_spec = !a.starts_with('-') && !after_option;
        after_option = a.starts_with("--") && *a != "--help";
        out.push(if is_spec {
            absolute(a)
        } else {
            (*a).to_owned()
        });
    }
    out
}

fn absolute(path: &str) -> String {
    std::env::current_dir()
        .map(|d| d.join(path).to_string_lossy().into_owned())
        .unwrap_or_else(|_| path.to_owned())
}

#[cfg(test)]
mod tests {
    use super::with_absolute_spec;

    #[test]
    fn only_the_spec_is_made_absolute() {
        let args = with_absolute_spec(&["--port", "8080", "specs/jfwms.yaml", "--help"]);
        assert_eq!(args[..2], ["--port", "8080"]);
        assert!(args[2].ends_with("specs/jfwms.yaml") && args[2].starts_with('/'));
        assert_eq!(args[3], "--help");
        assert_eq!(with_absolute_spec(&["--help"]), ["--help"]);
    }
}
