//! A deliberately tiny HTTP/1.1 client over `TcpStream`, so fake self-tests exercise the wire
//! format without depending on the client stack under test.

use std::io;

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A request to send; `target` is the path plus optional `?query`.
#[derive(Debug, Clone)]
pub struct RawRequest {
    pub method: String,
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl RawRequest {
    pub fn new(method: &str, target: &str) -> Self {
        Self {
            method: method.to_owned(),
            target: target.to_owned(),
            headers: Vec::new(),
            body: Vec::new(),
        }
    }
    pub fn get(target: &str) -> Self {
        Self::new("GET", target)
    }
    pub fn post(target: &str) -> Self {
        Self::new("POST", target)
    }
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }
    pub fn body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = body.into();
        self
    }
    /// JSON body with `Content-Type: application/json`.
    pub fn json(self, value: &Value) -> Self {
        self.header("Content-Type", "application/json")
            .body(value.to_string())
    }
    /// urlencoded body with `Content-Type: application/x-www-form-urlencoded`.
    pub fn form(self, pairs: &[(&str, &str)]) -> Self {
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish();
        self.header("Content-Type", "application/x-www-form-urlencoded")
            .body(body)
    }

    /// Sends to `base_url` (`http://host:port`) on a fresh `Connection: close` connection.
    pub async fn send(self, base_url: &str) -> io::Result<RawResponse> {
        let authority = base_url
            .strip_prefix("http://")
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "only http:// URLs"))?
            .trim_end_matches('/');
        let mut stream = TcpStream::connect(authority).await?;
        let mut head = format!(
            "{} {} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n",
            self.method, self.target
        );
        for (k, v) in &self.headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        if !self.body.is_empty() || self.method == "POST" || self.method == "PUT" {
            head.push_str(&format!("Content-Length: {}\r\n", self.body.len()));
        }
        head.push_str("\r\n");
        stream.write_all(head.as_bytes()).await?;
        stream.write_all(&self.body).await?;
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).await?;
        RawResponse::parse(&raw)
    }
}

#[derive(Debug, Clone)]
pub struct RawResponse {
    pub status: u16,
    /// Lowercase names, in received order.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

fn bad(msg: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, msg.to_owned())
}

impl RawResponse {
    fn parse(raw: &[u8]) -> io::Result<Self> {
        let split = raw
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .ok_or_else(|| bad("no end of headers"))?;
        let head = std::str::from_utf8(&raw[..split]).map_err(|_| bad("non-UTF-8 head"))?;
        let mut lines = head.split("\r\n");
        let status = lines
            .next()
            .and_then(|l| l.split(' ').nth(1))
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| bad("bad status line"))?;
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
            .collect();
        let rest = &raw[split + 4..];
        let mut resp = Self {
            status,
            headers,
            body: Vec::new(),
        };
        resp.body = if resp
            .header("transfer-encoding")
            .is_some_and(|t| t.eq_ignore_ascii_case("chunked"))
        {
            dechunk(rest)?
        } else if let Some(len) = resp.header("content-length").and_then(|l| l.parse().ok()) {
            rest.get(..len).ok_or_else(|| bad("short body"))?.to_vec()
        } else {
            rest.to_vec()
        };
        Ok(resp)
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// Body as JSON (`Value::Null` if it is not JSON).
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }
}

fn dechunk(mut data: &[u8]) -> io::Result<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let eol = data
            .windows(2)
            .position(|w| w == b"\r\n")
            .ok_or_else(|| bad("bad chunk"))?;
        let size_text = std::str::from_utf8(&data[..eol]).map_err(|_| bad("bad chunk size"))?;
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)
            .map_err(|_| bad("bad chunk size"))?;
        data = &data[eol + 2..];
        if size == 0 {
            return Ok(out);
        }
        out.extend_from_slice(data.get(..size).ok_or_else(|| bad("short chunk"))?);
        data = data.get(size + 2..).ok_or_else(|| bad("short chunk"))?;
    }
}
