//! `tailguard history`: read a branch's stored runs, find the change points of every series,
//! print them, write JSON / markdown + charts / an HTML trend page, annotate InfluxDB, and with
//! `--fail-on-new` exit 1 when the newest commit reveals a regression.

use anyhow::Context as _;
use bench_core::stats::change_point::ChangePointSettings;

use crate::cli::{HistoryArgs, StoreKind};
use crate::history::render::{self, ChartLink};
use crate::history::series::commit_time;
use crate::history::{self, by_commit, series_of, HistoryMetric, HistoryReport};
use crate::output;
use crate::session::{baselines, stores};
use crate::store::{BranchName, Store};
use crate::Exit;

/// Run the command.
pub fn command(args: &HistoryArgs) -> anyhow::Result<Exit> {
    let settings = ChangePointSettings {
        alpha: args.alpha,
        min_segment: args.min_segment,
        permutations: args.permutations,
        seed: args.seed,
    };
    settings
        .validate()
        .map_err(|e| anyhow::anyhow!("--alpha/--min-segment/--permutations: {e}"))?;
    let detector = history::Detector {
        settings,
        min_change: history::MinChange {
            ratio: args.min_change,
            error_rate: args.min_error_rate_change,
        },
    };
    let branch = BranchName::new(&args.branch)?;
    let st = stores::open_existing(&args.store)?;
    let series = read_series(
        st.as_ref(),
        &branch,
        args,
        &args.metrics,
        args.since.as_deref(),
    )?;
    let report = history::report(branch.as_str(), &st.describe(), series, &detector)?;
    print!("{}", render::terminal(&report));
    write_outputs(&report, args)?;
    if args.store.store == StoreKind::Influx && !args.no_annotate {
        let n = history::influx::write(&stores::influx(&args.store)?, &report)
            .context("writing the change points to InfluxDB (--no-annotate skips it)")?;
        eprintln!("wrote {n} change point(s) to {}", st.describe());
    }
    let new = history::new_regressions(&report, args.threshold, args.error_rate_threshold);
    if args.fail_on_new && !new.is_empty() {
        for c in &new {
            eprintln!(
                "error: new regression in {}: {} from commit {} (run {})",
                history::label(&c.scenario, c.request.as_deref(), c.metric),
                render::fmt_change(c),
                c.commit.as_deref().unwrap_or("unrecorded"),
                c.run_id
            );
        }
        return Ok(Exit::Failed);
    }
    Ok(Exit::Success)
}

/// Every series of the selected scenarios on `branch`; no stored run is an error (no data is
/// never "no change").
fn read_series(
    st: &dyn Store,
    branch: &BranchName,
    args: &HistoryArgs,
    metrics: &[HistoryMetric],
    since: Option<&str>,
) -> anyhow::Result<Vec<history::Series>> {
    let listed = baselines::scenarios(st, branch, "")?;
    let names: Vec<&str> = listed.keys().map(String::as_str).collect();
    if names.is_empty() {
        anyhow::bail!("no stored runs of branch {branch} in {}", st.describe());
    }
    if let Some(missing) = args.scenarios.iter().find(|s| !names.contains(&s.as_str())) {
        anyhow::bail!(
            "no stored runs of scenario {missing:?} on branch {branch} in {} (stored: {})",
            st.describe(),
            names.join(", ")
        );
    }
    let mut out = Vec::new();
    for (name, &count) in &listed {
        if !args.scenarios.is_empty() && !args.scenarios.iter().any(|s| s == name) {
            continue;
        }
        let mut runs = baselines::newest(st, branch, name, count)?;
        if let Some(since) = since {
            runs.retain(|r| commit_time(r) >= since);
        }
        out.extend(series_of(name, &by_commit(runs), metrics));
    }
    Ok(out)
}

fn write_outputs(report: &HistoryReport, args: &HistoryArgs) -> anyhow::Result<()> {
    if let Some(out) = &args.out {
        output::json(out, report)?;
    }
    if args.report_dir.is_none() && args.html.is_none() {
        return Ok(());
    }
    let series = render::charted(report);
    let charts = history::chart::render(report, &series)?;
    if let Some(dir) = &args.report_dir {
        output::charts(&charts, &dir.join("charts"))?;
        let links: Vec<ChartLink> = series
            .iter()
            .zip(&charts)
            .map(|(s, c)| ChartLink {
                label: history::label(&s.scenario, s.request.as_deref(), s.metric),
                png: format!("charts/{}.png", c.stem),
            })
            .collect();
        output::text(&dir.join("history.md"), &render::markdown(report, &links))?;
    }
    if let Some(dir) = &args.html {
        output::text(
            &dir.join("index.html"),
            &history::html::render(report, &series, &charts),
        )?;
    }
    Ok(())
}
