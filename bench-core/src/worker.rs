//! One worker: takes the next slot from its thread's pacer, waits until it is due, picks a
//! request of the mix, calls the driver under the timeout and records the sample. Many workers
//! share a thread (and its pacer and recorder); one worker owns one driver.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::{Duration, Instant};

use rand::rngs::SmallRng;
use rand::Rng;

use crate::driver::{Driver, ErrorKind, Outcome};
use crate::pacer::{Cancel, Pacer};
use crate::recorder::{Recorder, Sample};

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

    fn pick(&self, rng: &mut SmallRng) -> usize {
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
    pub(crate) cancel: Cancel,
    pub(crate) timeout: Duration,
    pub(crate) rng: SmallRng,
}

impl Worker {
    pub(crate) async fn run<D: Driver>(mut self, mut driver: D) {
        let mut first = true;
        loop {
            if self.cancel.is_cancelled() {
                break;
            }
            let claimed_at = Instant::now();
            let Some(slot) = self.pacer.next(claimed_at, first) else {
                break;
            };
            first = false;
            let late = self.pacer.is_open() && claimed_at > slot.due + LATE_AFTER;
            if slot.due > claimed_at && slot.due - claimed_at <= YIELD_BELOW {
                // Due within a few tens of µs (high rates): yield to the thread's other tasks
                // until then; a hand-off to the timer thread would cost more than the wait.
                while Instant::now() < slot.due {
                    tokio::task::yield_now().await;
                }
            } else if slot.due > claimed_at {
                tokio::select! {
                    () = crate::timer::sleep_until(slot.due) => {}
                    () = self.cancel.cancelled() => break,
                }
            }
            let request = self.mix.pick(&mut self.rng);
            let sent = Instant::now();
            let outcome = tokio::select! {
                r = tokio::time::timeout(self.timeout, driver.call(request)) => match r {
                    Ok(outcome) => outcome,
                    Err(_) => {
                        driver.reset();
                        Outcome::failed(ErrorKind::Timeout, format!("no response within {:?}", self.timeout))
                    }
                },
                () = self.cancel.cancelled() => break,
            };
            let done = Instant::now();
            if slot.measured {
                let sample = Sample {
                    request,
                    due: slot.due,
                    sent,
                    done,
                    late,
                };
                self.recorder.borrow_mut().record(sample, &outcome);
            }
        }
    }
}
