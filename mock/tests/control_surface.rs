//! Runs `control_surface.py` (Python's standard library only) against the `spec-mock` binary
//! and the `jfwms_webhook_axum` example: the mock driven from outside Rust. Fails loudly when
//! `python3` is missing (`cargo xtask test` installs it).

use std::path::{Path, PathBuf};
use std::process::Command;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the mock crate is inside the workspace")
        .to_path_buf()
}

/// Builds the example receiver (a no-op when `cargo test --workspace` already built it).
fn receiver_binary() -> PathBuf {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .current_dir(workspace())
        .args([
            "build",
            "--quiet",
            "--package",
            "generated-client",
            "--example",
            "jfwms_webhook_axum",
        ])
        .status()
        .expect("cargo runs");
    assert!(status.success(), "building the example receiver failed");
    // The test binary lives in target/<profile>/deps; examples in target/<profile>/examples.
    let exe = std::env::current_exe().expect("test binary path");
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("target/<profile>");
    profile_dir.join("examples").join("jfwms_webhook_axum")
}

#[test]
fn python_drives_the_mock_over_http() {
    match Command::new("python3").arg("--version").output() {
        Ok(o) if o.status.success() => {}
        _ => panic!("python3 is required for this test (`cargo xtask test` installs it)"),
    }
    let receiver = receiver_binary();
    let output = Command::new("python3")
        .arg(workspace().join("mock/tests/control_surface.py"))
        .arg("--mock")
        .arg(env!("CARGO_BIN_EXE_spec-mock"))
        .arg("--receiver")
        .arg(&receiver)
        .output()
        .expect("python3 runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "control_surface.py failed:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("checks passed"), "{stdout}");
    println!("{stdout}");
}

#[test]
fn the_binary_explains_itself_and_refuses_unknown_options() {
    let help = Command::new(env!("CARGO_BIN_EXE_spec-mock"))
        .arg("--help")
        .output()
        .expect("runs");
    assert!(help.status.success());
    let text = String::from_utf8_lossy(&help.stdout);
    for part in [
        "usage: spec-mock SPEC",
        "/__mock/authorization-codes",
        "--max-connections",
    ] {
        assert!(text.contains(part), "{part} in:\n{text}");
    }
    let bad = Command::new(env!("CARGO_BIN_EXE_spec-mock"))
        .args(["specs/jfwms.yaml", "--nonsense", "1"])
        .output()
        .expect("runs");
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("unknown option `--nonsense`"));
}
