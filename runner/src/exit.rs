//! Exit statuses, one meaning each.

use std::process::ExitCode;

/// Bad input or a tool error.
pub const BAD_INPUT: u8 = 2;

/// How a command ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Everything held.
    Success,
    /// An SLO was breached or the gate failed.
    Failed,
    /// Stopped by Ctrl-C or SIGTERM; partial results were written.
    Interrupted(crate::signal::Signal),
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> ExitCode {
        match e {
            Exit::Success => ExitCode::SUCCESS,
            Exit::Failed => ExitCode::from(1),
            Exit::Interrupted(signal) => ExitCode::from(signal.exit_code()),
        }
    }
}
