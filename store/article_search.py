"""The article list: its filters (`ArticleQuery`), the SQL they become, and the search
that runs it, bounded in time, with the count of what a period leaves out.

Every statement is parameterised; the only text spliced into SQL comes from the fixed
whitelist below (sort columns) or is a run of "?" placeholders.  Typed queries are
parsed by `store/query_language.py` and turned into SQL by `store/search_sql.py`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

import pandas as pd

from .query_language import SearchError, parse_query
from .query_tree import Query
from .read_session import ReadSession, _after, _marks, _query_errors
from .search_sql import query_condition

ARTICLE_SORTS = {
    "date": "i.published_at",
    "score": "i.score",
    "source": "s.name",
    "title": "i.title",
}

VOICES = ("any", "own", "distanced")

SEARCH_SECONDS = 20.0  # a typed query that needs longer is stopped with a message


@dataclass(frozen=True)
class ArticleQuery:
    """Filters of the article list.  Empty tuples mean "no restriction"."""

    text: str = ""  # typed in the search language; ignored when `query` is given
    query: Query | None = None  # the parsed form (store.query_language.parse_query)
    start: str | None = None  # first day, YYYY-MM-DD, inclusive
    end: str | None = None  # last day, inclusive
    groups: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    concepts: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    min_score: float = 0.0
    voice: str = "any"  # any | own | distanced (applies to the concept filter, or any concept)
    matching_only: bool = False
    # also list items the period cannot place but that may belong to it: undated ones, and
    # ones dated only to a month or year overlapping the period (they stay searchable)
    unplaced: bool = False
    headline: int | None = None  # 1: headline-only items, 0: items with a body text, None: both
    sort: str = "date"
    descending: bool = True


class ArticleSearch(ReadSession):
    """The article list's search (part of `StoreReader`)."""

    def search(self, q: ArticleQuery, limit: int | None = 50, offset: int = 0) -> tuple[pd.DataFrame, int]:
        """(one page of matching articles, total count).  Raises SearchError (QuerySyntaxError
        for a query that does not parse, with its position), never sqlite3 errors."""
        return self.search_rows(q, limit, offset), self.search_count(q)

    def search_count(self, q: ArticleQuery) -> int:
        """How many articles match `q` (a page shows its pages from it; it counts once per query)."""
        where, params = _article_where(q, self.conn.is_postgres)
        sql = f"SELECT count(*) FROM items i JOIN sources s ON s.id = i.source_id {where}"
        return int(self._bounded(lambda: self.scalar(sql, params)))

    def search_rows(self, q: ArticleQuery, limit: int | None = 50, offset: int = 0) -> pd.DataFrame:
        """One page of the articles matching `q`, in its order (all of them when `limit` is None)."""
        where, params = _article_where(q, self.conn.is_postgres)
        order = ARTICLE_SORTS.get(q.sort, ARTICLE_SORTS["date"])
        direction = "DESC" if q.descending else "ASC"
        page = "" if limit is None else " LIMIT ? OFFSET ?"
        page_params = () if limit is None else (int(limit), int(offset))
        return self._bounded(
            lambda: self._article_frame(
                f"{where} ORDER BY {order} {direction}, i.id {direction}{page}", params + page_params
            )
        )

    def _bounded(self, read: Callable[[], Any]) -> Any:
        """`read()` stopped after SEARCH_SECONDS; its failures as SearchError, never sqlite3 errors."""
        deadline = time.monotonic() + SEARCH_SECONDS
        self.conn.set_progress_handler(lambda: int(time.monotonic() > deadline), 10_000)
        try:
            return read()
        except _query_errors() as exc:
            if time.monotonic() > deadline:
                raise SearchError(
                    f"The search took longer than {SEARCH_SECONDS:.0f} s and was stopped. Narrow the period, "
                    "or use longer words (three letters or more use the index)."
                ) from None
            raise SearchError(f"The search could not run ({exc}). Try other words.") from None
        finally:
            self.conn.set_progress_handler(None, 0)

    def search_left_out(self, q: ArticleQuery) -> dict[str, int]:
        """Items matching every filter but the period that the period leaves out although they
        may belong to it: `undated` (no date a period can test), and `month` / `year` (dated
        only to a month or year that reaches outside the period)."""
        if not (q.start and q.end):
            return {}
        if q.unplaced:
            return {}
        where, params = _article_where(replace(q, start=None, end=None), self.conn.is_postgres)
        joiner = " AND " if where else "WHERE "
        inside, inside_args = _published_within(q.start, q.end)
        overlap, overlap_args = _overlapping(q.start, q.end)
        sql = f"""SELECT i.date_precision, count(*) FROM items i JOIN sources s ON s.id = i.source_id
                  {where}{joiner}(i.date_precision = 'undated' OR (i.date_precision IN ('month', 'year')
                  AND {overlap} AND NOT ({inside}))) GROUP BY i.date_precision"""
        deadline = time.monotonic() + SEARCH_SECONDS
        self.conn.set_progress_handler(lambda: int(time.monotonic() > deadline), 10_000)
        try:
            rows = self.conn.execute(sql, (*params, *overlap_args, *inside_args)).fetchall()
        except _query_errors():
            return {}  # the count is a courtesy: the search itself reports a query that cannot run
        finally:
            self.conn.set_progress_handler(None, 0)
        return {str(r[0]): int(r[1]) for r in rows}


def _article_where(q: ArticleQuery, postgres: bool = False) -> tuple[str, tuple[Any, ...]]:
    clauses: list[str] = []
    params: list[Any] = []
    condition, typed = query_condition(q.query if q.query is not None else parse_query(q.text), postgres)
    if condition:
        clauses.append(condition)
        params += typed
    if q.start or q.end:
        dated, args = _published_within(q.start, q.end)
        if q.unplaced and q.start and q.end:
            overlap, overlap_args = _overlapping(q.start, q.end)
            dated = (
                f"(({dated}) OR i.date_precision = 'undated' OR (i.date_precision IN ('month', 'year') AND {overlap}))"
            )
            args += overlap_args
        clauses.append(dated)
        params += args
    for column, values in (("s.group_id", q.groups), ("i.source_id", q.sources), ("i.language", q.languages)):
        if values:
            clauses.append(f"{column} IN ({_marks(values)})")
            params += list(values)
    if q.min_score > 0:
        clauses.append("i.score >= ?")
        params.append(float(q.min_score))
    if q.matching_only:
        clauses.append("i.matching = 1")
    if q.headline is not None:
        clauses.append("i.headline_only = ?")
        params.append(int(q.headline))
    concept_clause = _concept_clause(q)
    if concept_clause:
        clauses.append(concept_clause)
        params += list(q.concepts)
    where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
    return where, tuple(params)


def _published_within(start: str | None, end: str | None) -> tuple[str, list[Any]]:
    """Items whose date lies within [start, end] at its own precision: a month- or year-dated
    item only when its whole month or year does (a speech dated 2024 was not published in the
    first week of January 2024, and a chart's drill-through lists what the chart counted)."""
    clauses, params = ["i.date_precision != 'undated'"], []
    if start:
        clauses.append("i.published_at >= ?")
        params.append(start)
    if end:
        following = (date.fromisoformat(end) + timedelta(days=1)).isoformat()
        clauses.append(
            "CASE i.date_precision WHEN 'year' THEN substr(i.day, 1, 4) < ? "
            "WHEN 'month' THEN substr(i.day, 1, 7) < ? ELSE i.published_at < ? END"
        )
        params += [following[:4], following[:7], _after(end)]
    return " AND ".join(clauses), params


def _overlapping(start: str, end: str) -> tuple[str, list[Any]]:
    """Dated items whose day, month or year overlaps [start, end]."""
    return (
        "CASE i.date_precision WHEN 'year' THEN substr(i.day, 1, 4) BETWEEN ? AND ? "
        "WHEN 'month' THEN substr(i.day, 1, 7) BETWEEN ? AND ? ELSE i.day BETWEEN ? AND ? END",
        [start[:4], end[:4], start[:7], end[:7], start, end],
    )


def _concept_clause(q: ArticleQuery) -> str:
    voice = {"own": " AND ic.own > 0", "distanced": " AND ic.distanced > 0"}.get(q.voice, "")
    if not q.concepts and not voice:
        return ""
    concepts = f" AND ic.concept_id IN ({_marks(q.concepts)})" if q.concepts else ""
    return f"EXISTS (SELECT 1 FROM item_concepts ic WHERE ic.item_id = i.id{concepts}{voice})"
