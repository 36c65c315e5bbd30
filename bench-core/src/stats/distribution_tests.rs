//! The estimators against numpy / scipy reference values, and the constructors' edge cases.

use super::*;

fn q(p: f64) -> Quantile {
    Quantile::new(p).unwrap()
}

/// The fixed sample used by `tests/data/stats_reference.py` (`SAMPLE`).
const SAMPLE: [f64; 12] = [
    12.0, 15.5, 9.25, 30.0, 11.0, 14.0, 13.5, 10.0, 55.0, 12.5, 16.0, 12.0,
];

#[test]
fn type7_matches_numpy_linear() {
    let d = Distribution::from_samples(&SAMPLE).unwrap();
    // numpy.quantile(SAMPLE, p, method="linear")
    let expected = [
        (0.5, 13.0),
        (0.9, 28.6),
        (0.95, 41.25),
        (0.99, 52.25),
        (0.999, 54.725),
    ];
    for (p, e) in expected {
        let got = d.quantile(q(p)).unwrap();
        assert!((got - e).abs() < 1e-9, "p={p}: {got} vs {e}");
    }
}

#[test]
fn harrell_davis_matches_scipy_hdquantiles() {
    let d = Distribution::from_samples(&SAMPLE).unwrap();
    // scipy.stats.mstats.hdquantiles(SAMPLE, prob=p)
    let expected = [
        (0.5, 13.198_659_115_340_575),
        (0.9, 40.382_418_786_369_44),
        (0.95, 49.181_225_927_609_99),
        (0.99, 54.216_237_666_173_626),
    ];
    for (p, e) in expected {
        let got = d.harrell_davis(q(p)).unwrap();
        assert!((got - e).abs() < 1e-9 * e, "p={p}: {got} vs {e}");
    }
}

#[test]
fn weighted_equals_expanded() {
    // WEIGHTED from tests/data/stats_reference.py, and its expansion by repetition.
    let pairs = [(5.0, 3), (1.0, 2), (9.0, 1), (2.0, 4), (5.0, 2), (7.0, 0)];
    let expanded: Vec<f64> = pairs
        .iter()
        .flat_map(|&(v, c)| std::iter::repeat_n(v, c as usize))
        .collect();
    let w = Distribution::from_weighted(&pairs).unwrap();
    let e = Distribution::from_samples(&expanded).unwrap();
    assert_eq!(w, e);
    assert_eq!(w.len(), 12);
    // numpy.quantile(np.repeat(values, counts), p) and hdquantiles(...)
    let expected = [
        (0.5, 3.5, 3.496_907_264_535_487),
        (0.9, 5.0, 7.071_219_419_803_017),
        (0.99, 8.56, 8.886_817_752_882_83),
    ];
    for (p, t7, hd) in expected {
        assert!((w.quantile(q(p)).unwrap() - t7).abs() < 1e-9, "type7 p={p}");
        let got = w.harrell_davis(q(p)).unwrap();
        assert!((got - hd).abs() < 1e-9, "hd p={p}: {got} vs {hd}");
    }
    assert!((w.mean().unwrap() - 3.666_666_666_666_666_5).abs() < 1e-12);
}

#[test]
fn harrell_davis_large_sample_matches_scipy() {
    // LARGE from reference.py: values i^1.5 mod 997 + i/100, i in 0..n.
    let expected = [
        (5000, 0.5, 517.455_429_699_619_8),
        (5000, 0.99, 1_014.993_481_762_313_5),
        (10_000, 0.5, 546.676_894_115_066_4),
        (10_000, 0.99, 1_052.000_261_473_240_2),
    ];
    for (n, p, e) in expected {
        let sample: Vec<f64> = (0..n)
            .map(|i| (f64::from(i).powf(1.5) % 997.0) + f64::from(i) / 100.0)
            .collect();
        let d = Distribution::from_samples(&sample).unwrap();
        let got = d.harrell_davis(q(p)).unwrap();
        assert!((got - e).abs() < 1e-9 * e, "n={n} p={p}: {got} vs {e}");
    }
}

#[test]
fn from_histogram_uses_highest_equivalent_values() {
    let mut h = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).unwrap();
    h.record_n(100, 5).unwrap();
    h.record_n(12_345, 2).unwrap(); // bucket width 8 above 8192 at 3 digits
    h.record(7).unwrap();
    let d = Distribution::from_histogram(&h);
    assert_eq!(d.len(), 8);
    let pairs: Vec<_> = d.iter().collect();
    assert_eq!(
        pairs,
        vec![
            (7.0, 1),
            (100.0, 5),
            (h.highest_equivalent(12_345) as f64, 2)
        ]
    );
    // Same answer as HdrHistogram for a quantile landing on a sample.
    let p50 = d.quantile(q(0.5)).unwrap();
    assert_eq!(p50, h.value_at_quantile(0.5) as f64);
}

#[test]
fn empty_and_degenerate() {
    let d = Distribution::from_samples(&[]).unwrap();
    assert!(d.is_empty());
    assert_eq!(d.quantile(q(0.5)), None);
    assert_eq!(d.harrell_davis(q(0.5)), None);
    assert_eq!(d.mean(), None);
    let one = Distribution::from_samples(&[4.0]).unwrap();
    assert_eq!(one.quantile(q(0.99)), Some(4.0));
    assert!((one.harrell_davis(q(0.99)).unwrap() - 4.0).abs() < 1e-12);
    let same = Distribution::from_samples(&[3.0; 50]).unwrap();
    assert_eq!(same.quantile(q(0.999)), Some(3.0));
    assert!((same.harrell_davis(q(0.9)).unwrap() - 3.0).abs() < 1e-12);
    assert_eq!(same.variance(), Some(0.0));
}

#[test]
fn rejects_non_finite() {
    let err = Distribution::from_samples(&[1.0, f64::NAN]).unwrap_err();
    assert!(matches!(err, StatsError::NonFiniteSample { index: 1, value } if value.is_nan()));
    let err = Distribution::from_weighted(&[(1.0, 1), (f64::INFINITY, 2)]).unwrap_err();
    assert!(matches!(err, StatsError::NonFiniteSample { index: 1, .. }));
}
