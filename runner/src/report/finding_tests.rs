//! The sentences of the findings bench-core's analysis tests find (`saturation/tests.rs`), from
//! the same numbers.

use super::*;

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn failure(label: &str, share: f64, from_level: f64) -> Result<FailureShare, serde_json::Error> {
    serde_json::from_value(serde_json::json!({
        "label": label, "count": 1, "share": share, "from_level": from_level
    }))
}

fn sustained(level: f64, slos: &[&str]) -> Sustained {
    Sustained {
        dimension: Dimension::Rate,
        level,
        goodput_rps: level * 0.995,
        p99_us: 24_015,
        latency_slos: slos.iter().map(|s| (*s).to_owned()).collect(),
    }
}

fn breach(level: f64, p99_us: u64, queueing: bool) -> Breach {
    Breach {
        dimension: Dimension::Rate,
        level,
        p99_us,
        queueing,
        short_goodput_rps: None,
        failing: None,
        failures: Vec::new(),
        later: None,
    }
}

#[test]
fn an_exhausted_pool_queues_falls_short_and_fails() -> TestResult {
    let f = Finding::Breached {
        sustained: Some(sustained(250.0, &["p99 < 200ms"])),
        breach: Breach {
            short_goodput_rps: Some(249.24),
            failing: Some(0.07),
            failures: vec![
                failure("503", 0.07, 270.0)?,
                failure("timeout", 0.0, 290.0)?,
            ],
            ..breach(270.0, 110_015, true)
        },
    };
    assert_eq!(
        sentence(&f),
        "sustains 250 req/s with p99 < 200ms; at 270 req/s requests queue (p99 110.02ms), \
         only 249 req/s succeed and 7.0% fail with 503 (7.0%)"
    );
    let f = Finding::Breached {
        sustained: Some(sustained(250.0, &["p99 < 200ms"])),
        breach: Breach {
            short_goodput_rps: Some(200.0),
            failing: Some(0.22),
            failures: vec![failure("503", 0.02, 270.0)?, failure("unsent", 0.2, 270.0)?],
            ..breach(270.0, 110_015, true)
        },
    };
    assert!(
        sentence(&f).ends_with("22% fail with 503 (2.0%) and calls never sent (20%)"),
        "{}",
        sentence(&f)
    );
    Ok(())
}

#[test]
fn one_failure_is_named_without_its_share_and_later_ones_from_their_level() -> TestResult {
    let only = Finding::Breached {
        sustained: None,
        breach: Breach {
            failing: Some(0.065),
            failures: vec![failure("503", 0.065, 275.0)?],
            ..breach(275.0, 121_300, false)
        },
    };
    assert_eq!(
        sentence(&only),
        "does not sustain even the lowest level: at 275 req/s p99 is 121.30ms and 6.5% fail \
         with 503"
    );
    let later = Finding::Breached {
        sustained: Some(sustained(250.0, &["p99 < 200ms"])),
        breach: Breach {
            short_goodput_rps: Some(240.0),
            later: Some(failure("503", 0.0, 290.0)?),
            ..breach(270.0, 90_047, true)
        },
    };
    assert_eq!(
        sentence(&later),
        "sustains 250 req/s with p99 < 200ms; at 270 req/s requests queue (p99 90.05ms) and only \
         240 req/s succeed; from 290 req/s calls fail with 503"
    );
    Ok(())
}

#[test]
fn latency_alone_all_healthy_workers_and_no_steps() {
    let slo = Finding::Breached {
        sustained: Some(sustained(230.0, &["p99 < 200ms"])),
        breach: breach(250.0, 240_127, false),
    };
    assert_eq!(
        sentence(&slo),
        "sustains 230 req/s with p99 < 200ms; at 250 req/s p99 is 240.13ms"
    );
    let all = Finding::AboveRange {
        highest: sustained(190.0, &[]),
    };
    assert_eq!(
        sentence(&all),
        "sustains 190 req/s (p99 24.02ms) at the highest level tested; the saturation point is \
         above the tested range"
    );
    let workers = Finding::Breached {
        sustained: Some(Sustained {
            dimension: Dimension::Workers,
            level: 4.0,
            goodput_rps: 197.0,
            p99_us: 22_015,
            latency_slos: Vec::new(),
        }),
        breach: Breach {
            dimension: Dimension::Workers,
            short_goodput_rps: Some(195.0),
            ..breach(8.0, 43_007, true)
        },
    };
    assert_eq!(
        sentence(&workers),
        "sustains 197 req/s (4 workers) (p99 22.02ms); at 8 workers requests queue (p99 43.01ms) \
         and only 195 req/s succeed"
    );
    assert_eq!(sentence(&Finding::NoSteps), "no steps were run");
    assert_eq!(failure_words("reset"), "connection resets");
    assert_eq!(failure_words("RESOURCE_EXHAUSTED"), "RESOURCE_EXHAUSTED");
}
