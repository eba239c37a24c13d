//! The generated `zhiyun` client end to end, over real HTTP on loopback, against
//! the strict fake of the 致云 open API (`integration_tests::fakes::zhiyun`).
//!
//! The document's own values are the test vectors: the test credentials
//! `1102084294:aku8hCyXBd9SqYkT` and their Basic header, and `p_` computed from `t_`.

use std::sync::Arc;

use generated_client::runtime::secrecy::ExposeSecret;
use generated_client::runtime::{self as rt, AuthError, ErrorClass, RawCode, TokenStore};
use generated_client::zhiyun::{Client, Credentials, ErrorCode};
use integration_tests::fakes::RecordedRequest;
use integration_tests::fakes::zhiyun::{
    AUTHORIZE_PATH, COMPANY_INFO_PATH, FakeZhiyun, USER_INFO_PATH, ZhiyunConfig, start,
};
use integration_tests::secrets::Secrets;

/// 1 概述: `HTTP协议头认证(Basic MTEwMjA4NDI5NDpha3U4aEN5WEJkOVNxWWtU)`.
const DOCUMENT_BASIC: &str = "Basic MTEwMjA4NDI5NDpha3U4aEN5WEJkOVNxWWtU";

/// 3.参数说明: `p_ = (t_ % 10000) * 3 + 2345`.
fn p_of(t: u64) -> u64 {
    (t % 10_000) * 3 + 2345
}

fn desktop_token(fake: &FakeZhiyun) -> String {
    fake.config().access_tokens[0].clone()
}

fn credentials(fake: &FakeZhiyun) -> Credentials {
    Credentials::new(
        fake.config().client_id.clone(),
        fake.config().client_secret.clone(),
        desktop_token(fake),
    )
}

async fn client_with(fake: &FakeZhiyun, credentials: Credentials) -> Client {
    Client::builder(credentials)
        .base_url(&fake.base_url)
        .build()
        .await
        .expect("client builds")
}

async fn default_client(fake: &FakeZhiyun) -> Client {
    client_with(fake, credentials(fake)).await
}

/// `t_` and `p_` of a recorded request, checked against the document's rule and the clock.
fn assert_time_params(r: &RecordedRequest) {
    let t: u64 = r
        .query_param("t_")
        .and_then(|t| t.parse().ok())
        .unwrap_or_else(|| panic!("numeric t_ in {:?}", r.query));
    let p: u64 = r
        .query_param("p_")
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("numeric p_ in {:?}", r.query));
    assert_eq!(p, p_of(t), "p_ = (t_ % 10000) * 3 + 2345 for t_={t}");
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    assert!(
        now_ms.abs_diff(t) < 60_000,
        "t_ is the current time in milliseconds: {t} vs {now_ms}"
    );
}

#[test]
fn the_documents_test_vectors() {
    // 3.参数说明 and every 请求实例: t_=1422339152058 gives p_=8519.
    assert_eq!(p_of(1_422_339_152_058), 8519);
    assert_eq!(
        integration_tests::fakes::zhiyun::p_for(1_422_339_152_058),
        8519
    );
    // 1 概述: the Basic header of the 7其他 test credentials.
    use base64::Engine as _;
    let encoded = base64::engine::general_purpose::STANDARD.encode("1102084294:aku8hCyXBd9SqYkT");
    assert_eq!(format!("Basic {encoded}"), DOCUMENT_BASIC);
}

#[tokio::test]
async fn the_client_authorizes_itself_and_reuses_the_auth_code() {
    let fake = start(ZhiyunConfig::default()).await;
    let client = default_client(&fake).await;
    assert_eq!(fake.requests().len(), 0, "nothing is sent at build time");

    client.get_user_info().await.expect("user info");
    client.get_company_info().await.expect("company info");
    assert_eq!(fake.authorize_requests(), 1, "one auth code for both calls");
    assert_eq!(fake.business_requests(), 2);

    let requests = fake.requests();
    assert_eq!(requests.len(), 3);
    let token = desktop_token(&fake);
    use rt::secrecy::ExposeSecret as _;
    let state = client.token_state().await.expect("the cached auth code");
    let auth_code = state.access_token.expose_secret().to_owned();
    assert_eq!(auth_code.len(), 40);

    // 6.1鉴权接口: GET with Basic, access_token, t_ and p_, and no auth_code.
    let authorize = &requests[0];
    assert_eq!(
        (authorize.method.as_str(), authorize.path.as_str()),
        ("GET", AUTHORIZE_PATH)
    );
    assert_eq!(authorize.header("authorization"), Some(DOCUMENT_BASIC));
    assert_eq!(authorize.query_param("access_token"), Some(token.clone()));
    assert_eq!(authorize.query_param("auth_code"), None);
    assert_time_params(authorize);
    assert!(authorize.body.is_empty());

    // 6.2 and 6.3: Basic, access_token, client_id, the auth code from 6.1, t_ and p_.
    for (r, path) in requests[1..]
        .iter()
        .zip([USER_INFO_PATH, COMPANY_INFO_PATH])
    {
        assert_eq!((r.method.as_str(), r.path.as_str()), ("GET", path));
        assert_eq!(r.header("authorization"), Some(DOCUMENT_BASIC));
        assert_eq!(r.query_param("access_token"), Some(token.clone()));
        assert_eq!(r.query_param("client_id").as_deref(), Some("1102084294"));
        assert_eq!(r.query_param("auth_code"), Some(auth_code.clone()));
        assert_time_params(r);
    }
}

#[tokio::test]
async fn user_and_company_info_are_typed_field_by_field() {
    let fake = start(ZhiyunConfig::default()).await;
    let client = default_client(&fake).await;
    let before = jiff::Timestamp::now().as_second();

    let user = client.get_user_info().await.expect("user info");
    assert_eq!(user.username, "li******40");
    assert_eq!(user.truename, "李**");
    assert_eq!(user.sex, "3");
    assert_eq!(user.phone, "13******0170");
    assert_eq!(user.is_admin, "1");
    assert_eq!(user.status, None);
    assert_eq!(
        user.avatar,
        "http://avatar.xxx.dev.com/000/00/11/52_avatar_small"
    );
    assert_eq!(
        user.created,
        jiff::civil::date(2017, 11, 30).at(10, 37, 30, 0)
    );
    let nowtime = user.nowtime.as_second();
    assert!(
        (before - 5..=before + 5).contains(&nowtime),
        "nowtime is Unix seconds: {nowtime}"
    );

    let company = client.get_company_info().await.expect("company info");
    assert_eq!(company.company_name, "水磨沟区*******餐饮店");
    assert_eq!(company.company_type, "1");
    assert_eq!(company.tax_number, "6523248***************03404");
    assert_eq!(company.province, "");
    assert_eq!(company.city, "");
    assert_eq!(company.zone, "");
    assert_eq!(company.address, "乌鲁木齐市***巷186号");
    assert_eq!(company.disable.as_deref(), Some(""));
    assert_eq!(company.tel_phone, "");
    assert_eq!(company.legal_person_phone, "133*****0170");
    assert_eq!(company.legal_person_name, "李**");
    assert_eq!(
        company.created,
        jiff::civil::date(2017, 11, 30).at(10, 37, 30, 0)
    );
    assert!((before - 5..=before + 5).contains(&company.nowtime.as_second()));
}

#[tokio::test]
async fn an_expired_auth_code_is_obtained_again_and_the_call_retried_once() {
    let fake = start(ZhiyunConfig::default()).await;
    let client = default_client(&fake).await;
    client.get_user_info().await.unwrap();
    use rt::secrecy::ExposeSecret as _;
    let first = client.token_state().await.unwrap();
    let first = first.access_token.expose_secret().to_owned();

    fake.expire_auth_codes();
    client
        .get_company_info()
        .await
        .expect("re-authorized and retried");
    assert_eq!(fake.authorize_requests(), 2);
    assert_eq!(
        fake.business_requests(),
        3,
        "first call, the rejected call (100020), the retry"
    );
    let requests = fake.requests();
    let codes: Vec<_> = requests
        .iter()
        .filter(|r| r.path != AUTHORIZE_PATH)
        .map(|r| r.query_param("auth_code").unwrap())
        .collect();
    assert_eq!(codes[0], first);
    assert_eq!(codes[1], first, "the rejected call still used the old code");
    assert_ne!(codes[2], first, "the retry uses the new code");
    let second = client.token_state().await.unwrap();
    assert_eq!(codes[2], second.access_token.expose_secret());

    // An auth code the server never issued (100019) is replaced the same way.
    client
        .set_token_state(
            rt::TokenState::new("0000000000000000000000000000000000000000")
                .with_expires_at(jiff::Timestamp::now() + jiff::SignedDuration::from_hours(1)),
        )
        .await;
    client
        .get_user_info()
        .await
        .expect("100019 → authorize → retry");
    assert_eq!(fake.authorize_requests(), 3);
}

#[tokio::test]
async fn an_expired_desktop_access_token_requires_a_person_to_log_in_again() {
    // Expired before the first call: the authorize call itself answers 100014.
    let fake = start(ZhiyunConfig::default()).await;
    let client = default_client(&fake).await;
    fake.expire_access_token(&desktop_token(&fake));
    let err = client.get_user_info().await.unwrap_err();
    assert_eq!(err.code(), Some(&ErrorCode::AccessTokenExpired), "{err}");
    assert_eq!(err.class(), ErrorClass::Reauthorize);
    match &err {
        rt::Error::Auth(auth) => match &**auth {
            AuthError::TokenEndpoint {
                grant, raw_code, ..
            } => {
                assert_eq!(*grant, "authorize");
                assert_eq!(raw_code, &Some(RawCode::Int(100014)));
            }
            other => panic!("expected TokenEndpoint, got {other:?}"),
        },
        other => panic!("expected an auth error, got {other:?}"),
    }
    assert_eq!(fake.authorize_requests(), 1, "not retried");
    assert_eq!(fake.business_requests(), 0);

    // Expired while an auth code is held: the business call answers 100014, which is not
    // retried (a new auth code would not help).
    let fake = start(ZhiyunConfig::default()).await;
    let client = default_client(&fake).await;
    client.get_user_info().await.unwrap();
    fake.expire_access_token(&desktop_token(&fake));
    let err = client.get_company_info().await.unwrap_err();
    assert_eq!(err.code(), Some(&ErrorCode::AccessTokenExpired), "{err}");
    assert_eq!(err.class(), ErrorClass::Reauthorize);
    let rt::Error::Api(api) = &err else {
        panic!("expected an API error, got {err:?}");
    };
    assert_eq!(api.raw_code, Some(RawCode::Int(100014)));
    assert_eq!(
        api.message.as_deref(),
        Some("访问token已过期,过期时间一般为3个月")
    );
    assert_eq!(fake.authorize_requests(), 1, "no re-authorization");
    assert_eq!(fake.business_requests(), 2, "no retry");

    // The person logs in again; the second document token works.
    let renewed = Credentials::new(
        "1102084294",
        "aku8hCyXBd9SqYkT",
        fake.config().access_tokens[1].clone(),
    );
    let client = client_with(&fake, renewed).await;
    client.get_company_info().await.expect("with a live token");
}

#[tokio::test]
async fn a_wrong_client_secret_is_100009() {
    let fake = start(ZhiyunConfig::default()).await;
    let client = client_with(
        &fake,
        Credentials::new("1102084294", "not-the-secret", desktop_token(&fake)),
    )
    .await;
    let err = client.get_user_info().await.unwrap_err();
    assert_eq!(err.code(), Some(&ErrorCode::InvalidBasicAuth), "{err}");
    assert_eq!(err.class(), ErrorClass::Auth);
    assert_eq!(
        ErrorCode::InvalidBasicAuth.documented_message(),
        Some("HTTP协议头认证非法")
    );
    let shown = format!("{err} {err:?}");
    assert!(!shown.contains("not-the-secret"), "{shown}");
    assert!(!shown.contains(&desktop_token(&fake)), "{shown}");
    assert_eq!(fake.authorize_requests(), 1);
    assert_eq!(fake.business_requests(), 0);
    let sent = &fake.requests()[0];
    assert_ne!(sent.header("authorization"), Some(DOCUMENT_BASIC));
}

#[tokio::test]
async fn plain_http_is_allowed_by_the_spec_for_this_vendor() {
    let creds = || Credentials::new("1102084294", "aku8hCyXBd9SqYkT", "token");
    // The document offers only http:// (spec `transport.allow_plain_http` with its reason):
    // a non-loopback http:// base URL builds without any opt-in (erp refuses the same; see
    // tests/erp.rs).
    Client::builder(creds())
        .base_url("http://auth.xxx.dev.com")
        .build()
        .await
        .expect("non-loopback http:// is allowed for zhiyun");
    Client::builder(creds())
        .build()
        .await
        .expect("the document's own default base URL builds");
    assert_eq!(
        generated_client::zhiyun::DEFAULT_BASE_URL,
        "http://auth.xxx.dev.com"
    );
    // The application can still refuse plain HTTP.
    let err = Client::builder(creds())
        .base_url("http://auth.xxx.dev.com")
        .allow_plain_http(false)
        .build()
        .await
        .unwrap_err();
    assert!(matches!(err, rt::Error::InsecureUrl { .. }), "{err:?}");
    Client::builder(creds())
        .base_url("https://auth.example.com")
        .allow_plain_http(false)
        .build()
        .await
        .expect("https is always fine");
}

#[tokio::test]
async fn twenty_concurrent_calls_on_a_cold_client_authorize_once() {
    let fake = start(ZhiyunConfig::default()).await;
    let client = default_client(&fake).await;
    let calls = (0..20).map(|i| {
        let client = client.clone();
        tokio::spawn(async move {
            if i % 2 == 0 {
                client.get_user_info().await.map(|_| ())
            } else {
                client.get_company_info().await.map(|_| ())
            }
        })
    });
    for result in futures_util::future::join_all(calls).await {
        result.expect("task").expect("call");
    }
    assert_eq!(fake.authorize_requests(), 1);
    assert_eq!(fake.business_requests(), 20);
    for r in fake.requests() {
        assert_time_params(&r);
    }

    // And once every auth code has expired: one re-authorization for all of them.
    fake.expire_auth_codes();
    let calls = (0..20).map(|_| {
        let client = client.clone();
        tokio::spawn(async move { client.get_user_info().await })
    });
    for result in futures_util::future::join_all(calls).await {
        result.expect("task").expect("call");
    }
    assert_eq!(fake.authorize_requests(), 2);
}

#[tokio::test]
async fn secrets_stay_out_of_debug_output() {
    const SECRET: &str = "SENTINEL-zhiyun-client-secret";
    const DESKTOP_TOKEN: &str = "SENTINEL-zhiyun-desktop-token";
    const WRONG_SECRET: &str = "SENTINEL-zhiyun-wrong-secret";
    let fake = start(ZhiyunConfig {
        client_secret: SECRET.into(),
        access_tokens: vec![DESKTOP_TOKEN.into()],
        ..ZhiyunConfig::default()
    })
    .await;
    let mut secrets = Secrets::new();
    secrets
        .add("client secret", SECRET)
        .add("desktop access token", DESKTOP_TOKEN)
        .add("wrong client secret", WRONG_SECRET);

    let credentials = credentials(&fake);
    let shown = format!("{credentials:?}");
    assert!(shown.contains(&fake.config().client_id), "{shown}");
    secrets.assert_hidden_in("Credentials", &shown);

    let store = Arc::new(rt::MemoryTokenStore::default());
    let client = Client::builder(credentials)
        .base_url(&fake.base_url)
        .token_store(store.clone())
        .build()
        .await
        .expect("client builds");
    client.get_user_info().await.expect("user info");
    let state = client.token_state().await.expect("an auth code");
    secrets.add("auth code", state.access_token.expose_secret());
    // Basic header (and its credential) and access_token on both requests, auth_code on one.
    assert_eq!(
        secrets.add_sent(
            &fake.requests(),
            &["authorization", "access_token", "auth_code"]
        ),
        7
    );
    secrets.assert_hidden_in("TokenState", &format!("{state:?}"));
    let stored = store
        .load()
        .await
        .expect("the store answers")
        .expect("the client saved its auth code");
    secrets.assert_hidden_in("MemoryTokenStore", &format!("{store:?} {stored:?}"));
    secrets.assert_hidden_in("Client", &format!("{client:?}"));

    // A vendor error on a business call whose query carried both tokens.
    fake.expire_access_token(DESKTOP_TOKEN);
    let err = client.get_company_info().await.unwrap_err();
    assert!(matches!(&err, rt::Error::Api(_)), "{err:?}");
    secrets.assert_hidden_in_error("vendor error", &err);

    // The authorize call refused, with its raw body.
    let refused = client_with(
        &fake,
        Credentials::new(fake.config().client_id.clone(), WRONG_SECRET, DESKTOP_TOKEN),
    )
    .await
    .get_user_info()
    .await
    .unwrap_err();
    assert!(refused.raw_body().is_some(), "{refused:?}");
    secrets.assert_hidden_in_error("authorize error", &refused);
}
