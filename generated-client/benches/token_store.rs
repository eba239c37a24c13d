//! What sharing the token through Redis costs (figures in README.md, "Running several
//! replicas"). Needs `redis-server` on the PATH (`cargo xtask test` installs it).
//!
//! `cargo bench -p generated-client --features redis --bench token_store`
//!
//! - an erp call with a cached token, memory store vs Redis store (a cached token is read
//!   from the client's own cache: the store is not on the call's path);
//! - reading the token state from each store, which a replica does once per renewal (its
//!   token missing, due or rejected; another replica may have renewed it).

use std::net::TcpListener as StdListener;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::routing::{any, post};
use criterion::{Criterion, criterion_group, criterion_main};
use generated_client::erp::{Client, Credentials, QueryInventoryRequest};
use generated_client::runtime::TokenState;
use generated_client::runtime::{MemoryTokenStore, RedisTokenStore, TokenStore};

struct Redis(Child);

impl Drop for Redis {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_redis() -> (Redis, String) {
    let port = StdListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let child = Command::new("redis-server")
        .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
        .args(["--save", "", "--appendonly", "no"])
        .stdout(Stdio::null())
        .spawn()
        .expect("redis-server must be installed (cargo xtask test installs it)");
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "redis-server did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
    (Redis(child), format!("redis://127.0.0.1:{port}"))
}

async fn erp_server() -> String {
    let token =
        || async { axum::Json(serde_json::json!({"access_token": "tok", "expires_in": 3600})) };
    let inventory = || async {
        axum::Json(serde_json::json!({"code": 0, "message": "ok", "data": {
            "list": [], "pagination": {"page": 1, "page_size": 10, "total": 0, "total_pages": 0}
        }}))
    };
    let app = Router::new()
        .route("/public/token.php", post(token))
        .route("/public/worehouse.php", any(inventory));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

fn token_store(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (_redis, redis_url) = start_redis();
    let base_url = rt.block_on(erp_server());
    let stores: [(&str, Arc<dyn TokenStore>); 2] = [
        ("memory", Arc::new(MemoryTokenStore::default())),
        (
            "redis",
            Arc::new(RedisTokenStore::new(&redis_url, "erp", "bench-client").unwrap()),
        ),
    ];
    for (name, store) in &stores {
        let client = rt.block_on(async {
            let client = Client::builder(Credentials::new("bench-client", "secret"))
                .base_url(&base_url)
                .token_store(store.clone())
                .build()
                .await
                .unwrap();
            client
                .query_inventory(&QueryInventoryRequest::new())
                .await
                .unwrap();
            client
        });
        c.bench_function(&format!("erp call, cached token, {name} store"), |b| {
            b.to_async(&rt).iter(|| async {
                client
                    .query_inventory(&QueryInventoryRequest::new())
                    .await
                    .unwrap()
            })
        });
    }
    for (name, store) in &stores {
        rt.block_on(store.save(&TokenState::new("tok"), 0)).unwrap();
        c.bench_function(&format!("read the token state, {name} store"), |b| {
            b.to_async(&rt)
                .iter(|| async { store.load().await.unwrap().unwrap() })
        });
    }
}

criterion_group!(benches, token_store);
criterion_main!(benches);
