//! The report's charts, baseline against candidate per scenario: the latency percentile spectrum
//! (the classic HdrHistogram plot), p99 and throughput per second, and the saturation curve.
//! Specs are data ([`Chart`]); [`render`] draws them as SVG and PNG; [`super::output`] writes
//! them.

use bench_core::histogram::LatencyHistogram;

use super::chart::{self, Axis, AxisScale, Chart, ChartError, Line, Marker, Side};
use super::wording::side_labels;
use crate::evidence::{Curve, Evidence};
use crate::verdict::VerdictReport;

/// Baseline colour (blue) and candidate colour (red), strong for latency, light for throughput.
pub const BASELINE: Rgb = (37, 99, 235);
/// The candidate's colour.
pub const CANDIDATE: Rgb = (220, 38, 38);
const BASELINE_LIGHT: Rgb = (147, 180, 245);
const CANDIDATE_LIGHT: Rgb = (245, 160, 160);
type Rgb = (u8, u8, u8);
/// Deepest percentile drawn: 99.999 %.
const MAX_NINES: f64 = 5.0;

/// One chart of one scenario, drawn.
#[derive(Debug, Clone)]
pub struct Rendered {
    /// Scenario name.
    pub scenario: String,
    /// File stem: `<scenario>-<kind>`.
    pub stem: String,
    /// The chart's title.
    pub title: String,
    /// SVG text.
    pub svg: String,
    /// PNG bytes.
    pub png: Vec<u8>,
}

/// The charts of every scenario that has the data for them, as (scenario, kind, spec).
#[must_use]
pub fn specs(report: &VerdictReport) -> Vec<(String, &'static str, Chart)> {
    let (base, cand) = side_labels(report);
    let labels = (base.as_str(), cand.as_str());
    let mut out = Vec::new();
    for s in &report.scenarios {
        let Some(ev) = &s.evidence else { continue };
        let name = &s.scenario;
        let charts = [
            ("spectrum", spectrum(name, ev, labels)),
            ("timeline", timeline(name, ev, labels)),
            ("saturation", saturation(name, ev, labels)),
        ];
        for (kind, spec) in charts {
            if let Some(spec) = spec {
                out.push((name.clone(), kind, spec));
            }
        }
    }
    out
}

/// Draw every chart of the report.
pub fn render(report: &VerdictReport) -> Result<Vec<Rendered>, ChartError> {
    specs(report)
        .into_iter()
        .map(|(scenario, kind, spec)| {
            Ok(Rendered {
                stem: format!("{}-{kind}", file_safe(&scenario)),
                scenario,
                title: spec.title.clone(),
                svg: chart::svg(&spec)?,
                png: chart::png(&spec)?,
            })
        })
        .collect()
}

/// A scenario name as a file name: letters, digits, `-`, `_` and `.` kept, the rest `_`.
#[must_use]
pub fn file_safe(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect()
}

fn line(name: String, side: Side, points: Vec<(f64, f64)>, color: Rgb) -> Line {
    Line {
        name,
        side,
        points,
        color,
        reference: false,
    }
}

/// Latency by percentile on a nines axis, up to the deepest percentile the samples support.
fn spectrum_points(h: &LatencyHistogram) -> Vec<(f64, f64)> {
    let deepest = (h.len() as f64).log10().clamp(1.0, MAX_NINES);
    let steps = (deepest * 20.0).round() as u32;
    (0..=steps)
        .map(|i| {
            let nines = f64::from(i) / 20.0;
            let q = 1.0 - 10f64.powf(-nines);
            (q, h.quantile_us(q) as f64 / 1000.0)
        })
        .collect()
}

fn spectrum(scenario: &str, ev: &Evidence, labels: (&str, &str)) -> Option<Chart> {
    let lines: Vec<Line> = [
        (labels.0, &ev.baseline.latency, BASELINE),
        (labels.1, &ev.candidate.latency, CANDIDATE),
    ]
    .into_iter()
    .filter_map(|(label, h, color)| {
        let h = h.as_ref()?;
        Some(line(
            label.to_owned(),
            Side::Left,
            spectrum_points(h),
            color,
        ))
    })
    .collect();
    if lines.is_empty() {
        return None;
    }
    let markers = [(0.95, "p95"), (0.99, "p99")]
        .into_iter()
        .map(|(x, label)| Marker {
            x,
            label: format!(" {label}"),
            color: (120, 120, 120),
        })
        .collect();
    Some(Chart {
        title: format!("{scenario}: latency by percentile"),
        x: Axis::new("percentile", AxisScale::Nines),
        left: Axis::new("CO-correct latency (ms, log scale)", AxisScale::Log),
        right: None,
        lines,
        markers,
        size: (960, 540),
    })
}

fn timeline(scenario: &str, ev: &Evidence, labels: (&str, &str)) -> Option<Chart> {
    let mut lines = Vec::new();
    for (label, side, strong, light) in [
        (labels.0, &ev.baseline, BASELINE, BASELINE_LIGHT),
        (labels.1, &ev.candidate, CANDIDATE, CANDIDATE_LIGHT),
    ] {
        if side.timeline.is_empty() {
            continue;
        }
        let x = |s: u64| s as f64;
        lines.push(line(
            format!("{label} p99"),
            Side::Left,
            side.timeline
                .iter()
                .map(|p| (x(p.second), p.p99_us as f64 / 1000.0))
                .collect(),
            strong,
        ));
        lines.push(Line {
            reference: true,
            ..line(
                format!("{label} req/s"),
                Side::Right,
                side.timeline.iter().map(|p| (x(p.second), p.rps)).collect(),
                light,
            )
        });
    }
    if lines.is_empty() {
        return None;
    }
    Some(Chart {
        title: format!("{scenario}: p99 and throughput per second"),
        x: Axis::new("second of the run", AxisScale::Linear),
        left: Axis::new("p99 latency (ms)", AxisScale::Linear),
        right: Some(Axis::new("throughput (req/s)", AxisScale::Linear)),
        lines,
        markers: Vec::new(),
        size: (960, 540),
    })
}

fn saturation(scenario: &str, ev: &Evidence, labels: (&str, &str)) -> Option<Chart> {
    let sides: Vec<(&str, &Curve, Rgb, Rgb)> = [
        (labels.0, &ev.baseline.saturation, BASELINE, BASELINE_LIGHT),
        (
            labels.1,
            &ev.candidate.saturation,
            CANDIDATE,
            CANDIDATE_LIGHT,
        ),
    ]
    .into_iter()
    .filter_map(|(l, c, strong, light)| Some((l, c.as_ref()?, strong, light)))
    .collect();
    let (_, first, _, _) = sides.first()?;
    let dimension = first.dimension;
    let mut lines = Vec::new();
    let mut markers = Vec::new();
    for (label, curve, strong, light) in &sides {
        let pts = |f: &dyn Fn(&crate::evidence::CurveStep) -> f64| {
            curve.steps.iter().map(|s| (s.level, f(s))).collect()
        };
        lines.push(line(
            format!("{label} p99"),
            Side::Left,
            pts(&|s| s.p99_us as f64 / 1000.0),
            *strong,
        ));
        lines.push(line(
            format!("{label} goodput"),
            Side::Right,
            pts(&|s| s.goodput_rps),
            *light,
        ));
        if let Some(level) = curve.saturation_level {
            markers.push(Marker {
                x: level,
                label: format!(" {label} saturates at {}", dimension.format(level)),
                color: *strong,
            });
        }
    }
    Some(Chart {
        title: format!("{scenario}: saturation curve"),
        x: Axis::new(
            match dimension {
                bench_core::steps::Dimension::Rate => "offered load (req/s)",
                bench_core::steps::Dimension::Workers => "workers",
            },
            AxisScale::Linear,
        ),
        left: Axis::new("CO-correct p99 (ms, log scale)", AxisScale::Log),
        right: Some(Axis::new("goodput (req/s)", AxisScale::Linear)),
        lines,
        markers,
        size: (960, 540),
    })
}
