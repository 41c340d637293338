"""The read side of the store, for the dashboard, the briefing and the CLI.

Opens the store read-only (the dashboard never writes), checks the schema
version, and returns DataFrames.  Readers in WAL mode never block the writer and
are never blocked by it; a busy timeout covers checkpoints.

Every statement is parameterised; the only text spliced into SQL comes from the
fixed whitelists below (sort columns) or is a run of "?" placeholders.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd

from .db import check_version, open_connection
from .query_language import Query, SearchError, parse_query
from .runs import as_shown
from .search_sql import query_condition, regexp_like
from .url import StoreTarget, as_target

__all__ = ["ARTICLE_SORTS", "VOICES", "ArticleQuery", "Query", "SearchError", "StoreReader", "parse_query"]

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


def _marks(values: Sequence[Any]) -> str:
    return ",".join("?" * len(values))


def frame(conn: Any, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> pd.DataFrame:
    """One query's rows as a DataFrame, with the cursor's column names (also for empty results)."""
    cur = conn.execute(sql, params if isinstance(params, dict) else tuple(params))
    return pd.DataFrame.from_records(cur.fetchall(), columns=[d[0] for d in cur.description])


class StoreReader:
    def __init__(self, location: str | Path | StoreTarget):
        self.target = as_target(location)
        # The file, or the connection URL (so `StoreReader(store.path)` opens the same store);
        # messages name `where`, which never shows a password.
        self.path: Path | str = self.target.path or self.target.dsn or ""
        where = self.target.path or self.target.display()
        self.conn = open_connection(self.target, readonly=True)
        try:
            check_version(self.conn, where)
        except Exception:
            self.conn.close()
            raise
        self.conn.create_function("regexp_like", 2, regexp_like, deterministic=True)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> StoreReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def frame(self, sql: str, params: tuple[Any, ...] | dict[str, Any] = ()) -> pd.DataFrame:
        return frame(self.conn, sql, params)

    def scalar(self, sql: str, params: tuple[Any, ...] = ()) -> Any:
        row = self.conn.execute(sql, params).fetchone()
        return None if row is None else row[0]

    def data_version(self) -> str:
        """Changes whenever ingest commits: the key of every dashboard cache."""
        try:
            return str(self.scalar("SELECT value FROM meta WHERE key = 'data_version'") or "0")
        except _query_errors():
            return "0"

    def last_run(self) -> dict[str, Any] | None:
        """The newest run as it is: marked running but gone (store/runs.py) reads interrupted."""
        row = self.conn.execute("SELECT * FROM runs ORDER BY id DESC LIMIT 1").fetchone()
        return as_shown(self.conn, None if row is None else dict(row), datetime.now(UTC))

    def last_finished_run(self) -> dict[str, Any] | None:
        row = self.conn.execute("SELECT * FROM runs WHERE finished_at IS NOT NULL ORDER BY id DESC LIMIT 1").fetchone()
        return None if row is None else dict(row)

    def feed_health(self, since_day: str = "0000-00-00") -> pd.DataFrame:
        """One row per configured feed; `items_recent` counts items on or after `since_day`."""
        return self.frame(
            """SELECT s.id AS source_id, s.name, s.group_id, s.url AS configured_url,
                      coalesce(f.status, 'never fetched') AS status, f.http_status, f.error,
                      f.last_attempt_at, f.last_success_at, coalesce(f.consecutive_failures, 0)
                        AS consecutive_failures, f.next_attempt_at, f.url AS current_url,
                      (SELECT rs.error FROM run_sources rs WHERE rs.source_id = s.id AND rs.error IS NOT NULL
                        ORDER BY rs.run_id DESC LIMIT 1) AS last_error,
                      (SELECT rs.finished_at FROM run_sources rs WHERE rs.source_id = s.id
                        AND rs.error IS NOT NULL ORDER BY rs.run_id DESC LIMIT 1) AS last_error_at,
                      (SELECT coalesce(sum(d.items), 0) FROM daily_source d WHERE d.source_id = s.id
                        AND d.day >= ?) AS items_recent
               FROM sources s LEFT JOIN feed_state f ON f.source_id = s.id
               WHERE s.kind = 'feed' AND s.configured = 1
               ORDER BY s.group_id, s.id""",
            (since_day,),
        )

    # ---- reference tables ---------------------------------------------------

    def groups(self) -> pd.DataFrame:
        return self.frame("SELECT id, label, colour, position FROM groups ORDER BY position")

    def families(self) -> pd.DataFrame:
        return self.frame("SELECT id, label, colour, description, position FROM families ORDER BY position")

    def concepts(self) -> pd.DataFrame:
        return self.frame(
            "SELECT id, label, family_id, definition, seed, weight, forms, position FROM concepts ORDER BY position"
        )

    def sources(self) -> pd.DataFrame:
        return self.frame(
            """SELECT id, name, group_id, kind, language, url, parent_id, configured, first_seen_at
               FROM sources ORDER BY group_id, name"""
        )

    # ---- pre-aggregated counts (never scan items) ----------------------------

    def day_range(self, exclude_groups: Sequence[str] = ()) -> tuple[str | None, str | None]:
        """First day with items, and the newest day of an item whose date is trusted.

        An item without a usable date is dated at its fetch time and flagged estimated;
        two such archive rows must not drag the default period to today, so the newest
        day comes from dated items (newest first along the published_at index)."""
        # An empty NOT IN () is SQLite-only; NOT IN (NULL-free empty set) means "no exclusion".
        keep = f"s.group_id NOT IN ({_marks(exclude_groups)})" if exclude_groups else "1 = 1"
        first = self.conn.execute(
            f"""SELECT min(d.day) FROM daily_source d JOIN sources s ON s.id = d.source_id
                WHERE d.precision = 'day' AND {keep}""",
            tuple(exclude_groups),
        ).fetchone()[0]
        # One query per precision: each walks the (date_precision, published_at) index from its
        # newest end and stops at the first row that qualifies.  With `IN ('time', 'day')` the two
        # ranges must be merged by a sort of every dated item (seconds at a million items), and
        # every dashboard page asks this on every run.
        newest = []
        for precision in ("time", "day"):
            row = self.conn.execute(
                f"""SELECT i.published_at, i.day FROM items i JOIN sources s ON s.id = i.source_id
                    WHERE i.date_precision = ? AND i.date_estimated = 0 AND {keep}
                    ORDER BY i.published_at DESC LIMIT 1""",
                (precision, *exclude_groups),
            ).fetchone()
            if row is not None:
                newest.append((row[0], row[1]))
        return first, (max(newest)[1] if newest else None)

    def daily_source(self, start: str, end: str) -> pd.DataFrame:
        """Counts per day, source, precision (`day`, `month`, `year`) and kind of evidence
        (`headline` 1: headline-only items, 0: items with a body text): a month- or year-dated
        item sits on the first day of its month or year, and callers must never count it in a
        finer bucket (analysis.periods.in_period)."""
        return self.frame(
            """SELECT day, source_id, precision, headline, items, matching, original_items, original_matching
               FROM daily_source WHERE day BETWEEN ? AND ? ORDER BY day""",
            (start, end),
        )

    def daily_concept(self, start: str, end: str, concepts: Sequence[str] = ()) -> pd.DataFrame:
        where = f" AND concept_id IN ({_marks(concepts)})" if concepts else ""
        return self.frame(
            f"""SELECT day, source_id, concept_id, precision, headline, items, own_items, distanced_items, hits,
                       original_items
                FROM daily_concept WHERE day BETWEEN ? AND ?{where} ORDER BY day""",
            (start, end, *concepts),
        )

    def undated_counts(self) -> pd.DataFrame:
        """Items per source that no timeline can place: undated, or dated by a date that cannot
        be trusted (the flag says why)."""
        return self.frame(
            """SELECT source_id, coalesce(date_flag, 'undated') AS flag, count(*) AS items, sum(matching) AS matching
               FROM items WHERE date_precision = 'undated' GROUP BY source_id, flag"""
        )

    def source_spans(self, exclude_groups: Sequence[str] = ()) -> pd.DataFrame:
        """First and last day each source has items: where coverage begins and ends."""
        # Grouped first, from the covering index daily_source_span; then one source lookup a group.
        keep = f"WHERE s.group_id NOT IN ({_marks(exclude_groups)})" if exclude_groups else ""
        return self.frame(
            f"""SELECT d.source_id, d.first_day, d.last_day, d.items
                FROM (SELECT source_id, min(day) AS first_day, max(day) AS last_day, sum(items) AS items
                      FROM daily_source WHERE precision = 'day' GROUP BY source_id) d
                JOIN sources s ON s.id = d.source_id {keep}
                ORDER BY d.source_id""",
            tuple(exclude_groups),
        )

    def concept_totals(self) -> pd.DataFrame:
        return self.frame(
            """SELECT concept_id, sum(hits) AS hits, sum(items) AS items, sum(distanced_items) AS distanced_items
               FROM daily_concept GROUP BY concept_id"""
        )

    def concept_monthly_hits(self) -> pd.DataFrame:
        """Hits per month; year-dated items are left out (they would all land in January)."""
        return self.frame(
            """SELECT substr(day, 1, 7) AS month, concept_id, sum(hits) AS hits
               FROM daily_concept WHERE precision IN ('day', 'month') GROUP BY month, concept_id ORDER BY month"""
        )

    def concept_uses_off_the_months(self) -> dict[str, int]:
        """Concept hits no monthly sparkline can place, and the matching items that hold them:
        dated only to a year (`year_*`), or undated (`undated_*`)."""
        year = self.conn.execute(
            """SELECT (SELECT coalesce(sum(hits), 0) FROM daily_concept WHERE precision = 'year'),
                      (SELECT coalesce(sum(matching), 0) FROM daily_source WHERE precision = 'year')"""
        ).fetchone()
        undated = self.conn.execute(
            """SELECT coalesce(sum(ic.hits), 0), count(DISTINCT ic.item_id) FROM item_concepts ic
               JOIN items i ON i.id = ic.item_id WHERE i.date_precision = 'undated'"""
        ).fetchone()
        return {
            "year_hits": int(year[0]),
            "year_items": int(year[1]),
            "undated_hits": int(undated[0]),
            "undated_items": int(undated[1]),
        }

    # ---- items ----------------------------------------------------------------

    def latest_matching(
        self, start: str, end: str, sources: Sequence[str], limit: int = 20, headline: int | None = None
    ) -> pd.DataFrame:
        """The newest matching items (`headline` 1 or 0: only headline-only or only full-text
        items); walks the (matching, published_at) index backwards."""
        if not sources:
            return self._article_frame("WHERE 1 = 0", ())
        kind = "" if headline is None else " AND i.headline_only = ?"
        return self._article_frame(
            f"""WHERE i.matching = 1 AND i.published_at >= ? AND i.published_at < ?
                  AND i.date_precision IN ('time', 'day') AND i.source_id IN ({_marks(sources)}){kind}
                ORDER BY i.published_at DESC, i.id DESC LIMIT ?""",
            (start, _after(end), *sources, *(() if headline is None else (int(headline),)), limit),
        )

    def _article_frame(self, tail: str, params: tuple[Any, ...]) -> pd.DataFrame:
        return self.frame(
            f"""SELECT i.id, i.published_at, i.date_flag, i.date_precision, i.source_id, s.name AS source, s.group_id,
                       i.title, i.language, i.score, i.matching, i.url, i.copy_of
                FROM items i JOIN sources s ON s.id = i.source_id {tail}""",
            params,
        )

    def item_concept_hits(self, item_ids: Sequence[int]) -> pd.DataFrame:
        if not item_ids:
            return pd.DataFrame(columns=["item_id", "concept_id", "hits", "own", "distanced", "per_1k"])
        return self.frame(
            f"""SELECT item_id, concept_id, hits, own, distanced, per_1k FROM item_concepts
                WHERE item_id IN ({_marks(item_ids)}) ORDER BY item_id, hits DESC, concept_id""",
            tuple(int(i) for i in item_ids),
        )

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

    def passages(self, item_ids: Sequence[int]) -> tuple[pd.DataFrame, pd.DataFrame]:
        """(id, text) of a page of items and their concept matches (item_id, concept_id, start,
        end, distanced), to show the passage a search found; callers pass one page of ids."""
        ids = tuple(int(i) for i in item_ids)
        texts = self.frame(f"SELECT id, text FROM items WHERE id IN ({_marks(ids)})", ids)
        spans = self.frame(
            # "end" quoted: a reserved word in PostgreSQL (a bare `end` is a syntax error there)
            f"""SELECT item_id, concept_id, start, "end", distanced FROM matches
                WHERE item_id IN ({_marks(ids)}) ORDER BY item_id, start""",
            ids,
        )
        return texts, spans

    def item(self, item_id: int) -> dict[str, Any] | None:
        row = self.conn.execute(
            """SELECT i.*, s.name AS source, s.group_id, g.label AS group_label, g.colour AS group_colour
               FROM items i JOIN sources s ON s.id = i.source_id LEFT JOIN groups g ON g.id = s.group_id
               WHERE i.id = ?""",
            (int(item_id),),
        ).fetchone()
        return None if row is None else dict(row)

    def item_matches(self, item_id: int) -> pd.DataFrame:
        return self.frame(
            """SELECT concept_id, start, "end", text, form, distanced, how FROM matches
               WHERE item_id = ? ORDER BY start, "end" DESC""",
            (int(item_id),),
        )

    def copies(self, item_id: int) -> pd.DataFrame:
        """Other items with the same text: the original and every syndicated copy."""
        # A copy and its original always share the text hash (copy_of is set and repointed from
        # it), so the text-hash index narrows the search to the few items with this text; the
        # OR of copy_of conditions alone was a scan of every item (seconds at a million).
        return self._article_frame(
            """WHERE i.text_hash = (SELECT text_hash FROM items WHERE id = ?1)
                 AND i.id != ?1 AND (i.copy_of = ?1 OR i.id = (SELECT copy_of FROM items WHERE id = ?1)
                 OR (i.copy_of IS NOT NULL AND i.copy_of = (SELECT copy_of FROM items WHERE id = ?1)))
               ORDER BY i.published_at""",
            (int(item_id),),
        )

    def seed_documents(self) -> pd.DataFrame:
        # Found by the seed sources' ids through the source index and ordered here: an ORDER BY
        # lets the planner walk every item in date order instead (seconds at a million items).
        frame = self.frame(
            """SELECT i.id, i.source_id, i.title, i.published_at, i.date_flag, i.date_precision, i.published_raw, i.text
               FROM items i WHERE i.source_id IN (SELECT id FROM sources WHERE group_id = 'seed')"""
        )
        return frame.sort_values(["published_at", "id"], na_position="first", kind="stable").reset_index(drop=True)

    def seed_concepts(self) -> pd.DataFrame:
        return self.frame(
            """SELECT ic.item_id, ic.concept_id, ic.hits, ic.per_1k FROM item_concepts ic
               JOIN items i ON i.id = ic.item_id JOIN sources s ON s.id = i.source_id
               WHERE s.group_id = 'seed'"""
        )


def _after(day: str) -> str:
    """An exclusive upper bound for ISO timestamps on `day` (":" sorts after every digit)."""
    return f"{day}T99"


def _query_errors() -> tuple[type[Exception], ...]:
    """Errors a query can raise on either backend (psycopg's only when it is in use)."""
    import sys

    pg = sys.modules.get("store.pg")
    return (sqlite3.OperationalError, *(pg.DB_ERRORS if pg else ()))


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
