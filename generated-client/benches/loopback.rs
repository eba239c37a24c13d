//! Per-call overhead of the client: one loopback GET with a cached token, through the
//! generated `erp` client and through raw `reqwest` (the same URL, the same bearer header,
//! the same decoding of the body), in interleaved rounds so that both see the same machine.
//! Prints p50 and p99 of each and their ratios (issue 21: the client within 1.05× of raw).
//!
//! `cargo bench -p generated-client --bench loopback [-- CALLS ROUNDS]`
//!
//! `LOOPBACK_ONLY=client` or `LOOPBACK_ONLY=raw` times one side alone: run each under
//! `valgrind --tool=callgrind` to count the instructions a call costs, a figure that, unlike
//! time, the machine's load does not move (README "Benchmarks").

use std::time::{Duration, Instant};

use axum::Router;
use axum::routing::get;
use generated_client::erp;
use generated_client::runtime::TokenState;

const BODY: &str = r#"{"code":0,"message":"ok","data":{"list":[{"organization_name":"科勒","organization_code":"KL","warehouse_id":"W1","warehouse_name":"总仓","sku_id":"K-32370T-0","inventory_cnt":"4.00000000","create_at":"2026-05-08","update_at":"2026-05-09"}],"pagination":{"page":1,"page_size":20,"total":1,"total_pages":1}}}"#;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i]
}

fn main() {
    let mut args = std::env::args().skip(1).filter(|a| !a.starts_with("--"));
    let calls: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(2_000);
    let rounds: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(10);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(run(calls, rounds));
}

async fn run(calls: usize, rounds: usize) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    // The server runs on its own thread, as a remote server would.
    std::thread::spawn(move || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("server runtime")
            .block_on(async move {
                let app = Router::new().route("/public/worehouse.php", get(|| async { BODY }));
                axum::serve(listener, app).await.expect("serve");
            })
    });
    let base = format!("http://{addr}");

    let client = erp::Client::builder(erp::Credentials::new("id", "secret"))
        .base_url(&base)
        .allow_plain_http(true)
        .build()
        .await
        .expect("client");
    let token = "cached-access-token";
    client
        .set_token_state(
            TokenState::new(token)
                .with_expires_at(jiff::Timestamp::now() + jiff::SignedDuration::from_hours(24)),
        )
        .await;
    let request = erp::QueryInventoryRequest::new();

    let raw = generated_client::reqwest::Client::new();
    let url = format!("{base}/public/worehouse.php");
    let bearer = format!("Bearer {token}");

    // Both must work and agree before anything is timed.
    let ours = client.query_inventory(&request).await.expect("client call");
    let body = raw
        .get(&url)
        .header("authorization", &bearer)
        .send()
        .await
        .expect("raw call")
        .bytes()
        .await
        .expect("raw body");
    let theirs = erp::decode_response::<erp::InventoryPage>(200, &body).expect("raw decodes");
    assert_eq!(ours, theirs);

    let (client_side, raw_side) = match std::env::var("LOOPBACK_ONLY").as_deref() {
        Ok("client") => (true, false),
        Ok("raw") => (false, true),
        Ok(other) => panic!("LOOPBACK_ONLY={other}: expected `client` or `raw`"),
        Err(_) => (true, true),
    };
    let (mut t_ours, mut t_raw) = (Vec::new(), Vec::new());
    for round in 0..=rounds {
        let (mut a, mut b) = (Vec::with_capacity(calls), Vec::with_capacity(calls));
        for i in 0..calls {
            // Each side goes first on every other call, so neither always runs right after
            // the other's server-side work or with the caches the other left.
            for turn in [i % 2 == 0, i % 2 != 0] {
                if turn && client_side {
                    let started = Instant::now();
                    let page = client.query_inventory(&request).await.expect("client call");
                    a.push(started.elapsed());
                    std::hint::black_box(page);
                }
                if !turn && raw_side {
                    let started = Instant::now();
                    let response = raw
                        .get(&url)
                        .header("authorization", &bearer)
                        .send()
                        .await
                        .expect("raw call");
                    let status = response.status().as_u16();
                    let body = response.bytes().await.expect("raw body");
                    let page =
                        erp::decode_response::<erp::InventoryPage>(status, &body).expect("decodes");
                    b.push(started.elapsed());
                    std::hint::black_box(page);
                }
            }
        }
        // Round 0 warms connections and caches.
        if round > 0 {
            t_ours.extend(a);
            t_raw.extend(b);
        }
    }
    t_ours.sort();
    t_raw.sort();
    let us = |d: Duration| d.as_secs_f64() * 1e6;
    if !(client_side && raw_side) {
        let (side, times) = if client_side {
            ("client", &t_ours)
        } else {
            ("raw reqwest", &t_raw)
        };
        println!("loopback GET, cached token: {calls} calls x {rounds} rounds, {side} alone");
        for p in [0.5, 0.99] {
            let at = us(percentile(times, p));
            println!("  p{:<2}  {side} {at:7.1} µs", (p * 100.0) as u32);
        }
        return;
    }
    println!("loopback GET, cached token: {calls} calls x {rounds} rounds, interleaved");
    for p in [0.5, 0.99] {
        let (o, r) = (percentile(&t_ours, p), percentile(&t_raw, p));
        println!(
            "  p{:<2}  client {:7.1} µs   raw reqwest {:7.1} µs   ratio {:.3}",
            (p * 100.0) as u32,
            us(o),
            us(r),
            us(o) / us(r)
        );
    }
}
