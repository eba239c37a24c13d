//! `cargo xtask fuzz TARGET|all [--execs N] [--seconds S] [--seed X] [--max-rss-mb M]
//! [--save-each] [--show-kinds N] [--replay FILE]` (run through xtask, which builds this binary with the
//! optimised `fuzz` profile).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use fuzz::harness::{self, Options, Report};
use fuzz::seeds::workspace_root;
use fuzz::targets;

const USAGE: &str = "usage: cargo xtask fuzz TARGET|all [--execs N] [--seconds S] [--seed X] \
[--max-rss-mb M] [--save-each] [--show-kinds N] [--replay FILE]\n  targets: loader, decode, token, webhook";

/// The fuzz loop runs on a thread with this stack, the size of a Tokio worker's and of
/// any spawned thread's: recursion that only fits in the main thread's 8 MiB is a crash.
const STACK: usize = 2 * 1024 * 1024;

struct Args {
    targets: Vec<String>,
    /// How many outcome kinds the report lists.
    show_kinds: usize,
    opts: Options,
    replay: Option<PathBuf>,
}

fn parse_args(args: &[String]) -> Result<Args, String> {
    let mut iter = args.iter();
    let target = iter.next().ok_or("missing TARGET")?;
    let targets = if target == "all" {
        targets::NAMES.iter().map(|s| (*s).to_owned()).collect()
    } else if targets::NAMES.contains(&target.as_str()) {
        vec![target.clone()]
    } else {
        return Err(format!("unknown target `{target}`"));
    };
    let root = workspace_root();
    let mut opts = Options {
        seed: 0,
        max_execs: None,
        max_time: None,
        max_rss_kib: 1024 * 1024,
        crash_dir: Some(root.join("fuzz/crashes")),
        progress_every: Some(Duration::from_secs(10)),
        save_each: None,
    };
    let mut replay = None;
    let mut show_kinds = 12;
    while let Some(flag) = iter.next() {
        let mut value = || iter.next().ok_or(format!("{flag} needs a value"));
        let number = |v: &String| {
            v.replace('_', "")
                .parse::<u64>()
                .map_err(|e| format!("{flag} {v}: {e}"))
        };
        match flag.as_str() {
            "--execs" => opts.max_execs = Some(number(value()?)?),
            "--seconds" => opts.max_time = Some(Duration::from_secs(number(value()?)?)),
            "--seed" => opts.seed = number(value()?)?,
            "--max-rss-mb" => opts.max_rss_kib = number(value()?)? * 1024,
            "--save-each" => opts.save_each = Some(root.join("fuzz/crashes")),
            "--replay" => replay = Some(PathBuf::from(value()?)),
            "--show-kinds" => show_kinds = number(value()?)? as usize,
            other => return Err(format!("unknown option `{other}`")),
        }
    }
    if opts.max_execs.is_none() && opts.max_time.is_none() {
        opts.max_execs = Some(100_000);
    }
    Ok(Args {
        targets,
        show_kinds,
        opts,
        replay,
    })
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args = match parse_args(&args) {
        Ok(args) => args,
        Err(message) => {
            eprintln!("{message}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let worker = std::thread::Builder::new()
        .name("fuzz".to_owned())
        .stack_size(STACK)
        .spawn(move || run(args));
    match worker.map(|w| w.join()) {
        Ok(Ok(true)) => ExitCode::SUCCESS,
        Ok(Ok(false)) => ExitCode::FAILURE,
        Ok(Err(_)) | Err(_) => {
            eprintln!("the fuzz thread failed outside a target");
            ExitCode::FAILURE
        }
    }
}

fn run(args: Args) -> bool {
    let root = workspace_root();
    let mut passed = true;
    for name in &args.targets {
        let Some(target) = targets::by_name(name, &root) else {
            eprintln!("unknown target {name}");
            return false;
        };
        if let Some(file) = &args.replay {
            let input = match std::fs::read(file) {
                Ok(input) => input,
                Err(err) => {
                    eprintln!("{}: {err}", file.display());
                    return false;
                }
            };
            match harness::replay(target.as_ref(), &input) {
                Ok(kind) => println!("{name}: no panic; outcome {kind}"),
                Err(panic) => {
                    println!("{name}: PANIC {panic}");
                    passed = false;
                }
            }
            continue;
        }
        eprintln!(
            "fuzzing `{name}` (seed {}, {} seeds)",
            args.opts.seed,
            target.seeds().len()
        );
        let report = harness::run(target.as_ref(), &args.opts);
        print_report(&report, args.show_kinds);
        passed &= report.passed();
    }
    passed
}

fn print_report(r: &Report, show_kinds: usize) {
    println!(
        "{}: {} execs in {:.1} s ({:.0} execs/s), seed {}, {} panics, {} outcome kinds, \
corpus {}, peak RSS {} KiB (high-water {} KiB), slowest exec {:.1} ms",
        r.target,
        r.execs,
        r.elapsed.as_secs_f64(),
        r.execs_per_sec(),
        r.seed,
        r.panics,
        r.kinds.len(),
        r.corpus_len,
        r.peak_rss_kib,
        r.hwm_kib,
        r.slowest.as_secs_f64() * 1e3,
    );
    let mut kinds: Vec<(&String, &u64)> = r.kinds.iter().collect();
    kinds.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    for (kind, count) in kinds.iter().take(show_kinds) {
        println!("  {count:>10}  {kind}");
    }
    if kinds.len() > show_kinds {
        println!("  … {} more kinds", kinds.len() - show_kinds);
    }
    for crash in &r.crashes {
        let input = crash.file.as_ref().map_or_else(
            || harness::escape(&crash.input),
            |f| f.display().to_string(),
        );
        println!(
            "  PANIC at exec {}: {}\n    input: {input}\n    reproduce: cargo xtask fuzz {} --seed {} --execs {}   or   cargo xtask fuzz {} --replay {input}",
            crash.exec,
            crash.message,
            r.target,
            r.seed,
            crash.exec + 1,
            r.target,
        );
    }
    if let Some(why) = &r.memory_exceeded {
        println!("  MEMORY: {why}");
    }
}
