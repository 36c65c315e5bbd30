//! Series building and the report's rules on hand-made runs.
#![allow(clippy::unwrap_used)]

use super::Detector;
use bench_core::histogram::LatencyHistogram;
use bench_core::result::{
    Histograms, IterationSamples, Measurement, RunKind, RunMeta, RunResult, Summary,
};
use bench_core::Environment;

use super::series::{by_commit, series_of, HistoryMetric};
use super::{new_regressions, report};

fn run(id: &str, commit: Option<&str>, time: Option<&str>, started: &str, p99: u64) -> RunResult {
    let empty = LatencyHistogram::new();
    let mut summary = Summary {
        requests: 100,
        rps: 100.0,
        ..Summary::default()
    };
    summary.latency_us.p99 = p99;
    RunResult {
        schema_version: bench_core::result::SCHEMA_VERSION,
        meta: RunMeta {
            run_id: id.to_owned(),
            scenario: "s".to_owned(),
            environment: Environment {
                git_commit: commit.map(str::to_owned),
                git_commit_time: time.map(str::to_owned),
                ..Environment::default()
            },
            ..RunMeta::default()
        },
        started_at: started.to_owned(),
        duration_s: 1.0,
        cancelled: false,
        service: None,
        generator: None,
        slo: Vec::new(),
        kind: RunKind::load(Measurement {
            summary,
            histograms: Histograms {
                latency: empty.clone(),
                service_time: empty,
                first_message: None,
            },
            requests: Vec::new(),
            timeline: Vec::new(),
        }),
    }
}

#[test]
fn commits_are_ordered_by_commit_time_and_their_trials_combined() {
    let runs = vec![
        // Commit b was made later but measured first (a re-run of an older commit).
        run(
            "b1",
            Some("b"),
            Some("2026-01-02T00:00:00Z"),
            "2026-01-01T00:00:00.000Z",
            200,
        ),
        run(
            "a1",
            Some("a"),
            Some("2026-01-01T00:00:00Z"),
            "2026-01-03T00:00:00.000Z",
            100,
        ),
        run(
            "a2",
            Some("a"),
            Some("2026-01-01T00:00:00Z"),
            "2026-01-03T00:01:00.000Z",
            400,
        ),
        run("x", None, None, "2026-01-05T00:00:00.000Z", 300),
    ];
    let commits = by_commit(runs);
    let series = series_of("s", &commits, &[HistoryMetric::P99]);
    assert_eq!(series.len(), 1);
    let p = &series[0].points;
    let ids: Vec<Vec<String>> = p.iter().map(|p| p.run_ids.clone()).collect();
    assert_eq!(ids, [vec!["a1", "a2"], vec!["b1"], vec!["x"]]);
    // Geometric mean of the trials: √(100·400) = 200.
    assert!((p[0].value - 200.0).abs() < 1e-9);
    assert_eq!(
        p[2].time, "2026-01-05T00:00:00.000Z",
        "no commit time: the start"
    );
    assert_eq!(p[1].index, 1);
}

#[test]
fn cancelled_runs_are_not_points() {
    let mut r = run("c", Some("c"), None, "2026-01-01T00:00:00.000Z", 100);
    r.cancelled = true;
    assert!(by_commit(vec![r]).is_empty());
}

#[test]
fn a_benchmark_gives_mean_and_median_per_iteration() {
    let mut r = run("bench", Some("a"), None, "2026-01-01T00:00:00.000Z", 1);
    r.kind = RunKind::Micro {
        iterations: IterationSamples {
            iters: vec![1.0, 2.0, 4.0],
            times_ns: vec![10.0, 30.0, 200.0],
        },
    };
    let series = series_of("checksum", &by_commit(vec![r]), &[HistoryMetric::P99]);
    let got: Vec<(HistoryMetric, f64)> = series
        .iter()
        .map(|s| (s.metric, (s.points[0].value * 1e9).round() / 1e9))
        .collect();
    assert_eq!(
        got,
        [(HistoryMetric::Mean, 25.0), (HistoryMetric::Median, 15.0)]
    );
    assert!(series.iter().all(|s| s.unit == "ns"));
}

/// 20 commits at 1 ms then `after` at +30 %.
fn stepped(after: usize) -> super::HistoryReport {
    let runs: Vec<RunResult> = (0..20 + after)
        .map(|i| {
            let wobble = [0, 2, -1, 1, -2][i % 5];
            let level = if i < 20 { 100 } else { 130 };
            let t = format!("2026-01-{:02}T{:02}:00:00Z", 1 + i / 24, i % 24);
            let v = u64::try_from(level * 10 + wobble * 10).unwrap();
            run(
                &format!("r{i}"),
                Some(&format!("{i:040x}")),
                Some(&t),
                &t,
                v,
            )
        })
        .collect();
    let series = series_of("s", &by_commit(runs), &[HistoryMetric::P99]);
    report("main", "test", series, &Detector::default()).unwrap()
}

/// A +30 % step at commit 20, then a +2 % drift at commit 40, with ±0.2 % wobble: both are
/// significant; only the step is named with the default 5 % floor.
#[test]
fn a_significant_drift_below_the_floor_is_not_a_change_point() {
    let runs: Vec<RunResult> = (0..60)
        .map(|i| {
            let level = match i {
                0..20 => 1000,
                20..40 => 1300,
                _ => 1326,
            };
            let t = format!("2026-01-{:02}T{:02}:00:00Z", 1 + i / 24, i % 24);
            let v = u64::try_from(level + [0, 2, -1, 1, -2][i % 5]).unwrap();
            run(
                &format!("r{i}"),
                Some(&format!("{i:040x}")),
                Some(&t),
                &t,
                v,
            )
        })
        .collect();
    let series = series_of("s", &by_commit(runs), &[HistoryMetric::P99]);
    let index = |d: &Detector| -> Vec<usize> {
        report("main", "test", series.clone(), d)
            .unwrap()
            .change_points
            .iter()
            .map(|c| c.index)
            .collect()
    };
    let mut every = Detector::default();
    every.min_change.ratio = 0.0;
    assert_eq!(index(&every), [20, 40]);
    assert_eq!(index(&Detector::default()), [20]);
}

/// The commit that first shows the step reports it as new (and `--fail-on-new` fails); the
/// following commits do not, while the change point stays.
#[test]
fn the_newest_commit_reveals_a_regression_once() {
    let first = (1..=6)
        .find(|&n| !stepped(n).change_points.is_empty())
        .unwrap();
    assert!(
        (3..=5).contains(&first),
        "first seen {first} commits after the step"
    );
    let seen_now = stepped(first);
    assert_eq!(
        seen_now.change_points.len(),
        1,
        "{:?}",
        seen_now.change_points
    );
    let c = &seen_now.change_points[0];
    assert!(c.new && c.regression && c.index.abs_diff(20) <= 2, "{c:?}");
    assert!((0.1..0.4).contains(&c.change), "{c:?}");
    assert_eq!(new_regressions(&seen_now, 0.1, 0.01).len(), 1);
    assert!(
        new_regressions(&seen_now, 0.5, 0.01).is_empty(),
        "beyond the threshold only"
    );
    for later in first + 1..first + 4 {
        let r = stepped(later);
        assert_eq!(r.change_points.len(), 1, "{later}: {:?}", r.change_points);
        assert!(
            r.change_points[0].index.abs_diff(20) <= 2,
            "{later}: {:?}",
            r.change_points
        );
        assert!(
            new_regressions(&r, 0.1, 0.01).is_empty(),
            "{later}: {:?}",
            r.change_points
        );
    }
}

#[test]
fn metric_names_parse_and_are_named_back() {
    for name in [
        "p50",
        "p90",
        "p95",
        "p99",
        "p99.9",
        "mean",
        "median",
        "throughput",
        "error_rate",
    ] {
        assert_eq!(HistoryMetric::parse(name).unwrap().name(), name);
    }
    assert!(HistoryMetric::parse("p42")
        .unwrap_err()
        .to_string()
        .contains("unknown metric \"p42\""));
}

/// The terminal text, the markdown and the HTML page are one outline: the same change point
/// with the same values in each; the chart and the commits only where a chart is given.
#[test]
fn one_outline_reads_alike_in_every_format() {
    use super::render::{self, ChartLink};
    let r = stepped(10);
    let c = &r.change_points[0];
    let row = [
        "s p99".to_owned(),
        c.commit.as_deref().unwrap()[..10].to_owned(),
        crate::report::format::fmt_unit_value("us", c.before),
        crate::report::format::fmt_unit_value("us", c.after),
        super::fmt_change(c),
        format!("{:.4}", c.p_value),
        "regression".to_owned(),
    ];
    let term = render::terminal(&r);
    let links = [ChartLink {
        label: "s p99".into(),
        png: "charts/history-s-p99.png".into(),
    }];
    let md = render::markdown(&r, &links);
    let series = render::charted(&r);
    let chart = crate::report::charts::Rendered {
        scenario: "s".into(),
        stem: "history-s-p99".into(),
        title: "s p99".into(),
        svg: "<?xml version=\"1.0\"?><svg id=\"chart\"></svg>".into(),
        png: Vec::new(),
    };
    let page = render::html(&r, &series, &[chart]);
    for (format, text) in [("terminal", &term), ("markdown", &md), ("html", &page)] {
        for cell in &row {
            assert!(
                text.contains(cell.as_str()),
                "{format} lacks {cell:?}:\n{text}"
            );
        }
        assert!(
            text.contains("30 series") || text.contains("1 series"),
            "{text}"
        );
    }
    assert!(
        term.starts_with("History of main\n\n1 series from test, 1 change point(s);"),
        "{term}"
    );
    assert!(
        !term.contains("30 commits") && !term.contains('<'),
        "no chart, no commits: {term}"
    );
    assert!(md.starts_with("## History of `main`\n"), "{md}");
    assert!(
        md.contains("### s p99\n\n![s p99: one point per commit"),
        "{md}"
    );
    assert!(md.contains("](charts/history-s-p99.png)"), "{md}");
    assert!(
        md.contains("<details><summary>30 commits</summary>"),
        "{md}"
    );
    assert!(
        page.contains("<h1>History of <code>main</code></h1>"),
        "{page}"
    );
    assert!(
        page.contains("<svg id=\"chart\"></svg>") && !page.contains("<?xml"),
        "{page}"
    );
    assert!(page.contains("<summary>30 commits</summary>"), "{page}");
    if std::env::var_os("HISTORY_SHOW").is_some() {
        println!("{term}\n----\n{md}\n----\n{page}");
    }
}
