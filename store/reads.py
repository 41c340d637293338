"""The read side of the store, for the dashboard, the briefing and the CLI: `StoreReader`.

Its reads live in modules of their own, mixed in here over one read-only connection
(`read_session`): the daily tables (`aggregate_reads`), single items (`item_reads`) and
the article list's search (`article_search`).  Here: the run and feed status and the
reference tables every page reads first.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pandas as pd

from .aggregate_reads import AggregateReads
from .article_search import ArticleSearch
from .item_reads import ItemReads
from .read_session import _query_errors
from .runs import as_shown


class StoreReader(AggregateReads, ItemReads, ArticleSearch):
    """A read-only store.  One instance per thread of reading."""

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

    def scoring_state(self) -> dict[str, Any]:
        """What scored the stored items (meta.scored_with), what the newest run applies, the
        start of the unbroken stretch of runs applying it, and whether there are items."""
        scored = self.scalar("SELECT value FROM meta WHERE key = 'scored_with'")
        row = self.conn.execute(
            "SELECT scoring FROM runs WHERE scoring IS NOT NULL ORDER BY id DESC LIMIT 1"
        ).fetchone()
        current = None if row is None else row[0]
        since = None
        if current is not None:
            since = self.scalar(
                """SELECT min(started_at) FROM runs WHERE scoring = ? AND id > coalesce(
                       (SELECT max(id) FROM runs WHERE scoring IS NOT NULL AND scoring != ?), 0)""",
                (current, current),
            )
        any_items = self.scalar("SELECT 1 FROM items LIMIT 1") is not None
        return {"scored_with": scored, "current": current, "since": since, "any_items": any_items}

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
