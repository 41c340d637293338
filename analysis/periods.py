"""Calendar arithmetic for every period figure: which bucket a day falls in, which buckets
a period has, which are partial, and which stored rows a period may count.

Separate from the share arithmetic (`analysis.trends`) because the movers, evidence notes,
left-out counts and source tables all cut their rows by the same rules; one place holds
the rule that a month- or year-dated item is evidence only for a whole month or year.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

GRANULARITIES = ("day", "week", "month", "year")


@dataclass(frozen=True)
class Period:
    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        end = self.start - timedelta(days=1)
        return Period(end - timedelta(days=self.days - 1), end)

    @property
    def first(self) -> str:
        return self.start.isoformat()

    @property
    def last(self) -> str:
        return self.end.isoformat()


def read_from(period: Period) -> str:
    """First day to read aggregates from so that year-dated items overlapping the period are seen."""
    return date(period.start.year, 1, 1).isoformat()


def default_granularity(period: Period) -> str:
    if period.days <= 62:
        return "day"
    if period.days <= 2 * 366:
        return "week"
    if period.days <= 8 * 366:
        return "month"
    return "year"  # decades of yearly speeches read as noise month by month


def bucket_of(days: pd.Series, granularity: str) -> pd.Series:
    stamps = pd.to_datetime(days)
    if granularity == "week":  # weeks start on Monday
        return (stamps - pd.to_timedelta(stamps.dt.day_of_week, unit="D")).dt.normalize()
    if granularity == "month":
        return stamps.dt.to_period("M").dt.to_timestamp()
    if granularity == "year":
        return stamps.dt.to_period("Y").dt.to_timestamp()
    return stamps.dt.normalize()


def buckets(period: Period, granularity: str) -> pd.DatetimeIndex:
    days = pd.Series(pd.date_range(period.start, period.end, freq="D").strftime("%Y-%m-%d"))
    return pd.DatetimeIndex(bucket_of(days, granularity).drop_duplicates())


def bucket_end(start: pd.Timestamp, granularity: str) -> date:
    if granularity == "week":
        return (start + pd.Timedelta(days=6)).date()
    if granularity == "month":
        return (start + pd.offsets.MonthEnd(0)).date()
    if granularity == "year":
        return (start + pd.offsets.YearEnd(0)).date()
    return start.date()


def partial_buckets(
    period: Period, granularity: str, data_span: tuple[str | None, str | None] = (None, None)
) -> dict[pd.Timestamp, bool]:
    """Bucket start -> whether the bucket reaches outside the period or outside the data
    (a July whose data end on the 3rd reads as a fall, but is only three days)."""
    first, last = period.start, period.end
    if data_span[0]:
        first = max(first, date.fromisoformat(data_span[0]))
    if data_span[1]:
        last = min(last, date.fromisoformat(data_span[1]))
    out = {}
    for start in buckets(period, granularity):
        out[start] = start.date() < first or bucket_end(start, granularity) > last
    return out


# The finest bucket each stored precision may be counted in (store/schema.py, migration 2).
_ALLOWED = {
    "day": ("day",),
    "week": ("day",),
    "month": ("day", "month"),
    "year": ("day", "month", "year"),
    None: ("day", "month", "year"),  # a whole period, not a chart bucket
}


def span_end(frame: pd.DataFrame) -> pd.Series:
    """Last day each row's date may stand for: the day itself, or the end of its month or year."""
    out = frame["day"].astype(str)
    if "precision" not in frame:
        return out
    # Only the coarse rows need date arithmetic (a day stands for itself); at a million items
    # the daily tables hold tens of thousands of rows, nearly all day-dated, and this runs
    # several times per page.
    coarse = frame["precision"] != "day"
    if coarse.any():
        days = pd.to_datetime(frame.loc[coarse, "day"])
        precision = frame.loc[coarse, "precision"]
        ends = (days + pd.offsets.MonthEnd(0)).where(precision == "month", days + pd.offsets.YearEnd(0))
        out = out.copy()
        out.loc[coarse] = ends.dt.strftime("%Y-%m-%d")
    return out


def in_period(frame: pd.DataFrame, period: Period, granularity: str | None = None) -> pd.DataFrame:
    """Rows inside the period that may be counted at `granularity`: a month- or year-dated item
    only in a month or year bucket, and only when the period covers its whole month or year
    (a 2024 speech is not evidence about March 2024)."""
    inside = frame[(frame["day"] >= period.first) & (frame["day"] <= period.last)]
    if "precision" not in inside or inside.empty:
        return inside
    keep = inside["precision"].isin(_ALLOWED[granularity]) & (span_end(inside) <= period.last)
    return inside[keep]
