//! One module per subcommand.

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

/// Write `value` as pretty JSON to `path` (`--out`), creating its directory, whole or not at
/// all; says where on stderr.
pub fn write_json_out(path: &std::path::Path, value: &impl serde::Serialize) -> anyhow::Result<()> {
    use anyhow::Context as _;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    crate::atomic::write(path, serde_json::to_string_pretty(value)?)
        .with_context(|| format!("writing {}", path.display()))?;
    eprintln!("wrote {}", path.display());
    Ok(())
}

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
