//! The generated erp client against the spec mock of `specs/erp.yaml`.

mod support;

use futures_util::TryStreamExt;
use generated_client::erp::{
    self, Client, Credentials, ErrorCode, QueryInventoryRequest, QueryOutboundRequest,
};
use generated_client::runtime::{AuthError, Error};
use support::{mock, statuses};

const ID: &str = "erp-client-id";
const SECRET: &str = "erp-client-secret";

async fn client(base: &str, secret: &str) -> Client {
    Client::builder(Credentials::new(ID, secret))
        .base_url(base)
        .build()
        .await
        .expect("client builds")
}

#[tokio::test]
async fn client_credentials_calls_and_pages() {
    let mock = mock("erp", &[("client_id", ID), ("client_secret", SECRET)]).await;
    let client = client(&mock.base_url(), SECRET).await;
    let page = client
        .query_inventory(&QueryInventoryRequest::new().page_size(10))
        .await
        .expect("inventory");
    assert!(!page.list.is_empty(), "the document's example answers");
    client
        .query_orders(&erp::QueryOrdersRequest::new())
        .await
        .expect("orders");
    // The mock answers every page with the document's example: the client stops at the
    // repeated page (runtime: a page equal to the previous one ends the stream).
    let mut pages =
        Box::pin(client.query_outbound_pages(QueryOutboundRequest::new().page_size(10)));
    let mut all = Vec::new();
    let stop = loop {
        match pages.try_next().await {
            Ok(Some(item)) => all.push(item),
            Ok(None) => panic!("the repeated page is reported"),
            Err(e) => break e,
        }
    };
    assert!(
        matches!(stop, Error::Pagination { page: 2, .. }),
        "{stop:?}"
    );
    assert_eq!(statuses(&mock, "query_outbound"), [200, 200], "2 pages");
    assert!(!all.is_empty());
    assert_eq!(statuses(&mock, "client_credentials"), [200], "one token");
}

#[tokio::test]
async fn a_wrong_secret_gets_the_documents_invalid_client() {
    let mock = mock("erp", &[("client_id", ID), ("client_secret", SECRET)]).await;
    let client = client(&mock.base_url(), "not-the-secret").await;
    let err = client
        .query_inventory(&QueryInventoryRequest::new())
        .await
        .expect_err("refused");
    let Error::Auth(auth) = &err else {
        panic!("{err:?}")
    };
    assert!(
        matches!(
            **auth,
            AuthError::TokenEndpoint {
                status: 401,
                code: Some(ErrorCode::InvalidClient),
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(statuses(&mock, "client_credentials"), [401]);
    assert!(mock.received_for("query_inventory").is_empty());
}

#[tokio::test]
async fn an_expired_token_is_refused_with_minus_one_and_renewed() {
    let mock = mock("erp", &[("client_id", ID), ("client_secret", SECRET)]).await;
    let client = client(&mock.base_url(), SECRET).await;
    client
        .query_inventory(&QueryInventoryRequest::new())
        .await
        .expect("first call");
    mock.expire_access_tokens();
    client
        .query_inventory(&QueryInventoryRequest::new())
        .await
        .expect("renewed and retried");
    assert_eq!(statuses(&mock, "query_inventory"), [200, 200, 200]);
    // The refused call: the document's -1 (renew_token) in the envelope, at HTTP 200.
    let refused = mock.answers_for("query_inventory");
    assert_eq!(refused[1]["code"], -1, "{:?}", refused[1]);
    assert_eq!(statuses(&mock, "client_credentials"), [200, 200]);
}

#[tokio::test]
async fn authorization_code_flow() {
    let mock = mock("erp", &[("client_id", ID), ("client_secret", SECRET)]).await;
    let client = client(&mock.base_url(), SECRET).await;
    // The browser step: the mock consents at once and redirects with a code and the state.
    let url = client
        .authorize_url("https://app.example/cb", "st-42")
        .expect("authorize URL");
    let (status, headers) = support::get_raw(&url).await;
    assert_eq!(status, 302);
    let location = headers
        .iter()
        .find(|(k, _)| k == "location")
        .map(|(_, v)| v.clone())
        .expect("redirect");
    let back = url::Url::parse(&location).expect("a URL");
    assert_eq!(back.host_str(), Some("app.example"));
    let param = |name: &str| {
        back.query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    };
    assert_eq!(param("state").as_deref(), Some("st-42"));
    let code = param("code").expect("a code");
    // A client id the mock does not know gets no code.
    let (status, _) = support::get_raw(&url.replace(ID, "someone-else")).await;
    assert_ne!(status, 302);
    client
        .exchange_authorization_code(&code, "https://app.example/cb")
        .await
        .expect("exchanged");
    let again = client
        .exchange_authorization_code(&code, "https://app.example/cb")
        .await
        .expect_err("a code is single-use");
    assert!(format!("{again:?}").contains("invalid_grant"), "{again:?}");
}

#[tokio::test]
async fn bad_query_parameters_get_a_generic_400() {
    let mock = mock("erp", &[("client_id", ID), ("client_secret", SECRET)]).await;
    let client = client(&mock.base_url(), SECRET).await;
    client
        .query_inventory(&QueryInventoryRequest::new().page_size(10))
        .await
        .expect("accepted");
    let sent = mock.received_for("query_inventory").remove(0);
    let with = |name: &str, value: &str| {
        let mut r = sent.clone();
        r.query.retain(|(k, _)| k != name);
        r.query.push((name.to_owned(), value.to_owned()));
        r
    };
    // erp's business table has no code for bad input (only 0 and -1): a generic 400.
    for (name, value, why) in [
        ("page_size", "101", "above the maximum"),
        ("page_size", "ten", "not an integer"),
        ("colour", "red", "unknown"),
    ] {
        let (status, body) = support::resend(&mock, &with(name, value), &[]).await;
        assert_eq!(status, 400, "{name}={value} ({why}): {body}");
        assert!(body.get("code").is_none(), "no invented code: {body}");
    }
    let (status, _) = support::resend(&mock, &with("page_size", "100"), &[]).await;
    assert_eq!(status, 200, "the maximum itself is accepted");
}

#[tokio::test]
async fn debug_output_of_the_mock_shows_no_secret() {
    let config = spec_mock::MockConfig::new(support::spec("erp"))
        .credential("client_id", ID)
        .credential("client_secret", SECRET);
    assert!(!format!("{config:?}").contains(SECRET));
    let mock = spec_mock::MockServer::start(config).await.expect("starts");
    let client = client(&mock.base_url(), SECRET).await;
    client
        .query_inventory(&QueryInventoryRequest::new())
        .await
        .expect("accepted");
    let received = mock.received();
    let token = received[1]
        .header("authorization")
        .expect("bearer")
        .to_owned();
    let shown = format!("{received:?} {mock:?}");
    assert_eq!(received.len(), 2, "token request and call");
    for secret in [SECRET, token.as_str(), token.trim_start_matches("Bearer ")] {
        assert!(!shown.contains(secret), "{shown}");
    }
}
