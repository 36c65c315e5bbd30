//! The analysis on synthetic steps whose answers are known.
#![cfg(test)]

use super::*;
use crate::histogram::LatencyHistogram;
use crate::result::{ErrorSummary, Percentiles, Summary};
use crate::scenario::slo::SloError;

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// A step at `level` that completed `achieved` calls/s; 97 % of its calls took `body_ms` and 3 %
/// `tail_ms` (so p50 = body, p99 = tail); `failed` lists failing statuses with their counts.
fn step(
    level: f64,
    achieved: f64,
    body_ms: u64,
    tail_ms: u64,
    failed: &[(&str, u64)],
) -> StepResult {
    let requests = 1000;
    let mut latency = LatencyHistogram::new();
    for i in 0..requests {
        latency.record_us(if i % 100 < 97 { body_ms } else { tail_ms } * 1000);
    }
    let errors: u64 = failed.iter().map(|(_, n)| n).sum();
    let mut statuses = BTreeMap::new();
    statuses.insert("200".to_owned(), requests - errors);
    let mut errors_by_kind = BTreeMap::new();
    for (label, n) in failed {
        if label.parse::<u16>().is_ok() {
            statuses.insert((*label).to_owned(), *n);
            errors_by_kind
                .entry("status".to_owned())
                .or_insert(ErrorSummary::default())
                .count += n;
        } else {
            errors_by_kind.insert(
                (*label).to_owned(),
                ErrorSummary {
                    count: *n,
                    sample: None,
                },
            );
        }
    }
    StepResult {
        level,
        achieved_rps: achieved,
        summary: Summary {
            requests,
            errors,
            error_rate: errors as f64 / requests as f64,
            rps: achieved,
            latency_us: Percentiles::of(&latency),
            statuses,
            errors_by_kind,
            ..Summary::default()
        },
        latency,
    }
}

fn criteria(slos: &[&str]) -> Result<Criteria, SloError> {
    Ok(Criteria {
        slos: slos.iter().map(|s| s.parse()).collect::<Result<_, _>>()?,
        tolerance: 0.05,
    })
}

/// The finding of `steps` under `slos`, through the stored record.
fn finding(dimension: Dimension, steps: &[StepResult], slos: &[&str]) -> Result<Finding, SloError> {
    Ok(Saturation::new(dimension, steps.to_vec(), &criteria(slos)?, None, None).finding())
}

/// The breach of a finding that has one.
fn breach_of(f: Finding) -> Result<(Option<Sustained>, Breach), String> {
    match f {
        Finding::Breached { sustained, breach } => Ok((sustained, breach)),
        other => Err(format!("no breach: {other:?}")),
    }
}

fn label_list(f: &[FailureShare]) -> Vec<&str> {
    f.iter().map(|f| f.label.as_str()).collect()
}

/// A pool of capacity 250 req/s: fine up to 250, then queueing at the acquire timeout and 503s.
fn pool_steps() -> Vec<StepResult> {
    let mut v: Vec<StepResult> = [150.0, 170.0, 190.0, 210.0, 230.0, 250.0]
        .iter()
        .map(|&l| step(l, l * 0.995, 20, 24, &[]))
        .collect();
    v.push(step(270.0, 268.0, 95, 110, &[("503", 70)]));
    v.push(step(
        290.0,
        287.0,
        100,
        115,
        &[("503", 140), ("timeout", 10)],
    ));
    v
}

#[test]
fn finds_saturation_knee_and_signature_of_an_exhausted_pool() -> TestResult {
    let a = analyze(Dimension::Rate, &pool_steps(), &criteria(&["p99 < 200ms"])?);
    assert_eq!(a.saturation_level, Some(250.0));
    assert_eq!(a.capacity_rps, Some(250.0));
    assert_eq!(a.breach_level, Some(270.0));
    assert_eq!(a.knee_level, Some(270.0));
    assert!(!a.steps[6].keeps_up, "{:?}", a.steps[6]);
    assert!(
        a.steps[6].slo[0].passed,
        "p99 110 ms meets the SLO; the 503s break it"
    );
    assert_eq!(a.signature[0].label, "503");
    assert_eq!(a.signature[0].count, 210);
    assert!((a.signature[0].share - 0.07).abs() < 1e-9);
    assert_eq!(a.signature[0].from_level, 270.0);
    assert_eq!(a.signature[1].label, "timeout");
    assert_eq!(a.signature[1].from_level, 290.0);
    assert!(a.headline.is_empty(), "the runner words the finding");
    let (sustained, b) = breach_of(finding(Dimension::Rate, &pool_steps(), &["p99 < 200ms"])?)?;
    let sustained = sustained.ok_or("sustains 250")?;
    assert_eq!((sustained.level, sustained.p99_us), (250.0, 24_015));
    assert_eq!(sustained.latency_slos, ["p99 < 200ms"]);
    assert_eq!((b.level, b.p99_us, b.queueing), (270.0, 110_015, true));
    assert!(b
        .short_goodput_rps
        .is_some_and(|g| (g - 249.24).abs() < 1e-9));
    assert_eq!(b.failing, Some(0.07));
    assert_eq!(label_list(&b.failures), ["503", "timeout"]);
    assert_eq!(b.later, None, "the breach step fails itself");
    Ok(())
}

/// Beyond its capacity the pool answers some calls 503 and the rest queue, so many calls are
/// still unsent when each step's window closes: the finding leads with the 503s (how the target
/// fails), the unsent calls come after them.
#[test]
fn the_signature_leads_with_the_targets_failures_not_unsent_calls() -> TestResult {
    let mut steps = pool_steps();
    steps[6] = step(270.0, 200.0, 95, 110, &[("503", 20), ("unsent", 200)]);
    steps[7] = step(290.0, 200.0, 100, 115, &[("503", 30), ("unsent", 300)]);
    let a = analyze(Dimension::Rate, &steps, &criteria(&["p99 < 200ms"])?);
    let labels: Vec<&str> = a.signature.iter().map(|f| f.label.as_str()).collect();
    assert_eq!(labels, ["503", "unsent"]);
    assert_eq!(a.signature[1].count, 500);
    let (_, b) = breach_of(finding(Dimension::Rate, &steps, &["p99 < 200ms"])?)?;
    assert_eq!(b.failing, Some(0.22));
    assert_eq!(label_list(&b.failures), ["503", "unsent"]);
    assert!((b.failures[1].share - 0.2).abs() < 1e-9);
    Ok(())
}

#[test]
fn a_latency_slo_alone_can_end_the_sustained_range() -> TestResult {
    let mut steps = pool_steps();
    steps.truncate(6);
    steps[5] = step(250.0, 249.0, 20, 240, &[]);
    let a = analyze(Dimension::Rate, &steps, &criteria(&["p99 < 200ms"])?);
    assert_eq!(a.saturation_level, Some(230.0));
    assert_eq!(a.breach_level, Some(250.0));
    assert_eq!(a.knee_level, None, "the median never doubled");
    assert!(a.signature.is_empty());
    let breached: Vec<&str> = a.steps[5]
        .slo
        .iter()
        .filter(|c| !c.passed)
        .map(|c| c.slo.as_str())
        .collect();
    assert_eq!(breached, ["p99 < 200ms"], "{:?}", a.steps[5]);
    assert!(a.steps[5].keeps_up && !a.steps[5].healthy);
    assert!(a.steps[5].reasons.is_empty(), "the runner words them");
    let (sustained, b) = breach_of(finding(Dimension::Rate, &steps, &["p99 < 200ms"])?)?;
    assert_eq!(sustained.map(|s| s.level), Some(230.0));
    assert_eq!((b.level, b.p99_us, b.queueing), (250.0, 240_127, false));
    assert_eq!(
        (b.short_goodput_rps, b.failing, b.later),
        (None, None, None)
    );
    Ok(())
}

#[test]
fn failures_that_start_above_the_breach_are_in_the_finding() -> TestResult {
    let mut steps = pool_steps();
    steps[6] = step(270.0, 240.0, 60, 90, &[]);
    let a = analyze(Dimension::Rate, &steps, &criteria(&["p99 < 200ms"])?);
    assert_eq!(a.breach_level, Some(270.0));
    assert_eq!(a.signature[0].from_level, 290.0);
    let (_, b) = breach_of(finding(Dimension::Rate, &steps, &["p99 < 200ms"])?)?;
    assert!(b.queueing && b.short_goodput_rps.is_some() && b.failing.is_none());
    let later = b.later.ok_or("the 503s from 290 req/s")?;
    assert_eq!((later.label.as_str(), later.from_level), ("503", 290.0));
    Ok(())
}

#[test]
fn all_healthy_and_none_healthy_say_so() -> TestResult {
    let mut steps = pool_steps();
    steps.truncate(3);
    let a = analyze(Dimension::Rate, &steps, &criteria(&[])?);
    assert_eq!(a.saturation_level, Some(190.0));
    assert_eq!(a.breach_level, None);
    match finding(Dimension::Rate, &steps, &[])? {
        Finding::AboveRange { highest } => {
            assert_eq!((highest.level, highest.p99_us), (190.0, 24_015));
            assert!(highest.latency_slos.is_empty());
        }
        other => return Err(format!("not above the range: {other:?}").into()),
    }
    let a = analyze(Dimension::Rate, &pool_steps()[6..], &criteria(&[])?);
    assert_eq!(a.saturation_level, None);
    assert_eq!(a.capacity_rps, None);
    let (sustained, b) = breach_of(finding(Dimension::Rate, &pool_steps()[6..], &[])?)?;
    assert_eq!((sustained, b.level), (None, 270.0));
    assert_eq!(finding(Dimension::Rate, &[], &[])?, Finding::NoSteps);
    Ok(())
}

#[test]
fn closed_model_keeps_up_while_throughput_scales_with_workers() -> TestResult {
    // 20 ms per call: 50 req/s per worker until 4 workers; 8 workers only reach 195 req/s.
    let steps = vec![
        step(1.0, 50.0, 20, 21, &[]),
        step(2.0, 99.0, 20, 21, &[]),
        step(4.0, 197.0, 20, 22, &[]),
        step(8.0, 195.0, 41, 43, &[]),
    ];
    let a = analyze(Dimension::Workers, &steps, &criteria(&[])?);
    assert_eq!(a.saturation_level, Some(4.0));
    assert_eq!(a.capacity_rps, Some(197.0));
    assert_eq!(a.breach_level, Some(8.0));
    assert!((a.steps[3].expected_rps - 400.0).abs() < 1e-9);
    let (sustained, b) = breach_of(finding(Dimension::Workers, &steps, &[])?)?;
    let sustained = sustained.ok_or("sustains 4 workers")?;
    assert_eq!((sustained.level, sustained.goodput_rps), (4.0, 197.0));
    assert_eq!(
        (b.level, b.queueing, b.short_goodput_rps),
        (8.0, true, Some(195.0))
    );
    Ok(())
}

#[test]
fn requirement_holds_up_to_the_capacity_under_its_own_slos() -> TestResult {
    let steps = pool_steps();
    let c = criteria(&["p99 < 200ms"])?;
    let check = |text: &str| -> Result<_, RequirementError> {
        Ok(text
            .parse::<Requirement>()?
            .check(Dimension::Rate, &steps, &c))
    };
    let ok = check("240 req/s")?;
    assert!(ok.passed);
    assert_eq!(ok.sustained_rps, Some(250.0));
    assert!(!check("260 req/s with p99 < 200ms")?.passed);
    let strict = check("100 req/s with p99 < 15ms")?;
    assert!(!strict.passed);
    assert_eq!(strict.sustained_rps, None);
    Ok(())
}

#[test]
fn failures_are_labelled_by_status_or_kind() -> TestResult {
    let mut s = step(
        10.0,
        10.0,
        1,
        1,
        &[("503", 3), ("timeout", 2), ("reset", 1)],
    );
    s.summary.statuses.insert("UNAVAILABLE".into(), 4);
    s.summary.statuses.insert("OK".into(), 5);
    let f = s.failures();
    let labels: Vec<&str> = f.keys().map(String::as_str).collect();
    assert_eq!(labels, ["503", "UNAVAILABLE", "reset", "timeout"]);
    Ok(())
}

#[test]
fn saturation_round_trips_through_json() -> TestResult {
    let sat = Saturation::new(
        Dimension::Rate,
        pool_steps(),
        &criteria(&["p99 < 200ms"])?,
        Some(&"200 req/s".parse()?),
        Some("error rate 15% at 290 req/s".into()),
    );
    let json = serde_json::to_string(&sat)?;
    let back: Saturation = serde_json::from_str(&json)?;
    assert_eq!(back, sat);
    assert_eq!(
        back.finding(),
        sat.finding(),
        "read from the stored record alone"
    );
    assert!(back.requirement.is_some_and(|r| r.passed));
    Ok(())
}
