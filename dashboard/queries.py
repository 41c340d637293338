"""Read-side functions returning DataFrames; the dashboard's cache lives here.

Every cached function takes the store path and its data_version as its first
arguments, so a new ingest (which bumps data_version) invalidates every entry.
SQL lives in `store` (StoreReader); shaping lives in `analysis`, `highlight`, `similarity`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from analysis.default_view import NOT_COVERAGE
from analysis.watches import watch_labels
from ingest.config import STORE_URL_ENV, Config, load_config
from store.article_search import ArticleQuery
from store.reads import StoreReader
from store.watches import WatchBook

from . import colours, similarity

CONFIG_ENV = "MONITOR_CONFIG"
LATEST_LIMIT = 20
# Every cache is bounded by the pickled size of its entries, not only by their number:
# a day of searches must not grow the server (13 caches x 16 MiB is the worst case).
CACHE_BYTES = 16 * 1024 * 1024
CACHE = {"show_spinner": False, "max_entries": 64, "max_size": CACHE_BYTES}
EXPORT_LIMIT = 50_000  # rows in one CSV export


def config_path() -> Path:
    return Path(os.environ.get(CONFIG_ENV) or "config.toml").resolve()


@st.cache_data(show_spinner=False, max_entries=16)
def _config(path: str, mtime: float, store_url_env: str) -> Config:
    return load_config(path)


def config() -> Config:
    """The config, cached by its file, its modification time and MONITOR_STORE_URL: the
    variable overrides the file's store, so a process whose variable changed must not keep
    reading the store it named before (every other cache is keyed on the store)."""
    path = config_path()
    mtime = path.stat().st_mtime if path.exists() else 0.0
    return _config(str(path), mtime, os.environ.get(STORE_URL_ENV, ""))


def store_version(store_path: str) -> str:
    """Not cached: the cheap read that tells whether every cached entry is still valid."""
    with StoreReader(store_path) as r:
        return r.data_version()


@dataclass(frozen=True)
class Reference:
    groups: pd.DataFrame
    families: pd.DataFrame
    concepts: pd.DataFrame
    sources: pd.DataFrame
    concept_colour: dict[str, str] = field(default_factory=dict)
    family_colour: dict[str, str] = field(default_factory=dict)  # concept id -> family colour
    group_colour: dict[str, str] = field(default_factory=dict)
    watch_labels: dict[str, str] = field(default_factory=dict)  # "watch:<name>" -> label (watches as series)

    def concept_label(self, cid: str) -> str:
        return self.watch_labels.get(cid) or self._labels("concepts", "label").get(cid, cid)

    def group_label(self, gid: str) -> str:
        return self._labels("groups", "label").get(gid, gid)

    def source_name(self, sid: str) -> str:
        return self._labels("sources", "name").get(sid, sid)

    def _labels(self, table: str, column: str) -> dict[str, str]:
        # Built once per Reference (a page asks for hundreds of labels in one run); a frozen
        # dataclass's __dict__ still takes a memo, and the cache pickles a fresh copy per run.
        memo = self.__dict__.setdefault("_label_memo", {})
        if (table, column) not in memo:
            frame = getattr(self, table)
            memo[(table, column)] = dict(zip(frame["id"], frame[column], strict=True))
        return memo[(table, column)]

    def sources_in(self, groups: list[str] | tuple[str, ...]) -> pd.DataFrame:
        return self.sources[self.sources["group_id"].isin(list(groups))]


@st.cache_data(**CACHE)
def reference(store_path: str, version: str) -> Reference:
    with StoreReader(store_path) as r:
        groups, families, concepts, sources = r.groups(), r.families(), r.concepts(), r.sources()
        watches = watch_labels(WatchBook(r.conn).list())
    return Reference(
        groups, families, concepts, sources,
        concept_colour=colours.concept_colours(concepts, families) | colours.watch_colours(list(watches)),
        family_colour=colours.family_colours(concepts, families),
        group_colour=colours.group_colours(groups),
        watch_labels=watches,
    )


@st.cache_data(**CACHE)
def status(store_path: str, version: str) -> dict[str, Any]:
    with StoreReader(store_path) as r:
        first, last = r.day_range(exclude_groups=NOT_COVERAGE)
        return {"last_run": r.last_finished_run() or r.last_run(), "first_day": first, "last_day": last,
                "any_items": r.scalar("SELECT 1 FROM items LIMIT 1") is not None}


@st.cache_data(**CACHE)
def scoring_state(store_path: str, version: str) -> dict[str, Any]:
    with StoreReader(store_path) as r:
        return r.scoring_state()


def live_status(store_path: str) -> tuple[str, dict[str, Any] | None, str | None]:
    """(data_version, last run, newest day) read fresh for the auto-refreshing header."""
    with StoreReader(store_path) as r:
        return r.data_version(), r.last_run(), r.day_range(exclude_groups=NOT_COVERAGE)[1]


@st.cache_data(**CACHE)
def daily(store_path: str, version: str, start: str, end: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    with StoreReader(store_path) as r:
        return r.daily_source(start, end), r.daily_concept(start, end)


@st.cache_data(**CACHE)
def undated_counts(store_path: str, version: str) -> pd.DataFrame:
    """Items per source that no timeline places (undated or untrusted dates), by flag."""
    with StoreReader(store_path) as r:
        return r.undated_counts()


def undated_in(store_path: str, version: str, source_ids) -> int:
    counts = undated_counts(store_path, version)
    return int(counts.loc[counts["source_id"].isin(list(source_ids)), "items"].sum())


@st.cache_data(**CACHE)
def source_spans(store_path: str, version: str, exclude_groups: tuple[str, ...] = ()) -> pd.DataFrame:
    """Each source's first and last day; without NOT_COVERAGE's groups, the rows the briefing's
    opening week is chosen from."""
    with StoreReader(store_path) as r:
        return r.source_spans(exclude_groups=exclude_groups)


def _with_top_concepts(r: StoreReader, frame: pd.DataFrame, ref_labels: dict[str, str]) -> pd.DataFrame:
    hits = r.item_concept_hits(frame["id"].tolist())
    top = hits.groupby("item_id").apply(
        lambda g: ", ".join(ref_labels.get(c, c) for c in g["concept_id"][:3]), include_groups=False
    ) if not hits.empty else pd.Series(dtype=str)
    frame = frame.copy()
    frame["top_concepts"] = frame["id"].map(top).fillna("")
    return frame


@st.cache_data(**CACHE)
def latest(store_path: str, version: str, start: str, end: str, sources: tuple[str, ...],
           limit: int = LATEST_LIMIT, headline: int | None = None) -> pd.DataFrame:
    labels = reference(store_path, version)._labels("concepts", "label")
    with StoreReader(store_path) as r:
        return _with_top_concepts(r, r.latest_matching(start, end, sources, limit, headline), labels)


@st.cache_data(**CACHE)
def search_page(store_path: str, version: str, query: ArticleQuery, limit: int, offset: int) -> pd.DataFrame:
    """One page of the articles matching `query`, with their top concepts."""
    labels = reference(store_path, version)._labels("concepts", "label")
    with StoreReader(store_path) as r:
        return _with_top_concepts(r, r.search_rows(query, limit, offset), labels)


def search_total(store_path: str, version: str, query: ArticleQuery) -> int:
    """How many articles match `query`: counted once per query whatever page or order is
    shown (a count over a large period is most of a first visit's time)."""
    return _search_total(store_path, version, replace(query, sort="date", descending=True))


@st.cache_data(**CACHE)
def _search_total(store_path: str, version: str, query: ArticleQuery) -> int:
    with StoreReader(store_path) as r:
        return r.search_count(query)


@st.cache_data(**CACHE)
def search_left_out(store_path: str, version: str, query: ArticleQuery) -> dict[str, int]:
    with StoreReader(store_path) as r:
        return r.search_left_out(query)


def export_csv(store_path: str, query: ArticleQuery) -> bytes:
    """Every hit of `query` as CSV (at most EXPORT_LIMIT rows), built when the analyst asks
    for the download and never cached: an export is used once and can be tens of MB."""
    with StoreReader(store_path) as r:
        rows = r.search_rows(query, EXPORT_LIMIT, 0)  # no count: the page has it
        concepts = r.concepts()
        full = _with_top_concepts(r, rows, dict(zip(concepts["id"], concepts["label"], strict=True)))
    # With a byte-order mark Excel opens Chinese and Russian text correctly.
    return full.drop(columns=["matching"]).to_csv(index=False).encode("utf-8-sig")


@st.cache_data(**CACHE)
def passages(store_path: str, version: str, item_ids: tuple[int, ...]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Texts and concept matches of one page of search results (for the passage column)."""
    with StoreReader(store_path) as r:
        return r.passages(item_ids)


@st.cache_data(**CACHE)
def article(store_path: str, version: str, item_id: int) -> dict[str, Any] | None:
    with StoreReader(store_path) as r:
        item = r.item(item_id)
        if item is None:
            return None
        return {"item": item, "matches": r.item_matches(item_id), "scores": r.item_concept_hits([item_id]),
                "copies": r.copies(item_id)}


@st.cache_data(**CACHE)
def closest_seeds(store_path: str, version: str, item_id: int) -> pd.DataFrame:
    """Seeds ranked by concept-profile similarity (language-independent), with the word
    TF-IDF similarity beside it (meaningful only between texts in the same language)."""
    columns = ["id", "title", "published_raw", "similarity", "word_similarity"]
    with StoreReader(store_path) as r:
        seeds = r.seed_documents()
        item = r.item(item_id)
        seed_hits = r.seed_concepts()
        item_hits = r.item_concept_hits([item_id])
    if item is None or seeds.empty:
        return pd.DataFrame(columns=columns)
    others = seeds[seeds["id"] != item_id]
    hits_of = {k: dict(zip(g["concept_id"], g["hits"], strict=True)) for k, g in seed_hits.groupby("item_id")}
    concept = dict(similarity.concept_similarity(dict(zip(item_hits["concept_id"], item_hits["hits"], strict=True)),
                                                 [(k, hits_of.get(k, {})) for k in others["id"]]))
    words = dict(similarity.closest_seeds(item["text"], list(zip(others["id"], others["text"], strict=True))))
    out = others[["id", "title", "published_raw"]].copy()
    out["similarity"] = out["id"].map(concept)
    out["word_similarity"] = out["id"].map(words)
    return out.sort_values(["similarity", "word_similarity"], ascending=False).reset_index(drop=True)


@st.cache_data(**CACHE)
def feed_health(store_path: str, version: str, since_day: str) -> pd.DataFrame:
    with StoreReader(store_path) as r:
        return r.feed_health(since_day)


@st.cache_data(**CACHE)
def lexicon_usage(store_path: str, version: str) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, int]]:
    with StoreReader(store_path) as r:
        return r.concept_totals(), r.concept_monthly_hits(), r.concept_uses_off_the_months()


@st.cache_data(**CACHE)
def seed_matrix(store_path: str, version: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    with StoreReader(store_path) as r:
        return r.seed_documents().drop(columns=["text"]), r.seed_concepts()
