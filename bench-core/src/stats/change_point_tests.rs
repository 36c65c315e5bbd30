//! The detector on seeded synthetic series (values as the history feeds them: the log of a
//! latency with 5 % lognormal noise per run). The measured rates are printed; rerun with
//! `cargo test -p bench-core --lib change_point -- --nocapture`.

use rand::rngs::StdRng;
use rand::SeedableRng;

use super::super::sampling::standard_normal;
use super::{detect, ChangePointSettings};

const SERIES: u64 = 100;
const NOISE: f64 = 0.05;

/// ln of a run's p99: `ln(1000 · level) + noise`.
fn series(seed: u64, n: usize, level: impl Fn(usize) -> f64) -> Vec<f64> {
    let mut rng = StdRng::seed_from_u64(seed);
    (0..n)
        .map(|i| (1000.0 * level(i)).ln() + NOISE * standard_normal(&mut rng))
        .collect()
}

fn settings(seed: u64) -> ChangePointSettings {
    ChangePointSettings {
        seed,
        ..ChangePointSettings::default()
    }
}

#[test]
fn a_step_is_found_within_two_runs() {
    let mut found = 0;
    for seed in 0..SERIES {
        let x = series(seed, 60, |i| if i < 30 { 1.0 } else { 1.15 });
        let cps = detect(&x, &settings(seed)).unwrap();
        if cps.iter().any(|c| c.index.abs_diff(30) <= 2) {
            found += 1;
        }
    }
    eprintln!("+15 % step at run 30 of 60, 5 % noise: found within ±2 runs in {found}/{SERIES}");
    assert!(found >= 95, "found in {found}/{SERIES}");
}

#[test]
fn a_a_series_rarely_show_a_change() {
    let mut false_alarms = 0;
    for seed in 0..SERIES {
        let x = series(1000 + seed, 60, |_| 1.0);
        if !detect(&x, &settings(seed)).unwrap().is_empty() {
            false_alarms += 1;
        }
    }
    eprintln!("60-run A/A series, 5 % noise: a change point in {false_alarms}/{SERIES}");
    assert!(false_alarms <= 5, "{false_alarms}/{SERIES}");
}

#[test]
fn a_creep_of_small_steps_is_reported() {
    // Ten +3 % steps, one every 5 runs from run 5 to run 50 (+34 % in all).
    let mut reported = 0;
    for seed in 0..SERIES {
        let x = series(2000 + seed, 60, |i| 1.03_f64.powi((i / 5).min(10) as i32));
        if !detect(&x, &settings(seed)).unwrap().is_empty() {
            reported += 1;
        }
    }
    eprintln!("creep of ten +3 % steps over 60 runs: at least one change in {reported}/{SERIES}");
    assert_eq!(reported, SERIES, "{reported}/{SERIES}");
}

#[test]
fn levels_and_p_values_describe_the_step() {
    let x = series(7, 40, |i| if i < 20 { 1.0 } else { 1.5 });
    let cps = detect(&x, &settings(7)).unwrap();
    assert_eq!(cps.len(), 1, "{cps:?}");
    let c = cps[0];
    assert_eq!(c.index, 20);
    assert!(((c.after - c.before).exp() - 1.5).abs() < 0.05, "{c:?}");
    assert!(c.p_value <= 0.01);
}

#[test]
fn two_steps_give_two_change_points_in_order() {
    let x = series(11, 60, |i| match i {
        0..20 => 1.0,
        20..40 => 1.3,
        _ => 1.0,
    });
    let idx: Vec<usize> = detect(&x, &settings(11))
        .unwrap()
        .iter()
        .map(|c| c.index)
        .collect();
    assert_eq!(idx.len(), 2, "{idx:?}");
    assert!(
        idx[0].abs_diff(20) <= 1 && idx[1].abs_diff(40) <= 1,
        "{idx:?}"
    );
}

#[test]
fn the_same_seed_gives_the_same_answer() {
    let x = series(3, 50, |i| if i < 25 { 1.0 } else { 1.08 });
    let a = detect(&x, &settings(5)).unwrap();
    assert_eq!(a, detect(&x, &settings(5)).unwrap());
}

#[test]
fn segments_shorter_than_the_minimum_are_never_made() {
    // A jump in the last 3 runs: with min_segment 5 no segment is shorter than 5 runs.
    let x = series(4, 30, |i| if i < 27 { 1.0 } else { 2.0 });
    for c in detect(&x, &settings(1)).unwrap() {
        assert!((5..=25).contains(&c.index), "{c:?}");
    }
    let short = ChangePointSettings {
        min_segment: 3,
        ..settings(1)
    };
    let cps = detect(&x, &short).unwrap();
    assert_eq!(cps.iter().map(|c| c.index).collect::<Vec<_>>(), vec![27]);
}

#[test]
fn short_or_flat_series_have_no_change_points() {
    assert!(detect(&[], &settings(1)).unwrap().is_empty());
    assert!(detect(&[1.0; 9], &settings(1)).unwrap().is_empty());
    assert!(detect(&[2.0; 40], &settings(1)).unwrap().is_empty());
}

#[test]
fn bad_settings_and_values_are_errors() {
    let bad = [
        ChangePointSettings {
            alpha: 0.0,
            ..settings(1)
        },
        ChangePointSettings {
            min_segment: 0,
            ..settings(1)
        },
        ChangePointSettings {
            alpha: 0.001,
            permutations: 99,
            ..settings(1)
        },
    ];
    for s in bad {
        assert!(detect(&[1.0; 20], &s).is_err(), "{s:?}");
    }
    let err = detect(&[1.0, f64::NAN], &settings(1)).unwrap_err();
    assert!(err.to_string().contains("sample 1"), "{err}");
}
