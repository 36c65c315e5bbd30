//! Charts GitHub draws from the comment text itself: mermaid `xychart-beta`, nothing hosted.

use std::fmt::Write as _;

use super::markdown_text::escape;
use crate::evidence::{Evidence, Second};

/// Most points drawn; longer timelines show the worst second of each bucket.
const MAX_POINTS: usize = 60;
/// Series colours: baseline blue, candidate red (also the legend squares).
const PALETTE: &str = "#2563eb, #dc2626";

/// p99 per second of both sides, as a fenced mermaid block with a legend line; `None` when no
/// side has a timeline. Seconds that only one side reached are left out (a line needs a value at
/// every x).
#[must_use]
pub fn p99_per_second(scenario: &str, ev: &Evidence, labels: (&str, &str)) -> Option<String> {
    let sides: Vec<(&str, &[Second])> = [
        (labels.0, ev.baseline.timeline.as_slice()),
        (labels.1, ev.candidate.timeline.as_slice()),
    ]
    .into_iter()
    .filter(|(_, t)| !t.is_empty())
    .collect();
    let (_, first) = sides.first()?;
    let seconds: Vec<u64> = first
        .iter()
        .map(|p| p.second)
        .filter(|s| sides.iter().all(|(_, t)| t.iter().any(|p| p.second == *s)))
        .collect();
    if seconds.is_empty() {
        return None;
    }
    let bucket = seconds.len().div_ceil(MAX_POINTS);
    let xs: Vec<String> = seconds
        .chunks(bucket)
        .map(|c| c.first().copied().unwrap_or(0).to_string())
        .collect();
    let mut series = Vec::new();
    let mut top = 0.0f64;
    for (_, timeline) in &sides {
        let values: Vec<f64> = seconds
            .chunks(bucket)
            .map(|c| {
                c.iter()
                    .filter_map(|s| timeline.iter().find(|p| p.second == *s))
                    .map(|p| p.p99_us as f64 / 1000.0)
                    .fold(0.0, f64::max)
            })
            .collect();
        top = values.iter().copied().fold(top, f64::max);
        series.push(values);
    }
    let mut out = String::new();
    let _ = writeln!(out, "```mermaid");
    let _ = writeln!(out, "---");
    let _ = writeln!(out, "config:");
    let _ = writeln!(out, "  themeVariables:");
    let _ = writeln!(out, "    xyChart:");
    let _ = writeln!(out, "      plotColorPalette: \"{PALETTE}\"");
    let _ = writeln!(out, "---");
    let _ = writeln!(out, "xychart-beta");
    let _ = writeln!(
        out,
        "    title \"{}: p99 latency per second\"",
        title_text(scenario)
    );
    let _ = writeln!(out, "    x-axis \"second of the run\" [{}]", xs.join(", "));
    let _ = writeln!(out, "    y-axis \"p99 (ms)\" 0 --> {}", nice_top(top));
    for values in &series {
        let v: Vec<String> = values.iter().map(|v| format!("{v:.2}")).collect();
        let _ = writeln!(out, "    line [{}]", v.join(", "));
    }
    let _ = writeln!(out, "```");
    let legend: Vec<String> = sides
        .iter()
        .map(|(label, _)| *label)
        .zip(["🟦", "🟥"])
        .map(|(label, square)| format!("{square} {}", escape(label)))
        .collect();
    let per = if bucket > 1 {
        format!(" · the worst second of every {bucket}")
    } else {
        String::new()
    };
    let _ = writeln!(
        out,
        "<sub>{} · all trials of a side merged per second{per}</sub>",
        legend.join(" · ")
    );
    Some(out)
}

/// A round upper bound a little above `v`: 1, 2 or 5 times a power of ten.
fn nice_top(v: f64) -> String {
    if v <= 0.0 {
        return "1".into();
    }
    let target = v * 1.1;
    let p = 10f64.powf(target.log10().floor());
    let top = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * p)
        .find(|t| *t >= target)
        .unwrap_or(10.0 * p);
    let s = format!("{top:.3}");
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// A scenario name as a chart title: only letters, digits and `_ .:/-`, everything else a space
/// (a fork's verdict file may carry mermaid directives such as `%%{init: …}%%`).
fn title_text(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_alphanumeric() || " _.:/-".contains(c) {
                c
            } else {
                ' '
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::Side;

    fn side(p99_ms: &[f64], from: u64) -> Side {
        Side {
            timeline: p99_ms
                .iter()
                .zip(from..)
                .map(|(v, second)| Second {
                    second,
                    rps: 100.0,
                    p50_us: 1000,
                    p99_us: (v * 1000.0) as u64,
                    errors: 0,
                })
                .collect(),
            ..Side::default()
        }
    }

    #[test]
    fn two_lines_over_the_seconds_both_sides_reached() {
        let ev = Evidence {
            baseline: side(&[10.0, 11.0, 12.0], 0),
            candidate: side(&[20.0, 21.0, 22.0, 40.0], 0),
        };
        let m = p99_per_second("http-get", &ev, ("main", "PR")).unwrap();
        assert!(m.contains("x-axis \"second of the run\" [0, 1, 2]"), "{m}");
        assert!(m.contains("line [10.00, 11.00, 12.00]"), "{m}");
        assert!(m.contains("line [20.00, 21.00, 22.00]"), "{m}");
        assert!(m.contains("y-axis \"p99 (ms)\" 0 --> 50"), "{m}");
        assert!(m.contains("🟦 main · 🟥 PR"), "{m}");
    }

    #[test]
    fn long_timelines_are_bucketed_by_their_worst_second_and_empty_ones_skipped() {
        let long: Vec<f64> = (0..150).map(|i| f64::from(i % 7)).collect();
        let ev = Evidence {
            baseline: side(&long, 0),
            candidate: Side::default(),
        };
        let m = p99_per_second("s", &ev, ("main", "PR")).unwrap();
        let line = m.lines().find(|l| l.contains("line [")).unwrap();
        assert_eq!(line.matches(',').count() + 1, 50, "{line}");
        assert!(m.contains("the worst second of every 3"), "{m}");
        assert!(!m.contains("🟥"));
        let none = Evidence {
            baseline: Side::default(),
            candidate: Side::default(),
        };
        assert!(p99_per_second("s", &none, ("main", "PR")).is_none());
        assert_eq!(nice_top(0.85), "1");
        assert_eq!(nice_top(0.93), "2");
        assert_eq!(nice_top(43.0), "50");
    }
}
