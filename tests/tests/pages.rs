//! Page streams end at the last page the server reports, whatever page they start at
//! (issue 7: a stream started at page 3 of 5 used to ask for page 6 too).

use futures_util::TryStreamExt;
use generated_client::erp::{Client, Credentials, QueryInventoryRequest};
use integration_tests::fakes::erp::{ErpConfig, INVENTORY_PATH, start};

#[tokio::test]
async fn a_stream_started_at_page_3_of_5_requests_pages_3_4_5() {
    let fake = start(ErpConfig::default()).await; // 45 records: 5 pages of 10
    let client = Client::builder(Credentials::new(
        fake.config().client_id.clone(),
        fake.config().client_secret.clone(),
    ))
    .base_url(&fake.base_url)
    .build()
    .await
    .expect("client builds");

    let items: Vec<_> = client
        .query_inventory_pages(QueryInventoryRequest::new().page(3).page_size(10))
        .try_collect()
        .await
        .expect("pages");
    assert_eq!(items.len(), 25, "pages 3, 4 and 5 of 10, 10 and 5 records");
    let pages: Vec<String> = fake
        .requests()
        .iter()
        .filter(|r| r.path == INVENTORY_PATH)
        .filter_map(|r| r.query_param("page"))
        .collect();
    assert_eq!(pages, ["3", "4", "5"]);
}
