//! [`CriterionError`]: why criterion's results cannot be read, naming the file (and line).

use std::path::PathBuf;

/// A criterion result directory or message stream that cannot be read; every variant names
/// the file, a message-stream error its line too (`FILE:LINE`).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CriterionError {
    /// The results directory does not exist.
    #[error(
        "{}: no criterion results here (run `cargo bench` first, or pass --dir)",
        root.display()
    )]
    NoResults {
        /// The directory looked in.
        root: PathBuf,
    },
    /// A directory that cannot be listed.
    #[error("listing {}: {source}", dir.display())]
    List {
        /// The directory.
        dir: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A file that cannot be read.
    #[error("reading {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A `benchmark.json`, `sample.json` or `estimates.json` that does not parse.
    #[error("{}: not a criterion result file: {source}", path.display())]
    NotResult {
        /// The file.
        path: PathBuf,
        /// The parser's error.
        source: serde_json::Error,
    },
    /// A `sample.json` whose `iters` and `times` do not pair up.
    #[error(
        "{}: `iters` and `times` must be non-empty and of equal length ({iters} vs {times})",
        path.display()
    )]
    Samples {
        /// The file.
        path: PathBuf,
        /// How many `iters`.
        iters: usize,
        /// How many `times`.
        times: usize,
    },
    /// A line of the message stream that is not JSON of cargo-criterion's shape.
    #[error("{at}: not a cargo-criterion JSON message: {source}")]
    Message {
        /// `FILE:LINE`.
        at: String,
        /// The parser's error.
        source: serde_json::Error,
    },
    /// A `benchmark-complete` message without its `id`.
    #[error("{at}: benchmark-complete without `id`")]
    NoId {
        /// `FILE:LINE`.
        at: String,
    },
    /// A `unit` that is not a time unit.
    #[error("{at}: field `unit`: {unit:?} is not a time unit (ps, ns, us, ms, s)")]
    Unit {
        /// `FILE:LINE`.
        at: String,
        /// The unit as given.
        unit: String,
    },
    /// `iteration_count` and `measured_values` that do not pair up.
    #[error("{at}: `iteration_count` and `measured_values` must be non-empty and of equal length")]
    Values {
        /// `FILE:LINE`.
        at: String,
    },
}
