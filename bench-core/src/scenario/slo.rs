//! Absolute SLO thresholds, k6-style: `"p99 < 200ms"`, `"error_rate < 1%"`, `"rps > 100"`.
//! A run whose thresholds are breached makes `tailguard run` exit 1.
//!
//! No data is never a pass: a threshold whose metric has no sample (a latency percentile when no
//! call produced a response, an error rate or rate of zero calls) is breached with the actual
//! value "no data", unless it ends in `or no data` (`"p99 < 200ms or no data"`). Thresholds
//! that can never fail (`error_rate < 150%`, `rps > -1`) or never hold (`p99 < 0ms`) are
//! refused when parsed.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::histogram::LatencyHistogram;
pub use crate::result::SloCheck;
use crate::result::{Measurement, Summary};

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
    /// Passed fraction of all check verdicts (`checks > 99.9%`).
    Checks,
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
#[non_exhaustive]
pub struct Slo {
    /// The text as written.
    pub text: String,
    /// The bounded metric.
    pub metric: SloMetric,
    /// Comparison.
    pub op: Op,
    /// Bound (µs for latency, fraction for error rate, req/s for rps).
    pub bound: f64,
    /// Holds when the metric has no sample (written `… or no data`).
    #[serde(default)]
    pub allow_no_data: bool,
}

#[path = "slo_error.rs"]
mod error;
pub use error::{BoundError, SloError};

/// The suffix that lets a threshold hold on zero samples.
const OR_NO_DATA: &str = "or no data";

/// What the `actual` of a check says when the metric had no sample.
pub const NO_DATA: &str = "no data";

impl FromStr for Slo {
    type Err = SloError;

    fn from_str(text: &str) -> Result<Self, SloError> {
        let t = text.trim();
        let lower = t.to_ascii_lowercase();
        let (body, allow_no_data) = match lower.strip_suffix(OR_NO_DATA) {
            Some(rest) => (t[..rest.len()].trim(), true),
            None => (t, false),
        };
        let (lhs, op, rhs) = ["<=", ">=", "<", ">"]
            .iter()
            .find_map(|op| body.split_once(op).map(|(l, r)| (l.trim(), *op, r.trim())))
            .ok_or_else(|| SloError::NoComparison {
                text: text.to_owned(),
            })?;
        let op = match op {
            "<" => Op::Lt,
            "<=" => Op::Le,
            ">" => Op::Gt,
            _ => Op::Ge,
        };
        let metric = parse_metric(lhs).ok_or_else(|| SloError::UnknownMetric {
            text: text.to_owned(),
            metric: lhs.to_owned(),
        })?;
        let bound = parse_bound(metric, rhs).map_err(|reason| SloError::Bound {
            text: text.to_owned(),
            reason,
        })?;
        let slo = Slo {
            text: t.to_owned(),
            metric,
            op,
            bound,
            allow_no_data,
        };
        slo.decidable(text)?;
        Ok(slo)
    }
}

fn parse_bound(metric: SloMetric, rhs: &str) -> Result<f64, BoundError> {
    let bound = match metric {
        SloMetric::Latency(_) | SloMetric::Max | SloMetric::Mean => {
            crate::duration_serde::parse(rhs)?.as_secs_f64() * 1e6
        }
        SloMetric::ErrorRate | SloMetric::Checks => super::gate::parse_percent(rhs)?,
        SloMetric::Rps => rhs
            .trim_end_matches("/s")
            .trim()
            .parse::<f64>()
            .map_err(|_| BoundError::NotRps {
                value: rhs.to_owned(),
            })?,
    };
    if bound.is_finite() {
        Ok(bound)
    } else {
        Err(BoundError::NotFinite {
            value: rhs.to_owned(),
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
        "checks" => return Some(SloMetric::Checks),
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
    /// The values the metric can take: error rates are fractions of 0..=1, the others are >= 0.
    fn range(&self) -> (f64, f64, &'static str) {
        match self.metric {
            SloMetric::ErrorRate => (0.0, 1.0, "an error rate is between 0% and 100%"),
            SloMetric::Checks => (0.0, 1.0, "a pass rate is between 0% and 100%"),
            SloMetric::Rps => (0.0, f64::INFINITY, "a rate is never negative"),
            _ => (0.0, f64::INFINITY, "a latency is never negative"),
        }
    }

    /// Refuse a threshold that every possible value meets, or that none does.
    fn decidable(&self, text: &str) -> Result<(), SloError> {
        let (lo, hi, why) = self.range();
        let b = self.bound;
        let (always, never) = match self.op {
            Op::Lt => (b > hi, b <= lo),
            Op::Le => (b >= hi, b < lo),
            Op::Gt => (b < lo, b >= hi),
            Op::Ge => (b <= lo, b > hi),
        };
        if always {
            Err(SloError::NeverFails {
                text: text.to_owned(),
                why,
            })
        } else if never {
            Err(SloError::NeverHolds {
                text: text.to_owned(),
                why,
            })
        } else {
            Ok(())
        }
    }

    /// The measured value of this threshold's metric in a run's measurement (µs, fraction, or
    /// req/s); `None` when the metric has no sample.
    #[must_use]
    pub fn measure(&self, result: &Measurement) -> Option<f64> {
        self.measure_in(&result.histograms.latency, &result.summary)
    }

    /// The measured value in a latency histogram and its summary (a run, or one step of a
    /// saturation run); `None` when the metric has no sample.
    #[must_use]
    pub fn measure_in(&self, latency: &LatencyHistogram, s: &Summary) -> Option<f64> {
        let no_calls = s.requests == 0;
        // `unsent` calls sit in the latency histogram with a lower bound only; a latency
        // measured on them alone measures no answer at all.
        let no_answer = latency.len() <= s.unsent;
        Some(match self.metric {
            SloMetric::Latency(_) | SloMetric::Max | SloMetric::Mean if no_answer => return None,
            SloMetric::ErrorRate | SloMetric::Rps if no_calls => return None,
            SloMetric::Latency(permille) => {
                latency.quantile_us(f64::from(permille) / 1000.0) as f64
            }
            SloMetric::Max => s.latency_us.max as f64,
            SloMetric::Mean => s.latency_us.mean,
            SloMetric::ErrorRate => s.error_rate,
            SloMetric::Rps => successful_rps(s),
            SloMetric::Checks => return checks_passed(s),
        })
    }

    /// Whether the measured latency is only a lower bound: it may come from `unsent` calls,
    /// whose real latency (had they been sent) is unknown and at least what was recorded.
    fn lower_bound_only(&self, latency: &LatencyHistogram, s: &Summary) -> bool {
        if s.unsent == 0 {
            return false;
        }
        match self.metric {
            SloMetric::Max | SloMetric::Mean => true,
            SloMetric::Latency(permille) => {
                let tail = (1.0 - f64::from(permille) / 1000.0) * latency.len() as f64;
                s.unsent as f64 >= tail
            }
            SloMetric::ErrorRate | SloMetric::Rps | SloMetric::Checks => false,
        }
    }

    /// Check the threshold against a run's measurement.
    #[must_use]
    pub fn check(&self, result: &Measurement) -> SloCheck {
        self.check_in(&result.histograms.latency, &result.summary)
    }

    /// Check the threshold against a latency histogram and its summary.
    #[must_use]
    pub fn check_in(&self, latency: &LatencyHistogram, summary: &Summary) -> SloCheck {
        let Some(v) = self.measure_in(latency, summary) else {
            return SloCheck {
                slo: self.text.clone(),
                actual: NO_DATA.to_owned(),
                passed: self.allow_no_data,
            };
        };
        // A lower bound can show an upper threshold breached, never held.
        let lower_bound = self.lower_bound_only(latency, summary);
        let passed = match self.op {
            Op::Lt => v < self.bound && !lower_bound,
            Op::Le => v <= self.bound && !lower_bound,
            Op::Gt => v > self.bound,
            Op::Ge => v >= self.bound,
        };
        let actual = match self.metric {
            _ if lower_bound => format!(
                "at least {:.2}ms: {} calls were never sent",
                v / 1000.0,
                summary.unsent
            ),
            SloMetric::Latency(_) | SloMetric::Max | SloMetric::Mean => {
                format!("{:.2}ms", v / 1000.0)
            }
            SloMetric::ErrorRate | SloMetric::Checks => format!("{:.3}%", v * 100.0),
            SloMetric::Rps => format!("{v:.1}/s"),
        };
        SloCheck {
            slo: self.text.clone(),
            actual,
            passed,
        }
    }
}

/// Successful calls per second: calls that failed (or were never sent) carry no throughput.
fn successful_rps(s: &Summary) -> f64 {
    let sent = s.requests.saturating_sub(s.unsent);
    if sent == 0 {
        return 0.0;
    }
    let ok = s.requests.saturating_sub(s.errors);
    s.rps * ok as f64 / sent as f64
}

/// The passed fraction of every check verdict of a run; `None` without any.
fn checks_passed(s: &Summary) -> Option<f64> {
    let passed: u64 = s.checks.iter().map(|c| c.passed).sum();
    let failed: u64 = s.checks.iter().map(|c| c.failed).sum();
    let all = passed + failed;
    (all > 0).then(|| passed as f64 / all as f64)
}

/// Every threshold against a run's measurement, plus one failed check per request of a mix that
/// was never called (no data about it is not a pass either).
#[must_use]
pub fn check_all(slos: &[Slo], result: &Measurement) -> Vec<SloCheck> {
    let mut checks: Vec<SloCheck> = slos.iter().map(|s| s.check(result)).collect();
    if result.requests.len() > 1 {
        checks.extend(
            result
                .requests
                .iter()
                .filter(|r| r.requests == 0)
                .map(|r| SloCheck {
                    slo: format!("request {:?} of the mix was called", r.name),
                    actual: NO_DATA.to_owned(),
                    passed: false,
                }),
        );
    }
    checks
}

impl fmt::Display for Slo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
#[path = "slo_tests.rs"]
mod tests;
