//! The generated zhiyun client against the spec mock of `specs/zhiyun.yaml`: HTTP Basic,
//! `t_`/`p_` from the clock, the desktop token and the `auth_code` obtained from the authorize
//! grant (which carries the token-free steps); a wrong secret, a wrong `p_` and a stale `t_`.

mod support;

use std::time::Duration;

use generated_client::zhiyun::{Client, Credentials, ErrorCode};
use spec_mock::MockServer;
use support::{mock, mock_with, resend, statuses};

const ID: &str = "1102084294";
const SECRET: &str = "zhiyun-secret";
const DESKTOP: &str = "desktop-token";
const CREDS: &[(&str, &str)] = &[
    ("client_id", ID),
    ("client_secret", SECRET),
    ("desktop_access_token", DESKTOP),
];

async fn client(mock: &MockServer, secret: &str) -> Client {
    Client::builder(Credentials::new(ID, secret, DESKTOP))
        .base_url(&mock.base_url())
        .build()
        .await
        .expect("client builds")
}

#[tokio::test]
async fn authorize_then_business_calls() {
    let mock = mock("zhiyun", CREDS).await;
    let client = client(&mock, SECRET).await;
    client.get_user_info().await.expect("user info");
    client.get_company_info().await.expect("company info");
    assert_eq!(statuses(&mock, "authorize"), [200]);
    assert_eq!(statuses(&mock, "get_user_info"), [200]);
    assert_eq!(statuses(&mock, "get_company_info"), [200]);
}

#[tokio::test]
async fn a_wrong_secret_is_refused_as_invalid_basic_auth() {
    let mock = mock("zhiyun", CREDS).await;
    let err = client(&mock, "not-the-secret")
        .await
        .get_user_info()
        .await
        .expect_err("refused");
    assert_eq!(err.code(), Some(&ErrorCode::InvalidBasicAuth), "{err:?}");
    // Refused at the authorize grant, which carries the token-free steps (Basic, t_, p_).
    assert_eq!(mock.answers_for("authorize")[0]["code"], 100009);
    assert!(mock.received_for("get_user_info").is_empty());
}

#[tokio::test]
async fn a_wrong_check_value_and_a_stale_time_are_refused() {
    let mock = mock_with("zhiyun", CREDS, |c| c.tolerance(Duration::from_secs(1))).await;
    let client = client(&mock, SECRET).await;
    client.get_user_info().await.expect("accepted");
    let mut sent = mock.received_for("get_user_info").remove(0);
    let (status, body) = resend(&mock, &sent, &[]).await;
    assert_eq!(
        (status, &body["code"]),
        (200, &serde_json::json!(200)),
        "no nonce: a repeat is accepted"
    );

    for (k, v) in &mut sent.query {
        if k == "p_" {
            *v = "1".into();
        }
    }
    let (_, body) = resend(&mock, &sent, &[]).await;
    assert_eq!(body["code"], 100008, "p_ recomputed and compared: {body}");

    let sent = mock.received_for("get_user_info").remove(0);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let (_, body) = resend(&mock, &sent, &[]).await;
    assert_eq!(body["code"], 100008, "t_ outside the window: {body}");
}
