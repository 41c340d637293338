"""Opening the store: WAL, migrations, clear errors for bad store files.

An SQLite file (the embedded default) or a PostgreSQL server (`pg.py`): `open_connection`
takes a `StoreTarget` and returns a connection with one small API for both
(execute / executemany / fetchone / fetchall / lastrowid; `conn.is_postgres` says which).

Every SQL statement of the project lives in this package (`store`):
`db` opens and migrates, `writes` is the ingest side, `reads` the dashboard
and briefing side.  Callers get rows, dataclasses or DataFrames.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .schema import MIGRATIONS, SCHEMA_VERSION
from .url import StoreTarget, as_target


class StoreError(RuntimeError):
    """The store cannot be used as it is; the message says why and what to run."""


class StoreMissing(StoreError):
    pass


class StoreCorrupt(StoreError):
    pass


class StoreTooNew(StoreError):
    pass


class StoreOutdated(StoreError):
    pass


class StoreReadOnly(StoreError):
    pass


BUSY_TIMEOUT_MS = 15_000


class SqliteConnection(sqlite3.Connection):
    """sqlite3's connection, labelled so shared code can ask which backend it talks to."""

    is_postgres = False

    # The batch forms of execute that PostgreSQL pipelines (store/pg.py); here a loop of
    # library calls, which is what a pipeline saves PostgreSQL from.
    def fetch_each(self, sql: str, seq: Iterable[Sequence[Any]]) -> list[Any]:
        """The first row (or None) of `sql` for each parameter tuple, in order."""
        return [self.execute(sql, params).fetchone() for params in seq]

    def insert_each(self, sql: str, seq: Iterable[Sequence[Any]]) -> list[int]:
        """Run an INSERT per parameter tuple, in order; the new rows' ids."""
        return [int(self.execute(sql, params).lastrowid or 0) for params in seq]


def open_connection(location: str | Path | StoreTarget, readonly: bool) -> Any:
    """A connection to the store at `location` (a path, a store URL or a parsed target)."""
    target = as_target(location)
    if target.path is not None:
        return connect(target.path, readonly)
    from . import pg

    conn = pg.connect(target, readonly)
    try:
        if not readonly:
            version = pg.schema_version(conn)
            if version > SCHEMA_VERSION:
                check_version(conn, target.display())
            if version == 0 and pg.has_foreign_tables(conn):
                raise _foreign(target.display())
    except BaseException:
        conn.close()
        raise
    return conn


def connect(path: Path, readonly: bool) -> sqlite3.Connection:
    if readonly:
        if not path.exists():
            raise StoreMissing(f"No store at {path}. Run `python -m ingest run` to create it and ingest the sources.")
        conn = sqlite3.connect(
            f"{path.resolve().as_uri()}?mode=ro",
            uri=True,
            isolation_level=None,
            check_same_thread=False,
            factory=SqliteConnection,
        )
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, factory=SqliteConnection)
    conn.row_factory = sqlite3.Row
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        if not readonly:
            version = schema_version(conn)  # refuse before switching its journal mode
            if version > SCHEMA_VERSION:
                check_version(conn, path)
            if version == 0 and _has_foreign_tables(conn):
                raise _foreign(path)
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise _classify(exc, path) from None
    except StoreError:
        conn.close()
        raise
    return conn


def _classify(exc: sqlite3.Error, path: Path | str) -> StoreError:
    text = str(exc)
    if "readonly" in text or "read-only" in text or "unable to open" in text:
        return StoreReadOnly(f"The store {path} cannot be written ({text}). Check the file's permissions.")
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return StoreCorrupt(
            f"The store {path} is damaged ({text}). It was left untouched; move it aside and run "
            "`python -m ingest run` to rebuild, or restore a backup."
        )
    return StoreError(f"The store {path} cannot be opened: {text}")


def schema_version(conn: Any) -> int:
    if conn.is_postgres:
        from . import pg

        return pg.schema_version(conn)
    row = conn.execute("SELECT name FROM sqlite_master WHERE type='table' AND name='migrations'").fetchone()
    if row is None:
        return 0
    return int(conn.execute("SELECT coalesce(max(id), 0) FROM migrations").fetchone()[0])


def check_version(conn: Any, path: Path | str) -> None:
    version = schema_version(conn)
    if version > SCHEMA_VERSION:
        raise StoreTooNew(
            f"The store {path} has schema version {version}, newer than this program understands "
            f"({SCHEMA_VERSION}). Upgrade the monitor; the store was not touched."
        )
    if version < SCHEMA_VERSION:
        raise StoreOutdated(
            f"The store {path} has schema version {version}; this program needs {SCHEMA_VERSION}. "
            "Run `python -m ingest run` (or `python -m ingest stats`) once to migrate it."
        )


def _foreign(path: Path | str) -> StoreError:
    return StoreError(
        f"{path} is a database of some other program (it has tables but no monitor schema). "
        "It was left untouched; point store.url (or store.path) at a new file or an empty database."
    )


def _has_foreign_tables(conn: sqlite3.Connection) -> bool:
    row = conn.execute(
        "SELECT count(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' AND name != 'migrations'"
    ).fetchone()
    return bool(row[0])


def migrate(conn: Any, path: Path | str) -> list[str]:
    """Apply pending migrations, each atomically. Returns the names applied."""
    if conn.is_postgres:
        from . import pg

        return pg.migrate(conn, MIGRATIONS)
    current = schema_version(conn)
    if current > SCHEMA_VERSION:
        check_version(conn, path)
    if current == 0 and _has_foreign_tables(conn):
        raise _foreign(path)
    conn.execute(
        "CREATE TABLE IF NOT EXISTS migrations (id INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
    )
    applied = []
    for mid, name, sql in MIGRATIONS:
        if mid <= current:
            continue
        name_sql = name.replace("'", "''")
        conn.executescript(
            f"BEGIN IMMEDIATE;\n{sql}\n;INSERT INTO migrations (id, name, applied_at) "
            f"VALUES ({mid}, '{name_sql}', strftime('%Y-%m-%dT%H:%M:%SZ','now'));\nCOMMIT;"
        )
        applied.append(name)
    return applied


@contextmanager
def transaction(conn: Any) -> Iterator[Any]:
    """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on any exception.

    SQLite ends the transaction by itself on some errors (SQLITE_FULL, SQLITE_IOERR,
    SQLITE_NOMEM, SQLITE_INTERRUPT and some SQLITE_BUSY): a ROLLBACK after them fails with
    "cannot rollback - no transaction is active", which used to replace the error that
    mattered.  The original error is always the one raised; a failed rollback is noted on it.
    """
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException as exc:
        _rollback_keeping(conn, exc)
        raise
    try:
        conn.execute("COMMIT")
    except BaseException as exc:  # a failed COMMIT leaves the transaction open
        _rollback_keeping(conn, exc)
        raise


def _rollback_keeping(conn: Any, exc: BaseException) -> None:
    if not conn.in_transaction:
        exc.add_note("SQLite had already rolled the transaction back")
        return
    try:
        conn.execute("ROLLBACK")
    except Exception as again:  # sqlite3.Error or psycopg.Error: the first error is the one that matters
        exc.add_note(f"the rollback after it also failed: {again}")
