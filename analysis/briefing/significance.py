"""Dunning's log-likelihood G² for a 2x2 table: is a count this week out of line
with the baseline once the size of both periods is taken into account?

G² follows a chi-square distribution with one degree of freedom; its p-value is
erfc(sqrt(G²/2)).  A concept "moved" only when p < SIGNIFICANCE_P (p < 0.001,
G² >= 10.83: with about 60 concepts tested each week that leaves well under one
false alarm a week) *and* at least MIN_ITEMS items are involved, so that a concept
going from one item to two is never called a trend.
"""

from __future__ import annotations

import math

SIGNIFICANCE_P = 0.001
MIN_ITEMS = 5
METHOD = (
    "Significance: Dunning log-likelihood G² on this week's count against the previous four weeks "
    f"(2×2 table, 1 d.f.); a change counts as significant at p < {SIGNIFICANCE_P} (G² ≥ 10.83) "
    f"with at least {MIN_ITEMS} items in the two periods together."
)


def _term(observed: float, expected: float) -> float:
    return observed * math.log(observed / expected) if observed > 0 and expected > 0 else 0.0


def log_likelihood(a: float, n1: float, b: float, n2: float) -> float:
    """G² for `a` of `n1` (this period) against `b` of `n2` (baseline)."""
    if n1 <= 0 or n2 <= 0:
        return 0.0
    total = n1 + n2
    hits = a + b
    e1, e2 = n1 * hits / total, n2 * hits / total
    f1, f2 = n1 * (total - hits) / total, n2 * (total - hits) / total
    g2 = 2 * (_term(a, e1) + _term(b, e2) + _term(n1 - a, f1) + _term(n2 - b, f2))
    return max(g2, 0.0)


def p_value(g2: float) -> float:
    return math.erfc(math.sqrt(max(g2, 0.0) / 2))


def is_significant(a: int, n1: int, b: int, n2: int) -> bool:
    if n1 <= 0 or n2 <= 0 or a + b < MIN_ITEMS:
        return False
    return p_value(log_likelihood(a, n1, b, n2)) < SIGNIFICANCE_P
