"""Trend arithmetic over the pre-aggregated daily tables; pure pandas, no Streamlit.

A pooled share is sum(numerators) / sum(denominators) over a bucket, never an average
of daily ratios.  Every bucket of the period exists, but a bucket with no items has no
share (NaN: a gap in the line, never 0 %).  Each share carries its n, a Wilson 95 %
interval, and flags for thin buckets (n < min_items) and partial buckets (not fully
covered by the period or the data).  docs/methodology.md says the same in words.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

GRANULARITIES = ("day", "week", "month", "year")
MIN_ITEMS = 20  # default of dashboard.min_items: fewer items in a bucket is a thin sample
Z95 = 1.959963984540054
MEASURES = {"items": "items with the concept", "own_items": "own voice", "distanced_items": "distanced"}


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
    ds = _with_groups(_in_period(daily_source, period, granularity), sources)
    ds["bucket"] = bucket_of(ds["day"], granularity)
    denominator = ds.groupby(keys)["original_items" if originals else "items"].sum().rename("denominator")
    dc = _with_groups(_in_period(daily_concept, period, granularity), sources)
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
    numerator = long.groupby([*keys, "concept_id", "measure"])["numerator"].sum()
    pairs = pd.MultiIndex.from_product([list(concepts), list(measures)], names=["concept_id", "measure"])
    per = _per_source_shares(ds, long, keys, "original_items" if originals else "items", pairs.to_frame(index=False))
    levels = [buckets(period, granularity)]
    names = ["bucket"]
    if by_group:
        levels.append(pd.Index(sorted(sources["group_id"].unique())))
        names.append("group_id")
    levels += [pd.Index(list(concepts)), pd.Index(list(measures))]
    names += ["concept_id", "measure"]
    full = pd.MultiIndex.from_product(levels, names=names)
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


def _in_period(frame: pd.DataFrame, period: Period, granularity: str | None = None) -> pd.DataFrame:
    """Rows inside the period that may be counted at `granularity`: a month- or year-dated item
    only in a month or year bucket, and only when the period covers its whole month or year
    (a 2024 speech is not evidence about March 2024)."""
    inside = frame[(frame["day"] >= period.first) & (frame["day"] <= period.last)]
    if "precision" not in inside or inside.empty:
        return inside
    keep = inside["precision"].isin(_ALLOWED[granularity]) & (span_end(inside) <= period.last)
    return inside[keep]


SHARES = {"pooled": "Pooled (all items)", "sources": "Mean of per-source shares"}
EVIDENCE = {"all": "All items", "full text": "Full-text items only", "headlines": "Headline-only items only"}
KINDS = {0: "full text", 1: "headlines"}  # the aggregates' `headline` column (store/evidence.py)


def of_evidence(frame: pd.DataFrame, evidence: str) -> pd.DataFrame:
    """The rows of a daily frame that count items of one kind of evidence (all: every row).
    The kind is the item's own (a headline without body text, or a text), not its source's."""
    flag = headline_flag(evidence)
    return frame if flag is None else frame[frame["headline"] == flag]


def headline_flag(evidence: str) -> int | None:
    """The store's `headline` value for an Evidence choice (None: both kinds)."""
    return None if evidence == "all" else int(evidence == "headlines")


def split_by_evidence(
    daily_source: pd.DataFrame, daily_concept: pd.DataFrame, sources: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The daily frames and sources with each source's headline-only and full-text items as two
    sources, grouped by their kind: a `trend(by_group=True)` over them draws one series per kind
    (and a per-source share is then each source's share among its items of that kind)."""

    def tag(frame: pd.DataFrame) -> pd.DataFrame:
        return frame.assign(source_id=frame["source_id"] + " / " + frame["headline"].map(KINDS))

    split = pd.concat(
        [sources.assign(id=sources["id"] + " / " + kind, group_id=kind) for kind in KINDS.values()], ignore_index=True
    )
    return tag(daily_source), tag(daily_concept), split


def evidence_note(daily_source: pd.DataFrame, sources: pd.DataFrame, period: Period, granularity: str | None) -> str:
    """Which kind of evidence a series is built from, in words: its items of each kind."""
    ds = _in_period(daily_source, period, granularity)
    ds = ds[ds["source_id"].isin(sources["id"])]
    heads = int(ds.loc[ds["headline"] == 1, "items"].sum())
    full = int(ds["items"].sum()) - heads
    return (
        f"Built from {full:,} full-text item(s) and {heads:,} headline-only item(s) (no body text beyond "
        "the title: weaker evidence than a full text; filter or split by it with Evidence). "
    )


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


def left_out(daily_source: pd.DataFrame, sources: pd.DataFrame, period: Period, granularity: str | None) -> dict:
    """Items whose date overlaps the period but that a chart at `granularity` cannot place
    (too coarse for its buckets, or their month or year reaches outside the period), by precision."""
    frame = daily_source[daily_source["source_id"].isin(sources["id"])]
    if "precision" not in frame or frame.empty:
        return {}
    overlaps = frame[(frame["day"] <= period.last) & (span_end(frame) >= period.first)]
    kept = _in_period(overlaps, period, granularity)
    dropped = overlaps.drop(kept.index)
    return {str(k): int(v) for k, v in dropped.groupby("precision")["items"].sum().items() if v}


def headline(daily_source: pd.DataFrame, sources: pd.DataFrame, period: Period) -> dict[str, float | None]:
    """Items, matching items, their share (None without items: 0 of 0 is no share, never 0 %)
    and the sources with items, over the period."""
    ds = _in_period(daily_source, period)
    ds = ds[ds["source_id"].isin(sources["id"])]
    items, matching = int(ds["items"].sum()), int(ds["matching"].sum())
    return {
        "items": items,
        "matching": matching,
        "share": matching / items if items else None,
        "sources_active": int(ds.loc[ds["items"] > 0, "source_id"].nunique()),
    }


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
        ds = _in_period(daily_source, p)
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
        ds = _in_period(daily_source, p)
        totals.append(int(ds.loc[ds["source_id"].isin(panel), "items"].sum()))
        dc = _in_period(daily_concept, p)
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


def top_concepts(daily_concept: pd.DataFrame, sources: pd.DataFrame, period: Period, n: int = 5) -> list[str]:
    dc = _in_period(daily_concept, period)
    counts = dc[dc["source_id"].isin(sources["id"])].groupby("concept_id")["items"].sum()
    counts = counts[counts > 0].sort_values(ascending=False, kind="stable")
    return list(counts.index[:n])


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
    ds = _in_period(daily_source, period)
    ds = ds.assign(headlines=ds["items"].where(ds["headline"] == 1, 0))
    per = ds.groupby("source_id")[["items", "matching", "headlines"]].sum()
    out = sources.rename(columns={"id": "source_id"}).merge(per.reset_index(), on="source_id", how="left")
    out[["items", "matching", "headlines"]] = out[["items", "matching", "headlines"]].fillna(0).astype("int64")
    out["share"] = out["matching"] / out["items"].where(out["items"] > 0)
    dc = _in_period(daily_concept, period)
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
    ds = _in_period(daily_source, period).groupby("source_id")["items"].sum().rename("source_items")
    dc = _in_period(daily_concept, period).groupby(["source_id", "concept_id"])["items"].sum().reset_index()
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


def monthly_sparklines(monthly: pd.DataFrame) -> pd.DataFrame:
    """Hits per concept (rows) and month (columns, every month from the first to the last,
    none skipped: a sparkline squeezes time evenly or it draws a false shape)."""
    if monthly.empty:
        return pd.DataFrame()
    months = pd.period_range(monthly["month"].min(), monthly["month"].max(), freq="M").strftime("%Y-%m")
    spark = monthly.pivot_table(index="concept_id", columns="month", values="hits", aggfunc="sum", fill_value=0)
    return spark.reindex(columns=list(months), fill_value=0)


def sparkline_note(off: dict[str, int], last_day: str | None) -> str:
    """What the Lexicon's totals and sparklines leave out, and whether their last month is partial."""
    parts = []
    if off.get("year_hits"):
        parts.append(
            f"Sparklines leave out {off['year_hits']:,} hit(s) in {off['year_items']:,} item(s) dated only to a "
            "year (counted in the totals; a year has no month to draw them in)."
        )
    if off.get("undated_hits"):
        parts.append(
            f"Totals and sparklines leave out {off['undated_hits']:,} hit(s) in {off['undated_items']:,} undated "
            "item(s) (no date, or one that cannot be trusted; the seed comparison below still shows the seeds)."
        )
    if last_day:
        end = date.fromisoformat(last_day)
        if (end + timedelta(days=1)).month == end.month:
            parts.append(f"The last month is partial: the data end on {last_day}.")
    return " ".join(parts)
