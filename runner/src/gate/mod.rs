//! The gate, typed and in one place: what is decided ([`GatePolicy`]), how the evidence is
//! judged ([`judge`]: every comparison, family-wise control, worst-of verdicts), where the
//! baseline comes from ([`BaselineSource`]) and how trials are run ([`trials::run`]: interleaved,
//! counterbalanced, sequential with a budget). `gate`, `compare`, `criterion`, `demo` and
//! `calibrate` all go through it, so calibration measures the real gate.

pub mod error;
pub mod family;
pub mod judge;
pub mod policy;
pub mod simulate;
pub mod trials;
pub mod trials_report;

pub use error::{JudgeError, TrialFailure, TrialsError};
pub use family::Family;
pub use judge::{judge, overall, Judging};
pub use policy::{BaselineSource, GatePolicy, Look};
