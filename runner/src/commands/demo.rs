//! `tailguard demo`: the whole loop on loopback with nothing installed — start the demo target,
//! run the example scenarios against it, write the results and print the summaries.

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use anyhow::Context as _;
use bench_core::Scenario;
use tailguard_demo::{DemoConfig, DemoServer};

use crate::cli::DemoArgs;
use crate::commands::run::{execute, interrupt_on_ctrl_c, write_result};
use crate::report::terminal;
use crate::Exit;

/// The example scenarios, embedded so the demo runs from any directory.
pub const SCENARIOS: [(&str, &str); 2] = [
    (
        "scenarios/http-get.toml",
        include_str!("../../../scenarios/http-get.toml"),
    ),
    (
        "scenarios/http-mix.toml",
        include_str!("../../../scenarios/http-mix.toml"),
    ),
];

/// The demo target's knobs: a few milliseconds of service time with a small slow tail.
#[must_use]
pub fn demo_target_config() -> DemoConfig {
    DemoConfig {
        delay: Duration::from_millis(4),
        jitter: Duration::from_millis(2),
        tail_fraction: 0.01,
        tail_delay: Duration::from_millis(30),
        threads: 1,
        ..DemoConfig::default()
    }
}

/// Run the command.
pub fn command(args: &DemoArgs) -> anyhow::Result<Exit> {
    let addr: SocketAddr = ([127, 0, 0, 1], 0).into();
    let server =
        DemoServer::spawn(addr, demo_target_config()).context("starting the demo target")?;
    eprintln!("demo target listening on {}", server.url());
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("creating {}", args.out.display()))?;
    let cancel = interrupt_on_ctrl_c();
    let mut exit = Exit::Success;
    for (path, text) in SCENARIOS {
        let overrides = vec![
            format!("target=\"{}\"", server.url()),
            format!("load.duration=\"{}\"", args.duration),
        ];
        let scenario = Scenario::parse(text, Path::new(path), &overrides, &|name| {
            std::env::var(name).ok()
        })?;
        let result = execute(&scenario, &cancel, args.quiet)?;
        print!("{}", terminal::summary(&result));
        println!();
        let out = args.out.join(format!("{}.json", scenario.name()));
        write_result(&result, &out)?;
        eprintln!("wrote {}", out.display());
        if result.cancelled {
            return Ok(Exit::Interrupted);
        }
        if result.slo.iter().any(|c| !c.passed) {
            exit = Exit::Failed;
        }
    }
    eprintln!("demo target served {} requests", server.requests_served());
    server.shutdown();
    Ok(exit)
}
