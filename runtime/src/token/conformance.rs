//! The protocol a [`TokenStore`] shared by several processes must keep, as one check a store's
//! own tests can run (the in-memory and Redis stores run it; so should yours).

use std::future::Future;
use std::time::Duration;

use secrecy::ExposeSecret;

use super::TokenState;
use super::store::{Saved, TokenStore};

/// Checks, on an empty store, the protocol the token manager relies on: one holder of the
/// renewal lock at a time; a holder that outlived its lease loses it and its fence is
/// superseded (its save and clear are refused, its unlock does nothing); the newer holder's
/// save is kept; stamps keep the latest instant. `outlive` must wait (or advance a paused clock)
/// past `lease`. Returns what was violated first.
pub async fn check_store_protocol<F, Fut>(
    store: &dyn TokenStore,
    lease: Duration,
    outlive: F,
) -> Result<(), String>
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = ()>,
{
    let fail = |what: &str, e: super::store::StoreError| format!("{what}: {e}");
    let lock = || async { store.try_lock(lease).await.map_err(|e| fail("try_lock", e)) };
    if store.load().await.map_err(|e| fail("load", e))?.is_some() {
        return Err("the store is not empty".into());
    }
    let old = lock().await?.ok_or("an unheld lock was refused")?;
    if lock().await?.is_some() {
        return Err("a held lock was granted again".into());
    }
    outlive().await;
    let new = lock()
        .await?
        .ok_or("an outlived lock was not granted to a new holder")?;
    if new.fence <= old.fence {
        return Err(format!(
            "the new holder's fence {} is not above the old one's {}",
            new.fence, old.fence
        ));
    }
    let save = |state: TokenState, fence| async move {
        store.save(&state, fence).await.map_err(|e| fail("save", e))
    };
    if save(TokenState::new("newer"), new.fence).await? != Saved::Written {
        return Err("the current holder's save was not written".into());
    }
    if save(TokenState::new("late"), old.fence).await? != Saved::Superseded {
        return Err("a save under an outlived fence was not refused".into());
    }
    let loaded = store
        .load()
        .await
        .map_err(|e| fail("load", e))?
        .ok_or("the saved state is gone")?;
    if loaded.state.access_token.expose_secret() != "newer" || loaded.fence != new.fence {
        return Err("load does not return the current holder's state and fence".into());
    }
    store.clear(old.fence).await.map_err(|e| fail("clear", e))?;
    if store.load().await.map_err(|e| fail("load", e))?.is_none() {
        return Err("a clear under an outlived fence removed the state".into());
    }
    store.unlock(&old).await.map_err(|e| fail("unlock", e))?;
    if lock().await?.is_some() {
        return Err("an outlived holder's unlock released the new holder's lock".into());
    }
    store.unlock(&new).await.map_err(|e| fail("unlock", e))?;
    let again = lock()
        .await?
        .ok_or("the holder's unlock did not release the lock")?;
    store.unlock(&again).await.map_err(|e| fail("unlock", e))?;
    let t = |s: i64| jiff::Timestamp::from_second(1_700_000_000 + s).unwrap_or_default();
    for at in [t(10), t(5)] {
        store
            .record_request(at)
            .await
            .map_err(|e| fail("record_request", e))?;
    }
    if store
        .last_request()
        .await
        .map_err(|e| fail("last_request", e))?
        != Some(t(10))
    {
        return Err("last_request is not the latest stamp".into());
    }
    Ok(())
}
