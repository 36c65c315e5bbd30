//! How numbers read in words: durations, shares, step levels and changes. The library returns
//! findings and reasons as data; the runner words them with these functions
//! (`runner/src/report/format.rs` builds on them), and the library uses them for the few texts
//! it still writes (a step level in an error), so a value reads the same everywhere.

/// Microseconds as a short duration: "850µs", "12.35ms", "1.250s".
#[must_use]
pub fn fmt_us(us: u64) -> String {
    let v = us as f64;
    if us < 1_000 {
        format!("{us}µs")
    } else if us < 1_000_000 {
        format!("{:.2}ms", v / 1_000.0)
    } else {
        format!("{:.3}s", v / 1_000_000.0)
    }
}

/// A fraction of a whole (failures of one kind, a step's failed calls) as a percentage with
/// the precision it needs: "13%", "6.5%", "0.4%".
#[must_use]
pub fn fmt_share(f: f64) -> String {
    let p = f * 100.0;
    if p >= 9.95 {
        format!("{p:.0}%")
    } else {
        format!("{p:.1}%")
    }
}

/// A step level without needless decimals: "250", "262.5".
#[must_use]
pub fn fmt_level(level: f64) -> String {
    if (level - level.round()).abs() < 1e-9 {
        format!("{level:.0}")
    } else {
        format!("{level:.1}")
    }
}

/// A change, signed: relative in % for a ratio ("+12.3%"), else a difference of two rates in
/// percentage points ("+1.20pp").
#[must_use]
pub fn fmt_signed_change(ratio: bool, x: f64) -> String {
    if ratio {
        format!("{:+.1}%", x * 100.0)
    } else {
        format!("{:+.2}pp", x * 100.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_shares_levels_and_changes() {
        assert_eq!(fmt_us(850), "850µs");
        assert_eq!(fmt_us(12_345), "12.35ms");
        assert_eq!(fmt_us(1_200_000), "1.200s");
        assert_eq!(fmt_share(0.134), "13%");
        assert_eq!(fmt_share(0.065), "6.5%");
        assert_eq!(fmt_level(250.0), "250");
        assert_eq!(fmt_level(262.5), "262.5");
        assert_eq!(fmt_signed_change(true, 0.123), "+12.3%");
        assert_eq!(fmt_signed_change(false, -0.012), "-1.20pp");
    }
}
