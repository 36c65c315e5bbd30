//! Value parsers of flags that clap cannot type by itself: shards, commit SHAs, run URLs, check
//! conclusions, gated metric names, non-negative percentages and `--since` times. clap names the flag and the value in the error.

use std::time::SystemTime;

use bench_core::scenario::gate::{parse_metric, parse_percent, GateError};

/// A flag value of the wrong form.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ValueError {
    /// Not `I/N` with `I < N`.
    #[error("{0:?}: expected I/N with 0 <= I < N, e.g. 0/4")]
    Shard(String),
    /// Not 40 or 64 hex digits.
    #[error("{0:?} is not a full commit SHA (40 or 64 hex digits)")]
    Sha(String),
    /// Not an http(s) URL a markdown link can carry.
    #[error("{0:?} is not a plain http(s) URL (no spaces, quotes, brackets or parentheses)")]
    RunUrl(String),
    /// Not a check conclusion.
    #[error("{0:?} is not a check conclusion (success, failure, cancelled, …)")]
    Conclusion(String),
    /// A metric that is not gated or reported, or text that is not a percentage.
    #[error(transparent)]
    Gate(#[from] GateError),
    /// A negative (or not finite) percentage where a floor is asked for.
    #[error("{0:?} must be 0% or more")]
    Negative(String),
    /// Neither a time nor an age.
    #[error("{0:?}: expected RFC 3339 (2026-11-01T00:00:00Z) or an age (30days)")]
    Since(String),
}

/// `I/N` with `I < N`.
pub fn shard(text: &str) -> Result<bench_core::Shard, ValueError> {
    let bad = || ValueError::Shard(text.to_owned());
    let (i, n) = text.split_once('/').ok_or_else(bad)?;
    let (index, count): (usize, usize) = (
        i.trim().parse().map_err(|_| bad())?,
        n.trim().parse().map_err(|_| bad())?,
    );
    if count == 0 || index >= count {
        return Err(bad());
    }
    Ok(bench_core::Shard { index, count })
}

/// A full commit SHA: 40 (SHA-1) or 64 (SHA-256) hex digits, lower-cased.
pub fn sha(s: &str) -> Result<String, ValueError> {
    if matches!(s.len(), 40 | 64) && s.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(s.to_ascii_lowercase())
    } else {
        Err(ValueError::Sha(s.to_owned()))
    }
}

/// An http(s) URL that a markdown link can carry as it is.
pub fn run_url(s: &str) -> Result<String, ValueError> {
    let scheme = s.starts_with("https://") || s.starts_with("http://");
    let plain = !s
        .chars()
        .any(|c| c.is_whitespace() || "()<>[]`\"'\\".contains(c));
    if scheme && plain && s.len() <= 2048 {
        Ok(s.to_owned())
    } else {
        Err(ValueError::RunUrl(s.to_owned()))
    }
}

/// A GitHub check conclusion: lower-case letters and underscores.
pub fn conclusion(s: &str) -> Result<String, ValueError> {
    if !s.is_empty() && s.len() <= 32 && s.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
        Ok(s.to_owned())
    } else {
        Err(ValueError::Conclusion(s.to_owned()))
    }
}

/// A percentage of 0 or more (`5%`, `0.05`), as a fraction.
pub fn share(s: &str) -> Result<f64, ValueError> {
    match parse_percent(s)? {
        v if v.is_finite() && v >= 0.0 => Ok(v),
        _ => Err(ValueError::Negative(s.to_owned())),
    }
}

/// `--since`: RFC 3339, or an age (`30days`) back from now; as RFC 3339 UTC.
pub fn since(text: &str) -> Result<String, ValueError> {
    let t = match humantime::parse_rfc3339_weak(text.trim()) {
        Ok(t) => t,
        Err(_) => {
            let age = humantime::parse_duration(text.trim())
                .map_err(|_| ValueError::Since(text.to_owned()))?;
            SystemTime::now()
                .checked_sub(age)
                .unwrap_or(SystemTime::UNIX_EPOCH)
        }
    };
    Ok(humantime::format_rfc3339_seconds(t).to_string())
}

/// A gated metric's name (`p99`, `p99.9`, `throughput`, …), kept as written.
pub fn metric(s: &str) -> Result<String, ValueError> {
    parse_metric(s)?;
    Ok(s.to_owned())
}
