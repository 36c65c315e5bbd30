#!/usr/bin/env python3
"""Independent reference values for the Rust tests in this directory.

Run:  pip install scipy numpy && python3 reference.py
Numbers hard-coded in the tests were produced with scipy 1.17.1, numpy 2.4.6,
Python 3.11.7 (printed at the top of the output). Each block names the Rust
test that uses it.
"""
import math

import numpy as np
import scipy
from scipy import stats
from scipy.stats import mstats

print(f"# scipy {scipy.__version__}, numpy {np.__version__}")

# --- distribution.rs: type7_matches_numpy_linear, harrell_davis_matches_scipy_hdquantiles
SAMPLE = [12.0, 15.5, 9.25, 30.0, 11.0, 14.0, 13.5, 10.0, 55.0, 12.5, 16.0, 12.0]
for p in [0.5, 0.9, 0.95, 0.99, 0.999]:
    t7 = np.quantile(SAMPLE, p, method="linear")
    hd = mstats.hdquantiles(SAMPLE, prob=[p])[0]
    print(f"SAMPLE p={p}: type7={t7!r} hd={float(hd)!r}")

# --- distribution.rs: weighted_equals_expanded
WEIGHTED = [(5.0, 3), (1.0, 2), (9.0, 1), (2.0, 4), (5.0, 2), (7.0, 0)]
expanded = np.repeat([v for v, _ in WEIGHTED], [c for _, c in WEIGHTED])
for p in [0.5, 0.9, 0.99]:
    t7 = np.quantile(expanded, p, method="linear")
    hd = mstats.hdquantiles(expanded, prob=[p])[0]
    print(f"WEIGHTED p={p}: type7={float(t7)!r} hd={float(hd)!r}")
print(f"WEIGHTED mean={float(np.mean(expanded))!r}")

# --- distribution.rs: harrell_davis_large_sample_matches_scipy
for n in [5000, 10000]:
    large = [(i ** 1.5 % 997.0) + i / 100.0 for i in range(n)]
    for p in [0.5, 0.99]:
        hd = mstats.hdquantiles(large, prob=[p])[0]
        print(f"LARGE n={n} p={p}: hd={float(hd)!r}")

# --- ttest.rs: t quantiles used by the intervals
for df in [1.0, 2.0, 2.5, 4.0, 9.0, 17.3, 100.0]:
    print(f"t.ppf(0.975, {df}) = {stats.t.ppf(0.975, df)!r}")
print(f"t.ppf(0.95, 4.0) = {stats.t.ppf(0.95, 4.0)!r}")


def welch(b, c, conf):
    """CI of mean(c) - mean(b), Welch-Satterthwaite df."""
    r = stats.ttest_ind(c, b, equal_var=False)
    ci = r.confidence_interval(confidence_level=conf)
    return float(np.mean(c) - np.mean(b)), float(ci.low), float(ci.high), float(r.df)


def paired(b, c, conf):
    r = stats.ttest_rel(c, b)
    ci = r.confidence_interval(confidence_level=conf)
    return float(np.mean(np.subtract(c, b))), float(ci.low), float(ci.high), float(r.df)


# --- ttest.rs: welch_matches_scipy (log of per-trial p99s, µs)
B = [1010.0, 1050.0, 980.0, 1100.0, 1030.0]
C = [1180.0, 1250.0, 1120.0, 1300.0]
lb, lc = np.log(B), np.log(C)
for conf in [0.95, 0.90]:
    print(f"WELCH log conf={conf}: (diff, lo, hi, df) = {welch(lb, lc, conf)!r}")
# unequal variances, raw scale
B2 = [0.0, 0.001, 0.0, 0.002]
C2 = [0.01, 0.03, 0.02, 0.05, 0.04, 0.01]
print(f"WELCH raw B2/C2 conf=0.95: {welch(B2, C2, 0.95)!r}")

# --- ttest.rs: paired_matches_scipy
PB = [1000.0, 1100.0, 950.0, 1200.0, 1050.0, 990.0]
PC = [1080.0, 1210.0, 1010.0, 1330.0, 1120.0, 1085.0]
print(f"PAIRED log conf=0.95: {paired(np.log(PB), np.log(PC), 0.95)!r}")
print(f"PAIRED ratio = {math.exp(paired(np.log(PB), np.log(PC), 0.95)[0])!r}")
# geometric means and Welch on the same data (for verdict.rs: welch_comparison_end_to_end)
d, lo, hi, df = welch(np.log(PB), np.log(PC), 0.95)
print(f"GEOMEAN PB={float(stats.gmean(PB))!r} PC={float(stats.gmean(PC))!r}")
print(f"WELCH PB/PC ratio-1 = {math.expm1(d)!r} ci=({math.expm1(lo)!r}, {math.expm1(hi)!r}) df={df!r}")
