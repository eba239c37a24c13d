//! Consumer code over the page stream and the error classification.
//! Runs offline: the only request is rejected before anything is sent.

use futures_util::TryStreamExt as _;
use generated_client::erp::{self, Client, Credentials, InventoryItem, QueryInventoryRequest};
use generated_client::runtime::ErrorClass;

/// Every inventory item, page after page.
async fn all_items(
    client: &Client,
    request: QueryInventoryRequest,
) -> Result<Vec<InventoryItem>, erp::Error> {
    client.query_inventory_pages(request).try_collect().await
}

/// What to do about an error, from its class.
fn advice(err: &erp::Error) -> &'static str {
    match err.class() {
        ErrorClass::RenewToken => "renew the token and retry once",
        ErrorClass::Reauthorize => "ask the user to authorize again",
        ErrorClass::Retryable | ErrorClass::RateLimited => "retry later",
        ErrorClass::Caller => "fix the request",
        _ => "report it",
    }
}

/// A vendor code, matched with a wildcard arm: `ErrorCode` is `#[non_exhaustive]`.
fn describe(code: &erp::ErrorCode) -> String {
    match code {
        erp::ErrorCode::InvalidClient | erp::ErrorCode::UnauthorizedClient => {
            "check ERP_CLIENT_ID and ERP_CLIENT_SECRET".to_owned()
        }
        erp::ErrorCode::Unauthorized => "token missing, invalid or expired".to_owned(),
        erp::ErrorCode::Unknown(raw) => format!("undocumented code {raw}"),
        other => format!("{other:?}"),
    }
}

#[tokio::main]
async fn main() -> Result<(), erp::Error> {
    let client = Client::builder(Credentials::new("my-client-id", "my-client-secret"))
        .base_url("https://erp.example.com")
        .build()
        .await?;

    // `page_size` 101 (above the documented 最大 100) is refused before sending: the stream
    // yields that error and ends.
    let err = all_items(&client, QueryInventoryRequest::new().page_size(101))
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        erp::Error::InvalidRequest {
            field: "page_size",
            ..
        }
    ));
    assert_eq!(err.code(), None);

    // A vendor error, decoded from a recorded body exactly as the client does.
    let err = erp::decode_response::<erp::InventoryPage>(
        200,
        br#"{"code":-1,"message":"token expired","data":null}"#,
    )
    .unwrap_err();
    assert_eq!(err.class(), ErrorClass::RenewToken);
    assert_eq!(advice(&err), "renew the token and retry once");
    let code = err.code().expect("an API error carries its code");
    assert_eq!(describe(code), "token missing, invalid or expired");
    Ok(())
}
