//! [`RedisTokenStore`]: one token shared by several processes (feature `redis`).
//!
//! Keys, under `generated-client:token:<vendor>:<credential hash>:` (the hash is SHA-256 of
//! the client id / access key, never of the secret):
//!
//! | key | holds |
//! |---|---|
//! | `state` | hash: `fence` and `data` (the [`TokenState`] as JSON: tokens, expiry, extras; never the client secret) |
//! | `lock` | the renewal lock: a random owner value, `SET NX PX ttl` |
//! | `fence` | counter, `INCR`ed for every lock taken |
//! | `last_request` | milliseconds since the epoch of the latest token request, any process |
//!
//! Saves and releases are Lua scripts, so "compare then write" is atomic: a save under a fence
//! older than the stored one is refused, and only the lock's owner deletes it.
//!
//! The Redis instance holds live access and refresh tokens: it must be trusted — reachable only
//! by the application (ACL user limited to these keys, `rediss://` when it is not on the same
//! host).

use std::fmt;
use std::sync::{Arc, LazyLock};
use std::time::Duration;

use futures_util::future::FutureExt;
use jiff::Timestamp;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use tokio::sync::OnceCell;

use super::TokenState;
use super::store::{Lease, Saved, StoreError, StoreFuture, Stored, TokenStore};

const SAVE: &str = r"
local current = tonumber(redis.call('HGET', KEYS[1], 'fence') or '-1')
if current > tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'fence', ARGV[1], 'data', ARGV[2])
return 1";

const CLEAR: &str = r"
local current = tonumber(redis.call('HGET', KEYS[1], 'fence') or '-1')
if current > tonumber(ARGV[1]) then return 0 end
return redis.call('DEL', KEYS[1])";

const LOCK: &str = r"
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return redis.call('INCR', KEYS[2])
end
return 0";

const UNLOCK: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0";

const STAMP: &str = r"
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if tonumber(ARGV[1]) > current then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
end
return 1";

/// The scripts, hashed once (`EVALSHA`, falling back to `EVAL` on a Redis that lacks them).
static SCRIPTS: LazyLock<Scripts> = LazyLock::new(|| Scripts {
    save: redis::Script::new(SAVE),
    clear: redis::Script::new(CLEAR),
    lock: redis::Script::new(LOCK),
    unlock: redis::Script::new(UNLOCK),
    stamp: redis::Script::new(STAMP),
});

struct Scripts {
    save: redis::Script,
    clear: redis::Script,
    lock: redis::Script,
    unlock: redis::Script,
    stamp: redis::Script,
}

/// The stamp outlives any vendor's minimum interval, then disappears with unused credentials.
const STAMP_TTL: Duration = Duration::from_secs(24 * 3600);

/// Token state in Redis, shared by every process using the same vendor and credential.
///
/// ```no_run
/// # fn f() -> Result<(), Box<dyn std::error::Error>> {
/// use std::sync::Arc;
/// use spec_runtime::{RedisTokenStore, TokenStore};
///
/// let store: Arc<dyn TokenStore> =
///     Arc::new(RedisTokenStore::new("redis://127.0.0.1:6379", "supercarrier8", "my-access-key")?);
/// // Then, with any generated client: `Client::builder(credentials).token_store(store)`.
/// # Ok(()) }
/// ```
///
/// When Redis cannot be reached the client logs a warning and keeps working on its own (its
/// own single flight and minimum interval), and uses Redis again once it answers.
#[derive(Clone)]
pub struct RedisTokenStore {
    client: redis::Client,
    /// Made on first use, inside the application's Tokio runtime (it spawns a task).
    connection: Arc<OnceCell<ConnectionManager>>,
    keys: Keys,
    lock_ttl: Option<Duration>,
}

#[derive(Clone)]
struct Keys {
    state: String,
    lock: String,
    fence: String,
    last_request: String,
}

impl fmt::Debug for RedisTokenStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The URL may carry a password: never shown.
        f.debug_struct("RedisTokenStore")
            .field("keys", &self.keys.state)
            .finish_non_exhaustive()
    }
}

impl RedisTokenStore {
    /// A store at `url` (`redis://` or `rediss://`, optionally with user and password) for
    /// `vendor`'s credential `credential_id` (the client id or access key; only its hash is
    /// used). Connects lazily, on first use: a Redis that is down now is retried on use.
    pub fn new(url: &str, vendor: &str, credential_id: &str) -> Result<Self, StoreError> {
        if url.starts_with("rediss://") {
            // Keeps a provider the application installed itself.
            let _ = rustls::crypto::ring::default_provider().install_default();
        }
        let client = redis::Client::open(url).map_err(|e| {
            StoreError::new("connect", format!("invalid Redis URL ({:?})", e.kind()))
        })?;
        let hash = hex::encode(ring::digest::digest(
            &ring::digest::SHA256,
            credential_id.as_bytes(),
        ));
        let prefix = format!("generated-client:token:{vendor}:{}", &hash[..32]);
        Ok(RedisTokenStore {
            client,
            connection: Arc::new(OnceCell::new()),
            keys: Keys {
                state: format!("{prefix}:state"),
                lock: format!("{prefix}:lock"),
                fence: format!("{prefix}:fence"),
                last_request: format!("{prefix}:last_request"),
            },
            lock_ttl: None,
        })
    }

    /// How long a renewal lock lives when its holder dies (default: what the client asks for,
    /// 30 s). Another process renews after it expires; keep it above the token request timeout.
    pub fn lock_ttl(mut self, ttl: Duration) -> Self {
        self.lock_ttl = Some(ttl);
        self
    }

    /// The shared connection (it reconnects by itself after Redis comes back).
    async fn connection(&self, operation: &'static str) -> Result<ConnectionManager, StoreError> {
        let manager = self
            .connection
            .get_or_try_init(|| async {
                let config = ConnectionManagerConfig::new()
                    .set_connection_timeout(Some(Duration::from_millis(500)))
                    .set_response_timeout(Some(Duration::from_secs(1)))
                    .set_number_of_retries(1)
                    .set_max_delay(Duration::from_millis(200));
                ConnectionManager::new_lazy_with_config(self.client.clone(), config)
            })
            .await
            .map_err(|e| StoreError::new(operation, describe(&e)))?;
        Ok(manager.clone())
    }

    /// The key prefix, for operators (ACLs, inspection).
    pub fn key_prefix(&self) -> &str {
        self.keys
            .state
            .strip_suffix(":state")
            .unwrap_or(&self.keys.state)
    }

    async fn script<T: redis::FromRedisValue>(
        &self,
        operation: &'static str,
        script: &redis::Script,
        keys: &[&str],
        args: &[String],
    ) -> Result<T, StoreError> {
        let mut invocation = script.prepare_invoke();
        for key in keys {
            invocation.key(*key);
        }
        for arg in args {
            invocation.arg(arg);
        }
        let mut connection = self.connection(operation).await?;
        invocation
            .invoke_async(&mut connection)
            .await
            .map_err(|e| StoreError::new(operation, describe(&e)))
    }
}

/// A Redis error without its details, which could quote values (`Debug` of the kind only).
fn describe(e: &redis::RedisError) -> String {
    if e.is_timeout() {
        "Redis timed out".into()
    } else if e.is_io_error() || e.is_connection_refusal() || e.is_connection_dropped() {
        "Redis unreachable".into()
    } else {
        format!("Redis error ({:?})", e.kind())
    }
}

fn millis(d: Duration) -> String {
    d.as_millis().max(1).to_string()
}

impl TokenStore for RedisTokenStore {
    fn load(&self) -> StoreFuture<'_, Option<Stored>> {
        async move {
            let mut connection = self.connection("load").await?;
            let (fence, data): (Option<u64>, Option<String>) = redis::cmd("HMGET")
                .arg(&self.keys.state)
                .arg("fence")
                .arg("data")
                .query_async(&mut connection)
                .await
                .map_err(|e| StoreError::new("load", describe(&e)))?;
            let (Some(fence), Some(data)) = (fence, data) else {
                return Ok(None);
            };
            // The text is never quoted in the error: it holds tokens.
            let state: TokenState = serde_json::from_str(&data).map_err(|e| {
                StoreError::new("load", format!("unreadable state ({:?})", e.classify()))
            })?;
            Ok(Some(Stored::new(state, fence)))
        }
        .boxed()
    }

    fn save<'a>(&'a self, state: &'a TokenState, fence: u64) -> StoreFuture<'a, Saved> {
        async move {
            let data = serde_json::to_string(state)
                .map_err(|_| StoreError::new("save", "state not serializable"))?;
            let written: i64 = self
                .script(
                    "save",
                    &SCRIPTS.save,
                    &[&self.keys.state],
                    &[fence.to_string(), data],
                )
                .await?;
            Ok(if written == 1 {
                Saved::Written
            } else {
                Saved::Superseded
            })
        }
        .boxed()
    }

    fn clear(&self, fence: u64) -> StoreFuture<'_, ()> {
        async move {
            let _: i64 = self
                .script(
                    "clear",
                    &SCRIPTS.clear,
                    &[&self.keys.state],
                    &[fence.to_string()],
                )
                .await?;
            Ok(())
        }
        .boxed()
    }

    fn try_lock(&self, ttl: Duration) -> StoreFuture<'_, Option<Lease>> {
        async move {
            let owner = hex::encode(spec_lang::random::bytes::<16>());
            let ttl = self.lock_ttl.unwrap_or(ttl);
            let fence: u64 = self
                .script(
                    "lock",
                    &SCRIPTS.lock,
                    &[&self.keys.lock, &self.keys.fence],
                    &[owner.clone(), millis(ttl)],
                )
                .await?;
            Ok((fence > 0).then(|| Lease::new(owner, fence)))
        }
        .boxed()
    }

    fn unlock<'a>(&'a self, lease: &'a Lease) -> StoreFuture<'a, ()> {
        async move {
            let _: i64 = self
                .script(
                    "unlock",
                    &SCRIPTS.unlock,
                    &[&self.keys.lock],
                    std::slice::from_ref(&lease.owner),
                )
                .await?;
            Ok(())
        }
        .boxed()
    }

    fn last_request(&self) -> StoreFuture<'_, Option<Timestamp>> {
        async move {
            let mut connection = self.connection("last_request").await?;
            let at: Option<i64> = redis::cmd("GET")
                .arg(&self.keys.last_request)
                .query_async(&mut connection)
                .await
                .map_err(|e| StoreError::new("last_request", describe(&e)))?;
            Ok(at.and_then(|ms| Timestamp::from_millisecond(ms).ok()))
        }
        .boxed()
    }

    fn record_request(&self, at: Timestamp) -> StoreFuture<'_, ()> {
        async move {
            let _: i64 = self
                .script(
                    "record_request",
                    &SCRIPTS.stamp,
                    &[&self.keys.last_request],
                    &[at.as_millisecond().to_string(), millis(STAMP_TTL)],
                )
                .await?;
            Ok(())
        }
        .boxed()
    }
}
