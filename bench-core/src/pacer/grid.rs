//! The open model's send grid: where a due time moves so that one wake-up sends a millisecond's
//! calls (see `docs/statistics.md`, "The send grid").

use std::time::Duration;

/// The open model's send grid: every due time is a multiple of this from the start, the
/// schedule's arrival moved back to the grid point at or before it (see [`on_grid`]; a cell holds
/// at most half the engine thread's connections' worth, the rest keep their own times). One wake-up
/// of the engine thread then sends every call of a grid cell together, instead of one wake-up per
/// call; the grid point is the intended send time and the latency's origin, so nothing is
/// measured from a time the call was not meant to be sent.
pub const SEND_GRID: Duration = Duration::from_millis(1);

/// How far below a grid point an arrival still counts as on it: the schedule is computed in
/// floating point, so the k-th arrival of a uniform 1 000/s lands a few ns short of k ms.
const GRID_SLACK: Duration = Duration::from_micros(1);

/// `offset` on a `grid` ([`SEND_GRID`] unless the scenario's `load.send_grid` says otherwise):
/// the grid point at or before it (within [`GRID_SLACK`]), never moved before `warmup` if it was
/// at or after it (a measured call stays in the measured window), nor to or past `end` (a call
/// due before the end stays due before it). A zero grid leaves `offset` as it is.
pub(crate) fn on_grid(
    offset: Duration,
    grid: Duration,
    warmup: Duration,
    end: Duration,
) -> Duration {
    // In u64 nanoseconds (584 years), not `as_nanos`' u128, whose division is a libcall.
    let nanos = |t: Duration| u64::try_from(t.as_nanos()).unwrap_or(u64::MAX);
    let grid = nanos(grid);
    if grid == 0 {
        return offset;
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    #[test]
    fn due_times_move_back_to_the_grid_point_at_or_before_them() {
        let (warmup, end) = (Duration::ZERO, 10 * MS);
        assert_eq!(
            on_grid(Duration::ZERO, SEND_GRID, warmup, end),
            Duration::ZERO
        );
        assert_eq!(
            on_grid(Duration::from_micros(998), SEND_GRID, warmup, end),
            Duration::ZERO
        );
        assert_eq!(
            on_grid(Duration::from_micros(2_500), SEND_GRID, warmup, end),
            2 * MS
        );
        // A float schedule's "3 ms" a few ns short is 3 ms, not 2 ms.
        assert_eq!(
            on_grid(3 * MS - Duration::from_nanos(3), SEND_GRID, warmup, end),
            3 * MS
        );
    }

    #[test]
    fn the_grid_keeps_calls_inside_their_window() {
        // Just short of the end: not snapped up to the end, where it would be unsendable.
        let end = 10 * MS;
        let last = end - Duration::from_nanos(2);
        assert_eq!(on_grid(last, SEND_GRID, Duration::ZERO, end), 9 * MS);
        // A measured call is not moved back into a warm-up that ends off the grid.
        let warmup = Duration::from_micros(1_500);
        assert_eq!(
            on_grid(Duration::from_micros(1_700), SEND_GRID, warmup, end),
            warmup
        );
        assert_eq!(
            on_grid(Duration::from_micros(1_400), SEND_GRID, warmup, end),
            MS
        );
    }
}
