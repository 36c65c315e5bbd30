//! `tailguard merge`: the shards of one distributed run as one result.

use bench_core::merge::merge_shards;
use bench_core::result::RunResult;

use crate::cli::MergeArgs;
use crate::output;
use crate::session::stores;
use crate::Exit;

/// Run the command.
pub fn command(args: &MergeArgs) -> anyhow::Result<Exit> {
    let shards = match &args.run_id {
        Some(id) => {
            let st = stores::open(&args.store)?;
            let runs = st.by_run_id(id)?;
            if runs.is_empty() {
                anyhow::bail!("no stored run {id:?} in {}", st.describe());
            }
            runs.into_iter()
                .map(|r| {
                    let shard = r
                        .meta
                        .shard
                        .map_or("-".into(), |s| format!("{}/{}", s.index, s.count));
                    (format!("stored run {id} shard {shard}"), r)
                })
                .collect()
        }
        None => args
            .results
            .iter()
            .map(|p| Ok((p.display().to_string(), RunResult::read(p)?)))
            .collect::<anyhow::Result<Vec<_>>>()?,
    };
    let merged = merge_shards(&shards, args.allow_partial)?;
    let s = &merged.summary;
    eprintln!(
        "merged {} shard(s) of run {} ({}): {} requests at {:.1} req/s, p50 {} µs, p99 {} µs",
        shards.len(),
        merged.meta.run_id,
        merged.meta.scenario,
        s.requests,
        s.rps,
        s.latency_us.p50,
        s.latency_us.p99
    );
    match &args.out {
        Some(out) => output::result(&merged, out)?,
        None => output::result_to_stdout(&merged)?,
    }
    Ok(Exit::Success)
}
