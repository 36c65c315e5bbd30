//! Absolute SLO thresholds, k6-style: `"p99 < 200ms"`, `"error_rate < 1%"`, `"rps > 100"`.
//! A run whose thresholds are breached makes `tailguard run` exit 1.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::histogram::LatencyHistogram;
use crate::result::{RunResult, Summary};

/// A metric an SLO can bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SloMetric {
    /// A CO-correct latency percentile, in thousandths (p99 = 990, p99.9 = 999).
    Latency(u16),
    /// Largest latency.
    Max,
    /// Mean latency.
    Mean,
    /// Failed fraction of calls.
    ErrorRate,
    /// Achieved requests per second.
    Rps,
}

/// `<` or `<=` or `>` or `>=`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Op {
    /// Strictly less.
    #[serde(rename = "<")]
    Lt,
    /// Less or equal.
    #[serde(rename = "<=")]
    Le,
    /// Strictly greater.
    #[serde(rename = ">")]
    Gt,
    /// Greater or equal.
    #[serde(rename = ">=")]
    Ge,
}

/// One threshold. Latency bounds are in microseconds, rates as fractions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Slo {
    /// The text as written.
    pub text: String,
    /// The bounded metric.
    pub metric: SloMetric,
    /// Comparison.
    pub op: Op,
    /// Bound (µs for latency, fraction for error rate, req/s for rps).
    pub bound: f64,
}

/// The outcome of checking one threshold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SloCheck {
    /// The threshold as written.
    pub slo: String,
    /// Measured value, in the threshold's unit (ms for latency, % for error rate).
    pub actual: String,
    /// Whether it held.
    pub passed: bool,
}

impl FromStr for Slo {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let t = text.trim();
        let (lhs, op, rhs) = ["<=", ">=", "<", ">"]
            .iter()
            .find_map(|op| t.split_once(op).map(|(l, r)| (l.trim(), *op, r.trim())))
            .ok_or_else(|| {
                format!("threshold {text:?} has no comparison; write e.g. \"p99 < 200ms\"")
            })?;
        let op = match op {
            "<" => Op::Lt,
            "<=" => Op::Le,
            ">" => Op::Gt,
            _ => Op::Ge,
        };
        let metric = parse_metric(lhs).ok_or_else(|| {
            format!("threshold {text:?}: unknown metric {lhs:?} (p50, p90, p95, p99, p99.9, max, mean, error_rate, rps)")
        })?;
        let bound = match metric {
            SloMetric::Latency(_) | SloMetric::Max | SloMetric::Mean => {
                let d = crate::duration_serde::parse(rhs)
                    .map_err(|e| format!("threshold {text:?}: {e}"))?;
                d.as_secs_f64() * 1e6
            }
            SloMetric::ErrorRate => {
                super::gate::parse_percent(rhs).map_err(|e| format!("threshold {text:?}: {e}"))?
            }
            SloMetric::Rps => rhs
                .trim_end_matches("/s")
                .trim()
                .parse::<f64>()
                .map_err(|_| {
                    format!("threshold {text:?}: {rhs:?} is not a number of requests per second")
                })?,
        };
        Ok(Slo {
            text: t.to_owned(),
            metric,
            op,
            bound,
        })
    }
}

fn parse_metric(s: &str) -> Option<SloMetric> {
    let s = s.to_ascii_lowercase();
    let s = s.trim_start_matches("latency.").trim();
    match s {
        "max" => return Some(SloMetric::Max),
        "mean" | "avg" => return Some(SloMetric::Mean),
        "error_rate" | "errors" => return Some(SloMetric::ErrorRate),
        "rps" | "throughput" => return Some(SloMetric::Rps),
        _ => {}
    }
    let num = s.strip_prefix('p')?;
    let num = num.trim_start_matches('(').trim_end_matches(')');
    let q: f64 = match num {
        "999" => 99.9,
        n => n.parse().ok()?,
    };
    if !(0.0..100.0).contains(&q) || q <= 0.0 {
        return None;
    }
    Some(SloMetric::Latency((q * 10.0).round() as u16))
}

impl Slo {
    /// The measured value of this threshold's metric in `result` (µs, fraction, or req/s).
    #[must_use]
    pub fn measure(&self, result: &RunResult) -> f64 {
        self.measure_in(&result.histograms.latency, &result.summary)
    }

    /// The measured value in a latency histogram and its summary (a run, or one step of a
    /// saturation run).
    #[must_use]
    pub fn measure_in(&self, latency: &LatencyHistogram, s: &Summary) -> f64 {
        match self.metric {
            SloMetric::Latency(permille) => {
                latency.quantile_us(f64::from(permille) / 1000.0) as f64
            }
            SloMetric::Max => s.latency_us.max as f64,
            SloMetric::Mean => s.latency_us.mean,
            SloMetric::ErrorRate => s.error_rate,
            SloMetric::Rps => s.rps,
        }
    }

    /// Check the threshold against a result.
    #[must_use]
    pub fn check(&self, result: &RunResult) -> SloCheck {
        self.check_in(&result.histograms.latency, &result.summary)
    }

    /// Check the threshold against a latency histogram and its summary.
    #[must_use]
    pub fn check_in(&self, latency: &LatencyHistogram, summary: &Summary) -> SloCheck {
        let v = self.measure_in(latency, summary);
        let passed = match self.op {
            Op::Lt => v < self.bound,
            Op::Le => v <= self.bound,
            Op::Gt => v > self.bound,
            Op::Ge => v >= self.bound,
        };
        let actual = match self.metric {
            SloMetric::Latency(_) | SloMetric::Max | SloMetric::Mean => {
                format!("{:.2}ms", v / 1000.0)
            }
            SloMetric::ErrorRate => format!("{:.3}%", v * 100.0),
            SloMetric::Rps => format!("{v:.1}/s"),
        };
        SloCheck {
            slo: self.text.clone(),
            actual,
            passed,
        }
    }
}

impl fmt::Display for Slo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_thresholds() {
        let s: Slo = "p99 < 200ms".parse().unwrap();
        assert_eq!(s.metric, SloMetric::Latency(990));
        assert_eq!(s.op, Op::Lt);
        assert!((s.bound - 200_000.0).abs() < 1e-6);
        let s: Slo = "p99.9 <= 1s".parse().unwrap();
        assert_eq!(s.metric, SloMetric::Latency(999));
        let s: Slo = "error_rate < 1%".parse().unwrap();
        assert!((s.bound - 0.01).abs() < 1e-12);
        let s: Slo = "rps >= 100".parse().unwrap();
        assert_eq!((s.metric, s.op), (SloMetric::Rps, Op::Ge));
        assert!("p99 200ms".parse::<Slo>().is_err());
        assert!("p100 < 1s".parse::<Slo>().is_err());
        assert!("latency < 1s".parse::<Slo>().is_err());
        assert!("error_rate < lots".parse::<Slo>().is_err());
    }
}
