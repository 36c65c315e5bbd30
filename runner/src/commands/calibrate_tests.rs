//! The calibration's small, fast version (CI): simulated gates through the real trial runner
//! and judgement; it fails when the gate's error rates leave their targets.

use super::*;

fn args(gates: usize, noise: f64, levels: Vec<f64>) -> CalibrateArgs {
    CalibrateArgs {
        simulate: true,
        gates,
        levels,
        noise: vec![noise],
        trials: 3,
        max_trials: 20,
        fixed: 0,
        duration: std::time::Duration::from_secs(1),
        rate: 1000.0,
        requests: 2000,
        seed: 11,
        check: true,
        out: None,
    }
}

fn rows(a: &CalibrateArgs) -> Vec<Row> {
    let cancel = Cancel::new();
    let design = Sequential {
        min_pairs: a.trials,
        max_pairs: a.max_trials,
    };
    let mut out = Vec::new();
    for &change in &a.levels {
        let mut row = Row {
            noise_pct: a.noise[0],
            change_pct: change,
            design: describe(&design),
            ..Row::default()
        };
        for g in 0..a.gates {
            let o = one_gate(a, design, (a.noise[0], change), a.seed + g as u64, &cancel).unwrap();
            tally(&mut row, &o, change / 100.0);
        }
        finish(&mut row);
        out.push(row);
    }
    out
}

#[test]
fn simulated_gates_hold_their_error_rates_at_ten_percent_noise() {
    let a = args(40, 10.0, vec![0.0, 25.0]);
    let rows = rows(&a);
    let (aa, ab) = (&rows[0], &rows[1]);
    // A/A: at most one false fail in 40 (the target is ≤ 1 %), and mostly decided.
    assert!(aa.fail <= 1, "{aa:?}");
    assert!(aa.pass >= 30, "{aa:?}");
    // +25 %: detected.
    assert!(ab.fail >= 36, "{ab:?}");
    // Sequential: a clear regression stops well before the budget.
    assert!(ab.mean_pairs < 12.0, "{ab:?}");
    assert!(aa.coverage >= 0.9 && ab.coverage >= 0.9, "{rows:?}");
}

#[test]
fn the_check_reports_a_missed_target() {
    let bad = Row {
        noise_pct: 10.0,
        change_pct: 0.0,
        design: "sequential 3..20".into(),
        gates: 100,
        fail: 10,
        pass: 90,
        coverage: 0.95,
        ..Row::default()
    };
    let m = missed(&[bad], "sequential 3..20");
    assert!(
        m.iter().any(|m| m.contains("A/A false fails 10.0%")),
        "{m:?}"
    );
}
