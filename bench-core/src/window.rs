//! The measured window and its drain: when a run stops sending and when it stops waiting.
//!
//! The window ends at `start + warm-up + duration`, or earlier when the run is cancelled. From
//! then on nothing is sent: slots that were due but not sent count as `unsent`. Calls in flight
//! get the drain (`load.drain`, never more than the request timeout); those still unanswered at
//! the end of the drain count as timeouts. So a run lasts at most window + drain, whatever the
//! target does.

use std::time::{Duration, Instant};

use crate::pacer::Cancel;

/// The drain when the scenario gives none.
pub const DEFAULT_DRAIN: Duration = Duration::from_secs(5);

/// When sending stops and when waiting stops; shared by a thread's workers.
#[derive(Debug, Clone)]
pub(crate) struct Window {
    end: Instant,
    drain: Duration,
    cancel: Cancel,
}

impl Window {
    /// A window ending at `end` (or at cancellation), with `drain` for calls in flight.
    pub(crate) fn new(end: Instant, drain: Duration, cancel: Cancel) -> Self {
        Self { end, drain, cancel }
    }

    /// When sending stops: the planned end, or the moment of cancellation if earlier.
    pub(crate) fn end(&self) -> Instant {
        self.cancel
            .cancelled_at()
            .map_or(self.end, |at| at.min(self.end))
    }

    /// Whether sending has stopped at `now`.
    pub(crate) fn is_over(&self, now: Instant) -> bool {
        now >= self.end()
    }

    /// Resolves when sending stops (the planned end, or cancellation). On tokio's timer, not
    /// the precise one: it is armed for every call, and tokio's entries are dropped with the call
    /// instead of piling up in the shared deadline heap; a millisecond late is harmless here.
    pub(crate) async fn ended(&self) {
        tokio::select! {
            () = tokio::time::sleep_until(self.end.into()) => {}
            () = self.cancel.cancelled() => {}
        }
    }

    /// Resolves at the end of the drain: `end() + drain`, following a cancellation that moves
    /// the end earlier.
    pub(crate) async fn drained(&self) {
        self.ended().await;
        tokio::time::sleep_until((self.end() + self.drain).into()).await;
    }
}
