"""The Briefing: every number of one weekly briefing, computed once.

The dashboard page and the Markdown, HTML and CSV exporters only render a
Briefing; none of them computes anything, so they cannot disagree.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

import pandas as pd


@dataclass(frozen=True)
class Headline:
    items: int
    matching: int
    share: float
    baseline_weeks: int  # previous weeks (of four) that the store covers
    baseline_items: float  # average per week
    baseline_matching: float
    baseline_share: float | None


@dataclass(frozen=True)
class Caveat:
    source_id: str
    source: str
    group_id: str
    kind: str  # failed | silent | failing
    text: str


@dataclass(frozen=True)
class ConceptChange:
    concept_id: str
    label: str
    family: str
    items: int
    share: float
    base_items: int
    base_share: float | None
    change_pp: float | None  # percentage points
    g2: float
    p: float
    significant: bool
    direction: str  # rising | falling | flat | new
    first_time: bool


@dataclass(frozen=True)
class GroupShare:
    concept_id: str
    label: str
    group_id: str
    group: str
    items: int
    group_items: int
    share: float
    prev_share: float | None
    change_pp: float | None


@dataclass(frozen=True)
class Crossing:
    concept_id: str
    label: str
    group_id: str
    group: str
    voice: str  # own-voice | distanced
    items: int
    used_before_by: tuple[str, ...]
    example_title: str
    example_source: str
    example_url: str | None


@dataclass(frozen=True)
class Sentence:
    before: str
    match: str
    after: str
    distanced: bool = False


@dataclass(frozen=True)
class TopArticle:
    concept_id: str
    label: str
    item_id: int
    title: str
    source: str
    group: str
    published_at: str
    url: str | None
    score: float
    hits: int
    sentence: Sentence | None


@dataclass(frozen=True)
class Phrase:
    phrase: str
    language: str
    count: int
    items: int
    base_count: int
    g2: float
    example: Sentence | None


@dataclass(frozen=True)
class TrendPoint:
    week: str
    concept_id: str
    label: str
    items: int
    total: int
    share: float | None  # None for a week without items: a gap, never 0 %


@dataclass(frozen=True)
class MatchingItem:
    item_id: int
    published_at: str
    source_id: str
    source: str
    group_id: str
    title: str
    url: str | None
    language: str
    score: float
    copy_of: int | None
    concepts: tuple[str, ...]
    hits: tuple[int, ...]


@dataclass(frozen=True)
class WatchLine:
    """One analyst's watch this week against the four weeks before (analysis/watches.py)."""

    name: str
    label: str
    items: int
    total: int  # all items in the watch's scope this week
    base_items: int
    base_total: int
    g2: float
    p: float
    significant: bool
    direction: str


@dataclass(frozen=True)
class Briefing:
    week: str
    first_day: str
    last_day: str
    groups: tuple[str, ...]  # selected group ids; empty = all groups
    group_labels: dict[str, str]
    headline: Headline
    caveats: tuple[Caveat, ...]
    concepts: tuple[ConceptChange, ...]  # every concept seen this week or in the baseline
    group_table: tuple[GroupShare, ...]
    crossings: tuple[Crossing, ...]
    top_articles: tuple[TopArticle, ...]
    top_note: str
    phrases: tuple[Phrase, ...]
    trend: tuple[TrendPoint, ...]
    items: tuple[MatchingItem, ...]
    method: tuple[str, ...] = field(default=())
    watches: tuple[WatchLine, ...] = field(default=())

    @property
    def scope(self) -> str:
        if not self.groups:
            return "all groups"
        return ", ".join(self.group_labels.get(g, g) for g in self.groups)

    @property
    def rising(self) -> list[ConceptChange]:
        return [c for c in self.concepts if c.significant and c.direction == "rising"]

    @property
    def falling(self) -> list[ConceptChange]:
        return [c for c in self.concepts if c.significant and c.direction == "falling"]

    @property
    def first_time(self) -> list[ConceptChange]:
        return [c for c in self.concepts if c.first_time]

    @property
    def movers(self) -> list[ConceptChange]:
        return self.rising + self.falling


def frame(rows: Any, cls: type) -> pd.DataFrame:
    """A DataFrame of dataclass rows (columns in field order, also when empty)."""
    names = [f.name for f in fields(cls)]
    return pd.DataFrame([asdict(r) for r in rows], columns=names)
