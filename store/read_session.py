"""One read-only connection to the store, the base of `StoreReader` and its readers.

Opens the store read-only (the dashboard never writes), checks the schema version, and
returns DataFrames.  Readers in WAL mode never block the writer and are never blocked
by it; a busy timeout covers checkpoints.  The kinds of reads (`aggregate_reads`,
`item_reads`, `article_search`) are mixins over it, so each sees this one connection.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Self

import pandas as pd

from .db import check_version, open_connection
from .search_sql import regexp_like
from .url import StoreTarget, as_target


def _marks(values: Sequence[Any]) -> str:
    return ",".join("?" * len(values))


def frame(conn: Any, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> pd.DataFrame:
    """One query's rows as a DataFrame, with the cursor's column names (also for empty results)."""
    cur = conn.execute(sql, params if isinstance(params, dict) else tuple(params))
    return pd.DataFrame.from_records(cur.fetchall(), columns=[d[0] for d in cur.description])


class ReadSession:
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

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def frame(self, sql: str, params: tuple[Any, ...] | dict[str, Any] = ()) -> pd.DataFrame:
        return frame(self.conn, sql, params)

    def scalar(self, sql: str, params: tuple[Any, ...] = ()) -> Any:
        row = self.conn.execute(sql, params).fetchone()
        return None if row is None else row[0]

    def _article_frame(self, tail: str, params: tuple[Any, ...]) -> pd.DataFrame:
        return self.frame(
            f"""SELECT i.id, i.published_at, i.date_flag, i.date_precision, i.source_id, s.name AS source, s.group_id,
                       i.title, i.language, i.score, i.matching, i.url, i.copy_of
                FROM items i JOIN sources s ON s.id = i.source_id {tail}""",
            params,
        )


def _after(day: str) -> str:
    """An exclusive upper bound for ISO timestamps on `day` (":" sorts after every digit)."""
    return f"{day}T99"


def _query_errors() -> tuple[type[Exception], ...]:
    """Errors a query can raise on either backend (psycopg's only when it is in use)."""
    import sys

    pg = sys.modules.get("store.pg")
    return (sqlite3.OperationalError, *(pg.DB_ERRORS if pg else ()))
