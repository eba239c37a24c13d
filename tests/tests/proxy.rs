//! Proxies: an environment proxy never sees plain-HTTP requests (their secrets would travel
//! in clear to it although the base URL is loopback); an explicit `proxy(...)` is used, and a
//! plain-HTTP proxy off loopback is refused like a plain-HTTP base URL. Its own test binary:
//! it sets `HTTP_PROXY` for the whole process.

use std::sync::{Arc, Mutex};

use generated_client::erp::{Client, Credentials, QueryInventoryRequest};
use generated_client::runtime as rt;
use integration_tests::fakes::erp::{ErpConfig, start};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// A "proxy" on loopback that records every byte it receives and answers 502.
async fn recording_proxy() -> (String, Arc<Mutex<Vec<u8>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let received: Arc<Mutex<Vec<u8>>> = Arc::default();
    let record = received.clone();
    tokio::spawn(async move {
        while let Ok((mut conn, _)) = listener.accept().await {
            let record = record.clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 64 * 1024];
                if let Ok(n) = conn.read(&mut buf).await {
                    record.lock().unwrap().extend_from_slice(&buf[..n]);
                }
                let _ = conn
                    .write_all(b"HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\n\r\n")
                    .await;
            });
        }
    });
    (url, received)
}

#[tokio::test]
async fn proxies_never_see_secrets_in_clear_unless_chosen() {
    let (proxy_url, received) = recording_proxy().await;
    // SAFETY: this binary's only test sets these before any other thread reads the environment.
    unsafe {
        for name in ["HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"] {
            std::env::set_var(name, &proxy_url);
        }
        std::env::remove_var("NO_PROXY");
        std::env::remove_var("no_proxy");
    }
    let fake = start(ErpConfig::default()).await;
    let builder = || {
        Client::builder(Credentials::new(
            fake.config().client_id.clone(),
            fake.config().client_secret.clone(),
        ))
        .base_url(&fake.base_url)
    };

    // The environment's proxy is ignored: token request and call go straight to the fake.
    let client = builder().build().await.expect("client builds");
    client
        .query_inventory(&QueryInventoryRequest::new())
        .await
        .expect("sent directly");
    assert!(fake.token_requests() == 1 && fake.business_requests() == 1);
    let seen = String::from_utf8_lossy(&received.lock().unwrap()).into_owned();
    assert!(seen.is_empty(), "the environment proxy received: {seen}");

    // A plain-HTTP proxy off loopback would read plain-HTTP requests: refused like a base URL.
    let err = builder()
        .proxy("http://10.1.2.3:3128")
        .build()
        .await
        .unwrap_err();
    assert!(matches!(err, rt::Error::InsecureUrl { .. }), "{err:?}");

    // An explicit proxy is used (here on loopback, so allowed).
    let client = builder()
        .proxy(&proxy_url)
        .build()
        .await
        .expect("client builds");
    client
        .query_inventory(&QueryInventoryRequest::new())
        .await
        .unwrap_err();
    let seen = String::from_utf8_lossy(&received.lock().unwrap()).into_owned();
    assert!(seen.contains("/public/token.php"), "{seen}");
}
