//! Pacing: when each worker sends its next request, composed from a load model and a stop
//! condition — one mechanism for open (rate-driven) and closed (worker-driven) load.

use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::schedule::{Arrival, RateProfile, ScheduleExt};

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

/// The open model's send grid: every due time is a multiple of this from the start, the
/// schedule's arrival moved back to the grid point at or before it (see [`on_grid`]). One wake-up
/// of the engine thread then sends every call of a grid cell together, instead of one wake-up per
/// call; the grid point is the intended send time and the latency's origin, so nothing is
/// measured from a time the call was not meant to be sent.
pub const SEND_GRID: Duration = Duration::from_millis(1);

/// How far below a grid point an arrival still counts as on it: the schedule is computed in
/// floating point, so the k-th arrival of a uniform 1 000/s lands a few ns short of k ms.
const GRID_SLACK: Duration = Duration::from_micros(1);

/// `offset` on the [`SEND_GRID`]: the grid point at or before it (within [`GRID_SLACK`]), never
/// moved before `warmup` if it was at or after it (a measured call stays in the measured window),
/// nor to or past `end` (a call due before the end stays due before it).
pub(crate) fn on_grid(offset: Duration, warmup: Duration, end: Duration) -> Duration {
    // In u64 nanoseconds (584 years), not `as_nanos`' u128, whose division is a libcall.
    let nanos = |t: Duration| u64::try_from(t.as_nanos()).unwrap_or(u64::MAX);
    let grid = nanos(SEND_GRID);
    let floor = |t: Duration| Duration::from_nanos(nanos(t) / grid * grid);
    let mut snapped = floor(offset + GRID_SLACK);
    if snapped > offset && snapped >= end {
        snapped = floor(offset);
    }
    if offset >= warmup {
        snapped = snapped.max(warmup);
    }
    snapped
}

/// A thread's pacer; its workers share it (single-threaded, hence `RefCell`).
pub(crate) enum Pacer {
    Open {
        arrivals: RefCell<std::iter::Peekable<Box<dyn Iterator<Item = Duration>>>>,
        start: Instant,
        warmup: Duration,
        /// The end of the schedule (warm-up + duration), from the start.
        end: Duration,
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
                end,
            } => {
                let offset = arrivals.borrow_mut().next()?;
                Some(Slot {
                    due: *start + on_grid(offset, *warmup, *end),
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
                arrivals,
                start,
                warmup,
                end,
            } => arrivals
                .borrow_mut()
                .peek()
                .map(|offset| *start + on_grid(*offset, *warmup, *end)),
            Pacer::Closed { .. } => None,
        }
    }

    /// Whether slots are intended times (open model) rather than "as soon as free".
    pub(crate) fn is_open(&self) -> bool {
        matches!(self, Pacer::Open { .. })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    #[test]
    fn due_times_move_back_to_the_grid_point_at_or_before_them() {
        let (warmup, end) = (Duration::ZERO, 10 * MS);
        assert_eq!(on_grid(Duration::ZERO, warmup, end), Duration::ZERO);
        assert_eq!(
            on_grid(Duration::from_micros(998), warmup, end),
            Duration::ZERO
        );
        assert_eq!(on_grid(Duration::from_micros(2_500), warmup, end), 2 * MS);
        // A float schedule's "3 ms" a few ns short is 3 ms, not 2 ms.
        assert_eq!(
            on_grid(3 * MS - Duration::from_nanos(3), warmup, end),
            3 * MS
        );
    }

    #[test]
    fn the_grid_keeps_calls_inside_their_window() {
        // Just short of the end: not snapped up to the end, where it would be unsendable.
        let end = 10 * MS;
        let last = end - Duration::from_nanos(2);
        assert_eq!(on_grid(last, Duration::ZERO, end), 9 * MS);
        // A measured call is not moved back into a warm-up that ends off the grid.
        let warmup = Duration::from_micros(1_500);
        assert_eq!(on_grid(Duration::from_micros(1_700), warmup, end), warmup);
        assert_eq!(on_grid(Duration::from_micros(1_400), warmup, end), MS);
    }

    #[test]
    fn a_uniform_schedule_fills_each_grid_cell_evenly() {
        // 5 000/s: five calls per 1 ms cell, none lost or moved to another cell.
        let model = LoadModel::Open {
            profile: crate::schedule::RateProfile::constant(
                crate::schedule::Rate::new(5_000.0).unwrap(),
                100 * MS,
            ),
            arrival: crate::schedule::Arrival::Uniform,
        };
        let start = Instant::now();
        let claimed = Arc::new(AtomicU64::new(0));
        let pacer = Pacer::new(
            &model,
            StopCondition::default(),
            MS,
            start,
            1,
            (0, 1),
            (0, 1),
            claimed,
        );
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
}
