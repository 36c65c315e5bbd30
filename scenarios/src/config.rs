//! The knobs of the demo service and the pure latency model behind them.

use std::time::{Duration, Instant};

use rand::Rng;

pub use crate::error::{ConfigError, DemoError};

/// Upper bound accepted by [`DemoConfig::validate`] for every duration knob.
const MAX_KNOB: Duration = Duration::from_secs(24 * 60 * 60);

/// Upper bound accepted by [`DemoConfig::validate`] for [`DemoConfig::threads`].
const MAX_THREADS: usize = 512;

/// The knobs of the demo service. The default is everything zero/off: the
/// server answers every request immediately with `200`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DemoConfig {
    /// Fixed delay added to every response.
    pub delay: Duration,
    /// Extra uniform random delay in `[0, jitter)`.
    pub jitter: Duration,
    /// Fraction of responses answered with HTTP 500 (`0.0..=1.0`).
    pub error_rate: f64,
    /// Fraction of requests that get [`tail_delay`](Self::tail_delay) added
    /// (`0.0..=1.0`); shifts only the tail of the latency distribution.
    pub tail_fraction: f64,
    /// Delay added to the [`tail_fraction`](Self::tail_fraction) of requests.
    pub tail_delay: Duration,
    /// Stall start `T`, measured from the arrival of the first request the
    /// server receives (`/health` excluded). `None` disables the stall.
    pub stall_at: Option<Duration>,
    /// Stall length `S`: any response that would complete within `[T, T+S)`
    /// is held until `T+S`.
    pub stall_for: Duration,
    /// RNG seed for reproducibility (`None` = seeded from the OS). Each
    /// connection gets its own generator seeded from this seed and the
    /// connection's index.
    pub seed: Option<u64>,
    /// Tokio worker threads for [`DemoServer::spawn`](crate::DemoServer::spawn)
    /// (`0` = 1 thread).
    pub threads: usize,
    /// Serve `/db` through a bounded connection pool (see [`crate::PoolConfig`]).
    pub pool: Option<crate::PoolConfig>,
    /// Serve only gRPC reflection `v1alpha`, as older servers do (default: v1 and v1alpha).
    pub legacy_reflection_only: bool,
    /// Shared-runner noise: per-request jitter, drift, pauses, an injected slowdown
    /// ([`crate::Noise`]; off by default).
    pub noise: crate::Noise,
}

impl DemoConfig {
    /// Checks that the knobs are within range: rates in `0.0..=1.0`, every
    /// duration at most 24 h, `stall_for` only together with `stall_at`, and
    /// at most 512 threads.
    pub fn validate(&self) -> Result<(), DemoError> {
        Ok(self.check()?)
    }

    fn check(&self) -> Result<(), ConfigError> {
        for (name, rate) in [
            ("error_rate", self.error_rate),
            ("tail_fraction", self.tail_fraction),
        ] {
            if !(0.0..=1.0).contains(&rate) {
                return Err(ConfigError::OutOfRange {
                    name: name.to_owned(),
                    range: "0.0..=1.0",
                    got: rate.to_string(),
                });
            }
        }
        for (name, d) in [
            ("delay", Some(self.delay)),
            ("jitter", Some(self.jitter)),
            ("tail_delay", Some(self.tail_delay)),
            ("stall_at", self.stall_at),
            ("stall_for", Some(self.stall_for)),
        ] {
            if let Some(d) = d {
                if d > MAX_KNOB {
                    return Err(ConfigError::TooLarge {
                        name: name.to_owned(),
                        max: "24h".to_owned(),
                        got: format!("{d:?}"),
                    });
                }
            }
        }
        if self.stall_at.is_none() && !self.stall_for.is_zero() {
            return Err(ConfigError::StallWithoutStart);
        }
        if let Some(pool) = &self.pool {
            pool.validate()?;
        }
        self.noise.validate()?;
        if self.threads > MAX_THREADS {
            return Err(ConfigError::TooLarge {
                name: "threads".to_owned(),
                max: MAX_THREADS.to_string(),
                got: self.threads.to_string(),
            });
        }
        Ok(())
    }

    /// Returns a copy with the per-request overrides of a query string
    /// applied (`delay_ms`, `jitter_ms`, `tail_delay_ms`, `error_rate`,
    /// `tail_fraction`; other keys are ignored).
    pub(crate) fn with_query(&self, query: &str) -> Result<DemoConfig, ConfigError> {
        let mut cfg = self.clone();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let bad = |expected| ConfigError::Query {
                key: key.to_owned(),
                expected,
                value: value.to_owned(),
            };
            let millis = || {
                value
                    .parse::<u64>()
                    .map(Duration::from_millis)
                    .map_err(|_| bad("whole milliseconds"))
            };
            let rate = || value.parse::<f64>().map_err(|_| bad("a number"));
            match key {
                "delay_ms" => cfg.delay = millis()?,
                "jitter_ms" => cfg.jitter = millis()?,
                "tail_delay_ms" => cfg.tail_delay = millis()?,
                "error_rate" => cfg.error_rate = rate()?,
                "tail_fraction" => cfg.tail_fraction = rate()?,
                _ => {}
            }
        }
        cfg.check()?;
        Ok(cfg)
    }
}

/// When a request arriving at `arrival` completes under `cfg`, given the
/// arrival of the first request the server received (the stall clock).
///
/// `arrival + delay + uniform[0, jitter) + (tail_delay with probability
/// tail_fraction)` (multiplied by the [`crate::Noise`] factors, then held past a noise
/// pause), then moved to `T + S` if it falls within the stall window
/// `[first_arrival + stall_at, first_arrival + stall_at + stall_for)`.
/// Pure apart from the draws from `rng`; `cfg` is expected to be valid (see
/// [`DemoConfig::validate`]).
pub fn completion_time<R: Rng + ?Sized>(
    cfg: &DemoConfig,
    rng: &mut R,
    arrival: Instant,
    first_arrival: Instant,
) -> Instant {
    let mut wait = cfg.delay;
    if !cfg.jitter.is_zero() {
        let max = u64::try_from(cfg.jitter.as_nanos()).unwrap_or(u64::MAX);
        wait = wait.saturating_add(Duration::from_nanos(rng.random_range(0..max)));
    }
    if cfg.tail_fraction > 0.0 && rng.random::<f64>() < cfg.tail_fraction {
        wait = wait.saturating_add(cfg.tail_delay);
    }
    let wait = cfg.noise.apply(wait, rng, arrival);
    let done = cfg
        .noise
        .after_pauses(arrival.checked_add(wait).unwrap_or(arrival));
    if let Some(at) = cfg.stall_at {
        if let Some(start) = first_arrival.checked_add(at) {
            if let Some(end) = start.checked_add(cfg.stall_for) {
                if start <= done && done < end {
                    return end;
                }
            }
        }
    }
    done
}

/// Whether a response is turned into an injected 500 under `cfg`.
pub(crate) fn inject_error<R: Rng + ?Sized>(cfg: &DemoConfig, rng: &mut R) -> bool {
    cfg.error_rate > 0.0 && rng.random::<f64>() < cfg.error_rate
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::SmallRng;
    use rand::SeedableRng;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn default_is_off_and_valid() {
        let cfg = DemoConfig::default();
        cfg.validate().unwrap();
        let mut rng = SmallRng::seed_from_u64(1);
        let t = Instant::now();
        assert_eq!(completion_time(&cfg, &mut rng, t, t), t);
        assert!(!inject_error(&cfg, &mut rng));
    }

    #[test]
    fn validate_rejects_out_of_range() {
        let bad = [
            DemoConfig {
                error_rate: 1.5,
                ..DemoConfig::default()
            },
            DemoConfig {
                tail_fraction: -0.1,
                ..DemoConfig::default()
            },
            DemoConfig {
                error_rate: f64::NAN,
                ..DemoConfig::default()
            },
            DemoConfig {
                stall_for: ms(10),
                ..DemoConfig::default()
            },
            DemoConfig {
                delay: Duration::from_secs(25 * 3600),
                ..DemoConfig::default()
            },
            DemoConfig {
                threads: 100_000,
                ..DemoConfig::default()
            },
        ];
        for cfg in bad {
            assert!(
                matches!(cfg.validate(), Err(DemoError::InvalidConfig(_))),
                "{cfg:?}"
            );
        }
    }

    #[test]
    fn delay_and_jitter_bounds() {
        let cfg = DemoConfig {
            delay: ms(10),
            jitter: ms(5),
            ..DemoConfig::default()
        };
        let mut rng = SmallRng::seed_from_u64(2);
        let t = Instant::now();
        let mut max_seen = Duration::ZERO;
        for _ in 0..10_000 {
            let d = completion_time(&cfg, &mut rng, t, t) - t;
            assert!(d >= ms(10) && d < ms(15), "{d:?}");
            max_seen = max_seen.max(d);
        }
        assert!(
            max_seen > ms(14),
            "jitter never reached the top: {max_seen:?}"
        );
    }

    #[test]
    fn tail_fraction_is_respected_statistically() {
        let cfg = DemoConfig {
            delay: ms(1),
            tail_fraction: 0.05,
            tail_delay: ms(100),
            ..DemoConfig::default()
        };
        let mut rng = SmallRng::seed_from_u64(3);
        let t = Instant::now();
        let n = 200_000;
        let mut tail = 0u32;
        for _ in 0..n {
            let d = completion_time(&cfg, &mut rng, t, t) - t;
            if d == ms(101) {
                tail += 1;
            } else {
                assert_eq!(d, ms(1));
            }
        }
        let frac = f64::from(tail) / f64::from(n);
        // sd = sqrt(0.05 * 0.95 / 200k) ~ 0.0005; allow ~8 sd.
        assert!((frac - 0.05).abs() < 0.004, "tail fraction {frac}");

        let all = DemoConfig {
            tail_fraction: 1.0,
            ..cfg
        };
        assert_eq!(completion_time(&all, &mut rng, t, t) - t, ms(101));
    }

    #[test]
    fn error_rate_is_respected_statistically() {
        let cfg = DemoConfig {
            error_rate: 0.2,
            ..DemoConfig::default()
        };
        let mut rng = SmallRng::seed_from_u64(4);
        let errors = (0..100_000)
            .filter(|_| inject_error(&cfg, &mut rng))
            .count();
        assert!((errors as f64 / 100_000.0 - 0.2).abs() < 0.01, "{errors}");
        let always = DemoConfig {
            error_rate: 1.0,
            ..DemoConfig::default()
        };
        assert!((0..1000).all(|_| inject_error(&always, &mut rng)));
    }

    #[test]
    fn stall_holds_completions_inside_the_window() {
        let cfg = DemoConfig {
            delay: ms(10),
            stall_at: Some(ms(200)),
            stall_for: ms(500),
            ..DemoConfig::default()
        };
        let mut rng = SmallRng::seed_from_u64(5);
        let first = Instant::now();
        let at = |offset: u64| first + ms(offset);
        let mut done = |arrival| completion_time(&cfg, &mut rng, arrival, first);
        assert_eq!(done(at(0)), at(10)); // before the window
        assert_eq!(done(at(189)), at(199)); // just before
        assert_eq!(done(at(190)), at(700)); // completes exactly at T
        assert_eq!(done(at(300)), at(700)); // inside
        assert_eq!(done(at(689)), at(700)); // last instant inside
        assert_eq!(done(at(690)), at(700)); // exactly T+S: unchanged
        assert_eq!(done(at(800)), at(810)); // after
    }

    #[test]
    fn query_overrides() {
        let base = DemoConfig {
            delay: ms(20),
            error_rate: 0.5,
            ..DemoConfig::default()
        };
        let cfg = base
            .with_query(
                "delay_ms=5&error_rate=0&other=x&jitter_ms=3&tail_delay_ms=9&tail_fraction=0.25",
            )
            .unwrap();
        assert_eq!(cfg.delay, ms(5));
        assert_eq!(cfg.jitter, ms(3));
        assert_eq!(cfg.tail_delay, ms(9));
        assert_eq!(cfg.error_rate, 0.0);
        assert_eq!(cfg.tail_fraction, 0.25);
        assert_eq!(base.with_query("").unwrap(), base);
        assert!(base.with_query("delay_ms=abc").is_err());
        assert!(base.with_query("error_rate=2").is_err());
    }
}
