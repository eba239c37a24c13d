//! The fuzz loop: pick a corpus entry, mutate it, run the target under
//! `catch_unwind`, count outcome kinds, keep inputs that produced a new kind,
//! watch resident memory.
//!
//! Everything random comes from one seeded PRNG and outcomes are deterministic,
//! so a run is a pure function of (target, seed): rerunning with the same seed
//! and `--execs N+1` stops exactly at exec `N`. Each crash is also written to a
//! file whose bytes `--replay` runs again.

use std::collections::HashMap;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rand::rngs::Xoshiro256PlusPlus;
use rand::{RngExt, SeedableRng};

use crate::rss;

/// The PRNG every mutation draws from: xoshiro256++, a fixed algorithm, so a
/// seed means the same inputs on every machine and release of `rand`.
pub type Rng = Xoshiro256PlusPlus;

/// Something to fuzz: seeds, a structure-aware mutator and the code under test.
pub trait Target {
    fn name(&self) -> &'static str;
    /// The initial corpus.
    fn seeds(&self) -> Vec<Vec<u8>>;
    /// A new input derived from `input`; `other` is another corpus entry to splice from.
    fn mutate(&self, rng: &mut Rng, input: &[u8], other: &[u8]) -> Vec<u8>;
    /// Runs the code under test; returns the outcome kind (`ok`, `err:Decode/syntax`, ...).
    /// Kinds should be few and stable: they are the crude coverage signal.
    fn run(&self, input: &[u8]) -> String;
    /// Mutated inputs are cut to this many bytes.
    fn max_len(&self) -> usize {
        16 * 1024
    }
}

/// How long to run and where to report.
#[derive(Debug, Clone)]
pub struct Options {
    pub seed: u64,
    /// Stop after this many executions (`None`: only `max_time` stops the run).
    pub max_execs: Option<u64>,
    pub max_time: Option<Duration>,
    /// Fail once resident memory exceeds this many KiB.
    pub max_rss_kib: u64,
    /// Where crash inputs are written (`None`: not written).
    pub crash_dir: Option<PathBuf>,
    /// Print a progress line this often (`None`: silent).
    pub progress_every: Option<Duration>,
    /// Write every input to `<dir>/<target>-last-input.bin` before running it (slow): the
    /// way to keep the input of a crash that aborts the process (a stack overflow).
    pub save_each: Option<PathBuf>,
}

/// A caught panic and how to reproduce it.
#[derive(Debug, Clone)]
pub struct Crash {
    /// Index of the execution (0-based) that panicked.
    pub exec: u64,
    /// The panic message and location.
    pub message: String,
    pub input: Vec<u8>,
    pub file: Option<PathBuf>,
}

/// What a run did.
#[derive(Debug, Clone)]
pub struct Report {
    pub target: &'static str,
    pub seed: u64,
    pub execs: u64,
    pub elapsed: Duration,
    pub crashes: Vec<Crash>,
    /// Panics caught, including repeats of a crash already kept.
    pub panics: u64,
    /// Outcome kind → count.
    pub kinds: HashMap<String, u64>,
    pub corpus_len: usize,
    /// Highest resident set size sampled during the run, and the kernel's high-water mark.
    pub peak_rss_kib: u64,
    pub hwm_kib: u64,
    /// Set when the run stopped because memory exceeded the bound.
    pub memory_exceeded: Option<String>,
    /// The slowest single execution.
    pub slowest: Duration,
}

impl Report {
    pub fn execs_per_sec(&self) -> f64 {
        self.execs as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
    pub fn passed(&self) -> bool {
        self.panics == 0 && self.memory_exceeded.is_none()
    }
}

/// More distinct kinds than this are counted under `(other kinds)`, so a message that
/// embeds input text cannot grow the table without bound.
const MAX_KINDS: usize = 4096;
/// Corpus entries kept; a full corpus replaces a random entry.
const MAX_CORPUS: usize = 4096;
/// Distinct crashes kept (by message); repeats are only counted.
const MAX_CRASHES: usize = 20;
/// Memory is sampled every this many executions.
const RSS_EVERY: u64 = 1024;

/// The 64-bit stream seed of a target: the user's seed mixed with the target's name,
/// so `all` with one seed gives each target its own stream.
pub fn stream_seed(seed: u64, target: &str) -> u64 {
    // FNV-1a: fixed, tiny, good enough to separate a handful of names.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in target.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    seed ^ h
}

/// Runs `target` until a bound is reached.
pub fn run(target: &dyn Target, opts: &Options) -> Report {
    let _quiet = PanicCapture::install();
    let mut rng = Rng::seed_from_u64(stream_seed(opts.seed, target.name()));
    let mut corpus: Vec<Vec<u8>> = target.seeds();
    if corpus.is_empty() {
        corpus.push(Vec::new());
    }
    let mut report = Report {
        target: target.name(),
        seed: opts.seed,
        execs: 0,
        elapsed: Duration::ZERO,
        crashes: Vec::new(),
        panics: 0,
        kinds: HashMap::new(),
        corpus_len: 0,
        peak_rss_kib: 0,
        hwm_kib: 0,
        memory_exceeded: None,
        slowest: Duration::ZERO,
    };
    // The seeds themselves run first (unmutated), so a seed that breaks is reported as such.
    let seeds = corpus.len() as u64;
    let started = Instant::now();
    let mut last_progress = started;
    loop {
        let exec = report.execs;
        if opts.max_execs.is_some_and(|max| exec >= max)
            || opts.max_time.is_some_and(|max| started.elapsed() >= max)
        {
            break;
        }
        let input = if exec < seeds {
            corpus[exec as usize].clone()
        } else {
            let parent = rng.random_range(0..corpus.len());
            let other = rng.random_range(0..corpus.len());
            let mut input = target.mutate(&mut rng, &corpus[parent], &corpus[other]);
            input.truncate(target.max_len());
            input
        };
        if let Some(dir) = &opts.save_each {
            let path = dir.join(format!("{}-last-input.bin", target.name()));
            if let Err(err) =
                std::fs::create_dir_all(dir).and_then(|()| std::fs::write(&path, &input))
            {
                eprintln!("cannot write {}: {err}", path.display());
            }
        }
        let t0 = Instant::now();
        let outcome = panic::catch_unwind(AssertUnwindSafe(|| target.run(&input)));
        report.slowest = report.slowest.max(t0.elapsed());
        report.execs += 1;
        match outcome {
            Ok(kind) => {
                let new_kind = record_kind(&mut report.kinds, kind);
                if new_kind && exec >= seeds {
                    if corpus.len() < MAX_CORPUS {
                        corpus.push(input);
                    } else {
                        let slot = rng.random_range(0..corpus.len());
                        corpus[slot] = input;
                    }
                }
            }
            Err(payload) => {
                report.panics += 1;
                let message = PanicCapture::take().unwrap_or_else(|| payload_text(&*payload));
                let seen = report.crashes.iter().any(|c| c.message == message);
                if !seen && report.crashes.len() < MAX_CRASHES {
                    let file = opts
                        .crash_dir
                        .as_deref()
                        .and_then(|dir| save_crash(dir, target.name(), opts.seed, exec, &input));
                    if opts.progress_every.is_some() {
                        eprintln!(
                            "PANIC in `{}` at exec {exec} (seed {}): {message}\n  input: {}",
                            target.name(),
                            opts.seed,
                            file.as_ref()
                                .map_or_else(|| escape(&input), |f| f.display().to_string()),
                        );
                    }
                    report.crashes.push(Crash {
                        exec,
                        message,
                        input,
                        file,
                    });
                }
            }
        }
        if report.execs.is_multiple_of(RSS_EVERY) {
            let now = rss::resident_kib();
            report.peak_rss_kib = report.peak_rss_kib.max(now);
            if now > opts.max_rss_kib {
                report.memory_exceeded = Some(format!(
                    "resident memory {now} KiB exceeds the bound of {} KiB after exec {exec}",
                    opts.max_rss_kib
                ));
                break;
            }
            if let Some(every) = opts.progress_every
                && last_progress.elapsed() >= every
            {
                last_progress = Instant::now();
                let secs = started.elapsed().as_secs_f64();
                eprintln!(
                    "  {}: {} execs, {:.0}/s, {} kinds, corpus {}, rss {} KiB, panics {}",
                    target.name(),
                    report.execs,
                    report.execs as f64 / secs,
                    report.kinds.len(),
                    corpus.len(),
                    now,
                    report.panics
                );
            }
        }
    }
    report.elapsed = started.elapsed();
    report.corpus_len = corpus.len();
    let now = rss::resident_kib();
    report.peak_rss_kib = report.peak_rss_kib.max(now);
    report.hwm_kib = rss::high_water_kib();
    report
}

/// Runs one input (a saved crash) and returns its outcome or the panic message.
pub fn replay(target: &dyn Target, input: &[u8]) -> Result<String, String> {
    let _quiet = PanicCapture::install();
    panic::catch_unwind(AssertUnwindSafe(|| target.run(input)))
        .map_err(|payload| PanicCapture::take().unwrap_or_else(|| payload_text(&*payload)))
}

fn record_kind(kinds: &mut HashMap<String, u64>, kind: String) -> bool {
    if let Some(n) = kinds.get_mut(&kind) {
        *n += 1;
        return false;
    }
    if kinds.len() >= MAX_KINDS {
        *kinds.entry("(other kinds)".to_owned()).or_default() += 1;
        return false;
    }
    kinds.insert(kind, 1);
    true
}

/// Writes a crash input as `<dir>/<target>-seed<S>-exec<N>.bin`.
fn save_crash(dir: &Path, target: &str, seed: u64, exec: u64, input: &[u8]) -> Option<PathBuf> {
    let path = dir.join(format!("{target}-seed{seed}-exec{exec}.bin"));
    let written = std::fs::create_dir_all(dir).and_then(|()| std::fs::write(&path, input));
    match written {
        Ok(()) => Some(path),
        Err(err) => {
            eprintln!("cannot write {}: {err}", path.display());
            None
        }
    }
}

/// Printable form of a short input (for reports without a crash directory).
pub fn escape(input: &[u8]) -> String {
    let shown = &input[..input.len().min(400)];
    format!("{:?}", String::from_utf8_lossy(shown))
}

fn payload_text(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(non-string panic payload)".to_owned())
}

thread_local! {
    static LAST_PANIC: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

type PanicHook = Box<dyn Fn(&panic::PanicHookInfo<'_>) + Sync + Send + 'static>;

/// While alive, panics are recorded (message and location) instead of printed, so
/// millions of caught panics do not flood stderr; the previous hook comes back on drop.
struct PanicCapture {
    previous: Option<PanicHook>,
}

impl PanicCapture {
    fn install() -> PanicCapture {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(|info| {
            let location = info
                .location()
                .map(|l| format!(" at {}:{}:{}", l.file(), l.line(), l.column()))
                .unwrap_or_default();
            let message = payload_text(info.payload());
            LAST_PANIC.with(|p| *p.borrow_mut() = Some(format!("{message}{location}")));
        }));
        PanicCapture {
            previous: Some(previous),
        }
    }

    fn take() -> Option<String> {
        LAST_PANIC.with(|p| p.borrow_mut().take())
    }
}

impl Drop for PanicCapture {
    fn drop(&mut self) {
        if let Some(previous) = self.previous.take() {
            panic::set_hook(previous);
        }
    }
}
