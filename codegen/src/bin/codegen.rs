//! `codegen`: the generator as a command, for use outside this repository.
//!
//! ```text
//! codegen generate SPEC... --out DIR [--runtime-path PATH] [LIMITS]
//! codegen check SPEC... [LIMITS]
//! LIMITS: --max-bytes N  --max-nodes N  --max-aliases N
//! ```
//!
//! Diagnostics are the library's (and `cargo xtask check-spec`'s): every problem of every
//! spec, each with `file:line:column`. Exit status: 0 success, 1 invalid spec or I/O error,
//! 2 usage error.

use std::path::PathBuf;
use std::process::ExitCode;

use codegen::{Config, Limits};

const USAGE: &str = "usage: codegen generate SPEC... --out DIR [--runtime-path PATH] [--max-bytes N] [--max-nodes N] [--max-aliases N]
       codegen check SPEC... [--max-bytes N] [--max-nodes N] [--max-aliases N]";

enum Command {
    Generate,
    Check,
}

struct Args {
    command: Command,
    specs: Vec<PathBuf>,
    out: Option<PathBuf>,
    config: Config,
}

fn parse(mut args: impl Iterator<Item = String>) -> Result<Args, String> {
    let command = match args.next().as_deref() {
        Some("generate") => Command::Generate,
        Some("check") => Command::Check,
        Some(other) => return Err(format!("unknown command `{other}`")),
        None => return Err("no command".to_owned()),
    };
    let mut parsed = Args {
        command,
        specs: Vec::new(),
        out: None,
        config: Config::new(),
    };
    let mut limits = Limits::default();
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        let mut number = |name: &str| -> Result<usize, String> {
            let text = value(name)?;
            text.parse()
                .map_err(|_| format!("{name}: `{text}` is not a number"))
        };
        match arg.as_str() {
            "--out" => parsed.out = Some(PathBuf::from(value("--out")?)),
            "--runtime-path" => {
                parsed.config.runtime_path(value("--runtime-path")?);
            }
            "--max-bytes" => limits = limits.with_max_bytes(number("--max-bytes")?),
            "--max-nodes" => limits = limits.with_max_nodes(number("--max-nodes")?),
            "--max-aliases" => limits = limits.with_max_aliases(number("--max-aliases")?),
            flag if flag.starts_with("--") => return Err(format!("unknown option `{flag}`")),
            spec => parsed.specs.push(PathBuf::from(spec)),
        }
    }
    parsed.config.limits(limits);
    if parsed.specs.is_empty() {
        return Err("no spec given".to_owned());
    }
    match (&parsed.command, &parsed.out) {
        (Command::Generate, None) => return Err("`generate` needs --out DIR".to_owned()),
        (Command::Check, Some(_)) => return Err("`check` writes nothing; drop --out".to_owned()),
        _ => {}
    }
    Ok(parsed)
}

fn main() -> ExitCode {
    let args = match parse(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(message) => {
            eprintln!("error: {message}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let mut config = args.config;
    let result = match (args.command, args.out) {
        (Command::Generate, Some(out)) => config.out_dir(out).write(&args.specs).map(|written| {
            for path in written {
                eprintln!("wrote {}", path.display());
            }
        }),
        _ => config.warnings(&args.specs).map(|warnings| {
            eprint!("{}", warnings.render(|p| std::fs::read_to_string(p).ok()));
            for spec in &args.specs {
                eprintln!("{}: ok", spec.display());
            }
        }),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("{err}");
            ExitCode::FAILURE
        }
    }
}
