//! `cargo xtask test [ARGS...]`: the project's test command. Installs what the tests need on a
//! fresh machine that has only the Rust toolchain (`redis-server`, `python3`, through `apt-get`
//! as root), then runs `cargo test --workspace ARGS...`.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

pub fn run(root: &Path, args: &[&str]) -> Result<(), String> {
    ensure_programs()?;
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut child = Command::new(cargo)
        .args(["test", "--workspace"])
        .args(args)
        .current_dir(root)
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run cargo test: {e}"))?;
    // Test output is passed through as it comes; the per-binary counts are added up so the
    // run ends on one line that says what the whole suite did.
    let mut total = Totals::default();
    if let Some(out) = child.stdout.take() {
        for line in BufReader::new(out).lines() {
            let line = line.map_err(|e| format!("reading cargo test output: {e}"))?;
            total.add(&line);
            println!("{line}");
        }
    }
    let status = child
        .wait()
        .map_err(|e| format!("waiting for cargo test: {e}"))?;
    println!(
        "workspace: {} passed, {} failed, {} ignored",
        total.passed, total.failed, total.ignored
    );
    if status.success() {
        Ok(())
    } else {
        Err(format!("cargo test --workspace failed ({status})"))
    }
}

/// Counts summed over every `test result:` line of a `cargo test` run.
#[derive(Default, Debug, PartialEq)]
struct Totals {
    passed: u64,
    failed: u64,
    ignored: u64,
}

impl Totals {
    /// Adds `test result: ok. 12 passed; 0 failed; 1 ignored; …`; other lines change nothing.
    fn add(&mut self, line: &str) {
        let Some(rest) = line.trim().strip_prefix("test result: ") else {
            return;
        };
        for part in rest.split(';') {
            let mut words = part.split_whitespace().rev();
            let (Some(kind), Some(n)) = (words.next(), words.next()) else {
                continue;
            };
            let Ok(n) = n.parse::<u64>() else { continue };
            match kind {
                "passed" => self.passed += n,
                "failed" => self.failed += n,
                "ignored" => self.ignored += n,
                _ => {}
            }
        }
    }
}

/// A program the tests run, and the Debian package that provides it.
struct Needed {
    program: &'static str,
    package: &'static str,
    why: &'static str,
}

/// What the tests start by themselves; each test fails loudly when its program is missing.
const NEEDED: &[Needed] = &[
    Needed {
        program: "redis-server",
        package: "redis-server",
        why: "the Redis-backed token store is tested against a real server",
    },
    Needed {
        program: "python3",
        package: "python3",
        why: "the signing dialects are checked against independent Python computations",
    },
];

fn has(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Installs every missing program of [`NEEDED`] with `apt-get` (as root).
fn ensure_programs() -> Result<(), String> {
    let missing: Vec<&Needed> = NEEDED.iter().filter(|n| !has(n.program)).collect();
    if missing.is_empty() {
        return Ok(());
    }
    let packages: Vec<&str> = missing.iter().map(|n| n.package).collect();
    let is_root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
    if !is_root {
        let why: Vec<String> = missing
            .iter()
            .map(|n| format!("{} ({})", n.program, n.why))
            .collect();
        return Err(format!(
            "missing and this is not root: {}; install them (`sudo apt-get install -y {}`) and \
             run `cargo xtask test` again",
            why.join(", "),
            packages.join(" ")
        ));
    }
    eprintln!("== installing {} (apt-get)", packages.join(" "));
    let mut install = vec!["install", "-y", "--no-install-recommends"];
    install.extend(&packages);
    for args in [&["update"][..], &install[..]] {
        let status = Command::new("apt-get")
            .args(args)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .status()
            .map_err(|e| format!("cannot run apt-get: {e}"))?;
        if !status.success() {
            return Err(format!("apt-get {} failed ({status})", args.join(" ")));
        }
    }
    match missing.iter().find(|n| !has(n.program)) {
        Some(n) => Err(format!(
            "{} is still missing after apt-get install",
            n.program
        )),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn totals_add_up_the_result_lines() {
        let mut t = Totals::default();
        for line in [
            "test result: ok. 12 passed; 0 failed; 1 ignored; 0 measured; 0 filtered out; finished in 0.5s",
            "running 3 tests",
            "test result: FAILED. 2 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.1s",
            "test something ... ok",
        ] {
            t.add(line);
        }
        assert_eq!(
            t,
            Totals {
                passed: 14,
                failed: 1,
                ignored: 1
            }
        );
    }
}
