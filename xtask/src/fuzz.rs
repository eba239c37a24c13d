//! `cargo xtask fuzz TARGET|all [OPTIONS]`: builds the stable-Rust fuzz harness (the
//! `fuzz` crate) with the `fuzz` profile — optimised, with overflow checks and debug
//! assertions on — and runs it. The harness lives in its own crate so that `xtask`
//! stays a small build (it needs only `codegen`), while the harness links every
//! generated client and is worth optimising.

use std::path::Path;
use std::process::Command;

pub fn fuzz(root: &Path, args: &[&str]) -> Result<(), String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let status = Command::new(cargo)
        .current_dir(root)
        .args([
            "run",
            "--quiet",
            "--profile",
            "fuzz",
            "--package",
            "fuzz",
            "--",
        ])
        .args(args)
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if status.success() {
        return Ok(());
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            return Err(format!(
                "the fuzz process was killed by signal {signal} (a stack overflow, an abort \
                 or the OOM killer); the seed and the last progress line are above. Rerun \
                 the same command with --save-each: the input being run is then always in \
                 fuzz/crashes/<target>-last-input.bin"
            ));
        }
    }
    Err(format!("fuzzing failed ({status})"))
}
