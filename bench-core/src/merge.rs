//! Merging the shards of one distributed run into one [`RunResult`], exactly, by the one fold of
//! measurements ([`MeasurementSum`]): HDR histograms add, counts add, timelines align by
//! wall-clock second, percentiles are recomputed from the merged histograms. The merged run
//! compares, gates and reports like any other.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use crate::histogram::HistogramError;
use crate::result::{MeasurementSum, RunKind, RunResult};

/// Why shards cannot be merged.
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    /// Nothing to merge.
    #[error("no results to merge")]
    Empty,
    /// A result is not a shard.
    #[error("{origin}: not a shard (run without --shard)")]
    NotSharded {
        /// Which result.
        origin: String,
    },
    /// Shards of different runs or scenarios, or with different shard counts.
    #[error("{origin}: {what} is {theirs:?}, but {first} has {ours:?}; shards of one run only")]
    Mismatch {
        /// Which result.
        origin: String,
        /// The field.
        what: &'static str,
        /// Its value.
        theirs: String,
        /// The first result.
        first: String,
        /// The first result's value.
        ours: String,
    },
    /// The same shard twice.
    #[error("shard {index} of {count} appears twice ({a} and {b})")]
    Duplicate {
        /// Shard index.
        index: usize,
        /// Shard count.
        count: usize,
        /// One file.
        a: String,
        /// The other.
        b: String,
    },
    /// Shards are missing.
    #[error("missing shard(s) {missing:?} of {count} (have {have:?}); pass --allow-partial to merge what is there")]
    Missing {
        /// Missing indices.
        missing: Vec<usize>,
        /// Present indices.
        have: Vec<usize>,
        /// Shard count.
        count: usize,
    },
    /// Not mergeable kinds of run.
    #[error("{origin}: {why}")]
    Unsupported {
        /// Which result.
        origin: String,
        /// Why.
        why: &'static str,
    },
    /// A stored histogram is damaged.
    #[error("{origin}: {source}")]
    Histogram {
        /// Which result.
        origin: String,
        /// Cause.
        source: HistogramError,
    },
}

/// Merge `shards` (each with the name of where it came from, for errors). Missing shards are
/// an error unless `allow_partial`.
pub fn merge_shards(
    shards: &[(String, RunResult)],
    allow_partial: bool,
) -> Result<RunResult, MergeError> {
    let (first_origin, first) = shards.first().ok_or(MergeError::Empty)?;
    check_shards(shards, allow_partial)?;
    let hist = |origin: &str, e| MergeError::Histogram {
        origin: origin.to_owned(),
        source: e,
    };
    let starts: Vec<SystemTime> = shards.iter().map(|(_, r)| start(r)).collect();
    let t0 = starts
        .iter()
        .min()
        .copied()
        .unwrap_or(SystemTime::UNIX_EPOCH);
    let mut out = first.clone();
    out.meta.shard = None;
    let mut sum = MeasurementSum::default();
    for ((origin, r), started) in shards.iter().zip(&starts) {
        if *started == t0 {
            out.started_at.clone_from(&r.started_at);
        }
        // Align by wall-clock second: a shard that started k s after the first is k s later.
        let offset = started
            .duration_since(t0)
            .unwrap_or(Duration::ZERO)
            .as_secs();
        if let Some(m) = r.measurement() {
            sum.add(m, offset).map_err(|e| hist(origin, e))?;
        }
        out.duration_s = out.duration_s.max(r.duration_s);
        out.cancelled |= r.cancelled;
    }
    let (merged, encoded) = sum.finish();
    encoded.map_err(|e| hist(first_origin, e))?;
    out.kind = RunKind::load(merged);
    // SLO checks were made per shard; the merged run is checked again by whoever reads it.
    out.slo = Vec::new();
    Ok(out)
}

/// The shards are of one run (same run id, scenario and shard count), each index once, all of
/// them unless `allow_partial`; and plain load runs (no steps, no criterion samples).
fn check_shards(shards: &[(String, RunResult)], allow_partial: bool) -> Result<(), MergeError> {
    let (first_origin, first) = shards.first().ok_or(MergeError::Empty)?;
    let shard_of = |origin: &str, r: &RunResult| {
        r.meta.shard.ok_or_else(|| MergeError::NotSharded {
            origin: origin.to_owned(),
        })
    };
    let count = shard_of(first_origin, first)?.count;
    let mut seen: BTreeMap<usize, &str> = BTreeMap::new();
    for (origin, r) in shards {
        let s = shard_of(origin, r)?;
        let mismatch = |what, theirs: String, ours: String| MergeError::Mismatch {
            origin: origin.clone(),
            what,
            theirs,
            first: first_origin.clone(),
            ours,
        };
        if r.meta.run_id != first.meta.run_id {
            return Err(mismatch(
                "run_id",
                r.meta.run_id.clone(),
                first.meta.run_id.clone(),
            ));
        }
        if r.meta.scenario != first.meta.scenario {
            return Err(mismatch(
                "scenario",
                r.meta.scenario.clone(),
                first.meta.scenario.clone(),
            ));
        }
        if s.count != count {
            return Err(mismatch(
                "shard count",
                s.count.to_string(),
                count.to_string(),
            ));
        }
        if !matches!(r.kind, RunKind::Load { .. }) {
            return Err(MergeError::Unsupported {
                origin: origin.clone(),
                why: "saturation and criterion results are not sharded",
            });
        }
        if let Some(other) = seen.insert(s.index, origin) {
            return Err(MergeError::Duplicate {
                index: s.index,
                count,
                a: other.to_owned(),
                b: origin.clone(),
            });
        }
    }
    let missing: Vec<usize> = (0..count).filter(|i| !seen.contains_key(i)).collect();
    if !missing.is_empty() && !allow_partial {
        return Err(MergeError::Missing {
            missing,
            have: seen.keys().copied().collect(),
            count,
        });
    }
    Ok(())
}

fn start(r: &RunResult) -> SystemTime {
    humantime::parse_rfc3339(&r.started_at).unwrap_or(SystemTime::UNIX_EPOCH)
}
