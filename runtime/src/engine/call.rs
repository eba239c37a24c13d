//! The bookkeeping of one call: its trace span and the record of its attempts, which becomes
//! [`Error::DeadlineExceeded`] when the deadline cuts the call short.
//!
//! Trace fields hold only what identifies a call (vendor, endpoint path, method) and what
//! happened (attempts, status, error class, delays): never a header, query, body or message,
//! any of which may carry a credential, token or signature.

use tracing::Span;
use tracing::field::Empty;

use super::*;
use crate::error::{AttemptFailure, DeadlineExceeded};

/// What the call was doing when the deadline passed.
pub(crate) use crate::error::Phase;

/// Every attempt of one call, as it happens.
#[derive(Debug)]
pub(super) struct AttemptLog {
    pub(super) phase: Phase,
    attempts: u32,
    status: Option<u16>,
    failures: Vec<AttemptFailure>,
}

impl Default for AttemptLog {
    fn default() -> Self {
        AttemptLog {
            phase: Phase::Token,
            attempts: 0,
            status: None,
            failures: Vec::new(),
        }
    }
}

impl AttemptLog {
    /// Counts a new attempt and returns its number (1-based).
    pub(super) fn start_attempt(&mut self) -> u32 {
        self.attempts += 1;
        self.phase = Phase::Attempt;
        self.attempts
    }

    pub(super) fn succeeded(&mut self, status: u16) {
        self.status = Some(status);
    }

    /// Records a failed attempt; `then`: what happens next (reason, delay), `None` if nothing.
    pub(super) fn failed<C: VendorCode>(
        &mut self,
        err: &Error<C>,
        then: Option<(&'static str, Duration)>,
    ) {
        let class = err.class();
        self.status = err.http_status();
        if let Some((reason, delay)) = then {
            tracing::info!(
                attempt = self.attempts,
                error_class = ?class,
                status = self.status,
                reason,
                delay_ms = delay.as_millis() as u64,
                "retrying"
            );
        }
        self.failures.push(AttemptFailure {
            attempt: self.attempts,
            class,
            status: self.status,
            // `Display` of an error never holds a secret or a query string.
            message: err.to_string(),
            retried: then,
        });
    }

    pub(super) fn deadline_exceeded<C: VendorCode>(&mut self, deadline: Duration) -> Error<C> {
        Error::DeadlineExceeded(Box::new(DeadlineExceeded {
            deadline,
            attempts: self.attempts,
            interrupted: self.phase,
            failures: std::mem::take(&mut self.failures),
        }))
    }
}

/// The span of one call; its outcome fields are filled in by [`finish`].
pub(super) fn span(vendor: &'static str, req: &Request) -> Span {
    tracing::info_span!(
        "call",
        vendor,
        endpoint = %req.path,
        method = %req.method,
        attempts = Empty,
        status = Empty,
        error_class = Empty,
        duration_ms = Empty,
    )
}

/// Records the call's outcome on its span, with one closing event.
pub(super) fn finish<T, C: VendorCode>(
    span: &Span,
    log: &AttemptLog,
    result: &Result<T, Error<C>>,
    started: Instant,
) {
    // Recording on a span no subscriber wants would only cost time.
    if !span.is_disabled() {
        span.record("attempts", log.attempts);
        if let Some(status) = log.status {
            span.record("status", status);
        }
        span.record("duration_ms", started.elapsed().as_millis() as u64);
    }
    let _entered = span.enter();
    match result {
        Ok(_) => tracing::debug!("call succeeded"),
        Err(e) => {
            let class = e.class();
            span.record("error_class", tracing::field::debug(class));
            tracing::info!(error_class = ?class, "call failed");
        }
    }
}
