//! Several processes, one credential: `RedisTokenStore` against a real `redis-server` (started
//! on a free loopback port by the test, never skipped) and the strict vendor fakes. The
//! replicas are separate processes (`token_replica`, `tests/src/bin/token_replica.rs`).

use std::process::{Child, Command, Output, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use generated_client::runtime::TokenState;
use generated_client::runtime::secrecy::ExposeSecret;
use generated_client::runtime::{RedisTokenStore, TokenStore, check_store_protocol};
use generated_client::{jfwms, supercarrier8};
use integration_tests::fakes::jfwms::{FakeJfwms, JfwmsConfig};
use integration_tests::fakes::supercarrier8::{FakeSupercarrier8, Supercarrier8Config};
use integration_tests::redis_server::RedisServer;

fn replica(vendor: &str, base_url: &str, redis: &RedisServer, id: &str, secret: &str) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_token_replica"));
    cmd.env("REPLICA_VENDOR", vendor)
        .env("REPLICA_BASE_URL", base_url)
        .env("REPLICA_REDIS_URL", redis.url())
        .env("REPLICA_CLIENT_ID", id)
        .env("REPLICA_SECRET", secret)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

fn supercarrier8_replica(fake: &FakeSupercarrier8, redis: &RedisServer) -> Command {
    let c = fake.config();
    replica(
        "supercarrier8",
        &fake.base_url,
        redis,
        &c.access_key,
        &c.secret_key,
    )
}

fn jfwms_replica(fake: &FakeJfwms, redis: &RedisServer) -> Command {
    let c = fake.config();
    replica(
        "jfwms",
        &fake.base_url,
        redis,
        &c.client_id,
        &c.client_secret,
    )
}

/// Waits for every process (off the async runtime: the fakes run on it) and returns outputs.
async fn wait_all(children: Vec<Child>) -> Vec<Output> {
    tokio::task::spawn_blocking(move || {
        children
            .into_iter()
            .map(|c| c.wait_with_output().expect("replica output"))
            .collect()
    })
    .await
    .expect("waiting task")
}

fn describe(out: &Output) -> String {
    format!(
        "status {:?}\nstdout: {}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

async fn stored(redis: &RedisServer, vendor: &str, id: &str) -> Option<TokenState> {
    let store = RedisTokenStore::new(&redis.url(), vendor, id).expect("store");
    store.load().await.expect("Redis answers").map(|s| s.state)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eight_processes_make_one_token_request_under_the_one_per_minute_rule() {
    let fake = integration_tests::fakes::supercarrier8::start(Supercarrier8Config::default()).await;
    let redis = RedisServer::start();
    let children: Vec<_> = (0..8)
        .map(|_| supercarrier8_replica(&fake, &redis).spawn().expect("spawn"))
        .collect();
    for out in wait_all(children).await {
        assert!(out.status.success(), "{}", describe(&out));
        assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "ok");
    }
    assert_eq!(fake.token_requests(), 1);
    assert_eq!(fake.business_requests(), 8);
    let state = stored(&redis, "supercarrier8", &fake.config().access_key).await;
    assert!(state.is_some(), "the token is in Redis");
}

/// Started together without a shared store, each replica requests its own token at start-up
/// (`fetch_on_start`): the vendor's one-per-minute rule refuses all but one, and the refused
/// builds say that a shared token store is what is missing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replicas_without_a_shared_store_are_told_to_share_one() {
    let fake = integration_tests::fakes::supercarrier8::start(Supercarrier8Config::default()).await;
    let redis = RedisServer::start();
    let children: Vec<_> = (0..4)
        .map(|_| {
            supercarrier8_replica(&fake, &redis)
                .env("REPLICA_STORE", "none")
                .spawn()
                .expect("spawn")
        })
        .collect();
    let outputs = wait_all(children).await;
    let succeeded = outputs.iter().filter(|o| o.status.success()).count();
    assert_eq!(succeeded, 1, "one replica got the token");
    for out in outputs.iter().filter(|o| !o.status.success()) {
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            stdout.contains("no token store shared by every replica is configured"),
            "{}",
            describe(out)
        );
        assert!(stdout.contains("21185002"), "{}", describe(out));
    }
    assert_eq!(fake.token_requests(), 4, "one per replica: N-1 refused");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_lock_holder_is_replaced_once_its_lock_expires() {
    let fake = integration_tests::fakes::supercarrier8::start(Supercarrier8Config::default()).await;
    let redis = RedisServer::start();
    fake.stall_next_token_requests(1);
    let lock_ttl = Duration::from_millis(2000);
    let with_short_timings = |mut cmd: Command| {
        cmd.env("REPLICA_LOCK_TTL_MS", lock_ttl.as_millis().to_string())
            .env("REPLICA_MIN_INTERVAL_MS", "300");
        cmd
    };
    // A takes the lock and sends its token request, which never gets an answer; then A dies.
    let mut holder = with_short_timings(supercarrier8_replica(&fake, &redis))
        .spawn()
        .expect("spawn");
    let deadline = Instant::now() + Duration::from_secs(20);
    while fake.token_requests() == 0 {
        assert!(
            Instant::now() < deadline,
            "the holder never sent its token request"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let locked_at = Instant::now();
    holder.kill().expect("kill the holder");
    let _ = holder.wait();
    // B finds the lock held, waits for it to expire, then renews.
    let other = with_short_timings(supercarrier8_replica(&fake, &redis))
        .spawn()
        .expect("spawn");
    let out = wait_all(vec![other]).await.remove(0);
    assert!(out.status.success(), "{}", describe(&out));
    assert_eq!(fake.token_requests(), 2);
    assert!(
        locked_at.elapsed() >= lock_ttl - Duration::from_millis(200),
        "renewed only after the dead holder's lock expired ({:?})",
        locked_at.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_continue_while_redis_is_down_and_use_it_again_when_it_is_back() {
    let config = Supercarrier8Config {
        rate_limit_window: Duration::from_millis(100),
        ..Default::default()
    };
    let fake = integration_tests::fakes::supercarrier8::start(config).await;
    let mut redis = RedisServer::start();
    let c = fake.config();
    let store = RedisTokenStore::new(&redis.url(), "supercarrier8", &c.access_key).unwrap();
    let client = supercarrier8::Client::builder(supercarrier8::Credentials::new(
        c.access_key.clone(),
        c.secret_key.clone(),
    ))
    .base_url(&fake.base_url)
    .min_token_interval(Duration::from_millis(200))
    .token_store(Arc::new(store))
    .build()
    .await
    .expect("client builds");
    client.demo().await.expect("first call");
    let first = stored(&redis, "supercarrier8", &c.access_key)
        .await
        .unwrap();

    redis.stop();
    fake.expire_all_tokens();
    tokio::time::sleep(Duration::from_millis(250)).await;
    client
        .demo()
        .await
        .expect("renewed without Redis (local single flight)");
    client.demo().await.expect("and keeps working");
    assert_eq!(fake.token_requests(), 2);

    redis.restart(); // empty: it has no persistence
    fake.expire_all_tokens();
    tokio::time::sleep(Duration::from_millis(250)).await;
    client.demo().await.expect("renewed with Redis back");
    assert_eq!(fake.token_requests(), 3);
    let now_in_redis = stored(&redis, "supercarrier8", &c.access_key)
        .await
        .expect("the new token was saved to Redis again");
    let current = client.token_state().await.unwrap();
    assert_eq!(
        now_in_redis.access_token.expose_secret(),
        current.access_token.expose_secret()
    );
    assert_ne!(
        first.access_token.expose_secret(),
        current.access_token.expose_secret()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn four_processes_refreshing_a_rotating_refresh_token_lose_none() {
    let fake = integration_tests::fakes::jfwms::start(JfwmsConfig::default()).await;
    fake.rotate_refresh_tokens(true);
    let redis = RedisServer::start();
    let c = fake.config().clone();
    // One process authorizes (a person's step); its state goes to Redis.
    let store = RedisTokenStore::new(&redis.url(), "jfwms", &c.client_id).unwrap();
    let client = jfwms::Client::builder(jfwms::Credentials::new(
        c.client_id.clone(),
        c.client_secret.clone(),
    ))
    .base_url(&fake.base_url)
    .grant_path("authorization_code", &c.token_path)
    .grant_path("refresh_token", &c.refresh_path)
    .token_store(Arc::new(store))
    .build()
    .await
    .unwrap();
    client
        .exchange_authorization_code(&fake.issue_authorization_code())
        .await
        .unwrap();
    for round in 1..=2 {
        fake.expire_all_access_tokens();
        let children: Vec<_> = (0..4)
            .map(|_| jfwms_replica(&fake, &redis).spawn().expect("spawn"))
            .collect();
        for out in wait_all(children).await {
            assert!(out.status.success(), "round {round}: {}", describe(&out));
        }
        assert_eq!(fake.refresh_requests(), round, "one refresh per round");
        let state = stored(&redis, "jfwms", &c.client_id).await.unwrap();
        let refresh = state.refresh_token.expect("a refresh token in Redis");
        assert!(
            fake.refresh_token_is_valid(refresh.expose_secret()),
            "round {round}: the refresh token in Redis is the live one"
        );
    }
}

/// The store's protocol on a real Redis: one lock holder, owner-only release, fences that
/// refuse a save from a holder that outlived its lock, and a stamp that only moves forward.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_store_lock_fences_and_stamp() {
    let redis = RedisServer::start();
    let store = Arc::new(RedisTokenStore::new(&redis.url(), "erp", "client-a").unwrap());
    let attempts: Vec<_> = (0..50)
        .map(|_| {
            let store = store.clone();
            tokio::spawn(async move { store.try_lock(Duration::from_millis(300)).await })
        })
        .collect();
    let mut leases = Vec::new();
    for a in attempts {
        leases.extend(a.await.unwrap().expect("Redis answers"));
    }
    assert_eq!(leases.len(), 1, "exactly one holder");
    let lease = leases.remove(0);
    store.unlock(&lease).await.unwrap();

    // Fences, lock ownership and stamps: the protocol check every shared store must pass.
    let outlive = || tokio::time::sleep(Duration::from_millis(400));
    assert_eq!(
        check_store_protocol(&*store, Duration::from_millis(300), outlive).await,
        Ok(())
    );
    // Another credential shares nothing.
    let other = RedisTokenStore::new(&redis.url(), "erp", "client-b").unwrap();
    assert!(other.load().await.unwrap().is_none());
    assert_eq!(other.last_request().await.unwrap(), None);
    assert!(
        !other.key_prefix().contains("client-b"),
        "only a hash of the id"
    );
}

/// Made before any runtime exists (a `static`, a sync constructor): no panic; a bad URL is a
/// typed error; neither the error nor `Debug` shows the password.
#[test]
fn a_redis_store_is_made_outside_a_runtime_and_never_shows_the_password() {
    let store = RedisTokenStore::new("redis://app:hunter2@127.0.0.1:1", "erp", "id").unwrap();
    assert!(!format!("{store:?}").contains("hunter2"));
    let err = RedisTokenStore::new("nonsense://app:hunter2@x", "erp", "id").unwrap_err();
    assert!(!err.to_string().contains("hunter2"), "{err}");
    // Used where Redis does not answer: a typed error, not a hang or a panic.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let err = rt.block_on(store.load()).unwrap_err();
    assert_eq!(err.operation, "load");
    assert!(!err.to_string().contains("hunter2"), "{err}");
}
