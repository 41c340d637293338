"""The period a page opens on when the URL names none: the latest stretch of
`default_days` that the sources cover well, not simply the days before the newest item.

Why coverage and not the newest item: an archive-only store mixes archives that end years
apart.  If the newest item belongs to one small archive, the days before it hold that one
source, and every concept the others carry draws as a flat line at zero.  A live store is
unaffected: its feeds all report up to today, so its best-covered window is its latest.
docs/methodology.md ("Default view") says the same in words.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from .periods import Period

# A window qualifies when at least this share of the best-covered window's sources report in
# it.  Half keeps a live store on its latest weeks even when some of its feeds died long ago.
COVERAGE_SHARE = 0.5
# Groups whose items date the concepts, not the coverage: the seed documents.  Every "where the
# data are" figure (the store's day range, the default period, the briefing's opening week)
# leaves them out through this one tuple, so the dashboard and the briefing agree.
NOT_COVERAGE = ("seed",)


@dataclass(frozen=True)
class NewerData:
    """Sources with day-dated items after the period, and the newest such day."""

    sources: int
    newest: date


def default_period(
    first_day: str | None,
    last_day: str | None,
    default_days: int,
    today: date,
    spans: pd.DataFrame | None = None,
) -> Period:
    """The latest `default_days` window ending on a day where a source's data end, whose
    active sources number at least half of the best-covered such window's.

    `spans` holds one row per source (seeds left out) with `first_day` and `last_day` of its
    day-dated items.  Without spans, the window ends on the newest trusted day; without data,
    on today.  A source counts as active in a window when its span overlaps it."""
    if not first_day or not last_day:
        return Period(today - timedelta(days=default_days - 1), today)
    first, last = date.fromisoformat(first_day), date.fromisoformat(last_day)
    end = _best_end(spans, last, default_days) if spans is not None and len(spans) else last
    return Period(max(first, end - timedelta(days=default_days - 1)), end)


def _best_end(spans: pd.DataFrame, last: date, default_days: int) -> date:
    # Ends beyond the newest trusted day come from items dated at their fetch time: capped.
    lasts = np.minimum(pd.to_datetime(spans["last_day"]).to_numpy("datetime64[D]"), np.datetime64(last, "D"))
    firsts = np.sort(pd.to_datetime(spans["first_day"]).to_numpy("datetime64[D]"))
    ends = np.unique(lasts)  # candidate window ends, ascending
    starts = ends - np.timedelta64(default_days - 1, "D")
    sorted_lasts = np.sort(lasts)
    # Active in [start, end]: began on or before the end, minus those that ended before the start.
    active = np.searchsorted(firsts, ends, side="right") - np.searchsorted(sorted_lasts, starts, side="left")
    good = np.flatnonzero(active >= COVERAGE_SHARE * active.max())
    return ends[good[-1]].astype(date)


def newer_data(period: Period, spans: pd.DataFrame, last_day: str | None) -> NewerData | None:
    """What the period leaves out at its recent end, to be said beside it (None: nothing)."""
    if not last_day or len(spans) == 0 or date.fromisoformat(last_day) <= period.end:
        return None
    after = int((spans["last_day"] > period.last).sum())
    return NewerData(after, date.fromisoformat(last_day)) if after else None
