//! Line charts rendered to SVG and PNG with plotters.
//!
//! A [`Chart`] is data: one x quantity against a left and an optional right y axis (each linear,
//! logarithmic, or for percentiles a "nines" axis: 0 %, 90 %, 99 %, 99.9 % equally spaced, the
//! classic HdrHistogram plot), lines with points, and vertical markers. [`svg`] and [`png`] render it to
//! bytes; callers decide where files go. Text is drawn with Inter (SIL Open Font License 1.1,
//! subset to Latin-1; `runner/assets/fonts/`), compiled in, so a PNG renders the same on a bare
//! machine without system fonts; the SVG names `sans-serif` and lets the viewer draw the text.

mod axis;
mod draw;

use std::sync::OnceLock;

use plotters::prelude::*;
use plotters::style::register_font;

use draw::draw;

const FONT: &[u8] = include_bytes!("../../../assets/fonts/Inter-Regular-subset.otf");
const FAMILY: &str = "sans-serif";

/// Errors rendering a chart.
#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    /// The chart has nothing to draw.
    #[error("chart {0:?} has no points")]
    Empty(String),
    /// The bundled font could not be loaded.
    #[error("the bundled chart font could not be loaded")]
    Font,
    /// Drawing failed.
    #[error("drawing chart {title:?}: {message}")]
    Draw {
        /// The chart's title.
        title: String,
        /// What went wrong.
        message: String,
    },
    /// PNG encoding failed.
    #[error("encoding PNG: {0}")]
    Png(#[from] png::EncodingError),
}

/// Which y axis a line is read against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The left axis.
    Left,
    /// The right axis.
    Right,
}

/// How an axis maps values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AxisScale {
    /// Linear.
    Linear,
    /// Logarithmic (latencies that grow by orders of magnitude); values ≤ 0 are skipped.
    Log,
    /// Quantiles q in [0, 1) at −log10(1 − q): 0 %, 90 %, 99 %, 99.9 % equally spaced.
    Nines,
}

/// An axis.
#[derive(Debug, Clone, PartialEq)]
pub struct Axis {
    /// Label, with the unit.
    pub label: String,
    /// Mapping of values.
    pub scale: AxisScale,
}

impl Axis {
    /// An axis with this label and scale.
    #[must_use]
    pub fn new(label: &str, scale: AxisScale) -> Self {
        Self {
            label: label.to_owned(),
            scale,
        }
    }
}

/// A line with a marker at each point.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    /// Legend text.
    pub name: String,
    /// Axis it is read against.
    pub side: Side,
    /// (x, y) points; points an axis cannot show (≤ 0 on a log axis) are skipped.
    pub points: Vec<(f64, f64)>,
    /// RGB colour.
    pub color: (u8, u8, u8),
    /// Thin and without markers (a reference line, e.g. "offered").
    pub reference: bool,
}

/// A vertical marker at an x value, e.g. "saturation 250 req/s".
#[derive(Debug, Clone, PartialEq)]
pub struct Marker {
    /// Where.
    pub x: f64,
    /// Label drawn next to it.
    pub label: String,
    /// RGB colour.
    pub color: (u8, u8, u8),
}

/// A chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    /// Title.
    pub title: String,
    /// The x axis.
    pub x: Axis,
    /// The left y axis.
    pub left: Axis,
    /// The right y axis, if any line uses it.
    pub right: Option<Axis>,
    /// Lines.
    pub lines: Vec<Line>,
    /// Vertical markers.
    pub markers: Vec<Marker>,
    /// Size in pixels.
    pub size: (u32, u32),
}

/// Render as SVG text.
pub fn svg(chart: &Chart) -> Result<String, ChartError> {
    font()?;
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, chart.size).into_drawing_area();
        draw(&root, chart)?;
        root.present().map_err(|e| draw_error(chart, &e))?;
    }
    Ok(out)
}

/// Render as a PNG image (8-bit RGB).
pub fn png(chart: &Chart) -> Result<Vec<u8>, ChartError> {
    font()?;
    let (w, h) = chart.size;
    let mut rgb = vec![0u8; w as usize * h as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, chart.size).into_drawing_area();
        draw(&root, chart)?;
        root.present().map_err(|e| draw_error(chart, &e))?;
    }
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, w, h);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    // Charts are mostly flat colour: adaptive filtering with strong deflate makes them ~3x smaller.
    encoder.set_adaptive_filter(png::AdaptiveFilterType::Adaptive);
    encoder.set_compression(png::Compression::Best);
    let mut writer = encoder.write_header()?;
    writer.write_image_data(&rgb)?;
    writer.finish()?;
    Ok(out)
}

fn font() -> Result<(), ChartError> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok = *REGISTERED.get_or_init(|| register_font(FAMILY, FontStyle::Normal, FONT).is_ok());
    if ok {
        Ok(())
    } else {
        Err(ChartError::Font)
    }
}

fn draw_error(chart: &Chart, e: &dyn std::fmt::Display) -> ChartError {
    ChartError::Draw {
        title: chart.title.clone(),
        message: e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::axis::{scaled, tick};
    use super::*;

    fn chart() -> Chart {
        Chart {
            title: "latency and throughput".into(),
            x: Axis::new("offered (req/s)", AxisScale::Linear),
            left: Axis::new("latency (ms)", AxisScale::Log),
            right: Some(Axis::new("throughput (req/s)", AxisScale::Linear)),
            lines: vec![
                Line {
                    name: "p99".into(),
                    side: Side::Left,
                    points: vec![(100.0, 20.0), (200.0, 22.0), (300.0, 2000.0)],
                    color: (200, 40, 40),
                    reference: false,
                },
                Line {
                    name: "achieved".into(),
                    side: Side::Right,
                    points: vec![(100.0, 100.0), (200.0, 199.0), (300.0, 250.0)],
                    color: (40, 90, 200),
                    reference: false,
                },
            ],
            markers: vec![Marker {
                x: 200.0,
                label: "saturation 200 req/s".into(),
                color: (0, 120, 0),
            }],
            size: (640, 400),
        }
    }

    #[test]
    fn svg_has_the_text_and_a_path_per_line() {
        let s = svg(&chart()).unwrap();
        assert!(s.starts_with("<svg"), "{}", &s[..80]);
        for text in [
            "latency and throughput",
            "p99",
            "achieved",
            "saturation 200 req/s",
            "throughput (req/s)",
        ] {
            assert!(s.contains(text), "missing {text:?}");
        }
        assert!(s.matches("<polyline").count() >= 2);
    }

    #[test]
    fn png_decodes_to_the_requested_size_with_ink_in_the_line_colours() {
        let bytes = png(&chart()).unwrap();
        let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
        let mut reader = decoder.read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size()];
        let info = reader.next_frame(&mut buf).unwrap();
        assert_eq!((info.width, info.height), (640, 400));
        let pixels: Vec<&[u8]> = buf[..info.buffer_size()].chunks(3).collect();
        let count = |rgb: [u8; 3]| pixels.iter().filter(|p| **p == rgb).count();
        assert!(count([200, 40, 40]) > 100, "p99 line drawn");
        assert!(count([40, 90, 200]) > 100, "throughput line drawn");
        let dark = pixels.iter().filter(|p| p.iter().all(|c| *c < 80)).count();
        assert!(dark > 500, "text and axes drawn ({dark} dark pixels)");
    }

    #[test]
    fn empty_chart_is_an_error_and_ticks_read_well() {
        let mut c = chart();
        c.lines.clear();
        assert!(matches!(svg(&c), Err(ChartError::Empty(_))));
        let log = Axis::new("", AxisScale::Log);
        assert_eq!(tick(&log, 2.0), "100");
        assert_eq!(tick(&log, 0.0), "1");
        let lin = Axis::new("", AxisScale::Linear);
        assert_eq!(tick(&lin, 12.5), "12.5");
        assert_eq!(tick(&lin, 0.25), "0.25");
        let nines = Axis::new("", AxisScale::Nines);
        let labels: Vec<String> = (0..5).map(|v| tick(&nines, f64::from(v))).collect();
        assert_eq!(labels, ["0%", "90%", "99%", "99.9%", "99.99%"]);
        assert_eq!(scaled(&nines, 0.99).map(|v| (v * 1e9).round()), Some(2e9));
        assert_eq!(scaled(&nines, 1.0), None);
    }
}
