//! Unit tests of `verdict.rs`: why a comparison is inconclusive, settings validation and the
//! JSON form of a comparison (the decision and the methods are in `verdict_tests.rs`).

use super::*;

#[test]
fn inconclusive_reasons() -> TestResult {
    let s = Settings::default();
    let reasons =
        |b: &[Trial], c: &[Trial], m: Metric, s: &Settings| -> Result<Vec<Reason>, StatsError> {
            let c = compare(b, c, m, s)?;
            assert_eq!(c.verdict, Verdict::Inconclusive, "{c:?}");
            assert_eq!(c.reason, None, "the runner words the reasons");
            Ok(c.reasons)
        };
    let r = reasons(&flats(&[1.0, 2.0])?, &flats(&[1.0, 2.0, 3.0])?, P99, &s)?;
    assert_eq!(
        r,
        [Reason::TooFewTrials {
            side: Side::Baseline,
            trials: 2,
            min: 3
        }]
    );
    let r = reasons(
        &flats(&[1.0; 3])?,
        &flats(&[1.0; 3])?,
        Metric::Quantile(Quantile::P999),
        &s,
    )?;
    let tail = |side| Reason::TooFewTailSamples {
        side,
        trial: 1,
        samples: 1000,
        needed: 10_000,
        beyond: 10,
    };
    assert_eq!(r, [tail(Side::Baseline), tail(Side::Candidate)]);
    let mut empty = flats(&[1.0; 3])?;
    empty[1] = Trial::default();
    let r = reasons(&empty, &flats(&[1.0; 3])?, Metric::Mean, &s)?;
    assert_eq!(
        r,
        [Reason::UnusableTrial {
            side: Side::Baseline,
            trial: 2,
            why: Unusable::NoSamples
        }]
    );
    let paired = Settings {
        method: Method::Paired,
        ..s
    };
    let r = reasons(&flats(&[1.0; 3])?, &flats(&[1.0; 4])?, P99, &paired)?;
    assert_eq!(
        r,
        [Reason::UnequalPairs {
            baseline: 3,
            candidate: 4
        }]
    );
    let r = reasons(&flats(&[0.0, 1.0, 1.0])?, &flats(&[1.0; 3])?, P99, &s)?;
    assert_eq!(r, [Reason::NotPositive]);
    // Identical non-positive values still pass, with the caveat.
    let zeros = flats(&[0.0; 3])?;
    let c = compare(&zeros, &zeros, P99, &s)?;
    assert_eq!((c.verdict, c.change), (Verdict::Pass, Some(0.0)));
    assert_eq!(c.reasons, [Reason::IdenticalNotPositive]);
    Ok(())
}

#[test]
fn settings_validation_and_serde() -> TestResult {
    let bad = [
        Settings {
            threshold: 0.0,
            ..Settings::default()
        },
        Settings {
            confidence: 1.0,
            ..Settings::default()
        },
        Settings {
            min_trials: 1,
            ..Settings::default()
        },
        Settings {
            method: Method::Bootstrap {
                resamples: 10,
                seed: 1,
            },
            ..Settings::default()
        },
    ];
    for s in bad {
        assert!(matches!(
            compare(&[], &[], P99, &s),
            Err(StatsError::InvalidSettings(_))
        ));
    }
    let s: Settings = serde_json::from_str(r#"{"rule":"strict","method":"paired"}"#)?;
    assert_eq!(
        (s.rule, s.method, s.threshold),
        (Rule::Strict, Method::Paired, 0.10)
    );
    let json = serde_json::to_string(&Method::BOOTSTRAP)?;
    assert_eq!(
        json,
        r#"{"bootstrap":{"resamples":2000,"seed":2047961677}}"#
    );
    Ok(())
}

#[test]
fn comparison_round_trips_through_json() -> TestResult {
    let c = compare(&flats(&PB)?, &flats(&PC)?, P99, &Settings::default())?;
    let json = serde_json::to_string(&c)?;
    assert!(json.contains(r#""verdict":"inconclusive""#), "{json}");
    assert!(json.contains(r#""trials_needed":"#), "{json}");
    assert!(json.contains(r#""metric":{"quantile":0.99}"#), "{json}");
    let back: Comparison = serde_json::from_str(&json)?;
    // serde_json (without `float_roundtrip`) may parse floats 1 ulp off.
    assert_eq!(back.trials_needed, c.trials_needed);
    assert_eq!(
        (back.verdict, &back.reasons, back.method),
        (c.verdict, &c.reasons, c.method)
    );
    assert!(
        json.contains(
            r#""reasons":[{"kind":"decided","rule":"default","outcome":"within_not_shown""#
        ),
        "{json}"
    );
    assert!(
        close(back.candidate, 1_134.588_342_171_409_7) && close(back.ci_low, -0.034_975_223_148_4)
    );
    let inc = compare(&flats(&[1.0])?, &flats(&[1.0])?, P99, &Settings::default())?;
    let json = serde_json::to_string(&inc)?;
    assert!(json.contains(r#""verdict":"inconclusive""#) && json.contains(r#""ci_low":null"#));
    // A verdict written before the power fields existed still reads.
    let old = json.replace(r#""verdict":"inconclusive""#, r#""verdict":"pass""#);
    let back: Comparison = serde_json::from_str(&old)?;
    assert_eq!(
        (back.verdict, back.noise, back.mde),
        (Verdict::Pass, None, None)
    );
    // ... and one written before the reasons were data: its words are its reason.
    let worded = r#"{"metric":"mean","verdict":"inconclusive","reason":"baseline has 1 trials, at least 3 needed","baseline":null,"candidate":null,"change":null,"ci_low":null,"ci_high":null,"threshold":0.1,"confidence":0.95,"method":"welch","baseline_trials":1,"candidate_trials":1}"#;
    let back: Comparison = serde_json::from_str(worded)?;
    assert!(back.reasons.is_empty());
    assert_eq!(
        back.reason.as_deref(),
        Some("baseline has 1 trials, at least 3 needed")
    );
    Ok(())
}
