"""The read side of the store, for the dashboard, the briefing and the CLI.

Opens the store read-only (the dashboard never writes), checks the schema
version, and returns DataFrames.  Readers in WAL mode never block the writer and
are never blocked by it; a busy timeout covers checkpoints.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pandas as pd

from .db import check_version, connect


class StoreReader:
    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.conn = connect(self.path, readonly=True)
        check_version(self.conn, self.path)

    def close(self) -> None:
        self.conn.close()

    def frame(self, sql: str, params: tuple[Any, ...] | dict[str, Any] = ()) -> pd.DataFrame:
        cur = self.conn.execute(sql, params)
        cols = [d[0] for d in cur.description]
        return pd.DataFrame.from_records(cur.fetchall(), columns=cols)

    def scalar(self, sql: str, params: tuple[Any, ...] = ()) -> Any:
        row = self.conn.execute(sql, params).fetchone()
        return None if row is None else row[0]

    def data_version(self) -> str:
        """Changes whenever ingest commits: the key of every dashboard cache."""
        try:
            return str(self.scalar("SELECT value FROM meta WHERE key = 'data_version'") or "0")
        except sqlite3.OperationalError:
            return "0"

    def last_run(self) -> dict[str, Any] | None:
        row = self.conn.execute("SELECT * FROM runs ORDER BY id DESC LIMIT 1").fetchone()
        return None if row is None else dict(row)

    def feed_health(self) -> pd.DataFrame:
        return self.frame(
            """SELECT s.id AS source_id, s.name, s.group_id, s.url AS configured_url,
                      coalesce(f.status, 'never fetched') AS status, f.http_status, f.error,
                      f.last_attempt_at, f.last_success_at, coalesce(f.consecutive_failures, 0)
                        AS consecutive_failures, f.next_attempt_at, f.url AS current_url
               FROM sources s LEFT JOIN feed_state f ON f.source_id = s.id
               WHERE s.kind = 'feed' AND s.configured = 1
               ORDER BY s.group_id, s.id"""
        )
