//! The generated `jfwms` client end to end, over real HTTP on loopback, against the strict fake
//! of the warehouse (`integration_tests::fakes::jfwms`): authorization-code exchange, the
//! HMAC-SHA256 signed headers, refresh tokens, token persistence and typed vendor errors.

use std::collections::HashSet;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use codegen::ir::Step;
use futures_util::FutureExt;
use generated_client::jfwms::{
    self, Client, ClientBuilder, Credentials, ErrorCode, GetOrderRequest,
};
use generated_client::runtime::__private::MAX_RESIGNS;
use generated_client::runtime::__private::lang::Scope;
use generated_client::runtime::secrecy::ExposeSecret;
use generated_client::runtime::{
    self as rt, AuthError, ErrorClass, RawCode, TokenState, TokenStore,
};
use generated_client::runtime::{Saved, StoreFuture, Stored};
use integration_tests::fakes::jfwms::{
    FORCED_REPLAY_DELAY, FakeJfwms, JfwmsConfig, ORDER_GET_PATH, sign, start,
};
use integration_tests::secrets::Secrets;

// ------------------------------------------------------------------ helpers

/// The document's example app and signature vector (四、调用业务接口 3、签名生成方式 / 4、调用接口示例).
const DOC_KEY: &str = "4a506ccaf37e400bac4a42d2dc5f600a";
const DOC_CLIENT_ID: &str = "fe73489a9b5948dbafd07e7b28d6e268";
const DOC_ACCESS_TOKEN: &str = "1b56814f081c432cb82751be145261d3";
const DOC_TIMESTAMP: &str = "1692889556000";
const DOC_NONCE: &str = "14";
const DOC_USER_ID: &str = "8";
const DOC_SIGN: &str = "9bc08ba7552c5dfea4efab6bda78a4a9738010913f2403bd93f09c6bf974b939";

fn builder(fake: &FakeJfwms, client_secret: &str) -> ClientBuilder {
    Client::builder(Credentials::new(
        fake.config().client_id.clone(),
        client_secret,
    ))
    .base_url(&fake.base_url)
    // The document names no token paths (doc_gaps.token_calls_unspecified).
    .grant_path("authorization_code", &fake.config().token_path)
    .grant_path("refresh_token", &fake.config().refresh_path)
}

async fn client(fake: &FakeJfwms) -> Client {
    builder(fake, &fake.config().client_secret)
        .build()
        .await
        .expect("client builds")
}

/// A client that has exchanged a fresh authorization code.
async fn authorized_client(fake: &FakeJfwms) -> (Client, TokenState) {
    let client = client(fake).await;
    let token = client
        .exchange_authorization_code(&fake.issue_authorization_code())
        .await
        .expect("code exchange");
    (client, token)
}

fn known_order() -> GetOrderRequest {
    GetOrderRequest::new("123123")
}

fn now_ms() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis()
}

fn business_requests(fake: &FakeJfwms) -> Vec<integration_tests::fakes::RecordedRequest> {
    fake.requests()
        .into_iter()
        .filter(|r| r.path.starts_with("/api/"))
        .collect()
}

fn header<'a>(r: &'a integration_tests::fakes::RecordedRequest, name: &str) -> &'a str {
    r.header(name)
        .unwrap_or_else(|| panic!("request has no `{name}` header: {r:?}"))
}

/// Token state as an application restores it (e.g. from its database).
fn restored_state(access_token: &str, refresh_token: Option<&str>, user_id: &str) -> TokenState {
    let state = TokenState::new(access_token).with_extra("user_id", user_id);
    match refresh_token {
        Some(refresh) => state.with_refresh_token(refresh, None),
        None => state,
    }
}

/// A token store that persists the state as JSON text (like a file or a database row) and
/// counts what the client does with it.
#[derive(Default)]
struct JsonStore {
    json: Mutex<Option<String>>,
    saves: AtomicUsize,
    clears: AtomicUsize,
}

impl TokenStore for JsonStore {
    fn load(&self) -> StoreFuture<'_, Option<Stored>> {
        let json = self.json.lock().unwrap().clone();
        let stored = json.map(|json| {
            let state = serde_json::from_str(&json).expect("stored token state is valid JSON");
            Stored::new(state, 0)
        });
        async move { Ok(stored) }.boxed()
    }
    fn save<'a>(&'a self, state: &'a TokenState, _fence: u64) -> StoreFuture<'a, Saved> {
        self.saves.fetch_add(1, Ordering::SeqCst);
        *self.json.lock().unwrap() = Some(serde_json::to_string(state).expect("serializable"));
        async { Ok(Saved::Written) }.boxed()
    }
    fn clear(&self, _fence: u64) -> StoreFuture<'_, ()> {
        self.clears.fetch_add(1, Ordering::SeqCst);
        *self.json.lock().unwrap() = None;
        async { Ok(()) }.boxed()
    }
}

// ------------------------------------------------------------------ signing

#[tokio::test]
async fn code_exchange_then_signed_get_order() {
    let fake = start(JfwmsConfig::default()).await;
    let (client, token) = authorized_client(&fake).await;

    assert_eq!(token.extra.get("user_id").map(String::as_str), Some("8"));
    assert!(
        token.refresh_token.is_some(),
        "the exchange returns a refresh token"
    );
    let lifetime = token
        .expires_at
        .expect("expiresIn read")
        .duration_since(token.obtained_at);
    assert_eq!(lifetime.as_secs(), 24 * 3600, "the fake's expiresIn");

    let order = client.get_order(&known_order()).await.expect("get_order");
    assert_eq!(
        order,
        fake.config().orders["123123"],
        "data kept as raw JSON"
    );
    assert_eq!(fake.token_requests(), 1);
    assert_eq!(fake.refresh_requests(), 0);

    let requests = fake.requests();
    assert_eq!(requests.len(), 2, "{requests:#?}");
    let exchange = &requests[0];
    assert_eq!(
        (exchange.method.as_str(), exchange.path.as_str()),
        ("POST", fake.config().token_path.as_str())
    );
    let body = exchange.body_json().expect("JSON token request");
    assert_eq!(body["clientId"], fake.config().client_id.as_str());
    assert_eq!(body["clientSecret"], fake.config().client_secret.as_str());
    assert!(body["code"].is_string());

    let call = &requests[1];
    assert_eq!(
        (call.method.as_str(), call.path.as_str()),
        ("POST", ORDER_GET_PATH)
    );
    assert_eq!(
        call.body_json(),
        Some(serde_json::json!({ "erpNo": "123123" }))
    );
    assert!(header(call, "content-type").starts_with("application/json"));
    let access_token = header(call, "accessToken");
    assert_eq!(access_token, token.access_token.expose_secret());
    let client_id = header(call, "clientId");
    assert_eq!(client_id, fake.config().client_id);
    let user_id = header(call, "userId");
    assert_eq!(user_id, "8");
    let timestamp = header(call, "timestamp");
    let ms: u128 = timestamp.parse().expect("timestamp is a decimal integer");
    assert!(
        now_ms().abs_diff(ms) < 60_000,
        "timestamp {ms} is milliseconds near now"
    );
    let nonce = header(call, "nonce");
    assert_eq!(nonce.len(), 2, "two digits, as the document suggests");
    assert!(nonce.bytes().all(|b| b.is_ascii_digit()), "{nonce}");
    // Independent check: the fake's own recipe over the headers as received.
    let expected = sign(
        &fake.config().client_secret,
        access_token,
        client_id,
        nonce,
        timestamp,
        &call.path,
        user_id,
    );
    assert_eq!(header(call, "sign"), expected);
}

/// The spec's `sign` step (loaded and lowered by `codegen`, then turned into the runtime's
/// `Value` by the mock server's converter, which mirrors what the generator emits) evaluated by the runtime's value language over the document's example values must
/// give the document's signature. This is the recipe the generated client runs: the generated
/// `api_spec()` is private, so the spec is lowered here instead; a request to the fake cannot
/// replay the vector because the client always signs the current time and a random nonce.
#[test]
fn document_signature_vector_through_the_specs_sign_step() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs/jfwms.yaml");
    let loaded = codegen::spec::load(&path).unwrap_or_else(|d| panic!("{d}"));
    let valid = codegen::validate::validate(&loaded).unwrap_or_else(|d| panic!("{d}"));
    let api = codegen::ir::lower(&valid, "specs/jfwms.yaml").unwrap_or_else(|d| panic!("{d}"));

    let names: Vec<&str> = api
        .steps
        .iter()
        .map(|s| s.name().unwrap_or("(basic)"))
        .collect();
    assert_eq!(
        names,
        [
            "accessToken",
            "clientId",
            "timestamp",
            "nonce",
            "userId",
            "sign"
        ]
    );
    let sign_step = api
        .steps
        .iter()
        .find_map(|s| match s {
            Step::Header { name, value } if name == "sign" => Some(value),
            _ => None,
        })
        .expect("a `sign` header step");

    // What the runtime binds for one request: credentials, token fields, request facts, and the
    // outputs of the earlier steps (`timestamp`, `nonce`) under their header names.
    let mut scope = Scope::new();
    scope.set_secret("client_secret", DOC_KEY.into());
    scope.set("client_id", DOC_CLIENT_ID);
    scope.set_secret("access_token", DOC_ACCESS_TOKEN.into());
    scope.set("user_id", DOC_USER_ID);
    scope.set("method", "post");
    scope.set("path", "/api/order/get");
    scope.set("timestamp", DOC_TIMESTAMP);
    scope.set("nonce", DOC_NONCE);
    let any_instant = jiff::Timestamp::now();
    assert_eq!(sign_step.eval(&scope, any_instant).unwrap(), DOC_SIGN);

    // The fake's recipe (used as the independent check above) agrees with the document too.
    assert_eq!(
        sign(
            DOC_KEY,
            DOC_ACCESS_TOKEN,
            DOC_CLIENT_ID,
            DOC_NONCE,
            DOC_TIMESTAMP,
            "/api/order/get",
            DOC_USER_ID
        ),
        DOC_SIGN
    );
}

// ------------------------------------------------------------------ vendor errors

#[tokio::test]
async fn unknown_erp_no_is_a_typed_api_error_with_its_request_id() {
    let fake = start(JfwmsConfig::default()).await;
    let (client, _) = authorized_client(&fake).await;
    let err = client
        .get_order(&GetOrderRequest::new("123"))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(&ErrorCode::OtOrderNotExist), "{err:?}");
    assert_eq!(err.class(), ErrorClass::Vendor);
    let rt::Error::Api(api) = &err else {
        panic!("expected Error::Api, got {err:?}")
    };
    assert_eq!(api.raw_code, Some(RawCode::Int(50017)));
    assert_eq!(
        api.message.as_deref(),
        Some("The order was not found in the warehouse!")
    );
    let request_id = api
        .extra("requestId")
        .and_then(|v| v.as_str())
        .expect("requestId kept");
    assert_eq!(request_id.len(), 32);
    let body: serde_json::Value = serde_json::from_slice(api.body.as_bytes()).unwrap();
    assert_eq!(
        body["requestId"], request_id,
        "the requestId of this very response"
    );
    assert!(err.to_string().contains("50017"), "{err}");
    assert_eq!(fake.business_requests(), 1, "a vendor error is not retried");
}

#[tokio::test]
async fn a_wrong_client_secret_is_rejected_as_a_bad_signature() {
    let fake = start(JfwmsConfig::default()).await;
    // Valid tokens, but the client signs with the wrong key.
    let (access, refresh) = fake.issue_tokens(8);
    let client = builder(&fake, "wrong-secret").build().await.unwrap();
    client
        .set_token_state(restored_state(&access, Some(&refresh), "8"))
        .await;
    let err = client.get_order(&known_order()).await.unwrap_err();
    assert_eq!(err.code(), Some(&ErrorCode::SignError), "{err:?}");
    assert_eq!(
        err.class(),
        ErrorClass::Auth,
        "the client signs by itself, so 10026 SIGN_ERROR means a wrong client secret"
    );
    let rt::Error::Api(api) = &err else {
        panic!("expected Error::Api, got {err:?}")
    };
    assert_eq!(api.raw_code, Some(RawCode::Int(10026)));
    assert_eq!(api.message.as_deref(), Some("签名错误"));
    assert_eq!(fake.business_requests(), 1, "not retried");
    assert_eq!(
        fake.refresh_requests(),
        0,
        "a bad signature is not a token problem"
    );
    assert!(!format!("{err} {err:?}").contains("wrong-secret"));

    // The same secret at the token endpoint: a typed token-endpoint error.
    let err = client
        .exchange_authorization_code(&fake.issue_authorization_code())
        .await
        .unwrap_err();
    assert_eq!(
        err.code(),
        Some(&ErrorCode::ClientAppNotFindOrInvalid),
        "{err:?}"
    );
    assert_eq!(err.class(), ErrorClass::Auth);
    assert!(matches!(&err, rt::Error::Auth(a) if matches!(**a, AuthError::TokenEndpoint { .. })));
}

#[tokio::test]
async fn token_paths_must_be_configured() {
    let fake = start(JfwmsConfig::default()).await;
    let client = Client::builder(Credentials::new(
        fake.config().client_id.clone(),
        fake.config().client_secret.clone(),
    ))
    .base_url(&fake.base_url)
    .build()
    .await
    .unwrap();
    let err = client
        .exchange_authorization_code(&fake.issue_authorization_code())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, rt::Error::Auth(a) if matches!(**a, AuthError::NotConfigured { .. })),
        "{err:?}"
    );
    assert!(fake.requests().is_empty());
}

// ------------------------------------------------------------------ tokens

#[tokio::test]
async fn an_expired_access_token_is_refreshed_and_the_call_retried_once() {
    let fake = start(JfwmsConfig::default()).await;
    let (client, first) = authorized_client(&fake).await;
    client.get_order(&known_order()).await.expect("first call");
    // A later millisecond, so that the retry cannot replay the first call's (nonce,
    // timestamp) by chance (two-digit nonces): the counts below are then exact.
    tokio::time::sleep(FORCED_REPLAY_DELAY).await;
    fake.expire_all_access_tokens();
    client
        .get_order(&known_order())
        .await
        .expect("refreshed and retried");

    assert_eq!(fake.token_requests(), 1);
    assert_eq!(fake.refresh_requests(), 1);
    let refresh = fake
        .requests()
        .into_iter()
        .find(|r| r.path == fake.config().refresh_path)
        .expect("a refresh request");
    let body = refresh.body_json().unwrap();
    assert_eq!(
        body["refreshToken"],
        first.refresh_token.as_ref().unwrap().expose_secret()
    );
    assert_eq!(body["clientId"], fake.config().client_id.as_str());

    let calls = business_requests(&fake);
    assert_eq!(calls.len(), 3, "first call, rejected call, retry");
    assert_eq!(
        header(&calls[1], "accessToken"),
        first.access_token.expose_secret()
    );
    let renewed = client.token_state().await.unwrap();
    assert_eq!(
        header(&calls[2], "accessToken"),
        renewed.access_token.expose_secret()
    );
    assert_ne!(
        renewed.access_token.expose_secret(),
        first.access_token.expose_secret()
    );
    assert_eq!(
        renewed.refresh_token.as_ref().map(|t| t.expose_secret()),
        first.refresh_token.as_ref().map(|t| t.expose_secret()),
        "the refresh token is kept"
    );
    assert_eq!(renewed.extra.get("user_id").map(String::as_str), Some("8"));
}

#[tokio::test]
async fn a_dead_refresh_token_requires_reauthorization_and_clears_the_store() {
    let fake = start(JfwmsConfig::default()).await;
    let store = Arc::new(JsonStore::default());
    let client = builder(&fake, &fake.config().client_secret)
        .token_store(store.clone())
        .build()
        .await
        .unwrap();
    client
        .exchange_authorization_code(&fake.issue_authorization_code())
        .await
        .unwrap();
    client.get_order(&known_order()).await.unwrap();
    assert!(store.load().await.unwrap().is_some());

    fake.expire_all_access_tokens();
    fake.expire_all_refresh_tokens();
    let err = client.get_order(&known_order()).await.unwrap_err();
    assert!(
        matches!(&err, rt::Error::Auth(a) if matches!(**a, AuthError::ReauthorizationRequired { .. })),
        "{err:?}"
    );
    assert_eq!(err.class(), ErrorClass::Reauthorize);
    assert_eq!(err.code(), None);
    assert_eq!(
        fake.refresh_requests(),
        1,
        "one refresh attempt, refused with 10003"
    );
    assert!(
        store.load().await.unwrap().is_none(),
        "the store is cleared"
    );
    assert_eq!(store.clears.load(Ordering::SeqCst), 1);
    assert!(client.token_state().await.is_none());

    // Nothing left to try: the next call fails the same way without any request.
    let before = fake.requests().len();
    let err = client.get_order(&known_order()).await.unwrap_err();
    assert_eq!(err.class(), ErrorClass::Reauthorize, "{err:?}");
    assert_eq!(fake.requests().len(), before);

    // A new authorization code brings the client back.
    client
        .exchange_authorization_code(&fake.issue_authorization_code())
        .await
        .unwrap();
    client.get_order(&known_order()).await.expect("works again");
}

#[tokio::test]
async fn token_state_survives_a_restart_through_the_token_store() {
    let fake = start(JfwmsConfig::default()).await;
    let store = Arc::new(JsonStore::default());
    let exchanged = {
        let client = builder(&fake, &fake.config().client_secret)
            .token_store(store.clone())
            .build()
            .await
            .unwrap();
        client
            .exchange_authorization_code(&fake.issue_authorization_code())
            .await
            .unwrap()
    };
    assert_eq!(store.saves.load(Ordering::SeqCst), 1);
    let saved = store
        .load()
        .await
        .unwrap()
        .expect("saved after the exchange")
        .state;
    assert_eq!(
        saved.access_token.expose_secret(),
        exchanged.access_token.expose_secret()
    );
    assert!(saved.refresh_token.is_some());
    assert_eq!(saved.extra.get("user_id").map(String::as_str), Some("8"));

    // "Restart": a new client over the same store, no exchange.
    let client = builder(&fake, &fake.config().client_secret)
        .token_store(store.clone())
        .build()
        .await
        .unwrap();
    client
        .get_order(&known_order())
        .await
        .expect("works at once");
    assert_eq!(
        fake.token_requests(),
        1,
        "only the first process exchanged a code"
    );
    assert_eq!(fake.refresh_requests(), 0);
    let call = business_requests(&fake).pop().unwrap();
    assert_eq!(
        header(&call, "accessToken"),
        exchanged.access_token.expose_secret()
    );
    assert_eq!(header(&call, "userId"), "8");

    // The restored refresh token works too.
    fake.expire_all_access_tokens();
    client
        .get_order(&known_order())
        .await
        .expect("refreshed from the restored state");
    assert_eq!(fake.refresh_requests(), 1);
    assert_eq!(
        store.saves.load(Ordering::SeqCst),
        2,
        "the refreshed state is saved"
    );
}

#[tokio::test]
async fn thirty_concurrent_calls_on_an_expired_token_make_exactly_one_refresh() {
    let fake = start(JfwmsConfig::default()).await;
    let (client, _) = authorized_client(&fake).await;
    client.get_order(&known_order()).await.unwrap();
    fake.expire_all_access_tokens();

    let calls = (0..30).map(|_| {
        let client = client.clone();
        tokio::spawn(async move { client.get_order(&known_order()).await })
    });
    let results: Vec<_> = futures_util::future::join_all(calls)
        .await
        .into_iter()
        .map(|r| r.expect("task"))
        .collect();
    assert_eq!(fake.refresh_requests(), 1, "single-flight refresh");
    assert_eq!(fake.token_requests(), 1);
    for result in results {
        match result {
            Ok(order) => assert_eq!(order["erpNo"], "123123"),
            // A natural nonce collision is re-signed up to MAX_RESIGNS times: a call failing
            // on it is a one-in-a-million event, not a tolerated outcome.
            Err(e) => panic!("{e:?}"),
        }
    }
    let retried = business_requests(&fake).len() - 1 - 30;
    assert!(
        retried >= 30,
        "every call was rejected once with the old token and retried"
    );
}

// ------------------------------------------------------------------ nonces

/// A fake holding one order per `erpNo` in `erp_nos`, so every call can be told apart in the
/// fake's log by its body.
async fn fake_with_orders(erp_nos: &[String]) -> FakeJfwms {
    let mut config = JfwmsConfig::default();
    for erp_no in erp_nos {
        config
            .orders
            .insert(erp_no.clone(), serde_json::json!({ "erpNo": erp_no }));
    }
    start(config).await
}

/// The fake answers 10027 REPEAT_SUBMIT (class `resign`) to a request whose (nonce, timestamp)
/// it has seen before. Two-digit nonces collide only now and then, so the fake's test hook
/// forces that answer for the first tries of chosen calls: the re-sign path runs a known number
/// of times. Asserted exactly: a call is re-signed and retried once per rejected try, up to
/// `MAX_RESIGNS` times, each retry correctly signed with a fresh timestamp and a new signature;
/// a call whose every try is rejected surfaces `ErrorCode::RepeatSubmit`.
#[tokio::test]
async fn repeated_nonces_are_resigned_and_retried() {
    let max = MAX_RESIGNS as usize;
    let cases: Vec<(String, usize)> = [0, 1, 2, max, max + 1, max + 5]
        .into_iter()
        .enumerate()
        .map(|(i, rejected)| (format!("call-{i}-rejected-{rejected}"), rejected))
        .collect();
    let erp_nos: Vec<String> = cases.iter().map(|(erp_no, _)| erp_no.clone()).collect();
    let fake = fake_with_orders(&erp_nos).await;
    for (erp_no, rejected) in &cases {
        fake.reject_as_replay(erp_no, *rejected);
    }
    let (client, token) = authorized_client(&fake).await;
    let config = fake.config();

    let (mut nonces, mut pairs) = (HashSet::new(), HashSet::new());
    let mut resigned = 0;
    for (erp_no, rejected) in &cases {
        // A later millisecond than every earlier try: no natural collision with them.
        tokio::time::sleep(FORCED_REPLAY_DELAY).await;
        let before = business_requests(&fake).len();
        let result = client.get_order(&GetOrderRequest::new(erp_no)).await;
        let tries = business_requests(&fake).split_off(before);
        let expected_tries = (rejected + 1).min(1 + max);
        assert_eq!(tries.len(), expected_tries, "{erp_no}: tries {tries:#?}");
        resigned += tries.len() - 1;
        for t in &tries {
            assert_eq!(t.body_json().unwrap()["erpNo"], erp_no.as_str());
            let (nonce, timestamp) = (header(t, "nonce"), header(t, "timestamp"));
            assert_eq!(
                header(t, "sign"),
                sign(
                    &config.client_secret,
                    token.access_token.expose_secret(),
                    &config.client_id,
                    nonce,
                    timestamp,
                    ORDER_GET_PATH,
                    "8",
                ),
                "{erp_no}: every try is signed for its own nonce and timestamp"
            );
            assert!(
                pairs.insert((nonce.to_owned(), timestamp.to_owned())),
                "{erp_no}: (nonce, timestamp) ({nonce}, {timestamp}) sent twice"
            );
            nonces.insert(nonce.to_owned());
        }
        // The fake answers a forced replay late, so a re-signed retry is stamped later.
        for pair in tries.windows(2) {
            let stamp = |t| header(t, "timestamp").parse::<u64>().unwrap();
            assert!(
                stamp(&pair[1]) > stamp(&pair[0]),
                "{erp_no}: a retry carries a fresh timestamp"
            );
            assert_ne!(
                header(&pair[0], "sign"),
                header(&pair[1], "sign"),
                "{erp_no}: a retry carries a new signature"
            );
        }
        if *rejected <= max {
            let order = result.unwrap_or_else(|e| panic!("{erp_no}: {e:?}"));
            assert_eq!(order["erpNo"], erp_no.as_str());
        } else {
            let e = result.unwrap_err();
            assert_eq!(e.code(), Some(&ErrorCode::RepeatSubmit), "{erp_no}: {e:?}");
            assert_eq!(e.class(), ErrorClass::Resign);
        }
    }
    assert_eq!(resigned, 1 + 2 + max + max + max, "re-signs in all");
    // Nonces are drawn again for each try, not only timestamps: two-digit nonces all equal
    // over this many tries would be a one-in-10^30 accident.
    assert!(resigned + cases.len() >= 16);
    assert!(nonces.len() > 1, "one nonce for every try: {nonces:?}");
    assert_eq!(fake.token_requests(), 1, "a replay is not a token problem");
    assert_eq!(fake.refresh_requests(), 0);
}

/// Every code of the spec's table (五、常见报错, 83 codes) decodes from a response body to its own
/// variant, with the document's message and the spec's class; an unlisted code is `Unknown`.
#[test]
fn every_documented_error_code_decodes_to_its_variant() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs/jfwms.yaml");
    let loaded = codegen::spec::load(&path).unwrap_or_else(|d| panic!("{d}"));
    let codes: Vec<_> = loaded
        .spec
        .error_codes
        .values()
        .flat_map(|t| &t.codes)
        .collect();
    assert_eq!(codes.len(), 83);
    let mut variants = Vec::new();
    for entry in codes {
        let codegen::spec::model::Code::Int(code) = entry.code else {
            panic!("{:?}", entry.code)
        };
        let body = format!(r#"{{"code":{code},"message":"m","data":null,"requestId":"r"}}"#);
        let err = jfwms::decode_response::<serde_json::Value>(200, body.as_bytes()).unwrap_err();
        let variant = err
            .code()
            .cloned()
            .unwrap_or_else(|| panic!("{code}: {err:?}"));
        assert!(!matches!(variant, ErrorCode::Unknown(_)), "{code}");
        assert_eq!(variant.code(), RawCode::Int(code));
        assert_eq!(
            variant.documented_message(),
            Some(entry.message.as_str()),
            "{code}"
        );
        assert_eq!(
            format!("{:?}", err.class()),
            format!("{:?}", entry.class),
            "{code}"
        );
        variants.push(variant);
    }
    variants.sort_by_key(|v| format!("{v:?}"));
    variants.dedup();
    assert_eq!(variants.len(), 83, "one variant per code");

    let err =
        jfwms::decode_response::<serde_json::Value>(200, br#"{"code":99999,"message":"new"}"#)
            .unwrap_err();
    assert_eq!(err.code(), Some(&ErrorCode::Unknown(RawCode::Int(99999))));
    assert_eq!(err.class(), ErrorClass::Unknown);
    let rt::Error::Api(api) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(api.message.as_deref(), Some("new"));

    // The document's own failure response.
    let body = br#"{
"code": 50017,
"message": "The order was not found in the warehouse!",
"data": null,
"requestId": "7bb5ddef9aed415a88163e5d39b41691"
}"#;
    let err = jfwms::decode_response::<serde_json::Value>(200, body).unwrap_err();
    let rt::Error::Api(api) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(api.code, ErrorCode::OtOrderNotExist);
    assert_eq!(
        api.extra("requestId"),
        Some(&serde_json::json!("7bb5ddef9aed415a88163e5d39b41691"))
    );
}

#[tokio::test]
async fn secrets_stay_out_of_debug_output() {
    const SECRET: &str = "SENTINEL-jfwms-client-secret";
    const WRONG_SECRET: &str = "SENTINEL-jfwms-wrong-secret";
    let fake = start(JfwmsConfig {
        client_secret: SECRET.into(),
        ..JfwmsConfig::default()
    })
    .await;
    let mut secrets = Secrets::new();
    secrets
        .add("client secret", SECRET)
        .add("wrong client secret", WRONG_SECRET);

    let credentials = Credentials::new(fake.config().client_id.clone(), SECRET);
    let shown = format!("{credentials:?}");
    assert!(shown.contains(&fake.config().client_id), "{shown}");
    secrets.assert_hidden_in("Credentials", &shown);

    let store = Arc::new(rt::MemoryTokenStore::default());
    let client = builder(&fake, SECRET)
        .token_store(store.clone())
        .build()
        .await
        .expect("client builds");
    let exchanged = client
        .exchange_authorization_code(&fake.issue_authorization_code())
        .await
        .expect("code exchange");
    client.get_order(&known_order()).await.expect("signed call");
    // And a refresh, so that the refresh request is among the secrets sent (a millisecond
    // later, so that no nonce collides by chance and the count below is exact).
    tokio::time::sleep(FORCED_REPLAY_DELAY).await;
    fake.expire_all_access_tokens();
    client.get_order(&known_order()).await.expect("refreshed");
    let state = client.token_state().await.expect("a token");
    for (name, token) in [
        ("access token", exchanged.access_token.expose_secret()),
        ("refreshed access token", state.access_token.expose_secret()),
    ] {
        secrets.add(name, token);
    }
    let refresh = state.refresh_token.as_ref().expect("a refresh token");
    secrets.add("refresh token", refresh.expose_secret());
    // clientSecret of the exchange and the refresh, refreshToken of the refresh, accessToken
    // and sign of three business calls.
    assert_eq!(
        secrets.add_sent(
            &fake.requests(),
            &["clientSecret", "refreshToken", "accessToken", "sign"]
        ),
        9
    );
    secrets.assert_hidden_in("TokenState", &format!("{exchanged:?} {state:#?}"));
    let stored = store
        .load()
        .await
        .expect("the store answers")
        .expect("the client saved its token");
    secrets.assert_hidden_in("MemoryTokenStore", &format!("{store:?} {stored:?}"));
    secrets.assert_hidden_in("Client", &format!("{client:?}"));

    // A vendor error of a signed call, with its raw body.
    let err = client
        .get_order(&GetOrderRequest::new("no-such-order"))
        .await
        .unwrap_err();
    assert!(matches!(&err, rt::Error::Api(_)), "{err:?}");
    secrets.assert_hidden_in_error("vendor error", &err);

    // A refused exchange and a call signed with the wrong secret.
    let wrong = builder(&fake, WRONG_SECRET).build().await.unwrap();
    let refused = wrong
        .exchange_authorization_code("not-a-code")
        .await
        .unwrap_err();
    assert!(refused.raw_body().is_some(), "{refused:?}");
    secrets.assert_hidden_in_error("token endpoint error", &refused);
    wrong.set_token_state(state.clone()).await;
    let bad_sign = wrong.get_order(&known_order()).await.unwrap_err();
    assert_eq!(bad_sign.code(), Some(&ErrorCode::SignError), "{bad_sign:?}");
    secrets.assert_hidden_in_error("signature error", &bad_sign);
}

/// An engine with jfwms's auth and errors, for requests the generated client does not make:
/// here a signed POST that is *not* idempotent (a create or a cancel would be). The generated
/// builder's configuration is taken over as a bare engine's builder.
async fn write_engine(
    fake: &FakeJfwms,
    skew: Option<std::time::Duration>,
) -> rt::__private::Engine<ErrorCode> {
    let mut engine_builder = builder(fake, &fake.config().client_secret).into_engine_builder();
    if let Some(skew) = skew {
        engine_builder = engine_builder.time_source(move || jiff::Timestamp::now() - skew);
    }
    let engine = engine_builder.build().await.expect("engine builds");
    engine
        .exchange(
            "authorization_code",
            &[("code", &fake.issue_authorization_code())],
        )
        .await
        .expect("code exchange");
    engine
}

fn write_request(erp_no: &str) -> rt::__private::Request {
    rt::__private::Request::new(rt::reqwest::Method::POST, ORDER_GET_PATH).with_body(
        rt::__private::Body::Json(serde_json::json!({ "erpNo": erp_no })),
    )
}

/// 10027 REPEAT_SUBMIT may be a duplicate-submission guard answering after the first copy
/// executed: a non-idempotent request is sent once and the typed error goes to the caller
/// (an idempotent one is still re-signed, see above).
#[tokio::test]
async fn repeat_submit_never_resends_a_write() {
    let fake = fake_with_orders(&["W-1".to_owned()]).await;
    fake.reject_as_replay("W-1", 5);
    let engine = write_engine(&fake, None).await;
    let before = business_requests(&fake).len();
    let err = engine
        .send::<serde_json::Value>(write_request("W-1"))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(&ErrorCode::RepeatSubmit), "{err}");
    assert_eq!(
        business_requests(&fake).len() - before,
        1,
        "a write is sent once"
    );
}

/// 10028 TIMESTAMP_INVALID is documented in the spec as rejected before execution
/// (`rejected_before_execution`, doc_gaps `timestamp_window`): a write is re-signed once at
/// once, then the skew is reported.
#[tokio::test]
async fn a_stale_timestamp_resends_a_write_once() {
    let fake = fake_with_orders(&["W-2".to_owned()]).await;
    let engine = write_engine(&fake, Some(std::time::Duration::from_secs(3600))).await;
    let before = business_requests(&fake).len();
    let err = engine
        .send::<serde_json::Value>(write_request("W-2"))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(&ErrorCode::TimestampInvalid), "{err}");
    assert_eq!(business_requests(&fake).len() - before, 2);
}
