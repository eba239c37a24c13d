use generated_client::erp::{Client, Credentials, QueryInventoryRequest};

#[tokio::main]
async fn main() -> Result<(), generated_client::erp::Error> {
    let client = Client::builder(Credentials::new("my-client-id", "my-client-secret"))
        .base_url("https://erp.example.com")
        .build()
        .await?;

    // The client obtains, caches and renews the OAuth2 token by itself.
    let page = client
        .query_inventory(&QueryInventoryRequest::new().page_size(50))
        .await?;
    for item in &page.list {
        println!("{} {} {}", item.warehouse_name, item.sku_id, item.inventory_cnt);
    }
    Ok(())
}
