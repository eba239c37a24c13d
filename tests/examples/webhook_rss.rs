//! Peak memory of verifying and parsing one large jfwms webhook delivery (an `inventoryCount`
//! with a long `skuList`), for the figure in README "Benchmarks":
//!
//! ```text
//! cargo build --release -p integration-tests --example webhook_rss
//! /usr/bin/time -v target/release/examples/webhook_rss 50   # "Maximum resident set size"
//! ```
//!
//! The argument is the body size in MB; the body is built before measuring starts, and the
//! process prints its own peak (VmHWM) before and after verifying.

use generated_client::jfwms::{WebhookEvent, verify_and_parse};
use generated_client::runtime::secrecy::SecretString;
use integration_tests::fakes::jfwms::sign_webhook;

fn peak_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

fn main() {
    let mb: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(50);
    let line = r#"{"sku":"2309-1Bei","total":26,"locked":0,"available":26,"nonGood":0,"totalChange":-1,"lockedChange":null,"availableChange":null,"nonGoodChange":null}"#;
    let lines = mb * 1024 * 1024 / (line.len() + 1);
    let mut data = String::with_capacity(mb * 1024 * 1024 + 256);
    data.push_str(r#"{"warehouseCode":"W1","documentNo":"D1","userId":1,"finishTime":"2025-02-07T08:07:56.908","skuList":["#);
    for i in 0..lines {
        if i > 0 {
            data.push(',');
        }
        data.push_str(line);
    }
    data.push_str("]}");
    let body = format!(r#"{{"timestamp":1700000000000,"type":"inventoryCount","data":{data}}}"#);
    drop(data);
    let secret = "4a506ccaf37e400bac4a42d2dc5f600a";
    let signature = sign_webhook(
        &body[body.find(r#""data":"#).expect("data") + 7..body.len() - 1],
        secret,
    );
    let before = peak_kib();
    let webhook = verify_and_parse(body.as_bytes(), &signature, &SecretString::from(secret))
        .expect("a valid delivery");
    let after = peak_kib();
    let WebhookEvent::InventoryCount(event) = &webhook.event else {
        panic!("an inventoryCount event");
    };
    println!(
        "body {:.1} MB, {} lines; peak RSS before verifying {:.1} MB, after {:.1} MB: +{:.1} MB ({:.1}x the body)",
        body.len() as f64 / 1e6,
        event.sku_list.len(),
        before as f64 * 1024.0 / 1e6,
        after as f64 * 1024.0 / 1e6,
        (after - before) as f64 * 1024.0 / 1e6,
        (after - before) as f64 * 1024.0 / body.len() as f64,
    );
}
