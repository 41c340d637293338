"""Trend arithmetic over the pre-aggregated daily tables; pure pandas, no Streamlit.

A pooled share is sum(numerators) / sum(denominators) over a bucket, never an average
of daily ratios.  Every bucket of the period exists, but a bucket with no items has no
share (NaN: a gap in the line, never 0 %).  Each share carries its n, a Wilson 95 %
interval, and flags for thin buckets (n < min_items) and partial buckets (not fully
covered by the period or the data).  docs/methodology.md says the same in words.

The calendar (buckets, periods, which rows a period may count) is `analysis.periods`;
the matched-panel movers, the evidence kinds and the left-out notes have modules of
their own, since each page uses only some of them.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from .periods import Period, bucket_of, buckets, in_period, partial_buckets

MIN_ITEMS = 20  # default of dashboard.min_items: fewer items in a bucket is a thin sample


Z95 = 1.959963984540054


MEASURES = {"items": "items with the concept", "own_items": "own voice", "distanced_items": "distanced"}


SHARES = {"pooled": "Pooled (all items)", "sources": "Mean of per-source shares"}


def _with_groups(frame: pd.DataFrame, sources: pd.DataFrame) -> pd.DataFrame:
    return frame.merge(sources[["id", "group_id"]].rename(columns={"id": "source_id"}), on="source_id")


def trend(
    daily_source: pd.DataFrame,
    daily_concept: pd.DataFrame,
    sources: pd.DataFrame,
    period: Period,
    granularity: str,
    concepts: Sequence[str],
    by_group: bool = False,
    measures: Sequence[str] = ("items",),
    originals: bool = False,
    min_items: int = MIN_ITEMS,
    data_span: tuple[str | None, str | None] = (None, None),
    per_source: bool = False,
) -> pd.DataFrame:
    """Columns: bucket, [group_id], concept_id, measure, numerator, denominator, share, low,
    high, count, thin, partial, sources.

    `per_source`: the share is the mean of each source's own share in the bucket (sources
    with items there), so one high-volume headline feed does not drown a low-volume official
    channel; `sources` counts them.  The pooled share (default) is numerator / denominator.

    `sources` (id, group_id) restricts both numerator and denominator to the same
    sources; with `by_group` each group gets its own denominator.  `share` and `count` are
    NaN where the bucket holds no items; `low`/`high` bound the share (Wilson, 95 %);
    `data_span` (first, last day of the data) marks buckets the data only partly cover."""
    keys = ["bucket", "group_id"] if by_group else ["bucket"]
    items = "original_items" if originals else "items"
    ds = _with_groups(in_period(daily_source, period, granularity), sources)
    ds["bucket"] = bucket_of(ds["day"], granularity)
    denominator = ds.groupby(keys)[items].sum().rename("denominator")
    long = _numerators(daily_concept, sources, period, granularity, concepts, keys, measures, originals)
    numerator = long.groupby([*keys, "concept_id", "measure"])["numerator"].sum()
    pairs = pd.MultiIndex.from_product([list(concepts), list(measures)], names=["concept_id", "measure"])
    per = _per_source_shares(ds, long, keys, items, pairs.to_frame(index=False))
    full = _every_point(period, granularity, sources if by_group else None, concepts, measures)
    out = numerator.reindex(full, fill_value=0).reset_index()
    out = out.merge(denominator.reset_index(), on=keys, how="left")
    out["denominator"] = out["denominator"].fillna(0).astype("int64")
    out["numerator"] = out["numerator"].astype("int64")
    out = with_honesty(out, period, granularity, min_items, data_span)
    out = out.merge(per, on=[*keys, "concept_id", "measure"], how="left")
    out["sources"] = out["sources"].fillna(0).astype("int64")
    if per_source:
        # No binomial interval for a mean of shares: the pooled interval would claim a precision
        # the mean does not have, so none is given (the table says n and the number of sources).
        out["share"] = out["source_mean"].where(out["denominator"] > 0)
        out["low"] = out["high"] = float("nan")
    return out.drop(columns=["source_mean"])


def _numerators(
    daily_concept: pd.DataFrame,
    sources: pd.DataFrame,
    period: Period,
    granularity: str,
    concepts: Sequence[str],
    keys: list[str],
    measures: Sequence[str],
    originals: bool,
) -> pd.DataFrame:
    """One row per bucket (and group), source, concept and measure with its `numerator`:
    the concepts' daily rows of the chosen sources in the period, one measure per row."""
    dc = _with_groups(in_period(daily_concept, period, granularity), sources)
    dc = dc[dc["concept_id"].isin(list(concepts))].copy()
    dc["bucket"] = bucket_of(dc["day"], granularity)
    columns = {m: ("original_items" if originals and m == "items" else m) for m in measures}
    long = dc.melt(
        id_vars=[*keys, "source_id", "concept_id"],
        value_vars=sorted(set(columns.values())),
        var_name="column",
        value_name="numerator",
    )
    long["measure"] = long["column"].map({v: k for k, v in columns.items()})
    return long


def _every_point(
    period: Period,
    granularity: str,
    grouped: pd.DataFrame | None,
    concepts: Sequence[str],
    measures: Sequence[str],
) -> pd.MultiIndex:
    """Every bucket of the period (by each group of the `grouped` sources), concept and
    measure: a point with no rows is a gap to draw, not a point to drop."""
    levels = [buckets(period, granularity)]
    names = ["bucket"]
    if grouped is not None:
        levels.append(pd.Index(sorted(grouped["group_id"].unique())))
        names.append("group_id")
    levels += [pd.Index(list(concepts)), pd.Index(list(measures))]
    names += ["concept_id", "measure"]
    return pd.MultiIndex.from_product(levels, names=names)


def _per_source_shares(
    ds: pd.DataFrame, long: pd.DataFrame, keys: list[str], column: str, pairs: pd.DataFrame
) -> pd.DataFrame:
    """Per bucket (and group), concept and measure: the mean of the sources' own shares and
    how many sources had items."""
    den = ds.groupby([*keys, "source_id"])[column].sum()
    den = den[den > 0].rename("den").reset_index()
    num = long.groupby([*keys, "source_id", "concept_id", "measure"])["numerator"].sum().reset_index()
    grid = den.merge(pairs, how="cross").merge(num, on=[*keys, "source_id", "concept_id", "measure"], how="left")
    grid["own"] = grid["numerator"].fillna(0) / grid["den"]
    out = grid.groupby([*keys, "concept_id", "measure"]).agg(source_mean=("own", "mean"), sources=("own", "size"))
    return out.reset_index()


def with_honesty(
    out: pd.DataFrame, period: Period, granularity: str, min_items: int, data_span: tuple[str | None, str | None]
) -> pd.DataFrame:
    """Share with gaps, Wilson interval, thin and partial flags for a frame with bucket,
    numerator and denominator."""
    n = out["denominator"].where(out["denominator"] > 0)
    out["share"] = out["numerator"] / n
    out["low"], out["high"] = wilson(out["numerator"], out["denominator"])
    out["count"] = out["numerator"].where(out["denominator"] > 0)
    out["thin"] = out["denominator"] < min_items
    out["partial"] = out["bucket"].map(partial_buckets(period, granularity, data_span))
    return out


def wilson(k: pd.Series, n: pd.Series, z: float = Z95) -> tuple[pd.Series, pd.Series]:
    """Wilson score interval of a proportion k/n (NaN where n = 0): it stays inside 0-1 and
    is honest for small n and for shares near 0 or 1, where the normal approximation is not."""
    n = n.where(n > 0).astype("float64")
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * ((p * (1 - p) / n + z * z / (4 * n * n)) ** 0.5) / denom
    return (centre - half).clip(lower=0.0), (centre + half).clip(upper=1.0)


def headline(daily_source: pd.DataFrame, sources: pd.DataFrame, period: Period) -> dict[str, float | None]:
    """Items, matching items, their share (None without items: 0 of 0 is no share, never 0 %)
    and the sources with items, over the period."""
    ds = in_period(daily_source, period)
    ds = ds[ds["source_id"].isin(sources["id"])]
    items, matching = int(ds["items"].sum()), int(ds["matching"].sum())
    return {
        "items": items,
        "matching": matching,
        "share": matching / items if items else None,
        "sources_active": int(ds.loc[ds["items"] > 0, "source_id"].nunique()),
    }


def top_concepts(daily_concept: pd.DataFrame, sources: pd.DataFrame, period: Period, n: int = 5) -> list[str]:
    dc = in_period(daily_concept, period)
    counts = dc[dc["source_id"].isin(sources["id"])].groupby("concept_id")["items"].sum()
    counts = counts[counts > 0].sort_values(ascending=False, kind="stable")
    return list(counts.index[:n])


def silent_groups(frame: pd.DataFrame, groups: Sequence[str]) -> list[str]:
    """The chosen groups without one item in any bucket of a by-group trend frame (no source,
    or sources silent in the period): no line can be drawn for them, and a legend entry would
    read as a series at 0%."""
    if "group_id" not in frame:
        return list(groups)
    totals = frame.groupby("group_id")["denominator"].sum()
    return [g for g in groups if totals.get(g, 0) == 0]
