//! A series as a chart (the report's chart code): the values by commit, the level of each
//! segment between change points as a thin line, and a marker at every change point.

use super::{label, HistoryReport, Series};
use crate::report::chart::{self, Axis, AxisScale, Chart, ChartError, Line, Marker, Side};
use crate::report::charts::{file_safe, Rendered, BASELINE, CANDIDATE};

const LEVEL: (u8, u8, u8) = (100, 116, 139);
const IMPROVEMENT: (u8, u8, u8) = (22, 163, 74);

/// The chart of one series.
#[must_use]
pub fn spec(report: &HistoryReport, s: &Series) -> Chart {
    let scale = |v: f64| match s.unit.as_str() {
        "us" => v / 1_000.0,
        "ratio" => v * 100.0,
        _ => v,
    };
    let unit = match s.unit.as_str() {
        "us" => "ms",
        "ratio" => "%",
        other => other,
    };
    let points: Vec<(f64, f64)> = s
        .points
        .iter()
        .map(|p| (p.index as f64, scale(p.value)))
        .collect();
    let cps: Vec<_> = report
        .change_points
        .iter()
        .filter(|c| c.scenario == s.scenario && c.metric == s.metric && c.request == s.request)
        .collect();
    let mut lines = vec![Line {
        name: s.metric.name().to_owned(),
        side: Side::Left,
        points,
        color: BASELINE,
        reference: false,
    }];
    // The level of each segment, as one step line.
    let mut starts: Vec<usize> = vec![0];
    starts.extend(cps.iter().map(|c| c.index));
    starts.push(s.points.len());
    let mut level = Vec::new();
    for w in starts.windows(2) {
        let seg = &s.points[w[0]..w[1]];
        if seg.is_empty() {
            continue;
        }
        let n = seg.len() as f64;
        let v = if s.metric.is_ratio() {
            (seg.iter()
                .map(|p| p.value.max(f64::MIN_POSITIVE).ln())
                .sum::<f64>()
                / n)
                .exp()
        } else {
            seg.iter().map(|p| p.value).sum::<f64>() / n
        };
        level.push((w[0] as f64 - 0.5, scale(v)));
        level.push(((w[1] - 1) as f64 + 0.5, scale(v)));
    }
    lines.push(Line {
        name: "level".to_owned(),
        side: Side::Left,
        points: level,
        color: LEVEL,
        reference: true,
    });
    let markers = cps
        .iter()
        .map(|c| Marker {
            x: c.index as f64 - 0.5,
            label: format!(
                "{} {}",
                c.commit.as_deref().map_or("", |x| x.get(..7).unwrap_or(x)),
                super::fmt_change(c)
            ),
            color: if c.regression { CANDIDATE } else { IMPROVEMENT },
        })
        .collect();
    Chart {
        title: label(&s.scenario, s.request.as_deref(), s.metric),
        x: Axis::new("commit (oldest first)", AxisScale::Linear),
        left: Axis::new(&format!("{} ({unit})", s.metric.name()), AxisScale::Linear),
        right: None,
        lines,
        markers,
        size: (900, 420),
    }
}

/// File stem of a series' chart: `history-<scenario>[-<request>]-<metric>`.
#[must_use]
pub fn stem(s: &Series) -> String {
    match &s.request {
        Some(r) => format!(
            "history-{}-{}-{}",
            file_safe(&s.scenario),
            file_safe(r),
            file_safe(s.metric.name())
        ),
        None => format!(
            "history-{}-{}",
            file_safe(&s.scenario),
            file_safe(s.metric.name())
        ),
    }
}

/// Draw the charts of `series`.
pub fn render(report: &HistoryReport, series: &[&Series]) -> Result<Vec<Rendered>, ChartError> {
    series
        .iter()
        .map(|s| {
            let spec = spec(report, s);
            Ok(Rendered {
                scenario: s.scenario.clone(),
                stem: stem(s),
                title: spec.title.clone(),
                svg: chart::svg(&spec)?,
                png: chart::png(&spec)?,
            })
        })
        .collect()
}
