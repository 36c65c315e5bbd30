//! Student-t confidence intervals for a difference of means: Welch (unpaired,
//! unequal variances) and paired.

use statrs::distribution::{ContinuousCDF, StudentsT};

/// A two-sided t confidence interval for `mean(candidate) − mean(baseline)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TInterval {
    /// Point estimate of the difference of means.
    pub estimate: f64,
    /// Lower bound.
    pub low: f64,
    /// Upper bound.
    pub high: f64,
    /// Standard error of the estimate (0 when there is no variation).
    pub std_error: f64,
    /// Degrees of freedom used for the t quantile.
    pub df: f64,
}

/// Welch's interval for `mean(candidate) − mean(baseline)`, with the
/// Welch–Satterthwaite degrees of freedom
/// `df = (v_b + v_c)² / (v_b²/(k_b−1) + v_c²/(k_c−1))`, `v = s²/k`.
///
/// When neither side varies the standard error is 0 and the interval is the
/// point `[estimate, estimate]` (df is then reported as `k_b + k_c − 2`); when
/// only one side varies, df reduces to that side's `k − 1`.
///
/// `None` if a side has fewer than 2 values, a value is not finite, or
/// `confidence ∉ (0, 1)`.
pub fn welch_interval(baseline: &[f64], candidate: &[f64], confidence: f64) -> Option<TInterval> {
    let (mean_b, var_b) = mean_var(baseline)?;
    let (mean_c, var_c) = mean_var(candidate)?;
    let (kb, kc) = (baseline.len() as f64, candidate.len() as f64);
    let (vb, vc) = (var_b / kb, var_c / kc);
    let se2 = vb + vc;
    let df = if se2 > 0.0 {
        se2 * se2 / (vb * vb / (kb - 1.0) + vc * vc / (kc - 1.0))
    } else {
        kb + kc - 2.0
    };
    interval(mean_c - mean_b, se2.sqrt(), df, confidence)
}

/// Paired interval for the mean of `candidate[i] − baseline[i]`, df = k − 1.
///
/// `None` if the lengths differ, there are fewer than 2 pairs, a value is
/// not finite, or `confidence ∉ (0, 1)`. Zero variance of the differences
/// gives the point interval.
pub fn paired_interval(baseline: &[f64], candidate: &[f64], confidence: f64) -> Option<TInterval> {
    if baseline.len() != candidate.len() {
        return None;
    }
    let diffs: Vec<f64> = candidate.iter().zip(baseline).map(|(c, b)| c - b).collect();
    let (mean, var) = mean_var(&diffs)?;
    let k = diffs.len() as f64;
    interval(mean, (var / k).sqrt(), k - 1.0, confidence)
}

/// Two-sided Student-t quantile `t_{(1+confidence)/2, df}`.
pub(crate) fn t_quantile(confidence: f64, df: f64) -> Option<f64> {
    if !(confidence > 0.0 && confidence < 1.0) {
        return None;
    }
    let t = StudentsT::new(0.0, 1.0, df).ok()?;
    let value = t.inverse_cdf(0.5 + confidence / 2.0);
    value.is_finite().then_some(value)
}

fn interval(estimate: f64, std_error: f64, df: f64, confidence: f64) -> Option<TInterval> {
    let t = t_quantile(confidence, df)?;
    // Written so that std_error == 0 gives exactly [estimate, estimate].
    let half = if std_error > 0.0 { t * std_error } else { 0.0 };
    Some(TInterval {
        estimate,
        low: estimate - half,
        high: estimate + half,
        std_error,
        df,
    })
}

/// Mean and sample variance (divisor k − 1), two-pass. `None` if fewer than
/// two values or any is not finite.
pub(crate) fn mean_var(values: &[f64]) -> Option<(f64, f64)> {
    if values.len() < 2 || values.iter().any(|v| !v.is_finite()) {
        return None;
    }
    let k = values.len() as f64;
    let mean = values.iter().sum::<f64>() / k;
    let var = values.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (k - 1.0);
    Some((mean, var))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol * b.abs().max(1.0)
    }

    #[test]
    fn t_quantiles_match_scipy() {
        // scipy.stats.t.ppf(0.975, df), see tests/data/stats_reference.py
        let expected = [
            (1.0, 12.706_204_736_174_694),
            (2.0, 4.302_652_729_749_462),
            (2.5, 3.574_654_842_003_681_7),
            (4.0, 2.776_445_105_197_793_4),
            (9.0, 2.262_157_162_798_205),
            (17.3, 2.107_032_003_753_467_6),
            (100.0, 1.983_971_518_523_551_8),
        ];
        for (df, e) in expected {
            let got = t_quantile(0.95, df).unwrap();
            assert!(close(got, e, 1e-9), "df={df}: {got} vs {e}");
        }
        assert!(close(
            t_quantile(0.90, 4.0).unwrap(),
            2.131_846_786_326_649_5,
            1e-9
        ));
        assert_eq!(t_quantile(1.0, 4.0), None);
        assert_eq!(t_quantile(0.95, 0.0), None);
    }

    #[test]
    fn welch_matches_scipy() {
        let b = [1010.0_f64, 1050.0, 980.0, 1100.0, 1030.0].map(f64::ln);
        let c = [1180.0_f64, 1250.0, 1120.0, 1300.0].map(f64::ln);
        // scipy ttest_ind(c, b, equal_var=False).confidence_interval(conf)
        let w = welch_interval(&b, &c, 0.95).unwrap();
        assert!(close(w.estimate, 0.158_406_380_941_379_15, 1e-12));
        assert!(close(w.low, 0.060_860_533_790_936_12, 1e-9), "{w:?}");
        assert!(close(w.high, 0.255_952_228_091_822_16, 1e-9), "{w:?}");
        assert!(close(w.df, 5.015_292_479_255_403, 1e-9), "{w:?}");
        let w90 = welch_interval(&b, &c, 0.90).unwrap();
        assert!(close(w90.low, 0.081_922_739_251_512_17, 1e-9), "{w90:?}");
        assert!(close(w90.high, 0.234_890_022_631_246_1, 1e-9), "{w90:?}");
        // Raw scale, very unequal variances (error rates).
        let b2 = [0.0, 0.001, 0.0, 0.002];
        let c2 = [0.01, 0.03, 0.02, 0.05, 0.04, 0.01];
        let w2 = welch_interval(&b2, &c2, 0.95).unwrap();
        assert!(close(w2.estimate, 0.025_916_666_666_666_668, 1e-12));
        assert!(close(w2.low, 0.008_787_852_532_477_238, 1e-9), "{w2:?}");
        assert!(close(w2.high, 0.043_045_480_800_856_1, 1e-9), "{w2:?}");
        assert!(close(w2.df, 5.051_471_596_168_284, 1e-9), "{w2:?}");
    }

    #[test]
    fn paired_matches_scipy() {
        let b = [1000.0_f64, 1100.0, 950.0, 1200.0, 1050.0, 990.0].map(f64::ln);
        let c = [1080.0_f64, 1210.0, 1010.0, 1330.0, 1120.0, 1085.0].map(f64::ln);
        // scipy ttest_rel(c, b).confidence_interval(0.95)
        let p = paired_interval(&b, &c, 0.95).unwrap();
        assert!(close(p.estimate, 0.082_090_179_267_395_88, 1e-12));
        assert!(close(p.low, 0.064_120_560_811_283_59, 1e-9), "{p:?}");
        assert!(close(p.high, 0.100_059_797_723_508_18, 1e-9), "{p:?}");
        assert_eq!(p.df, 5.0);
        // Same data unpaired: much wider (between-pair spread is not removed).
        let w = welch_interval(&b, &c, 0.95).unwrap();
        assert!(close(w.low.exp_m1(), -0.034_975_223_148_4, 1e-9), "{w:?}");
        assert!(
            close(w.high.exp_m1(), 0.221_136_351_658_475_73, 1e-9),
            "{w:?}"
        );
        assert!(close(w.df, 9.803_268_151_723_245, 1e-9), "{w:?}");
    }

    #[test]
    fn degenerate_inputs() {
        let same = [2.0, 2.0, 2.0];
        let w = welch_interval(&same, &same, 0.95).unwrap();
        assert_eq!(
            (w.estimate, w.low, w.high, w.std_error),
            (0.0, 0.0, 0.0, 0.0)
        );
        let w = welch_interval(&same, &[3.0, 3.0, 3.0], 0.95).unwrap();
        assert_eq!((w.low, w.high), (1.0, 1.0));
        // One side constant: df = other side's k − 1.
        let w = welch_interval(&same, &[1.0, 2.0, 3.0, 4.0], 0.95).unwrap();
        assert!(close(w.df, 3.0, 1e-12));
        let p = paired_interval(&[1.0, 2.0], &[2.0, 3.0], 0.95).unwrap();
        assert_eq!((p.low, p.high), (1.0, 1.0));
        assert_eq!(welch_interval(&[1.0], &same, 0.95), None);
        assert_eq!(welch_interval(&[1.0, f64::NAN], &same, 0.95), None);
        assert_eq!(paired_interval(&same, &[1.0, 2.0], 0.95), None);
    }
}
