//! Calls the 超8 (SuperCarrier8) open platform: the document's demo call, or any catalogue
//! endpoint through the generic `Client::call`.
//!
//! ```sh
//! SUPERCARRIER8_BASE_URL=https://sapi.supercarrier8.com SUPERCARRIER8_ACCESS_KEY=… \
//! SUPERCARRIER8_SECRET_KEY=… \
//!     cargo run -p generated-client --example supercarrier8_demo
//! # any endpoint: METHOD PATH [JSON body]
//!     cargo run -p generated-client --example supercarrier8_demo -- POST /cncop/some/path '{"a":1}'
//! ```
//! The token is fetched when the client is built (the document: 首次启动时,将执行一次刷新); the
//! secret key itself never travels, only its MD5.
//!
//! The token endpoint allows one request per minute (21185002 otherwise). Set
//! `SUPERCARRIER8_TOKEN_FILE=/path/to/token.json` to keep the token between runs (开发者需要缓存
//! accessToken): the file holds the access token, so it is created readable by you only.
//! Several processes at once (replicas, cron jobs): set
//! `SUPERCARRIER8_REDIS_URL=redis://127.0.0.1:6379` (build with `--features redis`) and they
//! share one token through Redis, one token request per minute for all of them together.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use futures_util::FutureExt;
use generated_client::runtime::{ErrorClass, TokenState, TokenStore};
use generated_client::runtime::{Saved, StoreError, StoreFuture, Stored};
use generated_client::supercarrier8::{Client, Credentials, Error, catalogue};

fn env(name: &str) -> Result<String, String> {
    std::env::var(name).map_err(|_| format!("set {name}"))
}

/// What to call, from the command line.
enum Call {
    Demo,
    Generic(
        generated_client::reqwest::Method,
        String,
        Option<serde_json::Value>,
    ),
}

fn parse_args() -> Result<Call, String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.as_slice() {
        [] => Ok(Call::Demo),
        [method, path, rest @ ..] if rest.len() <= 1 => {
            let method = generated_client::reqwest::Method::from_bytes(
                method.to_ascii_uppercase().as_bytes(),
            )
            .map_err(|e| format!("method `{method}`: {e}"))?;
            let body = rest
                .first()
                .map(|b| serde_json::from_str(b).map_err(|e| format!("JSON body: {e}")))
                .transpose()?;
            Ok(Call::Generic(method, path.clone(), body))
        }
        _ => Err("usage: supercarrier8_demo [METHOD PATH [JSON]]".into()),
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let config = (|| {
        let access_key = env("SUPERCARRIER8_ACCESS_KEY")?;
        Ok::<_, String>((
            env("SUPERCARRIER8_BASE_URL")?,
            token_store(&access_key)?,
            Credentials::new(access_key, env("SUPERCARRIER8_SECRET_KEY")?),
            parse_args()?,
        ))
    })();
    let (base_url, store, credentials, call) = match config {
        Ok(c) => c,
        Err(problem) => {
            eprintln!("{problem}");
            return ExitCode::from(2);
        }
    };
    match run(&base_url, store, credentials, call).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            report(&err);
            ExitCode::FAILURE
        }
    }
}

/// Token state in a JSON file, so that runs within a minute reuse the token.
struct FileTokenStore(PathBuf);

impl FileTokenStore {
    fn write(&self, state: &TokenState) -> Result<(), StoreError> {
        let json = serde_json::to_vec(state).map_err(|e| StoreError::new("save", e))?;
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        options
            .open(&self.0)
            .and_then(|mut f| std::io::Write::write_all(&mut f, &json))
            .map_err(|e| StoreError::new("save", format!("{}: {e}", self.0.display())))
    }
}

impl TokenStore for FileTokenStore {
    fn load(&self) -> StoreFuture<'_, Option<Stored>> {
        // A missing or unreadable file means "no token yet".
        let state = std::fs::read_to_string(&self.0)
            .ok()
            .and_then(|text| serde_json::from_str(&text).ok());
        async move { Ok(state.map(|s| Stored::new(s, 0))) }.boxed()
    }
    fn save<'a>(&'a self, state: &'a TokenState, _fence: u64) -> StoreFuture<'a, Saved> {
        let written = self.write(state).map(|()| Saved::Written);
        async move { written }.boxed()
    }
    fn clear(&self, _fence: u64) -> StoreFuture<'_, ()> {
        let _ = std::fs::remove_file(&self.0);
        async { Ok(()) }.boxed()
    }
}

/// Where the token lives: Redis (`SUPERCARRIER8_REDIS_URL`, shared by every process using this
/// access key, so that all of them together make one token request), a file
/// (`SUPERCARRIER8_TOKEN_FILE`), or memory (`None`, the default).
fn token_store(access_key: &str) -> Result<Option<Arc<dyn TokenStore>>, String> {
    if let Ok(url) = std::env::var("SUPERCARRIER8_REDIS_URL") {
        #[cfg(feature = "redis")]
        {
            let store =
                generated_client::runtime::RedisTokenStore::new(&url, "supercarrier8", access_key)
                    .map_err(|e| format!("SUPERCARRIER8_REDIS_URL: {e}"))?;
            return Ok(Some(Arc::new(store)));
        }
        #[cfg(not(feature = "redis"))]
        {
            let _ = (url, access_key);
            return Err(
                "SUPERCARRIER8_REDIS_URL is set, but this example was built without \
                        the `redis` feature: add `--features redis`"
                    .into(),
            );
        }
    }
    Ok(std::env::var("SUPERCARRIER8_TOKEN_FILE")
        .ok()
        .map(|path| Arc::new(FileTokenStore(path.into())) as Arc<dyn TokenStore>))
}

async fn run(
    base_url: &str,
    store: Option<Arc<dyn TokenStore>>,
    credentials: Credentials,
    call: Call,
) -> Result<(), Error> {
    let mut builder = Client::builder(credentials).base_url(base_url);
    if let Some(store) = store {
        builder = builder.token_store(store);
    }
    let client = builder.build().await?;
    let data = match call {
        Call::Demo => {
            let deprecated = count(catalogue::GROUPS, &|e| e.deprecated);
            let all = count(catalogue::GROUPS, &|_| true);
            println!(
                "catalogue: {} groups, {all} endpoints ({deprecated} deprecated); call them with METHOD PATH [JSON]",
                catalogue::GROUPS.len()
            );
            println!("GET /cncop/demo");
            client.demo().await?
        }
        Call::Generic(method, path, body) => {
            println!("{method} {path}");
            client.call(method, &path, body).await?
        }
    };
    println!(
        "{}",
        serde_json::to_string_pretty(&data).unwrap_or_else(|_| data.to_string())
    );
    Ok(())
}

fn count(groups: &[catalogue::Group], keep: &dyn Fn(&catalogue::Entry) -> bool) -> usize {
    groups
        .iter()
        .map(|g| g.entries.iter().filter(|e| keep(e)).count() + count(g.groups, keep))
        .sum()
}

/// Prints the typed error, with the vendor's code and trace id when there is one.
fn report(err: &Error) {
    eprintln!("error: {err}");
    if let Some(code) = err.code() {
        eprintln!(
            "  code: {code:?} ({})",
            code.documented_message().unwrap_or("not documented")
        );
    }
    if let generated_client::runtime::Error::Api(api) = err
        && let Some(trace) = api.extra("traceId")
    {
        eprintln!("  traceId: {trace}");
    }
    if err.class() == ErrorClass::RateLimited {
        eprintln!("  the token endpoint allows one request per minute; wait and retry");
    } else {
        eprintln!("  class: {:?}", err.class());
    }
}
