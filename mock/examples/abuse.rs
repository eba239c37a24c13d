//! The spec mock under abuse, on loopback: a bounded load test that stops by itself and prints
//! the figures README.md quotes. It starts the `spec-mock` binary with a 1,024 file-descriptor
//! limit (`ulimit -n 1024`), then runs, one after another:
//!
//! 1. 1,000 concurrent connections, each sending one request;
//! 2. slowloris at the fd limit: 1,100 connections that send a request head one byte at a
//!    time and never finish it, held for 8 s;
//! 3. four 100 MB bodies;
//! 4. 10,000 requests with a 4 MB body to an unknown path (16 at a time, kept alive).
//!
//! Throughout, a probe sends a normal request (`GET /__mock/operations`, new connection) every
//! 100 ms and records its latency; the mock's RSS is sampled from `/proc` every 50 ms.
//!
//! ```sh
//! cargo build -p spec-mock --bin spec-mock --example abuse
//! target/debug/examples/abuse target/debug/spec-mock [REQUESTS_OF_4MB]
//! ```
//! Needs Linux (`/proc`), `sh` and a soft fd limit above 2,200 for itself (`ulimit -n 4096`).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const SPEC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../specs/jfwms.yaml");

struct Watch {
    pid: u32,
    max_rss_kib: AtomicU64,
    max_probe_ms: AtomicU64,
    probes: AtomicU64,
    slow_probes: AtomicU64,
    failed_probes: AtomicU64,
}

impl Watch {
    fn rss_kib(&self) -> u64 {
        status_field(self.pid, "VmRSS:").unwrap_or(0)
    }

    /// Resets the phase maxima and returns the old ones.
    fn take(&self) -> (u64, u64, u64, u64, u64) {
        (
            self.max_rss_kib.swap(self.rss_kib(), Ordering::Relaxed),
            self.max_probe_ms.swap(0, Ordering::Relaxed),
            self.probes.swap(0, Ordering::Relaxed),
            self.slow_probes.swap(0, Ordering::Relaxed),
            self.failed_probes.swap(0, Ordering::Relaxed),
        )
    }
}

fn status_field(pid: u32, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find(|l| l.starts_with(field))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

async fn probe(port: u16) -> Result<Duration, String> {
    let started = Instant::now();
    let exchange = async {
        let mut s = TcpStream::connect(("127.0.0.1", port))
            .await
            .map_err(|e| e.to_string())?;
        s.write_all(b"GET /__mock/operations HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")
            .await
            .map_err(|e| e.to_string())?;
        let mut out = Vec::new();
        s.read_to_end(&mut out).await.map_err(|e| e.to_string())?;
        if out.starts_with(b"HTTP/1.1 200") {
            Ok(())
        } else {
            Err(String::from_utf8_lossy(&out[..out.len().min(120)]).into_owned())
        }
    };
    tokio::time::timeout(Duration::from_secs(5), exchange)
        .await
        .map_err(|_| "no answer in 5 s".to_owned())??;
    Ok(started.elapsed())
}

/// One request on a fresh connection; the status (0 when the connection failed).
async fn one_request(port: u16, head: &[u8], body: &[u8]) -> u16 {
    let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)).await else {
        return 0;
    };
    if s.write_all(head).await.is_err() {
        return 0;
    }
    let _ = s.write_all(body).await;
    let mut out = vec![0_u8; 512];
    let n = tokio::time::timeout(Duration::from_secs(30), s.read(&mut out))
        .await
        .ok()
        .and_then(Result::ok)
        .unwrap_or(0);
    std::str::from_utf8(&out[..n])
        .ok()
        .and_then(|t| t.split(' ').nth(1))
        .and_then(|c| c.parse().ok())
        .unwrap_or(0)
}

fn report(name: &str, watch: &Watch, extra: &str) {
    let (rss, probe_ms, probes, slow, failed) = watch.take();
    println!(
        "{name}: mock RSS max {:.1} MiB; probes {probes}, slowest {probe_ms} ms, over 1 s {slow}, failed {failed}; {extra}",
        rss as f64 / 1024.0
    );
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let binary = args
        .next()
        .ok_or("usage: abuse PATH_TO_spec-mock [REQUESTS_OF_4MB]")?;
    let big_requests: usize = args
        .next()
        .map(|n| n.parse())
        .transpose()?
        .unwrap_or(10_000);
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0")?;
        l.local_addr()?.port()
    };
    let mut child = tokio::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -n 1024 && exec '{binary}' '{SPEC}' --port {port} > /dev/null 2>&1"
        ))
        .kill_on_drop(true)
        .spawn()?;
    let pid = child.id().ok_or("no pid")?;
    let deadline = Instant::now() + Duration::from_secs(30);
    while probe(port).await.is_err() {
        if Instant::now() > deadline {
            return Err("the mock did not start".into());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let watch = Arc::new(Watch {
        pid,
        max_rss_kib: AtomicU64::new(0),
        max_probe_ms: AtomicU64::new(0),
        probes: AtomicU64::new(0),
        slow_probes: AtomicU64::new(0),
        failed_probes: AtomicU64::new(0),
    });
    println!(
        "spec-mock (pid {pid}, fd limit {:?}) on 127.0.0.1:{port}; idle RSS {:.1} MiB",
        std::fs::read_to_string(format!("/proc/{pid}/limits"))
            .ok()
            .and_then(|l| l
                .lines()
                .find(|l| l.starts_with("Max open files"))
                .map(|l| l.split_whitespace().nth(3).unwrap_or("?").to_owned())),
        watch.rss_kib() as f64 / 1024.0
    );
    let running = Arc::new(AtomicBool::new(true));
    let sampler = {
        let (watch, running) = (watch.clone(), running.clone());
        tokio::spawn(async move {
            while running.load(Ordering::Relaxed) {
                watch
                    .max_rss_kib
                    .fetch_max(watch.rss_kib(), Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        })
    };
    let prober = {
        let (watch, running) = (watch.clone(), running.clone());
        tokio::spawn(async move {
            while running.load(Ordering::Relaxed) {
                watch.probes.fetch_add(1, Ordering::Relaxed);
                match probe(port).await {
                    Ok(t) => {
                        let ms = u64::try_from(t.as_millis()).unwrap_or(u64::MAX);
                        watch.max_probe_ms.fetch_max(ms, Ordering::Relaxed);
                        if ms > 1000 {
                            watch.slow_probes.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                    Err(_) => {
                        watch.failed_probes.fetch_add(1, Ordering::Relaxed);
                    }
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        })
    };
    watch.take();

    // 1. 1,000 concurrent connections.
    let started = Instant::now();
    let head = b"GET /nowhere HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n";
    let tasks: Vec<_> = (0..1000)
        .map(|_| tokio::spawn(one_request(port, head, b"")))
        .collect();
    let mut statuses = std::collections::BTreeMap::new();
    for t in tasks {
        *statuses.entry(t.await?).or_insert(0) += 1;
    }
    report(
        "1,000 concurrent connections",
        &watch,
        &format!("statuses {statuses:?} in {:.1?}", started.elapsed()),
    );

    // 2. Slowloris at the fd limit: heads that never end, one byte every 500 ms, for 8 s.
    let stop = Arc::new(AtomicBool::new(false));
    let closed = Arc::new(AtomicUsize::new(0));
    let slow: Vec<_> = (0..1100)
        .map(|_| {
            let (stop, closed) = (stop.clone(), closed.clone());
            tokio::spawn(async move {
                let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)).await else {
                    closed.fetch_add(1, Ordering::Relaxed);
                    return;
                };
                let head = b"GET /nowhere HTTP/1.1\r\nx-slow: ";
                for b in head.iter().chain(std::iter::repeat(&b'a')) {
                    if stop.load(Ordering::Relaxed) {
                        return;
                    }
                    if s.write_all(&[*b]).await.is_err() {
                        closed.fetch_add(1, Ordering::Relaxed);
                        return;
                    }
                    tokio::time::sleep(Duration::from_millis(500)).await;
                }
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_secs(8)).await;
    stop.store(true, Ordering::Relaxed);
    for t in slow {
        let _ = t.await;
    }
    report(
        "slowloris, 1,100 connections for 8 s at a 1,024 fd limit",
        &watch,
        &format!(
            "{} slow connections closed by the mock",
            closed.load(Ordering::Relaxed)
        ),
    );

    // 3. Four 100 MB bodies.
    let body = vec![b'x'; 100 << 20];
    let head = format!(
        "POST /nowhere HTTP/1.1\r\nhost: x\r\ncontent-type: application/octet-stream\r\ncontent-length: {}\r\n\r\n",
        body.len()
    );
    let body = Arc::new(body);
    let tasks: Vec<_> = (0..4)
        .map(|_| {
            let (head, body) = (head.clone(), body.clone());
            tokio::spawn(async move { one_request(port, head.as_bytes(), &body).await })
        })
        .collect();
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await?);
    }
    drop(body);
    report(
        "four 100 MB bodies",
        &watch,
        &format!("statuses {statuses:?}"),
    );

    // 4. 10,000 requests of 4 MB to an unknown path, 16 connections kept alive.
    let started = Instant::now();
    let body = Arc::new(vec![b'y'; 4 << 20]);
    let head = format!(
        "POST /nowhere HTTP/1.1\r\nhost: x\r\ncontent-type: application/octet-stream\r\ncontent-length: {}\r\n\r\n",
        body.len()
    );
    let next = Arc::new(AtomicUsize::new(0));
    let answered = Arc::new(AtomicUsize::new(0));
    let workers: Vec<_> = (0..16)
        .map(|_| {
            let (head, body, next, answered) =
                (head.clone(), body.clone(), next.clone(), answered.clone());
            tokio::spawn(async move {
                let mut conn: Option<TcpStream> = None;
                let mut buf = vec![0_u8; 4096];
                while next.fetch_add(1, Ordering::Relaxed) < big_requests {
                    if conn.is_none() {
                        conn = TcpStream::connect(("127.0.0.1", port)).await.ok();
                    }
                    let Some(s) = conn.as_mut() else { continue };
                    let sent = s.write_all(head.as_bytes()).await.is_ok()
                        && s.write_all(&body).await.is_ok();
                    // The answer is small (an error envelope): one read holds it.
                    let got = sent
                        && matches!(
                            tokio::time::timeout(Duration::from_secs(30), s.read(&mut buf)).await,
                            Ok(Ok(n)) if n > 0 && buf.starts_with(b"HTTP/1.1 ")
                        );
                    if got {
                        answered.fetch_add(1, Ordering::Relaxed);
                    } else {
                        conn = None;
                    }
                }
            })
        })
        .collect();
    for w in workers {
        w.await?;
    }
    report(
        &format!("{big_requests} requests of 4 MB to an unknown path"),
        &watch,
        &format!(
            "{} answered in {:.1?}",
            answered.load(Ordering::Relaxed),
            started.elapsed()
        ),
    );

    running.store(false, Ordering::Relaxed);
    let _ = sampler.await;
    let _ = prober.await;
    println!(
        "mock peak RSS over the whole run (VmHWM): {:.1} MiB",
        status_field(pid, "VmHWM:").unwrap_or(0) as f64 / 1024.0
    );
    child.kill().await?;
    Ok(())
}
