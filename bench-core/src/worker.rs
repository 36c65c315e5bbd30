//! One worker: takes the next slot from its thread's pacer, waits until it is due, picks a
//! request (or journey) of the mix, and has its virtual user run it (`flow/exec.rs`: calls under
//! the timeout, checks, recording). Many workers
//! share a thread (and its pacer and recorder); one worker owns one driver.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::{Duration, Instant};

use rand::rngs::SmallRng;
use rand::Rng;

use crate::driver::Driver;
use crate::flow::{Ctx, Start, Vu};
use crate::pacer::Pacer;
use crate::recorder::Recorder;
use crate::turn::Turn;
use crate::window::Window;

/// A request counts as late when its due time had passed by more than this before a connection
/// was free to send it.
pub const LATE_AFTER: Duration = Duration::from_millis(1);

/// Waits shorter than this yield to other tasks instead of sleeping on the timer thread.
const YIELD_BELOW: Duration = Duration::from_micros(50);

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

pub(crate) struct Worker {
    pub(crate) pacer: Rc<Pacer>,
    pub(crate) recorder: Rc<RefCell<Recorder>>,
    pub(crate) mix: Rc<Mix>,
    pub(crate) window: Window,
    pub(crate) turn: Rc<Turn>,
    pub(crate) timeout: Duration,
    pub(crate) rng: SmallRng,
    /// The virtual user: variables, cookies, checks (see `flow/`).
    pub(crate) vu: Vu,
}

impl Worker {
    /// Send until the window ends (or the pacer runs dry); a call still in flight at the end of
    /// the drain is abandoned and counted as a timeout.
    pub(crate) async fn run<D: Driver>(mut self, mut driver: D) {
        let mut first = true;
        loop {
            // When this worker's connection became free (its previous call ended); before its
            // first call it was free from the start.
            let idle_since = (!first).then(Instant::now);
            // Open model: one idle worker at a time takes the next slot (see `turn.rs`).
            let turn = if self.pacer.is_open() {
                Some(self.turn.take().await)
            } else {
                None
            };
            let claimed_at = Instant::now();
            if self.window.is_closed(claimed_at) {
                break;
            }
            let Some(slot) = self.pacer.next(claimed_at, first) else {
                break;
            };
            first = false;
            // Late means waiting for a free connection: this one was still busy at the due time.
            // A slot taken late by a worker that was already idle then is the generator's own
            // delay (CPU, timer), not a busy connection, and is not counted here.
            let late = self.pacer.is_open()
                && claimed_at > slot.due + LATE_AFTER
                && idle_since.is_some_and(|t| t > slot.due);
            self.wait_until(slot.due).await;
            drop(turn);
            let end = self.window.end();
            // A slot due before the end is still sent during the send grace (see `window.rs`).
            if slot.due >= end || self.window.is_closed(Instant::now()) {
                // Due before the end but never sent: counted, not silently dropped.
                if slot.measured && slot.due < end {
                    let request = self.mix.pick(&mut self.rng);
                    self.recorder
                        .borrow_mut()
                        .record_unsent(request, slot.due, end, 1);
                }
                break;
            }
            let entry = self.mix.pick(&mut self.rng);
            let start = Start {
                due: slot.due,
                measured: slot.measured,
                late,
            };
            let ctx = Ctx {
                recorder: &self.recorder,
                window: &self.window,
                timeout: self.timeout,
            };
            // A request of the mix, or a journey's steps (`flow/exec.rs`).
            if self.vu.run(entry, start, &mut driver, &ctx).await {
                break; // the drain ended a call
            }
        }
    }

    /// Wait until `due`, or until the window ends (cancellation) if that comes first.
    async fn wait_until(&self, due: Instant) {
        let now = Instant::now();
        if due > now && due - now <= YIELD_BELOW {
            // Due within a few tens of µs (high rates): yield to the thread's other tasks
            // until then; a hand-off to the timer thread would cost more than the wait.
            while Instant::now() < due {
                tokio::task::yield_now().await;
            }
        } else if due > now {
            tokio::select! {
                () = crate::timer::sleep_until(due) => {}
                () = self.window.ended() => {}
            }
        }
    }
}
