//! One worker: claims the next slot (open model: from its thread's [`Dispatch`]; closed model:
//! from the pacer, after the think time), picks a request (or journey) of the mix, and has its
//! virtual user run it under the connection's one deadline (`flow/exec.rs`: calls, checks,
//! recording). Many workers share a thread (and its pacer, dispatch and recorder); one worker
//! owns one driver.

use std::cell::{Cell, RefCell};
use std::future::poll_fn;
use std::rc::Rc;
use std::task::{Poll, Waker};
use std::time::{Duration, Instant};

use rand::rngs::SmallRng;
use rand::Rng;

use crate::dispatch::{Claim, Dispatch, Mailbox};
use crate::driver::Driver;
use crate::flow::{Ctx, Start, Vu};
use crate::pacer::Pacer;
use crate::recorder::Recorder;
use crate::window::{Drain, Window};

/// Weighted choice of the request to send.
#[derive(Debug)]
pub(crate) struct Mix {
    cumulative: Vec<f64>,
}

impl Mix {
    pub(crate) fn new(weights: &[f64]) -> Self {
        let total: f64 = weights.iter().sum();
        let mut acc = 0.0;
        let cumulative = weights
            .iter()
            .map(|w| {
                acc += w / total;
                acc
            })
            .collect();
        Self { cumulative }
    }

    pub(crate) fn pick(&self, rng: &mut SmallRng) -> usize {
        if self.cumulative.len() <= 1 {
            return 0;
        }
        let u: f64 = rng.random();
        self.cumulative
            .partition_point(|c| *c <= u)
            .min(self.cumulative.len() - 1)
    }
}

/// Where an engine thread's workers wait for the start. Their tasks are spawned, and polled once
/// up to here, before the thread reports ready: allocating and first polling thousands of tasks
/// then happens before the start instant, not in the first milliseconds of the schedule, where
/// it delayed the first sends by up to ~100 ms at 10 000 connections (scheduling lag the
/// generator would report as falling behind). At the start the thread [opens](StartGate::open)
/// it with the worker every task copies.
#[derive(Default)]
pub(crate) struct StartGate {
    /// Set when the gate opens.
    worker: RefCell<Option<Worker>>,
    waiting: Cell<usize>,
    wakers: RefCell<Vec<Waker>>,
}

impl StartGate {
    /// The thread's worker, once the gate opens.
    pub(crate) async fn wait(&self) -> Worker {
        let mut counted = false;
        poll_fn(|cx| {
            if let Some(worker) = self.worker.borrow().as_ref() {
                return Poll::Ready(worker.clone());
            }
            if !counted {
                counted = true;
                self.waiting.set(self.waiting.get() + 1);
                self.wakers.borrow_mut().push(cx.waker().clone());
            }
            Poll::Pending
        })
        .await
    }

    /// How many tasks wait at the gate.
    pub(crate) fn waiting(&self) -> usize {
        self.waiting.get()
    }

    /// Let every waiting task go, each with a copy of `worker`.
    pub(crate) fn open(&self, worker: Worker) {
        *self.worker.borrow_mut() = Some(worker);
        for waker in self.wakers.borrow_mut().drain(..) {
            waker.wake();
        }
    }
}

#[derive(Clone)]
pub(crate) struct Worker {
    /// Index among the thread's workers.
    pub(crate) id: usize,
    pub(crate) pacer: Rc<Pacer>,
    /// The open model's dispatch (`None`: closed model).
    pub(crate) dispatch: Option<Rc<Dispatch>>,
    pub(crate) recorder: Rc<RefCell<Recorder>>,
    pub(crate) mix: Rc<Mix>,
    pub(crate) window: Window,
    pub(crate) drain: Rc<Drain>,
    pub(crate) timeout: Duration,
    pub(crate) rng: SmallRng,
    /// The virtual user: variables, cookies, checks (see `flow/`).
    pub(crate) vu: Vu,
}

impl Worker {
    /// Send until the window ends (or the pacer runs dry); a call still in flight at the end of
    /// the drain is abandoned and counted as a timeout.
    pub(crate) async fn run<D: Driver>(mut self, mut driver: D) {
        let mailbox = Rc::new(Mailbox::default());
        // The connection's one deadline, moved for each call (no timer entry per request).
        let deadline = tokio::time::sleep(self.timeout);
        tokio::pin!(deadline);
        let mut first = true;
        loop {
            // When this worker's connection became free (its previous call ended); before its
            // first call it was free from the start.
            let idle_since = (!first).then(Instant::now);
            let Some(claim) = self.next(&mailbox, idle_since, first).await else {
                break;
            };
            first = false;
            let entry = self.mix.pick(&mut self.rng);
            if claim.slot.measured && claim.free_at_due && self.dispatch.is_some() {
                // Due with a connection free: the delay to the send is the generator's own.
                self.recorder
                    .borrow_mut()
                    .record_lag(Instant::now().saturating_duration_since(claim.slot.due));
            }
            let start = Start {
                due: claim.slot.due,
                measured: claim.slot.measured,
                late: claim.late,
            };
            let mut ctx = Ctx {
                recorder: &self.recorder,
                window: &self.window,
                timeout: self.timeout,
                deadline: deadline.as_mut(),
                drain: Some((&self.drain, self.id)),
            };
            // A request of the mix, or a journey's steps (`flow/exec.rs`).
            if self.vu.run(entry, start, &mut driver, &mut ctx).await {
                break; // the drain ended a call
            }
        }
    }

    /// The next slot: the open model's from the dispatch, the closed model's after the think
    /// time; `None` when nothing more may be sent.
    async fn next(
        &mut self,
        mailbox: &Rc<Mailbox>,
        idle_since: Option<Instant>,
        first: bool,
    ) -> Option<Claim> {
        if let Some(dispatch) = &self.dispatch {
            return dispatch.claim(mailbox, idle_since).await;
        }
        if self.window.is_closed(Instant::now()) {
            return None;
        }
        let mut slot = self.pacer.next(Instant::now(), first)?;
        if slot.due > Instant::now() {
            // Think time (or the start). The closed model keeps no schedule: tokio's millisecond
            // timer serves, and the call counts from when it woke, so its lateness is not latency.
            tokio::select! {
                () = tokio::time::sleep_until(slot.due.into()) => {}
                () = self.window.ended() => {}
            }
            slot.due = slot.due.max(Instant::now());
        }
        let end = self.window.end();
        if slot.due >= end || self.window.is_closed(Instant::now()) {
            // Due before the end but never sent: counted, not silently dropped.
            if slot.measured && slot.due < end {
                let request = self.mix.pick(&mut self.rng);
                self.recorder
                    .borrow_mut()
                    .record_unsent(request, slot.due, end, 1);
            }
            return None;
        }
        Some(Claim {
            slot,
            late: false,
            free_at_due: true,
        })
    }
}
