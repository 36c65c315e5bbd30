//! Latency histograms: HDR histograms with a fixed range and precision, serialised in HDR's V2
//! compressed (deflate) format, base64-encoded, so results stay compact and merge exactly.

use std::fmt;
use std::time::Duration;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use hdrhistogram::serialization::{Deserializer, Serializer, V2DeflateSerializer};
use hdrhistogram::Histogram;
use serde::{Deserialize, Serialize};

pub use crate::histogram_error::HistogramError;

/// Lowest value a histogram tracks: 1 µs.
pub const LOWEST_US: u64 = 1;
/// Highest value a histogram tracks: 1 hour in microseconds. Larger values saturate at this value.
pub const HIGHEST_US: u64 = 3_600_000_000;
/// Significant decimal digits kept: values are exact to within 0.1 %.
pub const SIGFIG: u8 = 3;

/// A latency histogram in microseconds (1 µs to 1 h, 3 significant digits).
///
/// Invariant: the range and precision are the module constants, so any two histograms merge
/// exactly.
#[derive(Clone, PartialEq)]
pub struct LatencyHistogram(Histogram<u64>);

impl LatencyHistogram {
    /// An empty histogram.
    #[must_use]
    pub fn new() -> Self {
        // The bounds are constants that satisfy HDR's requirements (low >= 1, high >= 2 low,
        // sigfig <= 5), so construction cannot fail; fall back to auto-resizing just in case.
        let h = Histogram::new_with_bounds(LOWEST_US, HIGHEST_US, SIGFIG)
            .or_else(|_| Histogram::new(SIGFIG))
            .unwrap_or_else(|_| unreachable_histogram());
        Self(h)
    }

    /// Record a duration, saturating at [`HIGHEST_US`] and flooring at 1 µs.
    #[inline]
    pub fn record(&mut self, d: Duration) {
        self.record_us(u64::try_from(d.as_micros()).unwrap_or(u64::MAX));
    }

    /// Record a value in microseconds, clamped to the histogram's range.
    #[inline]
    pub fn record_us(&mut self, us: u64) {
        self.0.saturating_record(us.clamp(LOWEST_US, HIGHEST_US));
    }

    /// Record `n` copies of a value in microseconds, clamped to the histogram's range.
    pub fn record_us_n(&mut self, us: u64, n: u64) {
        self.0
            .saturating_record_n(us.clamp(LOWEST_US, HIGHEST_US), n);
    }

    /// Add every count of `other` (exact: both share range and precision).
    pub fn merge(&mut self, other: &LatencyHistogram) {
        // Same bounds on both sides, so `add` cannot fail for range reasons.
        let _ = self.0.add(&other.0);
    }

    /// Number of recorded values.
    #[must_use]
    pub fn len(&self) -> u64 {
        self.0.len()
    }

    /// True when nothing was recorded.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Value at quantile `q` (0..=1) in microseconds; 0 when empty.
    #[must_use]
    pub fn quantile_us(&self, q: f64) -> u64 {
        if self.0.is_empty() {
            0
        } else {
            self.0.value_at_quantile(q)
        }
    }

    /// Largest recorded value in microseconds (highest equivalent value); 0 when empty.
    #[must_use]
    pub fn max_us(&self) -> u64 {
        if self.0.is_empty() {
            0
        } else {
            self.0.max()
        }
    }

    /// Mean in microseconds; 0 when empty.
    #[must_use]
    pub fn mean_us(&self) -> f64 {
        self.0.mean()
    }

    /// Reset to empty, keeping the allocation.
    pub fn clear(&mut self) {
        self.0.reset();
    }

    /// The underlying HDR histogram (for statistics and charts).
    #[must_use]
    pub fn inner(&self) -> &Histogram<u64> {
        &self.0
    }

    /// Serialise to HDR V2-deflate, base64.
    pub fn to_base64(&self) -> Result<String, HistogramError> {
        let mut bytes = Vec::new();
        V2DeflateSerializer::new()
            .serialize(&self.0, &mut bytes)
            .map_err(|e| HistogramError::Encode(format!("{e:?}")))?;
        Ok(BASE64.encode(bytes))
    }

    /// Parse HDR V2 (deflate or plain), base64.
    pub fn from_base64(text: &str) -> Result<Self, HistogramError> {
        let bytes = BASE64.decode(text.trim())?;
        let v2 = crate::hdr_input::plain_v2(&bytes)?;
        let decoded: Histogram<u64> = Deserializer::new()
            .deserialize(&mut v2.as_ref())
            .map_err(|e| HistogramError::Decode(format!("{e:?}")))?;
        let mut h = Self::new();
        h.0.add(&decoded)
            .map_err(|e| HistogramError::Decode(format!("{e:?}")))?;
        Ok(h)
    }
}

#[cold]
fn unreachable_histogram() -> Histogram<u64> {
    // Histogram::new_with_max(2, 1) is valid for every hdrhistogram version; only reached if the
    // constants above were edited into something invalid.
    match Histogram::new_with_max(2, 1) {
        Ok(h) => h,
        Err(_) => std::process::abort(),
    }
}

impl Default for LatencyHistogram {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for LatencyHistogram {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LatencyHistogram")
            .field("len", &self.len())
            .field("p50_us", &self.quantile_us(0.5))
            .field("p99_us", &self.quantile_us(0.99))
            .field("max_us", &self.max_us())
            .finish()
    }
}

impl Serialize for LatencyHistogram {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let text = self.to_base64().map_err(serde::ser::Error::custom)?;
        s.serialize_str(&text)
    }
}

impl<'de> Deserialize<'de> for LatencyHistogram {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Self::from_base64(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_round_trip_is_exact() {
        let mut h = LatencyHistogram::new();
        for i in 1..10_000u64 {
            h.record_us(i * 37 % 250_000 + 1);
        }
        h.record(Duration::from_secs(7200)); // saturates at HIGHEST_US
        let text = h.to_base64().unwrap();
        let back = LatencyHistogram::from_base64(&text).unwrap();
        assert_eq!(back, h);
        assert_eq!(back.len(), 10_000);
        assert!(text.len() < 20_000, "compressed size {}", text.len());
    }

    #[test]
    fn merge_adds_counts() {
        let mut a = LatencyHistogram::new();
        let mut b = LatencyHistogram::new();
        a.record_us(100);
        b.record_us(200);
        b.record_us(300);
        a.merge(&b);
        assert_eq!(a.len(), 3);
        assert_eq!(a.max_us(), b.max_us());
    }

    #[test]
    fn bad_base64_is_an_error() {
        assert!(LatencyHistogram::from_base64("not base64!").is_err());
        assert!(LatencyHistogram::from_base64("aGVsbG8=").is_err());
    }
}
