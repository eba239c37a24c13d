//! A hostile server on loopback: every answer is whatever the test's handler returns (huge,
//! malformed, full of control characters, endless), and every request is counted by path.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::response::Response;
use tokio::task::JoinHandle;

/// What the handler sees of a request.
#[derive(Clone, Debug)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    pub body: Vec<u8>,
}

type Handler = dyn Fn(&Seen) -> (u16, Vec<u8>) + Send + Sync;

/// A running hostile server; stops when dropped.
pub struct HostileServer {
    pub base_url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
    task: JoinHandle<()>,
}

impl HostileServer {
    /// Serves `handler`'s (status, JSON body) for every request.
    pub async fn start(handler: impl Fn(&Seen) -> (u16, Vec<u8>) + Send + Sync + 'static) -> Self {
        let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
        let handler: Arc<Handler> = Arc::new(handler);
        let record = seen.clone();
        let app = Router::new().fallback(move |req: Request| {
            let (record, handler) = (record.clone(), handler.clone());
            async move {
                let (parts, body) = req.into_parts();
                let body = to_bytes(body, 64 * 1024 * 1024).await.unwrap_or_default();
                let s = Seen {
                    method: parts.method.to_string(),
                    path: parts.uri.path().to_owned(),
                    query: parts.uri.query().map(str::to_owned),
                    body: body.to_vec(),
                };
                record.lock().unwrap().push(s.clone());
                let (status, body) = handler(&s);
                Response::builder()
                    .status(StatusCode::from_u16(status).unwrap_or(StatusCode::OK))
                    .header(header::CONTENT_TYPE, "application/json")
                    .body(Body::from(body))
                    .unwrap()
            }
        });
        let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .expect("bind loopback");
        let addr = listener.local_addr().expect("local addr");
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        HostileServer {
            base_url: format!("http://{addr}"),
            seen,
            task,
        }
    }

    /// Requests received so far, per path.
    pub fn counts(&self) -> BTreeMap<String, usize> {
        let mut counts = BTreeMap::new();
        for s in self.seen.lock().unwrap().iter() {
            *counts.entry(s.path.clone()).or_default() += 1;
        }
        counts
    }

    /// Requests received for `path`.
    pub fn count(&self, path: &str) -> usize {
        self.counts().get(path).copied().unwrap_or_default()
    }

    /// Every request received.
    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

impl Drop for HostileServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}
