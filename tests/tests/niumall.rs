//! The generated `niumall` client end to end, over real HTTP on loopback, against
//! the strict fake of the 活牛采购 API (`integration_tests::fakes::niumall`).
//!
//! The document gives no login path: the fake serves it at `/v1/auth/login` and
//! the client is told so with `grant_path("login", "/auth/login")` (relative to the base
//! URL `…/v1`, as the document's `https://api.niumall.com/v1`).

use std::sync::Arc;

use futures_util::TryStreamExt;
use generated_client::niumall::{
    self, Client, CreateOrderRequest, Credentials, ErrorCode, ListOrdersRequest,
};
use generated_client::runtime::secrecy::ExposeSecret;
use generated_client::runtime::{
    self as rt, AuthError, ErrorClass, FieldError, RawCode, TokenStore,
};
use integration_tests::fakes::niumall::{FakeNiumall, NiumallConfig, start};
use integration_tests::secrets::Secrets;
use rust_decimal::Decimal;
use serde_json::{Value, json};

/// The login path relative to the base URL `{fake}/v1`.
const LOGIN_PATH: &str = "/auth/login";

fn base_url(fake: &FakeNiumall) -> String {
    format!("{}/v1", fake.base_url)
}

fn credentials(fake: &FakeNiumall) -> Credentials {
    Credentials::new(
        fake.config().username.clone(),
        fake.config().password.clone(),
    )
}

async fn client_with(fake: &FakeNiumall, credentials: Credentials) -> Client {
    Client::builder(credentials)
        .base_url(&base_url(fake))
        .grant_path("login", LOGIN_PATH)
        .build()
        .await
        .expect("client builds")
}

async fn client(fake: &FakeNiumall) -> Client {
    client_with(fake, credentials(fake)).await
}

fn dec(s: &str) -> Decimal {
    s.parse().expect("a decimal literal")
}

#[tokio::test]
async fn login_at_the_configured_path_then_bearer_jwt_on_list_orders() {
    let fake = start(NiumallConfig::default()).await;
    let client = client(&fake).await;
    assert_eq!(fake.requests().len(), 0, "no login before the first call");

    let list = client
        .list_orders(&ListOrdersRequest::new())
        .await
        .expect("orders");
    assert_eq!(list.orders.len(), 20, "the document's default limit");
    assert_eq!(list.pagination.current_page, 1);
    assert_eq!(list.pagination.total_pages, 5);
    assert_eq!(list.pagination.total_count, 100);

    // The first order is the document's example, with exact decimals.
    let first = &list.orders[0];
    assert_eq!(first.id, 1);
    assert_eq!(first.order_no, "ORD20240120001");
    assert_eq!(first.supplier_id, 101);
    assert_eq!(first.supplier_name, "山东畜牧合作社");
    assert_eq!(first.cattle_count, 50);
    assert_eq!(first.total_weight, dec("25000"));
    assert_eq!(first.unit_price, dec("28.5"));
    assert_eq!(first.total_amount, dec("712500"));
    assert_eq!(first.status, "shipping");
    assert_eq!(first.created_at.to_string(), "2024-01-20T10:00:00Z");

    assert_eq!(fake.token_requests(), 1);
    let requests = fake.requests();
    assert_eq!(requests.len(), 2);
    let login = &requests[0];
    assert_eq!(login.method, "POST");
    assert_eq!(login.path, fake.config().login_path);
    assert!(
        login
            .header("content-type")
            .is_some_and(|c| c.starts_with("application/json")),
        "{login:?}"
    );
    assert_eq!(
        login.body_json(),
        Some(json!({ "username": "admin@example.com", "password": "password123" }))
    );
    assert!(
        login.header("authorization").is_none(),
        "the login call itself carries no token"
    );

    let business = &requests[1];
    assert_eq!(
        (business.method.as_str(), business.path.as_str()),
        ("GET", "/v1/orders")
    );
    let state = client.token_state().await.expect("a cached token");
    use rt::secrecy::ExposeSecret as _;
    let jwt = state.access_token.expose_secret();
    assert_eq!(jwt.split('.').count(), 3, "a JWT");
    assert_eq!(
        business.header("authorization"),
        Some(format!("Bearer {jwt}").as_str())
    );
    // The user's id and role are kept with the token (spec `extra`).
    assert_eq!(state.extra.get("user_id").map(String::as_str), Some("1"));
    assert_eq!(
        state.extra.get("user_role").map(String::as_str),
        Some("admin")
    );
    // expires_in 3600 from the login response.
    let lifetime = state
        .expires_at
        .expect("an expiry")
        .duration_since(state.obtained_at);
    assert_eq!(lifetime.as_secs(), 3600);

    // A second call reuses the JWT.
    client
        .list_orders(
            &ListOrdersRequest::new()
                .page(2)
                .limit(10)
                .status("shipping"),
        )
        .await
        .expect("filtered orders");
    assert_eq!(fake.token_requests(), 1);
    let last = fake.requests().pop().unwrap();
    assert_eq!(last.query_param("page").as_deref(), Some("2"));
    assert_eq!(last.query_param("limit").as_deref(), Some("10"));
    assert_eq!(last.query_param("status").as_deref(), Some("shipping"));
}

#[tokio::test]
async fn without_a_login_path_the_client_says_so_and_sends_nothing() {
    let fake = start(NiumallConfig::default()).await;
    let client = Client::builder(credentials(&fake))
        .base_url(&base_url(&fake))
        .build()
        .await
        .expect("builds: the token is only needed on the first call");
    let err = client
        .list_orders(&ListOrdersRequest::new())
        .await
        .unwrap_err();
    match &err {
        rt::Error::Auth(auth) => match &**auth {
            AuthError::NotConfigured { what } => {
                assert!(what.contains("login"), "{what}")
            }
            other => panic!("expected NotConfigured, got {other:?}"),
        },
        other => panic!("expected an auth error, got {other:?}"),
    }
    assert_eq!(fake.requests().len(), 0);
}

#[tokio::test]
async fn the_page_stream_walks_every_page() {
    let fake = start(NiumallConfig::default()).await;
    let client = client(&fake).await;
    let all: Vec<niumall::Order> = client
        .list_orders_pages(ListOrdersRequest::new())
        .try_collect()
        .await
        .expect("every page");
    assert_eq!(all.len(), 100);
    let ids: Vec<i64> = all.iter().map(|o| o.id).collect();
    assert_eq!(ids, (1..=100).collect::<Vec<i64>>(), "in order, no gaps");
    assert_eq!(fake.business_requests(), 5, "pages 1 to 5 of 20");
    let pages: Vec<_> = fake
        .requests()
        .iter()
        .filter(|r| r.path == "/v1/orders")
        .map(|r| r.query_param("page"))
        .collect();
    let expected: Vec<_> = (1..=5).map(|p| Some(p.to_string())).collect();
    assert_eq!(pages, expected);

    // With another page size and a first page.
    let rest: Vec<_> = client
        .list_orders_pages(ListOrdersRequest::new().limit(30).page(3))
        .try_collect()
        .await
        .expect("pages 3 and 4");
    assert_eq!(rest.len(), 40);
    assert_eq!(rest[0].id, 61);
    assert_eq!(fake.token_requests(), 1);
}

#[tokio::test]
async fn create_order_with_every_field() {
    let fake = start(NiumallConfig::default()).await;
    let client = client(&fake).await;
    // The document's request example.
    let request = CreateOrderRequest::new(101, "西门塔尔", 30, dec("15000"), dec("28.5"))
        .delivery_address("北京市朝阳区xx养殖场")
        .expected_delivery_date(jiff::civil::date(2024, 1, 25));
    let order = client.create_order(&request).await.expect("created");

    assert_eq!(order.id, 101, "after the 100 seeded orders");
    assert_eq!(order.supplier_id, 101);
    assert_eq!(order.supplier_name, "山东畜牧合作社");
    assert_eq!(order.cattle_count, 30);
    assert_eq!(order.total_weight, dec("15000"));
    assert_eq!(order.unit_price, dec("28.5"));
    assert_eq!(order.total_amount, dec("427500"));
    assert_eq!(order.status, "pending");

    let sent = fake
        .requests()
        .into_iter()
        .find(|r| r.method == "POST" && r.path == "/v1/orders")
        .expect("the create request");
    assert!(
        sent.header("authorization")
            .is_some_and(|h| h.starts_with("Bearer "))
    );
    assert!(
        sent.header("content-type")
            .is_some_and(|c| c.starts_with("application/json"))
    );
    // Exactly the document's example: decimals as JSON numbers, the date as YYYY-MM-DD.
    assert_eq!(
        sent.body_json(),
        Some(json!({
            "supplier_id": 101,
            "cattle_breed": "西门塔尔",
            "cattle_count": 30,
            "expected_weight": 15000,
            "unit_price": 28.5,
            "delivery_address": "北京市朝阳区xx养殖场",
            "expected_delivery_date": "2024-01-25"
        }))
    );
    let text = sent.body_text();
    assert!(text.contains(r#""expected_weight":15000"#), "{text}");
    assert!(text.contains(r#""unit_price":28.5"#), "{text}");
    assert!(
        text.contains(r#""expected_delivery_date":"2024-01-25""#),
        "{text}"
    );

    // The fake answered 201 创建成功 and kept every field.
    let created = fake.created_orders();
    assert_eq!(created.len(), 1);
    assert_eq!(created[0]["cattle_breed"], "西门塔尔");
    assert_eq!(created[0]["delivery_address"], "北京市朝阳区xx养殖场");
    assert_eq!(created[0]["expected_delivery_date"], "2024-01-25");
    assert_eq!(created[0]["expected_weight"], json!(15000));
}

#[tokio::test]
async fn decimals_with_fractions_travel_exactly() {
    let fake = start(NiumallConfig::default()).await;
    let client = client(&fake).await;
    // Only the required fields: the optional ones are not sent at all.
    let request = CreateOrderRequest::new(102, "安格斯", 12, dec("6000.25"), dec("31.35"));
    let order = client.create_order(&request).await.expect("created");
    assert_eq!(order.total_weight, dec("6000.25"));
    assert_eq!(order.unit_price, dec("31.35"));
    assert_eq!(order.unit_price.to_string(), "31.35");
    let sent = fake.requests().pop().unwrap();
    let body: Value = sent.body_json().unwrap();
    assert_eq!(
        body,
        json!({
            "supplier_id": 102, "cattle_breed": "安格斯", "cattle_count": 12,
            "expected_weight": 6000.25, "unit_price": 31.35
        })
    );
    let text = sent.body_text();
    assert!(
        text.contains("6000.25") && text.contains("31.35"),
        "shortest decimal text: {text}"
    );
}

#[tokio::test]
async fn a_validation_failure_is_typed_with_every_field_message() {
    let fake = start(NiumallConfig::default()).await;
    let client = client(&fake).await;
    let request = CreateOrderRequest::new(101, "西门塔尔", 0, dec("15000"), dec("0"));
    let err = client.create_order(&request).await.unwrap_err();
    assert_eq!(err.code(), Some(&ErrorCode::ValidationError), "{err}");
    assert_eq!(err.class(), ErrorClass::Caller);
    let rt::Error::Api(api) = &err else {
        panic!("expected an API error, got {err:?}");
    };
    assert_eq!(api.status, 400);
    assert_eq!(api.raw_code, Some(RawCode::Str("VALIDATION_ERROR".into())));
    assert_eq!(api.message.as_deref(), Some("请求参数验证失败"));
    assert_eq!(
        api.details,
        vec![
            FieldError {
                field: "cattle_count".into(),
                message: "牛只数量必须大于0".into(),
            },
            FieldError {
                field: "unit_price".into(),
                message: "单价必须大于0".into(),
            },
        ]
    );
    assert!(api.extra("timestamp").is_some_and(Value::is_string));
    assert_eq!(fake.created_orders().len(), 0);
    assert_eq!(
        fake.token_requests(),
        1,
        "a validation error does not renew the token"
    );
    assert_eq!(fake.business_requests(), 1, "and is not retried");

    // The document's own error example decodes the same way.
    let example = r#"{"success": false, "error": {"code": "VALIDATION_ERROR", "message": "请求参数验证失败",
        "details": [{"field": "cattle_count", "message": "牛只数量必须大于0"}]}, "timestamp": "2024-01-20T12:00:00Z"}"#;
    let err = niumall::decode_response::<niumall::Order>(400, example.as_bytes()).unwrap_err();
    let rt::Error::Api(api) = &err else {
        panic!("expected an API error, got {err:?}");
    };
    assert_eq!(api.code, ErrorCode::ValidationError);
    assert_eq!(api.details.len(), 1);
    assert_eq!(api.details[0].field, "cattle_count");
    assert_eq!(api.details[0].message, "牛只数量必须大于0");
}

#[tokio::test]
async fn a_wrong_password_is_a_typed_login_error() {
    let fake = start(NiumallConfig::default()).await;
    let client = client_with(
        &fake,
        Credentials::new("admin@example.com", "wrong-password-xyz"),
    )
    .await;
    let err = client
        .list_orders(&ListOrdersRequest::new())
        .await
        .unwrap_err();
    match &err {
        rt::Error::Auth(auth) => match &**auth {
            AuthError::TokenEndpoint {
                grant,
                status,
                raw_code,
                message,
                ..
            } => {
                assert_eq!(*grant, "login");
                assert_eq!(*status, 401);
                assert_eq!(raw_code, &Some(RawCode::Str("UNAUTHORIZED".into())));
                assert_eq!(message.as_deref(), Some("用户名或密码错误"));
            }
            other => panic!("expected TokenEndpoint, got {other:?}"),
        },
        other => panic!("expected an auth error, got {other:?}"),
    }
    // The document lists no login error code: the HTTP status table names the 401 (the
    // raw code is kept above), and a refused login is an auth failure, not "renew".
    assert_eq!(err.code(), Some(&ErrorCode::Unauthorized));
    assert_eq!(err.class(), ErrorClass::Auth);
    let shown = format!("{err} {err:?}");
    assert!(!shown.contains("wrong-password-xyz"), "{shown}");
    assert_eq!(fake.token_requests(), 1, "a refused login is not retried");
    assert_eq!(fake.business_requests(), 0);
}

#[tokio::test]
async fn an_expired_jwt_is_renewed_by_logging_in_again_and_retried_once() {
    let fake = start(NiumallConfig::default()).await;
    let client = client(&fake).await;
    client.list_orders(&ListOrdersRequest::new()).await.unwrap();
    use rt::secrecy::ExposeSecret as _;
    let before = client.token_state().await.unwrap();
    let before = before.access_token.expose_secret().to_owned();

    fake.expire_all_tokens();
    let list = client
        .list_orders(&ListOrdersRequest::new())
        .await
        .expect("logged in again and retried");
    assert_eq!(list.orders.len(), 20);
    assert_eq!(fake.token_requests(), 2);
    assert_eq!(
        fake.business_requests(),
        3,
        "first call, the rejected call (401), the retry"
    );
    let after = client.token_state().await.unwrap();
    assert_ne!(after.access_token.expose_secret(), before);
    let last = fake.requests().pop().unwrap();
    assert_eq!(
        last.header("authorization"),
        Some(format!("Bearer {}", after.access_token.expose_secret()).as_str())
    );
}

#[tokio::test]
async fn a_jwt_rejected_again_after_renewal_is_not_retried_forever() {
    // Tokens that expire at once: every JWT is rejected, so the single retry fails too.
    let fake = start(NiumallConfig {
        token_ttl: std::time::Duration::ZERO,
        ..NiumallConfig::default()
    })
    .await;
    let client = client(&fake).await;
    let err = client
        .list_orders(&ListOrdersRequest::new())
        .await
        .unwrap_err();
    let rt::Error::Api(api) = &err else {
        panic!("expected the 401 as an API error, got {err:?}");
    };
    assert_eq!(api.status, 401);
    assert_eq!(
        fake.business_requests(),
        2,
        "the call and exactly one retry"
    );
    // `expires_in: 0`: the first login, the renewal after the 401, and the login before the
    // retry (the renewed JWT is already past its stated lifetime).
    assert_eq!(fake.token_requests(), 3);
}

#[tokio::test]
async fn thirty_concurrent_calls_on_a_cold_client_log_in_once() {
    let fake = start(NiumallConfig::default()).await;
    let client = client(&fake).await;
    let calls = (0..30).map(|i| {
        let client = client.clone();
        tokio::spawn(async move {
            client
                .list_orders(&ListOrdersRequest::new().page(i % 5 + 1).limit(20))
                .await
        })
    });
    for result in futures_util::future::join_all(calls).await {
        result.expect("task").expect("call");
    }
    assert_eq!(fake.token_requests(), 1);
    assert_eq!(fake.business_requests(), 30);

    // And again once the JWT has expired: one re-login for all of them.
    fake.expire_all_tokens();
    let calls = (0..30).map(|_| {
        let client = client.clone();
        tokio::spawn(async move { client.list_orders(&ListOrdersRequest::new()).await })
    });
    for result in futures_util::future::join_all(calls).await {
        result.expect("task").expect("call");
    }
    assert_eq!(fake.token_requests(), 2);
}

#[tokio::test]
async fn the_http_status_table_maps_to_error_classes() {
    // The document's HTTP状态码 table, as transcribed into `ErrorCode`.
    let table = [
        (200, ErrorCode::Ok, ErrorClass::Success, "请求成功"),
        (201, ErrorCode::Created, ErrorClass::Success, "创建成功"),
        (
            400,
            ErrorCode::BadRequest,
            ErrorClass::Caller,
            "请求参数错误",
        ),
        (
            401,
            ErrorCode::Unauthorized,
            ErrorClass::RenewToken,
            "未授权,需要登录",
        ),
        (
            403,
            ErrorCode::Forbidden,
            ErrorClass::Auth,
            "禁止访问,权限不足",
        ),
        (404, ErrorCode::NotFound, ErrorClass::Caller, "资源不存在"),
        (
            500,
            ErrorCode::InternalServerError,
            ErrorClass::Retryable,
            "服务器内部错误",
        ),
    ];
    use rt::VendorCode as _;
    for (status, code, class, message) in table {
        let decoded = ErrorCode::from_raw(&RawCode::Int(status));
        assert_eq!(decoded, code, "{status}");
        assert_eq!(decoded.class(), class, "{status}");
        assert_eq!(decoded.code(), RawCode::Int(status));
        assert_eq!(decoded.documented_message(), Some(message));
        assert_eq!(decoded.table(), Some("HTTP状态码"));
    }
    let validation = ErrorCode::from_raw(&RawCode::Str("VALIDATION_ERROR".into()));
    assert_eq!(validation, ErrorCode::ValidationError);
    assert_eq!(validation.class(), ErrorClass::Caller);
    let unknown = ErrorCode::from_raw(&RawCode::Str("SOMETHING_ELSE".into()));
    assert_eq!(
        unknown,
        ErrorCode::Unknown(RawCode::Str("SOMETHING_ELSE".into()))
    );
    assert_eq!(unknown.class(), ErrorClass::Unknown);

    // On the wire, 401 is the status that renews the token (spec `renew_on_http_status`):
    // a request with a JWT the server does not know is answered 401 and retried after a login.
    let fake = start(NiumallConfig::default()).await;
    let client = client(&fake).await;
    client
        .set_token_state(
            rt::TokenState::new("not.a-known.jwt")
                .with_expires_at(jiff::Timestamp::now() + jiff::SignedDuration::from_hours(1)),
        )
        .await;
    client
        .list_orders(&ListOrdersRequest::new())
        .await
        .expect("401 → login → retry");
    let statuses: Vec<_> = fake.requests().iter().map(|r| r.path.clone()).collect();
    assert_eq!(statuses, ["/v1/orders", "/v1/auth/login", "/v1/orders"]);
}

#[tokio::test]
async fn secrets_stay_out_of_debug_output() {
    const PASSWORD: &str = "SENTINEL-niumall-password";
    const WRONG_PASSWORD: &str = "SENTINEL-niumall-wrong-password";
    let fake = start(NiumallConfig {
        password: PASSWORD.into(),
        ..NiumallConfig::default()
    })
    .await;
    let mut secrets = Secrets::new();
    secrets
        .add("password", PASSWORD)
        .add("wrong password", WRONG_PASSWORD);

    let credentials = credentials(&fake);
    let shown = format!("{credentials:?}");
    assert!(shown.contains(&fake.config().username), "{shown}");
    secrets.assert_hidden_in("Credentials", &shown);

    let store = Arc::new(rt::MemoryTokenStore::default());
    let client = Client::builder(credentials)
        .base_url(&base_url(&fake))
        .grant_path("login", LOGIN_PATH)
        .token_store(store.clone())
        .build()
        .await
        .expect("client builds");
    client
        .list_orders(&ListOrdersRequest::new())
        .await
        .expect("orders");
    let state = client.token_state().await.expect("a JWT");
    secrets.add("JWT", state.access_token.expose_secret());
    assert_eq!(
        secrets.add_sent(&fake.requests(), &["authorization", "password"]),
        3,
        "the login's password and the Bearer JWT (also without its scheme)"
    );
    secrets.assert_hidden_in("TokenState", &format!("{state:?}"));
    let stored = store
        .load()
        .await
        .expect("the store answers")
        .expect("the client saved its token");
    secrets.assert_hidden_in("MemoryTokenStore", &format!("{store:?} {stored:?}"));
    secrets.assert_hidden_in("Client", &format!("{client:?}"));

    // A vendor error after a valid login, with its raw body and field details.
    let invalid = CreateOrderRequest::new(101, "西门塔尔", 0, dec("15000"), dec("0"));
    let err = client.create_order(&invalid).await.unwrap_err();
    assert!(matches!(&err, rt::Error::Api(_)), "{err:?}");
    secrets.assert_hidden_in_error("vendor error", &err);

    // A refused login, with its raw body.
    let refused = client_with(
        &fake,
        Credentials::new(fake.config().username.clone(), WRONG_PASSWORD),
    )
    .await
    .list_orders(&ListOrdersRequest::new())
    .await
    .unwrap_err();
    assert!(refused.raw_body().is_some(), "{refused:?}");
    secrets.assert_hidden_in_error("login error", &refused);
}

/// The login answer's `access_token` is typed `secret`: an application that decodes and
/// prints the login response does not print the token.
#[test]
fn a_decoded_login_answer_does_not_print_its_token() {
    let token = "SENTINEL-login-token-7f3a9c";
    let body = json!({
        "success": true,
        "data": {
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": 3600,
            "user": { "id": 1, "username": "u", "email": "u@example.com", "role": "admin" }
        }
    })
    .to_string();
    let login: niumall::LoginResult =
        niumall::decode_response(200, body.as_bytes()).expect("the document's login answer");
    assert_eq!(login.access_token.expose_secret(), token);
    let printed = format!("{login:?} {login:#?}");
    assert!(!printed.contains(token), "{printed}");
}
