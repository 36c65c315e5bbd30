//! Noise knobs that make the demo target behave like a service on a shared CI runner:
//! lognormal per-request jitter, a slow drift of the whole latency level (a noisy neighbour),
//! occasional pauses (GC-like), and a plain slowdown factor to inject a known regression.
//!
//! The drift and the pauses follow the wall clock of the *process* (one epoch for every server
//! in it), as a neighbour on the machine would: two targets started by one `tailguard calibrate`
//! drift together, and interleaved trials see the same weather.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use rand::Rng;

use crate::error::ConfigError;

/// The noise knobs; the default is no noise and no slowdown.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Noise {
    /// Every wait is multiplied by `exp(σ·Z)`, Z standard normal, drawn per request.
    pub request_sigma: f64,
    /// The latency level is multiplied by `exp(σ·Z_k)` in period `k` of
    /// [`drift_period`](Self::drift_period) (Z_k standard normal, fixed by `seed` and `k`).
    pub drift_sigma: f64,
    /// How long one drift level lasts (zero: no drift).
    pub drift_period: Duration,
    /// Mean spacing of pauses: one pause at a random offset in every such slot (zero: none).
    pub pause_every: Duration,
    /// Pause length: a response due within a pause is held until its end.
    pub pause_for: Duration,
    /// Every wait is multiplied by this (1 = as configured): a known, injected regression.
    pub scale: f64,
    /// Seed of the drift levels and pause offsets.
    pub seed: u64,
}

impl Default for Noise {
    fn default() -> Self {
        Self {
            request_sigma: 0.0,
            drift_sigma: 0.0,
            drift_period: Duration::ZERO,
            pause_every: Duration::ZERO,
            pause_for: Duration::ZERO,
            scale: 1.0,
            seed: 0,
        }
    }
}

/// The process-wide epoch of the drift and pause clocks.
fn epoch() -> Instant {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    *EPOCH.get_or_init(Instant::now)
}

/// SplitMix64: a well-mixed 64-bit hash of `x`.
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// Uniform on (0, 1) from a hash.
fn unit(h: u64) -> f64 {
    ((h >> 11) as f64 + 0.5) / (1u64 << 53) as f64
}

/// Standard normal (Box–Muller) from two uniforms in (0, 1).
fn normal(u1: f64, u2: f64) -> f64 {
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

impl Noise {
    /// Checks the knobs: sigmas in `0..=2`, a positive finite scale, pauses shorter than
    /// their spacing.
    pub(crate) fn validate(&self) -> Result<(), ConfigError> {
        for (name, s) in [
            ("request_sigma", self.request_sigma),
            ("drift_sigma", self.drift_sigma),
        ] {
            if !(0.0..=2.0).contains(&s) {
                return Err(ConfigError::OutOfRange {
                    name: format!("noise.{name}"),
                    range: "0..=2",
                    got: s.to_string(),
                });
            }
        }
        if !(self.scale > 0.0 && self.scale.is_finite() && self.scale <= 1000.0) {
            return Err(ConfigError::NoiseScale(self.scale));
        }
        if !self.pause_every.is_zero() && self.pause_for >= self.pause_every {
            return Err(ConfigError::PauseTooLong);
        }
        Ok(())
    }

    /// The drift level at `at` (1 without drift).
    #[must_use]
    pub fn level(&self, at: Instant) -> f64 {
        if self.drift_sigma == 0.0 || self.drift_period.is_zero() {
            return 1.0;
        }
        let k = (at.saturating_duration_since(epoch()).as_secs_f64()
            / self.drift_period.as_secs_f64()) as u64;
        let h = mix(self.seed ^ mix(k));
        (self.drift_sigma * normal(unit(h), unit(mix(h)))).exp()
    }

    /// `wait` with the per-request jitter, the drift at `arrival` and the scale applied.
    pub(crate) fn apply<R: Rng + ?Sized>(
        &self,
        wait: Duration,
        rng: &mut R,
        arrival: Instant,
    ) -> Duration {
        let mut factor = self.scale * self.level(arrival);
        if self.request_sigma > 0.0 {
            let z = normal(1.0 - rng.random::<f64>(), rng.random::<f64>());
            factor *= (self.request_sigma * z).exp();
        }
        if factor == 1.0 {
            return wait;
        }
        Duration::try_from_secs_f64(wait.as_secs_f64() * factor).unwrap_or(wait)
    }

    /// `done`, moved to the end of a pause when it falls within one.
    #[must_use]
    pub fn after_pauses(&self, done: Instant) -> Instant {
        if self.pause_every.is_zero() || self.pause_for.is_zero() {
            return done;
        }
        let every = self.pause_every.as_secs_f64();
        let t = done.saturating_duration_since(epoch()).as_secs_f64();
        let slot = (t / every).floor();
        let offset = unit(mix(self.seed.rotate_left(17) ^ mix(slot as u64)))
            * (every - self.pause_for.as_secs_f64());
        let start = slot * every + offset;
        let end = start + self.pause_for.as_secs_f64();
        if (start..end).contains(&t) {
            epoch() + Duration::from_secs_f64(end)
        } else {
            done
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::SmallRng;
    use rand::SeedableRng;

    #[test]
    fn off_by_default() {
        let n = Noise::default();
        let mut rng = SmallRng::seed_from_u64(1);
        let now = Instant::now();
        let wait = Duration::from_millis(3);
        assert_eq!(n.apply(wait, &mut rng, now), wait);
        assert_eq!(n.after_pauses(now), now);
        assert!(n.validate().is_ok());
    }

    #[test]
    fn jitter_is_lognormal_and_scale_multiplies() {
        let n = Noise {
            request_sigma: 0.3,
            scale: 1.2,
            ..Noise::default()
        };
        let mut rng = SmallRng::seed_from_u64(2);
        let now = Instant::now();
        let logs: Vec<f64> = (0..20_000)
            .map(|_| {
                n.apply(Duration::from_millis(10), &mut rng, now)
                    .as_secs_f64()
                    / 0.010
            })
            .map(f64::ln)
            .collect();
        let mean = logs.iter().sum::<f64>() / logs.len() as f64;
        let sd = (logs.iter().map(|l| (l - mean).powi(2)).sum::<f64>() / logs.len() as f64).sqrt();
        assert!((mean - 1.2_f64.ln()).abs() < 0.01, "{mean}");
        assert!((sd - 0.3).abs() < 0.01, "{sd}");
    }

    #[test]
    fn drift_is_constant_within_a_period_and_varies_between() {
        let n = Noise {
            drift_sigma: 0.1,
            drift_period: Duration::from_secs(1),
            seed: 7,
            ..Noise::default()
        };
        let t0 = epoch() + Duration::from_millis(10_100);
        assert_eq!(n.level(t0), n.level(t0 + Duration::from_millis(800)));
        let levels: Vec<f64> = (0..400)
            .map(|k| n.level(epoch() + Duration::from_secs(k)).ln())
            .collect();
        let mean = levels.iter().sum::<f64>() / 400.0;
        let sd = (levels.iter().map(|l| (l - mean).powi(2)).sum::<f64>() / 400.0).sqrt();
        assert!((sd - 0.1).abs() < 0.015, "{sd}");
    }

    #[test]
    fn pauses_hold_responses_until_their_end() {
        let n = Noise {
            pause_every: Duration::from_millis(100),
            pause_for: Duration::from_millis(10),
            seed: 3,
            ..Noise::default()
        };
        // Over 10 s, about 10 % of instants fall in a pause, and each is moved to its end.
        let mut held = 0;
        for ms in 0..10_000u64 {
            let t = epoch() + Duration::from_millis(ms);
            let after = n.after_pauses(t);
            assert!(after >= t && after - t <= Duration::from_millis(10));
            held += u32::from(after > t);
        }
        assert!((900..=1100).contains(&held), "{held}");
        assert!(Noise {
            pause_for: Duration::from_millis(200),
            ..n
        }
        .validate()
        .is_err());
    }
}
