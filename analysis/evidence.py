"""The two kinds of evidence an item can be (a full text, or a headline without body text)
and the cuts and words for them: filter a daily table to one kind, split each source in
two by kind, say how much of a series is headline-only.

Separate from the share arithmetic because it only reshapes the daily frames that
`analysis.trends.trend` then reads; the kind is decided per item by the store.
"""

from __future__ import annotations

import pandas as pd

from .periods import Period, in_period

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
    ds = in_period(daily_source, period, granularity)
    ds = ds[ds["source_id"].isin(sources["id"])]
    heads = int(ds.loc[ds["headline"] == 1, "items"].sum())
    full = int(ds["items"].sum()) - heads
    return (
        f"Built from {full:,} full-text item(s) and {heads:,} headline-only item(s) (no body text beyond "
        "the title: weaker evidence than a full text; filter or split by it with Evidence). "
    )
