"""One process's writable connection to the store: opening it (migrations, a write probe),
the write transaction with the state it carries (items to add to the full-text index,
days touched by updates, the planner's estimates), and the meta table.

The base of `Store`: the write paths (`source_writes`, `run_writes`, `item_ingest`,
`daily_aggregates`, `rescore_writes`) are mixins over it, each in its own module, so that
every one of them sees the same connection and transaction state.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from . import runs
from .db import StoreError, _classify, migrate, open_connection, transaction
from .planner_stats import SourceEstimates
from .url import StoreTarget, as_target


class WriteSession:
    """A writable connection.  One instance per process; not shared across threads."""

    def __init__(self, location: str | Path | StoreTarget):
        self.target = as_target(location)
        # The file, or the connection URL (so `StoreReader(store.path)` opens the same store);
        # messages name `where`, which never shows a password.
        self.path: Path | str = self.target.path or self.target.dsn or ""
        where = self.target.path or self.target.display()
        self._unindexed_from: int | None = None  # first item id inserted in this transaction
        self._in_transaction = False
        self._touched_days: set[tuple[str, str]] = set()  # (source, day) of items updated in this transaction
        self._estimates = SourceEstimates()  # PostgreSQL: items stored per source, for the planner's statistics
        self.items_rewritten = 0  # by `rescore_items` on this connection (what a rescore's edit touched)
        self._heartbeats: dict[int, runs.Heartbeat] = {}  # SQLite: runs this process vouches for
        self.conn = open_connection(self.target, readonly=False)
        try:
            self.applied = migrate(self.conn, where)
            if not self.conn.is_postgres:
                _probe_writable(self.conn)
        except sqlite3.DatabaseError as exc:
            self.conn.close()
            raise _classify(exc, where) from None
        except StoreError:
            self.conn.close()
            raise
        except Exception as exc:
            self.conn.close()
            if self.target.is_postgres:
                raise StoreError(f"The PostgreSQL store {self.target.display()} cannot be prepared: {exc}") from None
            raise

    @contextmanager
    def transaction(self) -> Iterator[Any]:
        """One write transaction; the items it inserted enter the full-text index in one
        statement just before COMMIT (no per-row trigger), so a rollback undoes both."""
        self._unindexed_from, self._in_transaction, self._touched_days = None, True, set()
        try:
            with transaction(self.conn) as conn:
                yield conn
                self._index_new_items()
        except BaseException:
            self._estimates.rolled_back()
            raise
        finally:
            self._unindexed_from, self._in_transaction = None, False
        if self.conn.is_postgres:
            self._estimates.committed(self.conn)  # see store/planner_stats.py

    def _index_new_items(self) -> None:
        # PostgreSQL's trigram indexes are ordinary indexes, maintained by the INSERT itself.
        if self._unindexed_from is not None and not self.conn.is_postgres:
            self.conn.execute(
                "INSERT INTO items_fts (rowid, title, text) SELECT id, title, text FROM items WHERE id >= ?",
                (self._unindexed_from,),
            )

    # ---- meta -------------------------------------------------------------

    def meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else row[0]

    def set_meta(self, key: str, value: str) -> None:
        self.conn.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    def bump_data_version(self) -> None:
        """Readers key their caches on this; it changes whenever committed data does."""
        self.conn.execute(
            "INSERT INTO meta (key, value) VALUES ('data_version', '1') "
            "ON CONFLICT(key) DO UPDATE SET value = CAST(meta.value AS INTEGER) + 1"
        )


def _probe_writable(conn: sqlite3.Connection) -> None:
    """Fail at open, not in the middle of a run, when SQLite could only open the file
    read-only (an immutable file, a read-only mount): a write is attempted and rolled back."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('write_probe', '')")
    finally:
        conn.execute("ROLLBACK")
