//! Fetches one page of ERP sales orders and sales outbound orders.
//!
//! ```sh
//! ERP_BASE_URL=https://erp.example.com ERP_CLIENT_ID=… ERP_CLIENT_SECRET=… \
//!     cargo run -p generated-client --example erp_orders -- 2026-05-06
//! ```

use generated_client::erp::{Client, Credentials, QueryOrdersRequest, QueryOutboundRequest};

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
    let day: Option<generated_client::jiff::civil::Date> =
        std::env::args().nth(1).map(|d| d.parse()).transpose()?;

    let mut orders = QueryOrdersRequest::new().page_size(20);
    let mut outbound = QueryOutboundRequest::new().page_size(20);
    if let Some(day) = day {
        orders = orders.day(day);
        outbound = outbound.day(day);
    }

    let page = client.query_orders(&orders).await?;
    println!(
        "sales orders: page {} of {}",
        page.pagination.page, page.pagination.total_pages
    );
    for order in &page.list {
        println!(
            "  {} {} {} lines, total {}",
            order.order_sn,
            order.order_status,
            order.product_info.len(),
            order.total_amount
        );
    }

    let page = client.query_outbound(&outbound).await?;
    println!(
        "outbound orders: page {} of {}",
        page.pagination.page, page.pagination.total_pages
    );
    for order in &page.list {
        println!(
            "  {} {} {} lines, total {}",
            order.order_sn,
            order.order_status,
            order.product_info.len(),
            order.total_amount
        );
    }
    Ok(())
}
