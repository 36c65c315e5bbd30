//! The application layer: what the commands do, written once. A command (`commands/`) parses
//! its flags, calls these and maps the outcome to an exit status; no command imports another.
//!
//! - [`execute`]: run a scenario (a load run, or a saturation run's [`steps`]) to a redacted
//!   result.
//! - [`stores`]: open the configured store, stamp a run with its branch and commit, save it.
//! - [`baselines`]: find a stored baseline (`store:BRANCH`): its stable window, the newest runs
//!   of a scenario, the scenarios a branch holds.
//! - [`gate`]: a gate's trials — interleaved pairs through `gate::trials::run`, or candidate
//!   trials against stored runs — each measured, written to `--results-dir`, never lost.
//! - [`keep`]: `--out` first, then the store; a run is never lost.
//! - [`conclude`]: print a verdict, write its files, report to GitHub Actions, choose the exit.
//!
//! The order and looks of interleaved trials are `gate::trials::run`'s (also `calibrate`'s);
//! judging is `gate::judge`'s. Every file written
//! for the user goes through the output manager (`crate::output`).

pub mod baselines;
pub mod conclude;
mod error;
pub mod execute;
pub mod gate;
pub mod keep;
pub mod steps;
pub mod stores;

pub use error::SessionError;

/// The connector of `scenario`'s target; the error names the scenario file.
fn connector(
    scenario: &bench_core::Scenario,
) -> Result<bench_core::driver::AnyConnector, SessionError> {
    scenario
        .connector()
        .map_err(|source| SessionError::Connector {
            path: scenario.path.clone(),
            source,
        })
}
