"""What analysis/ reads about watches: daily counts shaped like `daily_concept`,
the items in a watch's scope (the denominator), and the items behind an alert."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Sequence
from typing import Any

import pandas as pd

from .daily_aggregates import _AGG_PRECISION, _DATED
from .query_language import SearchError, parse_query
from .read_session import frame as _frame
from .watches import _ON_DAY, WATCH_PREFIX, Watch, _scope

EVIDENCE_CHARS = 320  # the passage shown around the first match of an alert's item


class WatchReads:
    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    def daily(self, names: Sequence[str], start: str, end: str) -> pd.DataFrame:
        """One row per (day, source, watch) with the columns of `daily_concept`; the
        watch's series id (`watch:<name>`) stands in the concept_id column."""
        if not names:
            names = ("",)
        marks = ",".join("?" * len(names))
        return _frame(
            self.conn,
            f"""SELECT i.day, i.source_id, ? || w.watch_name AS concept_id, {_AGG_PRECISION} AS precision,
                       i.headline_only AS headline, count(*) AS items,
                       sum(w.own) AS own_items, sum(w.distanced) AS distanced_items, count(*) AS hits,
                       sum(CASE WHEN i.copy_of IS NULL THEN 1 ELSE 0 END) AS original_items
                FROM watch_items w JOIN items i ON i.id = w.item_id
                WHERE w.watch_name IN ({marks}) AND i.day BETWEEN ? AND ? AND {_DATED}
                GROUP BY i.day, i.source_id, w.watch_name, precision, i.headline_only ORDER BY i.day""",
            (WATCH_PREFIX, *names, start, end),
        )

    def window_counts(self, watch: Watch, first: str, last: str) -> tuple[int, int]:
        """(items of the watch, all items in the watch's scope) dated in [first, last]."""
        scope, params = _scope(watch)
        row = self.conn.execute(
            f"""SELECT count(*), sum(CASE WHEN w.item_id IS NOT NULL THEN 1 ELSE 0 END)
                FROM items i JOIN sources s ON s.id = i.source_id
                LEFT JOIN watch_items w ON w.item_id = i.id AND w.watch_name = ?
                WHERE i.day BETWEEN ? AND ? AND {_ON_DAY}{scope}""",
            (watch.name, first, last, *params),
        ).fetchone()
        return int(row[1] or 0), int(row[0] or 0)

    def newest_day(self) -> str | None:
        """The newest day of an item whose date is trusted: where "this week" ends."""
        row = self.conn.execute(
            f"SELECT day FROM items i WHERE date_estimated = 0 AND {_ON_DAY} ORDER BY published_at DESC LIMIT 1"
        ).fetchone()
        return None if row is None else str(row[0])

    def new_items(self, watch: Watch, sources: Sequence[str], limit: int = 500) -> pd.DataFrame:
        """Matched items newer than the watch itself from the given sources that have no
        alert yet, oldest first (so a backlog beyond `limit` is worked off run by run)."""
        marks = ",".join("?" * len(sources))
        return self._items(
            f"""w.watch_name = ? AND i.id > ? AND i.source_id IN ({marks})
                AND NOT EXISTS (SELECT 1 FROM alert_events e WHERE e.event_key = 'item:' || w.watch_name || ':' || i.id)
                ORDER BY i.id LIMIT ?""",
            (watch.name, watch.alerts_after_item, *sources, limit),
        )

    def first_own_in_group(self, watch: Watch, group: str) -> pd.DataFrame:
        """The group's first own-voice, original (not syndicated) item of the watch, if it
        arrived after the watch was saved and no earlier one is stored; else no row."""
        return self._items(
            """w.watch_name = ? AND w.own = 1 AND i.copy_of IS NULL AND s.group_id = ?
               AND NOT EXISTS (SELECT 1 FROM watch_items w2 JOIN items i2 ON i2.id = w2.item_id
                    JOIN sources s2 ON s2.id = i2.source_id
                    WHERE w2.watch_name = w.watch_name AND w2.own = 1 AND i2.copy_of IS NULL
                      AND s2.group_id = s.group_id AND i2.id <= ?)
               ORDER BY i.published_at, i.id LIMIT 1""",
            (watch.name, group, watch.alerts_after_item),
        )

    def items_between(self, watch: Watch, first: str, last: str, limit: int = 3) -> pd.DataFrame:
        """The watch's highest-scoring items in a window: the evidence of a rise."""
        return self._items(
            f"w.watch_name = ? AND i.day BETWEEN ? AND ? AND {_ON_DAY} ORDER BY i.score DESC, i.id LIMIT ?",
            (watch.name, first, last, limit),
        )

    def _items(self, where: str, params: Sequence[Any]) -> pd.DataFrame:
        return _frame(
            self.conn,
            f"""SELECT i.id, i.title, i.url, i.published_at, i.date_precision, i.day, i.source_id, s.name AS source,
                       s.group_id, w.own, w.distanced
                FROM watch_items w JOIN items i ON i.id = w.item_id JOIN sources s ON s.id = i.source_id
                WHERE {where}""",
            params,
        )

    def passage(self, watch: Watch, item_id: int) -> str:
        """About EVIDENCE_CHARS of the item's text around its first match of the watch
        (the first concept match, or the first occurrence of a query's words)."""
        row = self.conn.execute("SELECT text FROM items WHERE id = ?", (int(item_id),)).fetchone()
        if row is None:
            return ""
        text = str(row[0])
        start, end = self._first_span(watch, int(item_id), text)
        half = max((EVIDENCE_CHARS - (end - start)) // 2, 0)
        lo, hi = max(start - half, 0), min(end + half, len(text))
        return ("…" if lo else "") + " ".join(text[lo:hi].split()) + ("…" if hi < len(text) else "")

    def _first_span(self, watch: Watch, item_id: int, text: str) -> tuple[int, int]:
        if watch.concepts:
            marks = ",".join("?" * len(watch.concepts))
            row = self.conn.execute(
                f"""SELECT start, "end" FROM matches WHERE item_id = ? AND concept_id IN ({marks})
                    ORDER BY start LIMIT 1""",
                (item_id, *watch.concepts),
            ).fetchone()
            if row is not None:
                return int(row[0]), int(row[1])
        if watch.query:  # the first of the words the query looks for, found as the search finds them
            try:
                patterns = parse_query(watch.query).highlight_patterns()
            except SearchError:
                patterns = []
            found = [m for m in (re.search(p, text) for p in patterns) if m is not None]
            if found:
                first = min(found, key=lambda m: m.start())
                return first.start(), first.end()
        return 0, 0
