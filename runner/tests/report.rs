//! `tailguard report`: markdown snapshots of pass, fail, inconclusive and saturation verdicts,
//! charts rendered to files and decoded, the HTML page, the CLI, and GitHub Actions reporting.
//!
//! Snapshots live in `tests/data/report/*.md`; after an intended change, regenerate them with
//! `UPDATE_SNAPSHOTS=1 cargo test -p tailguard --test report` and review the diff.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::verdicts::{run, saturation_verdict, verdict};
use common::{tailguard, text};
use tailguard::report::charts::{self, BASELINE, CANDIDATE};
use tailguard::report::{html, markdown, outline, output};
use tailguard::verdict::VerdictReport;

fn snapshot(name: &str, actual: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/report")
        .join(format!("{name}.md"));
    if std::env::var("UPDATE_SNAPSHOTS").as_deref() == Ok("1") {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "{} is missing; create it with UPDATE_SNAPSHOTS=1",
            path.display()
        )
    });
    if expected != actual {
        let line = expected
            .lines()
            .zip(actual.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(expected.lines().count().min(actual.lines().count()));
        panic!(
            "{name}: the markdown differs from {} from line {} on:\n--- expected\n{}\n--- actual\n{}\n\
             (UPDATE_SNAPSHOTS=1 rewrites the snapshot after an intended change)",
            path.display(),
            line + 1,
            expected.lines().skip(line).take(5).collect::<Vec<_>>().join("\n"),
            actual.lines().skip(line).take(5).collect::<Vec<_>>().join("\n"),
        );
    }
}

/// Through JSON, as `tailguard report` reads it.
fn round_trip(v: &VerdictReport) -> VerdictReport {
    serde_json::from_str(&serde_json::to_string(v).unwrap()).unwrap()
}

#[test]
fn markdown_of_a_pass() {
    let v = round_trip(&verdict(&["http-get", "http-mix"], 3, 1.0));
    let md = markdown::render(&outline::document(&v, &[]));
    assert!(
        md.starts_with("## ✅ tailguard: no regression in 2 scenarios"),
        "{md}"
    );
    snapshot("pass", &md);
}

#[test]
fn markdown_of_a_failure_names_the_regression_in_the_headline() {
    let v = round_trip(&verdict(&["http-get"], 3, 1.25));
    let md = markdown::render(&outline::document(&v, &[]));
    let first = md.lines().next().unwrap();
    assert!(
        first.starts_with("## ❌ tailguard: p") && first.contains("of http-get regressed +2"),
        "{first}"
    );
    assert!(first.contains("(threshold 10%)"), "{first}");
    assert!(md.contains("| **p99** |"), "{md}");
    assert!(md.contains("❌ fail**"), "{md}");
    assert!(md.contains("xychart-beta"), "{md}");
    snapshot("fail", &md);
}

#[test]
fn markdown_of_an_inconclusive_comparison() {
    let v = round_trip(&verdict(&["http-get"], 2, 1.0));
    let md = markdown::render(&outline::document(&v, &[]));
    assert!(
        md.starts_with("## ⚠️ tailguard: inconclusive — http-get:"),
        "{md}"
    );
    snapshot("inconclusive", &md);
}

#[test]
fn markdown_of_a_saturation_scenario() {
    let v = round_trip(&saturation_verdict());
    let md = markdown::render(&outline::document(&v, &[]));
    assert!(
        md.starts_with("## ❌ tailguard: capacity of pool fell -33.3%"),
        "{md}"
    );
    assert!(md.contains("**Capacity** (saturation)"), "{md}");
    snapshot("saturation", &md);
}

fn decode_png(path: &Path) -> (u32, u32, Vec<[u8; 3]>) {
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(path).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!(info.color_type, png::ColorType::Rgb, "{}", path.display());
    let pixels = buf[..info.buffer_size()]
        .chunks(3)
        .map(|p| [p[0], p[1], p[2]])
        .collect();
    (info.width, info.height, pixels)
}

fn check_chart(dir: &Path, stem: &str, texts: &[&str]) {
    let (w, h, pixels) = decode_png(&dir.join(format!("{stem}.png")));
    assert_eq!((w, h), (960, 540), "{stem}");
    let count = |c: (u8, u8, u8)| pixels.iter().filter(|p| **p == [c.0, c.1, c.2]).count();
    assert!(
        count(BASELINE) > 100,
        "{stem}: the baseline series is drawn"
    );
    assert!(
        count(CANDIDATE) > 100,
        "{stem}: the candidate series is drawn"
    );
    let dark = pixels.iter().filter(|p| p.iter().all(|c| *c < 80)).count();
    assert!(
        dark > 1000,
        "{stem}: axes and text drawn ({dark} dark pixels)"
    );
    let svg = std::fs::read_to_string(dir.join(format!("{stem}.svg"))).unwrap();
    assert!(
        svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"),
        "{stem}"
    );
    // Every <text> element's content.
    let found: Vec<&str> = svg
        .split("<text")
        .skip(1)
        .filter_map(|t| Some(t.split_once('>')?.1.split_once("</text>")?.0.trim()))
        .collect();
    for t in texts {
        assert!(
            found.contains(t),
            "{stem}.svg has no text {t:?} in {found:?}"
        );
    }
    assert!(svg.matches("<polyline").count() >= 2, "{stem}: both series");
}

#[test]
fn charts_are_rendered_to_valid_png_and_svg_with_both_series_and_labelled_axes() {
    let dir = tempfile::tempdir().unwrap();
    let v = verdict(&["http-get"], 3, 1.25);
    let files = output::write_charts(&charts::render(&v).unwrap(), dir.path()).unwrap();
    assert_eq!(files.len(), 4, "{files:?}");
    check_chart(
        dir.path(),
        "http-get-spectrum",
        &[
            "main",
            "PR",
            "percentile",
            "CO-correct latency (ms, log scale)",
            "99%",
            "99.9%",
            "p99",
        ],
    );
    check_chart(
        dir.path(),
        "http-get-timeline",
        &[
            "main p99",
            "PR p99",
            "main req/s",
            "PR req/s",
            "second of the run",
            "p99 latency (ms)",
            "throughput (req/s)",
        ],
    );
    let sat = saturation_verdict();
    output::write_charts(&charts::render(&sat).unwrap(), dir.path()).unwrap();
    check_chart(
        dir.path(),
        "pool-saturation",
        &[
            "main p99",
            "PR p99",
            "main goodput",
            "PR goodput",
            "offered load (req/s)",
            "goodput (req/s)",
            "CO-correct p99 (ms, log scale)",
            "main saturates at 300 req/s",
            "PR saturates at 200 req/s",
        ],
    );
}

#[test]
fn html_is_self_contained_with_the_charts_inline() {
    let v = verdict(&["http-get"], 3, 1.25);
    let page = html::render(&outline::document(
        &v,
        &outline::inline(&charts::render(&v).unwrap()),
    ));
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert_eq!(
        page.matches("<svg").count(),
        2,
        "spectrum and timeline inline"
    );
    assert!(
        page.contains("<h1 class=\"fail\">❌ tailguard: p"),
        "headline"
    );
    for external in [
        "<script",
        "<link",
        "src=\"http",
        "href=\"http",
        "url(http",
        "@import",
    ] {
        assert!(!page.contains(external), "external asset {external:?}");
    }
    assert!(
        page.contains("<td class=\"strong\">p99</td>"),
        "gated metric"
    );
}

fn write_runs(dir: &Path, runs: &[bench_core::RunResult], prefix: &str) -> Vec<PathBuf> {
    runs.iter()
        .enumerate()
        .map(|(i, r)| {
            let p = dir.join(format!("{prefix}-{i}.json"));
            std::fs::write(&p, r.to_json().unwrap()).unwrap();
            p
        })
        .collect()
}

#[test]
fn compare_under_github_actions_writes_the_job_summary_annotations_and_report_dir() {
    let dir = tempfile::tempdir().unwrap();
    let base: Vec<_> = (0..3).map(|t| run("http-get", "main", t, 1.0, 5)).collect();
    let cand: Vec<_> = (0..3)
        .map(|t| run("http-get", "feature", t, 1.3, 5))
        .collect();
    let b = write_runs(dir.path(), &base, "main");
    let c = write_runs(dir.path(), &cand, "pr");
    let summary = dir.path().join("summary.md");
    let report_dir = dir.path().join("report");
    let verdict_path = dir.path().join("verdict.json");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tailguard"));
    cmd.arg("compare").arg("--baseline").args(&b);
    cmd.arg("--candidate").args(&c);
    cmd.arg("--out").arg(&verdict_path);
    cmd.arg("--report-dir").arg(&report_dir);
    let o = cmd
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_STEP_SUMMARY", &summary)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let stdout = String::from_utf8_lossy(&o.stdout);
    let error = stdout
        .lines()
        .find(|l| l.starts_with("::error title=tailguard%3A p99 of http-get regressed::"))
        .unwrap_or_else(|| panic!("no p99 annotation in\n{stdout}"));
    assert!(error.contains("p99 of http-get regressed +3"), "{error}");
    assert!(error.contains("%25"), "percent signs escaped: {error}");
    let job = std::fs::read_to_string(&summary).unwrap();
    assert!(job.starts_with("## ❌ tailguard: "), "{job}");
    for f in ["report.md", "report.html", "charts/http-get-spectrum.png"] {
        assert!(report_dir.join(f).is_file(), "{f} written");
    }
    assert_eq!(
        std::fs::read_to_string(report_dir.join("report.md")).unwrap(),
        job.trim_end().to_owned() + "\n"
    );

    // `tailguard report` renders the same markdown from the verdict file alone.
    let o = tailguard(&["report", verdict_path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(
        String::from_utf8_lossy(&o.stdout),
        job.trim_end().to_owned() + "\n"
    );
    let charts_dir = dir.path().join("charts");
    let o = tailguard(&[
        "report",
        verdict_path.to_str().unwrap(),
        "--format",
        "json",
        "--charts",
        charts_dir.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(json["headline"]
        .as_str()
        .unwrap()
        .starts_with("❌ tailguard: "));
    assert_eq!(json["charts"].as_array().unwrap().len(), 4);
    let o = tailguard(&[
        "report",
        verdict_path.to_str().unwrap(),
        "--charts",
        charts_dir.to_str().unwrap(),
        "--charts-url",
        "charts",
    ]);
    assert!(
        String::from_utf8_lossy(&o.stdout)
            .contains("![http-get: latency by percentile](charts/http-get-spectrum.png)"),
        "{}",
        text(&o)
    );

    // Outside GitHub Actions nothing is annotated.
    let o = tailguard(&[
        "compare",
        "--baseline",
        b[0].to_str().unwrap(),
        "--candidate",
        c[0].to_str().unwrap(),
    ]);
    assert!(
        !String::from_utf8_lossy(&o.stdout).contains("::"),
        "{}",
        text(&o)
    );
}

#[test]
fn a_bad_verdict_file_is_named_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v.json");
    std::fs::write(&path, "{\"schema_version\": 1,\n \"verdict\": \"maybe\"}").unwrap();
    let o = tailguard(&["report", path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("v.json") && err.contains("line 2"), "{err}");
    std::fs::write(&path, "{\"schema_version\": 9}").unwrap();
    let o = tailguard(&["report", path.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&o.stderr).contains("schema version 9"));
}

/// The terminal table's columns fit their widest cell: a long metric name (`cpu_per_request *`)
/// and a long value (`µs CPU`) never push a row's verdict out of its column.
#[test]
fn the_terminal_table_keeps_its_columns_with_long_names_and_values() {
    let mut v = saturation_verdict();
    let s = &mut v.scenarios[0];
    let mut cpu = s.metrics[0].clone();
    cpu.gated = true;
    cpu.comparison.metric = bench_core::stats::Metric::CpuPerRequest;
    cpu.comparison.baseline = Some(16_200.0);
    cpu.comparison.candidate = Some(147.5);
    s.metrics.push(cpu);
    let table = tailguard::report::terminal::verdict(&v);
    let lines: Vec<&str> = table.lines().collect();
    let header = lines.iter().position(|l| l.contains("interval")).unwrap();
    let column = |l: &str| l.chars().collect::<Vec<char>>();
    let at = column(lines[header])
        .windows(7)
        .position(|w| w.iter().collect::<String>() == "verdict")
        .unwrap();
    let rows = &lines[header + 1..header + 1 + s_len(&v)];
    assert!(
        rows.iter().any(|r| r.contains("cpu_per_request *")),
        "{table}"
    );
    assert!(rows.iter().any(|r| r.contains("µs CPU")), "{table}");
    for row in rows {
        let chars = column(row);
        assert!(chars.len() > at, "{row}\n{table}");
        assert!(
            chars[at - 2] == ' ' && chars[at] != ' ',
            "{row:?} at {at}\n{table}"
        );
    }
}

fn s_len(v: &VerdictReport) -> usize {
    v.scenarios[0].metrics.len() + usize::from(v.scenarios[0].capacity.is_some())
}
