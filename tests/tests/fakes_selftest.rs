//! Self-tests of the vendor fakes over raw HTTP/1.1: the fakes must enforce each document's
//! rules and answer with its bodies, otherwise client tests against them prove nothing.

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use integration_tests::fakes::{erp, jfwms, niumall, supercarrier8, zhiyun};
use integration_tests::raw_http::{RawRequest, RawResponse};
use serde_json::{Value, json};

fn basic(user: &str, pass: &str) -> String {
    format!("Basic {}", STANDARD.encode(format!("{user}:{pass}")))
}

fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}

fn is_lower_hex(s: &str, len: usize) -> bool {
    s.len() == len
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

async fn send(req: RawRequest, base: &str) -> RawResponse {
    req.send(base).await.expect("raw HTTP exchange")
}

// ---------------------------------------------------------------- erp

async fn erp_token(fake: &erp::FakeErp) -> String {
    let cfg = fake.config();
    let r = send(
        RawRequest::post(erp::TOKEN_PATH).form(&[
            ("grant_type", "client_credentials"),
            ("client_id", &cfg.client_id),
            ("client_secret", &cfg.client_secret),
        ]),
        &fake.base_url,
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()["access_token"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn erp_client_credentials_by_form_or_basic_but_not_both() {
    let fake = erp::start(erp::ErpConfig::default()).await;
    let (id, secret) = ("your_client_id", "your_client_secret");

    let form = send(
        RawRequest::post(erp::TOKEN_PATH).form(&[
            ("grant_type", "client_credentials"),
            ("client_id", id),
            ("client_secret", secret),
        ]),
        &fake.base_url,
    )
    .await;
    assert_eq!(form.status, 200);
    let body = form.json();
    let token = body["access_token"].as_str().unwrap();
    assert!(is_lower_hex(token, 40));
    assert_eq!(
        body,
        json!({"access_token": token, "token_type": "Bearer", "expires_in": 3600})
    );
    assert_eq!(form.header("cache-control"), Some("no-store"));

    let via_basic = send(
        RawRequest::post(erp::TOKEN_PATH)
            .header("Authorization", &basic(id, secret))
            .form(&[("grant_type", "client_credentials")]),
        &fake.base_url,
    )
    .await;
    assert_eq!(via_basic.status, 200, "{}", via_basic.text());

    let both = send(
        RawRequest::post(erp::TOKEN_PATH)
            .header("Authorization", &basic(id, secret))
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", id),
                ("client_secret", secret),
            ]),
        &fake.base_url,
    )
    .await;
    assert_eq!(both.status, 400);
    assert_eq!(both.json()["error"], "invalid_request");

    for req in [
        RawRequest::post(erp::TOKEN_PATH).form(&[
            ("grant_type", "client_credentials"),
            ("client_id", id),
            ("client_secret", "wrong"),
        ]),
        RawRequest::post(erp::TOKEN_PATH)
            .header("Authorization", &basic(id, "wrong"))
            .form(&[("grant_type", "client_credentials")]),
    ] {
        let r = send(req, &fake.base_url).await;
        assert_eq!(r.status, 401);
        assert_eq!(r.json()["error"], "invalid_client");
        assert!(r.json()["error_description"].is_string());
    }

    // Form encoding only, and only the two documented grants.
    let json_body = send(
        RawRequest::post(erp::TOKEN_PATH).json(&json!({
            "grant_type": "client_credentials", "client_id": id, "client_secret": secret
        })),
        &fake.base_url,
    )
    .await;
    assert_eq!(
        (json_body.status, json_body.json()["error"].clone()),
        (400, json!("invalid_request"))
    );
    let password = send(
        RawRequest::post(erp::TOKEN_PATH).form(&[
            ("grant_type", "password"),
            ("client_id", id),
            ("client_secret", secret),
        ]),
        &fake.base_url,
    )
    .await;
    assert_eq!(password.status, 400);
    assert_eq!(password.json()["error"], "unsupported_grant_type");

    assert_eq!(fake.token_requests(), 7);
    let first = &fake.requests()[1];
    assert_eq!(
        first.header("authorization"),
        Some(basic(id, secret).as_str())
    );
    assert_eq!(
        first.form_pairs(),
        vec![("grant_type".to_owned(), "client_credentials".to_owned())]
    );
}

#[tokio::test]
async fn erp_authorization_code_is_single_use_and_bound_to_redirect_uri() {
    let fake = erp::start(erp::ErpConfig::default()).await;
    let redirect = "http://127.0.0.1/callback";
    let target = format!(
        "{}?response_type=code&client_id=your_client_id&redirect_uri={}&state=a%20b%26c",
        erp::AUTHORIZE_PATH,
        "http%3A%2F%2F127.0.0.1%2Fcallback"
    );
    let r = send(RawRequest::get(&target), &fake.base_url).await;
    assert_eq!(r.status, 302);
    let location = r.header("location").unwrap().to_owned();
    let query = location.strip_prefix("http://127.0.0.1/callback?").unwrap();
    let pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    assert_eq!(pairs[0].0, "code");
    assert_eq!(pairs[1], ("state".to_owned(), "a b&c".to_owned()));
    let code = pairs[0].1.clone();

    let exchange = |code: String, redirect: &'static str| {
        RawRequest::post(erp::TOKEN_PATH).form(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("client_id", "your_client_id"),
            ("client_secret", "your_client_secret"),
            ("redirect_uri", redirect),
        ])
    };
    let mismatch = send(
        exchange(code.clone(), "http://127.0.0.1/other"),
        &fake.base_url,
    )
    .await;
    assert_eq!(
        (mismatch.status, mismatch.json()["error"].clone()),
        (400, json!("invalid_grant"))
    );
    let ok = send(
        exchange(code.clone(), "http://127.0.0.1/callback"),
        &fake.base_url,
    )
    .await;
    assert_eq!(ok.status, 200, "{}", ok.text());
    assert_eq!(ok.json()["token_type"], "Bearer");
    let reused = send(exchange(code, "http://127.0.0.1/callback"), &fake.base_url).await;
    assert_eq!(
        (reused.status, reused.json()["error"].clone()),
        (400, json!("invalid_grant"))
    );

    let stale = fake.issue_authorization_code(redirect);
    fake.expire_authorization_codes();
    let expired = send(exchange(stale, "http://127.0.0.1/callback"), &fake.base_url).await;
    assert_eq!(
        expired.json(),
        json!({"error": "invalid_grant", "error_description": "Authorization code expired"})
    );

    // An unregistered redirect_uri is never redirected to.
    let evil = send(
        RawRequest::get(&format!(
            "{}?response_type=code&client_id=your_client_id&redirect_uri=http%3A%2F%2Fevil",
            erp::AUTHORIZE_PATH
        )),
        &fake.base_url,
    )
    .await;
    assert_eq!(evil.status, 400);
    assert!(evil.header("location").is_none());
}

#[tokio::test]
async fn erp_business_auth_bodies_are_the_documents() {
    let fake = erp::start(erp::ErpConfig::default()).await;
    let missing = send(RawRequest::get(erp::INVENTORY_PATH), &fake.base_url).await;
    assert_eq!(missing.status, 401);
    assert_eq!(
        missing.json(),
        json!({"code": -1, "message": "Missing or malformed Authorization header", "data": null})
    );
    let malformed = send(
        RawRequest::get(erp::INVENTORY_PATH).header("Authorization", "Token abc"),
        &fake.base_url,
    )
    .await;
    assert_eq!(malformed.json(), missing.json());

    let token = fake.issue_token();
    fake.expire_all_tokens();
    let expired = send(
        RawRequest::get(erp::SORDER_PATH).header("Authorization", &format!("Bearer {token}")),
        &fake.base_url,
    )
    .await;
    assert_eq!(expired.status, 401);
    assert_eq!(
        expired.json(),
        json!({"code": -1, "message": "Access token expired", "data": null})
    );

    let unknown = send(
        RawRequest::get(erp::OUTBOUND_PATH).header("Authorization", "Bearer deadbeef"),
        &fake.base_url,
    )
    .await;
    assert_eq!(
        (unknown.status, unknown.json()["code"].clone()),
        (401, json!(-1))
    );
    assert_eq!(fake.business_requests(), 4);
}

#[tokio::test]
async fn erp_paginates_truthfully_with_document_shapes() {
    let fake = erp::start(erp::ErpConfig::default()).await;
    let token = erp_token(&fake).await;
    let auth = format!("Bearer {token}");

    let r = send(
        RawRequest::get(&format!("{}?day=2026-05-06", erp::INVENTORY_PATH))
            .header("Authorization", &auth),
        &fake.base_url,
    )
    .await;
    assert_eq!(r.status, 200);
    let body = r.json();
    assert_eq!(
        (body["code"].clone(), body["message"].clone()),
        (json!(0), json!("ok"))
    );
    assert_eq!(
        body["data"]["pagination"],
        json!({"page": 1, "page_size": 20, "total": 45, "total_pages": 3})
    );
    assert_eq!(
        body["data"]["list"][0],
        json!({
            "organization_name": "科勒集团", "organization_code": "KL", "warehouse_id": "0001",
            "warehouse_name": "大库", "sku_id": "EB1446-NF", "inventory_cnt": "1.00000000",
            "create_at": "2026-05-08", "update_at": "2026-05-08"
        })
    );

    let last = send(
        RawRequest::get(&format!("{}?page=3&page_size=20", erp::INVENTORY_PATH))
            .header("Authorization", &auth),
        &fake.base_url,
    )
    .await;
    assert_eq!(last.json()["data"]["list"].as_array().unwrap().len(), 5);

    // POST with form fields works like GET; sorder keeps the document's `receiver_cit` typo.
    let sorder = send(
        RawRequest::post(erp::SORDER_PATH)
            .header("Authorization", &auth)
            .form(&[("page_size", "100")]),
        &fake.base_url,
    )
    .await;
    let order = &sorder.json()["data"]["list"][0];
    assert_eq!(order["total_amount"], "110606.00");
    assert_eq!(order["create_at"], "2026-05-08 14:30:08.573131");
    assert!(order.get("receiver_cit").is_some() && order.get("receiver_city").is_none());
    assert_eq!(order["product_info"].as_array().unwrap().len(), 9);
    assert_eq!(sorder.json()["data"]["list"].as_array().unwrap().len(), 45);

    let outbound = send(
        RawRequest::get(erp::OUTBOUND_PATH).header("Authorization", &auth),
        &fake.base_url,
    )
    .await;
    let item = &outbound.json()["data"]["list"][0];
    assert!(item.get("receiver_city").is_some() && item.get("receiver_cit").is_none());
    assert_eq!(item["product_info"][0]["price"], "2646.11000000");

    for bad in [
        "page_size=101",
        "page_size=0",
        "page=0",
        "day=2026-5-6",
        "page=x",
    ] {
        let r = send(
            RawRequest::get(&format!("{}?{bad}", erp::INVENTORY_PATH))
                .header("Authorization", &auth),
            &fake.base_url,
        )
        .await;
        assert_eq!(r.status, 400, "{bad}");
        assert_eq!(r.json()["code"], -2, "{bad}");
        assert_eq!(r.json()["data"], Value::Null);
    }
}

#[tokio::test]
async fn erp_dropping_the_handle_stops_the_server() {
    let fake = erp::start(erp::ErpConfig::default()).await;
    let base = fake.base_url.clone();
    drop(fake);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(
        RawRequest::get(erp::INVENTORY_PATH)
            .send(&base)
            .await
            .is_err()
    );
}

// ---------------------------------------------------------------- jfwms

const JF_SECRET: &str = "4a506ccaf37e400bac4a42d2dc5f600a";
const JF_TOKEN: &str = "1b56814f081c432cb82751be145261d3";
const JF_CLIENT: &str = "fe73489a9b5948dbafd07e7b28d6e268";
const JF_VECTOR_SIGN: &str = "9bc08ba7552c5dfea4efab6bda78a4a9738010913f2403bd93f09c6bf974b939";

/// Header name → replacement value (`None` drops the header).
type Overrides<'a> = &'a [(&'a str, Option<&'a str>)];

/// The document's example call, headers overridable.
fn jf_request(overrides: Overrides, body: &Value) -> RawRequest {
    let mut headers = vec![
        ("clientId", Some(JF_CLIENT.to_owned())),
        ("accessToken", Some(JF_TOKEN.to_owned())),
        ("timestamp", Some("1692889556000".to_owned())),
        ("nonce", Some("14".to_owned())),
        ("sign", Some(JF_VECTOR_SIGN.to_owned())),
        ("userId", Some("8".to_owned())),
    ];
    for (k, v) in overrides {
        if let Some(h) = headers.iter_mut().find(|(name, _)| name == k) {
            h.1 = v.map(str::to_owned);
        }
    }
    let mut req = RawRequest::post(jfwms::ORDER_GET_PATH);
    for (k, v) in headers {
        if let Some(v) = v {
            req = req.header(k, &v);
        }
    }
    req.json(body)
}

/// A correctly signed call made now with a fresh nonce.
fn jf_signed(token: &str, nonce: &str, erp_no: &str) -> RawRequest {
    let ts = now_ms().to_string();
    let sign = jfwms::sign(
        JF_SECRET,
        token,
        JF_CLIENT,
        nonce,
        &ts,
        jfwms::ORDER_GET_PATH,
        "8",
    );
    jf_request(
        &[
            ("accessToken", Some(token)),
            ("timestamp", Some(&ts)),
            ("nonce", Some(nonce)),
            ("sign", Some(&sign)),
        ],
        &json!({ "erpNo": erp_no }),
    )
}

fn jf_code(r: &RawResponse) -> i64 {
    assert_eq!(r.status, 200, "{}", r.text());
    let body = r.json();
    assert!(is_lower_hex(body["requestId"].as_str().unwrap(), 32));
    body["code"].as_i64().unwrap()
}

#[tokio::test]
async fn jfwms_document_vector_is_accepted_and_replay_rejected() {
    assert_eq!(
        jfwms::sign(
            JF_SECRET,
            JF_TOKEN,
            JF_CLIENT,
            "14",
            "1692889556000",
            "/api/order/get",
            "8"
        ),
        JF_VECTOR_SIGN
    );
    // The vector's timestamp is from 2023, so widen the window to accept it verbatim.
    let fake = jfwms::start(jfwms::JfwmsConfig {
        timestamp_window: Duration::from_secs(100 * 365 * 86_400),
        ..Default::default()
    })
    .await;
    fake.add_access_token(JF_TOKEN, 8);
    let r = send(jf_request(&[], &json!({"erpNo": "123"})), &fake.base_url).await;
    let body = r.json();
    assert_eq!(jf_code(&r), 50017);
    assert_eq!(body["message"], "The order was not found in the warehouse!");
    assert_eq!(body["data"], Value::Null);

    let replay = send(jf_request(&[], &json!({"erpNo": "123"})), &fake.base_url).await;
    assert_eq!(jf_code(&replay), 10027);
    assert_eq!(replay.json()["message"], "重复提交");

    // With the default 5-minute window the same (correctly signed) vector is stale.
    let strict = jfwms::start(jfwms::JfwmsConfig::default()).await;
    strict.add_access_token(JF_TOKEN, 8);
    let stale = send(jf_request(&[], &json!({"erpNo": "123"})), &strict.base_url).await;
    assert_eq!(jf_code(&stale), 10028);
    assert_eq!(stale.json()["message"], "时间戳失效");
}

#[tokio::test]
async fn jfwms_header_checks_follow_the_table() {
    let fake = jfwms::start(jfwms::JfwmsConfig {
        timestamp_window: Duration::from_secs(100 * 365 * 86_400),
        ..Default::default()
    })
    .await;
    fake.add_access_token(JF_TOKEN, 8);
    let body = json!({"erpNo": "123"});
    let cases: [(Overrides, i64, &str); 10] = [
        (
            &[("accessToken", None), ("sign", None)],
            10004,
            "ACCESS TOKEN empty",
        ),
        (&[("sign", None), ("nonce", None)], 10021, "SIGN 不能为空"),
        (
            &[("nonce", None), ("timestamp", None)],
            10022,
            "NONCE 不能为空",
        ),
        (&[("timestamp", None)], 10023, "TIMESTAMP 不能为空"),
        (
            &[("nonce", Some("1a")), ("timestamp", Some("x"))],
            10024,
            "NONCE 格式异常",
        ),
        (
            &[("timestamp", Some("16928895560x0"))],
            10025,
            "TIMESTAMP 格式异常",
        ),
        (&[("userId", Some("eight"))], 10029, "USER ID 格式异常"),
        (
            &[("accessToken", Some("ffff"))],
            10002,
            "Invalid ACCESS TOKEN ",
        ),
        (&[("sign", Some(&JF_VECTOR_SIGN[1..]))], 10026, "签名错误"),
        (&[("nonce", Some("15"))], 10026, "签名错误"),
    ];
    for (overrides, code, message) in cases {
        let r = send(jf_request(overrides, &body), &fake.base_url).await;
        assert_eq!(jf_code(&r), code, "{overrides:?}");
        assert_eq!(r.json()["message"], message, "{overrides:?}");
    }
    // Failed attempts do not burn the nonce.
    let ok = send(jf_request(&[], &body), &fake.base_url).await;
    assert_eq!(jf_code(&ok), 50017);
    assert_eq!(fake.business_requests(), 11);
}

#[tokio::test]
async fn jfwms_code_exchange_refresh_and_expiry() {
    let fake = jfwms::start(jfwms::JfwmsConfig::default()).await;
    let code = fake.issue_authorization_code();
    let exchange = |code: &str| {
        RawRequest::post("/oauth/token")
            .json(&json!({"clientId": JF_CLIENT, "clientSecret": JF_SECRET, "code": code}))
    };
    let r = send(exchange(&code), &fake.base_url).await;
    assert_eq!(jf_code(&r), 0);
    let data = r.json()["data"].clone();
    assert_eq!(r.json()["message"], "success");
    assert_eq!(
        (data["userId"].clone(), data["expiresIn"].clone()),
        (json!(8), json!(86_400))
    );
    let access = data["accessToken"].as_str().unwrap().to_owned();
    let refresh = data["refreshToken"].as_str().unwrap().to_owned();
    assert_eq!(jf_code(&send(exchange(&code), &fake.base_url).await), 10030);
    assert_eq!(fake.token_requests(), 2);

    let found = send(jf_signed(&access, "1", "123123"), &fake.base_url).await;
    assert_eq!(jf_code(&found), 0);
    assert_eq!(found.json()["data"]["erpNo"], "123123");

    fake.expire_all_access_tokens();
    assert_eq!(
        jf_code(&send(jf_signed(&access, "2", "123123"), &fake.base_url).await),
        10002
    );

    let refresh_req = |rt: &str| {
        RawRequest::post("/oauth/refresh")
            .json(&json!({"clientId": JF_CLIENT, "clientSecret": JF_SECRET, "refreshToken": rt}))
    };
    let refreshed = send(refresh_req(&refresh), &fake.base_url).await;
    assert_eq!(jf_code(&refreshed), 0);
    let new_access = refreshed.json()["data"]["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        jf_code(&send(jf_signed(&new_access, "3", "123123"), &fake.base_url).await),
        0
    );

    fake.expire_all_refresh_tokens();
    let dead = send(refresh_req(&refresh), &fake.base_url).await;
    assert_eq!(jf_code(&dead), 10003);
    assert_eq!(dead.json()["message"], "Invalid REFRESH TOKEN");
    assert_eq!(fake.refresh_requests(), 2);

    let bad_client = send(
        RawRequest::post("/oauth/refresh")
            .json(&json!({"clientId": JF_CLIENT, "clientSecret": "x", "refreshToken": "y"})),
        &fake.base_url,
    )
    .await;
    assert_eq!(jf_code(&bad_client), 10008);
}

/// The test hook behind `repeated_nonces_are_resigned_and_retried`: only tries the real checks
/// accept are turned into 10027, each uses its nonce up, and the hook runs out.
#[tokio::test]
async fn jfwms_forced_replays_reject_only_correctly_signed_tries() {
    let fake = jfwms::start(jfwms::JfwmsConfig::default()).await;
    fake.add_access_token(JF_TOKEN, 8);
    fake.reject_as_replay("123123", 1);
    let signed_at = |ts: &str, nonce: &str| {
        let sign = jfwms::sign(
            JF_SECRET,
            JF_TOKEN,
            JF_CLIENT,
            nonce,
            ts,
            jfwms::ORDER_GET_PATH,
            "8",
        );
        jf_request(
            &[
                ("timestamp", Some(ts)),
                ("nonce", Some(nonce)),
                ("sign", Some(&sign)),
            ],
            &json!({ "erpNo": "123123" }),
        )
    };

    // Refused by the real checks: its own code, and the hook stays armed.
    let unsigned = send(
        jf_request(
            &[("timestamp", Some(&now_ms().to_string()))],
            &json!({"erpNo": "123123"}),
        ),
        &fake.base_url,
    )
    .await;
    assert_eq!(jf_code(&unsigned), 10026);

    let ts = now_ms().to_string();
    let started = std::time::Instant::now();
    let forced = send(signed_at(&ts, "11"), &fake.base_url).await;
    assert_eq!(jf_code(&forced), 10027);
    assert_eq!(forced.json()["message"], "重复提交");
    assert!(started.elapsed() >= jfwms::FORCED_REPLAY_DELAY);
    // Its nonce is used up: the same try again is a real replay.
    assert_eq!(
        jf_code(&send(signed_at(&ts, "11"), &fake.base_url).await),
        10027
    );
    // The hook has run out: a fresh try succeeds.
    let fresh = send(signed_at(&now_ms().to_string(), "12"), &fake.base_url).await;
    assert_eq!(jf_code(&fresh), 0);
    assert_eq!(fake.business_requests(), 4);
}

#[test]
fn jfwms_webhook_signature() {
    // md5('{"data":{"erpNo":"123123","status":"Shipped"},"clientSecret":"4a50…600a"}')
    assert_eq!(
        jfwms::sign_webhook(r#"{"erpNo":"123123","status":"Shipped"}"#, JF_SECRET),
        "7a4b6c9c3c6e7f77454debe86cd80b31"
    );
}

// ---------------------------------------------------------------- niumall

async fn nm_login(fake: &niumall::FakeNiumall) -> String {
    let r = send(
        RawRequest::post("/v1/auth/login")
            .json(&json!({"username": "admin@example.com", "password": "password123"})),
        &fake.base_url,
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()["data"]["access_token"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn niumall_login_returns_a_jwt_and_rejects_bad_credentials() {
    let fake = niumall::start(niumall::NiumallConfig::default()).await;
    let r = send(
        RawRequest::post("/v1/auth/login")
            .json(&json!({"username": "admin@example.com", "password": "password123"})),
        &fake.base_url,
    )
    .await;
    let body = r.json();
    assert_eq!(
        (body["success"].clone(), body["message"].clone()),
        (json!(true), json!("登录成功"))
    );
    let data = &body["data"];
    assert_eq!(
        (data["token_type"].clone(), data["expires_in"].clone()),
        (json!("Bearer"), json!(3600))
    );
    assert_eq!(
        data["user"],
        json!({"id": 1, "username": "admin", "email": "admin@example.com", "role": "admin"})
    );
    let jwt = data["access_token"].as_str().unwrap();
    let parts: Vec<&str> = jwt.split('.').collect();
    assert_eq!(parts.len(), 3);
    let header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[0]).unwrap()).unwrap();
    assert_eq!(header["alg"], "HS256");

    let bad = send(
        RawRequest::post("/v1/auth/login").json(&json!({"username": "admin", "password": "nope"})),
        &fake.base_url,
    )
    .await;
    assert_eq!(bad.status, 401);
    assert_eq!(bad.json()["success"], false);
    assert_eq!(bad.json()["error"]["code"], "UNAUTHORIZED");
    assert!(bad.json()["timestamp"].is_string());

    let empty = send(
        RawRequest::post("/v1/auth/login").json(&json!({})),
        &fake.base_url,
    )
    .await;
    assert_eq!(empty.status, 400);
    assert_eq!(
        empty.json()["error"]["details"].as_array().unwrap().len(),
        2
    );
    assert_eq!(fake.token_requests(), 3);
}

#[tokio::test]
async fn niumall_orders_require_a_live_token_and_paginate() {
    let fake = niumall::start(niumall::NiumallConfig::default()).await;
    let none = send(RawRequest::get("/v1/orders"), &fake.base_url).await;
    assert_eq!(none.status, 401);
    assert_eq!(none.json()["error"]["code"], "UNAUTHORIZED");

    let auth = format!("Bearer {}", nm_login(&fake).await);
    let r = send(
        RawRequest::get("/v1/orders").header("Authorization", &auth),
        &fake.base_url,
    )
    .await;
    assert_eq!(r.status, 200);
    let body = r.json();
    assert_eq!(body["message"], "获取成功");
    assert_eq!(
        body["data"]["pagination"],
        json!({"current_page": 1, "total_pages": 5, "total_count": 100})
    );
    assert_eq!(
        body["data"]["orders"][0],
        json!({
            "id": 1, "order_no": "ORD20240120001", "supplier_id": 101,
            "supplier_name": "山东畜牧合作社", "cattle_count": 50, "total_weight": 25000,
            "unit_price": 28.5, "total_amount": 712500, "status": "shipping",
            "created_at": "2024-01-20T10:00:00Z"
        })
    );

    let page = send(
        RawRequest::get("/v1/orders?page=4&limit=30").header("Authorization", &auth),
        &fake.base_url,
    )
    .await;
    assert_eq!(page.json()["data"]["orders"].as_array().unwrap().len(), 10);
    let shipping = send(
        RawRequest::get("/v1/orders?status=shipping").header("Authorization", &auth),
        &fake.base_url,
    )
    .await;
    let orders = shipping.json()["data"]["orders"]
        .as_array()
        .unwrap()
        .clone();
    assert!(!orders.is_empty() && orders.iter().all(|o| o["status"] == "shipping"));

    fake.expire_all_tokens();
    let expired = send(
        RawRequest::get("/v1/orders").header("Authorization", &auth),
        &fake.base_url,
    )
    .await;
    assert_eq!(expired.status, 401);
    assert_eq!(expired.json()["success"], false);
}

#[tokio::test]
async fn niumall_create_order_validates_each_field() {
    let fake = niumall::start(niumall::NiumallConfig::default()).await;
    let auth = format!("Bearer {}", fake.issue_token());
    let example = json!({
        "supplier_id": 101, "cattle_breed": "西门塔尔", "cattle_count": 30,
        "expected_weight": 15000, "unit_price": 28.5,
        "delivery_address": "北京市朝阳区xx养殖场", "expected_delivery_date": "2024-01-25"
    });
    let created = send(
        RawRequest::post("/v1/orders")
            .header("Authorization", &auth)
            .json(&example),
        &fake.base_url,
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.text());
    let body = created.json();
    assert_eq!(
        (body["success"].clone(), body["message"].clone()),
        (json!(true), json!("创建成功"))
    );
    assert_eq!(body["data"]["cattle_count"], 30);
    assert_eq!(body["data"]["total_amount"], 427500);
    assert_eq!(body["data"]["expected_delivery_date"], "2024-01-25");
    assert_eq!(fake.created_orders().len(), 1);

    let mut zero = example.clone();
    zero["cattle_count"] = json!(0);
    let r = send(
        RawRequest::post("/v1/orders")
            .header("Authorization", &auth)
            .json(&zero),
        &fake.base_url,
    )
    .await;
    assert_eq!(r.status, 400);
    let mut err = r.json();
    assert!(err["timestamp"].is_string());
    err["timestamp"] = json!("T");
    assert_eq!(
        err,
        json!({
            "success": false,
            "error": {
                "code": "VALIDATION_ERROR",
                "message": "请求参数验证失败",
                "details": [{"field": "cattle_count", "message": "牛只数量必须大于0"}]
            },
            "timestamp": "T"
        })
    );

    let r = send(
        RawRequest::post("/v1/orders")
            .header("Authorization", &auth)
            .json(&json!({
                "supplier_id": "101", "cattle_breed": "西门塔尔", "cattle_count": 3,
                "unit_price": -1, "expected_delivery_date": "2024/01/25"
            })),
        &fake.base_url,
    )
    .await;
    let fields: Vec<Value> = r.json()["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"].clone())
        .collect();
    assert_eq!(
        fields,
        vec![
            json!("supplier_id"),
            json!("expected_weight"),
            json!("unit_price"),
            json!("expected_delivery_date")
        ]
    );
}

// ---------------------------------------------------------------- zhiyun

const ZY_TOKEN: &str = "9106c9fd1e138a042d4aedf94cede7a766e0";
/// Verbatim from the document's overview.
const ZY_BASIC: &str = "Basic MTEwMjA4NDI5NDpha3U4aEN5WEJkOVNxWWtU";

fn zy_time() -> String {
    let t = now_ms();
    format!("t_={t}&p_={}", zhiyun::p_for(t))
}

async fn zy_authorize(fake: &zhiyun::FakeZhiyun) -> String {
    let r = send(
        RawRequest::get(&format!(
            "{}?access_token={ZY_TOKEN}&{}",
            zhiyun::AUTHORIZE_PATH,
            zy_time()
        ))
        .header("Authorization", ZY_BASIC),
        &fake.base_url,
    )
    .await;
    assert_eq!(r.json()["code"], 200, "{}", r.text());
    r.json()["data"]["auth_code"].as_str().unwrap().to_owned()
}

fn zy_code(r: &RawResponse) -> i64 {
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()["code"].as_i64().unwrap()
}

#[tokio::test]
async fn zhiyun_authorize_checks_basic_and_time_params() {
    assert_eq!(zhiyun::p_for(1_422_339_152_058), 8519); // the document's example
    let fake = zhiyun::start(zhiyun::ZhiyunConfig::default()).await;
    let code = zy_authorize(&fake).await;
    assert!(is_lower_hex(&code, 40));

    let t = now_ms();
    let cases = [
        (
            format!("access_token={ZY_TOKEN}&t_={t}&p_={}", zhiyun::p_for(t) + 1),
            ZY_BASIC.to_owned(),
            601,
        ),
        (
            format!("access_token={ZY_TOKEN}&t_={t}"),
            ZY_BASIC.to_owned(),
            601,
        ),
        (
            format!(
                "access_token={ZY_TOKEN}&t_={}&p_={}",
                t - 600_000,
                zhiyun::p_for(t - 600_000)
            ),
            ZY_BASIC.to_owned(),
            601,
        ),
        (
            format!("access_token={ZY_TOKEN}&{}", zy_time()),
            basic("1102084294", "wrong"),
            100009,
        ),
        (
            format!("access_token=nope&{}", zy_time()),
            ZY_BASIC.to_owned(),
            100014,
        ),
    ];
    for (query, auth, expected) in cases {
        let r = send(
            RawRequest::get(&format!("{}?{query}", zhiyun::AUTHORIZE_PATH))
                .header("Authorization", &auth),
            &fake.base_url,
        )
        .await;
        assert_eq!(zy_code(&r), expected, "{query}");
    }
    let illegal = send(
        RawRequest::get(&format!(
            "{}?access_token={ZY_TOKEN}&t_=1&p_=1",
            zhiyun::AUTHORIZE_PATH
        ))
        .header("Authorization", ZY_BASIC),
        &fake.base_url,
    )
    .await;
    assert_eq!(
        illegal.json(),
        json!({"data": null, "code": 601, "message": "参数非法"})
    );

    let no_basic = send(
        RawRequest::get(&format!(
            "{}?access_token={ZY_TOKEN}&{}",
            zhiyun::AUTHORIZE_PATH,
            zy_time()
        )),
        &fake.base_url,
    )
    .await;
    assert_eq!(zy_code(&no_basic), 100009);

    fake.expire_access_token(ZY_TOKEN);
    let expired = send(
        RawRequest::get(&format!(
            "{}?access_token={ZY_TOKEN}&{}",
            zhiyun::AUTHORIZE_PATH,
            zy_time()
        ))
        .header("Authorization", ZY_BASIC),
        &fake.base_url,
    )
    .await;
    assert_eq!(zy_code(&expired), 100014);
    assert_eq!(fake.authorize_requests(), 9);
}

#[tokio::test]
async fn zhiyun_info_endpoints_check_the_auth_code() {
    let fake = zhiyun::start(zhiyun::ZhiyunConfig::default()).await;
    let code = zy_authorize(&fake).await;
    let call = |path: &str, client: &str, code: &str| {
        RawRequest::get(&format!(
            "{path}?access_token={ZY_TOKEN}&client_id={client}&auth_code={code}&{}",
            zy_time()
        ))
        .header("Authorization", ZY_BASIC)
    };

    let user = send(
        call(zhiyun::USER_INFO_PATH, "1102084294", &code),
        &fake.base_url,
    )
    .await;
    let mut body = user.json();
    assert!(body["data"]["nowtime"].is_u64());
    body["data"]["nowtime"] = json!(0);
    assert_eq!(
        body,
        json!({
            "data": {
                "username": "li******40", "truename": "李**", "sex": "3", "phone": "13******0170",
                "is_admin": "1", "status": null,
                "avatar": "http://avatar.xxx.dev.com/000/00/11/52_avatar_small",
                "created": "2017-11-30 10:37:30", "nowtime": 0
            },
            "code": 200,
            "message": "ok"
        })
    );
    let company = send(
        call(zhiyun::COMPANY_INFO_PATH, "1102084294", &code),
        &fake.base_url,
    )
    .await;
    assert_eq!(
        company.json()["data"]["company_name"],
        "水磨沟区*******餐饮店"
    );

    let other_client = fake.issue_auth_code("999", ZY_TOKEN);
    let other_user = fake.issue_auth_code("1102084294", "55427e5af26a1319e168beb699b0fd1b11e");
    let cases = [
        (call(zhiyun::USER_INFO_PATH, "123", &code), 100002),
        (call(zhiyun::USER_INFO_PATH, "1102084294", "abc"), 100019),
        (
            call(zhiyun::USER_INFO_PATH, "1102084294", &other_client),
            100021,
        ),
        (
            call(zhiyun::COMPANY_INFO_PATH, "1102084294", &other_user),
            100023,
        ),
    ];
    for (req, expected) in cases {
        assert_eq!(zy_code(&send(req, &fake.base_url).await), expected);
    }
    fake.expire_auth_codes();
    let expired = send(
        call(zhiyun::COMPANY_INFO_PATH, "1102084294", &code),
        &fake.base_url,
    )
    .await;
    assert_eq!(zy_code(&expired), 100020);

    let xml = send(
        call(
            "/apis/rest/userService/getUserInfo/xml",
            "1102084294",
            &code,
        ),
        &fake.base_url,
    )
    .await;
    assert_eq!(
        xml.json(),
        json!({"data": null, "code": 501, "message": "不支持该客户端"})
    );
    assert_eq!(
        (fake.authorize_requests(), fake.business_requests()),
        (1, 8)
    );
}

// ---------------------------------------------------------------- supercarrier8

const SC_KEY: &str = "eb5e78cca74647aa8dea4cb7d1cbb2f0";

fn sc_token_req(key: Option<&str>, sign: Option<&str>) -> RawRequest {
    let mut body = serde_json::Map::new();
    if let Some(k) = key {
        body.insert("accessKey".into(), json!(k));
    }
    if let Some(s) = sign {
        body.insert("secretKeySign".into(), json!(s));
    }
    RawRequest::post(supercarrier8::TOKEN_PATH).json(&Value::Object(body))
}

fn sc_code(r: &RawResponse) -> u64 {
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()["code"].as_u64().unwrap()
}

#[tokio::test]
async fn supercarrier8_token_is_rate_limited_per_minute() {
    let fake = supercarrier8::start(supercarrier8::Supercarrier8Config::default()).await;
    let sign = supercarrier8::secret_key_sign("supercarrier8-fake-secret");
    assert_eq!(sign, "2b64f358af26c1f815a279de174854ca");

    let r = send(sc_token_req(Some(SC_KEY), Some(&sign)), &fake.base_url).await;
    assert_eq!(sc_code(&r), 200);
    let body = r.json();
    assert_eq!(body["message"], "success");
    assert_eq!(body["data"]["tokenTtl"], "PT8H");
    assert_eq!(body["data"]["tokenTtlSeconds"], 28_800);
    assert!(is_lower_hex(
        body["data"]["accessToken"].as_str().unwrap(),
        64
    ));
    assert!(body["timestamp"].as_u64().unwrap() > 1_600_000_000_000);
    assert_eq!(body["traceId"].as_str().unwrap().len(), 36);
    for k in ["exception", "meta", "ext"] {
        assert_eq!(body[k], Value::Null);
    }

    let again = send(sc_token_req(Some(SC_KEY), Some(&sign)), &fake.base_url).await;
    assert_eq!(sc_code(&again), 21_185_002);
    assert_eq!(again.json()["message"], "获取Token超出频率限制");
    fake.reset_rate_limit();
    assert_eq!(
        sc_code(&send(sc_token_req(Some(SC_KEY), Some(&sign)), &fake.base_url).await),
        200
    );
    assert_eq!(fake.token_requests(), 3);
}

#[tokio::test]
async fn supercarrier8_token_errors() {
    let fake = supercarrier8::start(supercarrier8::Supercarrier8Config::default()).await;
    let sign = supercarrier8::secret_key_sign("supercarrier8-fake-secret");
    let upper = sign.to_uppercase();
    let cases = [
        (sc_token_req(None, Some(&sign)), 21_180_031),
        (sc_token_req(Some(SC_KEY), None), 21_180_041),
        (sc_token_req(Some("unknown"), Some(&sign)), 21_184_033),
        (sc_token_req(Some(SC_KEY), Some(&upper)), 21_184_031),
        (
            sc_token_req(Some(SC_KEY), Some("supercarrier8-fake-secret")),
            21_184_031,
        ),
    ];
    for (req, expected) in cases {
        assert_eq!(sc_code(&send(req, &fake.base_url).await), expected);
    }
    fake.set_disabled(true);
    assert_eq!(
        sc_code(&send(sc_token_req(Some(SC_KEY), Some(&sign)), &fake.base_url).await),
        21_184_032
    );
    let garbage = send(
        RawRequest::post(supercarrier8::TOKEN_PATH)
            .header("Content-Type", "application/json")
            .body("{not json"),
        &fake.base_url,
    )
    .await;
    assert_eq!(sc_code(&garbage), 500);
}

#[tokio::test]
async fn supercarrier8_business_takes_the_raw_token() {
    let fake = supercarrier8::start(supercarrier8::Supercarrier8Config::default()).await;
    let token = fake.issue_token();
    let demo = send(
        RawRequest::get(supercarrier8::DEMO_PATH).header("Authorization", &token),
        &fake.base_url,
    )
    .await;
    assert_eq!(sc_code(&demo), 200);
    assert_eq!(demo.json()["data"], json!({"hello": "world"}));

    let bearer = send(
        RawRequest::get(supercarrier8::DEMO_PATH)
            .header("Authorization", &format!("Bearer {token}")),
        &fake.base_url,
    )
    .await;
    assert_eq!(sc_code(&bearer), 20_324_013);
    assert_eq!(
        sc_code(&send(RawRequest::get(supercarrier8::DEMO_PATH), &fake.base_url).await),
        20_324_013
    );

    let echo = send(
        RawRequest::post("/cncop/some/op?x=1")
            .header("Authorization", &token)
            .json(&json!({"a": 1})),
        &fake.base_url,
    )
    .await;
    assert_eq!(
        echo.json()["data"],
        json!({"method": "POST", "path": "/cncop/some/op", "query": "x=1", "body": {"a": 1}})
    );

    fake.expire_all_tokens();
    let expired = send(
        RawRequest::get(supercarrier8::DEMO_PATH).header("Authorization", &token),
        &fake.base_url,
    )
    .await;
    assert_eq!(sc_code(&expired), 20_324_012);
    assert_eq!(fake.business_requests(), 5);
    assert_eq!(
        fake.requests()[0].header("authorization"),
        Some(token.as_str())
    );
}
