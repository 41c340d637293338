"""The pre-aggregated daily tables (daily_source, daily_concept) every trend reads: one
definition of their rows, kept up to date by refreshing the days an update touched,
adding a transaction's new items, or a full rebuild.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .write_session import WriteSession

# An undated document (no date, or one that cannot be trusted) has no place on a time axis: it
# is kept, searchable and scored, but stored with an empty date and day, so no range query and
# no daily aggregate behind the trends can ever place it.
_DATED = "i.date_precision != 'undated'"

# The finest bucket an item may be counted in: exact times and days count by day.
_AGG_PRECISION = "CASE WHEN i.date_precision = 'time' THEN 'day' ELSE i.date_precision END"

_DAILY_SOURCE_COUNTS = ("items", "matching", "original_items", "original_matching")

_SOURCE_KEY = "day, source_id, precision, headline"

_CONCEPT_KEY = "day, source_id, concept_id, precision, headline"

_DAILY_CONCEPT_COUNTS = ("items", "own_items", "distanced_items", "hits", "original_items")

_DAILY_LOCK = 7410526  # PostgreSQL advisory lock namespace (store/store.py lists them all)


class DailyAggregates(WriteSession):
    """Keeping the daily tables true to the items (part of `Store`)."""

    def refresh_touched_days(self) -> None:
        """Recompute the daily rows of the days that `update_item` touched in this transaction."""
        if self._touched_days and self.conn.is_postgres:
            # Two transactions refreshing one day (rescore batches sharing a day, an update
            # repointing another source's copies) would each miss the daily rows the other
            # inserts and collide on them: one refresh at a time, each seeing the last.
            self.conn.execute("SELECT pg_advisory_xact_lock(?)", (_DAILY_LOCK,))
        by_source: dict[str, set[str]] = {}
        for source_id, day in self._touched_days:
            by_source.setdefault(source_id, set()).add(day)
        for source_id, days in sorted(by_source.items()):
            self.refresh_daily(source_id, days)
        self._touched_days = set()

    def refresh_daily(self, source_id: str, days: Iterable[str]) -> None:
        """Recompute the pre-aggregated daily rows of one source for the given days."""
        days = sorted(set(days))
        for start in range(0, len(days), 500):
            chunk = days[start : start + 500]
            marks = ",".join("?" * len(chunk))
            args = (source_id, *chunk)
            self.conn.execute(f"DELETE FROM daily_source WHERE source_id = ? AND day IN ({marks})", args)
            self.conn.execute(f"DELETE FROM daily_concept WHERE source_id = ? AND day IN ({marks})", args)
            self._aggregate_daily(f"i.source_id = ? AND i.day IN ({marks})", args)

    def add_daily_since(self, first_id: int) -> None:
        """Add the items inserted from `first_id` on (this transaction's) to the daily
        aggregates.  A new item never changes one already counted (copy_of links the new
        one to an older one), so adding equals recomputing those days, at the cost of the
        new rows only, however many days a batch touches."""
        self._aggregate_daily("i.id >= ?", (first_id,), add=True)

    def rebuild_daily(self) -> None:
        self.conn.execute("DELETE FROM daily_source")
        self.conn.execute("DELETE FROM daily_concept")
        self._aggregate_daily("1 = 1", ())

    def _aggregate_daily(self, where: str, args: tuple[Any, ...], add: bool = False) -> None:
        """One definition of the daily aggregates, for a refresh of some days, a full
        rebuild, or (`add`) new items added to the rows already there."""
        where = f"{where} AND {_DATED}"
        self.conn.execute(
            f"""INSERT INTO daily_source (day, source_id, precision, headline, items, matching, original_items,
                    original_matching)
                SELECT i.day, i.source_id, {_AGG_PRECISION}, i.headline_only, count(*), sum(i.matching),
                       sum(i.copy_of IS NULL), sum(i.matching = 1 AND i.copy_of IS NULL)
                FROM items i WHERE {where} GROUP BY 1, 2, 3, 4
                {_added("daily_source", _SOURCE_KEY, _DAILY_SOURCE_COUNTS) if add else ""}""",
            args,
        )
        self.conn.execute(
            f"""INSERT INTO daily_concept (day, source_id, concept_id, precision, headline, items, own_items,
                    distanced_items, hits, original_items)
                SELECT i.day, i.source_id, ic.concept_id, {_AGG_PRECISION}, i.headline_only, count(*),
                       sum(ic.own > 0), sum(ic.distanced > 0), sum(ic.hits), sum(i.copy_of IS NULL)
                FROM items i JOIN item_concepts ic ON ic.item_id = i.id
                WHERE {where} GROUP BY 1, 2, 3, 4, 5
                {_added("daily_concept", _CONCEPT_KEY, _DAILY_CONCEPT_COUNTS) if add else ""}""",
            args,
        )


def _added(table: str, key: str, counts: tuple[str, ...]) -> str:
    sets = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in counts)  # qualified: PostgreSQL needs it
    return f"ON CONFLICT ({key}) DO UPDATE SET {sets}"
