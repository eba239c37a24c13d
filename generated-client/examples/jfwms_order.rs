//! Looks up one JFWMS order by its ERP number with an access token obtained earlier.
//!
//! The token comes from the authorization flow (二、授权), which the document describes only by
//! name; here it is restored from the environment, so no token request is made. Without a
//! refresh token an expired access token ends in "authorization required".
//!
//! ```sh
//! JFWMS_BASE_URL=https://test.jfwms.com JFWMS_CLIENT_ID=… JFWMS_CLIENT_SECRET=… \
//! JFWMS_ACCESS_TOKEN=… JFWMS_USER_ID=8 \
//!     cargo run -p generated-client --example jfwms_order -- 123123
//! ```

use generated_client::jfwms::{Client, Credentials, GetOrderRequest};
use generated_client::runtime::{self as rt, TokenState};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let env = |name: &str| std::env::var(name).map_err(|_| format!("set {name}"));
    let erp_no = std::env::args()
        .nth(1)
        .ok_or("usage: jfwms_order <erpNo>")?;

    let client = Client::builder(Credentials::new(
        env("JFWMS_CLIENT_ID")?,
        env("JFWMS_CLIENT_SECRET")?,
    ))
    .base_url(&env("JFWMS_BASE_URL")?)
    .build()
    .await?;

    // The signed headers need the access token and the user id (`userId`), which the runtime
    // keeps with the token as `extra["user_id"]`.
    client
        .set_token_state(
            TokenState::new(env("JFWMS_ACCESS_TOKEN")?)
                .with_extra("user_id", env("JFWMS_USER_ID")?),
        )
        .await;

    match client
        .get_order(&GetOrderRequest::new(erp_no.as_str()))
        .await
    {
        Ok(order) => {
            println!("{}", serde_json::to_string_pretty(&order)?);
            Ok(())
        }
        Err(rt::Error::Api(e)) => {
            // A vendor error: the typed code, the vendor's message and the request id to quote
            // to the warehouse.
            eprintln!("JFWMS refused: {:?} (code {})", e.code, e.code.code());
            eprintln!("  message:   {}", e.message.as_deref().unwrap_or("-"));
            if let Some(documented) = e.code.documented_message() {
                eprintln!("  document:  {documented}");
            }
            let request_id = e.extra("requestId").and_then(|v| v.as_str());
            eprintln!("  requestId: {}", request_id.unwrap_or("-"));
            std::process::exit(1);
        }
        Err(e) => {
            eprintln!("request failed ({:?}): {e}", e.class());
            std::process::exit(1);
        }
    }
}
