//! Where token state lives: the [`TokenStore`] trait and the default [`MemoryTokenStore`].
//!
//! The trait is shaped for a store shared by many processes (see `RedisTokenStore`, feature
//! `redis`): every saved state carries a *fence*, a number that grows with every renewal lock
//! taken, so a renewer that outlived its lock cannot overwrite a newer token; the renewal lock
//! has an owner and a time to live; the time of the last token request is shared so that all
//! processes together respect a vendor's minimum interval. A store for one process (a file, a
//! database row) only needs [`load`](TokenStore::load), [`save`](TokenStore::save) and
//! [`clear`](TokenStore::clear): the lock and the stamp have process-local defaults.

use std::fmt;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use futures_util::future::{BoxFuture, FutureExt};
use jiff::Timestamp;

use super::TokenState;

/// A token store operation failed. Its text never contains token values.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("token store {operation} failed: {reason}")]
#[non_exhaustive]
pub struct StoreError {
    /// What was attempted (`load`, `save`, `lock`, ...).
    pub operation: &'static str,
    /// Why it failed (never a token or secret).
    pub reason: String,
}

impl StoreError {
    /// A failure of `operation`; `reason` must not quote token values.
    pub fn new(operation: &'static str, reason: impl fmt::Display) -> Self {
        StoreError {
            operation,
            reason: reason.to_string(),
        }
    }
}

/// The future returned by [`TokenStore`] methods (boxed, so the trait is object-safe and can
/// be passed as `Arc<dyn TokenStore>`).
pub type StoreFuture<'a, T> = BoxFuture<'a, Result<T, StoreError>>;

/// Saved token state and the fence it was written under.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Stored {
    /// The state.
    pub state: TokenState,
    /// The fence of the lease that wrote it (0 for stores without fencing).
    pub fence: u64,
}

impl Stored {
    /// State written under `fence`.
    pub fn new(state: TokenState, fence: u64) -> Self {
        Stored { state, fence }
    }
}

/// The renewal lock, held by one renewer at a time until released or expired.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Lease {
    /// Random value identifying the holder: only the holder releases the lock.
    pub owner: String,
    /// Grows with every lease taken; saves under an older fence than the stored one are refused.
    pub fence: u64,
}

impl Lease {
    /// A lease held by `owner` under `fence`.
    pub fn new(owner: impl Into<String>, fence: u64) -> Self {
        Lease {
            owner: owner.into(),
            fence,
        }
    }
}

/// The outcome of [`TokenStore::save`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Saved {
    /// The state was written.
    Written,
    /// A state written under a newer fence is already there; nothing was written.
    Superseded,
}

/// Where token state lives, possibly shared by several processes.
///
/// Errors are surfaced: a failed save of a rotated refresh token fails the renewal (the
/// vendor already invalidated the old one), other failures are logged and the client
/// continues with its own copy.
pub trait TokenStore: Send + Sync + 'static {
    /// The saved state, if any.
    fn load(&self) -> StoreFuture<'_, Option<Stored>>;

    /// Saves `state` written under `fence` (a [`Lease`]'s, or 0). A store with fencing refuses
    /// (returns [`Saved::Superseded`]) when it holds a state written under a newer fence.
    fn save<'a>(&'a self, state: &'a TokenState, fence: u64) -> StoreFuture<'a, Saved>;

    /// Forgets the state (the refresh token is dead), unless a newer fence wrote it since.
    fn clear(&self, fence: u64) -> StoreFuture<'_, ()>;

    /// Tries to take the renewal lock for `ttl`. `None`: another holder has it; wait for its
    /// token (poll [`load`](Self::load)) or for the lock to expire. The default suits a store
    /// used by one process (the client already runs one renewal at a time).
    fn try_lock(&self, ttl: Duration) -> StoreFuture<'_, Option<Lease>> {
        let _ = ttl;
        async { Ok(Some(Lease::new("local", 0))) }.boxed()
    }

    /// Releases the lock if `lease` still holds it.
    fn unlock<'a>(&'a self, lease: &'a Lease) -> StoreFuture<'a, ()> {
        let _ = lease;
        async { Ok(()) }.boxed()
    }

    /// When a token request was last sent or answered by anyone sharing this store.
    fn last_request(&self) -> StoreFuture<'_, Option<Timestamp>> {
        async { Ok(None) }.boxed()
    }

    /// Records a token request sent or answered at `at` (keeps the latest).
    fn record_request(&self, at: Timestamp) -> StoreFuture<'_, ()> {
        let _ = at;
        async { Ok(()) }.boxed()
    }
}

/// The default store: process memory only. Implements the whole protocol (fences, lock, stamp),
/// so that clients sharing one instance coordinate as replicas sharing Redis do.
#[derive(Default)]
pub struct MemoryTokenStore {
    inner: Mutex<Memory>,
}

#[derive(Default)]
struct Memory {
    stored: Option<Stored>,
    /// The last fence handed out.
    fence: u64,
    lock: Option<(String, tokio::time::Instant)>,
    last_request: Option<Timestamp>,
}

impl MemoryTokenStore {
    fn with<T>(&self, f: impl FnOnce(&mut Memory) -> T) -> T {
        f(&mut self.inner.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

impl fmt::Debug for MemoryTokenStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryTokenStore").finish_non_exhaustive()
    }
}

impl TokenStore for MemoryTokenStore {
    fn load(&self) -> StoreFuture<'_, Option<Stored>> {
        let stored = self.with(|m| m.stored.clone());
        async move { Ok(stored) }.boxed()
    }

    fn save<'a>(&'a self, state: &'a TokenState, fence: u64) -> StoreFuture<'a, Saved> {
        let saved = self.with(|m| {
            if m.stored.as_ref().is_some_and(|s| s.fence > fence) {
                return Saved::Superseded;
            }
            m.stored = Some(Stored::new(state.clone(), fence));
            Saved::Written
        });
        async move { Ok(saved) }.boxed()
    }

    fn clear(&self, fence: u64) -> StoreFuture<'_, ()> {
        self.with(|m| {
            if m.stored.as_ref().is_none_or(|s| s.fence <= fence) {
                m.stored = None;
            }
        });
        async { Ok(()) }.boxed()
    }

    fn try_lock(&self, ttl: Duration) -> StoreFuture<'_, Option<Lease>> {
        let now = tokio::time::Instant::now();
        let lease = self.with(|m| {
            if m.lock.as_ref().is_some_and(|(_, until)| now < *until) {
                return None;
            }
            m.fence += 1;
            let owner = hex::encode(spec_lang::random::bytes::<16>());
            m.lock = Some((owner.clone(), now + ttl));
            Some(Lease::new(owner, m.fence))
        });
        async move { Ok(lease) }.boxed()
    }

    fn unlock<'a>(&'a self, lease: &'a Lease) -> StoreFuture<'a, ()> {
        self.with(|m| {
            if m.lock
                .as_ref()
                .is_some_and(|(owner, _)| *owner == lease.owner)
            {
                m.lock = None;
            }
        });
        async { Ok(()) }.boxed()
    }

    fn last_request(&self) -> StoreFuture<'_, Option<Timestamp>> {
        let at = self.with(|m| m.last_request);
        async move { Ok(at) }.boxed()
    }

    fn record_request(&self, at: Timestamp) -> StoreFuture<'_, ()> {
        self.with(|m| m.last_request = m.last_request.max(Some(at)));
        async { Ok(()) }.boxed()
    }
}
