//! Stored baselines that respect history: which of main's stored runs a candidate is compared
//! with, and how noisy they are.
//!
//! [`select`] keeps only runs with the candidate's environment fingerprint (CPU model, cores,
//! tool version) and scenario configuration hash — a mismatch is refused unless overridden, and
//! the override is reported — then only the commits after the last change point of any gated
//! series (the stable segment), and estimates each gated metric's run-to-run spread from that
//! segment (one value per commit). `stored.rs` reads the store and applies the result.

use std::fmt;
use std::fmt::Write as _;

use bench_core::result::{RunMeta, RunResult};
use bench_core::stats::prediction;
use serde::{Deserialize, Serialize};

use super::series::{by_commit, series_of, HistoryMetric};

/// Stored runs read before selecting (the history the change points are searched in).
pub const LOOKBACK_RUNS: usize = 200;

/// What makes two runs comparable as one experiment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fingerprint {
    /// CPU model, when recorded.
    pub cpu_model: Option<String>,
    /// Logical cores.
    pub cores: usize,
    /// tailguard version.
    pub tool_version: String,
    /// Hash of the scenario configuration, without what does not change the load (description,
    /// SLOs, `[gate]`, target URLs).
    pub config_hash: String,
}

impl Fingerprint {
    /// The fingerprint of a run (of its descriptive facts).
    #[must_use]
    pub fn of(meta: &RunMeta) -> Self {
        let env = &meta.environment;
        Self {
            cpu_model: env.cpu_model.clone(),
            cores: env.cores,
            tool_version: env.tool_version.clone(),
            config_hash: config_hash(&meta.config),
        }
    }

    /// The fields that differ from `other`, as `name a ≠ b`.
    #[must_use]
    pub fn differences(&self, other: &Self) -> Vec<String> {
        let mut d = Vec::new();
        let cpu = |c: &Option<String>| c.clone().unwrap_or_else(|| "unrecorded".into());
        if self.cpu_model != other.cpu_model {
            d.push(format!(
                "CPU {:?} ≠ {:?}",
                cpu(&self.cpu_model),
                cpu(&other.cpu_model)
            ));
        }
        if self.cores != other.cores {
            d.push(format!("cores {} ≠ {}", self.cores, other.cores));
        }
        if self.tool_version != other.tool_version {
            d.push(format!(
                "tailguard {} ≠ {}",
                self.tool_version, other.tool_version
            ));
        }
        if self.config_hash != other.config_hash {
            d.push(format!(
                "configuration {} ≠ {}",
                self.config_hash, other.config_hash
            ));
        }
        d
    }
}

/// FNV-1a (64 bit) of the configuration's JSON without `description`, `slo`, `gate`, `target`
/// and `resolved_target`, as 16 hex digits.
#[must_use]
pub fn config_hash(config: &serde_json::Value) -> String {
    let mut c = config.clone();
    if let Some(obj) = c.as_object_mut() {
        for k in ["description", "slo", "gate", "target", "resolved_target"] {
            obj.remove(k);
        }
    }
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in c.to_string().bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// How to select.
#[derive(Debug, Clone)]
pub struct WindowPolicy {
    /// Most runs to compare with (the newest of the stable segment).
    pub max_runs: usize,
    /// Gated metrics: their series decide the stable segment and get a noise estimate.
    pub metrics: Vec<HistoryMetric>,
    /// Change-point search.
    pub detector: super::Detector,
    /// Use runs of another environment or configuration (reported) instead of refusing.
    pub allow_mismatch: bool,
}

/// One gated metric's run-to-run spread in the stable segment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricNoise {
    /// Metric.
    pub metric: HistoryMetric,
    /// Standard deviation of the log values, one per commit (≈ relative spread).
    pub sd_log: f64,
    /// Values it was estimated from.
    pub values: usize,
    /// Per commit (`true`), or per run when the segment has fewer than 3 commits (`false`: the
    /// spread of one session's trials understates drift between sessions).
    pub per_commit: bool,
}

/// The selected baseline of one scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BaselineWindow {
    /// What was selected and why, in one sentence.
    pub reason: String,
    /// The stored runs used.
    pub run_ids: Vec<String>,
    /// The commit where the stable segment starts (after the last change point), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since_commit: Option<String>,
    /// Stored runs of another environment or configuration used because of the override.
    pub mismatched_used: usize,
    /// Stored runs left out because their environment or configuration differs.
    pub mismatched_left_out: usize,
    /// Spread per gated metric.
    pub noise: Vec<MetricNoise>,
}

/// Why no baseline can be selected.
#[derive(Debug, Clone, PartialEq)]
pub struct Refusal(pub String);

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Refusal {}

/// Select from `stored` (one scenario's runs, any order) the runs to compare a candidate (its
/// descriptive facts) with.
///
/// # Errors
/// A [`Refusal`] when runs are stored but none matches the candidate's fingerprint and the
/// override is off (the message names the differing fields and the flag).
pub fn select(
    stored: Vec<RunResult>,
    candidate: &RunMeta,
    policy: &WindowPolicy,
) -> Result<(Vec<RunResult>, BaselineWindow), Refusal> {
    let want = Fingerprint::of(candidate);
    let (same, other): (Vec<RunResult>, Vec<RunResult>) = stored
        .into_iter()
        .partition(|r| Fingerprint::of(&r.meta) == want);
    if same.is_empty() && !other.is_empty() && !policy.allow_mismatch {
        return Err(Refusal(refusal(candidate, &want, &other)));
    }
    let (pool, used, left_out) = if policy.allow_mismatch {
        let n = other.len();
        (same.into_iter().chain(other).collect(), n, 0)
    } else {
        (same, 0, other.len())
    };
    let commits = by_commit(pool);
    let scenario = candidate.scenario.as_str();
    let series = series_of(scenario, &commits, &policy.metrics);
    let mut start = 0;
    for s in series.iter().filter(|s| s.request.is_none()) {
        let values = super::transformed(s);
        let found = policy
            .detector
            .change_points(&values, s.metric)
            .map_err(|e| Refusal(e.to_string()))?;
        if let Some(last) = found.last() {
            start = start.max(last.index);
        }
    }
    let segment = &commits[start.min(commits.len())..];
    let noise = noise(scenario, segment, &policy.metrics);
    let mut runs: Vec<RunResult> = segment.iter().flatten().cloned().collect();
    let skip = runs.len().saturating_sub(policy.max_runs);
    runs.drain(..skip);
    let since = (start > 0)
        .then(|| {
            segment
                .first()
                .and_then(|c| c[0].meta.environment.git_commit.clone())
        })
        .flatten();
    let window = BaselineWindow {
        reason: reason(
            &runs,
            segment.len(),
            commits.len(),
            start,
            since.as_deref(),
            used,
            left_out,
        ),
        run_ids: runs.iter().map(|r| r.meta.run_id.clone()).collect(),
        since_commit: since,
        mismatched_used: used,
        mismatched_left_out: left_out,
        noise,
    };
    Ok((runs, window))
}

fn refusal(candidate: &RunMeta, want: &Fingerprint, other: &[RunResult]) -> String {
    let mut diffs: Vec<String> = other
        .iter()
        .flat_map(|r| Fingerprint::of(&r.meta).differences(want))
        .collect();
    diffs.sort();
    diffs.dedup();
    format!(
        "scenario {:?}: none of the {} stored runs was measured like this candidate (stored ≠ \
         candidate: {}); comparing across machines, tool versions or configurations measures \
         the difference between them, not the change. Record a baseline on this runner, or \
         pass --allow-env-mismatch to compare anyway (the report says so)",
        candidate.scenario,
        other.len(),
        diffs.join("; ")
    )
}

fn reason(
    runs: &[RunResult],
    segment: usize,
    total: usize,
    start: usize,
    since: Option<&str>,
    used: usize,
    left_out: usize,
) -> String {
    let mut r = if start > 0 {
        format!(
            "{} stored run(s) from the {segment} commit(s) since the last change point (at {}); \
             the {start} earlier commit(s) are another level",
            runs.len(),
            since.unwrap_or("an unrecorded commit")
        )
    } else {
        format!(
            "{} stored run(s); no change point in the {total} stored commit(s)",
            runs.len()
        )
    };
    if left_out > 0 {
        let _ = write!(
            r,
            "; left out {left_out} run(s) of another environment or configuration"
        );
    }
    if used > 0 {
        let _ = write!(
            r,
            "; OVERRIDE (--allow-env-mismatch): {used} run(s) of another environment or \
             configuration included"
        );
    }
    r
}

fn noise(
    scenario: &str,
    segment: &[Vec<RunResult>],
    metrics: &[HistoryMetric],
) -> Vec<MetricNoise> {
    let per_commit = segment.len() >= 3;
    let groups: Vec<Vec<RunResult>> = if per_commit {
        segment.to_vec()
    } else {
        segment.iter().flatten().map(|r| vec![r.clone()]).collect()
    };
    series_of(scenario, &groups, metrics)
        .iter()
        .filter(|s| s.request.is_none() && s.metric.is_ratio())
        .filter_map(|s| {
            let logs = super::transformed(s);
            Some(MetricNoise {
                metric: s.metric,
                sd_log: prediction::sd(&logs)?,
                values: logs.len(),
                per_commit,
            })
        })
        .collect()
}
