//! Project automation.
//!
//! - `cargo xtask codegen`: regenerate every vendor module, the example
//!   fixture tests and `specs/spec.schema.json` from `specs/*.yaml`.
//! - `cargo xtask codegen --check`: change nothing; name every stale file and
//!   exit non-zero (CI). A test runs the same check, so `cargo test` catches drift.
//! - `cargo xtask check-spec FILE...`: validate specs and print every problem.
//! - `cargo xtask audit SPEC...`: check specs against their source documents.
//! - `cargo xtask openapi SPEC`: print a spec as OpenAPI 3.1;
//!   `cargo xtask openapi --validate`: export every spec and validate each.
//! - `cargo xtask test [ARGS...]`: install what the tests need (`redis-server`, `python3`), then
//!   `cargo test --workspace ARGS...` (README's test command; CI runs it).
//! - `cargo xtask fuzz TARGET|all [--execs N] [--seconds S] [--seed X]`: the stable-Rust
//!   fuzz harness (`fuzz/`, see README "Fuzzing").
//! - `cargo xtask mock SPEC [OPTIONS]`: the spec-driven strict mock server (`mock/`).
//!
//! `cargo xtask --help` lists the commands, `cargo xtask COMMAND --help` explains one
//! (`COMMANDS`).

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use codegen::GeneratedKind;

mod audit;
mod drift;
mod fuzz;
mod mock;
mod openapi;
mod test;

/// One subcommand's help: the usage line and what it does. `cargo xtask --help` lists them
/// all; `cargo xtask NAME --help` prints one. A new subcommand is one more entry here (and
/// its arm in `main`).
struct Help {
    name: &'static str,
    usage: &'static str,
    about: &'static str,
}

const COMMANDS: &[Help] = &[
    Help {
        name: "codegen",
        usage: "cargo xtask codegen [--check]",
        about: "Regenerates every vendor module, the example fixture tests and specs/spec.schema.json from specs/*.yaml.\n--check changes nothing: names every stale file and exits non-zero (CI).",
    },
    Help {
        name: "check-spec",
        usage: "cargo xtask check-spec FILE...",
        about: "Validates specs and prints every problem, located (file:line:column), then the warnings (e.g. a failure kind no error code declares in `mock_refusal`).",
    },
    Help {
        name: "audit",
        usage: "cargo xtask audit SPEC...",
        about: "Checks specs against their source documents (specs/sources/): document text, identifiers, provenance.",
    },
    Help {
        name: "drift",
        usage: "cargo xtask drift SPEC --was OLD_DOCUMENT | --since GIT_REV",
        about: "Diffs the document revision the spec transcribed (a file, or the spec's `source:` at a git revision) with its current `source:`; prints each changed hunk (added / removed / reworded), the spec entries whose provenance lies in it (file:line:column) and what to do. Exits 1 while any hunk is left.",
    },
    Help {
        name: "openapi",
        usage: "cargo xtask openapi SPEC | --validate",
        about: "Prints a spec as OpenAPI 3.1; --validate exports every spec and validates each (openapi-spec-validator in a virtualenv under target/).",
    },
    Help {
        name: "test",
        usage: "cargo xtask test [ARGS...]",
        about: "Installs what the tests need (redis-server, python3), then runs `cargo test --workspace ARGS...`.",
    },
    Help {
        name: "fuzz",
        usage: "cargo xtask fuzz TARGET|all [--execs N] [--seconds S] [--seed X]",
        about: "Runs the stable-Rust fuzz harness (fuzz/, see README \"Fuzzing\").",
    },
    Help {
        name: "mock",
        usage: "cargo xtask mock SPEC [OPTIONS]",
        about: "Runs the spec-driven strict mock server (mock/, the spec-mock binary) until interrupted; `cargo xtask mock --help` prints its options and control surface.",
    },
];

fn usage() -> String {
    let mut out = String::from("usage:\n");
    for c in COMMANDS {
        out.push_str(&format!("  {}\n", c.usage));
    }
    out.push_str("`cargo xtask COMMAND --help` explains one.");
    out
}

fn help(name: &str) -> Option<String> {
    COMMANDS
        .iter()
        .find(|c| c.name == name)
        .map(|c| format!("usage: {}\n\n{}", c.usage, c.about))
}

fn wants_help(args: &[&str]) -> bool {
    args.iter().any(|a| matches!(*a, "--help" | "-h"))
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let root = workspace_root();
    match args.as_slice() {
        [] | ["--help" | "-h" | "help"] => {
            println!("{}", usage());
            return ExitCode::SUCCESS;
        }
        // The mock's own binary explains its options.
        ["mock", rest @ ..] if wants_help(rest) => {
            if let Some(h) = help("mock") {
                println!("{h}\n");
            }
            return match mock::run(&root, &["--help"]) {
                Ok(()) => ExitCode::SUCCESS,
                Err(message) => {
                    eprintln!("{message}");
                    ExitCode::FAILURE
                }
            };
        }
        [name, rest @ ..] if wants_help(rest) => {
            return match help(name) {
                Some(h) => {
                    println!("{h}");
                    ExitCode::SUCCESS
                }
                None => {
                    eprintln!("unknown command `{name}`\n{}", usage());
                    ExitCode::from(2)
                }
            };
        }
        _ => {}
    }
    let result = match args.as_slice() {
        ["codegen"] => codegen(&root, Mode::Write),
        ["codegen", "--check"] => codegen(&root, Mode::Check),
        ["check-spec", files @ ..] if !files.is_empty() => check_specs(files),
        ["audit", files @ ..] if !files.is_empty() => audit::run(files),
        ["drift", args @ ..] if !args.is_empty() => drift::run(args),
        ["openapi", "--validate"] => {
            // The vendor specs and the signing dialects (whose custom recipes become `x-`
            // extensions the validator must accept too).
            spec_files(&root.join("specs"))
                .and_then(|mut s| {
                    s.extend(spec_files(&root.join("codegen/tests/dialects"))?);
                    Ok(s)
                })
                .and_then(|s| openapi::validate_all(&root, &s))
        }
        ["openapi", file] => openapi::print(file),
        ["test", rest @ ..] => test::run(&root, rest),
        ["fuzz", args @ ..] => fuzz::fuzz(&root, args),
        ["mock", args @ ..] if !args.is_empty() => mock::run(&root, args),
        _ => {
            eprintln!("{}", usage());
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Write,
    Check,
}

/// Every file `cargo xtask codegen` owns, with its expected contents.
fn expected_files(root: &Path) -> Result<Vec<(PathBuf, String)>, String> {
    let specs = spec_files(&root.join("specs"))?;
    let generated = codegen::Config::new()
        .spec_root(root)
        .require_sources(true)
        .generate(&specs)
        .map_err(|e| e.to_string())?;
    let mut files: Vec<(PathBuf, String)> = generated
        .into_iter()
        .map(|f| {
            let dir = match f.kind {
                GeneratedKind::Module => root.join("generated-client/src"),
                GeneratedKind::ExampleTests => root.join("generated-client/tests/examples"),
            };
            (dir.join(f.file_name), f.contents)
        })
        .collect();
    let schema = codegen::spec::schema::spec_schema();
    let schema = serde_json::to_string_pretty(schema).map_err(|e| e.to_string())? + "\n";
    files.push((root.join("specs/spec.schema.json"), schema));
    Ok(files)
}

/// Generated files on disk that no spec produces any more (a removed vendor).
fn orphans(root: &Path, expected: &[(PathBuf, String)]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for dir in ["generated-client/src", "generated-client/tests/examples"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let is_generated =
                std::fs::read_to_string(&path).is_ok_and(|s| s.starts_with(codegen::emit::MARK));
            if is_generated && !expected.iter().any(|(p, _)| *p == path) {
                out.push(path);
            }
        }
    }
    out
}

fn codegen(root: &Path, mode: Mode) -> Result<(), String> {
    let started = Instant::now();
    let expected = expected_files(root)?;
    let stale: Vec<&PathBuf> = expected
        .iter()
        .filter(|(path, contents)| {
            std::fs::read_to_string(path).ok().as_deref() != Some(contents.as_str())
        })
        .map(|(path, _)| path)
        .collect();
    let orphans = orphans(root, &expected);
    let show = |p: &Path| p.strip_prefix(root).unwrap_or(p).display().to_string();
    match mode {
        Mode::Check => {
            if stale.is_empty() && orphans.is_empty() {
                eprintln!("generated code is up to date ({} files)", expected.len());
                return Ok(());
            }
            let mut msg = String::from("generated code is stale; run `cargo xtask codegen`:\n");
            for p in &stale {
                msg.push_str(&format!("  stale: {}\n", show(p)));
            }
            for p in &orphans {
                msg.push_str(&format!("  no longer generated: {}\n", show(p)));
            }
            Err(msg)
        }
        Mode::Write => {
            for (path, contents) in expected.iter().filter(|(p, _)| stale.contains(&p)) {
                std::fs::write(path, contents).map_err(|e| format!("{}: {e}", path.display()))?;
                eprintln!("wrote {}", show(path));
            }
            for p in &orphans {
                std::fs::remove_file(p).map_err(|e| format!("{}: {e}", p.display()))?;
                eprintln!("removed {}", show(p));
            }
            eprintln!(
                "{} files up to date in {:.0?}",
                expected.len(),
                started.elapsed()
            );
            Ok(())
        }
    }
}

fn check_specs(files: &[&str]) -> Result<(), String> {
    let mut failed = 0;
    for file in files {
        let path = Path::new(file);
        let checked = codegen::spec::load(path).and_then(|loaded| {
            codegen::validate::validate(&loaded)?;
            Ok(codegen::validate::refusals::warnings(&loaded))
        });
        match checked {
            Ok(warnings) => {
                eprint!("{}", warnings.render(|p| std::fs::read_to_string(p).ok()));
                eprintln!("{file}: ok");
            }
            Err(diags) => {
                failed += diags.len();
                eprint!("{}", diags.render(|p| std::fs::read_to_string(p).ok()));
            }
        }
    }
    if failed == 0 {
        Ok(())
    } else {
        Err(format!("{failed} error(s)"))
    }
}

/// The `*.yaml` files of `dir`, sorted.
fn spec_files(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let mut specs: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    specs.sort();
    Ok(specs)
}

/// The workspace root, whatever directory `cargo xtask` was run from.
fn workspace_root() -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir.parent().unwrap_or(manifest_dir).to_path_buf()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_subcommand_has_help() {
        for name in [
            "codegen",
            "check-spec",
            "audit",
            "openapi",
            "test",
            "fuzz",
            "mock",
        ] {
            let text = help(name).unwrap_or_else(|| panic!("no help for `{name}`"));
            assert!(usage().contains(&format!("cargo xtask {name}")), "{text}");
        }
        assert!(help("nonsense").is_none());
        assert!(wants_help(&["SPEC", "-h"]) && !wants_help(&["SPEC"]));
    }

    /// The same check as `cargo xtask codegen --check`, so `cargo test` catches drift.
    #[test]
    fn generated_code_is_fresh() {
        if let Err(msg) = codegen(&workspace_root(), Mode::Check) {
            panic!("{msg}");
        }
    }
}
