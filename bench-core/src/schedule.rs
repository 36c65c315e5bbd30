//! Open-model arrival schedules: when each request is *due*.
//!
//! A [`RateProfile`] is a piecewise-linear request rate over time (a constant rate is one stage;
//! ramps interpolate linearly from the previous stage's rate, like k6's `ramping-arrival-rate`).
//! Its cumulative count `Λ(t) = ∫ rate` maps the *k*-th arrival to time `Λ⁻¹(u_k)`, where
//! `u_k = k` for evenly spaced arrivals and a sum of unit exponentials for Poisson arrivals (a
//! time-changed Poisson process). The schedule is an iterator of offsets from the run's start, so
//! stop conditions and sharding compose as iterator adapters instead of separate loops.

use std::time::Duration;

use rand::rngs::SmallRng;
use rand::SeedableRng;
use rand_distr::{Distribution, Exp1};
use serde::{Deserialize, Serialize};

/// A request rate in requests per second. Invariant: finite and ≥ 0.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize)]
#[serde(into = "f64")]
pub struct Rate(f64);

/// Read from a number; any other type is "expected a number (requests per second)".
impl<'de> Deserialize<'de> for Rate {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Number;
        impl serde::de::Visitor<'_> for Number {
            type Value = f64;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a number (requests per second)")
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<f64, E> {
                Ok(v)
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<f64, E> {
                Ok(v as f64)
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<f64, E> {
                Ok(v as f64)
            }
        }
        let v = d.deserialize_f64(Number)?;
        Rate::try_from(v).map_err(serde::de::Error::custom)
    }
}

impl Rate {
    /// No requests.
    pub const ZERO: Rate = Rate(0.0);

    /// A rate, or `None` when negative, NaN or infinite.
    #[must_use]
    pub fn new(per_second: f64) -> Option<Self> {
        (per_second.is_finite() && per_second >= 0.0).then_some(Self(per_second))
    }
    /// Requests per second.
    #[must_use]
    pub fn per_second(self) -> f64 {
        self.0
    }
}

/// A rate that is negative or not finite.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
#[error("rate must be a finite number >= 0, got {0}")]
pub struct RateError(pub f64);

impl TryFrom<f64> for Rate {
    type Error = RateError;
    fn try_from(v: f64) -> Result<Self, RateError> {
        Rate::new(v).ok_or(RateError(v))
    }
}

impl From<Rate> for f64 {
    fn from(r: Rate) -> f64 {
        r.0
    }
}

/// One stage of a rate profile: ramp linearly to `rate` over `duration`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Stage {
    /// How long the stage lasts.
    #[serde(with = "crate::duration_serde")]
    pub duration: Duration,
    /// The rate reached at the end of the stage.
    pub rate: Rate,
}

/// How arrivals are spaced.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Arrival {
    /// Evenly spaced at the current rate (wrk2 / k6 style).
    #[default]
    Uniform,
    /// A Poisson process with the current rate (exponential gaps), seeded and reproducible.
    Poisson,
}

/// A piecewise-linear rate over time.
#[derive(Debug, Clone, PartialEq)]
pub struct RateProfile {
    start: f64,
    stages: Vec<Stage>,
}

impl RateProfile {
    /// A constant rate for `duration`.
    #[must_use]
    pub fn constant(rate: Rate, duration: Duration) -> Self {
        Self {
            start: rate.0,
            stages: vec![Stage { duration, rate }],
        }
    }

    /// Start at `start` and ramp through `stages`.
    #[must_use]
    pub fn ramping(start: Rate, stages: Vec<Stage>) -> Self {
        Self {
            start: start.0,
            stages,
        }
    }

    /// Prepend a constant stage at the starting rate (used for warm-up).
    #[must_use]
    pub fn with_prefix(mut self, duration: Duration) -> Self {
        if !duration.is_zero() {
            let rate = Rate(self.start);
            self.stages.insert(0, Stage { duration, rate });
        }
        self
    }

    /// Total length of all stages.
    #[must_use]
    pub fn duration(&self) -> Duration {
        self.stages.iter().map(|s| s.duration).sum()
    }

    /// Expected number of arrivals over the whole profile, `Λ(end)`.
    #[must_use]
    pub fn expected_arrivals(&self) -> f64 {
        let mut prev = self.start;
        let mut total = 0.0;
        for s in &self.stages {
            total += (prev + s.rate.0) / 2.0 * s.duration.as_secs_f64();
            prev = s.rate.0;
        }
        total
    }

    /// The arrival offsets of this profile, spaced as `arrival` says (`seed` makes Poisson
    /// reproducible; every shard of one run must use the same seed).
    #[must_use]
    pub fn arrivals(&self, arrival: Arrival, seed: u64) -> Arrivals {
        Arrivals {
            profile: self.clone(),
            arrival,
            rng: SmallRng::seed_from_u64(seed),
            next_u: 0.0,
            first: true,
            stage: 0,
            stage_begin_s: 0.0,
            stage_begin_u: 0.0,
            stage_start_rate: self.start,
        }
    }
}

/// Iterator of arrival offsets from the start of the profile, increasing, ending with the profile.
#[derive(Debug, Clone)]
pub struct Arrivals {
    profile: RateProfile,
    arrival: Arrival,
    rng: SmallRng,
    next_u: f64,
    first: bool,
    stage: usize,
    stage_begin_s: f64,
    stage_begin_u: f64,
    stage_start_rate: f64,
}

impl Arrivals {
    fn advance_u(&mut self) {
        let step = match self.arrival {
            Arrival::Uniform => 1.0,
            Arrival::Poisson => Exp1.sample(&mut self.rng),
        };
        if self.first {
            self.first = false;
            if self.arrival == Arrival::Poisson {
                self.next_u = step;
            }
        } else {
            self.next_u += step;
        }
    }
}

impl Iterator for Arrivals {
    type Item = Duration;

    fn next(&mut self) -> Option<Duration> {
        self.advance_u();
        let u = self.next_u;
        while let Some(stage) = self.profile.stages.get(self.stage).copied() {
            let d = stage.duration.as_secs_f64();
            let r0 = self.stage_start_rate;
            let r1 = stage.rate.0;
            let stage_count = (r0 + r1) / 2.0 * d;
            let delta = u - self.stage_begin_u;
            if delta < stage_count {
                // Solve a/2 s² + r0 s = delta for s in [0, d), a = (r1 - r0) / d.
                let a = (r1 - r0) / d;
                let disc = (r0 * r0 + 2.0 * a * delta).max(0.0);
                let s = 2.0 * delta / (r0 + disc.sqrt());
                let s = if s.is_finite() { s.clamp(0.0, d) } else { 0.0 };
                return Some(Duration::from_secs_f64(self.stage_begin_s + s));
            }
            self.stage += 1;
            self.stage_begin_s += d;
            self.stage_begin_u += stage_count;
            self.stage_start_rate = r1;
        }
        None
    }
}

/// Keep the first `count` arrivals at or after `from` (earlier ones, e.g. warm-up, all pass).
#[derive(Debug, Clone)]
pub struct LimitAfter<I> {
    inner: I,
    from: Duration,
    remaining: u64,
}

impl<I: Iterator<Item = Duration>> Iterator for LimitAfter<I> {
    type Item = Duration;
    fn next(&mut self) -> Option<Duration> {
        let t = self.inner.next()?;
        if t < self.from {
            return Some(t);
        }
        if self.remaining == 0 {
            return None;
        }
        self.remaining -= 1;
        Some(t)
    }
}

/// Iterator adapters for schedules.
pub trait ScheduleExt: Iterator<Item = Duration> + Sized {
    /// Stop after `count` arrivals at or after `from`.
    fn limit_after(self, from: Duration, count: u64) -> LimitAfter<Self> {
        LimitAfter {
            inner: self,
            from,
            remaining: count,
        }
    }

    /// Shard `index` of `count`: every `count`-th arrival starting at `index`. The shards of one
    /// schedule partition it exactly, so their union is the unsharded schedule.
    fn shard(self, index: usize, count: usize) -> std::iter::StepBy<std::iter::Skip<Self>> {
        self.skip(index).step_by(count.max(1))
    }
}

impl<I: Iterator<Item = Duration>> ScheduleExt for I {}

#[cfg(test)]
mod tests {
    use super::*;

    fn rate(r: f64) -> Rate {
        Rate::new(r).unwrap()
    }

    #[test]
    fn constant_rate_is_evenly_spaced() {
        let p = RateProfile::constant(rate(1000.0), Duration::from_secs(2));
        let v: Vec<_> = p.arrivals(Arrival::Uniform, 1).collect();
        assert_eq!(v.len(), 2000);
        assert_eq!(v[0], Duration::ZERO);
        assert!((v[1].as_secs_f64() - 0.001).abs() < 1e-9);
        assert!((v[1999].as_secs_f64() - 1.999).abs() < 1e-9);
    }

    #[test]
    fn ramp_matches_integral() {
        // 0 -> 100 rps over 10 s: 500 arrivals, half of them in the last 2.93 s.
        let p = RateProfile::ramping(
            rate(0.0),
            vec![Stage {
                duration: Duration::from_secs(10),
                rate: rate(100.0),
            }],
        );
        let v: Vec<_> = p.arrivals(Arrival::Uniform, 1).collect();
        assert_eq!(v.len(), 500);
        // Λ(t) = 5 t²  ⇒ the 250th arrival is at sqrt(50) s.
        assert!((v[250].as_secs_f64() - 50f64.sqrt()).abs() < 1e-6);
        assert!(v.windows(2).all(|w| w[0] <= w[1]));
    }

    #[test]
    fn stages_chain_and_zero_rate_stage_is_silent() {
        let p = RateProfile::ramping(
            rate(10.0),
            vec![
                Stage {
                    duration: Duration::from_secs(1),
                    rate: rate(10.0),
                },
                Stage {
                    duration: Duration::from_secs(1),
                    rate: rate(0.0),
                },
                Stage {
                    duration: Duration::from_secs(1),
                    rate: rate(0.0),
                },
                Stage {
                    duration: Duration::from_secs(1),
                    rate: rate(20.0),
                },
            ],
        );
        let v: Vec<_> = p.arrivals(Arrival::Uniform, 1).collect();
        assert!(
            (v.len() as f64 - p.expected_arrivals()).abs() <= 1.0,
            "{}",
            v.len()
        );
        assert!(v
            .iter()
            .all(|t| *t < Duration::from_secs(2) || *t >= Duration::from_secs(3)));
    }

    #[test]
    fn poisson_has_right_mean_and_is_reproducible() {
        let p = RateProfile::constant(rate(1000.0), Duration::from_secs(20));
        let a: Vec<_> = p.arrivals(Arrival::Poisson, 7).collect();
        let b: Vec<_> = p.arrivals(Arrival::Poisson, 7).collect();
        assert_eq!(a, b);
        let n = a.len() as f64;
        assert!((n - 20_000.0).abs() < 4.0 * 20_000f64.sqrt(), "{n}");
        // Exponential gaps: coefficient of variation ≈ 1.
        let gaps: Vec<f64> = a.windows(2).map(|w| (w[1] - w[0]).as_secs_f64()).collect();
        let mean = gaps.iter().sum::<f64>() / gaps.len() as f64;
        let var = gaps.iter().map(|g| (g - mean).powi(2)).sum::<f64>() / gaps.len() as f64;
        assert!((var.sqrt() / mean - 1.0).abs() < 0.05);
    }

    #[test]
    fn shards_partition_the_schedule() {
        let p = RateProfile::constant(rate(100.0), Duration::from_secs(3));
        let all: Vec<_> = p.arrivals(Arrival::Poisson, 3).collect();
        let mut union: Vec<_> = (0..4)
            .flat_map(|i| p.arrivals(Arrival::Poisson, 3).shard(i, 4))
            .collect();
        union.sort();
        assert_eq!(union, all);
    }

    #[test]
    fn limit_after_keeps_warmup_and_counts_the_rest() {
        let p = RateProfile::constant(rate(100.0), Duration::from_secs(10))
            .with_prefix(Duration::from_secs(1));
        let v: Vec<_> = p
            .arrivals(Arrival::Uniform, 1)
            .limit_after(Duration::from_secs(1), 50)
            .collect();
        assert_eq!(v.len(), 150);
    }

    #[test]
    fn rate_rejects_nonsense() {
        assert!(Rate::new(-1.0).is_none());
        assert!(Rate::new(f64::NAN).is_none());
        assert!(Rate::try_from(f64::INFINITY).is_err());
    }
}
