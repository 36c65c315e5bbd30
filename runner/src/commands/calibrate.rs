//! placeholder
use crate::cli::CalibrateArgs;
use crate::Exit;
/// Run the command.
pub fn command(_a: &CalibrateArgs) -> anyhow::Result<Exit> {
    anyhow::bail!("not yet")
}
