"""Coverage caveats: feeds that failed and sources that fell silent during the week.

A drop in volume must not be read as a drop in discourse, so the briefing says
first which sources were down or quiet.  A source "normally reports" on a weekday
when it had items on that weekday in at least SILENT_MIN_WEEKS of the previous
four weeks; such a weekday with no items this week is a silent day.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from .model import Caveat
from .weeks import IsoWeek

SILENT_MIN_WEEKS = 3
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def failure_caveats(failures: pd.DataFrame, failing: pd.DataFrame) -> list[Caveat]:
    out = []
    for source_id, rows in failures.groupby("source_id", sort=True):
        first, last = rows["started_at"].min(), rows["started_at"].max()
        when = (
            first[:16].replace("T", " ")
            if first == last
            else (f"{first[:16].replace('T', ' ')} to {last[:16].replace('T', ' ')}")
        )
        error = str(rows["error"].iloc[-1] or "unknown error")
        out.append(
            Caveat(
                str(source_id),
                str(rows["source"].iloc[0]),
                str(rows["group_id"].iloc[0]),
                "failed",
                f"failed in {len(rows)} run(s) ({when} UTC): {error}",
            )
        )
    reported = {c.source_id for c in out}
    for row in failing.itertuples():
        if row.source_id in reported:
            continue
        since = (row.last_success_at or "never")[:10]
        out.append(
            Caveat(
                str(row.source_id),
                str(row.source),
                str(row.group_id),
                "failing",
                f"feed failing ({row.consecutive_failures} failure(s) in a row; last success {since}): "
                f"{row.error or ''}",
            )
        )
    return out


def silent_caveats(week: IsoWeek, source_days: pd.DataFrame, today: date | None = None) -> list[Caveat]:
    """Sources with no items on weekdays on which they normally report."""
    if source_days.empty:
        return []
    days = source_days.assign(
        weekday=pd.to_datetime(source_days["day"]).dt.day_of_week,
        in_week=source_days["day"].between(week.first_day, week.last_day),
    )
    base = days[~days["in_week"] & (days["items"] > 0)]
    current = days[days["in_week"] & (days["items"] > 0)]
    out = []
    for source_id, rows in base.groupby("source_id", sort=True):
        usual = rows.groupby("weekday")["day"].nunique()
        usual_days = sorted(int(d) for d, weeks in usual.items() if weeks >= SILENT_MIN_WEEKS)
        seen = set(current.loc[current["source_id"] == source_id, "weekday"].astype(int))
        silent = [
            d
            for d in usual_days
            if d not in seen and (today is None or week.monday.toordinal() + d < today.toordinal())
        ]
        if not silent:
            continue
        names = ", ".join(f"{_WEEKDAYS[d]} {week.days()[d][5:]}" for d in silent)
        whole = len(silent) == len(usual_days) and not seen
        text = (
            f"no items all week (normally reports on {len(usual_days)} day(s) a week)"
            if whole
            else f"no items on {names} (days it normally reports)"
        )
        out.append(Caveat(str(source_id), str(rows["source"].iloc[0]), str(rows["group_id"].iloc[0]), "silent", text))
    return out
