//! A property test of the spec mock over every signing dialect: for generated parameter
//! values, the generated client's request is accepted, and the same request with any one
//! field changed — a query parameter, a form or JSON field, a header an auth step set — is
//! refused by an auth check (never as a replay, which would hide an unchecked field).
//!
//! The mock recomputes every value from the spec alone (canonical strings, digests, HMACs,
//! RSA, formatted times, times and random digits), so this checks that everything the
//! checker accepts, the mock can recheck.

use std::path::PathBuf;

use dialect_tests::{
    alipay_rsa2, json_body_hmac, kuaidi100, pinduoduo, taobao_hmac, taobao_md5, wechatpay_v2_hmac,
    wechatpay_v2_md5,
};
use proptest::prelude::*;
use spec_mock::{MockConfig, MockServer, ReceivedRequest};
use spec_runtime::RetryPolicy;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Headers the transport sets, not an auth step.
const TRANSPORT_HEADERS: &[&str] = &[
    "host",
    "content-length",
    "content-type",
    "accept",
    "accept-encoding",
    "user-agent",
    "connection",
    "transfer-encoding",
];

async fn mock(dialect: &str, credentials: &[(&str, &str)]) -> MockServer {
    let spec = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../codegen/tests/dialects")
        .join(format!("{dialect}.yaml"));
    let mut config = MockConfig::new(spec);
    for (name, value) in credentials {
        config = config.credential(name, value);
    }
    MockServer::start(config).await.expect("the mock starts")
}

fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn encode_pairs(pairs: &[(String, String)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn changed(v: &str) -> String {
    format!("{v}x")
}

/// The request as sent, with an optional change: `(query, headers, body)`.
struct Wire {
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

/// Sends a request over raw HTTP/1.1 (nothing re-signs it); returns the `x-mock-refusal` header.
async fn send(mock: &MockServer, r: &ReceivedRequest, wire: &Wire) -> Option<String> {
    let mut target = r.path.clone();
    if !wire.query.is_empty() {
        target = format!("{target}?{}", encode_pairs(&wire.query));
    }
    let mut head = format!("{} {target} HTTP/1.1\r\n", r.method);
    for (k, v) in &wire.headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str(&format!(
        "content-length: {}\r\nconnection: close\r\n\r\n",
        wire.body.len()
    ));
    let mut stream = tokio::net::TcpStream::connect(mock.addr())
        .await
        .expect("connects");
    stream.write_all(head.as_bytes()).await.expect("writes");
    stream.write_all(&wire.body).await.expect("writes body");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.expect("reads");
    let text = String::from_utf8_lossy(&raw);
    let head = text.split("\r\n\r\n").next().unwrap_or_default();
    head.lines()
        .filter_map(|l| l.split_once(": "))
        .find(|(k, _)| k.eq_ignore_ascii_case("x-mock-refusal"))
        .map(|(_, v)| v.to_owned())
}

/// Every single-field change of the last request, each answered by an auth refusal.
async fn tampering_is_refused(mock: &MockServer) -> Result<usize, String> {
    let r = mock.received().pop().ok_or("no request recorded")?;
    if r.status != 200 {
        return Err(format!("the client's request was refused: {:?}", r.answer));
    }
    let headers: Vec<(String, String)> = r
        .headers
        .iter()
        .filter(|(k, _)| !matches!(k.as_str(), "content-length" | "connection"))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let original = Wire {
        query: r.query.clone(),
        headers: headers.clone(),
        body: r.body.clone(),
    };
    // The same bytes again: at most a replay, never a mismatch (the resend is faithful).
    if let Some(refusal) = send(mock, &r, &original).await
        && !refusal.starts_with("replayed_nonce")
    {
        return Err(format!("the untouched request was refused: {refusal}"));
    }
    let mut variants: Vec<(String, Wire)> = Vec::new();
    for i in 0..r.query.len() {
        let mut query = r.query.clone();
        query[i].1 = changed(&query[i].1);
        variants.push((
            format!("query `{}`", query[i].0),
            Wire {
                query,
                headers: headers.clone(),
                body: r.body.clone(),
            },
        ));
    }
    for (i, (name, value)) in headers.iter().enumerate() {
        if TRANSPORT_HEADERS.contains(&name.as_str()) {
            continue;
        }
        let mut tampered = headers.clone();
        tampered[i].1 = changed(value);
        variants.push((
            format!("header `{name}`"),
            Wire {
                query: r.query.clone(),
                headers: tampered,
                body: r.body.clone(),
            },
        ));
    }
    let content_type = r.header("content-type").unwrap_or_default().to_owned();
    if content_type.starts_with("application/x-www-form-urlencoded") {
        let pairs: Vec<(String, String)> = String::from_utf8_lossy(&r.body)
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap_or((p, ""));
                let decode = |s: &str| {
                    let s = s.replace('+', " ");
                    let bytes = s.as_bytes();
                    let mut out = Vec::new();
                    let mut i = 0;
                    while i < bytes.len() {
                        if bytes[i] == b'%'
                            && let Some(h) = s.get(i + 1..i + 3)
                            && let Ok(b) = u8::from_str_radix(h, 16)
                        {
                            out.push(b);
                            i += 3;
                            continue;
                        }
                        out.push(bytes[i]);
                        i += 1;
                    }
                    String::from_utf8_lossy(&out).into_owned()
                };
                (decode(k), decode(v))
            })
            .collect();
        for i in 0..pairs.len() {
            let mut tampered = pairs.clone();
            tampered[i].1 = changed(&tampered[i].1);
            variants.push((
                format!("form field `{}`", pairs[i].0),
                Wire {
                    query: r.query.clone(),
                    headers: headers.clone(),
                    body: encode_pairs(&tampered).into_bytes(),
                },
            ));
        }
    } else if content_type.starts_with("application/json")
        && let Some(serde_json::Value::Object(map)) = r.body_json()
    {
        let text = String::from_utf8_lossy(&r.body).into_owned();
        for (k, v) in &map {
            let from = format!("{}:{}", serde_json::json!(k), v);
            let to_value = match v {
                serde_json::Value::String(s) => serde_json::json!(changed(s)),
                serde_json::Value::Number(n) => serde_json::json!(n.as_f64().unwrap_or(0.0) + 1.0),
                _ => serde_json::json!("x"),
            };
            let to = format!("{}:{}", serde_json::json!(k), to_value);
            if !text.contains(&from) {
                return Err(format!(
                    "JSON field `{k}` is not written compactly in {text}"
                ));
            }
            variants.push((
                format!("JSON field `{k}`"),
                Wire {
                    query: r.query.clone(),
                    headers: headers.clone(),
                    body: text.replacen(&from, &to, 1).into_bytes(),
                },
            ));
        }
    }
    for (what, wire) in &variants {
        match send(mock, &r, wire).await {
            None => return Err(format!("{what} changed, yet accepted")),
            Some(refusal) if refusal.starts_with("replayed_nonce") => {
                return Err(format!(
                    "{what} changed, refused only as a replay: {refusal}"
                ));
            }
            Some(_) => {}
        }
    }
    Ok(variants.len())
}

fn text() -> impl Strategy<Value = String> {
    proptest::string::string_regex("[a-zA-Z0-9 +=&%中文😀.-]{0,10}").expect("regex")
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

/// One accepted call of `$call` on a fresh mock, then every single-field tampering refused.
macro_rules! property {
    ($name:ident, $dialect:literal, $creds:expr, $module:ident, $credentials:expr,
     |$c:ident, $a:ident, $b:ident| $call:expr) => {
        proptest! {
            #![proptest_config(ProptestConfig { cases: 6, ..ProptestConfig::default() })]
            #[test]
            fn $name($a in text(), $b in text()) {
                let result: Result<usize, String> = runtime().block_on(async {
                    let mock = mock($dialect, $creds).await;
                    let $c = $module::Client::builder($credentials)
                        .base_url(&mock.base_url())
                        .allow_plain_http(true)
                        .retry_policy(RetryPolicy::disabled())
                        .build()
                        .await
                        .map_err(|e| e.to_string())?;
                    $call.await.map_err(|e| format!("the client's call was refused: {e}"))?;
                    tampering_is_refused(&mock).await
                });
                let tampered = result.map_err(TestCaseError::fail)?;
                prop_assert!(tampered >= 2, "too few fields to tamper with: {tampered}");
            }
        }
    };
}

const TAOBAO: &[(&str, &str)] = &[("app_key", "k1"), ("app_secret", "s1"), ("session", "sess")];
const WECHAT: &[(&str, &str)] = &[("appid", "wx1"), ("mch_id", "m1"), ("key", "K")];
const PDD: &[(&str, &str)] = &[
    ("client_id", "c"),
    ("client_secret", "s"),
    ("access_token", "t"),
];

property!(
    taobao_md5_tampering,
    "taobao_md5",
    TAOBAO,
    taobao_md5,
    taobao_md5::Credentials::new("k1", "s1", "sess"),
    |c, a, b| c.item_seller_get(
        &taobao_md5::ItemSellerGetRequest::new("taobao.item.seller.get", a.clone(), 3).a(b.clone())
    )
);
property!(
    taobao_hmac_tampering,
    "taobao_hmac",
    TAOBAO,
    taobao_hmac,
    taobao_hmac::Credentials::new("k1", "s1", "sess"),
    |c, a, b| c.item_seller_get(
        &taobao_hmac::ItemSellerGetRequest::new("taobao.item.seller.get", a.clone(), 7)
            .a1(b.clone())
    )
);
property!(
    pinduoduo_tampering,
    "pinduoduo",
    PDD,
    pinduoduo,
    pinduoduo::Credentials::new("c", "s", "t"),
    |c, a, b| c.order_number_list_get(
        &pinduoduo::OrderNumberListGetRequest::new("pdd.order.number.list.get", 1)
            .a_b(format!("{a}{b}"))
    )
);
property!(
    kuaidi100_tampering,
    "kuaidi100",
    &[("customer", "C"), ("key", "K")],
    kuaidi100,
    kuaidi100::Credentials::new("C", "K"),
    |c, a, b| c.query(&kuaidi100::QueryRequest::new(
        serde_json::json!({ "com": a, "num": b }).to_string()
    ))
);
property!(
    wechatpay_v2_md5_tampering,
    "wechatpay_v2_md5",
    WECHAT,
    wechatpay_v2_md5,
    wechatpay_v2_md5::Credentials::new("wx1", "m1", "K"),
    |c, a, b| c.unifiedorder(
        &wechatpay_v2_md5::UnifiedorderRequest::new(a.clone(), format!("nonce{b}"))
            .device_info(b.clone())
    )
);
property!(
    wechatpay_v2_hmac_tampering,
    "wechatpay_v2_hmac",
    WECHAT,
    wechatpay_v2_hmac,
    wechatpay_v2_hmac::Credentials::new("wx1", "m1", "K"),
    |c, a, b| c.unifiedorder(&wechatpay_v2_hmac::UnifiedorderRequest::new(a.clone()).zh(b.clone()))
);
property!(
    alipay_rsa2_tampering,
    "alipay_rsa2",
    &[
        ("app_id", "2014"),
        ("app_private_key", include_str!("rsa_test_key.pem"))
    ],
    alipay_rsa2,
    alipay_rsa2::Credentials::new("2014", include_str!("rsa_test_key.pem")),
    |c, a, b| c.trade_query(&alipay_rsa2::TradeQueryRequest::new(
        "alipay.trade.query",
        serde_json::json!({ "out_trade_no": a, "x": b }).to_string()
    ))
);
property!(
    json_body_hmac_tampering,
    "json_body_hmac",
    &[("app_id", "a"), ("secret", "s")],
    json_body_hmac,
    json_body_hmac::Credentials::new("a", "s"),
    |c, a, b| c
        .create_shipment(&json_body_hmac::CreateShipmentRequest::new(a.clone()).note(b.clone()))
);
