//! One module per subcommand: a thin adapter that parses its flags, calls the application
//! layer (`crate::session`) and the output manager (`crate::output`), and maps the outcome to
//! an [`Exit`]. No command module imports another (`runner/tests/code_shape.rs` checks it).

pub mod baseline;
#[cfg(feature = "demo")]
pub mod calibrate;
pub mod comment;
pub mod compare;
pub mod criterion;
#[cfg(feature = "demo")]
pub mod demo;
pub mod gate;
pub mod history;
pub mod instructions;
pub mod k8s;
pub mod merge;
pub mod report;
pub mod run;
pub mod store;

use crate::cli::{Cli, Command};
use crate::Exit;

/// Why `demo` and `calibrate` cannot run in a build without the `demo` feature.
#[cfg(not(feature = "demo"))]
pub const WITHOUT_DEMO: &str = "this tailguard was built without the embedded demo target \
    (cargo feature `demo`, e.g. `cargo install tailguard --no-default-features`), which `demo` \
    and `calibrate` need; build with default features (`cargo install tailguard`) or run \
    `cargo run --release -p tailguard -- demo` in a clone of the repository";

/// Run the parsed command.
pub fn dispatch(cli: Cli) -> anyhow::Result<Exit> {
    match cli.command {
        Command::Run(args) => run::command(&args),
        #[cfg(feature = "demo")]
        Command::Demo(args) => demo::command(&args),
        Command::Compare(args) => compare::command(&args),
        Command::Gate(args) => gate::command(&args),
        Command::Baseline { action } => baseline::command(&action),
        #[cfg(feature = "demo")]
        Command::Calibrate(args) => calibrate::command(&args),
        #[cfg(not(feature = "demo"))]
        Command::Demo(_) | Command::Calibrate(_) => Err(anyhow::anyhow!(WITHOUT_DEMO)),
        Command::Store { action } => store::command(&action),
        Command::Criterion(args) => criterion::command(&args),
        Command::Instructions(args) => instructions::command(&args),
        Command::Comment(args) => comment::command(&args),
        Command::Merge(args) => merge::command(&args),
        Command::K8s {
            action: crate::cli::K8sAction::Render(args),
        } => k8s::command(&args),
        Command::Report(args) => report::command(&args),
        Command::History(args) => history::command(&args),
    }
}

#[cfg(all(test, not(feature = "demo")))]
mod tests {
    use clap::Parser as _;

    #[test]
    fn demo_and_calibrate_explain_the_missing_feature() {
        for cmd in ["demo", "calibrate"] {
            let cli = crate::cli::Cli::try_parse_from(["tailguard", cmd]).unwrap();
            let err = super::dispatch(cli).unwrap_err().to_string();
            assert!(err.contains("without the embedded demo target"), "{err}");
        }
    }
}
