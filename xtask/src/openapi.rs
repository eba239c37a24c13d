//! `cargo xtask openapi SPEC`: print the spec as an OpenAPI 3.1 document.
//! `cargo xtask openapi --validate`: export every spec to `target/openapi/`
//! and check each with an independent validator (`openapi-spec-validator`,
//! PyPI), installed into `target/openapi-venv` when missing. Fails loudly when
//! Python, the virtualenv or the install fails: CI must never skip this check.

use std::path::{Path, PathBuf};
use std::process::Command;

pub fn print(file: &str) -> Result<(), String> {
    let doc = export(Path::new(file))?;
    println!("{doc}");
    Ok(())
}

fn export(path: &Path) -> Result<String, String> {
    let doc = codegen::openapi::export_file(path).map_err(|d| {
        d.render(|p| std::fs::read_to_string(p).ok()) + &format!("{} error(s)", d.len())
    })?;
    serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())
}

pub fn validate_all(root: &Path, specs: &[PathBuf]) -> Result<(), String> {
    let validator = validator(root)?;
    let out_dir = root.join("target/openapi");
    std::fs::create_dir_all(&out_dir).map_err(|e| format!("{}: {e}", out_dir.display()))?;
    let mut failed = Vec::new();
    for spec in specs {
        let stem = spec.file_stem().and_then(|s| s.to_str()).unwrap_or("spec");
        let file = out_dir.join(format!("{stem}.json"));
        std::fs::write(&file, export(spec)?).map_err(|e| format!("{}: {e}", file.display()))?;
        let status = Command::new(&validator)
            .arg(&file)
            .status()
            .map_err(|e| format!("cannot run {}: {e}", validator.display()))?;
        if !status.success() {
            failed.push(file.display().to_string());
        }
    }
    if failed.is_empty() {
        eprintln!(
            "{} OpenAPI exports valid (openapi-spec-validator)",
            specs.len()
        );
        Ok(())
    } else {
        Err(format!("invalid OpenAPI export(s): {}", failed.join(", ")))
    }
}

/// The validator's executable, installing it into a virtualenv first if needed.
fn validator(root: &Path) -> Result<PathBuf, String> {
    let venv = root.join("target/openapi-venv");
    let bin = venv.join("bin/openapi-spec-validator");
    if bin.exists() {
        return Ok(bin);
    }
    run(
        Command::new("python3").args(["-m", "venv"]).arg(&venv),
        "python3 -m venv",
    )?;
    run(
        Command::new(venv.join("bin/pip")).args(["install", "--quiet", "openapi-spec-validator"]),
        "pip install openapi-spec-validator",
    )?;
    if bin.exists() {
        Ok(bin)
    } else {
        Err(format!("{} is missing after the install", bin.display()))
    }
}

fn run(cmd: &mut Command, what: &str) -> Result<(), String> {
    let status = cmd.status().map_err(|e| {
        format!("{what}: cannot start: {e} (the OpenAPI check needs python3 with venv and pip)")
    })?;
    if status.success() {
        Ok(())
    } else {
        Err(format!(
            "{what} failed ({status}); the OpenAPI exports cannot be validated"
        ))
    }
}
