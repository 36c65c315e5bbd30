//! `tailguard demo`: the main job end to end on loopback with nothing installed — start the demo
//! target, run each example scenario as a few trials, compare them with the checked-in baseline
//! (`baselines/main/…`) using the gate's statistics, and print the report.

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use anyhow::Context as _;
use bench_core::scenario::gate::GateSection;
use bench_core::scenario::Override;
use bench_core::Scenario;
use tailguard_demo::{DemoConfig, DemoServer};

use crate::cli::{DemoArgs, GateFlags};
use crate::gate::{judge, Judging};
use crate::output;
use crate::report::terminal;
use crate::session::conclude::conclude;
use crate::session::execute::execute;
use crate::session::{baselines, stores};
use crate::signal::Stop;
use crate::store::BranchName;
use crate::Exit;

/// The example scenarios (`tailguard_demo::EXAMPLE_SCENARIOS`, embedded in the demo crate so
/// the published crates carry them).
pub const SCENARIOS: [(&str, &str); 4] = tailguard_demo::EXAMPLE_SCENARIOS;

/// The example scenarios' target variables, pointed at the demo target.
fn demo_env(url: &str, name: &str) -> Option<String> {
    match name {
        "TARGET_URL" | "GRPC_URL" => Some(url.to_owned()),
        "GRAPHQL_URL" => Some(format!("{url}/graphql")),
        _ => std::env::var(name).ok(),
    }
}

/// The demo target's knobs: a few milliseconds of service time with a slow tail of 2 % of the
/// requests, so p95 sits in the body and p99 well inside the tail (a quantile right at the edge
/// between the two would jump between them from run to run).
#[must_use]
pub fn demo_target_config() -> DemoConfig {
    DemoConfig {
        delay: Duration::from_millis(4),
        jitter: Duration::from_millis(2),
        tail_fraction: 0.02,
        tail_delay: Duration::from_millis(30),
        threads: 1,
        ..DemoConfig::default()
    }
}

/// Run the command.
pub fn command(args: &DemoArgs) -> anyhow::Result<Exit> {
    let stop = Stop::watch();
    let addr: SocketAddr = ([127, 0, 0, 1], 0).into();
    let server =
        DemoServer::spawn(addr, demo_target_config()).context("starting the demo target")?;
    eprintln!("demo target listening on {}", server.url());
    let out_dir = args.out.clone();
    let branch = BranchName::new(&args.baseline_branch)?;
    let st = stores::open(&args.store)?;
    let mut candidate = Vec::new();
    let mut baseline = Vec::new();
    let mut slo_failed = false;
    for (path, text) in SCENARIOS {
        // 500 req/s for a few seconds gives every trial enough samples beyond its p99.
        let overrides = vec![
            crate::cli::run::duration_override(args.duration),
            Override::new(format!("--rate {}", args.rate), "load.rate", args.rate),
        ];
        let url = server.url();
        let scenario = Scenario::parse(text, Path::new(path), &overrides, &|name| {
            demo_env(&url, name)
        })?;
        // Read the baseline first, so runs saved by this demo are not compared with themselves.
        let n = scenario.file.gate.baseline_runs();
        baseline.extend(baselines::newest(st.as_ref(), &branch, scenario.name(), n)?);
        for i in 0..args.trials.max(1) {
            eprintln!("{} trial {}/{}", scenario.name(), i + 1, args.trials.max(1));
            let mut result = execute(&scenario, stop.cancel(), args.quiet)?;
            result.meta.trial = u32::try_from(i).ok();
            if i == 0 || result.cancelled {
                print!("{}", terminal::summary(&result));
                println!();
            }
            slo_failed |= result.slo.iter().any(|c| !c.passed);
            output::result(
                &result,
                &out_dir.join(format!("{}-{}.json", scenario.name(), i + 1)),
            )?;
            if result.cancelled {
                return Ok(stop.exit());
            }
            if args.save.save {
                stores::save(&mut result, &args.save, &args.store)?;
            }
            candidate.push(result);
        }
    }
    eprintln!("demo target served {} requests", server.requests_served());
    server.shutdown();
    let source = format!("store:{branch} in {}", st.describe());
    let report = judge(
        baseline,
        candidate,
        &GateSection::default(),
        Judging::default(),
        &source,
    )?;
    let flags = GateFlags {
        out: Some(out_dir.join("verdict.json")),
        report_dir: Some(out_dir.clone()),
        ..GateFlags::default()
    };
    let exit = conclude(&report, &flags)?;
    Ok(if slo_failed {
        crate::Exit::Failed
    } else {
        exit
    })
}
