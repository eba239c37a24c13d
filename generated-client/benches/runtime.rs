//! Hot paths of the runtime (figures in README.md).
//!
//! `cargo bench -p generated-client --bench runtime`; `DECODE_INTERLEAVED=300 cargo bench -p
//! generated-client --bench runtime` for the decode comparison alone, interleaved.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group};
use generated_client::runtime::__private::lang::{
    Canonical, Collection, DigestAlg, Piece, Scope, TextEncoding, Value,
};
use generated_client::{erp, jfwms};
use md5::Digest as _;

/// The jfwms `sign` recipe: HMAC-SHA256 over seven sorted `k=v` pairs.
fn sign_recipe() -> Value {
    let var = |name: &'static str| Value::Template(vec![Piece::Var(name.into())]);
    Value::hmac_sha256_hex(
        var("client_secret"),
        Value::sorted_pairs(
            "&",
            vec![
                ("url".into(), var("path")),
                ("method".into(), var("method")),
                ("accessToken".into(), var("access_token")),
                ("clientId".into(), var("client_id")),
                ("timestamp".into(), var("timestamp")),
                ("nonce".into(), var("nonce")),
                ("userId".into(), var("user_id")),
            ],
        ),
    )
}

/// A 200-order page shaped like the document's outbound example.
fn outbound_page(orders: usize) -> Vec<u8> {
    let line = r#"{"billid":11,"sku_id":"K-32370T-0","product_type":null,"number":"4.00000000","price":"2646.11000000","total":"4.00000000","source_order_sn":null,"batch_sn":null}"#;
    let lines = vec![line; 18].join(",");
    let order = format!(
        r#"{{"organization_name":"科勒","organization_code":"KL","exhibition_hall_sn":"0001","exhibition_hall_name":"采购","order_sn":"SS202604-1007788","billid":11,"create_at":"2026-05-08 13:24:00.532481","order_type":"销售单","order_status":"审核","updated_at":"2026-05-08 00:00:00","follow_order_flag":null,"original_order_sn":null,"withdraw_order_flag":null,"withdraw_order_sn":null,"completed_at":"2026-04-29 00:00:00","total_amount":"315880.00","return_flag":null,"return_and_exchange_order_sn":null,"delivery_at":"2026-04-29 00:00:00","customer_type":null,"customer_code":"hfsjjybh","receiver_sn":null,"receiver_province":null,"receiver_city":null,"receiver_area":null,"order_channel_source":null,"salesperson_code":"01","product_info":[{lines}]}}"#
    );
    let list = vec![order.as_str(); orders].join(",");
    format!(r#"{{"code":0,"message":"ok","data":{{"list":[{list}],"pagination":{{"page":1,"page_size":{orders},"total":{orders},"total_pages":1}}}}}}"#).into_bytes()
}

/// Serde-derive twins of erp's `OutboundPage` records (same fields, same wire names, same
/// field types), decoded through the same `erp::decode_response`: the yardstick the
/// generated `record!` impls are measured against (issue 21: within 1.25×).
mod derived {
    use jiff::civil::DateTime;
    use rust_decimal::Decimal;
    use serde::Deserialize;

    #[derive(Deserialize)]
    #[allow(dead_code)]
    pub struct Line {
        billid: i64,
        sku_id: String,
        product_type: Option<String>,
        number: Decimal,
        price: Decimal,
        total: Decimal,
        source_order_sn: Option<String>,
        batch_sn: Option<String>,
    }

    #[derive(Deserialize)]
    #[allow(dead_code)]
    pub struct Order {
        organization_name: String,
        organization_code: String,
        exhibition_hall_sn: String,
        exhibition_hall_name: String,
        order_sn: String,
        billid: i64,
        create_at: DateTime,
        order_type: String,
        order_status: String,
        updated_at: DateTime,
        follow_order_flag: Option<serde_json::Value>,
        original_order_sn: Option<String>,
        withdraw_order_flag: Option<serde_json::Value>,
        withdraw_order_sn: Option<String>,
        completed_at: Option<DateTime>,
        total_amount: Decimal,
        return_flag: Option<serde_json::Value>,
        return_and_exchange_order_sn: Option<String>,
        delivery_at: Option<DateTime>,
        customer_type: Option<String>,
        customer_code: String,
        receiver_sn: Option<String>,
        receiver_province: Option<String>,
        receiver_city: Option<String>,
        receiver_area: Option<String>,
        order_channel_source: Option<String>,
        salesperson_code: String,
        product_info: Vec<Line>,
    }

    #[derive(Deserialize)]
    #[allow(dead_code)]
    pub struct Pagination {
        page: i64,
        page_size: i64,
        total: i64,
        total_pages: i64,
    }

    #[derive(Deserialize)]
    #[allow(dead_code)]
    pub struct Page {
        pub list: Vec<Order>,
        pagination: Pagination,
    }
}

fn runtime(c: &mut Criterion) {
    let recipe = sign_recipe();
    let mut scope = Scope::new();
    for (k, v) in [
        ("client_secret", "4a506ccaf37e400bac4a42d2dc5f600a"),
        ("path", "/api/order/get"),
        ("method", "post"),
        ("access_token", "1b56814f081c432cb82751be145261d3"),
        ("client_id", "fe73489a9b5948dbafd07e7b28d6e268"),
        ("timestamp", "1692889556000"),
        ("nonce", "14"),
        ("user_id", "8"),
    ] {
        scope.set(k, v);
    }
    let now = jiff::Timestamp::now();
    c.bench_function("jfwms sign (HMAC-SHA256 over sorted pairs)", |b| {
        b.iter(|| recipe.eval(black_box(&scope), now).expect("signs"))
    });

    // Taobao TOP's md5 recipe (codegen/tests/dialects/taobao_md5.yaml) over 12 parameters:
    // a canonical string sorted by name, the secret around it, MD5, upper-case hex.
    let top = Value::upper(Value::encode(
        TextEncoding::Hex,
        Value::digest(
            DigestAlg::Md5,
            Value::concat(vec![
                Value::template(&[Piece::Var("app_secret".into())]),
                Value::canonical(
                    Canonical::new(Collection::Params, "", "")
                        .excluding(&["sign"])
                        .dropping_empty(),
                ),
                Value::template(&[Piece::Var("app_secret".into())]),
            ]),
        ),
    ));
    let mut top_scope = Scope::new();
    top_scope.set_secret("app_secret", "helloworld".into());
    let pairs = |p: &[(&str, &str)]| -> Vec<(String, String)> {
        p.iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    };
    top_scope.set_params(
        pairs(&[
            ("method", "taobao.item.seller.get"),
            ("app_key", "12345678"),
            ("session", "test"),
            ("timestamp", "2016-01-01 12:00:00"),
            ("format", "json"),
            ("v", "2.0"),
            ("sign_method", "md5"),
        ]),
        pairs(&[
            ("fields", "num_iid,title,nick,price,num"),
            ("num_iid", "11223344"),
            ("a", "中文 参数"),
            ("a1", ""),
            ("zh", "x"),
        ]),
    );
    c.bench_function("TOP sign (canonical over 12 parameters, md5)", |b| {
        b.iter(|| top.eval(black_box(&top_scope), now).expect("signs"))
    });

    // Generated records and their serde-derive twins, side by side in one group.
    let body = outbound_page(200);
    let mut decode = c.benchmark_group("decode 200 outbound orders (3,600 lines, exact decimals)");
    decode.throughput(Throughput::Bytes(body.len() as u64));
    decode.bench_function("record!", |b| {
        b.iter(|| {
            erp::decode_response::<erp::OutboundPage>(200, black_box(&body)).expect("decodes")
        })
    });
    decode.bench_function("serde derive twin", |b| {
        b.iter(|| erp::decode_response::<derived::Page>(200, black_box(&body)).expect("decodes"))
    });
    decode.finish();

    let data = r#"{"warehouseCode":"A","documentNo":"MOL703","userId":3256,"finishTime":"2025-02-07T09:10:03.951","skuList":[{"sku":"819-Dark GL","total":1,"locked":0,"available":1,"nonGood":0,"totalChange":1,"lockedChange":null,"availableChange":null,"nonGoodChange":null}]}"#;
    let body = format!(r#"{{"timestamp":1700000000000,"type":"move","data":{data}}}"#);
    let secret = secrecy::SecretString::from("client-secret");
    let signed = format!(r#"{{"data":{data},"clientSecret":"client-secret"}}"#);
    let signature = hex::encode(md5::Md5::digest(signed.as_bytes()));
    c.bench_function("jfwms webhook verify_and_parse", |b| {
        b.iter(|| {
            jfwms::verify_and_parse(black_box(body.as_bytes()), &signature, &secret)
                .expect("verifies")
        })
    });
}

/// `DECODE_INTERLEAVED=N`: instead of criterion, decodes the 200-order page N times with the
/// generated records and with the derive twins, alternating decode by decode, and prints the
/// medians and their ratio. Criterion times one function after the other, and this machine's
/// speed drifts between the two (the same code measured 0.82× to 1.34× of the twin); here both
/// see the same moments.
fn decode_interleaved(n: usize) {
    let body = outbound_page(200);
    let (mut ours, mut twin) = (Vec::with_capacity(n), Vec::with_capacity(n));
    for _ in 0..n {
        let started = std::time::Instant::now();
        black_box(erp::decode_response::<erp::OutboundPage>(200, black_box(&body)).unwrap());
        ours.push(started.elapsed());
        let started = std::time::Instant::now();
        black_box(erp::decode_response::<derived::Page>(200, black_box(&body)).unwrap());
        twin.push(started.elapsed());
    }
    ours.sort();
    twin.sort();
    let (o, t) = (ours[n / 2].as_secs_f64(), twin[n / 2].as_secs_f64());
    let mib = |s: f64| body.len() as f64 / s / 1048576.0;
    println!(
        "decode 200 outbound orders ({} KB), {n} interleaved: record! {:.2} ms ({:.0} MiB/s), derive twin {:.2} ms ({:.0} MiB/s), ratio {:.2}",
        body.len() / 1024,
        o * 1e3,
        mib(o),
        t * 1e3,
        mib(t),
        o / t
    );
}

criterion_group!(benches, runtime);

fn main() {
    if let Some(n) = std::env::var("DECODE_INTERLEAVED")
        .ok()
        .and_then(|n| n.parse().ok())
    {
        return decode_interleaved(n);
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
