//! Logs in to the 活牛采购 (Niumall) API and lists every order, page by page.
//!
//! ```sh
//! NIUMALL_BASE_URL=https://api.niumall.com/v1 NIUMALL_LOGIN_PATH=/auth/login \
//! NIUMALL_USERNAME=… NIUMALL_PASSWORD=… \
//!     cargo run -p generated-client --example niumall_orders -- shipping
//! ```
//! The document gives no login path, so `NIUMALL_LOGIN_PATH` is required (relative to the
//! base URL, or absolute). The optional argument filters by order status.

use std::process::ExitCode;

use futures_util::TryStreamExt;
use generated_client::niumall::{Client, Credentials, Error, ListOrdersRequest};
use generated_client::runtime as rt;

fn env(name: &str) -> Result<String, String> {
    std::env::var(name).map_err(|_| format!("set {name}"))
}

#[tokio::main]
async fn main() -> ExitCode {
    let config = (|| {
        Ok::<_, String>((
            env("NIUMALL_BASE_URL")?,
            env("NIUMALL_LOGIN_PATH")?,
            Credentials::new(env("NIUMALL_USERNAME")?, env("NIUMALL_PASSWORD")?),
        ))
    })();
    let (base_url, login_path, credentials) = match config {
        Ok(c) => c,
        Err(missing) => {
            eprintln!("{missing}");
            return ExitCode::from(2);
        }
    };
    match run(&base_url, &login_path, credentials).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            report(&err);
            ExitCode::FAILURE
        }
    }
}

async fn run(base_url: &str, login_path: &str, credentials: Credentials) -> Result<(), Error> {
    let client = Client::builder(credentials)
        .base_url(base_url)
        .grant_path("login", login_path)
        .build()
        .await?;

    let mut request = ListOrdersRequest::new().limit(50);
    if let Some(status) = std::env::args().nth(1) {
        request = request.status(status);
    }
    let orders: Vec<_> = client.list_orders_pages(request).try_collect().await?;
    for o in &orders {
        println!(
            "{:<16} {:<10} {:>4} head {:>10} kg × {:>7} = {:>12}  {}  {}",
            o.order_no,
            o.status,
            o.cattle_count,
            o.total_weight,
            o.unit_price,
            o.total_amount,
            o.supplier_name,
            o.created_at
        );
    }
    println!("{} orders", orders.len());
    Ok(())
}

/// Prints the typed error: its class, the vendor code and, for validation errors, each field.
fn report(err: &Error) {
    eprintln!("error: {err}");
    eprintln!("  class: {:?}", err.class());
    if let Some(code) = err.code() {
        eprintln!(
            "  code: {code:?} ({})",
            code.documented_message().unwrap_or("not documented")
        );
    }
    if let rt::Error::Api(api) = err {
        for detail in &api.details {
            eprintln!("  {}: {}", detail.field, detail.message);
        }
    }
}
