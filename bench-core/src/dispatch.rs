//! Open-model dispatch: one engine thread's schedule, its alarm and its idle connections.
//!
//! Each engine thread owns its share of the schedule ([`Pacer`]) and one [`Alarm`]. A worker
//! whose connection is free [`claims`](Dispatch::claim) the next slot: when that slot is already
//! due it takes it at once (no timer, no task switch — the usual case when the target is slower
//! than the schedule); otherwise it parks on the idle stack. A single dispatcher task per thread
//! ([`Dispatch::run`]) sleeps on the alarm until the next due time, then hands every slot due by
//! then to the parked workers in one batch, most recently freed first (LIFO): at a rate the
//! target keeps up with, the same few warm connections carry the load instead of every one of N
//! in turn (each then idle long enough for servers to close it). A slot is claimed late only when
//! every connection was busy at its due time, so the "waited for a free connection" count is
//! true; the delay of a slot that found a free connection is the generator's own scheduling lag.

use std::cell::{Cell, RefCell};
use std::future::{poll_fn, Future};
use std::rc::Rc;
use std::task::{Poll, Waker};
use std::time::{Duration, Instant};

use crate::alarm::Alarm;
use crate::pacer::{Pacer, Slot};
use crate::window::Window;

/// A request counts as late when its due time had passed by more than this before a connection
/// was free to send it.
pub const LATE_AFTER: Duration = Duration::from_millis(1);

/// A slot a worker claimed.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Claim {
    pub(crate) slot: Slot,
    /// Every connection was busy at the due time and the slot waited more than [`LATE_AFTER`].
    pub(crate) late: bool,
    /// A connection was free at the due time: any delay until the send is the generator's.
    pub(crate) free_at_due: bool,
}

/// A parked worker's mailbox: the dispatcher puts a slot (or the end) in and wakes it.
#[derive(Debug, Default)]
pub(crate) struct Mailbox {
    slot: Cell<Option<Option<Slot>>>,
    waker: RefCell<Option<Waker>>,
}

impl Mailbox {
    fn deliver(&self, slot: Option<Slot>) {
        self.slot.set(Some(slot));
        if let Some(w) = self.waker.borrow_mut().take() {
            w.wake();
        }
    }

    fn receive(&self) -> impl Future<Output = Option<Slot>> + '_ {
        poll_fn(move |cx| match self.slot.take() {
            Some(slot) => Poll::Ready(slot),
            None => {
                let mut waker = self.waker.borrow_mut();
                if !waker.as_ref().is_some_and(|w| w.will_wake(cx.waker())) {
                    *waker = Some(cx.waker().clone());
                }
                Poll::Pending
            }
        })
    }
}

/// One engine thread's open-model dispatch (single-threaded: shared by `Rc`).
pub(crate) struct Dispatch {
    pacer: Rc<Pacer>,
    window: Window,
    /// Parked workers and when each parked, oldest first.
    idle: RefCell<Vec<(Rc<Mailbox>, Instant)>>,
    /// The dispatcher, parked until a worker becomes idle.
    dispatcher: RefCell<Option<Waker>>,
    over: Cell<bool>,
}

impl Dispatch {
    pub(crate) fn new(pacer: Rc<Pacer>, window: Window) -> Self {
        Self {
            pacer,
            window,
            idle: RefCell::new(Vec::new()),
            dispatcher: RefCell::new(None),
            over: Cell::new(false),
        }
    }

    /// The next slot for a worker whose connection has been free since `idle_since` (`None`:
    /// since the start), or `None` when nothing more may be sent. Slots left in the schedule
    /// when sending stops are counted as unsent afterwards (see `unsent.rs`).
    pub(crate) async fn claim(
        &self,
        mailbox: &Rc<Mailbox>,
        idle_since: Option<Instant>,
    ) -> Option<Claim> {
        let now = Instant::now();
        let Some(due) = self.take_due(now) else {
            self.stop();
            return None;
        };
        if let Some(slot) = due {
            // Free at the due time: this connection, or one still parked since then (the alarm
            // was late and this one freed up first: the delay is the generator's, not a wait).
            let free_at_due = idle_since.is_none_or(|t| t <= slot.due) || self.parked_by(slot.due);
            let late = !free_at_due && now > slot.due + LATE_AFTER;
            return Some(Claim {
                slot,
                late,
                free_at_due,
            });
        }
        self.idle.borrow_mut().push((mailbox.clone(), now));
        if let Some(w) = self.dispatcher.borrow_mut().take() {
            w.wake();
        }
        let slot = mailbox.receive().await?;
        Some(Claim {
            slot,
            late: false,
            free_at_due: true,
        })
    }

    /// The next slot if it is due by `now` (`Some(None)`: not yet due); `None` when sending has
    /// stopped: the schedule is over, its next slot falls after the window, or the window (and
    /// its send grace) has closed.
    fn take_due(&self, now: Instant) -> Option<Option<Slot>> {
        if self.over.get() || self.window.is_closed(now) {
            return None;
        }
        let due = self.pacer.peek_due()?;
        if due >= self.window.end() {
            return None;
        }
        if due > now {
            return Some(None);
        }
        self.pacer.next(now, false).map(Some)
    }

    /// The dispatcher: until sending stops, sleep on the alarm until the next due time whenever a
    /// worker is idle, then hand every due slot to the idle workers. Ends by releasing them.
    pub(crate) async fn run(self: Rc<Self>, mut alarm: Alarm) {
        let ended = self.window.ended();
        tokio::pin!(ended);
        let mut has_ended = false;
        loop {
            self.idle_worker().await;
            if self.over.get() || !self.hand_out(Instant::now()) {
                break;
            }
            if self.idle.borrow().is_empty() {
                continue;
            }
            // Workers are idle and the next slot is not due yet (`hand_out` checked there is one).
            let Some(due) = self.pacer.peek_due() else {
                break;
            };
            tokio::select! {
                biased;
                () = &mut ended, if !has_ended => has_ended = true,
                () = alarm.wait_until(due) => {}
            }
        }
        self.over.set(true);
        for (mailbox, _) in self.idle.borrow_mut().drain(..) {
            mailbox.deliver(None);
        }
    }

    /// Whether some worker has sat parked since `due` or earlier (the oldest is first).
    fn parked_by(&self, due: Instant) -> bool {
        self.idle.borrow().first().is_some_and(|(_, at)| *at <= due)
    }

    /// Sending has stopped (a worker saw it): the dispatcher ends even if no worker is idle.
    fn stop(&self) {
        self.over.set(true);
        if let Some(w) = self.dispatcher.borrow_mut().take() {
            w.wake();
        }
    }

    /// Resolves once some worker is parked on the idle stack, or sending has stopped.
    async fn idle_worker(&self) {
        poll_fn(|cx| {
            if self.idle.borrow().is_empty() && !self.over.get() {
                *self.dispatcher.borrow_mut() = Some(cx.waker().clone());
                Poll::Pending
            } else {
                Poll::Ready(())
            }
        })
        .await;
    }

    /// Give every slot due by `now` to an idle worker, most recently freed first, while there are
    /// idle workers. False when sending has stopped.
    fn hand_out(&self, now: Instant) -> bool {
        loop {
            if self.idle.borrow().is_empty() {
                return true;
            }
            match self.take_due(now) {
                None => return false,
                Some(None) => return true,
                Some(Some(slot)) => {
                    if let Some((mailbox, _)) = self.idle.borrow_mut().pop() {
                        mailbox.deliver(Some(slot));
                    }
                }
            }
        }
    }
}

#[cfg(test)]
#[path = "dispatch_tests.rs"]
mod tests;
