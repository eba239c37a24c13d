//! Lists the ERP inventory, page by page.
//!
//! ```sh
//! ERP_BASE_URL=https://erp.example.com ERP_CLIENT_ID=… ERP_CLIENT_SECRET=… \
//!     cargo run -p generated-client --example erp_inventory -- 2026-05-06
//! ```
//! The optional argument is the `day` to query (YYYY-MM-DD).

use futures_util::TryStreamExt;
use generated_client::erp::{Client, Credentials, QueryInventoryRequest};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let env = |name: &str| std::env::var(name).map_err(|_| format!("set {name}"));
    let client = Client::builder(Credentials::new(
        env("ERP_CLIENT_ID")?,
        env("ERP_CLIENT_SECRET")?,
    ))
    .base_url(&env("ERP_BASE_URL")?)
    .build()
    .await?;

    let mut request = QueryInventoryRequest::new().page_size(100);
    if let Some(day) = std::env::args().nth(1) {
        request = request.day(day.parse::<jiff::civil::Date>()?);
    }
    let items: Vec<_> = client.query_inventory_pages(request).try_collect().await?;
    for item in &items {
        println!(
            "{:<12} {:<8} {:<24} {:>16}",
            item.organization_code, item.warehouse_id, item.sku_id, item.inventory_cnt
        );
    }
    println!("{} inventory records", items.len());
    Ok(())
}
