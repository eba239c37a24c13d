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
//!
//! With `JFWMS_REDIS_URL=redis://…` (build with `--features redis`) the token state lives in
//! Redis, shared by every process using this client id: one of them refreshes, the others pick
//! up its token, and a rotated refresh token is never lost. `JFWMS_ACCESS_TOKEN` is then
//! optional (the state already in Redis is used).

use generated_client::jfwms::{Client, Credentials, GetOrderRequest};
use generated_client::runtime::{self as rt, TokenState};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let env = |name: &str| std::env::var(name).map_err(|_| format!("set {name}"));
    let erp_no = std::env::args()
        .nth(1)
        .ok_or("usage: jfwms_order <erpNo>")?;

    let client_id = env("JFWMS_CLIENT_ID")?;
    let mut builder = Client::builder(Credentials::new(
        client_id.clone(),
        env("JFWMS_CLIENT_SECRET")?,
    ))
    .base_url(&env("JFWMS_BASE_URL")?);
    let shared = match std::env::var("JFWMS_REDIS_URL") {
        Ok(url) => {
            builder = builder.token_store(redis_store(&url, &client_id)?);
            true
        }
        Err(_) => false,
    };
    let client = builder.build().await?;

    // The signed headers need the access token and the user id (`userId`), which the runtime
    // keeps with the token as `extra["user_id"]`.
    if !shared || std::env::var("JFWMS_ACCESS_TOKEN").is_ok() {
        client
            .set_token_state(
                TokenState::new(env("JFWMS_ACCESS_TOKEN")?)
                    .with_extra("user_id", env("JFWMS_USER_ID")?),
            )
            .await;
    }

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

/// Token state in Redis under a key derived from the client id (never the secret).
#[cfg(feature = "redis")]
fn redis_store(
    url: &str,
    client_id: &str,
) -> Result<std::sync::Arc<dyn rt::TokenStore>, Box<dyn std::error::Error>> {
    let store = rt::RedisTokenStore::new(url, "jfwms", client_id)?;
    Ok(std::sync::Arc::new(store))
}

#[cfg(not(feature = "redis"))]
fn redis_store(
    _url: &str,
    _client_id: &str,
) -> Result<std::sync::Arc<dyn rt::TokenStore>, Box<dyn std::error::Error>> {
    Err("JFWMS_REDIS_URL is set, but this example was built without the `redis` feature: add `--features redis`".into())
}
