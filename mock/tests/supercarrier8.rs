//! The generated supercarrier8 client against the spec mock of `specs/supercarrier8.yaml`:
//! the token fetched at start with the MD5 of the secret key, the bare-token header, the
//! one-token-per-minute limit (21185002) and a wrong secret (21184031).

mod support;

use generated_client::runtime::Error;
use generated_client::supercarrier8::{Client, Credentials, ErrorCode};
use spec_mock::MockServer;
use support::{mock, statuses};

const KEY: &str = "sc8-access-key";
const SECRET: &str = "sc8-secret-key";
const CREDS: &[(&str, &str)] = &[("access_key", KEY), ("secret_key", SECRET)];

async fn build(mock: &MockServer, secret: &str) -> Result<Client, Error<ErrorCode>> {
    Client::builder(Credentials::new(KEY, secret))
        .base_url(&mock.base_url())
        .build()
        .await
}

#[tokio::test]
async fn token_at_start_then_calls() {
    let mock = mock("supercarrier8", CREDS).await;
    let client = build(&mock, SECRET).await.expect("token fetched at start");
    assert_eq!(statuses(&mock, "get_token"), [200]);
    client.demo().await.expect("demo");
    client.demo().await.expect("demo again, same token");
    assert_eq!(statuses(&mock, "demo"), [200, 200]);
    assert_eq!(statuses(&mock, "get_token"), [200], "the token is reused");
    let answer = &mock.answers_for("get_token")[0];
    assert_eq!(
        answer["data"]["tokenTtlSeconds"], 28800,
        "the spec's lifetime: {answer}"
    );
}

#[tokio::test]
async fn a_second_token_within_a_minute_is_rate_limited() {
    let mock = mock("supercarrier8", CREDS).await;
    build(&mock, SECRET).await.expect("first token");
    let err = build(&mock, SECRET)
        .await
        .expect_err("a second token within 60 s");
    assert_eq!(err.code(), Some(&ErrorCode::TokenRateLimited), "{err:?}");
    assert_eq!(statuses(&mock, "get_token"), [200, 200]);
    assert_eq!(mock.answers_for("get_token")[1]["code"], 21185002);
}

#[tokio::test]
async fn a_wrong_secret_is_refused_with_invalid_credentials() {
    let mock = mock("supercarrier8", CREDS).await;
    let err = build(&mock, "not-the-secret").await.expect_err("refused");
    assert_eq!(err.code(), Some(&ErrorCode::InvalidCredentials), "{err:?}");
}
