//! The harness cannot silently miss a panic or a leak: planted targets prove it.

use std::sync::Mutex;
use std::time::Duration;

use fuzz::harness::{self, Options, Rng, Target};
use fuzz::mutate::bytes;

/// The panic hook is process-wide: these tests take turns.
static SERIAL: Mutex<()> = Mutex::new(());

/// Panics on any input containing `!`, which byte-level mutation of `hello` soon produces.
struct Planted;

impl Target for Planted {
    fn name(&self) -> &'static str {
        "planted"
    }
    fn seeds(&self) -> Vec<Vec<u8>> {
        vec![b"hello".to_vec()]
    }
    fn mutate(&self, rng: &mut Rng, input: &[u8], other: &[u8]) -> Vec<u8> {
        let mut out = input.to_vec();
        bytes::mutate(rng, &mut out, other);
        out
    }
    fn run(&self, input: &[u8]) -> String {
        if input.contains(&b'!') {
            panic!("planted panic on {} bytes", input.len());
        }
        format!("len {}", input.len().min(8))
    }
}

/// Keeps 64 KiB per execution (memory is sampled every 1,024 executions: 64 MiB).
struct Leaky(Mutex<Vec<Vec<u8>>>);

impl Target for Leaky {
    fn name(&self) -> &'static str {
        "leaky"
    }
    fn seeds(&self) -> Vec<Vec<u8>> {
        vec![b"x".to_vec()]
    }
    fn mutate(&self, _: &mut Rng, input: &[u8], _: &[u8]) -> Vec<u8> {
        input.to_vec()
    }
    fn run(&self, _: &[u8]) -> String {
        if let Ok(mut kept) = self.0.lock() {
            kept.push(vec![1u8; 64 << 10]);
        }
        "ok".to_owned()
    }
}

fn options(seed: u64, execs: u64, crash_dir: Option<std::path::PathBuf>) -> Options {
    Options {
        seed,
        max_execs: Some(execs),
        max_time: Some(Duration::from_secs(60)),
        max_rss_kib: 4 * 1024 * 1024,
        crash_dir,
        progress_every: None,
        save_each: None,
    }
}

#[test]
fn a_planted_panic_is_caught_saved_and_reproducible_from_its_seed() {
    let _turn = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let dir = std::env::temp_dir().join(format!("fuzz-harness-test-{}", std::process::id()));
    let report = harness::run(&Planted, &options(42, 5_000, Some(dir.clone())));

    assert!(!report.passed());
    assert!(
        report.panics > 0,
        "no panic found in {} execs",
        report.execs
    );
    let crash = &report.crashes[0];
    assert!(crash.message.contains("planted panic"), "{}", crash.message);
    assert!(
        crash.message.contains("tests/harness.rs"),
        "location: {}",
        crash.message
    );
    assert!(crash.input.contains(&b'!'));
    let file = crash.file.as_ref().expect("the crash input is written");
    assert_eq!(std::fs::read(file).expect("readable"), crash.input);

    // The same seed stopped right after the crash index ends on the same input.
    let again = harness::run(&Planted, &options(42, crash.exec + 1, None));
    assert_eq!(again.execs, crash.exec + 1);
    let last = again.crashes.last().expect("the rerun panics too");
    assert_eq!((last.exec, &last.input), (crash.exec, &crash.input));
    // One execution fewer stops before it: the index is exact.
    let before = harness::run(&Planted, &options(42, crash.exec, None));
    assert!(before.crashes.iter().all(|c| c.exec < crash.exec));

    // The saved input replays to the same panic.
    let replayed = harness::replay(&Planted, &crash.input).expect_err("panics");
    assert!(replayed.contains("planted panic"), "{replayed}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_clean_target_passes_and_counts_kinds() {
    let _turn = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    struct Clean;
    impl Target for Clean {
        fn name(&self) -> &'static str {
            "clean"
        }
        fn seeds(&self) -> Vec<Vec<u8>> {
            vec![b"hello".to_vec()]
        }
        fn mutate(&self, rng: &mut Rng, input: &[u8], other: &[u8]) -> Vec<u8> {
            Planted.mutate(rng, input, other)
        }
        fn run(&self, input: &[u8]) -> String {
            format!("len {}", input.len().min(8))
        }
    }
    let report = harness::run(&Clean, &options(7, 3_000, None));
    assert!(report.passed());
    assert_eq!(report.execs, 3_000);
    assert!(report.kinds.len() > 3, "{:?}", report.kinds);
    assert_eq!(report.kinds.values().sum::<u64>(), 3_000);
    assert!(report.peak_rss_kib > 0, "RSS is read from /proc");
}

#[test]
fn growing_memory_stops_the_run() {
    let _turn = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let bound = fuzz::rss::resident_kib() + 32 * 1024;
    // At most 3,000 executions (≤ 192 MiB) even if the bound were not enforced.
    let mut opts = options(1, 3_000, None);
    opts.max_rss_kib = bound;
    let report = harness::run(&Leaky(Mutex::new(Vec::new())), &opts);
    assert!(!report.passed());
    let why = report.memory_exceeded.expect("the bound is enforced");
    assert!(why.contains("exceeds the bound"), "{why}");
    assert!(
        report.execs <= 1_024,
        "stopped at the first sample: {}",
        report.execs
    );
}
