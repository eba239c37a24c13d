//! The generated `supercarrier8` client end to end, over real HTTP on loopback, against
//! the strict fake of the 超8 open platform (`integration_tests::fakes::supercarrier8`).
//!
//! The fake enforces the document's rate limit (one token per minute per access key, else
//! 21185002). Tests that need a second token shorten both the fake's window and the
//! client's `min_token_interval` to the same value.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::http::Method;
use generated_client::runtime::{self as rt, AuthError, ErrorClass, RawCode, TokenStore};
use generated_client::supercarrier8::{Client, Credentials, ErrorCode, catalogue};
use integration_tests::fakes::supercarrier8::{
    DEMO_PATH, FakeSupercarrier8, Supercarrier8Config, TOKEN_PATH, secret_key_sign, start,
};
use integration_tests::secrets::Secrets;
use md5::Digest as _;
use serde_json::json;

fn credentials(fake: &FakeSupercarrier8) -> Credentials {
    Credentials::new(
        fake.config().access_key.clone(),
        fake.config().secret_key.clone(),
    )
}

async fn default_client(fake: &FakeSupercarrier8) -> Client {
    Client::builder(credentials(fake))
        .base_url(&fake.base_url)
        .build()
        .await
        .expect("client builds")
}

/// A fake and a client whose token endpoint may be called every `interval`.
async fn with_interval(interval: Duration) -> (FakeSupercarrier8, Client) {
    let fake = start(Supercarrier8Config {
        rate_limit_window: interval,
        ..Supercarrier8Config::default()
    })
    .await;
    let client = Client::builder(credentials(&fake))
        .base_url(&fake.base_url)
        .min_token_interval(interval)
        .build()
        .await
        .expect("client builds");
    (fake, client)
}

fn cached_token(state: &rt::TokenState) -> String {
    use rt::secrecy::ExposeSecret as _;
    state.access_token.expose_secret().to_owned()
}

#[tokio::test]
async fn the_token_is_fetched_at_build_with_the_md5_of_the_secret() {
    let fake = start(Supercarrier8Config::default()).await;
    let client = default_client(&fake).await;
    // 首次启动时,将执行一次刷新: the token request happens inside `build()`.
    assert_eq!(fake.token_requests(), 1);
    assert_eq!(fake.business_requests(), 0);

    let requests = fake.requests();
    assert_eq!(requests.len(), 1);
    let token = &requests[0];
    assert_eq!(
        (token.method.as_str(), token.path.as_str()),
        ("POST", TOKEN_PATH)
    );
    assert!(
        token
            .header("content-type")
            .is_some_and(|c| c.starts_with("application/json")),
        "{token:?}"
    );
    let expected_sign = hex::encode(md5::Md5::digest(b"supercarrier8-fake-secret"));
    assert_eq!(expected_sign.len(), 32);
    assert!(
        expected_sign
            .bytes()
            .all(|b| b.is_ascii_digit() || b.is_ascii_lowercase())
    );
    assert_eq!(expected_sign, secret_key_sign("supercarrier8-fake-secret"));
    assert_eq!(
        token.body_json(),
        Some(json!({
            "accessKey": "eb5e78cca74647aa8dea4cb7d1cbb2f0",
            "secretKeySign": expected_sign,
        }))
    );
    assert!(
        !token.body_text().contains("supercarrier8-fake-secret"),
        "the secret itself never travels"
    );
    assert!(token.header("authorization").is_none());

    // tokenTtlSeconds 28800 is the token's lifetime.
    let state = client.token_state().await.expect("a token after build");
    let lifetime = state.expires_at.unwrap().duration_since(state.obtained_at);
    assert_eq!(lifetime.as_secs(), 28_800);
}

#[tokio::test]
async fn business_calls_carry_the_bare_token_without_bearer() {
    let fake = start(Supercarrier8Config::default()).await;
    let client = default_client(&fake).await;
    let data = client.demo().await.expect("demo");
    assert_eq!(data, json!({ "hello": "world" }));

    let token = cached_token(&client.token_state().await.unwrap());
    let demo = fake.requests().pop().unwrap();
    assert_eq!(
        (demo.method.as_str(), demo.path.as_str()),
        ("GET", DEMO_PATH)
    );
    assert_eq!(demo.header("authorization"), Some(token.as_str()));
    assert!(!demo.header("authorization").unwrap().starts_with("Bearer"));
    assert_eq!(fake.token_requests(), 1, "the build-time token is used");
}

#[tokio::test]
async fn twenty_concurrent_calls_still_make_one_token_request() {
    let fake = start(Supercarrier8Config::default()).await;
    let client = default_client(&fake).await;
    let calls = (0..20).map(|_| {
        let client = client.clone();
        tokio::spawn(async move { client.demo().await })
    });
    for result in futures_util::future::join_all(calls).await {
        result.expect("task").expect("call");
    }
    assert_eq!(fake.token_requests(), 1);
    assert_eq!(fake.business_requests(), 20);
}

/// Expires the build-time token at once and calls: the renewal must wait out the interval.
async fn renew_right_after_start(client_interval: Duration, fake_window: Duration) {
    let fake = start(Supercarrier8Config {
        rate_limit_window: fake_window,
        ..Supercarrier8Config::default()
    })
    .await;
    let started = Instant::now();
    let client = Client::builder(credentials(&fake))
        .base_url(&fake.base_url)
        .min_token_interval(client_interval)
        .build()
        .await
        .expect("client builds");
    assert_eq!(fake.token_requests(), 1);

    // Right after start the token dies: renewing at once would be answered 21185002.
    fake.expire_all_tokens();
    let result = client.demo().await;
    if let Err(err) = &result {
        assert_ne!(
            err.code(),
            Some(&ErrorCode::TokenRateLimited),
            "the client triggered 21185002 instead of waiting: {err}"
        );
    }
    let data = result.expect("renewed after the minimum interval");
    assert_eq!(data, json!({ "hello": "world" }));
    assert_eq!(
        fake.token_requests(),
        2,
        "one token at build, one renewal; no rate-limited attempt"
    );
    assert!(
        started.elapsed() >= client_interval,
        "the client waited out the interval: {:?}",
        started.elapsed()
    );
    assert_eq!(
        fake.business_requests(),
        2,
        "the rejected call and the retry"
    );
}

/// The client and the fake use the same 1 s interval, as the document's rule (once a minute)
/// shortened. The server counts its window from when it issued the previous token, so the
/// client must measure from the token response, not from when it sent the request.
#[tokio::test]
async fn the_rate_limit_is_waited_out_never_hit_with_the_same_interval() {
    for _ in 0..5 {
        renew_right_after_start(Duration::from_secs(1), Duration::from_secs(1)).await;
    }
}

/// The same with a 100 ms margin between the client's interval and the server's window: the
/// client waits (no error, no extra token request) instead of triggering 21185002.
#[tokio::test]
async fn the_rate_limit_is_waited_out_never_hit() {
    renew_right_after_start(Duration::from_millis(1100), Duration::from_secs(1)).await;
}

#[tokio::test]
async fn codes_20324012_and_20324013_renew_the_token_and_retry_once() {
    // The rate limit is not the subject here: the client may renew at once and the fake's
    // window is zero.
    let (fake, client) = with_interval(Duration::ZERO).await;
    let first = cached_token(&client.token_state().await.unwrap());

    // 20324012: the fake's answer for an expired token.
    fake.expire_all_tokens();
    client.demo().await.expect("20324012 → renew → retry");
    assert_eq!(fake.token_requests(), 2);
    let second = cached_token(&client.token_state().await.unwrap());
    assert_ne!(second, first);
    let demos: Vec<_> = fake
        .requests()
        .into_iter()
        .filter(|r| r.path == DEMO_PATH)
        .map(|r| r.header("authorization").unwrap().to_owned())
        .collect();
    assert_eq!(demos, [first.clone(), second.clone()]);

    // 20324013: the fake's answer for a token it does not know.
    client
        .set_token_state(
            rt::TokenState::new("unknown-token")
                .with_expires_at(jiff::Timestamp::now() + jiff::SignedDuration::from_hours(8)),
        )
        .await;
    client.demo().await.expect("20324013 → renew → retry");
    assert_eq!(fake.token_requests(), 3);
    assert_eq!(fake.business_requests(), 4);

    // Both codes are typed and classed as "renew the token".
    use rt::VendorCode as _;
    for (raw, code) in [
        (20324012, ErrorCode::RenewToken20324012),
        (20324013, ErrorCode::RenewToken20324013),
    ] {
        assert_eq!(ErrorCode::from_raw(&RawCode::Int(raw)), code);
        assert_eq!(code.class(), ErrorClass::RenewToken);
    }
}

#[tokio::test]
async fn the_generic_catalogue_call_is_authenticated_and_returns_data() {
    let fake = start(Supercarrier8Config::default()).await;
    let client = default_client(&fake).await;
    let body = json!({ "productCodes": ["P001", "P002"], "enabled": true });
    let data = client
        .call(Method::POST, "/cncop/anything", Some(body.clone()))
        .await
        .expect("generic call");
    // The fake echoes what it received.
    assert_eq!(
        data,
        json!({ "method": "POST", "path": "/cncop/anything", "query": "", "body": body })
    );
    let token = cached_token(&client.token_state().await.unwrap());
    let sent = fake.requests().pop().unwrap();
    assert_eq!(sent.header("authorization"), Some(token.as_str()));
    assert!(
        sent.header("content-type")
            .is_some_and(|c| c.starts_with("application/json"))
    );
    assert_eq!(sent.body_json(), Some(body));

    // Without a body, another method.
    let data = client
        .call(Method::GET, "/cncop/base/v3/products", None)
        .await
        .expect("generic GET");
    assert_eq!(data["method"], "GET");
    assert_eq!(data["body"], json!(null));
    assert_eq!(fake.token_requests(), 1);

    // A path never leaves the base URL: `//host/...` stays a path on the fake.
    let err = client
        .call(Method::GET, "//evil.example.com/cncop/x", None)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, rt::Error::Api(api) if api.status == 404),
        "{err:?}"
    );
    assert_eq!(
        fake.requests().pop().unwrap().path,
        "/evil.example.com/cncop/x"
    );

    // Dot segments are refused before sending, whatever their spelling.
    let sent = fake.requests().len();
    for path in [
        "/cncop/../x",
        "/../../x",
        "/cncop/%2e%2e/x",
        "/cncop/..%2f..%2fx",
    ] {
        let err = client.call(Method::GET, path, None).await.unwrap_err();
        assert!(matches!(&err, rt::Error::Config(_)), "{path}: {err:?}");
        assert_eq!(err.class(), ErrorClass::Caller, "{path}");
    }
    assert_eq!(fake.requests().len(), sent, "nothing was sent");
}

fn count_entries(groups: &[catalogue::Group], keep: &dyn Fn(&catalogue::Entry) -> bool) -> usize {
    groups
        .iter()
        .map(|g| g.entries.iter().filter(|e| keep(e)).count() + count_entries(g.groups, keep))
        .sum()
}

fn count_groups(groups: &[catalogue::Group]) -> usize {
    groups.iter().map(|g| 1 + count_groups(g.groups)).sum()
}

fn all_entries(groups: &[catalogue::Group], out: &mut Vec<catalogue::Entry>) {
    for g in groups {
        out.extend_from_slice(g.entries);
        all_entries(g.groups, out);
    }
}

#[test]
fn the_catalogue_has_the_documents_groups_and_deprecated_marks() {
    let top: Vec<_> = catalogue::GROUPS.iter().map(|g| g.title).collect();
    assert_eq!(
        top,
        [
            "快速入门",
            "基础资料",
            "防伪体系",
            "溯源体系",
            "营销体系",
            "附录",
            "常见问题",
            "数码中台"
        ]
    );
    let find = |title: &str| catalogue::GROUPS.iter().find(|g| g.title == title).unwrap();
    let sub = |g: &catalogue::Group| g.groups.iter().map(|g| g.title).collect::<Vec<_>>();
    assert_eq!(sub(find("基础资料")), ["商品", "组织", "基础公共引用"]);
    assert_eq!(
        sub(find("溯源体系")),
        ["生产订单", "物流订单", "公共引用", "窜货稽查", "溯源报表"]
    );
    assert_eq!(
        sub(find("营销体系")),
        [
            "会员管理",
            "营销抽奖",
            "营销报表",
            "积分商城",
            "发放平台",
            "营销数据查询"
        ]
    );
    assert_eq!(sub(find("数码中台")), ["订单中心", "IP品控"]);

    // The navigation's 166 titles: 25 groups and 141 pages.
    assert_eq!(count_groups(catalogue::GROUPS), 25);
    assert_eq!(count_entries(catalogue::GROUPS, &|_| true), 141);

    // 7 pages are marked 废弃 or 作废, and exactly those are deprecated.
    assert_eq!(count_entries(catalogue::GROUPS, &|e| e.deprecated), 7);
    let mut entries = Vec::new();
    all_entries(catalogue::GROUPS, &mut entries);
    for e in &entries {
        let marked = e.title.contains("废弃") || e.title.contains("作废");
        assert_eq!(e.deprecated, marked, "{}", e.title);
    }
    assert!(
        entries
            .iter()
            .any(|e| e.title == "(废弃)根据商品编号批量启用禁用商品接口(废弃)" && e.deprecated)
    );
    assert!(entries.iter().any(|e| e.title == "获取 AccessToken"));
}

#[tokio::test]
async fn a_wrong_secret_fails_the_build_with_a_typed_code() {
    let fake = start(Supercarrier8Config::default()).await;
    let err = Client::builder(Credentials::new(
        fake.config().access_key.clone(),
        "not-the-secret",
    ))
    .base_url(&fake.base_url)
    .build()
    .await
    .unwrap_err();
    assert_eq!(err.code(), Some(&ErrorCode::InvalidCredentials), "{err}");
    assert_eq!(err.class(), ErrorClass::Auth);
    match &err {
        rt::Error::Auth(auth) => match &**auth {
            AuthError::TokenEndpoint {
                grant,
                raw_code,
                message,
                ..
            } => {
                assert_eq!(*grant, "get_token");
                assert_eq!(raw_code, &Some(RawCode::Int(21_184_031)));
                assert_eq!(message.as_deref(), Some("应用账号或密钥不正确"));
            }
            other => panic!("expected TokenEndpoint, got {other:?}"),
        },
        other => panic!("expected an auth error, got {other:?}"),
    }
    let shown = format!("{err} {err:?}");
    assert!(!shown.contains("not-the-secret"), "{shown}");
    assert_eq!(fake.token_requests(), 1);
    assert_eq!(fake.business_requests(), 0);

    // An unknown access key is typed too.
    let err = Client::builder(Credentials::new("no-such-key", "whatever"))
        .base_url(&fake.base_url)
        .build()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(&ErrorCode::AccountNotFound), "{err}");
}

#[tokio::test]
async fn plain_http_to_a_remote_host_is_refused() {
    // Unlike zhiyun, this spec does not allow plain HTTP: the document's URL is https.
    let err = Client::builder(Credentials::new("k", "s"))
        .base_url("http://sapi.supercarrier8.com")
        .build()
        .await
        .unwrap_err();
    assert!(matches!(err, rt::Error::InsecureUrl { .. }), "{err:?}");
}

#[tokio::test]
async fn secrets_stay_out_of_debug_output() {
    const SECRET: &str = "SENTINEL-supercarrier8-secret-key";
    let fake = start(Supercarrier8Config {
        secret_key: SECRET.into(),
        rate_limit_window: Duration::from_millis(1),
        ..Supercarrier8Config::default()
    })
    .await;
    let mut secrets = Secrets::new();
    secrets
        .add("secret key", SECRET)
        .add("secretKeySign", secret_key_sign(SECRET));

    let credentials = credentials(&fake);
    let shown = format!("{credentials:?}");
    assert!(shown.contains(&fake.config().access_key), "{shown}");
    secrets.assert_hidden_in("Credentials", &shown);

    let store = Arc::new(rt::MemoryTokenStore::default());
    let client = Client::builder(credentials)
        .base_url(&fake.base_url)
        .token_store(store.clone())
        .min_token_interval(Duration::from_millis(1))
        .build()
        .await
        .expect("client builds");
    client.demo().await.expect("demo");
    let state = client.token_state().await.expect("a token");
    secrets.add("access token", cached_token(&state));
    assert_eq!(
        secrets.add_sent(&fake.requests(), &["authorization", "secretKeySign"]),
        2,
        "the token request's sign and the demo call's token"
    );
    secrets.assert_hidden_in("TokenState", &format!("{state:?}"));
    let stored = store
        .load()
        .await
        .expect("the store answers")
        .expect("the client saved its token");
    secrets.assert_hidden_in("MemoryTokenStore", &format!("{store:?} {stored:?}"));
    secrets.assert_hidden_in("Client", &format!("{client:?}"));

    // A renewal refused by the token endpoint (raw body kept), while a token was held.
    fake.expire_all_tokens();
    fake.set_disabled(true);
    let err = client.demo().await.unwrap_err();
    assert_eq!(err.code(), Some(&ErrorCode::AccountDisabled), "{err:?}");
    assert!(err.raw_body().is_some(), "{err:?}");
    secrets.assert_hidden_in_error("token endpoint error", &err);
}

/// The token dies right after it was issued (20324013 at once): the vendor allows the next
/// token request only a minute later, past the call's deadline, so the call fails at once with
/// an error saying when a token can next be requested, instead of waiting out its deadline.
#[tokio::test]
async fn a_token_wait_past_the_deadline_fails_at_once() {
    let fake = start(Supercarrier8Config::default()).await;
    let client = default_client(&fake).await;
    assert_eq!(fake.token_requests(), 1);
    fake.expire_all_tokens();
    let started = Instant::now();
    let err = client
        .with_deadline(Duration::from_secs(5))
        .demo()
        .await
        .unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "failed after {:?}: {err}",
        started.elapsed()
    );
    let rt::Error::Auth(auth) = &err else {
        panic!("{err:?}")
    };
    let AuthError::NoTokenBeforeDeadline {
        next_request_at, ..
    } = &**auth
    else {
        panic!("{err:?}")
    };
    let wait = next_request_at.duration_since(jiff::Timestamp::now());
    assert!(
        wait > jiff::SignedDuration::from_secs(55) && wait <= jiff::SignedDuration::from_secs(60),
        "{wait:?}"
    );
    assert!(
        err.to_string()
            .contains("no token request is allowed before"),
        "{err}"
    );
    assert_eq!(err.class(), ErrorClass::RateLimited);
    assert_eq!(fake.token_requests(), 1, "no refused token request");
}
