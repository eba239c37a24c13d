//! The type × location matrix on the wire: each endpoint of `matrix.yaml` is called against the
//! spec mock (which checks every parameter's presence and type from the spec), and the exact
//! text each cell put on the wire is asserted. The expected texts were computed independently
//! (Python's `urllib.parse`: `quote` with RFC 3986's unreserved set for path segments,
//! `quote_plus` with `*` kept and `~` as `%7E` — the WHATWG / Java `URLEncoder` rule — for
//! query strings and form bodies), not by the runtime.

use std::path::PathBuf;

use matrix_tests::matrix::{self, Item};
use spec_mock::{MockConfig, MockServer, ReceivedRequest};
use spec_runtime::{RetryPolicy, SecretText, jiff, rust_decimal, serde_json};

const API_KEY: &str = "key-1";

async fn mock() -> MockServer {
    let spec = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("matrix.yaml");
    MockServer::start(MockConfig::new(spec).credential("api_key", API_KEY))
        .await
        .expect("the mock starts")
}

async fn client(mock: &MockServer) -> matrix::Client {
    matrix::Client::builder(matrix::Credentials::new(API_KEY))
        .base_url(&mock.base_url())
        .allow_plain_http(true)
        .retry_policy(RetryPolicy::disabled())
        .build()
        .await
        .expect("client")
}

/// The one request the mock received for `operation`, accepted.
fn received(mock: &MockServer, operation: &str) -> ReceivedRequest {
    let got = mock.received_for(operation);
    assert_eq!(got.len(), 1, "{operation}: one request");
    let r = got.into_iter().next().unwrap();
    assert_eq!(
        r.status, 200,
        "{operation}: accepted by the mock: {}",
        r.answer
    );
    r
}

// The values every cell sends.
const S: &str = "a b/c?&=中~*";
fn decimal() -> rust_decimal::Decimal {
    "12.50".parse().unwrap()
}
fn date() -> jiff::civil::Date {
    jiff::civil::date(2026, 5, 8)
}
fn datetime() -> jiff::civil::DateTime {
    date().at(14, 30, 8, 0)
}
fn ts() -> jiff::Timestamp {
    "2024-01-20T12:00:00Z".parse().unwrap()
}
fn ts_millis() -> jiff::Timestamp {
    "2024-01-20T12:00:00.25Z".parse().unwrap()
}
fn secret() -> SecretText {
    SecretText::from("p@ss w0rd".to_owned())
}
fn item() -> Item {
    Item::new("A 1*~", 2)
}
fn items() -> Vec<Item> {
    vec![
        Item::new("x", 1).note("n"),
        Item::new("y", 0).tags(vec!["t".to_owned()]),
    ]
}

// Their texts, computed independently (see the module docs).
const S_FORM: &str = "a+b%2Fc%3F%26%3D%E4%B8%AD%7E*";
const S_PATH: &str = "a%20b%2Fc%3F%26%3D%E4%B8%AD~%2A";
const SEC_FORM: &str = "p%40ss+w0rd";
const SEC_PATH: &str = "p%40ss%20w0rd";
const ITEM_JSON: &str = r#"{"sku":"A 1*~","qty":2}"#;
const ITEM_FORM: &str = "%7B%22sku%22%3A%22A+1*%7E%22%2C%22qty%22%3A2%7D";
const ITEM_PATH: &str = "%7B%22sku%22%3A%22A%201%2A~%22%2C%22qty%22%3A2%7D";
const ITEMS_FORM: &str = "%5B%7B%22sku%22%3A%22x%22%2C%22qty%22%3A1%2C%22note%22%3A%22n%22%7D%2C%7B%22sku%22%3A%22y%22%2C%22qty%22%3A0%2C%22tags%22%3A%5B%22t%22%5D%7D%5D";
const DATETIME_ENC: &str = "2026-05-08T14%3A30%3A08";
const TS_ENC: &str = "2024-01-20T12%3A00%3A00Z";

/// `name=value` pairs joined as sent.
fn joined(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

#[tokio::test]
async fn path_segments() {
    let mock = mock().await;
    let c = client(&mock).await;
    let req = matrix::PathParamsRequest::new(
        S,
        -42,
        true,
        decimal(),
        date(),
        datetime(),
        ts(),
        ts(),
        ts_millis(),
        secret(),
        item(),
    );
    c.path_params(&req).await.expect("accepted");
    let r = received(&mock, "path_params");
    let want = [
        S_PATH,
        "-42",
        "true",
        "12.50",
        "2026-05-08",
        DATETIME_ENC,
        TS_ENC,
        "1705752000",
        "1705752000250",
        SEC_PATH,
        ITEM_PATH,
        "v2",
    ];
    assert_eq!(r.path, format!("/p/{}", want.join("/")));
}

#[tokio::test]
async fn query_required_and_optional() {
    let mock = mock().await;
    let c = client(&mock).await;
    let req = matrix::QueryRequiredRequest::new(
        S,
        -42,
        true,
        decimal(),
        date(),
        datetime(),
        ts(),
        ts(),
        ts_millis(),
        secret(),
        vec!["a b".to_owned(), "中".to_owned()],
        vec![1, -2],
        vec![ts(), ts() + jiff::SignedDuration::from_secs(1)],
        item(),
        items(),
        serde_json::json!({"k": [1, null]}),
    );
    c.query_required(&req).await.expect("accepted");
    let want = joined(&[
        ("s", S_FORM),
        ("i", "-42"),
        ("b", "true"),
        ("d", "12.50"),
        ("date", "2026-05-08"),
        ("dt", DATETIME_ENC),
        ("ts", TS_ENC),
        ("us", "1705752000"),
        ("um", "1705752000250"),
        ("sec", SEC_FORM),
        ("ls", "a+b"),
        ("ls", "%E4%B8%AD"),
        ("li", "1"),
        ("li", "-2"),
        ("lus", "1705752000"),
        ("lus", "1705752001"),
        ("jt", ITEM_FORM),
        ("jtl", ITEMS_FORM),
        ("jtj", "%7B%22k%22%3A%5B1%2Cnull%5D%7D"),
        ("fixed", "EXP_RECE_CREATE_ORDER"),
    ]);
    assert_eq!(received(&mock, "query_required").raw_query, want);

    // Optional: nothing set sends nothing; everything set sends the same texts.
    c.query_optional(&matrix::QueryOptionalRequest::new())
        .await
        .expect("accepted");
    let full = matrix::QueryOptionalRequest::new()
        .s(S)
        .i(-42)
        .us(ts())
        .um(ts_millis())
        .sec(secret())
        .ls(vec!["a b".to_owned()])
        .jt(item());
    c.query_optional(&full).await.expect("accepted");
    let got = mock.received_for("query_optional");
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].raw_query, "");
    assert_eq!(
        got[1].raw_query,
        joined(&[
            ("s", S_FORM),
            ("i", "-42"),
            ("us", "1705752000"),
            ("um", "1705752000250"),
            ("sec", SEC_FORM),
            ("ls", "a+b"),
            ("jt", ITEM_FORM),
        ])
    );
}

#[tokio::test]
async fn headers_required_and_optional() {
    let mock = mock().await;
    let c = client(&mock).await;
    let req = matrix::HeaderRequiredRequest::new(
        "a b*~",
        -42,
        true,
        decimal(),
        date(),
        datetime(),
        ts(),
        ts(),
        ts_millis(),
        secret(),
        item(),
    );
    c.header_required(&req).await.expect("accepted");
    let r = received(&mock, "header_required");
    for (name, want) in [
        ("X-S", "a b*~"),
        ("X-I", "-42"),
        ("X-B", "true"),
        ("X-D", "12.50"),
        ("X-Date", "2026-05-08"),
        ("X-Dt", "2026-05-08T14:30:08"),
        ("X-Ts", "2024-01-20T12:00:00Z"),
        ("X-Us", "1705752000"),
        ("X-Um", "1705752000250"),
        ("X-Sec", "p@ss w0rd"),
        ("X-Jt", ITEM_JSON),
        ("X-Fixed", "fixed-header"),
        ("X-Api-Key", API_KEY),
    ] {
        assert_eq!(r.header(name), Some(want), "{name}");
    }

    c.header_optional(&matrix::HeaderOptionalRequest::new().x_us(ts()).x_jt(item()))
        .await
        .expect("accepted");
    let r = received(&mock, "header_optional");
    assert_eq!(r.header("X-Us"), Some("1705752000"));
    assert_eq!(r.header("X-Jt"), Some(ITEM_JSON));
    assert_eq!(r.header("X-S"), None);
    assert_eq!(r.header("X-Sec"), None);

    // A header value that HTTP cannot carry is refused before sending, naming the header.
    let bad = matrix::HeaderOptionalRequest::new().x_s("line\r\nInjected: 1");
    let err = c.header_optional(&bad).await.expect_err("refused");
    assert!(err.to_string().contains("X-S"), "{err}");
    assert_eq!(
        mock.received_for("header_optional").len(),
        1,
        "nothing sent"
    );
}

#[tokio::test]
async fn form_bodies() {
    let mock = mock().await;
    let c = client(&mock).await;
    let req = matrix::FormRequiredRequest::new(
        S,
        -42,
        true,
        decimal(),
        date(),
        datetime(),
        ts(),
        ts(),
        ts_millis(),
        secret(),
        vec!["a b".to_owned(), "中".to_owned()],
        vec![1, -2],
        item(),
        items(),
    );
    c.form_required(&req).await.expect("accepted");
    let r = received(&mock, "form_required");
    assert_eq!(
        r.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    let want = joined(&[
        ("s", S_FORM),
        ("i", "-42"),
        ("b", "true"),
        ("d", "12.50"),
        ("date", "2026-05-08"),
        ("dt", DATETIME_ENC),
        ("ts", TS_ENC),
        ("us", "1705752000"),
        ("um", "1705752000250"),
        ("sec", SEC_FORM),
        ("ls", "a+b"),
        ("ls", "%E4%B8%AD"),
        ("li", "1"),
        ("li", "-2"),
        ("jt", ITEM_FORM),
        ("jtl", ITEMS_FORM),
        ("fixed", "EXP_RECE_CREATE_ORDER"),
    ]);
    assert_eq!(String::from_utf8(r.body).unwrap(), want);

    let opt = matrix::FormOptionalRequest::new()
        .us(ts())
        .um(ts_millis())
        .sec(secret())
        .jt(item());
    c.form_optional(&opt).await.expect("accepted");
    let r = received(&mock, "form_optional");
    assert_eq!(
        String::from_utf8(r.body).unwrap(),
        joined(&[
            ("us", "1705752000"),
            ("um", "1705752000250"),
            ("sec", SEC_FORM),
            ("jt", ITEM_FORM),
        ])
    );
}

#[tokio::test]
async fn json_bodies() {
    let mock = mock().await;
    let c = client(&mock).await;
    let mut counts = std::collections::BTreeMap::new();
    counts.insert("a".to_owned(), 1);
    let bundle = matrix::Bundle::new("b", items()).meta(serde_json::json!({"x": true}));
    let req = matrix::JsonRequiredRequest::new(
        S,
        -42,
        true,
        decimal(),
        decimal(),
        date(),
        datetime(),
        ts(),
        ts(),
        ts_millis(),
        secret(),
        serde_json::json!([1, "two"]),
        vec!["a b".to_owned()],
        item(),
        items(),
        counts,
        bundle,
        item(),
        7,
        "h",
    );
    c.json_required(&req).await.expect("accepted");
    let r = received(&mock, "json_required");
    assert_eq!(r.raw_query, "q=7");
    assert_eq!(r.header("X-H"), Some("h"));
    // A JSON body is compared as JSON (its members go out in key order; a decimal written as a
    // number goes through `f64`, as `wire: number` says), with every value's text exact.
    let want = concat!(
        r#"{"s":"a b/c?&=中~*","i":-42,"b":true,"d":"12.50","dn":12.5,"date":"2026-05-08","#,
        r#""dt":"2026-05-08T14:30:08","ts":"2024-01-20T12:00:00Z","us":1705752000,"#,
        r#""um":1705752000250,"sec":"p@ss w0rd","js":[1,"two"],"ls":["a b"],"#,
        r#""rec":{"sku":"A 1*~","qty":2},"lrec":[{"sku":"x","qty":1,"note":"n"},{"sku":"y","qty":0,"tags":["t"]}],"#,
        r#""mi":{"a":1},"bundle":{"name":"b","items":[{"sku":"x","qty":1,"note":"n"},{"sku":"y","qty":0,"tags":["t"]}],"meta":{"x":true}},"#,
        r#""jt":"{\"sku\":\"A 1*~\",\"qty\":2}","fixed":"EXP_RECE_CREATE_ORDER"}"#
    );
    let got: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(
        got,
        serde_json::from_str::<serde_json::Value>(want).unwrap()
    );
    // The embedded document's text is exact (not only equal as JSON).
    assert_eq!(got["jt"], ITEM_JSON);

    c.json_optional(&matrix::JsonOptionalRequest::new())
        .await
        .expect("accepted");
    c.json_optional(&matrix::JsonOptionalRequest::new().us(ts()).jt(item()))
        .await
        .expect("accepted");
    let got = mock.received_for("json_optional");
    assert_eq!(String::from_utf8_lossy(&got[0].body), "{}");
    assert_eq!(
        String::from_utf8_lossy(&got[1].body),
        r#"{"jt":"{\"sku\":\"A 1*~\",\"qty\":2}","us":1705752000}"#
    );
}

#[tokio::test]
async fn fixed_parameters_are_not_arguments() {
    let mock = mock().await;
    let c = client(&mock).await;
    // `constants_only` has no request type: every parameter is fixed.
    c.constants_only().await.expect("accepted");
    let r = received(&mock, "constants_only");
    assert_eq!(r.path, "/c/v1");
    assert_eq!(r.raw_query, "method=jingdong.pop.order.get");
    assert_eq!(r.header("X-Service"), Some("svc"));
    assert_eq!(
        String::from_utf8(r.body).unwrap(),
        "serviceCode=EXP_RECE_CREATE_ORDER"
    );
}

#[tokio::test]
async fn json_inside_strings_decodes_typed() {
    let mock = mock().await;
    let c = client(&mock).await;
    mock.next("echo").respond_data(serde_json::json!({
        "ok": true,
        "item": r#"{"sku":"A 1","qty":3,"tags":["中"]}"#,
        "maybe": null,
    }));
    let echo = c.echo().await.expect("decoded");
    assert_eq!(echo.item, Item::new("A 1", 3).tags(vec!["中".to_owned()]));
    assert_eq!(echo.maybe, None);

    // A string that does not hold the promised document is a decode error with the raw body.
    mock.next("echo").respond_data(serde_json::json!({
        "ok": true, "item": "{not json", "maybe": r#"{"sku":"m","qty":1}"#
    }));
    let err = c.echo().await.expect_err("not a document");
    let mut chain = err.to_string();
    let mut source = std::error::Error::source(&err);
    while let Some(e) = source {
        chain.push_str(&format!(": {e}"));
        source = e.source();
    }
    assert!(chain.contains("JSON document inside the string"), "{chain}");
    assert!(matches!(err, spec_runtime::Error::Decode { .. }), "{err:?}");
}

/// Generated webhook code compiles in a crate that depends on the runtime alone (it names
/// `SecretString` through the runtime), and verifies a delivery signed per the spec.
#[test]
fn webhooks_verify_in_a_runtime_only_crate() {
    use spec_runtime::secrecy::SecretString;
    let now = jiff::Timestamp::now().as_second();
    let payload = r#"{"sku":"w","qty":1}"#;
    let body = format!(r#"{{"type":"item_changed","timestamp":{now},"data":{payload}}}"#);
    let signature = md5_hex(&format!("{payload}{API_KEY}"));
    let secret = SecretString::from(API_KEY);
    let delivery = matrix::verify_and_parse_max_age(
        body.as_bytes(),
        &signature,
        &secret,
        std::time::Duration::from_secs(300),
    )
    .expect("verified");
    assert!(matches!(delivery.event, matrix::WebhookEvent::ItemChanged(ref i) if i.sku == "w"));
    assert!(matrix::verify_and_parse(body.as_bytes(), "0".repeat(32).as_str(), &secret).is_err());
}

/// MD5 in hex, written out here so the check does not rest on the runtime's own digest.
fn md5_hex(text: &str) -> String {
    let out = std::process::Command::new("python3")
        .args([
            "-c",
            "import hashlib,sys; print(hashlib.md5(sys.argv[1].encode()).hexdigest())",
            text,
        ])
        .output()
        .expect("python3 is installed (cargo xtask test installs it)");
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}
