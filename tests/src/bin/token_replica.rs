//! One replica of an application, for the multi-process token tests (`tests/tests/replicas.rs`):
//! builds a client whose token store is Redis, makes `REPLICA_CALLS` calls and prints one line
//! per call (`ok` or `error <class>: <message>`). Exit status 0 when every call succeeded.
//!
//! Environment: `REPLICA_VENDOR` (`supercarrier8` or `jfwms`), `REPLICA_BASE_URL`,
//! `REPLICA_REDIS_URL`, `REPLICA_CLIENT_ID`, `REPLICA_SECRET`, optional `REPLICA_CALLS`
//! (default 1), `REPLICA_LOCK_TTL_MS`, `REPLICA_MIN_INTERVAL_MS`, `REPLICA_STORE` (`redis`,
//! the default, or `none`: each replica keeps its token in its own memory).

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use generated_client::runtime::RedisTokenStore;
use generated_client::{jfwms, supercarrier8};

fn env(name: &str) -> Result<String, String> {
    std::env::var(name).map_err(|_| format!("set {name}"))
}

fn millis(name: &str) -> Result<Option<Duration>, String> {
    match std::env::var(name) {
        Ok(v) => v
            .parse()
            .map(|ms| Some(Duration::from_millis(ms)))
            .map_err(|e| format!("{name}: {e}")),
        Err(_) => Ok(None),
    }
}

fn store(vendor: &str, client_id: &str) -> Result<Arc<RedisTokenStore>, String> {
    let mut store = RedisTokenStore::new(&env("REPLICA_REDIS_URL")?, vendor, client_id)
        .map_err(|e| e.to_string())?;
    if let Some(ttl) = millis("REPLICA_LOCK_TTL_MS")? {
        store = store.lock_ttl(ttl);
    }
    Ok(Arc::new(store))
}

async fn run() -> Result<bool, String> {
    let vendor = env("REPLICA_VENDOR")?;
    let (base_url, client_id, secret) = (
        env("REPLICA_BASE_URL")?,
        env("REPLICA_CLIENT_ID")?,
        env("REPLICA_SECRET")?,
    );
    let calls: usize = std::env::var("REPLICA_CALLS")
        .ok()
        .map_or(Ok(1), |v| v.parse())
        .map_err(|e| format!("REPLICA_CALLS: {e}"))?;
    let min_interval = millis("REPLICA_MIN_INTERVAL_MS")?;
    let mut all_ok = true;
    let mut report = |outcome: Result<(), (String, String)>| match outcome {
        Ok(()) => println!("ok"),
        Err((class, message)) => {
            all_ok = false;
            println!("error {class}: {message}");
        }
    };
    match vendor.as_str() {
        "supercarrier8" => {
            let mut builder = supercarrier8::Client::builder(supercarrier8::Credentials::new(
                client_id.clone(),
                secret,
            ))
            .base_url(&base_url);
            if std::env::var("REPLICA_STORE").as_deref() != Ok("none") {
                builder = builder.token_store(store(&vendor, &client_id)?);
            }
            if let Some(d) = min_interval {
                builder = builder.min_token_interval(d);
            }
            let client = match builder.build().await {
                Ok(c) => c,
                Err(e) => {
                    report(Err((format!("{:?}", e.class()), e.to_string())));
                    return Ok(false);
                }
            };
            for _ in 0..calls {
                let r = client.demo().await;
                report(
                    r.map(drop)
                        .map_err(|e| (format!("{:?}", e.class()), e.to_string())),
                );
            }
        }
        "jfwms" => {
            let client = jfwms::Client::builder(jfwms::Credentials::new(client_id.clone(), secret))
                .base_url(&base_url)
                .grant_path("authorization_code", "/oauth/token")
                .grant_path("refresh_token", "/oauth/refresh")
                .token_store(store(&vendor, &client_id)?)
                .build()
                .await
                .map_err(|e| e.to_string())?;
            for _ in 0..calls {
                let r = client
                    .get_order(&jfwms::GetOrderRequest::new("123123"))
                    .await;
                report(
                    r.map(drop)
                        .map_err(|e| (format!("{:?}", e.class()), e.to_string())),
                );
            }
        }
        other => return Err(format!("unknown REPLICA_VENDOR `{other}`")),
    }
    Ok(all_ok)
}

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(problem) => {
            eprintln!("{problem}");
            ExitCode::from(2)
        }
    }
}
