//! Prediction intervals: where one new observation of a stable process falls, from earlier
//! observations of it (Student's t on their spread). The stored-baseline comparison uses it on
//! log values, one per commit: a candidate's session is one more draw from main's run-to-run
//! spread, not a sample from the same session.

use statrs::distribution::{ContinuousCDF, StudentsT};

/// Half-width of the two-sided `confidence` prediction interval for one new value next to the
/// mean of `values`: `t(n−1) · s · √(1 + 1/n)`. `None` below two values or for a degenerate
/// spread.
#[must_use]
pub fn half_width(values: &[f64], confidence: f64) -> Option<f64> {
    half_width_of(sd(values)?, values.len(), confidence)
}

/// [`half_width`] from a standard deviation `sd` estimated from `n` values.
#[must_use]
pub fn half_width_of(sd: f64, n: usize, confidence: f64) -> Option<f64> {
    if n < 2 || !(confidence > 0.0 && confidence < 1.0) || !sd.is_finite() {
        return None;
    }
    let nf = n as f64;
    let t = StudentsT::new(0.0, 1.0, nf - 1.0).ok()?;
    let q = t.inverse_cdf(0.5 + confidence / 2.0);
    let h = q * sd * (1.0 + 1.0 / nf).sqrt();
    h.is_finite().then_some(h)
}

/// Sample standard deviation (n − 1); `None` below two values.
#[must_use]
pub fn sd(values: &[f64]) -> Option<f64> {
    let n = values.len();
    if n < 2 {
        return None;
    }
    let mean = values.iter().sum::<f64>() / n as f64;
    Some((values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n as f64 - 1.0)).sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_textbook_interval() {
        // n = 4, mean 2.5, s = 1.290994; t(3, 0.975) = 3.182446; √(1.25) = 1.118034.
        let h = half_width(&[1.0, 2.0, 3.0, 4.0], 0.95).unwrap();
        assert!((h - 3.182446 * 1.290994 * 1.118034).abs() < 1e-4, "{h}");
        assert!((sd(&[1.0, 2.0, 3.0, 4.0]).unwrap() - 1.290994).abs() < 1e-6);
    }

    #[test]
    fn too_few_values_give_none() {
        assert!(half_width(&[1.0], 0.95).is_none());
        assert!(half_width(&[1.0, 2.0], 1.0).is_none());
        assert!(sd(&[]).is_none());
    }

    #[test]
    fn covers_new_draws_at_its_level() {
        use rand::{rngs::StdRng, SeedableRng};
        let mut rng = StdRng::seed_from_u64(9);
        let (mut inside, trials) = (0, 2000);
        for _ in 0..trials {
            let x: Vec<f64> = (0..8)
                .map(|_| super::super::sampling::standard_normal(&mut rng))
                .collect();
            let new = super::super::sampling::standard_normal(&mut rng);
            let m = x.iter().sum::<f64>() / 8.0;
            if (new - m).abs() <= half_width(&x, 0.95).unwrap() {
                inside += 1;
            }
        }
        let rate = f64::from(inside) / f64::from(trials);
        assert!((0.93..=0.97).contains(&rate), "{rate}");
    }
}
