//! The ERP authorization-code flow: prints the URL to open, then exchanges the
//! code from the callback URL you paste, and fetches one inventory page.
//!
//! ```sh
//! ERP_BASE_URL=… ERP_CLIENT_ID=… ERP_CLIENT_SECRET=… ERP_REDIRECT_URI=https://app.example.com/callback \
//!     cargo run -p generated-client --example erp_authorization_code
//! ```

use generated_client::erp::{Client, Credentials, QueryInventoryRequest};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let env = |name: &str| std::env::var(name).map_err(|_| format!("set {name}"));
    let redirect_uri = env("ERP_REDIRECT_URI")?;
    let client = Client::builder(Credentials::new(
        env("ERP_CLIENT_ID")?,
        env("ERP_CLIENT_SECRET")?,
    ))
    .base_url(&env("ERP_BASE_URL")?)
    .build()
    .await?;

    let state = Client::new_state();
    println!(
        "Open this URL and approve:\n{}\n",
        client.authorize_url(&redirect_uri, &state)?
    );
    println!("Then paste the URL you were redirected to:");
    let mut line = String::new();
    std::io::stdin().read_line(&mut line)?;
    let callback = url::Url::parse(line.trim())?;
    let param = |name: &str| {
        callback
            .query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    };
    Client::check_state(&state, &param("state").unwrap_or_default())?;
    let code = param("code").ok_or("the callback URL has no `code`")?;

    let token = client
        .exchange_authorization_code(&code, &redirect_uri)
        .await?;
    println!("token obtained, expires at {:?}", token.expires_at);
    let page = client
        .query_inventory(&QueryInventoryRequest::new().page_size(5))
        .await?;
    println!(
        "{} of {} inventory records",
        page.list.len(),
        page.pagination.total
    );
    Ok(())
}
