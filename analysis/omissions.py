"""What a chart, figure or filtered list leaves out, counted and said in words: items too
coarsely dated for the buckets, items whose month or year reaches outside the period,
undated items.  Kept apart so that every page words these losses the same way.
"""

from __future__ import annotations

import pandas as pd

from .periods import Period, in_period, span_end


def left_out(daily_source: pd.DataFrame, sources: pd.DataFrame, period: Period, granularity: str | None) -> dict:
    """Items whose date overlaps the period but that a chart at `granularity` cannot place
    (too coarse for its buckets, or their month or year reaches outside the period), by precision."""
    frame = daily_source[daily_source["source_id"].isin(sources["id"])]
    if "precision" not in frame or frame.empty:
        return {}
    overlaps = frame[(frame["day"] <= period.last) & (span_end(frame) >= period.first)]
    kept = in_period(overlaps, period, granularity)
    dropped = overlaps.drop(kept.index)
    return {str(k): int(v) for k, v in dropped.groupby("precision")["items"].sum().items() if v}


def left_out_note(coarse: dict[str, int], undated: int, granularity: str | None) -> str:
    """What a chart or figure leaves out, in words ("" when nothing is)."""
    parts = []
    bucket = f"{granularity}ly buckets" if granularity and granularity != "day" else "daily buckets"
    if granularity is None:
        bucket = "this period (it covers only part of their month or year)"
    for precision in ("month", "year"):
        if coarse.get(precision):
            parts.append(f"{coarse[precision]:,} item(s) dated only to the {precision}")
    out = f"Left out: {' and '.join(parts)}, too coarse for {bucket}." if parts else ""
    if undated:
        out += (" " if out else "") + (
            f"{undated:,} undated item(s) (no date, or one that cannot be trusted) are on no timeline; "
            "they stay searchable on the Articles page."
        )
    return out


def period_left_out_note(left: dict[str, int]) -> str:
    """What a "published between" filter leaves out although it might belong there ("" when
    nothing): undated items, and items dated only to a month or year reaching outside it."""
    parts = [
        f"{left[p]:,} item(s) dated only to a {p} that reaches outside the period"
        for p in ("month", "year")
        if left.get(p)
    ]
    if left.get("undated"):
        parts.append(f"{left['undated']:,} undated item(s), which no period can hold")
    if not parts:
        return ""
    return (
        "Also matching, but left out by the period: " + " and ".join(parts) + '. Tick "Also undated and '
        'coarsely dated items" to list them.'
    )
