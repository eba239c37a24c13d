//! Passing your own `reqwest::Client` works in a process where no runtime client was built
//! before (its own test binary: the TLS provider is process-wide). reqwest is built without
//! a provider of its own; `Client::builder` installs ring before the argument is built.

use generated_client::erp::{Client, Credentials, QueryInventoryRequest};
use generated_client::runtime as rt;
use integration_tests::fakes::erp::{ErpConfig, start};

#[tokio::test]
async fn a_reqwest_client_of_your_own_needs_no_runtime_client_first() {
    let fake = start(ErpConfig::default()).await;
    let client = Client::builder(Credentials::new(
        fake.config().client_id.clone(),
        fake.config().client_secret.clone(),
    ))
    .base_url(&fake.base_url)
    .http_client(
        rt::reqwest::Client::builder()
            .redirect(rt::reqwest::redirect::Policy::none())
            .timeout(std::time::Duration::from_secs(10))
            .build()
            .expect("a reqwest client builds"),
    )
    .build()
    .await
    .expect("client builds");
    client
        .query_inventory(&QueryInventoryRequest::new())
        .await
        .expect("calls go through the application's client");
}
