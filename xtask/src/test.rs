//! `cargo xtask test [ARGS...]`: the project's test command. Installs what the tests need on a
//! fresh machine that has only the Rust toolchain (`redis-server`, through `apt-get` as root),
//! then runs `cargo test --workspace ARGS...`.

use std::path::Path;
use std::process::Command;

pub fn run(root: &Path, args: &[&str]) -> Result<(), String> {
    ensure_redis_server()?;
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .args(["test", "--workspace"])
        .args(args)
        .current_dir(root)
        .status()
        .map_err(|e| format!("cannot run cargo test: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("cargo test --workspace failed ({status})"))
    }
}

fn has_redis_server() -> bool {
    Command::new("redis-server")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// The Redis-backed token store is tested against a real `redis-server`.
fn ensure_redis_server() -> Result<(), String> {
    if has_redis_server() {
        return Ok(());
    }
    let is_root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
    if !is_root {
        return Err(
            "redis-server is missing and this is not root: install it (`sudo apt-get install -y \
             redis-server`) and run `cargo xtask test` again"
                .into(),
        );
    }
    eprintln!("== installing redis-server (apt-get)");
    for args in [
        &["update"][..],
        &["install", "-y", "--no-install-recommends", "redis-server"][..],
    ] {
        let status = Command::new("apt-get")
            .args(args)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .status()
            .map_err(|e| format!("cannot run apt-get: {e}"))?;
        if !status.success() {
            return Err(format!("apt-get {} failed ({status})", args.join(" ")));
        }
    }
    if has_redis_server() {
        Ok(())
    } else {
        Err("redis-server is still missing after apt-get install".into())
    }
}
