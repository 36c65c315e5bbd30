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
    Interrupted(Signal),
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

/// A signal that stops a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// SIGINT (Ctrl-C).
    Interrupt,
    /// SIGTERM.
    Terminate,
}

impl Signal {
    /// The conventional exit status after this signal: 128 + its number.
    #[must_use]
    pub fn exit_code(self) -> u8 {
        match self {
            Self::Interrupt => 130,
            Self::Terminate => 143,
        }
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Interrupt => "interrupted (Ctrl-C)",
            Self::Terminate => "terminated (SIGTERM)",
        }
    }
}

/// An error with its causes, `outer: cause: …`, as `{:#}` writes it, except that a cause whose
/// text the message already holds is not repeated (most errors write their cause into their own
/// message: `/x.toml: No such file or directory (os error 2)`).
#[must_use]
pub fn describe(e: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in e.chain() {
        let part = cause.to_string();
        if text.is_empty() {
            text = part;
        } else if !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn causes_already_in_the_message_are_not_repeated() {
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "gone");
        #[derive(Debug, thiserror::Error)]
        #[error("reading x: {source}")]
        struct Read {
            source: std::io::Error,
        }
        let e = anyhow::Error::new(Read { source: io }).context("loading");
        assert_eq!(describe(&e), "loading: reading x: gone");
        let e = anyhow::anyhow!("inner").context("outer");
        assert_eq!(describe(&e), "outer: inner");
    }
}
