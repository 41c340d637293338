"""Per-source tables for the Sources and Overview pages: each source's items, matching share
and top concepts, the source x concept matrix behind the heatmap, and where sources
started or stopped reporting.  Separate from the trend arithmetic because these are
cross-sections of one period, not series over buckets.
"""

from __future__ import annotations

from datetime import timedelta

import pandas as pd

from .periods import Period, in_period


def coverage_changes(spans: pd.DataFrame, sources: pd.DataFrame, period: Period, quiet_days: int = 14) -> pd.DataFrame:
    """Sources whose first item falls inside the period ("added") or whose last item is
    more than `quiet_days` before its end ("stopped reporting")."""
    spans = spans.merge(sources[["id", "name", "group_id"]].rename(columns={"id": "source_id"}), on="source_id")
    added = spans[(spans["first_day"] > period.first) & (spans["first_day"] <= period.last)]
    quiet_from = (period.end - timedelta(days=quiet_days)).isoformat()
    stopped = spans[(spans["last_day"] >= period.first) & (spans["last_day"] < quiet_from)]
    out = pd.concat(
        [
            added.assign(day=added["first_day"], change="source added"),
            stopped.assign(day=stopped["last_day"], change="stopped reporting"),
        ]
    )
    out["day"] = pd.to_datetime(out["day"])
    return out[["day", "source_id", "name", "group_id", "change"]].sort_values("day").reset_index(drop=True)


def source_breakdown(
    daily_source: pd.DataFrame, daily_concept: pd.DataFrame, sources: pd.DataFrame, period: Period
) -> pd.DataFrame:
    """Per source: items, matching, share matching (NaN without items: no share, never 0 %),
    headline-only items, and its three most used concepts."""
    ds = in_period(daily_source, period)
    ds = ds.assign(headlines=ds["items"].where(ds["headline"] == 1, 0))
    per = ds.groupby("source_id")[["items", "matching", "headlines"]].sum()
    out = sources.rename(columns={"id": "source_id"}).merge(per.reset_index(), on="source_id", how="left")
    out[["items", "matching", "headlines"]] = out[["items", "matching", "headlines"]].fillna(0).astype("int64")
    out["share"] = out["matching"] / out["items"].where(out["items"] > 0)
    dc = in_period(daily_concept, period)
    top = (
        dc.groupby(["source_id", "concept_id"])["items"]
        .sum()
        .reset_index()
        .sort_values(["source_id", "items", "concept_id"], ascending=[True, False, True])
    )
    firsts = top.groupby("source_id")["concept_id"].apply(lambda s: list(s[:3]))
    out["top_concepts"] = out["source_id"].map(firsts).apply(lambda v: v if isinstance(v, list) else [])
    return out


def source_concept_matrix(daily_source: pd.DataFrame, daily_concept: pd.DataFrame, period: Period) -> pd.DataFrame:
    """Long form source × concept: items with the concept, and as a share of the source's items."""
    ds = in_period(daily_source, period).groupby("source_id")["items"].sum().rename("source_items")
    dc = in_period(daily_concept, period).groupby(["source_id", "concept_id"])["items"].sum().reset_index()
    out = dc.merge(ds.reset_index(), on="source_id", how="left")
    out["share"] = (out["items"] / out["source_items"].where(out["source_items"] > 0)).fillna(0.0)
    return out


def widest_concepts(matrix: pd.DataFrame, most: int) -> tuple[pd.DataFrame, list[str], int]:
    """The `most` concepts (column `concept_id`) with the most items across all sources of a
    source × concept matrix, in that order, the matrix cut to them, and how many concepts
    there were: a heatmap of every concept is wider than the page and cut off on screen."""
    totals = matrix.groupby("concept_id")["items"].sum()
    # ties broken by id so the cut is the same on every run
    order = sorted(totals.index, key=lambda c: (-int(totals[c]), str(c)))[:most]
    return matrix[matrix["concept_id"].isin(order)], order, len(totals)
