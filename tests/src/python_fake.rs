//! A vendor fake written in Python (standard library only), started as a child process on a
//! free loopback port and stopped when dropped.
//!
//! Such a fake computes signatures with code that shares nothing with the runtime under test.
//! Fails loudly (never skips) when `python3` is missing: `cargo xtask test` installs it.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// A running Python fake.
pub struct PythonFake {
    child: Child,
    port: u16,
}

impl PythonFake {
    /// Runs `python3 <script> 0 <args…>`; the script binds 127.0.0.1 on a free port and prints
    /// the port as its first line of stdout.
    pub fn start(script: PathBuf, args: &[&str]) -> Self {
        let mut child = Command::new("python3")
            .arg(&script)
            .arg("0")
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "cannot start python3 ({e}); the Python vendor fakes need it: run \
                     `cargo xtask test` (installs it) or `apt-get install -y python3`"
                )
            });
        let stdout = child.stdout.take().expect("piped stdout");
        let (sender, receiver) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = sender.send(line);
        });
        let line = match receiver.recv_timeout(Duration::from_secs(10)) {
            Ok(line) => line,
            Err(_) => {
                let _ = child.kill();
                panic!("{} printed no port within 10 s", script.display());
            }
        };
        let port = match line.trim().parse() {
            Ok(port) => port,
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "{} did not print its port (first line: {line:?}); see its stderr above",
                    script.display()
                );
            }
        };
        PythonFake { child, port }
    }

    /// `http://127.0.0.1:<port>`.
    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for PythonFake {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The path of a script under `tests/vendor6/`.
pub fn vendor6_script(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("vendor6")
        .join(name)
}

/// The Cainiao express EDI fake (`tests/vendor6/fake_cainiao_edi.py`) with the given
/// 对接码 (`logistic_provider_id`) and secret key.
pub fn cainiao_edi(provider_id: &str, secret: &str) -> PythonFake {
    PythonFake::start(
        vendor6_script("fake_cainiao_edi.py"),
        &["--provider-id", provider_id, "--secret", secret],
    )
}

/// Runs the Cainiao fake's self-test (known answers from Java); its exit status and output.
pub fn cainiao_edi_self_test() -> (bool, String) {
    let output = Command::new("python3")
        .arg(vendor6_script("fake_cainiao_edi.py"))
        .arg("--self-test")
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "cannot start python3 ({e}); run `cargo xtask test` (installs it) or \
                 `apt-get install -y python3`"
            )
        });
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}
