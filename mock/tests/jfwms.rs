//! The generated jfwms client against the spec mock of `specs/jfwms.yaml`: authorization code,
//! HMAC-SHA256 signed headers with timestamp and nonce, refresh token; refusals with the
//! document's codes for a wrong secret, no signature, a stale timestamp and a replayed nonce.

mod support;

use std::time::Duration;

use generated_client::jfwms::{Client, Credentials, ErrorCode, GetOrderRequest};
use generated_client::runtime::{Error, TokenState};
use spec_mock::MockServer;
use support::{mock, mock_with, resend, statuses};

const ID: &str = "jfwms-client-id";
const SECRET: &str = "jfwms-client-secret";
const CREDS: &[(&str, &str)] = &[("client_id", ID), ("client_secret", SECRET)];

async fn client(mock: &MockServer, secret: &str) -> Client {
    let path = |g: &str| mock.grant_path(g).expect("grant served");
    Client::builder(Credentials::new(ID, secret))
        .base_url(&mock.base_url())
        .grant_path("authorization_code", &path("authorization_code"))
        .grant_path("refresh_token", &path("refresh_token"))
        .build()
        .await
        .expect("client builds")
}

async fn authorized(mock: &MockServer) -> Client {
    let client = client(mock, SECRET).await;
    client
        .exchange_authorization_code(&mock.issue_authorization_code())
        .await
        .expect("code exchanged");
    client
}

fn api_code(err: &Error<ErrorCode>) -> Option<ErrorCode> {
    match err {
        Error::Api(e) => Some(e.code.clone()),
        _ => None,
    }
}

#[tokio::test]
async fn code_exchange_signed_calls_and_refresh() {
    let mock = mock("jfwms", CREDS).await;
    let client = authorized(&mock).await;
    for erp_no in ["123123", "456"] {
        client
            .get_order(&GetOrderRequest::new(erp_no))
            .await
            .expect("signed call accepted");
    }
    let sent = mock.received_for("get_order");
    assert!(
        sent.iter()
            .all(|r| r.header("sign").is_some_and(|s| s.len() == 64))
    );
    // The access token expires: the client refreshes with its refresh token and retries.
    mock.expire_access_tokens();
    client
        .get_order(&GetOrderRequest::new("789"))
        .await
        .expect("refreshed and retried");
    assert_eq!(statuses(&mock, "get_order"), [200, 200, 200, 200]);
    assert_eq!(
        mock.answers_for("get_order")[2]["code"],
        10002,
        "the expired token is refused as INVALID_ACCESS_TOKEN"
    );
    assert_eq!(statuses(&mock, "refresh_token"), [200]);
    assert_eq!(statuses(&mock, "authorization_code"), [200]);
}

#[tokio::test]
async fn a_used_code_and_an_unknown_refresh_token_are_refused() {
    let mock = mock("jfwms", CREDS).await;
    let client = client(&mock, SECRET).await;
    let code = mock.issue_authorization_code();
    client
        .exchange_authorization_code(&code)
        .await
        .expect("first use");
    let err = client
        .exchange_authorization_code(&code)
        .await
        .expect_err("single use");
    assert_eq!(err.code(), Some(&ErrorCode::InvalidAuthCode), "{err:?}");

    // A token the mock never issued, with a refresh token it never issued either.
    let restored = client_with_state(&mock, "bogus-access", "bogus-refresh").await;
    restored
        .get_order(&GetOrderRequest::new("1"))
        .await
        .expect_err("neither token is valid");
    assert_eq!(mock.answers_for("get_order")[0]["code"], 10002);
    assert_eq!(
        mock.answers_for("refresh_token")[0]["code"],
        10003,
        "INVALID_REFRESH_TOKEN"
    );
}

async fn client_with_state(mock: &MockServer, access: &str, refresh: &str) -> Client {
    let client = client(mock, SECRET).await;
    let state = TokenState::new(access)
        .with_refresh_token(refresh, None)
        .with_extra("user_id", "8");
    client.set_token_state(state).await;
    client
}

#[tokio::test]
async fn a_wrong_secret_is_refused_with_sign_error() {
    let mock = mock("jfwms", CREDS).await;
    let good = authorized(&mock).await;
    let state = good.token_state().await.expect("token");
    let wrong = client(&mock, "not-the-secret").await;
    wrong.set_token_state(state).await;
    let err = wrong
        .get_order(&GetOrderRequest::new("123123"))
        .await
        .expect_err("wrong signature");
    assert_eq!(api_code(&err), Some(ErrorCode::SignError), "{err:?}");
    // The exchange itself, with the wrong secret, is refused too.
    let err = wrong
        .exchange_authorization_code(&mock.issue_authorization_code())
        .await
        .expect_err("wrong client secret");
    assert!(err.code().is_some(), "a documented code: {err:?}");
}

#[tokio::test]
async fn no_signature_a_replayed_nonce_and_a_stale_timestamp_are_refused() {
    let mock = mock_with("jfwms", CREDS, |c| c.tolerance(Duration::from_secs(1))).await;
    let client = authorized(&mock).await;
    client
        .get_order(&GetOrderRequest::new("123123"))
        .await
        .expect("accepted");
    let sent = mock.received_for("get_order").remove(0);

    let (status, body) = resend(&mock, &sent, &["sign"]).await;
    assert_eq!(
        (status, &body["code"]),
        (200, &serde_json::json!(10021)),
        "SIGN_CANNOT_NULL: {body}"
    );

    let mut odd = sent.clone();
    odd.headers.insert("nonce".into(), "abc".into());
    let (_, body) = resend(&mock, &odd, &[]).await;
    assert_eq!(body["code"], 10024, "NONCE_FORMAT_ERROR: {body}");

    let (_, body) = resend(&mock, &sent, &[]).await;
    assert_eq!(body["code"], 10027, "REPEAT_SUBMIT: {body}");

    tokio::time::sleep(Duration::from_millis(1500)).await;
    let (_, body) = resend(&mock, &sent, &[]).await;
    assert_eq!(body["code"], 10028, "TIMESTAMP_INVALID: {body}");
}
