//! Counting the slots that were due in the measured window but never sent.
//!
//! When the window ends, the open model's pacer still holds the slots nobody claimed in time.
//! Each is recorded as [`ErrorKind::Unsent`](crate::driver::ErrorKind::Unsent) with a latency of
//! `end − due`. Up to [`EXACT`] slots per thread are walked one by one; beyond that (an absurd
//! rate) the rest are estimated from the spacing of the slots walked and recorded in
//! [`BINS`] groups, so counting stays bounded whatever the rate.

use std::time::Instant;

use rand::rngs::SmallRng;

use crate::pacer::Pacer;
use crate::recorder::Recorder;
use crate::worker::Mix;

/// Slots per thread recorded one by one.
pub(crate) const EXACT: u64 = 1_000_000;
/// Groups the estimated rest is recorded in.
const BINS: u32 = 64;

/// Record every slot of `pacer` due before `end` as unsent.
pub(crate) fn count(
    pacer: &Pacer,
    recorder: &mut Recorder,
    mix: &Mix,
    rng: &mut SmallRng,
    end: Instant,
) {
    if !pacer.is_open() {
        return; // the closed model has no due times: nothing waits to be sent
    }
    let mut walked = 0u64;
    let mut first: Option<Instant> = None;
    let mut last: Option<Instant> = None;
    while let Some(slot) = pacer.next(end, false) {
        if slot.due >= end {
            return;
        }
        if slot.measured {
            recorder.record_unsent(mix.pick(rng), slot.due, end, 1);
        }
        first.get_or_insert(slot.due);
        last = Some(slot.due);
        walked += 1;
        if walked == EXACT {
            break;
        }
    }
    let (Some(first), Some(last)) = (first, last) else {
        return;
    };
    if walked < EXACT || last <= first {
        return;
    }
    // Too many to walk: estimate the rest from the spacing so far, spread evenly up to `end`.
    let spacing = last.duration_since(first).as_secs_f64() / (walked - 1) as f64;
    let left = end.saturating_duration_since(last);
    let rest = (left.as_secs_f64() / spacing).round() as u64;
    let per_bin = rest / u64::from(BINS);
    for b in 0..BINS {
        let n = per_bin + u64::from(b == BINS - 1) * (rest % u64::from(BINS));
        let due = last + left.mul_f64((f64::from(b) + 0.5) / f64::from(BINS));
        recorder.record_unsent(mix.pick(rng), due, end, n);
    }
}
