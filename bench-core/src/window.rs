//! The measured window and its drain: when a run stops sending and when it stops waiting.
//!
//! The window ends at `start + warm-up + duration`, or earlier when the run is cancelled. From
//! then on nothing is sent: slots that were due but not sent count as `unsent`. Calls in flight
//! get the drain (`load.drain`, never more than the request timeout); those still unanswered at
//! the end of the drain count as timeouts. So a run lasts at most window + drain, whatever the
//! target does.
//!
//! A call due before the end whose send a loaded generator delays past it (CPU, timer, another
//! worker's task on the same thread) may still be sent during the [`SEND_GRACE`] (never longer
//! than the drain): it was due inside the window, and its latency still counts from its due time.
//! Only calls not sent by the end of the grace are `unsent`, so a millisecond of scheduling jitter
//! at the window's last instant is not an error of the target, and a queue of a slow target is
//! still not sent one by one afterwards.

use std::cell::{Cell, RefCell};
use std::future::{poll_fn, Future};
use std::rc::Rc;
use std::task::{Poll, Waker};
use std::time::{Duration, Instant};

use crate::pacer::Cancel;

/// The drain when the scenario gives none.
pub const DEFAULT_DRAIN: Duration = Duration::from_secs(5);

/// How long after the end a call due before it may still be sent (capped by the drain).
pub const SEND_GRACE: Duration = Duration::from_millis(100);

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

    /// Whether a call due before the end may no longer be sent at `now`: the end of the window
    /// plus the send grace (never longer than the drain) has passed.
    pub(crate) fn is_closed(&self, now: Instant) -> bool {
        now >= self.end() + SEND_GRACE.min(self.drain)
    }

    /// Resolves when sending stops (the planned end, or cancellation). On tokio's millisecond
    /// timer: a millisecond late is harmless here (sends are checked against [`Window::end`]).
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

/// The end of the drain for every worker of one engine thread: one timer per thread
/// ([`Drain::watch`]) instead of one per call.
#[derive(Debug, Default)]
pub(crate) struct Drain {
    over: Cell<bool>,
    /// The waker of each worker's call in flight, by worker index (stale ones only cost a
    /// spurious wake-up).
    wakers: RefCell<Vec<Option<Waker>>>,
}

impl Drain {
    /// Wait for the end of `window`'s drain, then wake every waiting worker.
    pub(crate) async fn watch(self: Rc<Self>, window: Window) {
        window.drained().await;
        self.over.set(true);
        for waker in self.wakers.borrow_mut().iter_mut().filter_map(Option::take) {
            waker.wake();
        }
    }

    /// Resolves at the end of the drain, for worker `worker`.
    pub(crate) fn wait(&self, worker: usize) -> impl Future<Output = ()> + '_ {
        poll_fn(move |cx| {
            if self.over.get() {
                return Poll::Ready(());
            }
            let mut wakers = self.wakers.borrow_mut();
            if wakers.len() <= worker {
                wakers.resize(worker + 1, None);
            }
            let slot = &mut wakers[worker];
            if !slot.as_ref().is_some_and(|w| w.will_wake(cx.waker())) {
                *slot = Some(cx.waker().clone());
            }
            Poll::Pending
        })
    }
}
