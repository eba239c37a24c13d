//! The accept loop and each connection: the bounds that keep the mock answering under abuse.
//!
//! - **Connection cap** (`max_connections`): at the cap, the connection that has gone longest
//!   without I/O and is not inside a request is closed to make room (slow or idle clients
//!   cannot lock others out); when every connection is inside a request, the new one is
//!   answered `503` with an `x-mock-refusal` header and closed.
//! - **Header-read timeout** (hyper's `header_read_timeout`, which also bounds an idle
//!   keep-alive connection waiting for its next request) and an **idle timeout** (no byte in
//!   either direction while a request's body or answer is under way; scripted delays excepted).
//! - **Strict request heads**: every line of a request head must end in CRLF. httparse (under
//!   hyper) also accepts a bare LF, so [`StrictIo`] checks the bytes before hyper reads them:
//!   the first request line is read here and a bad one answered `400` with the reason; a bare
//!   LF in any later head closes the connection.
//! - When accepting fails (no file descriptor left), the loop waits briefly instead of spinning.

use std::collections::HashMap;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, oneshot, watch};
use tower::ServiceExt;

use crate::ServerLimits;

/// The longest first request line read before giving up on it.
const MAX_REQUEST_LINE: usize = 8 << 10;
/// The longest header line whose framing (`content-length`) is read.
const MAX_TRACKED_LINE: usize = 8 << 10;

/// One connection as the accept loop sees it.
pub(crate) struct ConnState {
    /// Requests being answered on it now.
    busy: AtomicUsize,
    /// Scripted delays under way (no I/O is expected meanwhile).
    scripted_waits: AtomicUsize,
    /// Milliseconds since `epoch` of the last byte read or written.
    last_io: AtomicU64,
    epoch: Instant,
    kill: Notify,
}

impl ConnState {
    fn new() -> Self {
        ConnState {
            busy: AtomicUsize::new(0),
            scripted_waits: AtomicUsize::new(0),
            last_io: AtomicU64::new(0),
            epoch: Instant::now(),
            kill: Notify::new(),
        }
    }

    fn touch(&self) {
        let ms = u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.last_io.store(ms, Ordering::Relaxed);
    }

    fn idle_for(&self) -> Duration {
        let now = u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX);
        Duration::from_millis(now.saturating_sub(self.last_io.load(Ordering::Relaxed)))
    }

    /// Marks a scripted delay for the idle timeout; the guard ends it.
    pub(crate) fn scripted_wait(self: &Arc<Self>) -> impl Drop + use<> {
        self.scripted_waits.fetch_add(1, Ordering::Relaxed);
        Decrement(self.clone(), Counter::ScriptedWaits)
    }
}

enum Counter {
    Busy,
    ScriptedWaits,
}

struct Decrement(Arc<ConnState>, Counter);

impl Drop for Decrement {
    fn drop(&mut self) {
        match self.1 {
            Counter::Busy => self.0.busy.fetch_sub(1, Ordering::Relaxed),
            Counter::ScriptedWaits => self.0.scripted_waits.fetch_sub(1, Ordering::Relaxed),
        };
    }
}

#[derive(Default)]
struct Registry {
    connections: Mutex<HashMap<u64, Arc<ConnState>>>,
}

impl Registry {
    /// Room for one more connection: below the cap, or by closing the connection idle longest
    /// that is not answering a request. `false` when every connection is busy.
    fn admit(&self, id: u64, cap: usize) -> Option<Arc<ConnState>> {
        let mut connections = self.connections.lock().unwrap_or_else(|p| p.into_inner());
        if connections.len() >= cap {
            let victim = connections
                .iter()
                .filter(|(_, c)| c.busy.load(Ordering::Relaxed) == 0)
                .max_by_key(|(_, c)| c.idle_for())
                .map(|(id, _)| *id)?;
            if let Some(c) = connections.remove(&victim) {
                c.kill.notify_one();
            }
        }
        let state = Arc::new(ConnState::new());
        connections.insert(id, state.clone());
        Some(state)
    }

    fn remove(&self, id: u64) {
        self.connections
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&id);
    }
}

/// Serves `app` on `listener` until `stopped` fires (or its sender is dropped).
pub(crate) async fn serve(
    listener: TcpListener,
    app: Router,
    limits: ServerLimits,
    mut stopped: oneshot::Receiver<()>,
) {
    let registry = Arc::new(Registry::default());
    // Dropped when this function returns: every connection task then ends.
    let (_shutdown, shutdown) = watch::channel(());
    let mut next_id = 0_u64;
    loop {
        let stream = tokio::select! {
            _ = &mut stopped => return,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    // EMFILE/ENFILE and friends: retrying at once would spin.
                    tracing::warn!(target: "spec_mock", "accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            }
        };
        next_id += 1;
        let id = next_id;
        let Some(state) = registry.admit(id, limits.max_connections) else {
            tracing::info!(
                target: "spec_mock",
                cap = limits.max_connections,
                "refused a connection: every connection is answering a request"
            );
            tokio::spawn(refuse(stream, limits.max_connections));
            continue;
        };
        let (app, registry, mut shutdown) = (app.clone(), registry.clone(), shutdown.clone());
        tokio::spawn(async move {
            tokio::select! {
                _ = connection(stream, app, limits, state.clone()) => {}
                _ = state.kill.notified() => {}
                _ = shutdown.changed() => {}
            }
            registry.remove(id);
        });
    }
}

/// `503` for a connection over the cap.
async fn refuse(mut stream: TcpStream, cap: usize) {
    let body = format!(
        "{{\"error\":\"mock: {cap} connections are answering requests (max_connections); try again\"}}"
    );
    let answer = format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\nx-mock-refusal: connection_cap; reason=all {cap} connections are busy\r\nretry-after: 1\r\nconnection: close\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    );
    let _ = tokio::time::timeout(Duration::from_secs(1), async {
        let _ = stream.write_all(answer.as_bytes()).await;
        let _ = stream.shutdown().await;
    })
    .await;
}

async fn connection(
    mut stream: TcpStream,
    app: Router,
    limits: ServerLimits,
    state: Arc<ConnState>,
) {
    state.touch();
    let first = match tokio::time::timeout(
        limits.header_read_timeout,
        read_request_line(&mut stream),
    )
    .await
    {
        Ok(Ok(bytes)) => bytes,
        Ok(Err(LineError::Closed)) | Err(_) => return,
        Ok(Err(LineError::Bad(why))) => {
            tracing::info!(target: "spec_mock", "refused a request line: {why}");
            let body = format!("{{\"error\":\"mock: {why}\"}}");
            let answer = format!(
                "HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\nx-mock-refusal: bad_request_line; reason={why}\r\nconnection: close\r\ncontent-length: {}\r\n\r\n{body}",
                body.len()
            );
            let _ = tokio::time::timeout(Duration::from_secs(1), async {
                let _ = stream.write_all(answer.as_bytes()).await;
                let _ = stream.shutdown().await;
            })
            .await;
            return;
        }
    };
    let io = StrictIo::new(stream, first, state.clone());
    let service_state = state.clone();
    let service =
        hyper::service::service_fn(move |mut req: hyper::Request<hyper::body::Incoming>| {
            service_state.busy.fetch_add(1, Ordering::Relaxed);
            let guard = Decrement(service_state.clone(), Counter::Busy);
            req.extensions_mut().insert(service_state.clone());
            let app = app.clone();
            async move {
                let answer = app.oneshot(req.map(Body::new)).await;
                drop(guard);
                answer
            }
        });
    let served = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .max_buf_size(64 << 10)
        .serve_connection(TokioIo::new(io), service);
    tokio::select! {
        _ = served => {}
        _ = idle_watch(&state, limits.idle_timeout) => {
            tracing::debug!(target: "spec_mock", "closed an idle connection");
        }
    }
}

/// Resolves when the connection has gone `idle` without I/O (scripted delays excepted).
async fn idle_watch(state: &ConnState, idle: Duration) {
    let tick = (idle / 4).clamp(Duration::from_millis(50), Duration::from_secs(1));
    loop {
        tokio::time::sleep(tick).await;
        if state.scripted_waits.load(Ordering::Relaxed) == 0 && state.idle_for() >= idle {
            return;
        }
    }
}

enum LineError {
    Closed,
    Bad(String),
}

/// Reads up to the end of the first request line (leading empty lines allowed) and checks it:
/// `METHOD SP TARGET SP HTTP/1.x CRLF`. Returns every byte read.
async fn read_request_line(stream: &mut TcpStream) -> Result<Vec<u8>, LineError> {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0_u8; 1024];
    loop {
        let start = buf
            .iter()
            .take_while(|b| **b == b'\r' || **b == b'\n')
            .count();
        if let Some(end) = buf[start..].iter().position(|b| *b == b'\n') {
            let line = &buf[start..start + end];
            check_request_line(line).map_err(LineError::Bad)?;
            return Ok(buf);
        }
        if buf.len() >= MAX_REQUEST_LINE {
            return Err(LineError::Bad(format!(
                "the request line is longer than {MAX_REQUEST_LINE} bytes"
            )));
        }
        let n = stream
            .read(&mut chunk)
            .await
            .map_err(|_| LineError::Closed)?;
        if n == 0 {
            return Err(LineError::Closed);
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

/// A request line without its LF: it must end in CR and read `METHOD SP TARGET SP HTTP/1.x`.
fn check_request_line(line: &[u8]) -> Result<(), String> {
    let Some(line) = line.strip_suffix(b"\r") else {
        return Err("the request line must end in CRLF (a bare LF is refused)".into());
    };
    let text = std::str::from_utf8(line).map_err(|_| "the request line is not ASCII")?;
    let parts: Vec<&str> = text.split(' ').collect();
    let [method, target, version] = parts.as_slice() else {
        return Err("the request line must be `METHOD SP TARGET SP HTTP/1.1`".into());
    };
    let token = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
    };
    if !token(method) {
        return Err("the method is not a token".into());
    }
    if target.is_empty() || !target.bytes().all(|b| b.is_ascii_graphic()) {
        return Err("the request target is empty or not visible ASCII".into());
    }
    if !matches!(*version, "HTTP/1.1" | "HTTP/1.0") {
        return Err("the version must be HTTP/1.1 or HTTP/1.0".into());
    }
    Ok(())
}

/// Where a connection's byte stream is, for the head check.
#[derive(Debug)]
enum Framing {
    /// Reading a head: the current line so far (up to a cap) and the body length seen.
    Head {
        line: Vec<u8>,
        line_len: usize,
        started: bool,
        content_length: u64,
    },
    /// Skipping a body of this many more bytes.
    Body(u64),
    /// A chunked body: heads after it are no longer tracked (hyper still frames them).
    Untracked,
}

impl Framing {
    fn head() -> Framing {
        Framing::Head {
            line: Vec::new(),
            line_len: 0,
            started: false,
            content_length: 0,
        }
    }

    /// Feeds bytes hyper is about to read; an error gives the offset of a bare LF in `bytes`.
    fn feed(&mut self, all: &[u8]) -> Result<(), (usize, &'static str)> {
        let mut bytes = all;
        while !bytes.is_empty() {
            match self {
                Framing::Untracked => return Ok(()),
                Framing::Body(left) => {
                    let n = usize::try_from(*left)
                        .unwrap_or(usize::MAX)
                        .min(bytes.len());
                    *left -= n as u64;
                    bytes = &bytes[n..];
                    if *left == 0 {
                        *self = Framing::head();
                    }
                }
                Framing::Head {
                    line,
                    line_len,
                    started,
                    content_length,
                } => {
                    let b = bytes[0];
                    bytes = &bytes[1..];
                    if b != b'\n' {
                        *line_len += 1;
                        if line.len() < MAX_TRACKED_LINE {
                            line.push(b);
                        }
                        continue;
                    }
                    if line.last() != Some(&b'\r') {
                        let at = all.len() - bytes.len() - 1;
                        return Err((at, "a line of a request head ends in a bare LF"));
                    }
                    let text = &line[..line.len() - 1];
                    if text.is_empty() {
                        if !*started {
                            // Empty lines before a request line are allowed (RFC 9112 §2.2).
                            line.clear();
                            *line_len = 0;
                            continue;
                        }
                        *self = if *content_length > 0 {
                            Framing::Body(*content_length)
                        } else {
                            Framing::head()
                        };
                        continue;
                    }
                    *started = true;
                    let lower = text.to_ascii_lowercase();
                    if let Some(v) = lower.strip_prefix(b"content-length:") {
                        *content_length = std::str::from_utf8(v)
                            .ok()
                            .and_then(|v| v.trim().parse().ok())
                            .unwrap_or(0);
                    } else if lower.starts_with(b"transfer-encoding:") {
                        *self = Framing::Untracked;
                        return Ok(());
                    }
                    line.clear();
                    *line_len = 0;
                }
            }
        }
        Ok(())
    }
}

/// The connection as hyper reads it: the bytes already read for the first line, then the
/// socket; every read checked by [`Framing`] and every byte counted as activity.
struct StrictIo {
    stream: TcpStream,
    prefix: Vec<u8>,
    prefix_at: usize,
    framing: Framing,
    /// A bare LF was found: the bytes before it were handed over, the next read fails.
    failed: Option<&'static str>,
    state: Arc<ConnState>,
}

impl StrictIo {
    fn new(stream: TcpStream, prefix: Vec<u8>, state: Arc<ConnState>) -> Self {
        StrictIo {
            stream,
            prefix,
            prefix_at: 0,
            framing: Framing::head(),
            failed: None,
            state,
        }
    }
}

impl AsyncRead for StrictIo {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if let Some(why) = this.failed {
            tracing::info!(target: "spec_mock", "closed a connection: {why}");
            return Poll::Ready(Err(io::Error::new(io::ErrorKind::InvalidData, why)));
        }
        let before = buf.filled().len();
        if this.prefix_at < this.prefix.len() {
            let rest = &this.prefix[this.prefix_at..];
            let n = rest.len().min(buf.remaining());
            buf.put_slice(&rest[..n]);
            this.prefix_at += n;
        } else {
            match Pin::new(&mut this.stream).poll_read(cx, buf) {
                Poll::Ready(Ok(())) => {}
                other => return other,
            }
        }
        let new = &buf.filled()[before..];
        if !new.is_empty() {
            this.state.touch();
        }
        if let Err((at, why)) = this.framing.feed(new) {
            // Requests before the bad line are answered; the connection ends at it.
            buf.set_filled(before + at);
            this.failed = Some(why);
            if at == 0 {
                tracing::info!(target: "spec_mock", "closed a connection: {why}");
                return Poll::Ready(Err(io::Error::new(io::ErrorKind::InvalidData, why)));
            }
        }
        Poll::Ready(Ok(()))
    }
}

impl AsyncWrite for StrictIo {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let written = Pin::new(&mut this.stream).poll_write(cx, data);
        if matches!(written, Poll::Ready(Ok(n)) if n > 0) {
            this.state.touch();
        }
        written
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_lines_must_end_in_crlf_and_have_three_parts() {
        assert!(check_request_line(b"GET / HTTP/1.1\r").is_ok());
        for bad in [
            &b"GET / HTTP/1.1"[..],
            b"GET /  HTTP/1.1\r",
            b"GET / HTTP/2.0\r",
            b"G(T / HTTP/1.1\r",
            b"GET\r",
        ] {
            assert!(
                check_request_line(bad).is_err(),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
    }

    #[test]
    fn framing_follows_bodies_and_refuses_a_bare_lf_in_a_later_head() {
        let mut f = Framing::head();
        let first = b"POST /a HTTP/1.1\r\ncontent-length: 5\r\n\r\nab\ncd";
        assert_eq!(f.feed(first), Ok(()), "a bare LF inside a body is data");
        assert_eq!(f.feed(b"GET /b HTTP/1.1\r\nhost: x\r\n\r\n"), Ok(()));
        assert!(f.feed(b"GET /c HTTP/1.1\nhost: x\r\n\r\n").is_err());
        let mut f = Framing::head();
        assert_eq!(
            f.feed(b"POST /a HTTP/1.1\r\ntransfer-encoding: chunked\r\n\r\n5\nhello"),
            Ok(())
        );
    }
}
