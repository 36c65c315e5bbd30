//! One module per subcommand.

pub mod baseline;
pub mod calibrate;
pub mod comment;
pub mod compare;
pub mod criterion;
pub mod demo;
pub mod gate;
pub mod k8s;
pub mod merge;
pub mod report;
pub mod run;
pub mod store;

use crate::cli::{Cli, Command};
use crate::Exit;

/// Run the parsed command.
pub fn dispatch(cli: Cli) -> anyhow::Result<Exit> {
    match cli.command {
        Command::Run(args) => run::command(&args),
        Command::Demo(args) => demo::command(&args),
        Command::Compare(args) => compare::command(&args),
        Command::Gate(args) => gate::command(&args),
        Command::Baseline { action } => baseline::command(&action),
        Command::Calibrate(args) => calibrate::command(&args),
        Command::Store { action } => store::command(&action),
        Command::Criterion(args) => criterion::command(&args),
        Command::Comment(args) => comment::command(&args),
        Command::Merge(args) => merge::command(&args),
        Command::K8s {
            action: crate::cli::K8sAction::Render(args),
        } => k8s::command(&args),
        Command::Report(args) => report::command(&args),
    }
}
