//! The token cache and its renewal.
//!
//! - The current token is read under a short `std` lock, never held across I/O or a sleep:
//!   callers holding a usable token never wait for a renewal.
//! - A renewal (a *flight*) runs in its own spawned task, so a caller that gives up drops only
//!   its handle; every waiter shares the flight's `Ok` or `Err`. One flight at a time.
//! - Refresh-ahead (token valid but due) starts a flight in the background and returns the
//!   current token.
//! - A failed token request is remembered for a backoff window (growing, jittered, never below
//!   the vendor's minimum interval): callers without a usable token fail fast with it.
//! - The time of a token request is recorded before it is sent and again when it is answered
//!   (vendors count their window from their answer), locally and in the store.
//! - A flight first looks in the store (another process may have renewed), then takes the
//!   store's renewal lock; a lock held elsewhere means waiting for that holder's token.
//! - A rotated refresh token is saved before the new access token is handed out; if that save
//!   fails, the flight fails (the new state is kept in memory and saved by the next flight).
//! - A store that fails otherwise is logged and bypassed: the client keeps its own copy, its
//!   own single flight and the minimum interval, and uses the store again when it answers.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use futures_util::future::{BoxFuture, FutureExt, Shared};
use jiff::Timestamp;
use secrecy::{ExposeSecret, SecretString};
use tokio::time::Instant;

use super::store::{Lease, Saved, StoreError, Stored, TokenStore};
use super::{
    Clock, Freshness, Grant, GrantRunner, RenewalError, TokenSpec, TokenState, add, freshness,
};
use crate::error::{AuthError, Error, ErrorClass, VendorCode};

/// A failed refresh-ahead is retried at most this often, so a down token endpoint does not
/// turn every call into a token request while the old token still works.
const AHEAD_RETRY: Duration = Duration::from_secs(10);
/// How long a renewal may hold the store's lock (covers one token request and its timeout).
const LOCK_TTL: Duration = Duration::from_secs(30);
/// Backoff after a failed token request: first window, cap (both before jitter).
const BACKOFF_BASE: Duration = Duration::from_secs(1);
const BACKOFF_CAP: Duration = Duration::from_secs(60);
/// Polling of the store while another process renews: first and longest pause.
const POLL_FIRST: Duration = Duration::from_millis(20);
const POLL_MAX: Duration = Duration::from_millis(500);

type FlightResult = Result<TokenState, RenewalError>;
type Flight = Shared<BoxFuture<'static, FlightResult>>;

/// What a flight is for.
enum Purpose {
    /// A token usable now (none held, expired, or rejected by the server).
    Usable,
    /// Refresh ahead: the held token still works; give up rather than wait.
    Ahead,
    /// Run this grant with caller inputs (authorization code, ...).
    Exchange(&'static str, Vec<(&'static str, SecretString)>),
}

/// What a renewal does.
enum Plan<'a> {
    Run(&'a Grant),
    Refresh(&'a Grant, SecretString),
    Reauthorize {
        reason: &'static str,
        clear: bool,
    },
    /// The only grant that could run would change whose token it is.
    OtherIdentity {
        origin: String,
        grant: &'static str,
    },
}

/// A remembered failure of a token request.
struct Failure {
    error: RenewalError,
    until: Timestamp,
}

struct Local {
    loaded: bool,
    current: Option<TokenState>,
    /// The fence `current` was stored under.
    fence: u64,
    /// An access token the server rejected: unusable even if not expired.
    rejected: Option<SecretString>,
    /// `current` holds a rotated refresh token the store has not accepted yet.
    unsaved: bool,
    /// When the token endpoint was last called or answered (any outcome), for `min_interval`.
    last_request: Option<Timestamp>,
    flight: Option<(u64, Flight)>,
    generation: u64,
    failure: Option<Failure>,
    failures: u32,
}

struct Core {
    spec: TokenSpec,
    store: Arc<dyn TokenStore>,
    clock: Clock,
    min_interval: Option<Duration>,
    local: Mutex<Local>,
}

/// Caches the token and renews it. See the module docs.
pub(crate) struct TokenManager {
    core: Arc<Core>,
}

impl std::fmt::Debug for TokenManager {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenManager").finish_non_exhaustive()
    }
}

impl TokenManager {
    pub(crate) fn new(spec: TokenSpec, store: Arc<dyn TokenStore>, clock: Clock) -> Self {
        let min_interval = spec.policy.min_interval;
        TokenManager {
            core: Arc::new(Core {
                spec,
                store,
                clock,
                min_interval,
                local: Mutex::new(Local {
                    loaded: false,
                    current: None,
                    fence: 0,
                    rejected: None,
                    unsaved: false,
                    last_request: None,
                    flight: None,
                    generation: 0,
                    failure: None,
                    failures: 0,
                }),
            }),
        }
    }

    /// Overrides the spec's minimum interval; only before the manager is shared.
    pub(crate) fn set_min_interval(&mut self, d: Duration) {
        if let Some(core) = Arc::get_mut(&mut self.core) {
            core.min_interval = Some(d);
        }
    }

    pub(crate) fn spec(&self) -> &TokenSpec {
        &self.core.spec
    }

    /// A usable token: the cached one, or the result of the (one) renewal in flight.
    pub(crate) async fn current<C: VendorCode, R: GrantRunner<C> + Send + Sync + 'static>(
        &self,
        runner: &Arc<R>,
        deadline: Option<Instant>,
    ) -> Result<TokenState, Error<C>> {
        let core = &self.core;
        let flight = {
            let now = core.now();
            let mut l = core.lock();
            if l.loaded && !l.unsaved {
                match (core.freshness(&l, now), l.current.clone()) {
                    (Freshness::Fresh, Some(held)) => return Ok(held),
                    (Freshness::Stale, Some(held)) => {
                        if core.ahead_due(&l, now) {
                            // Runs in its own task; this caller does not wait for it.
                            let _background = core.start(&mut l, runner, Purpose::Ahead);
                        }
                        return Ok(held);
                    }
                    _ => {}
                }
            }
            core.reachable_by(&l, now, deadline)?;
            match core.join_or_fail_fast(&l, now) {
                Some(joined) => joined?,
                None => core.start(&mut l, runner, Purpose::Usable),
            }
        };
        flight.await.map_err(RenewalError::into_error)
    }

    /// Renews after the server rejected `failed`, unless someone already replaced it.
    pub(crate) async fn renew<C: VendorCode, R: GrantRunner<C> + Send + Sync + 'static>(
        &self,
        runner: &Arc<R>,
        failed: &TokenState,
        deadline: Option<Instant>,
    ) -> Result<TokenState, Error<C>> {
        let core = &self.core;
        let failed_token = failed.access_token.expose_secret();
        // A flight that read the store just before the rejection may still hand out the
        // rejected token: then one more flight.
        let mut attempts = 0;
        loop {
            attempts += 1;
            let flight = {
                let now = core.now();
                let mut l = core.lock();
                match &l.current {
                    Some(cur)
                        if cur.access_token.expose_secret() != failed_token
                            && core.freshness(&l, now) != Freshness::Unusable
                            && !l.unsaved =>
                    {
                        return Ok(cur.clone());
                    }
                    Some(cur) if cur.access_token.expose_secret() == failed_token => {
                        l.rejected = Some(failed.access_token.clone());
                    }
                    _ => {}
                }
                core.reachable_by(&l, now, deadline)?;
                match core.join_or_fail_fast(&l, now) {
                    Some(joined) => joined?,
                    None => core.start(&mut l, runner, Purpose::Usable),
                }
            };
            let state = flight.await.map_err(RenewalError::into_error)?;
            if attempts >= 2 || state.access_token.expose_secret() != failed_token {
                return Ok(state);
            }
        }
    }

    /// Runs a named grant with caller inputs (e.g. `authorization_code`) and keeps the result.
    pub(crate) async fn exchange<C: VendorCode, R: GrantRunner<C> + Send + Sync + 'static>(
        &self,
        runner: &Arc<R>,
        grant: &Grant,
        inputs: &[(&'static str, &str)],
    ) -> Result<TokenState, Error<C>> {
        let core = &self.core;
        let inputs: Vec<_> = inputs
            .iter()
            .map(|(k, v)| (*k, SecretString::from(*v)))
            .collect();
        loop {
            let (running, flight) = {
                let mut l = core.lock();
                match &l.flight {
                    Some((_, f)) => (true, f.clone()),
                    None => {
                        let purpose = Purpose::Exchange(grant.name, inputs.clone());
                        (false, core.start(&mut l, runner, purpose))
                    }
                }
            };
            let result = flight.await;
            if !running {
                return result.map_err(RenewalError::into_error);
            }
        }
    }

    /// The current token state (loaded from the store on first use).
    pub(crate) async fn state(&self) -> Option<TokenState> {
        let core = &self.core;
        if !core.lock().loaded {
            core.refresh_from_store().await;
        }
        core.lock().current.clone()
    }

    /// Replaces the token state (restored by the application) and saves it.
    pub(crate) async fn set_state(&self, state: TokenState) {
        let core = &self.core;
        {
            let mut l = core.lock();
            l.loaded = true;
            l.current = Some(state.clone());
            l.rejected = None;
            l.unsaved = false;
            l.failure = None;
            l.failures = 0;
        }
        let lease = core.try_lock(LOCK_TTL).await.ok().flatten();
        let fence = lease
            .as_ref()
            .map_or_else(|| core.lock().fence, |lease| lease.fence);
        core.save(&state, fence, false).await.ok();
        if let Some(lease) = lease {
            core.unlock(&lease).await;
        }
    }
}

impl Core {
    fn now(&self) -> Timestamp {
        (self.clock)()
    }

    fn lock(&self) -> MutexGuard<'_, Local> {
        self.local.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn freshness(&self, l: &Local, now: Timestamp) -> Freshness {
        let rejected = match (&l.current, &l.rejected) {
            (Some(cur), Some(bad)) => cur.access_token.expose_secret() == bad.expose_secret(),
            _ => false,
        };
        if rejected {
            Freshness::Unusable
        } else {
            freshness(l.current.as_ref(), &self.spec.policy, now)
        }
    }

    /// Refresh-ahead runs at most once per `max(min_interval, AHEAD_RETRY)`, never beside
    /// another flight, and not while a failure is remembered.
    fn ahead_due(&self, l: &Local, now: Timestamp) -> bool {
        let wait = self.min_interval.unwrap_or_default().max(AHEAD_RETRY);
        l.flight.is_none()
            && l.failure.as_ref().is_none_or(|f| now >= f.until)
            && l.last_request.is_none_or(|t| now >= add(t, wait))
    }

    /// Fails at once when no token request can be sent before `deadline`: the vendor's
    /// minimum interval since this process's last token request, or the backoff window after a
    /// failed one, ends later. A flight in progress waits out the same interval, so it cannot
    /// deliver in time either. (The store's shared stamp is not consulted: another process's
    /// token may reach the store sooner.)
    fn reachable_by<C: VendorCode>(
        &self,
        l: &Local,
        now: Timestamp,
        deadline: Option<Instant>,
    ) -> Result<(), Error<C>> {
        // The call's deadline on the token clock; converted only here, where a token request
        // is about to be sent or joined, not on every call with a cached token.
        let Some(deadline) =
            deadline.map(|d| add(now, d.saturating_duration_since(Instant::now())))
        else {
            return Ok(());
        };
        if let Some(f) = l.failure.as_ref().filter(|f| f.until > deadline) {
            return Err(AuthError::NoTokenBeforeDeadline {
                next_request_at: f.until,
                reason: format!("the last token request failed: {}", f.error),
            }
            .into());
        }
        if let (Some(min), Some(last)) = (self.min_interval, l.last_request) {
            let next = add(last, min);
            if next > deadline && next > now {
                return Err(AuthError::NoTokenBeforeDeadline {
                    next_request_at: next,
                    reason: format!(
                        "the vendor allows one token request per {}s; the last was at {last}",
                        min.as_secs_f64()
                    ),
                }
                .into());
            }
        }
        Ok(())
    }

    /// The flight in progress, or the remembered failure while its window lasts.
    #[allow(clippy::type_complexity)]
    fn join_or_fail_fast<C: VendorCode>(
        &self,
        l: &Local,
        now: Timestamp,
    ) -> Option<Result<Flight, Error<C>>> {
        if let Some((_, flight)) = &l.flight {
            return Some(Ok(flight.clone()));
        }
        match &l.failure {
            Some(f) if now < f.until => Some(Err(f.error.clone().into_error())),
            _ => None,
        }
    }

    /// Starts a flight in its own task; the caller holds the local lock, so the flight is
    /// registered before the task can finish.
    fn start<C: VendorCode, R: GrantRunner<C> + Send + Sync + 'static>(
        self: &Arc<Self>,
        l: &mut Local,
        runner: &Arc<R>,
        purpose: Purpose,
    ) -> Flight {
        l.generation += 1;
        let generation = l.generation;
        let (core, runner) = (self.clone(), runner.clone());
        let task = tokio::spawn(async move {
            let _clear = ClearFlight {
                core: core.clone(),
                generation,
            };
            core.fly(&*runner, purpose).await
        });
        let flight = async move {
            task.await.unwrap_or_else(|_| {
                Err(RenewalError::Config(
                    "the token renewal task stopped before it finished".into(),
                ))
            })
        }
        .boxed()
        .shared();
        l.flight = Some((generation, flight.clone()));
        flight
    }

    /// One flight: the store first, then (if still needed) one token request.
    async fn fly<C: VendorCode, R: GrantRunner<C>>(
        &self,
        runner: &R,
        purpose: Purpose,
    ) -> FlightResult {
        // A failed exchange is the caller's to handle; automatic renewals back off.
        let mut requested = false;
        let automatic = !matches!(purpose, Purpose::Exchange(..));
        let result = self.obtain(runner, &purpose, &mut requested).await;
        let now = self.now();
        let mut l = self.lock();
        match &result {
            Ok(_) => {
                l.failure = None;
                l.failures = 0;
            }
            Err(e) if automatic && requested && !e.is_store() => {
                l.failures = l.failures.saturating_add(1);
                let window = backoff(l.failures, self.min_interval);
                tracing::warn!(
                    class = ?e.class::<C>(),
                    retry_after_ms = window.as_millis() as u64,
                    "token renewal failed; callers without a usable token fail fast until then"
                );
                l.failure = Some(Failure {
                    error: e.clone(),
                    until: add(now, window),
                });
            }
            Err(_) => {}
        }
        result
    }

    async fn obtain<C: VendorCode, R: GrantRunner<C>>(
        &self,
        runner: &R,
        purpose: &Purpose,
        requested: &mut bool,
    ) -> Result<TokenState, RenewalError> {
        if let Some(done) = self.save_unsaved().await {
            return done;
        }
        self.refresh_from_store().await;
        let mut pause = POLL_FIRST;
        let lease = loop {
            if let Some(held) = self.satisfied(purpose) {
                return Ok(held);
            }
            let wait = self.interval_wait().await;
            if !wait.is_zero() {
                if let Purpose::Ahead = purpose {
                    return self.held().ok_or_else(no_token);
                }
                // Someone requested a token recently (maybe another process, whose token
                // may be on its way): look in the store while waiting out the interval.
                tokio::time::sleep(wait.min(pause)).await;
                pause = (pause * 2).min(POLL_MAX);
                self.refresh_from_store().await;
                continue;
            }
            match self.try_lock(LOCK_TTL).await {
                Ok(Some(lease)) => {
                    // Double-check under the lock: another process may just have renewed.
                    self.refresh_from_store().await;
                    if self.satisfied(purpose).is_some() || !self.interval_wait().await.is_zero() {
                        self.unlock(&lease).await;
                        continue;
                    }
                    break Some(lease);
                }
                Ok(None) => {
                    // Another process renews: poll the store for its token until the lock is
                    // released or expires.
                    tokio::time::sleep(pause).await;
                    pause = (pause * 2).min(POLL_MAX);
                    self.refresh_from_store().await;
                }
                Err(_) => break None, // logged; carry on with the local single flight
            }
        };
        let fence = lease
            .as_ref()
            .map_or_else(|| self.lock().fence, |lease| lease.fence);
        let result = self.renew_with(runner, purpose, fence, requested).await;
        if let Some(lease) = &lease {
            self.unlock(lease).await;
        }
        result
    }

    /// The held token, if it serves `purpose` without a request.
    fn satisfied(&self, purpose: &Purpose) -> Option<TokenState> {
        let l = self.lock();
        let wanted = match purpose {
            Purpose::Usable => self.freshness(&l, self.now()) != Freshness::Unusable,
            Purpose::Ahead => self.freshness(&l, self.now()) == Freshness::Fresh,
            Purpose::Exchange(..) => false,
        };
        if wanted { l.current.clone() } else { None }
    }

    fn held(&self) -> Option<TokenState> {
        self.lock().current.clone()
    }

    /// How long until the minimum interval since the last token request (ours or, through
    /// the store, anyone's) has passed.
    async fn interval_wait(&self) -> Duration {
        let Some(min) = self.min_interval else {
            return Duration::ZERO;
        };
        let shared = match self.store.last_request().await {
            Ok(at) => at,
            Err(e) => {
                warn_store(&e);
                None
            }
        };
        let last = self.lock().last_request.max(shared);
        let Some(last) = last else {
            return Duration::ZERO;
        };
        Duration::try_from(add(last, min).duration_since(self.now())).unwrap_or_default()
    }

    /// Stamps a token request (sent or answered) locally and in the store.
    async fn stamp(&self) {
        let now = self.now();
        {
            let mut l = self.lock();
            l.last_request = l.last_request.max(Some(now));
        }
        if let Err(e) = self.store.record_request(now).await {
            warn_store(&e);
        }
    }

    /// Decides what to request and does it. Runs with the store's lock held (or without a
    /// store), after the minimum interval.
    async fn renew_with<C: VendorCode, R: GrantRunner<C>>(
        &self,
        runner: &R,
        purpose: &Purpose,
        fence: u64,
        requested: &mut bool,
    ) -> Result<TokenState, RenewalError> {
        let previous = self.held();
        let may_clear = !matches!(purpose, Purpose::Ahead);
        if let Purpose::Exchange(name, inputs) = purpose {
            let grant = self
                .spec
                .grant(name)
                .ok_or_else(|| RenewalError::Config(format!("no grant `{name}`")))?;
            let inputs: Vec<_> = inputs
                .iter()
                .map(|(k, v)| (*k, v.expose_secret()))
                .collect();
            *requested = true;
            let mut state = self.request(runner, grant, &inputs).await?;
            if grant.inputs.contains(&"refresh_token") {
                keep_unrotated(&mut state, previous.as_ref());
                keep_identity(&mut state, previous.as_ref());
            }
            return self.keep(state, previous.as_ref(), fence).await;
        }
        let reauthorize = |reason: &str| -> RenewalError {
            AuthError::ReauthorizationRequired {
                reason: reason.to_owned(),
            }
            .into()
        };
        let state = match self.plan(previous.as_ref(), self.now()) {
            Plan::Reauthorize { reason, clear } => {
                if clear && may_clear {
                    self.clear(fence).await;
                }
                return Err(reauthorize(reason));
            }
            Plan::OtherIdentity { origin, grant } => {
                return Err(reauthorize(&format!(
                    "the token was obtained with `{origin}` and no refresh token can renew it; \
                     `{grant}` would obtain another identity's token (run the authorization \
                     flow again)"
                )));
            }
            Plan::Run(grant) => {
                *requested = true;
                self.request(runner, grant, &[]).await?
            }
            Plan::Refresh(grant, token) => {
                *requested = true;
                let inputs = [("refresh_token", token.expose_secret())];
                match self.request(runner, grant, &inputs).await {
                    Ok(mut state) => {
                        keep_unrotated(&mut state, previous.as_ref());
                        keep_identity(&mut state, previous.as_ref());
                        state
                    }
                    Err(e) if e.class::<C>() == ErrorClass::Reauthorize => {
                        let origin = previous.as_ref().and_then(|p| p.grant.as_deref());
                        match self
                            .spec
                            .automatic
                            .and_then(|n| self.spec.grant(n))
                            .filter(|g| self.spec.may_renew(origin, g.name))
                        {
                            Some(g) => self.request(runner, g, &[]).await?,
                            None => {
                                if may_clear {
                                    self.clear(fence).await;
                                }
                                return Err(reauthorize("the refresh token was rejected"));
                            }
                        }
                    }
                    Err(e) => return Err(e),
                }
            }
        };
        self.keep(state, previous.as_ref(), fence).await
    }

    /// One token request, stamped before it is sent and when it is answered.
    async fn request<C: VendorCode, R: GrantRunner<C>>(
        &self,
        runner: &R,
        grant: &Grant,
        inputs: &[(&'static str, &str)],
    ) -> Result<TokenState, RenewalError> {
        tracing::debug!(grant = grant.name, "token request");
        // Before sending: a request the vendor saw counts against its window even if we never
        // learn the answer (task aborted, connection lost).
        self.stamp().await;
        let result = runner.run_grant(grant, inputs, self.now()).await;
        // Vendors count their window from when they answered, which can be well after we
        // sent (connection set-up): measure from the answer too.
        self.stamp().await;
        match &result {
            Ok(state) => tracing::info!(
                grant = grant.name,
                expires_at = ?state.expires_at,
                next_renewal = ?renewal_due(state, &self.spec),
                "token obtained"
            ),
            Err(e) => tracing::warn!(grant = grant.name, error = %e, "token request failed"),
        }
        result
    }

    /// Saves a new state (a rotated refresh token must be saved before it is handed out) and
    /// makes it current.
    async fn keep(
        &self,
        state: TokenState,
        previous: Option<&TokenState>,
        fence: u64,
    ) -> Result<TokenState, RenewalError> {
        let rotated = state.refresh_token.as_ref().is_some_and(|new| {
            previous
                .and_then(|p| p.refresh_token.as_ref())
                .is_none_or(|old| old.expose_secret() != new.expose_secret())
        });
        let saved = self.save(&state, fence, rotated).await;
        let mut l = self.lock();
        match saved {
            Ok(Saved::Superseded) => {
                // A renewer with a newer lease saved after us: its state wins.
                drop(l);
                self.refresh_from_store().await;
                return self.held().ok_or_else(no_token);
            }
            Ok(_) => l.unsaved = false,
            Err(e) if rotated => {
                // Keep the rotated refresh token in memory (the vendor invalidated the old
                // one); the next flight saves it before handing anything out.
                l.loaded = true;
                l.current = Some(state);
                l.fence = fence;
                l.unsaved = true;
                return Err(AuthError::Store(e).into());
            }
            Err(_) => {} // logged; carry on with our own copy
        }
        l.loaded = true;
        l.current = Some(state.clone());
        l.fence = l.fence.max(fence);
        l.rejected = None;
        Ok(state)
    }

    /// Saves a state kept in memory because its save failed; `None` when there is none.
    async fn save_unsaved(&self) -> Option<Result<TokenState, RenewalError>> {
        let (state, fence) = {
            let l = self.lock();
            if !l.unsaved {
                return None;
            }
            (l.current.clone()?, l.fence)
        };
        let saved = self.save(&state, fence, true).await;
        let mut l = self.lock();
        match saved {
            Ok(Saved::Written) => {
                l.unsaved = false;
                None
            }
            Ok(_) => {
                l.unsaved = false; // a newer state is in the store: read it next
                None
            }
            Err(e) => Some(Err(AuthError::Store(e).into())),
        }
    }

    async fn save(
        &self,
        state: &TokenState,
        fence: u64,
        critical: bool,
    ) -> Result<Saved, StoreError> {
        let saved = self.store.save(state, fence).await;
        if let Err(e) = &saved {
            if critical {
                tracing::error!(
                    operation = e.operation,
                    reason = %e.reason,
                    "token store: a rotated refresh token could not be saved; kept in memory"
                );
            } else {
                warn_store(e);
            }
        }
        saved
    }

    async fn clear(&self, fence: u64) {
        {
            let mut l = self.lock();
            l.current = None;
            l.rejected = None;
            l.unsaved = false;
        }
        if let Err(e) = self.store.clear(fence).await {
            warn_store(&e);
        }
    }

    /// Reads the store and adopts its state when it is newer than ours. `false`: the store
    /// failed (logged).
    async fn refresh_from_store(&self) -> bool {
        let stored = match self.store.load().await {
            Ok(stored) => stored,
            Err(e) => {
                warn_store(&e);
                self.lock().loaded = true;
                return false;
            }
        };
        let mut l = self.lock();
        l.loaded = true;
        let Some(Stored { state, fence, .. }) = stored else {
            return true;
        };
        let newer = match &l.current {
            None => !l.unsaved,
            Some(cur) => {
                fence > l.fence
                    || (fence == l.fence
                        && !l.unsaved
                        && (cur.access_token.expose_secret() != state.access_token.expose_secret()
                            || cur.obtained_at != state.obtained_at))
            }
        };
        if newer {
            if l.last_request.is_none() {
                // After a restart the saved token tells when the endpoint was last called.
                l.last_request = Some(state.obtained_at);
            }
            l.current = Some(state);
            l.fence = fence;
            l.unsaved = false;
        }
        true
    }

    async fn try_lock(&self, ttl: Duration) -> Result<Option<Lease>, StoreError> {
        let lease = self.store.try_lock(ttl).await;
        if let Err(e) = &lease {
            warn_store(e);
        }
        lease
    }

    async fn unlock(&self, lease: &Lease) {
        if let Err(e) = self.store.unlock(lease).await {
            warn_store(&e);
        }
    }

    /// What a renewal runs. A grant other than the token's own runs only when the spec
    /// declares them interchangeable (`may_renew`): renewing a user's token with the
    /// application's grant would silently change whose data the calls touch.
    fn plan(&self, current: Option<&TokenState>, now: Timestamp) -> Plan<'_> {
        let plan = self.plan_ignoring_identity(current, now);
        let origin = current.and_then(|s| s.grant.as_deref());
        match plan {
            Plan::Run(g) if !self.spec.may_renew(origin, g.name) => Plan::OtherIdentity {
                origin: origin.unwrap_or_default().to_owned(),
                grant: g.name,
            },
            plan => plan,
        }
    }

    fn plan_ignoring_identity(&self, current: Option<&TokenState>, now: Timestamp) -> Plan<'_> {
        let automatic = self.spec.automatic.and_then(|n| self.spec.grant(n));
        let refresh = self.spec.refresh_with.and_then(|n| self.spec.grant(n));
        match refresh {
            Some(g) if g.inputs.contains(&"refresh_token") => {
                let held = current.and_then(|s| s.refresh_token.clone().map(|t| (s, t)));
                match held {
                    Some((s, t)) if s.refresh_expires_at.is_none_or(|e| now < e) => {
                        Plan::Refresh(g, t)
                    }
                    // No live refresh token: a grant that needs no person still works.
                    held => match (automatic, held) {
                        (Some(a), _) => Plan::Run(a),
                        (None, Some(_)) => Plan::Reauthorize {
                            reason: "the refresh token has expired",
                            clear: true,
                        },
                        (None, None) => Plan::Reauthorize {
                            reason: "no refresh token is held; run the authorization flow",
                            clear: false,
                        },
                    },
                }
            }
            Some(g) => Plan::Run(g),
            None => match automatic {
                Some(g) => Plan::Run(g),
                None => Plan::Reauthorize {
                    reason: "no grant can obtain a token by itself; run the authorization flow",
                    clear: false,
                },
            },
        }
    }
}

/// Clears the flight slot when its task ends (also on panic), if no newer flight replaced it.
struct ClearFlight {
    core: Arc<Core>,
    generation: u64,
}

impl Drop for ClearFlight {
    fn drop(&mut self) {
        let mut l = self.core.lock();
        if l.flight
            .as_ref()
            .is_some_and(|(g, _)| *g == self.generation)
        {
            l.flight = None;
        }
    }
}

/// The window after `failures` failed token requests in a row: grows from [`BACKOFF_BASE`] to
/// [`BACKOFF_CAP`], jittered to 50–100 % (so replicas do not retry in step), never below the
/// vendor's minimum interval.
pub(super) fn backoff(failures: u32, min_interval: Option<Duration>) -> Duration {
    let doubled = BACKOFF_BASE.saturating_mul(1 << failures.saturating_sub(1).min(16));
    let jitter = 0.5 + spec_lang::random::unit() * 0.5;
    doubled
        .min(BACKOFF_CAP)
        .mul_f64(jitter)
        .max(min_interval.unwrap_or_default())
}

fn warn_store(e: &StoreError) {
    tracing::warn!(
        operation = e.operation,
        reason = %e.reason,
        "token store unavailable; using this process's own token state"
    );
}

fn no_token() -> RenewalError {
    AuthError::ReauthorizationRequired {
        reason: "no token is held".into(),
    }
    .into()
}

/// When `state` becomes due for renewal under the spec's policy.
fn renewal_due(state: &TokenState, spec: &TokenSpec) -> Option<Timestamp> {
    let expires_at = state.expires_at?;
    let policy = &spec.policy;
    let before = policy
        .refresh_before_expiry
        .and_then(|d| expires_at.checked_sub(d).ok());
    let fraction = policy.refresh_in_last_fraction.and_then(|f| {
        let lifetime = expires_at.duration_since(state.obtained_at).as_secs_f64();
        jiff::SignedDuration::try_from_secs_f64(lifetime * (1.0 - f.clamp(0.0, 1.0)))
            .ok()
            .and_then(|d| state.obtained_at.checked_add(d).ok())
    });
    Some(
        before
            .into_iter()
            .chain(fraction)
            .min()
            .unwrap_or(expires_at),
    )
}

/// OAuth2 servers may omit the refresh token (and extras) on refresh: keep the previous ones.
fn keep_unrotated(state: &mut TokenState, previous: Option<&TokenState>) {
    let Some(previous) = previous else { return };
    if state.refresh_token.is_none() {
        state.refresh_token = previous.refresh_token.clone();
        state.refresh_expires_at = previous.refresh_expires_at;
    }
    for (k, v) in &previous.extra {
        state.extra.entry(k.clone()).or_insert_with(|| v.clone());
    }
}

/// A refresh renews the same authorization: the token keeps the identity of the one it renews.
fn keep_identity(state: &mut TokenState, previous: Option<&TokenState>) {
    if let Some(origin) = previous.and_then(|p| p.grant.clone()) {
        state.grant = Some(origin);
    }
}
