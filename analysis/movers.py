"""Concept movers: the change in each concept's share between a period and the one before,
over a matched panel of sources (only those active in both), so a feed that starts or
stops does not read as a shift.  A table of its own because it compares two periods,
where the trend arithmetic reads one.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .periods import Period, in_period
from .trends import MIN_ITEMS


@dataclass(frozen=True)
class Movers:
    """Concept shares now and before over a matched panel of sources."""

    table: pd.DataFrame  # concept_id, items_now, share_now, items_before, share_before, change_pp
    panel: tuple[str, ...]  # source ids active in both periods: the only ones compared
    left_out: tuple[str, ...]  # chosen sources active in only one of the two periods
    total_now: int
    total_before: int
    reason: str | None = None  # why there are no movers, in words


def matched_panel(daily_source: pd.DataFrame, sources: pd.DataFrame, period: Period) -> tuple[list[str], list[str]]:
    """(sources with items in both the period and the one before, those with items in only one)."""
    active = []
    for p in (period, period.previous()):
        ds = in_period(daily_source, p)
        ds = ds[ds["source_id"].isin(sources["id"]) & (ds["items"] > 0)]
        active.append(set(ds["source_id"]))
    both = sorted(active[0] & active[1])
    return both, sorted((active[0] | active[1]) - set(both))


def concept_movers(
    daily_source: pd.DataFrame,
    daily_concept: pd.DataFrame,
    sources: pd.DataFrame,
    period: Period,
    min_items: int = MIN_ITEMS,
    data_span: tuple[str | None, str | None] = (None, None),
) -> Movers:
    """Per concept: share of the panel's items using it now and in the previous period, and
    the change in percentage points, biggest rise first.  Only sources active in both
    periods count (a matched panel), so a feed that starts or stops does not read as a shift;
    no movers when either period holds fewer than `min_items` panel items or lies partly
    outside the data."""
    panel, left = matched_panel(daily_source, sources, period)
    rows, totals = [], []
    for name, p in (("now", period), ("before", period.previous())):
        ds = in_period(daily_source, p)
        totals.append(int(ds.loc[ds["source_id"].isin(panel), "items"].sum()))
        dc = in_period(daily_concept, p)
        counts = dc[dc["source_id"].isin(panel)].groupby("concept_id")["items"].sum()
        rows.append(pd.DataFrame({f"items_{name}": counts}))
    cols = ["concept_id", "items_now", "share_now", "items_before", "share_before", "change_pp"]
    reason = _no_movers_reason(totals, min_items, period, data_span)
    out = pd.concat(rows, axis=1).fillna(0)
    if reason or out.empty:
        return Movers(pd.DataFrame(columns=cols), tuple(panel), tuple(left), totals[0], totals[1], reason)
    for name, total in (("now", totals[0]), ("before", totals[1])):
        out[f"share_{name}"] = out[f"items_{name}"] / total
    out["change_pp"] = (out["share_now"] - out["share_before"]) * 100
    out = out.rename_axis("concept_id").reset_index()
    table = out[cols].sort_values(["change_pp", "concept_id"], ascending=[False, True]).reset_index(drop=True)
    return Movers(table, tuple(panel), tuple(left), totals[0], totals[1])


def _no_movers_reason(
    totals: list[int], min_items: int, period: Period, data_span: tuple[str | None, str | None]
) -> str | None:
    previous = period.previous()
    if data_span[0] and previous.first < data_span[0]:
        return f"the previous period ({previous.first} to {previous.last}) starts before the data ({data_span[0]})"
    if data_span[1] and period.last > data_span[1]:
        return f"the period runs past the newest data ({data_span[1]})"
    if min(totals) < min_items:
        return (
            f"too few items from sources active in both periods ({totals[0]:,} now, {totals[1]:,} before; "
            f"at least {min_items} each are needed)"
        )
    return None
