"""Figures derived from the daily aggregates, cached per view.

Every widget change and every visit reruns a page's script.  The arithmetic over the daily
aggregates behind a page (headline figures, movers, trend series, the notes on what a chart
leaves out) cost the Overview about 0.15 s of server CPU per run at 1M items and Compare
about 0.13 s, most of it pandas work on string-keyed frames, and the daily frames themselves
are copied out of the read cache on every run.  All of it depends only on the store's
version and the view's parameters, so it is cached here by both, bounded like the reads in
`queries`: a rerun of an unchanged view reads back a few small results.  The figures are
those of the `analysis` functions, called with the same frames as before.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import pandas as pd
import streamlit as st

from analysis import omissions, source_tables, trends
from analysis.evidence import evidence_note, of_evidence, split_by_evidence
from analysis.movers import Movers, concept_movers
from analysis.periods import Period

from . import queries, watch_queries
from .queries import CACHE


@dataclass(frozen=True)
class Daily:
    """The daily rows a view reads: the store and its version, the days read (from
    `read_from`, which reaches back to the start of a year so that year-dated items
    overlapping the period are seen, to `last`), the groups whose sources count, the
    evidence kind (all, full text, headlines), and whether watches join the concepts."""

    store_path: str
    version: str
    read_from: str
    last: str
    groups: tuple[str, ...]
    evidence: str = "all"
    watches: bool = True


def _frames(view: Daily) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(daily_source, daily_concept, sources) of a view, filtered by its evidence kind."""
    ds, dc = queries.daily(view.store_path, view.version, view.read_from, view.last)
    if view.watches:
        dc = watch_queries.with_watches(view.store_path, view.version, dc, view.read_from, view.last)
    sources = queries.reference(view.store_path, view.version).sources_in(view.groups)
    return of_evidence(ds, view.evidence), of_evidence(dc, view.evidence), sources


@dataclass(frozen=True)
class Headline:
    figures: dict[str, Any]
    movers: Movers
    left_out: dict[str, int]  # coarsely dated items the period's figures leave out


@st.cache_data(**CACHE)
def headline(view: Daily, start: date, end: date, min_items: int, span: tuple[str | None, str | None]) -> Headline:
    """The Overview's figures and movers (concepts only: watches are not movers)."""
    period = Period(start, end)
    ds, dc, sources = _frames(replace(view, watches=False))
    return Headline(
        trends.headline(ds, sources, period),
        concept_movers(ds, dc, sources, period, min_items, span),
        omissions.left_out(ds, sources, period, None),
    )


@st.cache_data(**CACHE)
def top_concepts(view: Daily, start: date, end: date, n: int = 5) -> list[str]:
    _, dc, sources = _frames(view)
    return trends.top_concepts(dc, sources, Period(start, end), n)


@dataclass(frozen=True)
class Trend:
    frame: pd.DataFrame
    evidence_note: str  # how many full-text and headline-only items the series are built from
    left_out: dict[str, int]  # coarsely dated items no bucket of the chart can hold


@st.cache_data(**CACHE)
def trend(
    view: Daily,
    start: date,
    end: date,
    bucket: str,
    concepts: tuple[str, ...],
    *,
    by_group: bool = False,
    measures: tuple[str, ...] = ("items",),
    originals: bool = False,
    min_items: int,
    span: tuple[str | None, str | None],
    per_source: bool = False,
    split_evidence: bool = False,
) -> Trend:
    """`trends.trend` over a view; with `split_evidence` each source's full-text and
    headline-only items are two series (analysis.evidence.split_by_evidence)."""
    period = Period(start, end)
    ds, dc, sources = _frames(view)
    ts, tc, tsources = split_by_evidence(ds, dc, sources) if split_evidence else (ds, dc, sources)
    frame = trends.trend(
        ts,
        tc,
        tsources,
        period,
        bucket,
        concepts,
        by_group=by_group,
        measures=measures,
        originals=originals,
        min_items=min_items,
        data_span=span,
        per_source=per_source,
    )
    return Trend(frame, evidence_note(ds, sources, period, bucket), omissions.left_out(ds, sources, period, bucket))


@dataclass(frozen=True)
class Sources:
    breakdown: pd.DataFrame  # analysis.source_tables.source_breakdown: one row per source
    left_out: dict[str, int]
    matrix: pd.DataFrame  # analysis.source_tables.source_concept_matrix, every source of the store


@st.cache_data(**CACHE)
def sources(view: Daily, start: date, end: date) -> Sources:
    """The Sources page's tables (concepts only)."""
    period = Period(start, end)
    ds, dc, chosen = _frames(replace(view, watches=False))
    return Sources(
        source_tables.source_breakdown(ds, dc, chosen, period),
        omissions.left_out(ds, chosen, period, None),
        source_tables.source_concept_matrix(ds, dc, period),
    )


@st.cache_data(**CACHE)
def coverage_changes(store_path: str, version: str, groups: tuple[str, ...], start: date, end: date) -> pd.DataFrame:
    """analysis.source_tables.coverage_changes for the sources of `groups`."""
    spans = queries.source_spans(store_path, version)
    chosen = queries.reference(store_path, version).sources_in(groups)
    return source_tables.coverage_changes(spans, chosen, Period(start, end))
