//! How the trials of a gate were run ([`TrialsReport`]), as recorded in `verdict.json`.

use serde::{Deserialize, Serialize};

/// Why the trials stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stopped {
    /// Every gated comparison was decided (pass or fail).
    Decided,
    /// `--max-trials` pairs were run and something is still undecided.
    MaxTrials,
    /// The wall-clock budget ran out with something undecided.
    WallClock,
    /// Interrupted (Ctrl-C).
    Interrupted,
}

/// How the trials of a gate were run, recorded in `verdict.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrialsReport {
    /// `"counterbalanced"`: A B, B A, A B, … within the pairs.
    pub order: String,
    /// Seed of the order.
    pub seed: u64,
    /// Whether the baseline led the first pair.
    pub baseline_first: bool,
    /// Pairs at the first look.
    pub min_pairs: usize,
    /// Pair budget.
    pub max_pairs: usize,
    /// Pairs run (per scenario).
    pub pairs: usize,
    /// The pair counts at which the evidence was judged.
    pub looks: Vec<usize>,
    /// Why the trials stopped.
    pub stopped: Stopped,
    /// Wall-clock budget in seconds, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub budget_s: Option<f64>,
    /// Seconds the trials took.
    pub wall_s: f64,
}
