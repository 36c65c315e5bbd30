//! Plotting a y axis: values on a log axis become log10, the plotted range is padded, and tick
//! marks fall on round values (plotters' own on a linear axis, 1-2-5 per decade on a log one).

use plotters::prelude::*;

use super::{Axis, Chart, Side};

/// The plotted value: log10 on a log axis (None for y ≤ 0, which a log axis cannot show).
pub(super) fn scaled(axis: &Axis, y: f64) -> Option<f64> {
    if !axis.log {
        Some(y)
    } else if y > 0.0 {
        Some(y.log10())
    } else {
        None
    }
}

/// The plotted range of the lines on one side, padded.
pub(super) fn y_range(chart: &Chart, side: Side, axis: &Axis) -> std::ops::Range<f64> {
    let ys: Vec<f64> = chart
        .lines
        .iter()
        .filter(|l| l.side == side)
        .flat_map(|l| l.points.iter().filter_map(|p| scaled(axis, p.1)))
        .collect();
    let lo = ys.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = ys.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if !lo.is_finite() || !hi.is_finite() {
        return 0.0..1.0;
    }
    if axis.log {
        (lo - 0.15)..(hi + 0.15)
    } else {
        let top = if hi > 0.0 { hi * 1.1 } else { 1.0 };
        lo.min(0.0)..top
    }
}

/// A y coordinate in plotted units (log10 of the value on a log axis) whose ticks fall on round
/// values: plotters' own ticks on a linear axis, 1-2-5 per decade on a log axis.
#[derive(Debug, Clone)]
pub(super) struct Scale {
    pub(super) range: std::ops::Range<f64>,
    pub(super) log: bool,
}

impl Ranged for Scale {
    type FormatOption = plotters::coord::ranged1d::DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        let span = self.range.end - self.range.start;
        let frac = if span > 0.0 {
            (value - self.range.start) / span
        } else {
            0.5
        };
        limit.0 + (frac * f64::from(limit.1 - limit.0)).round() as i32
    }

    fn key_points<Hint: plotters::coord::ranged1d::KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        if !self.log {
            return plotters::coord::types::RangedCoordf64::from(self.range.clone())
                .key_points(hint);
        }
        let (lo, hi) = (
            self.range.start.floor() as i32,
            self.range.end.ceil() as i32,
        );
        let mut ticks: Vec<f64> = Vec::new();
        for steps in [&[1.0, 2.0, 5.0][..], &[1.0, 3.0], &[1.0]] {
            ticks = (lo..=hi)
                .flat_map(|d| steps.iter().map(move |m| (m * 10f64.powi(d)).log10()))
                .filter(|t| self.range.contains(t))
                .collect();
            if ticks.len() <= hint.max_num_points().max(2) {
                break;
            }
        }
        ticks
    }

    fn range(&self) -> std::ops::Range<f64> {
        self.range.clone()
    }
}

/// A tick label: the value back on its own scale, three significant digits at most.
pub(super) fn tick(axis: &Axis, v: f64) -> String {
    let v = if axis.log { 10f64.powf(v) } else { v };
    let a = v.abs();
    if a >= 100.0 || a == 0.0 {
        format!("{v:.0}")
    } else if a >= 10.0 {
        format!("{v:.1}").trim_end_matches(".0").to_owned()
    } else {
        format!("{v:.2}")
            .trim_end_matches('0')
            .trim_end_matches('.')
            .to_owned()
    }
}
