//! `tailguard store replay`: send the InfluxDB spool (opening stores is `session/stores.rs`).

use crate::cli::StoreAction;
use crate::session::stores::influx;
use crate::store::Store as _;
use crate::Exit;

/// Run `tailguard store …`.
pub fn command(action: &StoreAction) -> anyhow::Result<Exit> {
    match action {
        StoreAction::Replay { store } => {
            let st = influx(store)?;
            let pending = st.spool().pending()?.len();
            if pending == 0 {
                println!("nothing to replay: {} is empty", st.spool().dir().display());
                return Ok(Exit::Success);
            }
            let done = st.replay()?;
            for r in &done.rejected {
                eprintln!(
                    "warning: set aside {} ({}); fix it and move it back to {} to send it",
                    r.file.display(),
                    r.reason,
                    st.spool().dir().display()
                );
            }
            println!(
                "replayed {} run(s), {} point(s) to {}; {} rejected; the spool is empty",
                done.files,
                done.points,
                st.describe(),
                done.rejected.len()
            );
            if !done.rejected.is_empty() {
                anyhow::bail!(
                    "{} spool entr{} could not be delivered and were moved to {} with the reason",
                    done.rejected.len(),
                    if done.rejected.len() == 1 { "y" } else { "ies" },
                    st.spool().rejected_dir().display()
                );
            }
        }
    }
    Ok(Exit::Success)
}
