use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex as SyncMutex};
use std::time::Duration;

use futures_util::future::FutureExt;
use secrecy::ExposeSecret;
use tokio::time::Instant;

use super::*;
use crate::error::{AuthError, ErrorClass, RawCode};
use crate::test_support::TestCode;

const T0: i64 = 1_700_000_000;

fn ts(secs: i64) -> Timestamp {
    Timestamp::from_second(T0 + secs).unwrap()
}

fn state(obtained: i64, lifetime: Option<i64>) -> TokenState {
    TokenState {
        access_token: "tok".into(),
        expires_at: lifetime.map(|l| ts(obtained + l)),
        obtained_at: ts(obtained),
        refresh_token: None,
        refresh_expires_at: None,
        extra: BTreeMap::new(),
        grant: None,
    }
}

#[test]
fn freshness_policy_table() {
    let ahead = RefreshPolicy {
        refresh_before_expiry: Some(Duration::from_secs(60)),
        ..Default::default()
    };
    let fraction = RefreshPolicy {
        refresh_in_last_fraction: Some(0.1),
        ..Default::default()
    };
    let none = RefreshPolicy::default();
    use Freshness::*;
    let cases: &[(&RefreshPolicy, Option<TokenState>, i64, Freshness)] = &[
        (&none, None, 0, Unusable),
        (&none, Some(state(0, None)), 1_000_000, Fresh),
        (&none, Some(state(0, Some(1000))), 999, Fresh),
        (&none, Some(state(0, Some(1000))), 1000, Unusable),
        (&ahead, Some(state(0, Some(1000))), 939, Fresh),
        (&ahead, Some(state(0, Some(1000))), 940, Stale),
        (&ahead, Some(state(0, Some(1000))), 999, Stale),
        (&ahead, Some(state(0, Some(1000))), 1001, Unusable),
        (&fraction, Some(state(0, Some(1000))), 899, Fresh),
        (&fraction, Some(state(0, Some(1000))), 900, Stale),
        (&fraction, Some(state(0, Some(1000))), 1000, Unusable),
    ];
    for (i, (policy, st, now, want)) in cases.iter().enumerate() {
        assert_eq!(freshness(st.as_ref(), policy, ts(*now)), *want, "case {i}");
    }
}

#[test]
fn token_state_debug_redacts_and_serde_round_trips() {
    let mut s = state(0, Some(10));
    s.access_token = "secret-access".into();
    s.refresh_token = Some("secret-refresh".into());
    s.extra.insert("user_id".into(), "8".into());
    let dbg = format!("{s:?}");
    assert!(!dbg.contains("secret-"), "{dbg}");
    let json = serde_json::to_string(&s).unwrap();
    let back: TokenState = serde_json::from_str(&json).unwrap();
    assert_eq!(back.access_token.expose_secret(), "secret-access");
    assert_eq!(
        back.refresh_token.unwrap().expose_secret(),
        "secret-refresh"
    );
    assert_eq!(back.extra["user_id"], "8");
}

/// A token endpoint without HTTP: counts calls, takes `delay` of (tokio) time.
struct FakeRunner {
    calls: AtomicUsize,
    log: SyncMutex<Vec<(&'static str, Vec<String>)>>,
    lifetime: i64,
    delay: Duration,
    refresh_fails_with: Option<RawCode>,
    /// Every grant fails with this HTTP status (after `delay`).
    fail_status: Option<u16>,
    /// The refresh grant hands out a new refresh token each time.
    rotate: bool,
}

impl FakeRunner {
    fn new(lifetime: i64) -> Self {
        FakeRunner {
            calls: AtomicUsize::new(0),
            log: SyncMutex::new(Vec::new()),
            lifetime,
            delay: Duration::from_millis(100),
            refresh_fails_with: None,
            fail_status: None,
            rotate: false,
        }
    }
    fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }
    fn grants(&self) -> Vec<&'static str> {
        self.log.lock().unwrap().iter().map(|(g, _)| *g).collect()
    }
}

impl GrantRunner<TestCode> for FakeRunner {
    async fn run_grant(
        &self,
        grant: &Grant,
        inputs: &[(&'static str, &str)],
        now: Timestamp,
    ) -> Result<TokenState, RenewalError> {
        let n = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
        self.log.lock().unwrap().push((
            grant.name,
            inputs.iter().map(|(_, v)| (*v).to_owned()).collect(),
        ));
        tokio::time::sleep(self.delay).await;
        let refused = |status, code: Option<&RawCode>| -> RenewalError {
            AuthError::TokenEndpoint {
                grant: grant.name,
                status,
                code: code.cloned(),
                raw_code: code.cloned(),
                message: None,
                body: Default::default(),
            }
            .into()
        };
        if let Some(status) = self.fail_status {
            return Err(refused(status, None));
        }
        if grant.name == "refresh"
            && let Some(code) = &self.refresh_fails_with
        {
            return Err(refused(200, Some(code)));
        }
        let gives_refresh = grant.name == "code" || (grant.name == "refresh" && self.rotate);
        Ok(TokenState {
            access_token: format!("t{n}").into(),
            expires_at: Some(add(now, Duration::from_secs(self.lifetime as u64))),
            obtained_at: now,
            refresh_token: gives_refresh.then(|| format!("r{n}").into()),
            refresh_expires_at: None,
            extra: BTreeMap::new(),
            grant: None,
        })
    }
}

fn grant(name: &'static str, inputs: &[&'static str]) -> Grant {
    Grant {
        name,
        method: reqwest::Method::POST,
        path: Some("/token"),
        encoding: Encoding::Form,
        fields: vec![],
        client_auth: vec![],
        inputs: inputs.to_vec(),
        send_auth_steps: false,
    }
}

fn spec(automatic: bool, refresh: bool, policy: RefreshPolicy) -> TokenSpec {
    TokenSpec {
        grants: vec![
            grant("auto", &[]),
            grant("code", &["code"]),
            grant("refresh", &["refresh_token"]),
        ],
        automatic: automatic.then_some("auto"),
        refresh_with: refresh.then_some("refresh"),
        interchangeable_grants: Vec::new(),
        authorize: None,
        response: TokenResponseSpec {
            enveloped: false,
            access_token: "access_token",
            expires_in: None,
            default_lifetime: None,
            refresh_token: None,
            refresh_token_lifetime: None,
            extra: vec![],
            error: None,
        },
        policy,
    }
}

/// Wall clock that follows tokio's (pausable) clock.
fn tokio_clock() -> Clock {
    let start = Instant::now();
    Arc::new(move || add(ts(0), start.elapsed()))
}

fn manager(spec: TokenSpec) -> (Arc<TokenManager>, Arc<MemoryTokenStore>) {
    let store = Arc::new(MemoryTokenStore::default());
    (
        Arc::new(TokenManager::new(spec, store.clone(), tokio_clock())),
        store,
    )
}

fn token(s: &TokenState) -> &str {
    s.access_token.expose_secret()
}

async fn stored(store: &dyn TokenStore) -> Option<TokenState> {
    store.load().await.unwrap().map(|s| s.state)
}

async fn current(
    tm: &TokenManager,
    runner: &Arc<FakeRunner>,
) -> Result<TokenState, Error<TestCode>> {
    tm.current::<TestCode, _>(runner, None).await
}

/// Runs `n` concurrent `current` calls; returns each result and how long it waited.
async fn herd(
    tm: &Arc<TokenManager>,
    runner: &Arc<FakeRunner>,
    n: usize,
) -> Vec<(Result<String, Error<TestCode>>, Duration)> {
    let tasks: Vec<_> = (0..n)
        .map(|_| {
            let (tm, runner) = (tm.clone(), runner.clone());
            tokio::spawn(async move {
                let start = Instant::now();
                let r = current(&tm, &runner).await.map(|s| token(&s).to_owned());
                (r, start.elapsed())
            })
        })
        .collect();
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await.unwrap());
    }
    out
}

#[tokio::test(start_paused = true)]
async fn cold_herd_of_1000_is_one_request() {
    let (tm, _) = manager(spec(true, false, RefreshPolicy::default()));
    let runner = Arc::new(FakeRunner::new(3600));
    for (r, _) in herd(&tm, &runner, 1000).await {
        assert_eq!(r.unwrap(), "t1");
    }
    assert_eq!(runner.calls(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_failing_endpoint_is_asked_once_and_every_waiter_gets_the_typed_error() {
    let policy = RefreshPolicy {
        min_interval: Some(Duration::from_secs(5)),
        ..Default::default()
    };
    let (tm, _) = manager(spec(true, false, policy));
    let mut runner = FakeRunner::new(3600);
    runner.delay = Duration::from_millis(200);
    runner.fail_status = Some(503);
    let runner = Arc::new(runner);
    for (r, waited) in herd(&tm, &runner, 50).await {
        let err = r.unwrap_err();
        assert!(
            matches!(&err, Error::Auth(a) if matches!(**a, AuthError::TokenEndpoint { status: 503, .. })),
            "{err:?}"
        );
        assert_eq!(err.class(), ErrorClass::Retryable);
        assert!(waited <= Duration::from_millis(200), "{waited:?}");
    }
    assert_eq!(runner.calls(), 1);
    // Remembered for the backoff window (never below the 5 s minimum interval): fail fast.
    tokio::time::advance(Duration::from_secs(4)).await;
    let start = Instant::now();
    let err = current(&tm, &runner).await.unwrap_err();
    assert_eq!(err.class(), ErrorClass::Retryable);
    assert_eq!((runner.calls(), start.elapsed()), (1, Duration::ZERO));
    // After the window, one new request.
    tokio::time::advance(Duration::from_secs(2)).await;
    current(&tm, &runner).await.unwrap_err();
    assert_eq!(runner.calls(), 2);
}

#[test]
fn backoff_grows_is_jittered_and_never_below_the_min_interval() {
    let core = |min: Option<u64>| move |f| manager::backoff(f, min.map(Duration::from_secs));
    let plain = core(None);
    for failures in 1..=10u32 {
        let full = Duration::from_secs(1u64 << (failures - 1)).min(Duration::from_secs(60));
        let windows: Vec<_> = (0..50).map(|_| plain(failures)).collect();
        assert!(
            windows.iter().all(|w| *w >= full / 2 && *w <= full),
            "{failures}: {windows:?}"
        );
        if failures >= 2 {
            assert!(windows.iter().any(|w| *w != windows[0]), "jittered");
        }
    }
    let rate_limited = core(Some(60));
    assert!((1..=10).all(|f| rate_limited(f) >= Duration::from_secs(60)));
}

#[tokio::test(start_paused = true)]
async fn refresh_ahead_runs_in_the_background_and_no_holder_waits() {
    let policy = RefreshPolicy {
        refresh_before_expiry: Some(Duration::from_secs(60)),
        ..Default::default()
    };
    let (tm, _) = manager(spec(true, false, policy));
    let mut runner = FakeRunner::new(600);
    runner.delay = Duration::from_millis(1500);
    let runner = Arc::new(runner);
    assert_eq!(token(&current(&tm, &runner).await.unwrap()), "t1");
    tokio::time::advance(Duration::from_secs(545)).await; // 55 s before expiry: due
    for (r, waited) in herd(&tm, &runner, 20).await {
        assert_eq!(r.unwrap(), "t1");
        assert_eq!(waited, Duration::ZERO);
    }
    tokio::time::sleep(Duration::from_millis(1600)).await;
    assert_eq!(runner.calls(), 2, "one background renewal");
    assert_eq!(token(&current(&tm, &runner).await.unwrap()), "t2");
}

#[tokio::test(start_paused = true)]
async fn a_cancelled_caller_does_not_cancel_the_renewal_nor_lose_the_request_stamp() {
    let policy = RefreshPolicy {
        min_interval: Some(Duration::from_secs(60)),
        ..Default::default()
    };
    let (tm, store) = manager(spec(true, false, policy));
    let runner = Arc::new(FakeRunner::new(30));
    // The only caller gives up 10 ms into the 100 ms token request.
    let gave_up = tokio::time::timeout(Duration::from_millis(10), current(&tm, &runner)).await;
    assert!(gave_up.is_err());
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(runner.calls(), 1);
    assert_eq!(
        token(&stored(&*store).await.unwrap()),
        "t1",
        "finished and saved"
    );
    // The stamp taken before sending is there: the next (needed) request waits out 60 s.
    assert!(store.last_request().await.unwrap().unwrap() <= ts(1));
    tokio::time::advance(Duration::from_secs(31)).await; // t1 expired
    let start = Instant::now();
    assert_eq!(token(&current(&tm, &runner).await.unwrap()), "t2");
    assert!(
        start.elapsed() >= Duration::from_secs(28),
        "{:?}",
        start.elapsed()
    );
}

#[tokio::test(start_paused = true)]
async fn the_request_is_stamped_before_it_is_sent() {
    let policy = RefreshPolicy {
        min_interval: Some(Duration::from_secs(60)),
        ..Default::default()
    };
    let (tm, store) = manager(spec(true, false, policy));
    let mut runner = FakeRunner::new(30);
    runner.delay = Duration::from_secs(3600); // never answers in this test
    let runner = Arc::new(runner);
    let pending = current(&tm, &runner).boxed();
    assert!(
        tokio::time::timeout(Duration::from_millis(5), pending)
            .await
            .is_err()
    );
    assert_eq!(runner.calls(), 1);
    assert_eq!(store.last_request().await.unwrap(), Some(ts(0)));
}

#[tokio::test(start_paused = true)]
async fn expired_token_is_replaced_and_stale_refreshed_ahead() {
    let policy = RefreshPolicy {
        refresh_before_expiry: Some(Duration::from_secs(60)),
        ..Default::default()
    };
    let (tm, _) = manager(spec(true, false, policy));
    let runner = Arc::new(FakeRunner::new(600));
    assert_eq!(token(&current(&tm, &runner).await.unwrap()), "t1");
    tokio::time::advance(Duration::from_secs(500)).await;
    assert_eq!(token(&current(&tm, &runner).await.unwrap()), "t1");
    tokio::time::advance(Duration::from_secs(50)).await; // 60 s before expiry: ahead
    assert_eq!(token(&current(&tm, &runner).await.unwrap()), "t1");
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(token(&current(&tm, &runner).await.unwrap()), "t2");
    tokio::time::advance(Duration::from_secs(700)).await; // expired
    assert_eq!(token(&current(&tm, &runner).await.unwrap()), "t3");
    assert_eq!(runner.calls(), 3);
}

#[tokio::test(start_paused = true)]
async fn min_interval_reuses_stale_and_waits_for_needed_fetch() {
    let policy = RefreshPolicy {
        refresh_in_last_fraction: Some(0.5),
        min_interval: Some(Duration::from_secs(60)),
        ..Default::default()
    };
    let (tm, _) = manager(spec(true, false, policy));
    let runner = Arc::new(FakeRunner::new(40));
    let start = Instant::now();
    assert_eq!(token(&current(&tm, &runner).await.unwrap()), "t1");
    // Stale (last half of 40 s) but the endpoint was called < 60 s ago: reuse.
    tokio::time::advance(Duration::from_secs(30)).await;
    assert_eq!(token(&current(&tm, &runner).await.unwrap()), "t1");
    assert_eq!(runner.calls(), 1);
    // Expired at 40 s: a fetch is needed but must wait until 60 s after the first answer.
    tokio::time::advance(Duration::from_secs(15)).await;
    assert_eq!(token(&current(&tm, &runner).await.unwrap()), "t2");
    assert_eq!(runner.calls(), 2);
    let first_request_done = Duration::from_millis(100);
    assert!(start.elapsed() >= Duration::from_secs(60) + first_request_done);
    assert!(start.elapsed() < Duration::from_secs(61));
}

#[tokio::test(start_paused = true)]
async fn min_interval_override_waits_between_renewals() {
    let store = Arc::new(MemoryTokenStore::default());
    let mut tm = TokenManager::new(
        spec(true, false, RefreshPolicy::default()),
        store,
        tokio_clock(),
    );
    tm.set_min_interval(Duration::from_secs(5));
    let runner = Arc::new(FakeRunner::new(3600));
    let start = Instant::now();
    let t1 = current(&tm, &runner).await.unwrap();
    let t2 = tm.renew::<TestCode, _>(&runner, &t1, None).await.unwrap();
    assert_eq!(token(&t2), "t2");
    assert!(start.elapsed() >= Duration::from_secs(5));
}

#[tokio::test(start_paused = true)]
async fn renew_only_replaces_the_failed_token() {
    let (tm, _) = manager(spec(true, false, RefreshPolicy::default()));
    let runner = Arc::new(FakeRunner::new(3600));
    let t1 = current(&tm, &runner).await.unwrap();
    let t2 = tm.renew::<TestCode, _>(&runner, &t1, None).await.unwrap();
    assert_eq!(token(&t2), "t2");
    // A second caller that also saw t1 fail reuses t2.
    let again = tm.renew::<TestCode, _>(&runner, &t1, None).await.unwrap();
    assert_eq!(token(&again), "t2");
    assert_eq!(runner.calls(), 2);
}

#[tokio::test(start_paused = true)]
async fn refresh_grant_uses_refresh_token_and_keeps_it() {
    let (tm, store) = manager(spec(false, true, RefreshPolicy::default()));
    let runner = Arc::new(FakeRunner::new(100));
    let code = grant("code", &["code"]);
    let s = tm
        .exchange::<TestCode, _>(&runner, &code, &[("code", "abc")])
        .await
        .unwrap();
    assert_eq!(
        s.refresh_token.as_ref().map(|t| t.expose_secret()),
        Some("r1")
    );
    tokio::time::advance(Duration::from_secs(200)).await;
    let s = current(&tm, &runner).await.unwrap();
    assert_eq!(token(&s), "t2");
    assert_eq!(runner.grants(), ["code", "refresh"]);
    assert_eq!(runner.log.lock().unwrap()[1].1, ["r1"]);
    // Not rotated by the server: the old refresh token is kept (and persisted).
    assert_eq!(
        stored(&*store)
            .await
            .unwrap()
            .refresh_token
            .map(|t| t.expose_secret().to_owned()),
        Some("r1".to_owned())
    );
}

#[tokio::test(start_paused = true)]
async fn rejected_refresh_token_clears_state_and_requires_reauthorization() {
    let (tm, store) = manager(spec(false, true, RefreshPolicy::default()));
    let mut runner = FakeRunner::new(100);
    runner.refresh_fails_with = Some(RawCode::Str("dead".into()));
    let runner = Arc::new(runner);
    tm.exchange::<TestCode, _>(&runner, &grant("code", &["code"]), &[("code", "c")])
        .await
        .unwrap();
    tokio::time::advance(Duration::from_secs(200)).await;
    let err = current(&tm, &runner).await.unwrap_err();
    assert!(
        matches!(err, Error::Auth(ref a) if matches!(**a, AuthError::ReauthorizationRequired { .. }))
    );
    assert!(stored(&*store).await.is_none());
    assert!(tm.state().await.is_none());
}

#[tokio::test(start_paused = true)]
async fn expired_refresh_token_requires_reauthorization_without_a_request() {
    let (tm, store) = manager(spec(false, true, RefreshPolicy::default()));
    let runner = Arc::new(FakeRunner::new(100));
    let mut s = state(-1000, Some(10));
    s.refresh_token = Some("r".into());
    s.refresh_expires_at = Some(ts(-1));
    tm.set_state(s).await;
    let err = current(&tm, &runner).await.unwrap_err();
    assert_eq!(err.class(), ErrorClass::Reauthorize);
    assert_eq!(runner.calls(), 0);
    assert!(stored(&*store).await.is_none());
}

#[tokio::test(start_paused = true)]
async fn no_grant_to_renew_requires_reauthorization() {
    let (tm, _) = manager(spec(false, false, RefreshPolicy::default()));
    let runner = Arc::new(FakeRunner::new(100));
    let err = current(&tm, &runner).await.unwrap_err();
    assert_eq!(err.class(), ErrorClass::Reauthorize);
    assert_eq!(runner.calls(), 0);
}

#[tokio::test(start_paused = true)]
async fn failed_refresh_ahead_keeps_the_valid_token() {
    let policy = RefreshPolicy {
        refresh_before_expiry: Some(Duration::from_secs(60)),
        ..Default::default()
    };
    let (tm, store) = manager(spec(false, true, policy));
    let mut runner = FakeRunner::new(100);
    runner.refresh_fails_with = Some(RawCode::Str("dead".into()));
    let runner = Arc::new(runner);
    tm.exchange::<TestCode, _>(&runner, &grant("code", &["code"]), &[("code", "c")])
        .await
        .unwrap();
    tokio::time::advance(Duration::from_secs(50)).await;
    assert_eq!(token(&current(&tm, &runner).await.unwrap()), "t1");
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(stored(&*store).await.is_some());
    // Retried at most every AHEAD_RETRY while the token still works.
    assert_eq!(token(&current(&tm, &runner).await.unwrap()), "t1");
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(runner.calls(), 2);
}

/// A store whose saves fail while `failing` is set.
#[derive(Default)]
struct FlakyStore {
    inner: MemoryTokenStore,
    failing: AtomicBool,
}

impl TokenStore for FlakyStore {
    fn load(&self) -> StoreFuture<'_, Option<Stored>> {
        self.inner.load()
    }
    fn save<'a>(&'a self, state: &'a TokenState, fence: u64) -> StoreFuture<'a, Saved> {
        if self.failing.load(Ordering::SeqCst) {
            return async { Err(StoreError::new("save", "disk full")) }.boxed();
        }
        self.inner.save(state, fence)
    }
    fn clear(&self, fence: u64) -> StoreFuture<'_, ()> {
        self.inner.clear(fence)
    }
}

/// A token obtained by exchange (t1/r1) and expired since, from a runner that rotates refresh
/// tokens, over a store that can be made to fail.
async fn expired_rotating_token() -> (Arc<FlakyStore>, TokenManager, Arc<FakeRunner>) {
    let store = Arc::new(FlakyStore::default());
    let tm = TokenManager::new(
        spec(false, true, RefreshPolicy::default()),
        store.clone(),
        tokio_clock(),
    );
    let mut runner = FakeRunner::new(100);
    runner.rotate = true;
    let runner = Arc::new(runner);
    tm.exchange::<TestCode, _>(&runner, &grant("code", &["code"]), &[("code", "c")])
        .await
        .unwrap();
    tokio::time::advance(Duration::from_secs(200)).await;
    (store, tm, runner)
}

#[tokio::test(start_paused = true)]
async fn a_rotated_refresh_token_that_cannot_be_saved_fails_the_renewal_and_is_kept() {
    let (store, tm, runner) = expired_rotating_token().await;
    store.failing.store(true, Ordering::SeqCst);
    let err = current(&tm, &runner).await.unwrap_err();
    assert!(
        matches!(&err, Error::Auth(a) if matches!(**a, AuthError::Store(_))),
        "{err:?}"
    );
    assert_eq!(err.class(), ErrorClass::Retryable);
    assert!(
        !format!("{err} {err:?}").contains("r2"),
        "no token in the error"
    );
    // The store still has r1; the rotated r2 lives on in memory and is saved first next time.
    let in_store = stored(&*store).await.unwrap();
    assert_eq!(in_store.refresh_token.unwrap().expose_secret(), "r1");
    store.failing.store(false, Ordering::SeqCst);
    let s = current(&tm, &runner).await.unwrap();
    assert_eq!(token(&s), "t2");
    assert_eq!(
        runner.calls(),
        2,
        "no new request: the kept state is saved and used"
    );
    let in_store = stored(&*store).await.unwrap();
    assert_eq!(in_store.refresh_token.unwrap().expose_secret(), "r2");
}

/// Two managers sharing one store behave as two replicas sharing Redis.
#[tokio::test(start_paused = true)]
async fn replicas_sharing_a_store_make_one_request_and_respect_the_min_interval() {
    let policy = RefreshPolicy {
        min_interval: Some(Duration::from_secs(60)),
        ..Default::default()
    };
    let store = Arc::new(MemoryTokenStore::default());
    let replicas: Vec<_> = (0..4)
        .map(|_| {
            Arc::new(TokenManager::new(
                spec(true, false, policy.clone()),
                store.clone(),
                tokio_clock(),
            ))
        })
        .collect();
    let runner = Arc::new(FakeRunner::new(30));
    let mut all = Vec::new();
    for tm in &replicas {
        all.extend(
            herd(tm, &runner, 25)
                .await
                .into_iter()
                .map(|(r, _)| r.unwrap()),
        );
    }
    assert!(all.iter().all(|t| t == "t1"), "{all:?}");
    assert_eq!(runner.calls(), 1);
    // t1 expires at 30 s; the next request anywhere waits until 60 s after the first.
    tokio::time::advance(Duration::from_secs(31)).await;
    let start = Instant::now();
    let tasks: Vec<_> = replicas
        .iter()
        .map(|tm| {
            let (tm, runner) = (tm.clone(), runner.clone());
            tokio::spawn(async move { token(&current(&tm, &runner).await.unwrap()).to_owned() })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.unwrap(), "t2");
    }
    assert_eq!(runner.calls(), 2);
    assert!(
        start.elapsed() >= Duration::from_secs(29),
        "{:?}",
        start.elapsed()
    );
}

/// The in-memory store keeps the shared-store protocol (the same check the Redis store runs).
#[tokio::test(start_paused = true)]
async fn the_memory_store_keeps_the_store_protocol() {
    let store = MemoryTokenStore::default();
    let outlive = || tokio::time::advance(Duration::from_secs(2));
    assert_eq!(
        check_store_protocol(&store, Duration::from_secs(1), outlive).await,
        Ok(())
    );
}

/// A store that writes whatever it is given, whatever the fence: the check must catch it.
struct IgnoresFences(MemoryTokenStore);

impl TokenStore for IgnoresFences {
    fn load(&self) -> StoreFuture<'_, Option<Stored>> {
        self.0.load()
    }
    fn save<'a>(&'a self, state: &'a TokenState, _fence: u64) -> StoreFuture<'a, Saved> {
        async move {
            let newest = self.0.load().await?.map_or(0, |s| s.fence);
            self.0.save(state, newest).await
        }
        .boxed()
    }
    fn clear(&self, fence: u64) -> StoreFuture<'_, ()> {
        self.0.clear(fence)
    }
    fn try_lock(&self, ttl: Duration) -> StoreFuture<'_, Option<Lease>> {
        self.0.try_lock(ttl)
    }
    fn unlock<'a>(&'a self, lease: &'a Lease) -> StoreFuture<'a, ()> {
        self.0.unlock(lease)
    }
}

#[tokio::test(start_paused = true)]
async fn the_store_protocol_check_catches_a_store_that_ignores_fences() {
    let store = IgnoresFences(MemoryTokenStore::default());
    let outlive = || tokio::time::advance(Duration::from_secs(2));
    assert_eq!(
        check_store_protocol(&store, Duration::from_secs(1), outlive).await,
        Err("a save under an outlived fence was not refused".into())
    );
    // A one-process store (the trait's default lock) is not fit to share, and the check says so.
    struct OneProcess(MemoryTokenStore);
    impl TokenStore for OneProcess {
        fn load(&self) -> StoreFuture<'_, Option<Stored>> {
            self.0.load()
        }
        fn save<'a>(&'a self, state: &'a TokenState, fence: u64) -> StoreFuture<'a, Saved> {
            self.0.save(state, fence)
        }
        fn clear(&self, fence: u64) -> StoreFuture<'_, ()> {
            self.0.clear(fence)
        }
    }
    let one = OneProcess(MemoryTokenStore::default());
    assert_eq!(
        check_store_protocol(&one, Duration::from_secs(1), outlive).await,
        Err("a held lock was granted again".into())
    );
}

/// Records every event's message and fields as text.
#[derive(Clone, Default)]
struct Recorder(Arc<SyncMutex<String>>);

impl tracing::field::Visit for Recorder {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        let line = format!(" {}={value:?}", field.name());
        self.0.lock().unwrap().push_str(&line);
    }
}

impl tracing::Subscriber for Recorder {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        self.0.lock().unwrap().push('\n');
        event.record(&mut self.clone());
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

/// A global subscriber that records nothing but keeps every callsite's interest at
/// "sometimes". Without it, a callsite first reached on another test's thread (no subscriber
/// there) could be cached process-wide as "never" while this test installed its own, and the
/// event was lost (tracing's interest cache races with `set_default`): a flaky test.
struct DynamicInterest;

impl tracing::Subscriber for DynamicInterest {
    fn register_callsite(
        &self,
        _: &'static tracing::Metadata<'static>,
    ) -> tracing::subscriber::Interest {
        tracing::subscriber::Interest::sometimes()
    }
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        false
    }
    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, _: &tracing::Event<'_>) {}
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

/// Renewal events name the grant and the outcome, never a token.
#[tokio::test(start_paused = true)]
async fn renewal_events_carry_no_token() {
    static GLOBAL: std::sync::Once = std::sync::Once::new();
    GLOBAL.call_once(|| {
        let _ = tracing::subscriber::set_global_default(DynamicInterest);
    });
    let recorder = Recorder::default();
    let _guard = tracing::subscriber::set_default(recorder.clone());
    let (store, tm, runner) = expired_rotating_token().await;
    store.failing.store(true, Ordering::SeqCst); // the store-failure event too
    current(&tm, &runner).await.unwrap_err();
    let log = recorder.0.lock().unwrap().clone();
    assert!(log.contains("grant=\"refresh\""), "{log}");
    assert!(log.contains("token obtained"), "{log}");
    assert!(log.contains("could not be saved"), "{log}");
    // Tokens handed out: t1/r1 (exchange), t2/r2 (refresh).
    for secret in [
        "\"t1\"", "\"t2\"", "\"r1\"", "\"r2\"", "=t1", "=t2", "=r1", "=r2",
    ] {
        assert!(!log.contains(secret), "{secret} in {log}");
    }
}

/// A token wait that would end past the caller's deadline fails at once, saying when a
/// token can next be requested: the backoff window after a failure, and the vendor's
/// minimum interval after a rejected token. A wait that ends in time is still waited.
#[tokio::test(start_paused = true)]
async fn a_token_wait_past_the_deadline_fails_at_once_saying_when() {
    let policy = RefreshPolicy {
        min_interval: Some(Duration::from_secs(60)),
        ..Default::default()
    };
    let (tm, _) = manager(spec(true, false, policy));
    let mut runner = FakeRunner::new(3600);
    runner.fail_status = Some(503);
    let runner = Arc::new(runner);
    current(&tm, &runner).await.unwrap_err();
    let clock = tokio_clock();
    let soon = Some(Instant::now() + Duration::from_secs(5));
    let err = tm.current::<TestCode, _>(&runner, soon).await.unwrap_err();
    let Error::Auth(a) = &err else {
        panic!("{err:?}")
    };
    let AuthError::NoTokenBeforeDeadline {
        next_request_at,
        reason,
    } = &**a
    else {
        panic!("{err:?}")
    };
    assert!(
        *next_request_at >= add(clock(), Duration::from_secs(59)),
        "{err}"
    );
    assert!(reason.contains("last token request failed"), "{err}");
    assert_eq!(runner.calls(), 1);

    // The endpoint recovers; the first token is rejected by the server right away.
    tokio::time::advance(Duration::from_secs(61)).await;
    let mut healthy = FakeRunner::new(3600);
    healthy.delay = Duration::ZERO;
    let healthy = Arc::new(healthy);
    let t1 = current(&tm, &healthy).await.unwrap();
    let started = Instant::now();
    let err = tm
        .renew::<TestCode, _>(&healthy, &t1, Some(Instant::now() + Duration::from_secs(5)))
        .await
        .unwrap_err();
    assert_eq!(started.elapsed(), Duration::ZERO);
    assert!(
        err.to_string().contains("one token request per 60s"),
        "{err}"
    );
    assert_eq!(healthy.calls(), 1);
    // With a deadline past the interval the renewal waits for it.
    let t2 = tm
        .renew::<TestCode, _>(
            &healthy,
            &t1,
            Some(Instant::now() + Duration::from_secs(90)),
        )
        .await
        .unwrap();
    assert_ne!(token(&t2), token(&t1));
    assert!(started.elapsed() >= Duration::from_secs(59));
}

/// A renewal's failure is shared by value: every waiter gets the whole typed error — code
/// classified by its own table, raw code, message and body — not a description of it.
#[test]
fn a_renewal_error_reaches_every_waiter_whole() {
    let shared: RenewalError = AuthError::TokenEndpoint {
        grant: "auto",
        status: 400,
        code: Some(RawCode::Str("invalid_grant".into())),
        raw_code: Some(RawCode::Str("invalid_grant".into())),
        message: Some("refresh token revoked".into()),
        body: crate::error::RawBody::new(bytes::Bytes::from_static(
            br#"{"error":"invalid_grant"}"#,
        )),
    }
    .into();
    let waiters: Vec<Error<TestCode>> = (0..3).map(|_| shared.clone().into_error()).collect();
    for e in &waiters {
        assert_eq!(
            e.code(),
            Some(&TestCode::Known(
                RawCode::Str("invalid_grant".into()),
                ErrorClass::Reauthorize
            )),
            "{e:?}"
        );
        assert_eq!(e.class(), ErrorClass::Reauthorize);
        assert_eq!(
            e.raw_body().map(|b| b.as_bytes().to_vec()),
            Some(br#"{"error":"invalid_grant"}"#.to_vec())
        );
        assert!(e.to_string().contains("refresh token revoked"), "{e}");
    }
    assert_eq!(shared.class::<TestCode>(), ErrorClass::Reauthorize);
    // A refusal without a code stays without one (classified by status by the engine).
    let no_code: RenewalError = AuthError::TokenEndpoint {
        grant: "auto",
        status: 200,
        code: None,
        raw_code: None,
        message: None,
        body: Default::default(),
    }
    .into();
    assert_eq!(no_code.into_error::<TestCode>().code(), None);
}
