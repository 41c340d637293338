"""Watches as series: the same daily shape as concepts, so every trend, interval and
panel rule of `analysis.trends` applies to a watch unchanged, and its current state
(this week against its own baseline) from the same G² test as the briefing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

from store.watch_reads import WatchReads
from store.watches import WATCH_PREFIX, Watch, WatchBook

from .briefing.model import WatchLine
from .briefing.significance import SIGNIFICANCE_P, log_likelihood, p_value
from .periods import Period

WINDOW_DAYS = 7  # "this week": the seven days ending on the newest trusted day
BASELINE_DAYS = 28  # its own baseline: the four weeks before, as in the briefing


def is_watch_series(series_id: str) -> bool:
    return series_id.startswith(WATCH_PREFIX)


def watch_daily(reads: WatchReads, names: Sequence[str], period: Period) -> pd.DataFrame:
    """Rows shaped like `daily_concept` (concept_id = "watch:<name>") to concatenate with it."""
    return reads.daily(list(names), period.first, period.last)


def watch_labels(watches: Sequence[Watch]) -> dict[str, str]:
    return {w.series_id: f"Watch: {w.title}" for w in watches}


@dataclass(frozen=True)
class WatchState:
    """A watch now: items and share in the window against its baseline."""

    name: str
    window: Period | None  # None when the store has no dated item yet
    items: int
    scope_items: int
    base_items: int
    base_scope_items: int
    g2: float
    p: float
    significant: bool
    direction: str  # rising | falling | flat | new | no data

    @property
    def share(self) -> float | None:
        """None without items in scope: 0 of 0 is no share, never 0 %."""
        return self.items / self.scope_items if self.scope_items else None

    @property
    def base_share(self) -> float | None:
        return self.base_items / self.base_scope_items if self.base_scope_items else None

    def sentence(self) -> str:
        """The state in words, with n beside every share."""
        if self.window is None:
            return "no dated items in the store yet"
        days = f"{self.window.first}..{self.window.last}"
        if self.share is None:
            now = f"no items in the watch's scope in {days}"
        else:
            now = f"{self.items} of {self.scope_items} items ({self.share:.1%}) in {days}"
        if self.base_share is None:
            return now + "; no items in the four weeks before to compare with"
        base = f"{self.base_items} of {self.base_scope_items} ({self.base_share:.1%}) in the four weeks before"
        noun = {"rising": "rise", "falling": "fall"}.get(self.direction, "change")
        verdict = f"a significant {noun}" if self.significant else "no significant change"
        return f"{now}, against {base}: {verdict} (G² {self.g2:.1f}, p {self.p:.2g})"


def window_ending(newest_day: str | None) -> tuple[Period, Period] | None:
    if not newest_day:
        return None
    end = date.fromisoformat(newest_day)
    window = Period(end - timedelta(days=WINDOW_DAYS - 1), end)
    base_end = window.start - timedelta(days=1)
    return window, Period(base_end - timedelta(days=BASELINE_DAYS - 1), base_end)


def watch_state(reads: WatchReads, watch: Watch, newest_day: str | None = None) -> WatchState:
    periods = window_ending(newest_day or reads.newest_day())
    if periods is None:
        return WatchState(watch.name, None, 0, 0, 0, 0, 0.0, 1.0, False, "no data")
    return state_between(reads, watch, *periods)


def state_between(reads: WatchReads, watch: Watch, window: Period, base: Period) -> WatchState:
    """The watch in `window` against `base`: the briefing passes an ISO week and the four before."""
    a, n1 = reads.window_counts(watch, window.first, window.last)
    b, n2 = reads.window_counts(watch, base.first, base.last)
    g2 = log_likelihood(a, n1, b, n2)
    p = p_value(g2)
    if n2 == 0:
        direction = "new" if a else "flat"
    else:
        share, base_share = (a / n1 if n1 else 0.0), b / n2
        direction = "rising" if share > base_share else "falling" if share < base_share else "flat"
    significant = n1 > 0 and n2 > 0 and a + b >= watch.rules.min_items and p < SIGNIFICANCE_P
    return WatchState(watch.name, window, a, n1, b, n2, round(g2, 2), p, significant, direction)


def briefing_lines(reads: WatchReads, week: Period, base: Period) -> list[WatchLine]:
    """Every watch in the briefing's week against the four weeks before, each in its own scope."""
    out = []
    for watch in WatchBook(reads.conn).list():
        s = state_between(reads, watch, week, base)
        out.append(
            WatchLine(
                watch.name,
                watch.title,
                s.items,
                s.scope_items,
                s.base_items,
                s.base_scope_items,
                s.g2,
                s.p,
                s.significant,
                s.direction,
            )
        )
    out.sort(key=lambda w: (not w.significant, -w.g2, w.name))
    return out
