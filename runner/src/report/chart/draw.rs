//! Drawing a [`Chart`] on a plotters drawing area: the coordinate systems, the axes, the
//! markers, each line with its legend entry.

use plotters::chart::DualCoordChartContext;
use plotters::coord::cartesian::Cartesian2d;
use plotters::coord::Shift;
use plotters::prelude::*;

use super::axis::{scaled, tick, x_range, y_range, Scale};
use super::{draw_error, Axis, Chart, ChartError, Line, Side, FAMILY};

/// The chart's context: the x axis with the left y axis, and the right one as the secondary.
type Context<'a, DB> =
    DualCoordChartContext<'a, DB, Cartesian2d<Scale, Scale>, Cartesian2d<Scale, Scale>>;

/// Map a plotters error to a [`ChartError::Draw`] naming the chart.
fn fail<E: std::fmt::Display>(chart: &Chart) -> impl Fn(E) -> ChartError + '_ {
    move |e| draw_error(chart, &e)
}

/// The right y axis, or the left one when the chart has none (the secondary coordinates must
/// exist even when no line uses them).
fn right_axis(chart: &Chart) -> Axis {
    chart.right.clone().unwrap_or_else(|| chart.left.clone())
}

pub(super) fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: &Chart,
) -> Result<(), ChartError>
where
    DB::ErrorType: 'static,
{
    if chart.lines.iter().all(|l| l.points.is_empty()) {
        return Err(ChartError::Empty(chart.title.clone()));
    }
    root.fill(&WHITE).map_err(fail(chart))?;
    let mut cc = context(root, chart)?;
    axes(&mut cc, chart)?;
    markers(&mut cc, chart)?;
    for line in &chart.lines {
        series(&mut cc, chart, line)?;
    }
    cc.configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .label_font((FAMILY, 13))
        .background_style(WHITE.mix(0.85))
        .border_style(RGBColor(180, 180, 180))
        .draw()
        .map_err(fail(chart))
}

/// The caption, the label areas and both coordinate systems, each over its lines' padded range.
fn context<'a, DB: DrawingBackend>(
    root: &'a DrawingArea<DB, Shift>,
    chart: &Chart,
) -> Result<Context<'a, DB>, ChartError>
where
    DB::ErrorType: 'static,
{
    let x = || Scale {
        range: x_range(chart),
        scale: chart.x.scale,
    };
    let right = right_axis(chart);
    let cc = ChartBuilder::on(root)
        .caption(&chart.title, (FAMILY, 22))
        .margin(14)
        .x_label_area_size(44)
        .y_label_area_size(64)
        .right_y_label_area_size(if chart.right.is_some() { 64 } else { 0 })
        .build_cartesian_2d(
            x(),
            Scale {
                range: y_range(chart, Side::Left, &chart.left),
                scale: chart.left.scale,
            },
        )
        .map_err(fail(chart))?;
    Ok(cc.set_secondary_coord(
        x(),
        Scale {
            range: y_range(chart, Side::Right, &right),
            scale: right.scale,
        },
    ))
}

/// The grid, the x and left axes with their labels, and the right axis when there is one.
fn axes<DB: DrawingBackend>(cc: &mut Context<'_, DB>, chart: &Chart) -> Result<(), ChartError>
where
    DB::ErrorType: 'static,
{
    let left_fmt = |v: &f64| tick(&chart.left, *v);
    let x_fmt = |v: &f64| tick(&chart.x, *v);
    cc.configure_mesh()
        .x_desc(chart.x.label.as_str())
        .y_desc(chart.left.label.as_str())
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&left_fmt)
        .label_style((FAMILY, 14))
        .axis_desc_style((FAMILY, 15))
        .light_line_style(WHITE)
        .bold_line_style(RGBColor(225, 225, 225))
        .draw()
        .map_err(fail(chart))?;
    if let Some(right) = &chart.right {
        let right_fmt = |v: &f64| tick(right, *v);
        cc.configure_secondary_axes()
            .y_desc(right.label.as_str())
            .y_label_formatter(&right_fmt)
            .label_style((FAMILY, 14))
            .axis_desc_style((FAMILY, 15))
            .draw()
            .map_err(fail(chart))?;
    }
    Ok(())
}

/// Each marker as a vertical line across the left axis's range, its label hanging from the top
/// one row per marker, so neighbouring markers stay legible.
fn markers<DB: DrawingBackend>(cc: &mut Context<'_, DB>, chart: &Chart) -> Result<(), ChartError>
where
    DB::ErrorType: 'static,
{
    let range = y_range(chart, Side::Left, &chart.left);
    let (lo, hi) = (range.start, range.end);
    for (i, m) in chart.markers.iter().enumerate() {
        let Some(x) = scaled(&chart.x, m.x) else {
            continue;
        };
        let color = RGBColor(m.color.0, m.color.1, m.color.2);
        let label_y = hi - (hi - lo) * 0.06 * i as f64;
        cc.draw_series(std::iter::once(PathElement::new(
            vec![(x, lo), (x, hi)],
            color.stroke_width(1),
        )))
        .map_err(fail(chart))?;
        cc.draw_series(std::iter::once(Text::new(
            m.label.clone(),
            (x, label_y),
            (FAMILY, 13).into_font().color(&color),
        )))
        .map_err(fail(chart))?;
    }
    Ok(())
}

/// One line against its axis, with a dot at each point (none on a reference line) and its
/// legend entry.
fn series<DB: DrawingBackend>(
    cc: &mut Context<'_, DB>,
    chart: &Chart,
    line: &Line,
) -> Result<(), ChartError>
where
    DB::ErrorType: 'static,
{
    let right = right_axis(chart);
    let axis = match line.side {
        Side::Left => &chart.left,
        Side::Right => &right,
    };
    let points: Vec<(f64, f64)> = line
        .points
        .iter()
        .filter_map(|(x, y)| Some((scaled(&chart.x, *x)?, scaled(axis, *y)?)))
        .collect();
    let color = RGBColor(line.color.0, line.color.1, line.color.2);
    let width = if line.reference { 1 } else { 2 };
    let series = LineSeries::new(points.clone(), color.stroke_width(width));
    let dots = points
        .iter()
        .filter(|_| !line.reference)
        .map(move |p| Circle::new(*p, 3, color.filled()));
    let legend = move |(x, y): (i32, i32)| {
        PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(2))
    };
    match line.side {
        Side::Left => {
            cc.draw_series(series)
                .map_err(fail(chart))?
                .label(line.name.as_str())
                .legend(legend);
            cc.draw_series(dots).map_err(fail(chart))?;
        }
        Side::Right => {
            cc.draw_secondary_series(series)
                .map_err(fail(chart))?
                .label(line.name.as_str())
                .legend(legend);
            cc.draw_secondary_series(dots).map_err(fail(chart))?;
        }
    }
    Ok(())
}
