//! The words of the reasons bench-core's comparison tests find as data (`stats/verdict_tests.rs`),
//! and of a stored step load's reasons: the sentences are the ones the library wrote before it
//! returned data.

use std::path::Path;

use bench_core::result::RunResult;
use bench_core::stats::{compare, Distribution, Method, Metric, Quantile, Settings, Trial};

use super::*;

type TestResult = Result<(), Box<dyn std::error::Error>>;

const P99: Metric = Metric::Quantile(Quantile::P99);

fn flats(values: &[f64]) -> Result<Vec<Trial>, Box<dyn std::error::Error>> {
    values
        .iter()
        .map(|&v| {
            let mut t = Trial::from_distribution(Distribution::from_weighted(&[(v, 1000)])?);
            t.rps = v;
            Ok(t)
        })
        .collect()
}

fn words(
    b: &[Trial],
    c: &[Trial],
    m: Metric,
    s: &Settings,
) -> Result<String, Box<dyn std::error::Error>> {
    Ok(comparison(&compare(b, c, m, s)?).unwrap_or_default())
}

#[test]
fn inconclusive_reasons_in_words() -> TestResult {
    let s = Settings::default();
    let r = words(&flats(&[1.0, 2.0])?, &flats(&[1.0, 2.0, 3.0])?, P99, &s)?;
    assert_eq!(r, "baseline has 2 trials, at least 3 needed");
    let p999 = Metric::Quantile(Quantile::P999);
    let r = words(&flats(&[1.0; 3])?, &flats(&[1.0; 3])?, p999, &s)?;
    assert_eq!(
        r,
        "baseline trial 1 has 1000 samples; p99.9 needs at least 10000 per trial (10 beyond the \
         quantile); candidate trial 1 has 1000 samples; p99.9 needs at least 10000 per trial \
         (10 beyond the quantile)"
    );
    let mut empty = flats(&[1.0; 3])?;
    empty[1] = Trial::default();
    let r = words(&empty, &flats(&[1.0; 3])?, Metric::Mean, &s)?;
    assert_eq!(r, "baseline trial 2 has no samples");
    let paired = Settings {
        method: Method::Paired,
        ..s
    };
    let r = words(&flats(&[1.0; 3])?, &flats(&[1.0; 4])?, P99, &paired)?;
    assert_eq!(
        r,
        "paired method needs as many baseline as candidate trials (3 vs 4)"
    );
    let r = words(&flats(&[0.0, 1.0, 1.0])?, &flats(&[1.0; 3])?, P99, &s)?;
    assert_eq!(r, "a per-trial p99 value is not positive: ratio undefined");
    let zeros = flats(&[0.0; 3])?;
    let r = words(&zeros, &zeros, P99, &s)?;
    assert_eq!(
        r,
        "identical per-trial p99 values (not all positive, so no ratio interval)"
    );
    Ok(())
}

#[test]
fn decisions_in_words() -> TestResult {
    let s = Settings::default();
    let base = [1000.0, 1100.0, 950.0, 1200.0, 1050.0, 990.0];
    let cand = [1080.0, 1210.0, 1010.0, 1330.0, 1120.0, 1085.0];
    let c = worded(compare(&flats(&base)?, &flats(&cand)?, P99, &s)?);
    let r = c.reason.as_deref().unwrap_or_default();
    let needed = c
        .trials_needed
        .ok_or("an undecided comparison says what would decide")?;
    assert_eq!(
        r,
        format!(
            "p99 +8.6% [-3.5%, +22.1%]: within +10.0% not shown: the 95% interval reaches beyond \
             it; about {needed} trials per side would decide"
        )
    );
    let slower: Vec<f64> = base.iter().map(|v| v * 1.5).collect();
    let r = words(&flats(&base)?, &flats(&slower)?, P99, &s)?;
    assert!(
        r.starts_with("p99 +50.0% [")
            && r.ends_with("]: regression beyond +10.0%; the 95% interval excludes no change"),
        "{r}"
    );
    let strict = Settings {
        rule: bench_core::stats::Rule::Strict,
        ..s
    };
    let r = words(&flats(&base)?, &flats(&slower)?, P99, &strict)?;
    assert!(
        r.ends_with(": the whole 95% interval is beyond +10.0%"),
        "{r}"
    );
    let more: Vec<f64> = cand.iter().map(|v| v * 1.03).collect();
    let r = words(&flats(&base)?, &flats(&more)?, P99, &s)?;
    assert!(
        r.contains(": beyond +10.0%, but the 95% interval includes no change: more trials needed"),
        "{r}"
    );
    // Lower is worse for throughput: the limit is shown as the drop.
    let r = words(&flats(&slower)?, &flats(&base)?, Metric::Throughput, &s)?;
    assert!(
        r.starts_with("throughput -33.3% [") && r.contains("beyond -10.0%"),
        "{r}"
    );
    Ok(())
}

/// A step load written by the previous version (its reasons worded by the library) is worded
/// the same from its numbers.
#[test]
fn step_reasons_read_as_before() -> TestResult {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/schema-v2/steps.json");
    let run = RunResult::read(&fixture)?;
    let stored = run.saturation().ok_or("a steps run")?.clone();
    let mut sat = stored.clone();
    for step in &mut sat.analysis.steps {
        step.reasons.clear();
    }
    word_steps(&mut sat);
    assert_eq!(sat.analysis.steps, stored.analysis.steps);
    assert_eq!(
        sat.analysis.steps.last().map(|s| s.reasons.clone()),
        Some(vec![
            "goodput 245.6 req/s is below 95% of the 300.0 req/s offered".to_owned()
        ])
    );
    // An SLO breached at a step that keeps up.
    let first = &mut sat.analysis.steps[0];
    first.slo[0].passed = false;
    word_steps(&mut sat);
    let first = &sat.analysis.steps[0];
    assert_eq!(
        first.reasons,
        [format!(
            "{} breached (actual {})",
            first.slo[0].slo, first.slo[0].actual
        )]
    );
    Ok(())
}
