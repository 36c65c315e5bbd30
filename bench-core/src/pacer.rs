//! Pacing: when each worker sends its next request, composed from a load model and a stop
//! condition — one mechanism for open (rate-driven) and closed (worker-driven) load.

use std::cell::{Cell, RefCell};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::schedule::{Arrival, RateProfile, ScheduleExt};

mod grid;
use grid::on_grid;
pub use grid::SEND_GRID;

/// The load model.
#[derive(Debug, Clone, PartialEq)]
pub enum LoadModel {
    /// Requests arrive on a schedule regardless of how fast the target answers; a request that
    /// finds every connection busy waits, and its latency still counts from its due time.
    Open {
        /// Rate over time (its duration is the measured duration; warm-up comes before it).
        profile: RateProfile,
        /// Spacing of arrivals.
        arrival: Arrival,
    },
    /// A fixed number of workers, each sending its next request when the previous one completes
    /// (plus an optional think time).
    Closed {
        /// Pause between a response and the worker's next request.
        think_time: Duration,
        /// How long to run after warm-up.
        duration: Duration,
    },
}

impl LoadModel {
    /// The measured duration (warm-up excluded): the length of the measured window.
    #[must_use]
    pub fn duration(&self) -> Duration {
        match self {
            LoadModel::Open { profile, .. } => profile.duration(),
            LoadModel::Closed { duration, .. } => *duration,
        }
    }
}

/// When to stop, besides the end of the load model's duration.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StopCondition {
    /// Stop after this many measured requests.
    pub max_requests: Option<u64>,
}

/// A slot handed to a worker: when its next call is due and whether it is measured.
#[derive(Debug, Clone, Copy)]
pub struct Slot {
    /// Intended send time.
    pub due: Instant,
    /// False during warm-up.
    pub measured: bool,
}

/// A cancellation flag shared by every thread. Cancelling ends the measured window at that
/// moment: nothing more is sent, calls in flight get the drain (see [`crate::window`]).
#[derive(Debug, Clone, Default)]
pub struct Cancel(Arc<CancelState>);

#[derive(Debug, Default)]
struct CancelState {
    at: std::sync::OnceLock<Instant>,
    notify: tokio::sync::Notify,
}

impl Cancel {
    /// A fresh, un-cancelled flag.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }
    /// Stop the run: no new requests are sent; requests in flight get the drain and then count
    /// as timeouts; requests that were due but not sent count as unsent.
    pub fn cancel(&self) {
        let _ = self.0.at.set(Instant::now());
        self.0.notify.notify_waiters();
    }
    /// Whether [`Cancel::cancel`] was called.
    #[must_use]
    pub fn is_cancelled(&self) -> bool {
        self.0.at.get().is_some()
    }
    /// When [`Cancel::cancel`] was first called.
    #[must_use]
    pub fn cancelled_at(&self) -> Option<Instant> {
        self.0.at.get().copied()
    }
    /// Resolves when cancelled.
    pub async fn cancelled(&self) {
        let notified = self.0.notify.notified();
        if self.is_cancelled() {
            return;
        }
        notified.await;
    }
}

/// A thread's pacer; its workers share it (single-threaded, hence `RefCell`).
pub(crate) enum Pacer {
    Open {
        arrivals: RefCell<std::iter::Peekable<Box<dyn Iterator<Item = Duration>>>>,
        start: Instant,
        warmup: Duration,
        /// The end of the schedule (warm-up + duration), from the start.
        end: Duration,
        /// The grid cell of the last slot taken (from the start) and how many slots it holds.
        cell: Cell<(Duration, usize)>,
        /// The most slots a cell holds; arrivals past it keep their own time (see
        /// [`Pacer::with_cell_cap`]).
        cap: usize,
        /// The send grid ([`SEND_GRID`] by default; zero: every call at its own time).
        grid: Duration,
    },
    Closed {
        think_time: Duration,
        start: Instant,
        measure_start: Instant,
        end: Instant,
        max_requests: Option<u64>,
        claimed: Arc<AtomicU64>,
    },
}

impl Pacer {
    /// Thread `thread` of `threads`, within shard `shard` of `shards` of the whole run.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        model: &LoadModel,
        stop: StopCondition,
        warmup: Duration,
        start: Instant,
        seed: u64,
        (thread, threads): (usize, usize),
        (shard, shards): (usize, usize),
        claimed: Arc<AtomicU64>,
    ) -> Self {
        match model {
            LoadModel::Open { profile, arrival } => {
                let end = warmup + profile.duration();
                let base = profile.clone().with_prefix(warmup).arrivals(*arrival, seed);
                let limited: Box<dyn Iterator<Item = Duration>> = match stop.max_requests {
                    Some(n) => Box::new(base.limit_after(warmup, n)),
                    None => Box::new(base),
                };
                let mine: Box<dyn Iterator<Item = Duration>> =
                    Box::new(limited.shard(shard, shards).shard(thread, threads));
                Pacer::Open {
                    arrivals: RefCell::new(mine.peekable()),
                    start,
                    warmup,
                    end,
                    cell: Cell::new((Duration::ZERO, 0)),
                    cap: usize::MAX,
                    grid: SEND_GRID,
                }
            }
            LoadModel::Closed {
                think_time,
                duration,
            } => Pacer::Closed {
                think_time: *think_time,
                start,
                measure_start: start + warmup,
                end: start + warmup + *duration,
                max_requests: stop.max_requests.map(|n| {
                    // Each shard sends its share of the count.
                    let shards = shards.max(1) as u64;
                    n / shards + u64::from((shard as u64) < n % shards)
                }),
                claimed,
            },
        }
    }

    /// The next slot for a worker, or `None` when the load is over. `first` is true for a
    /// worker's first call (no think time before it).
    pub(crate) fn next(&self, now: Instant, first: bool) -> Option<Slot> {
        match self {
            Pacer::Open {
                arrivals,
                start,
                warmup,
                cell,
                ..
            } => {
                let offset = arrivals.borrow_mut().next()?;
                let (due, taken) = self.due(offset);
                cell.set(taken);
                Some(Slot {
                    due: *start + due,
                    measured: offset >= *warmup,
                })
            }
            Pacer::Closed {
                think_time,
                start,
                measure_start,
                end,
                max_requests,
                claimed,
            } => {
                // Workers are spawned before the start; none may send before it.
                let due = if first { now } else { now + *think_time }.max(*start);
                if due >= *end {
                    return None;
                }
                let measured = due >= *measure_start;
                if measured {
                    if let Some(max) = max_requests {
                        if claimed.fetch_add(1, Ordering::Relaxed) >= *max {
                            return None;
                        }
                    }
                }
                Some(Slot { due, measured })
            }
        }
    }

    /// The open model's next due time without taking it; `None` when the schedule is over (or
    /// for the closed model, which has no schedule).
    pub(crate) fn peek_due(&self) -> Option<Instant> {
        match self {
            Pacer::Open {
                arrivals, start, ..
            } => {
                let offset = *arrivals.borrow_mut().peek()?;
                Some(*start + self.due(offset).0)
            }
            Pacer::Closed { .. } => None,
        }
    }

    /// At most `cap` slots per grid cell (the open model; a no-op for the closed one): a cell
    /// holding more calls than half the thread's connections would make calls wait for a
    /// connection that a spread schedule finds free, so arrivals past the cap keep their own time
    /// (at such rates the thread is busy anyway, and the grid saves no wake-up).
    pub(crate) fn with_cell_cap(mut self, cap: usize) -> Self {
        if let Pacer::Open { cap: c, .. } = &mut self {
            *c = cap.max(1);
        }
        self
    }

    /// Send on `grid` instead of [`SEND_GRID`] (the open model; a no-op for the closed one); a
    /// zero grid sends every call at its own time.
    pub(crate) fn with_grid(mut self, grid: Duration) -> Self {
        if let Pacer::Open { grid: g, .. } = &mut self {
            *g = grid;
        }
        self
    }

    /// The open model's due time of the arrival at `offset` (from the start), and the cell after
    /// taking it: its grid point while the cell has room, else its own time.
    fn due(&self, offset: Duration) -> (Duration, (Duration, usize)) {
        let Pacer::Open {
            warmup,
            end,
            cell,
            cap,
            grid,
            ..
        } = self
        else {
            return (offset, (offset, 0));
        };
        let point = on_grid(offset, *grid, *warmup, *end);
        match cell.get() {
            (at, n) if at == point && n >= *cap => (offset, (at, n)),
            (at, n) if at == point => (point, (at, n + 1)),
            _ => (point, (point, 1)),
        }
    }

    /// Whether slots are intended times (open model) rather than "as soon as free".
    pub(crate) fn is_open(&self) -> bool {
        matches!(self, Pacer::Open { .. })
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    /// A uniform `rate` req/s for `duration` after `warmup`, on one thread, from `start`.
    pub(crate) fn uniform(
        rate: f64,
        duration: Duration,
        warmup: Duration,
        start: Instant,
    ) -> Pacer {
        let model = LoadModel::Open {
            profile: crate::schedule::RateProfile::constant(
                crate::schedule::Rate::new(rate).unwrap(),
                duration,
            ),
            arrival: crate::schedule::Arrival::Uniform,
        };
        let claimed = Arc::new(AtomicU64::new(0));
        Pacer::new(
            &model,
            StopCondition::default(),
            warmup,
            start,
            1,
            (0, 1),
            (0, 1),
            claimed,
        )
    }

    #[test]
    fn a_uniform_schedule_fills_each_grid_cell_evenly() {
        // 5 000/s: five calls per 1 ms cell, none lost or moved to another cell.
        let start = Instant::now();
        let pacer = uniform(5_000.0, 100 * MS, MS, start);
        let mut per_cell = std::collections::BTreeMap::<u128, u32>::new();
        while let Some(slot) = pacer.next(start, false) {
            let at = slot.due - start;
            assert_eq!(
                at.as_nanos() % SEND_GRID.as_nanos(),
                0,
                "{at:?} off the grid"
            );
            assert_eq!(slot.measured, at >= MS, "{at:?}");
            *per_cell
                .entry(at.as_nanos() / SEND_GRID.as_nanos())
                .or_default() += 1;
        }
        assert_eq!(per_cell.len(), 101, "1 ms warm-up + 100 ms");
        assert!(per_cell.values().all(|n| *n == 5), "{per_cell:?}");
    }

    #[test]
    fn a_zero_grid_leaves_every_arrival_its_own_time() {
        // 5 000/s with `load.send_grid = "0"`: one call every 200 µs, none moved.
        let start = Instant::now();
        let pacer = uniform(5_000.0, 10 * MS, Duration::ZERO, start).with_grid(Duration::ZERO);
        let mut dues = Vec::new();
        while let Some(due) = pacer.peek_due() {
            let slot = pacer.next(start, false).unwrap();
            assert_eq!(slot.due, due, "peek and next agree");
            dues.push((slot.due - start).as_micros());
        }
        let expected: Vec<u128> = (0..50).map(|k| k * 200).collect();
        assert_eq!(dues, expected);
    }

    #[test]
    fn a_full_cell_leaves_the_next_arrivals_their_own_time() {
        // 5 000/s, at most 2 per cell: the first two of each millisecond on its grid point, the
        // other three at their own times (200 µs apart), in order and never late.
        let start = Instant::now();
        let pacer = uniform(5_000.0, 10 * MS, Duration::ZERO, start).with_cell_cap(2);
        let mut dues = Vec::new();
        while let Some(due) = pacer.peek_due() {
            let slot = pacer.next(start, false).unwrap();
            assert_eq!(slot.due, due, "peek and next agree");
            dues.push((slot.due - start).as_micros());
        }
        assert_eq!(dues.len(), 50);
        assert_eq!(
            &dues[..10],
            &[0, 0, 400, 600, 800, 1000, 1000, 1400, 1600, 1800]
        );
    }
}
