//! The generated `erp` client end to end, over real HTTP on loopback, against
//! the strict fake of the ERP server (`integration_tests::fakes::erp`).

use std::sync::Arc;
use std::time::Duration;

use futures_util::TryStreamExt;
use generated_client::erp::{
    self, Client, Credentials, ErrorCode, QueryInventoryRequest, QueryOrdersRequest,
};
use generated_client::runtime::ClientAuth;
use generated_client::runtime::secrecy::ExposeSecret;
use generated_client::runtime::{self as rt, AuthError, ErrorClass, TokenStore};
use integration_tests::fakes::erp::{ErpConfig, FakeErp, start};
use integration_tests::raw_http::RawRequest;
use integration_tests::secrets::Secrets;
use rust_decimal::Decimal;

fn credentials(fake: &FakeErp) -> Credentials {
    Credentials::new(
        fake.config().client_id.clone(),
        fake.config().client_secret.clone(),
    )
}

async fn client(fake: &FakeErp) -> Client {
    Client::builder(credentials(fake))
        .base_url(&fake.base_url)
        .build()
        .await
        .expect("client builds")
}

#[tokio::test]
async fn client_credentials_by_form_then_bearer_on_business_calls() {
    let fake = start(ErpConfig::default()).await;
    let client = client(&fake).await;

    let page = client
        .query_inventory(&QueryInventoryRequest::new().page_size(10))
        .await
        .expect("inventory");
    assert_eq!(page.list.len(), 10);
    assert_eq!(page.pagination.total, 45);

    assert_eq!(fake.token_requests(), 1);
    let requests = fake.requests();
    let token = &requests[0];
    assert_eq!(token.path, "/public/token.php");
    let form = token.form_pairs();
    assert!(
        form.contains(&("grant_type".into(), "client_credentials".into())),
        "{form:?}"
    );
    assert!(
        form.contains(&("client_secret".into(), fake.config().client_secret.clone())),
        "form client auth"
    );
    assert!(
        token.header("authorization").is_none(),
        "no Basic when the form carries the secret"
    );
    let business = &requests[1];
    assert!(
        business
            .header("authorization")
            .is_some_and(|h| h.starts_with("Bearer "))
    );
    assert_eq!(business.query_param("page_size").as_deref(), Some("10"));
}

#[tokio::test]
async fn client_credentials_by_http_basic() {
    let fake = start(ErpConfig::default()).await;
    let client = Client::builder(credentials(&fake))
        .base_url(&fake.base_url)
        .client_auth(ClientAuth::Basic)
        .build()
        .await
        .expect("client builds");
    client
        .query_orders(&QueryOrdersRequest::new())
        .await
        .expect("orders");
    let token = &fake.requests()[0];
    assert!(
        token
            .header("authorization")
            .is_some_and(|h| h.starts_with("Basic "))
    );
    assert!(
        !token.form_pairs().iter().any(|(k, _)| k == "client_secret"),
        "secret only in the Basic header"
    );
}

#[tokio::test]
async fn decimals_keep_their_scale_and_timestamps_parse() {
    let fake = start(ErpConfig::default()).await;
    let client = client(&fake).await;
    let page = client
        .query_inventory(&QueryInventoryRequest::new().page_size(1))
        .await
        .unwrap();
    let item = &page.list[0];
    assert_eq!(item.inventory_cnt.to_string(), "1.00000000");
    assert_eq!(item.inventory_cnt.scale(), 8);

    let orders = client
        .query_orders(&QueryOrdersRequest::new().page_size(1))
        .await
        .unwrap();
    let order = &orders.list[0];
    assert_eq!(order.total_amount, "110606.00".parse::<Decimal>().unwrap());
    assert_eq!(order.create_at.subsec_nanosecond(), 573_131_000);
}

#[tokio::test]
async fn page_size_above_the_documented_maximum_is_refused_before_sending() {
    let fake = start(ErpConfig::default()).await;
    let client = client(&fake).await;
    let err = client
        .query_inventory(&QueryInventoryRequest::new().page_size(101))
        .await
        .unwrap_err();
    match &err {
        rt::Error::InvalidRequest { field, reason } => {
            assert_eq!(*field, "page_size");
            assert!(reason.contains("at most 100"), "{reason}");
        }
        other => panic!("expected InvalidRequest, got {other:?}"),
    }
    assert_eq!(
        fake.requests().len(),
        0,
        "nothing was sent, not even a token request"
    );
}

#[tokio::test]
async fn the_page_stream_walks_every_page() {
    let fake = start(ErpConfig {
        outbound_records: 23,
        ..ErpConfig::default()
    })
    .await;
    let client = client(&fake).await;
    let all: Vec<_> = client
        .query_outbound_pages(erp::QueryOutboundRequest::new().page_size(10))
        .try_collect()
        .await
        .expect("every page");
    assert_eq!(all.len(), 23);
    assert_eq!(fake.business_requests(), 3, "pages 1, 2 and 3");
}

#[tokio::test]
async fn an_expired_token_is_renewed_and_the_call_retried_once() {
    let fake = start(ErpConfig::default()).await;
    let client = client(&fake).await;
    client
        .query_inventory(&QueryInventoryRequest::new())
        .await
        .unwrap();
    fake.expire_all_tokens();
    client
        .query_inventory(&QueryInventoryRequest::new())
        .await
        .expect("renewed and retried");
    assert_eq!(fake.token_requests(), 2);
    let statuses: Vec<_> = fake.requests().iter().map(|r| r.path.clone()).collect();
    assert_eq!(
        statuses
            .iter()
            .filter(|p| p.ends_with("worehouse.php"))
            .count(),
        3,
        "first call, rejected call, retry"
    );
}

/// Runs `tasks` simultaneous calls on clones of `client`, each must succeed.
async fn call_concurrently<F, Fut, T>(client: &Client, tasks: usize, call: F)
where
    F: Fn(Client) -> Fut,
    Fut: std::future::Future<Output = erp::Result<T>> + Send + 'static,
    T: Send + 'static,
{
    let calls = (0..tasks).map(|_| tokio::spawn(call(client.clone())));
    for result in futures_util::future::join_all(calls).await {
        result.expect("task").expect("call");
    }
}

#[tokio::test]
async fn many_tasks_on_a_cold_token_make_exactly_one_token_request() {
    let fake = start(ErpConfig::default()).await;
    let client = client(&fake).await;
    call_concurrently(&client, 40, |client| async move {
        client
            .query_inventory(&QueryInventoryRequest::new().page_size(1))
            .await
    })
    .await;
    assert_eq!(fake.token_requests(), 1);

    // And again once every token has expired.
    fake.expire_all_tokens();
    call_concurrently(&client, 40, |client| async move {
        client
            .query_orders(&QueryOrdersRequest::new().page_size(1))
            .await
    })
    .await;
    assert_eq!(fake.token_requests(), 2);
}

#[tokio::test]
async fn wrong_client_secret_is_a_typed_token_endpoint_error() {
    let fake = start(ErpConfig::default()).await;
    let client = Client::builder(Credentials::new(
        fake.config().client_id.clone(),
        "wrong-secret",
    ))
    .base_url(&fake.base_url)
    .build()
    .await
    .unwrap();
    let err = client
        .query_inventory(&QueryInventoryRequest::new())
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(&ErrorCode::InvalidClient), "{err}");
    assert_eq!(err.class(), ErrorClass::Auth);
    assert!(
        !format!("{err} {err:?}").contains("wrong-secret"),
        "the secret never appears in errors"
    );
    assert_eq!(fake.business_requests(), 0);
}

#[tokio::test]
async fn authorization_code_flow_with_state_check() {
    let fake = start(ErpConfig::default()).await;
    let redirect_uri = fake.config().redirect_uris[0].clone();
    let client = client(&fake).await;

    let state = Client::new_state();
    let url = client
        .authorize_url(&redirect_uri, &state)
        .expect("authorize URL");
    assert!(
        url.starts_with(&format!("{}/public/authorize.php?", fake.base_url)),
        "{url}"
    );
    assert!(
        url.contains("response_type=code") && url.contains(&format!("state={state}")),
        "{url}"
    );

    // The user's browser follows the URL; the fake approves and redirects back.
    let target = url.trim_start_matches(&fake.base_url).to_owned();
    let response = RawRequest::get(&target)
        .send(&fake.base_url)
        .await
        .expect("authorize");
    assert_eq!(response.status, 302);
    let location = url::Url::parse(response.header("location").expect("redirect")).unwrap();
    let param = |name: &str| {
        location
            .query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
            .unwrap()
    };
    Client::check_state(&state, &param("state")).expect("state matches");
    assert!(Client::check_state(&state, "forged").is_err());

    let token = client
        .exchange_authorization_code(&param("code"), &redirect_uri)
        .await
        .expect("exchange");
    assert!(token.expires_at.is_some());
    client
        .query_inventory(&QueryInventoryRequest::new())
        .await
        .expect("uses the exchanged token");
    assert_eq!(
        fake.token_requests(),
        1,
        "no client-credentials request: the exchanged token is used"
    );

    // The code is single-use.
    let err = client
        .exchange_authorization_code(&param("code"), &redirect_uri)
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(&ErrorCode::InvalidGrant), "{err}");
}

#[tokio::test]
async fn plain_http_to_a_remote_host_is_refused_unless_opted_in() {
    let creds = || Credentials::new("id", "secret");
    let err = Client::builder(creds())
        .base_url("http://erp.example.com")
        .build()
        .await
        .unwrap_err();
    assert!(matches!(err, rt::Error::InsecureUrl { .. }), "{err:?}");
    Client::builder(creds())
        .base_url("http://erp.example.com")
        .allow_plain_http(true)
        .build()
        .await
        .expect("explicit opt-in");
    Client::builder(creds())
        .base_url("http://127.0.0.1:9")
        .build()
        .await
        .expect("loopback is fine");
}

#[tokio::test]
async fn secrets_stay_out_of_debug_output() {
    const CLIENT_ID: &str = "visible-erp-client-id";
    const SECRET: &str = "SENTINEL-erp-client-secret";
    const WRONG_SECRET: &str = "SENTINEL-erp-wrong-secret";
    let mut secrets = Secrets::new();
    secrets
        .add("client secret", SECRET)
        .add("wrong client secret", WRONG_SECRET);

    let credentials = Credentials::new(CLIENT_ID, SECRET);
    let shown = format!("{credentials:?}");
    assert!(shown.contains(CLIENT_ID), "{shown}");
    secrets.assert_hidden_in("Credentials", &shown);

    let fake = start(ErpConfig {
        client_id: CLIENT_ID.into(),
        client_secret: SECRET.into(),
        ..ErpConfig::default()
    })
    .await;
    let store = Arc::new(rt::MemoryTokenStore::default());
    let client = Client::builder(credentials.clone())
        .base_url(&fake.base_url)
        .token_store(store.clone())
        .build()
        .await
        .unwrap();
    client
        .query_inventory(&QueryInventoryRequest::new())
        .await
        .unwrap();
    // And once with HTTP Basic, so that the Basic header is among the secrets sent.
    let basic = Client::builder(credentials)
        .base_url(&fake.base_url)
        .client_auth(ClientAuth::Basic)
        .build()
        .await
        .unwrap();
    basic
        .query_orders(&QueryOrdersRequest::new())
        .await
        .unwrap();
    let state = client.token_state().await.expect("a token");
    secrets.add("access token", state.access_token.expose_secret());
    let basic_state = basic.token_state().await.expect("a token");
    secrets.add(
        "second access token",
        basic_state.access_token.expose_secret(),
    );
    let sent = secrets.add_sent(&fake.requests(), &["authorization", "client_secret"]);
    assert_eq!(
        sent, 7,
        "the form secret, the Basic header and two Bearer headers (each also without its scheme)"
    );

    secrets.assert_hidden_in("TokenState", &format!("{state:?} {basic_state:#?}"));
    let stored = store
        .load()
        .await
        .expect("the store answers")
        .expect("the client saved its token");
    secrets.assert_hidden_in("MemoryTokenStore", &format!("{store:?} {stored:?}"));
    secrets.assert_hidden_in("Client", &format!("{client:?} {basic:#?}"));

    // The token endpoint's refusal keeps its raw body; neither it nor the message may show
    // the secret that was sent.
    let refused = Client::builder(Credentials::new(CLIENT_ID, WRONG_SECRET))
        .base_url(&fake.base_url)
        .build()
        .await
        .unwrap()
        .query_inventory(&QueryInventoryRequest::new())
        .await
        .unwrap_err();
    assert!(refused.raw_body().is_some(), "{refused:?}");
    secrets.assert_hidden_in_error("token endpoint error", &refused);
}

#[tokio::test]
async fn a_malformed_body_is_a_decode_error_that_keeps_the_raw_body() {
    let raw = br#"{"code":0,"message":"ok","data":{"list":[{"sku_id":1}],"pagination":{}}}"#;
    let err = erp::decode_response::<erp::InventoryPage>(200, raw).unwrap_err();
    match &err {
        rt::Error::Decode { body, .. } => assert_eq!(body.as_bytes(), raw),
        other => panic!("expected Decode, got {other:?}"),
    }
}

/// A client whose calls give up after 300 ms.
async fn impatient_client(fake: &FakeErp) -> Client {
    Client::builder(credentials(fake))
        .base_url(&fake.base_url)
        .timeout(Duration::from_millis(300))
        .build()
        .await
        .expect("client builds")
}

#[tokio::test]
async fn a_token_request_that_times_out_is_an_auth_timeout() {
    let fake = start(ErpConfig {
        token_delay: Duration::from_secs(60),
        ..ErpConfig::default()
    })
    .await;
    let client = impatient_client(&fake).await;
    let started = std::time::Instant::now();
    let err = client
        .query_inventory(&QueryInventoryRequest::new())
        .await
        .unwrap_err();
    // Far below the fake's delay, even with retries.
    assert!(started.elapsed() < Duration::from_secs(20), "not enforced");
    match &err {
        rt::Error::Auth(auth) => match &**auth {
            AuthError::Timeout { grant, url } => {
                assert_eq!(*grant, "client_credentials");
                assert_eq!(*url, fake.url("/public/token.php"));
            }
            other => panic!("expected AuthError::Timeout, got {other:?}"),
        },
        other => panic!("expected Error::Auth, got {other:?}"),
    }
    assert_eq!(err.class(), ErrorClass::Retryable);
    // (The runtime may retry a timed-out token request; it never calls without a token.)
    assert!(fake.token_requests() >= 1);
    assert_eq!(
        fake.business_requests(),
        0,
        "no business call without a token"
    );
}

#[tokio::test]
async fn a_business_call_that_times_out_after_a_valid_token_is_a_timeout() {
    let fake = start(ErpConfig {
        business_delay: Duration::from_secs(60),
        ..ErpConfig::default()
    })
    .await;
    let client = impatient_client(&fake).await;
    let started = std::time::Instant::now();
    let err = client
        .query_inventory(&QueryInventoryRequest::new().page_size(5))
        .await
        .unwrap_err();
    // Far below the fake's delay, even with retries.
    assert!(started.elapsed() < Duration::from_secs(20), "not enforced");
    match &err {
        rt::Error::Timeout { method, url } => {
            assert_eq!(method, "GET");
            // Without its query string.
            assert_eq!(*url, fake.url("/public/worehouse.php"));
        }
        other => panic!("expected Error::Timeout, got {other:?}"),
    }
    assert_eq!(err.class(), ErrorClass::Retryable);
    assert_eq!(fake.token_requests(), 1, "the token was obtained, once");
    assert!(client.token_state().await.is_some(), "and is still cached");
    // At least the one call (the runtime may retry a timed-out idempotent GET).
    assert!(fake.business_requests() >= 1);
}

/// The grants of the token requests the fake received, in order.
fn token_grants(fake: &FakeErp) -> Vec<String> {
    fake.requests()
        .iter()
        .filter(|r| r.path == "/public/token.php")
        .filter_map(|r| {
            r.form_pairs()
                .into_iter()
                .find(|(k, _)| k == "grant_type")
                .map(|(_, v)| v)
        })
        .collect()
}

/// A user's authorization-code token (no refresh token in this document) is never renewed
/// with `client_credentials`, which would silently continue as the application: neither
/// ahead of expiry nor after a 401. It expires into `Reauthorize`.
#[tokio::test]
async fn an_authorization_code_token_is_never_renewed_as_the_application() {
    // Tokens live 30 s: the 60 s refresh-ahead window is already open after the exchange.
    let fake = start(ErpConfig {
        token_ttl: Duration::from_secs(30),
        ..ErpConfig::default()
    })
    .await;
    let redirect_uri = fake.config().redirect_uris[0].clone();
    let client = client(&fake).await;
    let code = fake.issue_authorization_code(&redirect_uri);
    let token = client
        .exchange_authorization_code(&code, &redirect_uri)
        .await
        .expect("exchange");
    assert_eq!(token.grant.as_deref(), Some("authorization_code"));

    // Due for refresh ahead: the user's token is still used, nothing is requested for it.
    client
        .query_inventory(&QueryInventoryRequest::new())
        .await
        .expect("the user's token still works");
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(token_grants(&fake), ["authorization_code"]);

    // The server rejects it (401): no client_credentials token replaces it.
    fake.expire_all_tokens();
    let err = client
        .query_inventory(&QueryInventoryRequest::new())
        .await
        .unwrap_err();
    assert_eq!(err.class(), ErrorClass::Reauthorize, "{err}");
    assert!(
        matches!(
            &err,
            erp::Error::Auth(a) if matches!(**a, AuthError::ReauthorizationRequired { .. })
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("authorization_code"), "{err}");
    assert_eq!(
        token_grants(&fake),
        ["authorization_code"],
        "no identity swap"
    );

    // A new authorization continues the user's session.
    let code = fake.issue_authorization_code(&redirect_uri);
    client
        .exchange_authorization_code(&code, &redirect_uri)
        .await
        .expect("re-authorized");
    client
        .query_inventory(&QueryInventoryRequest::new())
        .await
        .expect("the new user token works");
    assert_eq!(
        token_grants(&fake),
        ["authorization_code", "authorization_code"]
    );
}
