//! The `codegen` command: the same located diagnostics and exit codes as
//! `cargo xtask check-spec`, and `generate` writes modules that `include!` accepts.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn codegen(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_codegen"))
        .args(args)
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join(".."))
        .output()
        .expect("runs")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn out_dir(test: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(test);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

#[test]
fn check_accepts_valid_specs() {
    let out = codegen(&["check", "specs/erp.yaml", "specs/jfwms.yaml"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("specs/jfwms.yaml: ok"));
}

#[test]
fn check_warns_about_refusals_no_code_declares_and_still_exits_0() {
    let out = codegen(&["check", "specs/zhiyun.yaml", "specs/jfwms.yaml"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stderr(&out);
    let warnings: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("warning: "))
        .collect();
    // zhiyun's `t_` is a time, its token request has client credentials; no code of its
    // document says "stale timestamp" or "bad client". jfwms declares every likely kind.
    assert_eq!(warnings.len(), 2, "{text}");
    for (warning, kind) in warnings.iter().zip(["stale_time", "bad_client"]) {
        assert!(
            warning.starts_with("warning: specs/zhiyun.yaml:"),
            "{warning}"
        );
        assert!(
            warning.contains(&format!("mock_refusal: [{kind}]")),
            "{warning}"
        );
    }
}

#[test]
fn check_reports_every_problem_located_and_exits_1() {
    let out = codegen(&["check", "codegen/tests/broken_specs/many_errors.yaml"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stderr(&out);
    // The same rendering as the library's (and xtask's) diagnostics, with the error count.
    let expected = codegen::Config::new()
        .check(
            &["codegen/tests/broken_specs/many_errors.yaml"]
                .map(|p| Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(p)),
        )
        .expect_err("invalid")
        .to_string();
    let count = expected.lines().last().expect("a count line");
    assert!(
        text.contains("codegen/tests/broken_specs/many_errors.yaml:24:"),
        "{text}"
    );
    assert!(text.trim_end().ends_with(count), "{text}");
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        &[][..],
        &["frobnicate", "specs/erp.yaml"],
        &["generate", "specs/erp.yaml"],
        &["check"],
        &["check", "specs/erp.yaml", "--max-bytes", "lots"],
    ] {
        let out = codegen(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains("usage: codegen"), "{args:?}");
    }
}

#[test]
fn generate_writes_modules_without_inner_attributes() {
    let dir = out_dir("cli_generate");
    let out = codegen(&[
        "generate",
        "specs/erp.yaml",
        "--out",
        dir.to_str().expect("utf-8 path"),
        "--runtime-path",
        "::my_runtime",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let module = std::fs::read_to_string(dir.join("erp.rs")).expect("erp.rs");
    assert!(module.contains("use ::my_runtime as rt;"));
    assert!(!module.contains("//!") && !module.contains("#!["));
}

/// `--out` names a folder that need not exist yet (nested, as `target/gen/api` would be).
#[test]
fn generate_creates_the_output_folder() {
    let dir = out_dir("cli_generate_new").join("nested/api");
    let out = codegen(&[
        "generate",
        "specs/zhiyun.yaml",
        "--out",
        dir.to_str().expect("utf-8 path"),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(dir.join("zhiyun.rs").is_file());
}

#[test]
fn limits_are_options() {
    let out = codegen(&["check", "specs/erp.yaml", "--max-bytes", "1000"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("more than the limit of 1000"),
        "{}",
        stderr(&out)
    );
}
