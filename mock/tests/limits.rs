//! The server's bounds, over raw TCP: the connection cap (eviction of idle connections, a 503
//! when every connection is busy), the header-read and idle timeouts, bare LFs in a later
//! request head, oversized bodies.

mod support;

use std::time::{Duration, Instant};

use support::mock_with;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const CREDS: &[(&str, &str)] = &[("client_id", "id"), ("client_secret", "s")];
const GET: &[u8] = b"GET /nowhere HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n";

async fn connect(mock: &spec_mock::MockServer) -> TcpStream {
    TcpStream::connect(mock.addr()).await.expect("connects")
}

/// Everything the server sends until it closes (at most `wait`).
async fn read_all(stream: &mut TcpStream, wait: Duration) -> Option<String> {
    let mut out = Vec::new();
    match tokio::time::timeout(wait, stream.read_to_end(&mut out)).await {
        Ok(_) => Some(String::from_utf8_lossy(&out).into_owned()),
        Err(_) => None,
    }
}

#[tokio::test]
async fn at_the_cap_an_idle_connection_makes_room_and_busy_ones_get_a_503() {
    let mock = mock_with("jfwms", CREDS, |c| c.max_connections(2)).await;
    let mut idle = connect(&mock).await;
    let _idle2 = connect(&mock).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut fresh = connect(&mock).await;
    fresh.write_all(GET).await.expect("writes");
    let answer = read_all(&mut fresh, Duration::from_secs(5))
        .await
        .expect("answered");
    assert!(answer.starts_with("HTTP/1.1 404"), "{answer}");
    assert_eq!(
        read_all(&mut idle, Duration::from_secs(5)).await.as_deref(),
        Some(""),
        "the connection idle longest was closed"
    );

    // Two requests whose bodies never finish: both connections are busy.
    let mock = mock_with("jfwms", CREDS, |c| c.max_connections(2)).await;
    let mut busy = Vec::new();
    for _ in 0..2 {
        let mut s = connect(&mock).await;
        s.write_all(b"POST /nowhere HTTP/1.1\r\nhost: x\r\ncontent-length: 100\r\n\r\nabc")
            .await
            .expect("writes");
        busy.push(s);
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut third = connect(&mock).await;
    third.write_all(GET).await.expect("writes");
    let answer = read_all(&mut third, Duration::from_secs(5))
        .await
        .expect("answered");
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
    assert!(
        answer.contains("x-mock-refusal: connection_cap"),
        "{answer}"
    );
}

#[tokio::test]
async fn a_head_sent_too_slowly_and_a_stalled_body_are_cut_off() {
    let mock = mock_with("jfwms", CREDS, |c| {
        c.header_read_timeout(Duration::from_millis(300))
            .idle_timeout(Duration::from_millis(300))
    })
    .await;
    let started = Instant::now();
    let mut slow = connect(&mock).await;
    slow.write_all(b"GET /nowhere HTTP/1.1\r\nhost:")
        .await
        .expect("writes");
    let closed = read_all(&mut slow, Duration::from_secs(5)).await;
    assert!(closed.is_some(), "closed");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );

    let started = Instant::now();
    let mut stalled = connect(&mock).await;
    stalled
        .write_all(b"POST /nowhere HTTP/1.1\r\nhost: x\r\ncontent-length: 10\r\n\r\nab")
        .await
        .expect("writes");
    assert!(
        read_all(&mut stalled, Duration::from_secs(5))
            .await
            .is_some()
    );
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_bare_lf_in_a_later_request_head_closes_the_connection() {
    let mock = mock_with("jfwms", CREDS, |c| c).await;
    let mut s = connect(&mock).await;
    s.write_all(b"GET /a HTTP/1.1\r\nhost: x\r\n\r\nGET /b HTTP/1.1\nhost: x\n\n")
        .await
        .expect("writes");
    let answer = read_all(&mut s, Duration::from_secs(5))
        .await
        .expect("closed");
    assert_eq!(answer.matches("HTTP/1.1 ").count(), 1, "{answer}");
    let mut s = connect(&mock).await;
    s.write_all(b"GET /a HTTP/1.1\r\nhost: x\r\n\r\nGET /b HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")
        .await
        .expect("writes");
    let answer = read_all(&mut s, Duration::from_secs(5))
        .await
        .expect("closed");
    assert_eq!(answer.matches("HTTP/1.1 404").count(), 2, "{answer}");
}

#[tokio::test]
async fn an_oversized_body_is_refused_with_the_reason() {
    let mock = mock_with("jfwms", CREDS, |c| c.max_body(1000)).await;
    let mut s = connect(&mock).await;
    let body = vec![b'x'; 5000];
    s.write_all(
        b"POST /nowhere HTTP/1.1\r\nhost: x\r\nconnection: close\r\ncontent-length: 5000\r\n\r\n",
    )
    .await
    .expect("writes");
    let _ = s.write_all(&body).await;
    let answer = read_all(&mut s, Duration::from_secs(5))
        .await
        .expect("answered");
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(
        answer.contains("x-mock-refusal: bad_parameter; step=body"),
        "{answer}"
    );
}
