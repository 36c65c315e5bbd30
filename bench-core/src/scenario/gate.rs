//! `[gate]`: how a scenario's runs are compared with the baseline — thresholds, the gated
//! metrics, the decision rule and the method. Every field can be overridden on the command line.

use serde::{de, Deserialize, Deserializer, Serialize};

use crate::stats::{Method, Metric, Quantile, Rule, Settings, StatsError};

/// Why a `[gate]` section, a metric name or a percentage is rejected.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum GateError {
    /// A `method` other than welch, paired or bootstrap.
    #[error("unknown method {method:?} (welch, paired, bootstrap)")]
    UnknownMethod {
        /// The method as written.
        method: String,
    },
    /// Settings out of range (threshold, confidence, trials).
    #[error(transparent)]
    Settings(#[from] StatsError),
    /// A metric name that is not gated or reported.
    #[error("unknown metric {text:?} (p50, p90, p95, p99, p99.9, mean, throughput, error_rate, cpu_per_request)")]
    UnknownMetric {
        /// The name as written.
        text: String,
    },
    /// Text that is not a percentage.
    #[error("{text:?} is not a percentage; write e.g. \"10%\" or 0.10")]
    NotPercent {
        /// The text as written.
        text: String,
    },
}

/// The `[gate]` section as written. Missing fields take the defaults of [`Settings`] and
/// [`GateSection::DEFAULT_METRICS`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GateSection {
    /// Relative regression that fails a latency or throughput metric: `"10%"` or `0.10`.
    #[serde(
        default,
        deserialize_with = "percent_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub threshold: Option<f64>,
    /// Absolute error-rate increase that fails: `"1%"` (one percentage point) or `0.01`.
    #[serde(
        default,
        deserialize_with = "percent_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub error_rate_threshold: Option<f64>,
    /// Gated metrics: any of p50, p90, p95, p99, p99.9, mean, throughput, error_rate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metrics: Option<Vec<String>>,
    /// "default" (estimate beyond threshold and interval excludes no change) or "strict"
    /// (whole interval beyond the threshold).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<Rule>,
    /// "welch", "paired" or "bootstrap".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// Minimum trials per side.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_trials: Option<usize>,
    /// Confidence level of the interval, e.g. 0.95.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence: Option<f64>,
    /// How many stored baseline runs to compare against (`--baseline store:main`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline_runs: Option<usize>,
}

impl GateSection {
    /// Metrics gated when the scenario does not say: p95, p99 and the error rate.
    pub const DEFAULT_METRICS: [&'static str; 3] = ["p95", "p99", "error_rate"];

    /// Fields of `over` that are set replace those of `self`.
    #[must_use]
    pub fn overlay(&self, over: &GateSection) -> GateSection {
        GateSection {
            threshold: over.threshold.or(self.threshold),
            error_rate_threshold: over.error_rate_threshold.or(self.error_rate_threshold),
            metrics: over.metrics.clone().or_else(|| self.metrics.clone()),
            rule: over.rule.or(self.rule),
            method: over.method.clone().or_else(|| self.method.clone()),
            min_trials: over.min_trials.or(self.min_trials),
            confidence: over.confidence.or(self.confidence),
            baseline_runs: over.baseline_runs.or(self.baseline_runs),
        }
    }

    /// The statistics settings; `interleaved` picks the paired method when none is named.
    pub fn settings(&self, interleaved: bool) -> Result<Settings, GateError> {
        let mut s = Settings::default();
        if let Some(t) = self.threshold {
            s.threshold = t;
        }
        if let Some(t) = self.error_rate_threshold {
            s.error_rate_threshold = t;
        }
        if let Some(r) = self.rule {
            s.rule = r;
        }
        if let Some(n) = self.min_trials {
            s.min_trials = n;
        }
        if let Some(c) = self.confidence {
            s.confidence = c;
        }
        s.method = match self.method.as_deref() {
            None if interleaved => Method::Paired,
            None | Some("welch") => Method::Welch,
            Some("paired") => Method::Paired,
            Some("bootstrap") => Method::BOOTSTRAP,
            Some(other) => {
                return Err(GateError::UnknownMethod {
                    method: other.to_owned(),
                })
            }
        };
        s.validate()?;
        Ok(s)
    }

    /// The gated metrics.
    pub fn gated_metrics(&self) -> Result<Vec<Metric>, GateError> {
        match &self.metrics {
            Some(list) => list.iter().map(|m| parse_metric(m)).collect(),
            None => Self::DEFAULT_METRICS
                .iter()
                .map(|m| parse_metric(m))
                .collect(),
        }
    }

    /// Number of stored baseline runs to use (default 5).
    #[must_use]
    pub fn baseline_runs(&self) -> usize {
        self.baseline_runs.unwrap_or(5)
    }
}

/// Every metric a comparison reports, gated or not.
#[must_use]
pub fn reported_metrics() -> Vec<Metric> {
    vec![
        Metric::Quantile(Quantile::P50),
        Metric::Quantile(Quantile::P90),
        Metric::Quantile(Quantile::P95),
        Metric::Quantile(Quantile::P99),
        Metric::Quantile(Quantile::P999),
        Metric::Throughput,
        Metric::ErrorRate,
    ]
}

/// Parse a metric name: `p95`, `p99.9`, `mean`, `throughput`/`rps`, `error_rate`.
pub fn parse_metric(text: &str) -> Result<Metric, GateError> {
    let t = text.trim().to_ascii_lowercase();
    match t.as_str() {
        "mean" => return Ok(Metric::Mean),
        "throughput" | "rps" => return Ok(Metric::Throughput),
        "error_rate" | "errors" => return Ok(Metric::ErrorRate),
        "cpu_per_request" | "cpu" => return Ok(Metric::CpuPerRequest),
        _ => {}
    }
    let bad = || GateError::UnknownMetric {
        text: text.to_owned(),
    };
    let pct: f64 = t
        .strip_prefix('p')
        .and_then(|p| {
            if p == "999" {
                Some(99.9)
            } else {
                p.parse().ok()
            }
        })
        .ok_or_else(bad)?;
    // Round to a millionth so "p99.9" is exactly the 0.999 of Quantile::P999 (99.9 / 100 is not).
    Quantile::new((pct * 10_000.0).round() / 1_000_000.0)
        .map(Metric::Quantile)
        .map_err(|_| bad())
}

/// Parse `"10%"`, `"0.1"` or a number as a fraction.
pub fn parse_percent(text: &str) -> Result<f64, GateError> {
    let t = text.trim();
    let v = match t.strip_suffix('%') {
        Some(p) => p.trim().parse::<f64>().map(|p| p / 100.0),
        None => t.parse::<f64>(),
    };
    v.map_err(|_| GateError::NotPercent {
        text: text.to_owned(),
    })
}

pub(crate) fn percent_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Repr {
        Num(f64),
        Text(String),
    }
    match Repr::deserialize(d)? {
        Repr::Num(n) => Ok(Some(n)),
        Repr::Text(t) => parse_percent(&t).map(Some).map_err(de::Error::custom),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metrics_and_percentages_parse() {
        assert_eq!(
            parse_metric("p99").unwrap(),
            Metric::Quantile(Quantile::P99)
        );
        assert_eq!(
            parse_metric("p99.9").unwrap(),
            Metric::Quantile(Quantile::P999)
        );
        assert_eq!(parse_metric("rps").unwrap(), Metric::Throughput);
        assert!(parse_metric("p100").is_err());
        assert!(parse_metric("latency").is_err());
        assert!((parse_percent("10%").unwrap() - 0.1).abs() < 1e-12);
        assert!((parse_percent("0.05").unwrap() - 0.05).abs() < 1e-12);
        assert!(parse_percent("ten").is_err());
    }

    #[test]
    fn settings_follow_the_section_and_overlay() {
        let file: GateSection =
            toml::from_str("threshold = \"5%\"\nmetrics = [\"p99\"]\nrule = \"strict\"").unwrap();
        let cli = GateSection {
            threshold: Some(0.2),
            ..GateSection::default()
        };
        let merged = file.overlay(&cli);
        let s = merged.settings(true).unwrap();
        assert!((s.threshold - 0.2).abs() < 1e-12);
        assert_eq!(s.rule, Rule::Strict);
        assert_eq!(s.method, Method::Paired);
        assert_eq!(
            merged.gated_metrics().unwrap(),
            vec![Metric::Quantile(Quantile::P99)]
        );
        assert_eq!(
            GateSection::default().settings(false).unwrap().method,
            Method::Welch
        );
        assert_eq!(GateSection::default().gated_metrics().unwrap().len(), 3);
        let bad = GateSection {
            method: Some("magic".into()),
            ..GateSection::default()
        };
        assert!(bad.settings(false).is_err());
    }
}
