//! One module per subcommand.

pub mod demo;
pub mod run;

use crate::cli::{Cli, Command};
use crate::Exit;

/// Run the parsed command.
pub fn dispatch(cli: Cli) -> anyhow::Result<Exit> {
    match cli.command {
        Command::Run(args) => run::command(&args),
        Command::Demo(args) => demo::command(&args),
    }
}
