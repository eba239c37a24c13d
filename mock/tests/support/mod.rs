//! Shared helpers of the mock's tests.

#![allow(dead_code)]

use spec_mock::{MockConfig, MockServer};

/// A spec of this repository.
pub fn spec(vendor: &str) -> String {
    format!("{}/../specs/{vendor}.yaml", env!("CARGO_MANIFEST_DIR"))
}

/// A mock of `vendor` accepting these credentials.
pub async fn mock(vendor: &str, credentials: &[(&str, &str)]) -> MockServer {
    mock_with(vendor, credentials, |c| c).await
}

pub async fn mock_with(
    vendor: &str,
    credentials: &[(&str, &str)],
    tune: impl FnOnce(MockConfig) -> MockConfig,
) -> MockServer {
    let mut config = MockConfig::new(spec(vendor));
    for (k, v) in credentials {
        config = config.credential(k, v);
    }
    MockServer::start(tune(config)).await.expect("mock starts")
}

/// The statuses the mock answered for one operation, in order.
pub fn statuses(mock: &MockServer, operation: &str) -> Vec<u16> {
    mock.received_for(operation)
        .iter()
        .map(|r| r.status)
        .collect()
}

/// Sends a recorded request again, byte for byte, except the headers `drop` names; returns
/// the status and the JSON answer. Raw HTTP/1.1 over TCP, so nothing re-signs it.
pub async fn resend(
    mock: &MockServer,
    r: &spec_mock::ReceivedRequest,
    drop: &[&str],
) -> (u16, serde_json::Value) {
    resend_with_body(mock, r, drop, &r.body).await
}

/// [`resend`] with another body.
pub async fn resend_with_body(
    mock: &MockServer,
    r: &spec_mock::ReceivedRequest,
    drop: &[&str],
    body: &[u8],
) -> (u16, serde_json::Value) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut target = r.path.clone();
    if !r.query.is_empty() {
        let q: String = form_urlencoded_pairs(&r.query);
        target = format!("{target}?{q}");
    }
    let mut head = format!("{} {target} HTTP/1.1\r\n", r.method);
    for (k, v) in &r.headers {
        if matches!(k.as_str(), "content-length" | "connection") || drop.contains(&k.as_str()) {
            continue;
        }
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str(&format!(
        "content-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    ));
    let mut stream = tokio::net::TcpStream::connect(mock.addr())
        .await
        .expect("connects");
    stream.write_all(head.as_bytes()).await.expect("writes");
    stream.write_all(body).await.expect("writes body");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.expect("reads");
    let text = String::from_utf8_lossy(&raw);
    let status: u16 = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("status line");
    let body = text.split("\r\n\r\n").nth(1).unwrap_or("");
    (
        status,
        serde_json::from_str(body).unwrap_or(serde_json::Value::Null),
    )
}

fn form_urlencoded_pairs(pairs: &[(String, String)]) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        s.append_pair(k, v);
    }
    s.finish()
}

/// A raw GET of `url` (an `http://127.0.0.1:…` URL); returns the status and the headers.
pub async fn get_raw(url: &str) -> (u16, Vec<(String, String)>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let rest = url.strip_prefix("http://").expect("http URL");
    let (host, target) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let mut stream = tokio::net::TcpStream::connect(host)
        .await
        .expect("connects");
    let head = format!("GET {target} HTTP/1.1\r\nhost: {host}\r\nconnection: close\r\n\r\n");
    stream.write_all(head.as_bytes()).await.expect("writes");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.expect("reads");
    let text = String::from_utf8_lossy(&raw);
    let head = text.split("\r\n\r\n").next().unwrap_or("");
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .expect("status line");
    let headers = lines
        .filter_map(|l| l.split_once(": "))
        .map(|(k, v)| (k.to_ascii_lowercase(), v.to_owned()))
        .collect();
    (status, headers)
}
