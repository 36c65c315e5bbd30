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
    /// Holds when the metric has no sample (written `… or no data`).
    #[serde(default)]
    pub allow_no_data: bool,
}

/// The suffix that lets a threshold hold on zero samples.
const OR_NO_DATA: &str = "or no data";

/// What the `actual` of a check says when the metric had no sample.
pub const NO_DATA: &str = "no data";

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
        let lower = t.to_ascii_lowercase();
        let (body, allow_no_data) = match lower.strip_suffix(OR_NO_DATA) {
            Some(rest) => (t[..rest.len()].trim(), true),
            None => (t, false),
        };
        let (lhs, op, rhs) = ["<=", ">=", "<", ">"]
            .iter()
            .find_map(|op| body.split_once(op).map(|(l, r)| (l.trim(), *op, r.trim())))
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
        let bound = parse_bound(metric, rhs).map_err(|e| format!("threshold {text:?}: {e}"))?;
        let slo = Slo {
            text: t.to_owned(),
            metric,
            op,
            bound,
            allow_no_data,
        };
        slo.decidable()
            .map_err(|e| format!("threshold {text:?} {e}"))?;
        Ok(slo)
    }
}

fn parse_bound(metric: SloMetric, rhs: &str) -> Result<f64, String> {
    let bound = match metric {
        SloMetric::Latency(_) | SloMetric::Max | SloMetric::Mean => {
            crate::duration_serde::parse(rhs)?.as_secs_f64() * 1e6
        }
        SloMetric::ErrorRate => super::gate::parse_percent(rhs)?,
        SloMetric::Rps => rhs
            .trim_end_matches("/s")
            .trim()
            .parse::<f64>()
            .map_err(|_| format!("{rhs:?} is not a number of requests per second"))?,
    };
    if bound.is_finite() {
        Ok(bound)
    } else {
        Err(format!("{rhs:?} is not a finite bound"))
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
    /// The values the metric can take: error rates are fractions of 0..=1, the others are >= 0.
    fn range(&self) -> (f64, f64, &'static str) {
        match self.metric {
            SloMetric::ErrorRate => (0.0, 1.0, "an error rate is between 0% and 100%"),
            SloMetric::Rps => (0.0, f64::INFINITY, "a rate is never negative"),
            _ => (0.0, f64::INFINITY, "a latency is never negative"),
        }
    }

    /// Refuse a threshold that every possible value meets, or that none does.
    fn decidable(&self) -> Result<(), String> {
        let (lo, hi, why) = self.range();
        let b = self.bound;
        let (always, never) = match self.op {
            Op::Lt => (b > hi, b <= lo),
            Op::Le => (b >= hi, b < lo),
            Op::Gt => (b < lo, b >= hi),
            Op::Ge => (b <= lo, b > hi),
        };
        if always {
            Err(format!("can never fail: {why}; give a bound it can breach"))
        } else if never {
            Err(format!("can never hold: {why}"))
        } else {
            Ok(())
        }
    }

    /// The measured value of this threshold's metric in `result` (µs, fraction, or req/s);
    /// `None` when the metric has no sample.
    #[must_use]
    pub fn measure(&self, result: &RunResult) -> Option<f64> {
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
            SloMetric::ErrorRate | SloMetric::Rps => false,
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

/// Successful calls per second: calls that failed (or were never sent) carry no throughput.
fn successful_rps(s: &Summary) -> f64 {
    let sent = s.requests.saturating_sub(s.unsent);
    if sent == 0 {
        return 0.0;
    }
    let ok = s.requests.saturating_sub(s.errors);
    s.rps * ok as f64 / sent as f64
}

/// Every threshold of a run, plus one failed check per request of a mix that was never called
/// (no data about it is not a pass either).
#[must_use]
pub fn check_all(slos: &[Slo], result: &RunResult) -> Vec<SloCheck> {
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
        let s: Slo = "p99 < 200ms or no data".parse().unwrap();
        assert!(s.allow_no_data && (s.bound - 200_000.0).abs() < 1e-6);
        assert!(!"p99 < 200ms".parse::<Slo>().unwrap().allow_no_data);
    }

    #[test]
    fn thresholds_that_cannot_fail_or_hold_are_refused() {
        for text in [
            "error_rate < 150%",
            "error_rate <= 100%",
            "error_rate >= 0%",
            "error_rate > -1%",
            "rps > -1",
            "rps >= 0",
            "p99 >= 0ms",
            "mean >= 0s",
        ] {
            let e = text.parse::<Slo>().unwrap_err();
            assert!(e.contains("can never fail"), "{text}: {e}");
        }
        for text in [
            "error_rate < 0%",
            "error_rate > 100%",
            "rps < 0",
            "p99 < 0ms",
        ] {
            let e = text.parse::<Slo>().unwrap_err();
            assert!(e.contains("can never hold"), "{text}: {e}");
        }
        for text in ["rps < inf", "rps > NaN", "error_rate < nan%"] {
            let e = text.parse::<Slo>().unwrap_err();
            assert!(e.contains("finite"), "{text}: {e}");
        }
        for text in [
            "error_rate < 100%",
            "error_rate > 0%",
            "rps > 0",
            "p99 > 0ms",
        ] {
            assert!(text.parse::<Slo>().is_ok(), "{text}");
        }
    }

    #[test]
    fn zero_samples_are_no_data_not_a_pass() {
        let empty = LatencyHistogram::new();
        let summary = Summary::default();
        for text in [
            "p99 < 200ms",
            "max < 1s",
            "error_rate < 1%",
            "rps < 1000",
            "mean < 1s",
        ] {
            let c = text.parse::<Slo>().unwrap().check_in(&empty, &summary);
            assert!(!c.passed, "{text}");
            assert_eq!(c.actual, NO_DATA);
        }
        let allowed: Slo = "p99 < 200ms or no data".parse().unwrap();
        assert!(allowed.check_in(&empty, &summary).passed);
        // Calls that all failed before a response: an error rate, but no latency.
        let failed = Summary {
            requests: 10,
            errors: 10,
            error_rate: 1.0,
            ..Summary::default()
        };
        let p99: Slo = "p99 < 200ms".parse().unwrap();
        assert_eq!(p99.check_in(&empty, &failed).actual, NO_DATA);
        let rate: Slo = "error_rate < 1%".parse().unwrap();
        assert_eq!(rate.check_in(&empty, &failed).actual, "100.000%");
        let mut h = LatencyHistogram::new();
        h.record_us(1000);
        assert!(p99.check_in(&h, &failed).passed);
    }

    /// `unsent` calls are in the latency histogram as lower bounds: a latency measured only on
    /// them is no data, and one that may come from them can breach an upper bound, never hold it.
    #[test]
    fn unsent_calls_never_make_a_latency_threshold_hold() {
        let p95: Slo = "p95 < 3s".parse().unwrap();
        let max: Slo = "max < 10s".parse().unwrap();
        let mut all_unsent = LatencyHistogram::new();
        for _ in 0..100 {
            all_unsent.record_us(2_000_000);
        }
        let summary = Summary {
            requests: 100,
            errors: 100,
            unsent: 100,
            error_rate: 1.0,
            ..Summary::default()
        };
        let c = p95.check_in(&all_unsent, &summary);
        assert!(!c.passed);
        assert_eq!(c.actual, NO_DATA);
        // 94 answered fast, 6 never sent: p95 may lie among the unsent.
        let mut mixed = LatencyHistogram::new();
        for i in 0..100 {
            mixed.record_us(if i < 94 { 1_000 } else { 2_000_000 });
        }
        let some = Summary {
            requests: 100,
            errors: 6,
            unsent: 6,
            error_rate: 0.06,
            ..Summary::default()
        };
        let c = p95.check_in(&mixed, &some);
        assert!(!c.passed, "{c:?}");
        assert!(c.actual.starts_with("at least"), "{}", c.actual);
        assert!(!max.check_in(&mixed, &some).passed);
        // 1 of 100 unsent: p95 comes from answered calls and may hold.
        let one = Summary {
            unsent: 1,
            errors: 1,
            ..some.clone()
        };
        assert!(p95.check_in(&mixed, &one).passed);
        let above: Slo = "p95 > 1ms".parse().unwrap();
        assert!(
            above.check_in(&mixed, &some).passed,
            "a lower bound may show it"
        );
    }

    /// A throughput threshold counts calls that succeeded: a target refusing every connection
    /// has no throughput.
    #[test]
    fn rps_counts_successful_calls() {
        let rps: Slo = "rps > 1".parse().unwrap();
        let refused = Summary {
            requests: 100,
            errors: 100,
            error_rate: 1.0,
            rps: 20.0,
            ..Summary::default()
        };
        let c = rps.check_in(&LatencyHistogram::new(), &refused);
        assert!(!c.passed, "{c:?}");
        let half = Summary {
            errors: 50,
            error_rate: 0.5,
            ..refused.clone()
        };
        assert_eq!(
            rps.check_in(&LatencyHistogram::new(), &half).actual,
            "10.0/s"
        );
    }
}
