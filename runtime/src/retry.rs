//! The retry policy: how many times a call is tried and how long to wait in between.
//!
//! Modelled on smithy-rs's standard retry mode: a small policy object, exponential backoff
//! with full jitter, and a classification of every failure *before* deciding. The engine
//! asks `decide` after each failed attempt; the policy alone never sends anything.
//!
//! What may be retried depends on whether the request may have reached the server:
//!
//! | failure | retried for |
//! |---|---|
//! | connection not established (nothing was sent) | every request |
//! | timeout, reset, 5xx, 408 (class [`Retryable`](ErrorClass::Retryable)) | idempotent requests |
//! | 429 or a vendor's rate-limit code (class [`RateLimited`](ErrorClass::RateLimited)) | idempotent requests |
//! | nonce or timestamp rejected (class [`Resign`](ErrorClass::Resign)) | idempotent requests, and every request when the spec states the code is sent before executing; up to [`MAX_RESIGNS`] times, re-signed |
//! | clock skew (class [`ClockSkew`](ErrorClass::ClockSkew)) | as `Resign`; once, re-signed at once |
//! | anything else (caller, auth, vendor, decode errors) | never |
//!
//! A request is idempotent when its method is GET or HEAD, or when the spec marks the
//! endpoint `idempotent: true`. A code classed `resign` may also be a duplicate-submission
//! guard that answers after the first copy executed, so a non-idempotent request is re-signed
//! only when the spec states (`rejected_before_execution`, with the document's words or a
//! `doc_gap`) that the vendor rejects such a code before executing anything.
//!
//! Every retry also draws from the client's [`RetryQuota`] (smithy-rs standard mode's token
//! bucket): during an outage the quota empties and calls fail after one attempt instead of
//! multiplying the load on the vendor; successes refill it. Renewing a rejected token (class
//! [`RenewToken`](ErrorClass::RenewToken)) is part of the auth protocol, not a retry: it
//! happens once per call whatever the policy.

use std::time::Duration;

use jiff::Timestamp;

use super::error::ErrorClass;

/// How often a request rejected for its nonce or timestamp (class `Resign`) is re-signed and
/// retried. A vendor's short nonces (two digits) collide now and then under load; three
/// fresh tries make a surfaced collision a one-in-a-million event instead of one in a hundred.
pub const MAX_RESIGNS: u32 = 3;

/// How many times, and how patiently, a failed call is tried again.
///
/// ```
/// use std::time::Duration;
/// use spec_runtime::RetryPolicy;
///
/// let standard = RetryPolicy::standard(); // 3 attempts, backoff 0–1 s, 0–2 s, … capped at 20 s
/// let patient = RetryPolicy::standard()
///     .with_max_attempts(5)
///     .with_initial_backoff(Duration::from_millis(200));
/// let off = RetryPolicy::disabled(); // every call is sent once
/// # let _ = (standard, patient, off);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryPolicy {
    /// Attempts per call for transient and throttling failures, the first included.
    pub max_attempts: u32,
    /// The upper bound of the first retry's random delay; it doubles for each further retry.
    pub initial_backoff: Duration,
    /// No computed delay exceeds this (a server's `Retry-After` may, within the deadline).
    pub max_backoff: Duration,
    /// Whether `Resign` and `ClockSkew` rejections are re-signed and sent again.
    pub resign: bool,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self::standard()
    }
}

impl RetryPolicy {
    /// 3 attempts; delays drawn uniformly from 0–1 s, then 0–2 s (0–4 s, … with more
    /// attempts), never above 20 s; a server's `Retry-After` is waited out instead.
    pub const fn standard() -> Self {
        RetryPolicy {
            max_attempts: 3,
            initial_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(20),
            resign: true,
        }
    }

    /// Every call is sent once (a rejected token is still renewed and the call sent once
    /// more: that is the vendor's auth protocol, not a retry).
    pub const fn disabled() -> Self {
        RetryPolicy {
            max_attempts: 1,
            initial_backoff: Duration::ZERO,
            max_backoff: Duration::ZERO,
            resign: false,
        }
    }

    /// Attempts per call, the first included (at least 1).
    pub const fn with_max_attempts(mut self, n: u32) -> Self {
        self.max_attempts = if n == 0 { 1 } else { n };
        self
    }

    /// The upper bound of the first retry's delay.
    pub const fn with_initial_backoff(mut self, d: Duration) -> Self {
        self.initial_backoff = d;
        self
    }

    /// The cap on computed delays.
    pub const fn with_max_backoff(mut self, d: Duration) -> Self {
        self.max_backoff = d;
        self
    }

    /// The random delay before retry number `retry` (1 = the first retry): full jitter,
    /// uniform in `0..=min(max_backoff, initial_backoff × 2^(retry-1))`.
    pub fn backoff(&self, retry: u32) -> Duration {
        let factor = 2u32.saturating_pow(retry.saturating_sub(1));
        let ceiling = self
            .initial_backoff
            .saturating_mul(factor)
            .min(self.max_backoff);
        ceiling.mul_f64(spec_lang::random::unit())
    }
}

/// A client's retry quota: smithy-rs standard mode's token bucket. Every retry costs
/// [`retry_cost`](Self::retry_cost) (a retry after a timeout
/// [`timeout_retry_cost`](Self::timeout_retry_cost)); a call that succeeds refunds what its
/// retries cost, and a call that succeeds at once adds [`success_reward`](Self::success_reward)
/// back, up to the capacity. When the bucket cannot pay for a retry, the failure is returned
/// at once as [`Error::RetryQuotaExhausted`](super::error::Error::RetryQuotaExhausted).
///
/// The defaults are smithy-rs's: 500 tokens, 5 per retry, 10 per retry after a timeout,
/// so a full outage costs each call 3 attempts for the first 50 calls, then 1. One bucket per
/// client, shared by its clones (and by every
/// `Client::with_options` copy).
///
/// ```
/// use spec_runtime::RetryQuota;
/// let standard = RetryQuota::standard();
/// let bigger = RetryQuota::standard().with_capacity(5_000);
/// let off = RetryQuota::unlimited(); // retries are limited by the policy alone
/// # let _ = (standard, bigger, off);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryQuota {
    /// Tokens in a full bucket (`u32::MAX` with zero costs: no quota).
    pub capacity: u32,
    /// What a retry costs.
    pub retry_cost: u32,
    /// What a retry after a timeout costs (a timeout holds the vendor longest).
    pub timeout_retry_cost: u32,
    /// Added back by a call that succeeds at its first attempt.
    pub success_reward: u32,
}

impl Default for RetryQuota {
    fn default() -> Self {
        Self::standard()
    }
}

impl RetryQuota {
    /// 500 tokens; a retry costs 5, 10 after a timeout; a first-try success adds 1.
    pub const fn standard() -> Self {
        RetryQuota {
            capacity: 500,
            retry_cost: 5,
            timeout_retry_cost: 10,
            success_reward: 1,
        }
    }

    /// No quota: retries are limited only by the [`RetryPolicy`].
    pub const fn unlimited() -> Self {
        RetryQuota {
            capacity: u32::MAX,
            retry_cost: 0,
            timeout_retry_cost: 0,
            success_reward: 0,
        }
    }

    /// Another capacity (the bucket starts full).
    pub const fn with_capacity(mut self, tokens: u32) -> Self {
        self.capacity = tokens;
        self
    }

    /// Other retry costs (plain, after a timeout).
    pub const fn with_costs(mut self, retry: u32, after_timeout: u32) -> Self {
        self.retry_cost = retry;
        self.timeout_retry_cost = after_timeout;
        self
    }
}

/// The bucket itself, shared by a client's clones.
#[derive(Debug)]
pub(crate) struct QuotaBucket {
    quota: RetryQuota,
    tokens: std::sync::Mutex<u32>,
}

impl QuotaBucket {
    pub(crate) fn new(quota: RetryQuota) -> Self {
        QuotaBucket {
            quota,
            tokens: std::sync::Mutex::new(quota.capacity),
        }
    }

    fn tokens(&self) -> std::sync::MutexGuard<'_, u32> {
        self.tokens
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Takes the cost of one retry; `None` when the bucket cannot pay (nothing is taken).
    pub(crate) fn acquire(&self, after_timeout: bool) -> Option<u32> {
        let cost = if after_timeout {
            self.quota.timeout_retry_cost
        } else {
            self.quota.retry_cost
        };
        let mut tokens = self.tokens();
        *tokens = tokens.checked_sub(cost)?;
        Some(cost)
    }

    /// A call succeeded: refunds what its retries took, or rewards a first-try success.
    pub(crate) fn succeeded(&self, retries_cost: u32) {
        let back = if retries_cost == 0 {
            self.quota.success_reward
        } else {
            retries_cost
        };
        let mut tokens = self.tokens();
        *tokens = tokens.saturating_add(back).min(self.quota.capacity);
    }

    /// Tokens left (for tests and traces).
    #[cfg(test)]
    pub(crate) fn available(&self) -> u32 {
        *self.tokens()
    }
}

/// Why a failed attempt is tried again (shown in traces and deadline errors).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RetryReason {
    /// The connection was not established: nothing was sent.
    NotSent,
    /// A transient failure of an idempotent request (timeout, reset, 5xx).
    Transient,
    /// The server asked to slow down (429 or a rate-limit code); idempotent requests only.
    Throttled,
    /// The vendor rejected the nonce or timestamp; sent again with a fresh signature.
    Resign,
    /// The vendor found the timestamp stale; sent once more with a fresh one.
    ClockSkew,
}

impl RetryReason {
    /// A short name for logs.
    pub fn as_str(self) -> &'static str {
        match self {
            RetryReason::NotSent => "not_sent",
            RetryReason::Transient => "transient",
            RetryReason::Throttled => "throttled",
            RetryReason::Resign => "resign",
            RetryReason::ClockSkew => "clock_skew",
        }
    }
}

/// What is known about one failed attempt when deciding.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Failed {
    pub(crate) class: ErrorClass,
    /// The connection was never established.
    pub(crate) not_sent: bool,
    pub(crate) idempotent: bool,
    /// The vendor's code is documented as sent before executing the request.
    pub(crate) rejected_before_execution: bool,
    pub(crate) retry_after: Option<Duration>,
}

/// Retries a call has used so far, by kind.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Spent {
    /// Retries after transient and throttling failures.
    pub(crate) retries: u32,
    pub(crate) resigns: u32,
    pub(crate) skew_resigned: bool,
}

/// Whether to try again, and after how long. Updates `spent` when it says yes.
pub(crate) fn decide(
    policy: &RetryPolicy,
    failed: Failed,
    spent: &mut Spent,
) -> Option<(RetryReason, Duration)> {
    let resend_safe = failed.idempotent || failed.rejected_before_execution;
    let reason = match failed.class {
        ErrorClass::Resign if policy.resign && resend_safe && spent.resigns < MAX_RESIGNS => {
            spent.resigns += 1;
            return Some((RetryReason::Resign, policy.backoff(spent.resigns)));
        }
        // Our timestamps come from the local clock: if it is wrong, every re-sign fails the
        // same way. One immediate re-sign covers a timestamp that went stale in transit.
        ErrorClass::ClockSkew if policy.resign && resend_safe && !spent.skew_resigned => {
            spent.skew_resigned = true;
            return Some((RetryReason::ClockSkew, Duration::ZERO));
        }
        ErrorClass::Retryable if failed.not_sent => RetryReason::NotSent,
        ErrorClass::Retryable if failed.idempotent => RetryReason::Transient,
        ErrorClass::RateLimited if failed.idempotent => RetryReason::Throttled,
        _ => return None,
    };
    if spent.retries.saturating_add(1) >= policy.max_attempts {
        return None;
    }
    spent.retries += 1;
    let delay = failed
        .retry_after
        .unwrap_or_else(|| policy.backoff(spent.retries));
    Some((reason, delay))
}

/// `Retry-After` as a delay: delta-seconds (`120`) or an HTTP-date
/// (`Sun, 06 Nov 1994 08:49:37 GMT`, as a delay from `now`; a past date is no delay).
pub(crate) fn parse_retry_after(value: &str, now: Timestamp) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = jiff::fmt::rfc2822::parse(value).ok()?.timestamp();
    let delay = at.duration_since(now);
    Some(Duration::try_from(delay).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Costs are taken per retry, refused (taking nothing) when the bucket cannot pay, and
    /// given back by successes, never above the capacity.
    #[test]
    fn quota_takes_refuses_and_refunds() {
        let bucket = QuotaBucket::new(RetryQuota::standard().with_capacity(22));
        assert_eq!(bucket.acquire(false), Some(5));
        assert_eq!(bucket.acquire(true), Some(10));
        assert_eq!(bucket.available(), 7);
        assert_eq!(bucket.acquire(true), None, "7 tokens cannot pay 10");
        assert_eq!(bucket.available(), 7, "a refusal takes nothing");
        assert_eq!(bucket.acquire(false), Some(5));
        assert_eq!(bucket.acquire(false), None);
        bucket.succeeded(5);
        assert_eq!(bucket.available(), 7);
        bucket.succeeded(0);
        assert_eq!(bucket.available(), 8, "a first-try success adds the reward");
        bucket.succeeded(1000);
        assert_eq!(bucket.available(), 22, "never above capacity");
        let free = QuotaBucket::new(RetryQuota::unlimited());
        for _ in 0..10_000 {
            assert_eq!(free.acquire(true), Some(0));
        }
    }

    fn failed(class: ErrorClass, not_sent: bool, idempotent: bool) -> Failed {
        Failed {
            class,
            not_sent,
            idempotent,
            rejected_before_execution: false,
            retry_after: None,
        }
    }

    /// Which failures are retried, for idempotent and non-idempotent requests.
    #[test]
    fn idempotency_decides_what_is_retried() {
        use ErrorClass::*;
        let p = RetryPolicy::standard();
        let cases: &[(ErrorClass, bool, bool, Option<RetryReason>)] = &[
            (Retryable, true, false, Some(RetryReason::NotSent)),
            (Retryable, false, false, None),
            (Retryable, false, true, Some(RetryReason::Transient)),
            (RateLimited, false, false, None),
            (RateLimited, false, true, Some(RetryReason::Throttled)),
            (Resign, false, true, Some(RetryReason::Resign)),
            (ClockSkew, false, true, Some(RetryReason::ClockSkew)),
            // A rejection not documented as sent before executing: the caller decides.
            (Resign, false, false, None),
            (ClockSkew, false, false, None),
            (Caller, false, true, None),
            (Auth, false, true, None),
            (Vendor, false, true, None),
            (Unknown, false, true, None),
            (RenewToken, false, true, None),
        ];
        for (class, not_sent, idempotent, want) in cases {
            let got = decide(
                &p,
                failed(*class, *not_sent, *idempotent),
                &mut Spent::default(),
            )
            .map(|(r, _)| r);
            assert_eq!(
                got, *want,
                "{class:?} not_sent={not_sent} idem={idempotent}"
            );
        }
    }

    #[test]
    fn budgets_are_kept() {
        let p = RetryPolicy::standard().with_initial_backoff(Duration::ZERO);
        let mut spent = Spent::default();
        let transient = failed(ErrorClass::Retryable, false, true);
        assert!(decide(&p, transient, &mut spent).is_some());
        assert!(decide(&p, transient, &mut spent).is_some());
        assert!(
            decide(&p, transient, &mut spent).is_none(),
            "3 attempts in all"
        );

        let mut spent = Spent::default();
        let resign = Failed {
            rejected_before_execution: true,
            ..failed(ErrorClass::Resign, false, false)
        };
        for _ in 0..MAX_RESIGNS {
            assert!(decide(&p, resign, &mut spent).is_some());
        }
        assert!(decide(&p, resign, &mut spent).is_none());

        let mut spent = Spent::default();
        let skew = failed(ErrorClass::ClockSkew, false, true);
        assert_eq!(
            decide(&p, skew, &mut spent),
            Some((RetryReason::ClockSkew, Duration::ZERO))
        );
        assert!(decide(&p, skew, &mut spent).is_none(), "one re-sign only");

        let off = RetryPolicy::disabled();
        for class in [
            ErrorClass::Retryable,
            ErrorClass::Resign,
            ErrorClass::ClockSkew,
        ] {
            assert!(decide(&off, failed(class, true, true), &mut Spent::default()).is_none());
        }
    }

    #[test]
    fn backoff_is_full_jitter_under_a_doubling_cap() {
        let p = RetryPolicy::standard();
        for retry in 1..=8u32 {
            let ceiling = Duration::from_secs(1 << (retry - 1)).min(Duration::from_secs(20));
            let draws: Vec<Duration> = (0..200).map(|_| p.backoff(retry)).collect();
            assert!(draws.iter().all(|d| *d <= ceiling), "retry {retry}");
            // Full jitter spreads over the whole range, not just near the ceiling.
            assert!(draws.iter().any(|d| *d < ceiling / 4), "retry {retry}");
            assert!(draws.iter().any(|d| *d > ceiling * 3 / 4), "retry {retry}");
        }
    }

    #[test]
    fn huge_backoff_settings_do_not_overflow() {
        let p = RetryPolicy::standard()
            .with_initial_backoff(Duration::MAX)
            .with_max_backoff(Duration::MAX);
        for retry in [0, 1, 2, 64, u32::MAX] {
            assert!(p.backoff(retry) <= Duration::MAX);
        }
    }

    #[test]
    fn retry_after_is_honoured_over_backoff() {
        let p = RetryPolicy::standard();
        let mut f = failed(ErrorClass::RateLimited, false, true);
        f.retry_after = Some(Duration::from_secs(7));
        let (_, delay) = decide(&p, f, &mut Spent::default()).unwrap();
        assert_eq!(delay, Duration::from_secs(7));
    }

    #[test]
    fn retry_after_forms() {
        let now: Timestamp = "1994-11-06T08:49:00Z".parse().unwrap();
        let cases: &[(&str, Option<Duration>)] = &[
            ("120", Some(Duration::from_secs(120))),
            (" 0 ", Some(Duration::ZERO)),
            (
                "Sun, 06 Nov 1994 08:49:37 GMT",
                Some(Duration::from_secs(37)),
            ),
            ("Sun, 06 Nov 1994 08:40:00 GMT", Some(Duration::ZERO)),
            ("-5", None),
            ("soon", None),
            ("", None),
        ];
        for (value, want) in cases {
            assert_eq!(parse_retry_after(value, now), *want, "{value:?}");
        }
    }
}
