//! Plotting an axis: values on a log axis become log10, quantiles on a "nines" axis become
//! −log10(1 − q), the plotted range is padded, and tick marks fall on round values (plotters' own
//! on a linear axis, 1-2-5 per decade on a log one, 90 %, 99 %, 99.9 % … on a nines axis).

use plotters::prelude::*;

use super::{Axis, AxisScale, Chart, Side};

/// The plotted value: log10 on a log axis (None for v ≤ 0, which a log axis cannot show),
/// −log10(1 − v) on a nines axis (None outside 0 ≤ v < 1).
pub(super) fn scaled(axis: &Axis, v: f64) -> Option<f64> {
    match axis.scale {
        AxisScale::Linear => Some(v),
        AxisScale::Log => (v > 0.0).then(|| v.log10()),
        AxisScale::Nines => (0.0..1.0).contains(&v).then(|| -(1.0 - v).log10()),
    }
}

/// The plotted x range of every line, padded.
pub(super) fn x_range(chart: &Chart) -> std::ops::Range<f64> {
    let xs: Vec<f64> = chart
        .lines
        .iter()
        .flat_map(|l| l.points.iter().filter_map(|p| scaled(&chart.x, p.0)))
        .collect();
    let lo = xs.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if !lo.is_finite() || !hi.is_finite() {
        return 0.0..1.0;
    }
    match chart.x.scale {
        AxisScale::Nines => lo.min(0.0)..(hi.ceil().max(1.0) + 0.05),
        AxisScale::Log => (lo - 0.05)..(hi + 0.05),
        AxisScale::Linear => {
            let pad = ((hi - lo) * 0.04).max(0.5);
            (lo - pad)..(hi + pad)
        }
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
    match axis.scale {
        AxisScale::Log | AxisScale::Nines => (lo - 0.15)..(hi + 0.15),
        AxisScale::Linear => {
            let top = if hi > 0.0 { hi * 1.1 } else { 1.0 };
            lo.min(0.0)..top
        }
    }
}

/// A coordinate in plotted units (see [`scaled`]) whose ticks fall on round values: plotters'
/// own ticks on a linear axis, 1-2-5 per decade on a log axis, one per nine on a nines axis.
#[derive(Debug, Clone)]
pub(super) struct Scale {
    pub(super) range: std::ops::Range<f64>,
    pub(super) scale: AxisScale,
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
        match self.scale {
            AxisScale::Linear => {
                return plotters::coord::types::RangedCoordf64::from(self.range.clone())
                    .key_points(hint)
            }
            AxisScale::Nines => {
                let (lo, hi) = (
                    self.range.start.ceil() as i32,
                    self.range.end.floor() as i32,
                );
                return (lo..=hi).map(f64::from).collect();
            }
            AxisScale::Log => {}
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

/// A tick label: the value back on its own scale, three significant digits at most; a
/// percentile on a nines axis ("0%", "90%", "99.9%").
pub(super) fn tick(axis: &Axis, v: f64) -> String {
    let v = match axis.scale {
        AxisScale::Linear => v,
        AxisScale::Log => 10f64.powf(v),
        AxisScale::Nines => {
            let decimals = (v.round() as i32 - 2).max(0) as usize;
            return format!("{:.decimals$}%", (1.0 - 10f64.powf(-v)) * 100.0);
        }
    };
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
