//! HTTP plumbing: the client's safety settings, URL rules and one request/response exchange.

use std::net::IpAddr;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderName, HeaderValue};
use url::{Host, Url};

/// Responses larger than this are refused rather than buffered.
pub(crate) const MAX_BODY: usize = 32 * 1024 * 1024;

/// Installs ring as the process's rustls provider unless the application installed one
/// (reqwest is built without a provider of its own and panics on building a client without).
pub fn install_crypto_provider() {
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        // Losing a race to another installer is fine: a provider is installed either way.
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
}

/// The settings every client the runtime builds has: it never follows redirects (reqwest
/// would carry custom auth headers such as `accessToken`/`sign` to another host), times out
/// connecting (each exchange's own limit is the engine's: [`Outgoing::timeout`] for token
/// requests, one timer with the call's deadline for API calls), and uses no proxy but the
/// one given: an environment proxy (`HTTP_PROXY`) would receive plain-HTTP requests, secrets
/// included, that the plain-HTTP rule allowed only because the *URL* is loopback. The client
/// builder adds its options and builds it.
pub(crate) fn safe_client(
    connect_timeout: Duration,
    proxy: Option<reqwest::Proxy>,
) -> reqwest::ClientBuilder {
    install_crypto_provider();
    let builder = match proxy {
        Some(p) => reqwest::Client::builder().proxy(p),
        None => reqwest::Client::builder().no_proxy(),
    };
    builder
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(connect_timeout)
        .user_agent(concat!(
            env!("CARGO_PKG_NAME"),
            "/",
            env!("CARGO_PKG_VERSION")
        ))
}

/// Why a URL was refused.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum UrlError {
    Invalid(String),
    /// Plain HTTP to a host that is not loopback.
    Insecure(String),
}

/// Validates a base URL (or an absolute endpoint URL): http(s), a host, no credentials, query
/// or fragment; plain HTTP only to loopback unless `allow_plain_http`.
pub(crate) fn check_url(raw: &str, allow_plain_http: bool) -> Result<Url, UrlError> {
    // The raw text is not echoed: a malformed URL may still carry credentials.
    let url = Url::parse(raw).map_err(|e| UrlError::Invalid(format!("not a valid URL: {e}")))?;
    let shown = display_url(&url);
    if !url.username().is_empty() || url.password().is_some() {
        return Err(UrlError::Invalid(format!(
            "`{shown}`: credentials in the URL"
        )));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(UrlError::Invalid(format!(
            "`{shown}`: query or fragment in a base URL"
        )));
    }
    if url.host().is_none() {
        return Err(UrlError::Invalid(format!("`{shown}`: no host")));
    }
    match url.scheme() {
        "https" => Ok(url),
        "http" if allow_plain_http || is_loopback(&url) => Ok(url),
        "http" => Err(UrlError::Insecure(shown)),
        other => Err(UrlError::Invalid(format!(
            "`{shown}`: unsupported scheme `{other}`"
        ))),
    }
}

/// 127.0.0.0/8, ::1 (also IPv4-mapped) and `localhost`.
pub(crate) fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Ipv4(a)) => a.is_loopback(),
        Some(Host::Ipv6(a)) => IpAddr::V6(a).to_canonical().is_loopback(),
        Some(Host::Domain(d)) => d.trim_end_matches('.').eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// `base` + `path` (the base may carry a path prefix such as `/v1`).
///
/// A path that navigates (a `.` or `..` segment, also percent-encoded, behind `\`, or split by
/// tabs and newlines, which URL parsing drops) is refused rather than resolved: resolving
/// `/orders/../admin` would send the request to an endpoint the caller did not name, the
/// signature of vendors that sign `{path}` would cover another path than the one sent, and
/// `/../x` would leave the base URL's prefix.
pub(crate) fn join(base: &Url, path: &str) -> Result<Url, String> {
    if has_dot_segment(path) {
        return Err(format!(
            "endpoint path `{}` has a `.` or `..` segment",
            path_only(path)
        ));
    }
    let prefix = base.path().trim_end_matches('/');
    let joined = format!(
        "{}/{}",
        base.as_str().trim_end_matches('/'),
        path.trim_start_matches('/')
    );
    let url = Url::parse(&joined).map_err(|_| {
        format!(
            "endpoint path `{}` does not form a valid URL",
            path_only(path)
        )
    })?;
    // Holds by construction once dot segments are out; kept so that a parser subtlety cannot
    // turn into a request outside the prefix.
    let below_prefix = url
        .path()
        .strip_prefix(prefix)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'));
    if !same_origin(&url, base) || !below_prefix {
        return Err(format!(
            "endpoint path `{}` leaves the base URL",
            path_only(path)
        ));
    }
    Ok(url)
}

/// The path without its query or fragment (a caller-supplied path may carry a token there).
fn path_only(path: &str) -> &str {
    path.split(['?', '#']).next().unwrap_or_default()
}

/// Whether any segment of the path, percent-decoded, is `.` or `..`.
fn has_dot_segment(path: &str) -> bool {
    // Only a `.` or an escape (`%2e`) can make one; most paths have neither.
    if !path.contains(['.', '%']) {
        return false;
    }
    // URL parsing removes ASCII tabs and newlines anywhere, so `.\t.` is `..` on the wire.
    let path: String = path_only(path)
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    // Decoded first so that `%2e%2e` and `..%2f..` count too; `\` separates like `/` in http(s).
    let decoded = percent_encoding::percent_decode_str(&path).decode_utf8_lossy();
    decoded
        .split(['/', '\\'])
        .any(|segment| segment == "." || segment == "..")
}

/// Whether two http(s) URLs have the same origin (scheme, host, port), as `Url::origin`
/// compares them but without building (and allocating) the origins: this runs on every call.
pub(crate) fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host() == b.host()
        && a.port_or_known_default() == b.port_or_known_default()
}

/// The URL for messages: no credentials, query or fragment (tokens may travel in the query).
pub(crate) fn display_url(url: &Url) -> String {
    let mut u = url.clone();
    u.set_query(None);
    u.set_fragment(None);
    let _ = u.set_username("");
    let _ = u.set_password(None);
    u.to_string()
}

/// A request ready to send.
pub(crate) struct Outgoing {
    pub(crate) method: reqwest::Method,
    pub(crate) url: Url,
    pub(crate) headers: Vec<(HeaderName, HeaderValue)>,
    pub(crate) body: OutBody,
    /// The exchange's time limit, body included, for requests the engine does not time
    /// itself (token grants); `None` leaves timing to the caller.
    pub(crate) timeout: Option<Duration>,
}

/// A body, encoded.
pub(crate) enum OutBody {
    None,
    Json(Vec<u8>),
    /// `application/x-www-form-urlencoded`.
    Form(Vec<u8>),
}

/// A response read in full.
pub(crate) struct Received {
    pub(crate) status: u16,
    pub(crate) body: Bytes,
    /// The server's `Retry-After`, as a delay from when the response arrived.
    pub(crate) retry_after: Option<Duration>,
}

impl Received {
    pub(crate) fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

pub(crate) enum Failure {
    /// Stored without its URL (`reqwest::Error` would print the query). `is_connect()` on it
    /// means the request never left (the connection was not established).
    Transport(reqwest::Error),
    /// The request could not be built (e.g. a URL longer than the HTTP stack accepts):
    /// nothing was sent, and sending again cannot help. The causes' text, without the URL.
    NotSendable(String),
    Timeout,
    /// The body exceeded [`MAX_BODY`]; the status is the one the server sent.
    TooLarge {
        status: u16,
    },
}

fn failure(e: reqwest::Error) -> Failure {
    if e.is_builder() {
        let e = e.without_url();
        let mut reasons = Vec::new();
        let mut cause: Option<&dyn std::error::Error> = std::error::Error::source(&e);
        while let Some(c) = cause {
            reasons.push(c.to_string());
            cause = c.source();
        }
        let reason = if reasons.is_empty() {
            e.to_string()
        } else {
            reasons.join(": ")
        };
        return Failure::NotSendable(reason);
    }
    // A connect timeout stays a connect error: the retry policy must know nothing was sent.
    if e.is_timeout() && !e.is_connect() {
        Failure::Timeout
    } else {
        Failure::Transport(e.without_url())
    }
}

/// Sends one request and reads the whole body (at most [`MAX_BODY`]).
pub(crate) async fn execute(client: &reqwest::Client, out: Outgoing) -> Result<Received, Failure> {
    // Assembled directly rather than through `RequestBuilder`: the headers are written once,
    // into the map reqwest sends.
    let mut request = reqwest::Request::new(out.method, out.url);
    *request.timeout_mut() = out.timeout;
    let headers = request.headers_mut();
    headers.reserve(out.headers.len() + 2);
    headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
    for (name, value) in out.headers {
        // Later wins: one Authorization even if client auth and a step both set it.
        headers.insert(name, value);
    }
    let body = match out.body {
        OutBody::None => None,
        OutBody::Json(bytes) => Some(("application/json", bytes)),
        OutBody::Form(bytes) => Some(("application/x-www-form-urlencoded", bytes)),
    };
    if let Some((content_type, bytes)) = body {
        // The body's encoding decides its type, whatever a header step said.
        headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
        *request.body_mut() = Some(bytes.into());
    }
    let mut response = client.execute(request).await.map_err(failure)?;
    let status = response.status().as_u16();
    let retry_after = response
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| super::retry::parse_retry_after(v, jiff::Timestamp::now()));
    if response
        .content_length()
        .is_some_and(|n| n > MAX_BODY as u64)
    {
        return Err(Failure::TooLarge { status });
    }
    // A body that arrives in one chunk (most answers) is kept as it came, without a copy.
    let mut body = Bytes::new();
    let mut joined = BytesMut::new();
    while let Some(chunk) = response.chunk().await.map_err(failure)? {
        let read = body.len() + joined.len();
        if read.saturating_add(chunk.len()) > MAX_BODY {
            return Err(Failure::TooLarge { status });
        }
        if read == 0 {
            body = chunk;
        } else {
            if joined.is_empty() {
                joined.extend_from_slice(&std::mem::take(&mut body));
            }
            joined.extend_from_slice(&chunk);
        }
    }
    if !joined.is_empty() {
        body = joined.freeze();
    }
    Ok(Received {
        status,
        body,
        retry_after,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_rules() {
        use UrlError::*;
        let ok = |u: &str| {
            check_url(u, false)
                .map(|_| ())
                .map_err(|e| format!("{e:?}"))
        };
        for u in [
            "https://api.example.com",
            "https://api.example.com/v1/",
            "http://127.0.0.1:8080",
            "http://127.8.9.10",
            "http://[::1]:3000",
            "http://[::ffff:127.0.0.1]",
            "http://localhost:1234",
            "http://LOCALHOST.",
        ] {
            assert_eq!(ok(u), Ok(()), "{u}");
        }
        let insecure = |u: &str| check_url(u, false).err();
        assert_eq!(
            insecure("http://auth.xx.dev.com"),
            Some(Insecure("http://auth.xx.dev.com/".into()))
        );
        assert!(matches!(insecure("http://10.0.0.1"), Some(Insecure(_))));
        assert!(matches!(
            insecure("http://localhost.evil.com"),
            Some(Insecure(_))
        ));
        assert!(matches!(insecure("http://[::2]"), Some(Insecure(_))));
        assert!(check_url("http://auth.xx.dev.com", true).is_ok());
        for u in [
            "ftp://example.com",
            "https://user:pw@example.com",
            "https://example.com/?token=secret",
            "https://example.com/#x",
            "not a url",
            "file:///etc/passwd",
        ] {
            let err = check_url(u, true).err();
            assert!(matches!(err, Some(Invalid(_))), "{u}: {err:?}");
            assert!(!format!("{err:?}").contains("pw@"), "{err:?}");
        }
    }

    #[test]
    fn join_and_display() {
        let base = Url::parse("https://api.niumall.com/v1").unwrap();
        assert_eq!(
            join(&base, "/orders").unwrap().as_str(),
            "https://api.niumall.com/v1/orders"
        );
        let base = Url::parse("https://h/").unwrap();
        assert_eq!(
            join(&base, "/a/b.php").unwrap().as_str(),
            "https://h/a/b.php"
        );
        let base = Url::parse("https://h/v1/").unwrap();
        assert_eq!(
            join(&base, "orders").unwrap().as_str(),
            "https://h/v1/orders"
        );
        assert_eq!(join(&base, "/").unwrap().as_str(), "https://h/v1/");
        // Dots inside a segment are names, not navigation.
        assert_eq!(
            join(&base, "/a.b/..c/.../x..").unwrap().as_str(),
            "https://h/v1/a.b/..c/.../x.."
        );
        let u = Url::parse("https://h/p?access_token=secret#f").unwrap();
        assert_eq!(display_url(&u), "https://h/p");
    }

    #[test]
    fn join_refuses_dot_segments_in_every_spelling() {
        let base = Url::parse("https://h/v1").unwrap();
        for path in [
            "/../x",
            "/../../x",
            "..",
            "/.",
            "/orders/../admin",
            "/orders/./x",
            "/%2e%2e/x",
            "/%2E%2e/x",
            "/.%2e/x",
            "/%2e./x",
            "/%2e/x",
            "/..%2fx",
            "/a%2f..%2f..%2fx",
            "/..\\x",
            "/a\\..\\..\\x",
            "/.\t./x",
            "/.\n./x",
            "/..?q=1",
            "/..#f",
        ] {
            let err = join(&base, path).expect_err(path);
            assert!(err.contains("`.` or `..` segment"), "{path:?}: {err}");
        }
        // The query is not echoed: a caller-supplied path may carry a token there.
        let err = join(&base, "/../x?access_token=secret").unwrap_err();
        assert!(!err.contains("secret"), "{err}");
    }

    /// Serves one HTTP/1.1 answer: `head` then each chunk of `chunks` in chunked encoding,
    /// written separately (with a pause) so the client reads them as separate chunks.
    async fn serve_once(head: &'static str, chunks: Vec<Vec<u8>>) -> String {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/x", listener.local_addr().unwrap());
        tokio::spawn(async move {
            let (mut socket, _) = listener.accept().await.unwrap();
            let mut request = [0u8; 4096];
            let _ = socket.read(&mut request).await;
            socket.write_all(head.as_bytes()).await.unwrap();
            for chunk in chunks {
                let size = format!("{:x}\r\n", chunk.len());
                // The client may stop reading (too large): later writes may fail.
                if socket.write_all(size.as_bytes()).await.is_err()
                    || socket.write_all(&chunk).await.is_err()
                    || socket.write_all(b"\r\n").await.is_err()
                {
                    return;
                }
                socket.flush().await.unwrap();
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            let _ = socket.write_all(b"0\r\n\r\n").await;
        });
        url
    }

    fn get(url: &str) -> Outgoing {
        Outgoing {
            method: reqwest::Method::GET,
            url: Url::parse(url).unwrap(),
            headers: vec![],
            body: OutBody::None,
            timeout: Some(Duration::from_secs(10)),
        }
    }

    const CHUNKED: &str = "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n";

    #[tokio::test]
    async fn a_body_in_one_chunk_or_several_is_read_whole() {
        let client = safe_client(Duration::from_secs(5), None).build().unwrap();
        for chunks in [
            vec![b"{\"a\":1}".to_vec()],
            vec![b"{\"a\"".to_vec(), b":".to_vec(), b"1}".to_vec()],
        ] {
            let whole = chunks.concat();
            let url = serve_once(CHUNKED, chunks).await;
            let received = execute(&client, get(&url)).await.ok().unwrap();
            assert_eq!((received.status, &received.body[..]), (200, &whole[..]));
        }
    }

    #[tokio::test]
    async fn a_body_over_the_limit_is_refused_by_length_or_while_read() {
        let client = safe_client(Duration::from_secs(5), None).build().unwrap();
        let head = "HTTP/1.1 200 OK\r\ncontent-length: 40000000\r\n\r\n";
        let url = serve_once(head, vec![]).await;
        let refused = execute(&client, get(&url)).await;
        assert!(matches!(refused, Err(Failure::TooLarge { status: 200 })));
        // No length given: refused once what was read passes the limit.
        let piece = vec![b' '; MAX_BODY / 4 + 1];
        let url = serve_once(CHUNKED, vec![piece; 5]).await;
        let refused = execute(&client, get(&url)).await;
        assert!(matches!(refused, Err(Failure::TooLarge { status: 200 })));
    }
}
