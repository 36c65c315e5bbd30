//! # tailguard — the CLI
//!
//! `tailguard run` drives a scenario and checks its SLOs; `tailguard demo` shows the whole loop
//! against a built-in target on loopback. Exit codes: 0 success, 1 an SLO or gate failed, 2 bad
//! input or a tool error, 130 interrupted by Ctrl-C and 143 by SIGTERM (the partial result is
//! still written).

#![deny(missing_docs)]

pub mod admission;
pub mod atomic;
pub mod capacity;
pub mod cli;
pub mod commands;
pub mod criterion;
pub mod evidence;
pub mod exit;
pub mod gate;
pub mod github;
pub mod history;
pub mod http_client;
pub mod instructions;
pub mod output;
pub mod preflight;
pub mod progress;
pub mod report;
pub mod saturation;
pub mod service;
pub mod session;
pub mod signal;
pub mod store;
pub mod verdict;

use std::ffi::OsString;
use std::process::ExitCode;

use clap::Parser;

pub use exit::Exit;

/// Parse `args` and run the command, printing errors; the process exit code is returned.
pub fn main_with_args<I, T>(args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match cli::Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { exit::BAD_INPUT } else { 0 });
        }
    };
    match commands::dispatch(cli) {
        Ok(exit) => exit.into(),
        Err(e) => {
            let message = bench_core::redact::process().text(&exit::describe(&e));
            eprintln!("error: {message}");
            ExitCode::from(exit::BAD_INPUT)
        }
    }
}
