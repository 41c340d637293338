"""The PostgreSQL backend: connections from a pool, behaving like the store's
sqlite3 connections (execute / executemany / fetchone / fetchall / lastrowid,
rows addressable by name and position), so the store's methods run on both.

A connection runs in autocommit mode; `BEGIN IMMEDIATE ... COMMIT` from
`db.transaction` becomes a plain transaction.  Readers' sessions are read-only.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import psycopg
from psycopg_pool import ConnectionPool

from .dialect import pg_ddl, pg_statement, reorder
from .url import StoreTarget

CONNECT_TIMEOUT_S = 10
_MULTI_VALUES = re.compile(
    r"^(\s*INSERT\s+INTO\s+[^;]*?\bVALUES\s*)(\((?:\s*%s\s*,)*\s*%s\s*\))(\s*(?:ON\s+CONFLICT(?:\s*\([^)]*\))?\s+DO\s+NOTHING)?\s*)$",
    re.IGNORECASE | re.DOTALL,
)
POOL_MAX = int(os.environ.get("MONITOR_PG_POOL_MAX", "4"))
DB_ERRORS: tuple[type[Exception], ...] = (psycopg.Error,)
UNIQUE_ERRORS: tuple[type[Exception], ...] = (psycopg.errors.UniqueViolation,)


class Row(tuple):
    """A result row like sqlite3.Row: row[0], row["name"], dict(row)."""

    _index: dict[str, int]

    def __new__(cls, values: Sequence[Any], index: dict[str, int]) -> Row:
        row = super().__new__(cls, values)
        row._index = index
        return row

    def __getitem__(self, key):  # type: ignore[override]
        if isinstance(key, str):
            return tuple.__getitem__(self, self._index[key])
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        return list(self._index)


def _bound(params: Sequence[Any], order: tuple[int, ...] | None) -> tuple | list:
    """The parameters in the statement's order, with NUL characters replaced by U+FFFD:
    PostgreSQL's text cannot hold NUL, where SQLite stores it, and one NUL in a problem
    message or an error text must not fail the whole write with a driver error.  Items
    reach the store without NUL already (ingest/items.py), so both backends hold the same
    items; this is the backstop for any other text."""
    bound = reorder(params if isinstance(params, (tuple, list)) else tuple(params), order)
    if any(isinstance(v, str) and "\x00" in v for v in bound):
        return tuple(v.replace("\x00", "\ufffd") if isinstance(v, str) else v for v in bound)
    return bound


def _row_factory(cursor: Any) -> Any:
    names = [c.name for c in cursor.description or ()]
    index = {name: i for i, name in enumerate(names)}
    return lambda values: Row(values, index)


class PgCursor:
    def __init__(self, cursor: psycopg.Cursor, returning_id: bool):
        self._cur = cursor
        self.lastrowid: int | None = None
        self._pending: Row | None = None
        if returning_id and cursor.description is not None:
            row = cursor.fetchone()
            self.lastrowid = None if row is None else int(row[0])

    @property
    def description(self) -> Any:
        return self._cur.description

    @property
    def rowcount(self) -> int:
        return self._cur.rowcount

    def fetchone(self) -> Row | None:
        return self._cur.fetchone()  # type: ignore[return-value]

    def fetchall(self) -> list[Row]:
        return self._cur.fetchall()  # type: ignore[return-value]

    def __iter__(self) -> Iterator[Row]:
        return iter(self._cur.fetchall())  # type: ignore[arg-type]


class PgConnection:
    """A pooled psycopg connection with the sqlite3 connection's small API."""

    is_postgres = True

    def __init__(self, pool: ConnectionPool, target: StoreTarget):
        self._pool = pool
        self.target = target
        self.raw: psycopg.Connection = pool.getconn()
        self.raw.row_factory = _row_factory  # type: ignore[assignment]
        self.identity_tables = _identity_tables(self.raw)

    def execute(self, sql: str, params: Sequence[Any] = ()) -> PgCursor:
        text, order = pg_statement(sql, self.identity_tables)
        cur = self.raw.cursor()
        cur.execute(text, _bound(params, order))  # type: ignore[arg-type]
        return PgCursor(cur, text.endswith(" RETURNING id") and not sql.rstrip().upper().endswith("RETURNING ID"))

    def executemany(self, sql: str, seq: Iterable[Sequence[Any]]) -> None:
        text, order = pg_statement(sql, frozenset())  # no RETURNING: executemany discards results
        rows = [_bound(tuple(p), order) for p in seq]
        multi = _MULTI_VALUES.match(text)
        with self.raw.cursor() as cur:
            if multi is None or not rows:
                cur.executemany(text, rows)  # type: ignore[arg-type]
                return
            # One statement per 500 rows instead of one round trip per row: a plain INSERT
            # (or ON CONFLICT DO NOTHING) means the same for a list of VALUES.
            head, values, tail = multi.groups()
            for start in range(0, len(rows), 500):
                chunk = rows[start : start + 500]
                statement = head + ", ".join([values] * len(chunk)) + tail
                cur.execute(statement, [v for r in chunk for v in r])  # type: ignore[arg-type]

    def fetch_each(self, sql: str, seq: Iterable[Sequence[Any]]) -> list[Row | None]:
        """The first row (or None) of `sql` for each parameter tuple, in order: all sent
        in one pipeline, so a batch costs one round trip, not one per statement."""
        text, order = pg_statement(sql, self.identity_tables)
        cursors = self._pipelined(text, order, seq)
        return [cur.fetchone() for cur in cursors]  # type: ignore[misc]

    def insert_each(self, sql: str, seq: Iterable[Sequence[Any]]) -> list[int]:
        """One INSERT per parameter tuple, pipelined; the new ids in order (each statement's
        own RETURNING id, not a many-row insert, whose RETURNING order is unspecified)."""
        text, order = pg_statement(sql, self.identity_tables)
        if not text.endswith(" RETURNING id"):
            raise ValueError(f"insert_each needs a table with an identity id: {sql.strip()[:80]}")
        return [int(cur.fetchone()[0]) for cur in self._pipelined(text, order, seq)]  # type: ignore[index]

    def _pipelined(self, text: str, order: tuple[int, ...] | None, seq: Iterable[Sequence[Any]]) -> list[Any]:
        cursors = []
        with self.raw.pipeline():
            for params in seq:
                cur = self.raw.cursor()
                cur.execute(text, _bound(tuple(params), order))  # type: ignore[arg-type]
                cursors.append(cur)
        return cursors

    # sqlite3's hooks, as the store's readers use them: PostgreSQL has regexp_like built in
    # (the search compiler emits its own form for it), and bounds a query by statement_timeout.
    def create_function(self, *args: Any, **kwargs: Any) -> None:
        pass

    def set_progress_handler(self, handler: Any, n: int) -> None:
        timeout = 0 if handler is None else int(self.statement_timeout_s * 1000)
        self.raw.execute(f"SET statement_timeout = {timeout}")  # type: ignore[arg-type]

    statement_timeout_s = 20.0

    @property
    def in_transaction(self) -> bool:
        return self.raw.info.transaction_status != psycopg.pq.TransactionStatus.IDLE

    def refresh_identity_tables(self) -> None:
        self.identity_tables = _identity_tables(self.raw)

    def close(self) -> None:
        if self.raw is not None:
            self._pool.putconn(self.raw)
            self.raw = None  # type: ignore[assignment]


def _identity_tables(conn: psycopg.Connection) -> frozenset[str]:
    rows = conn.execute(
        "SELECT table_name FROM information_schema.columns WHERE table_schema = current_schema() "
        "AND column_name = 'id' AND is_identity = 'YES'"
    ).fetchall()
    return frozenset(str(r[0]) for r in rows)


_pools: dict[tuple[int, str, bool], ConnectionPool] = {}
_pools_lock = threading.Lock()


def connect(target: StoreTarget, readonly: bool) -> PgConnection:
    """A connection from this process's pool for the target (one pool per process, URL and mode)."""
    from .db import StoreError

    key = (os.getpid(), target.dsn or "", readonly)
    with _pools_lock:
        pool = _pools.get(key)
        if pool is None:
            _probe(target)
            pool = ConnectionPool(
                target.dsn or "",
                min_size=1,
                max_size=POOL_MAX,
                # Client-side binding: parameters become literals typed by their context, as in
                # SQLite (server-side binding cannot type `? IS NULL` for a None).
                kwargs={
                    "autocommit": True,
                    "connect_timeout": CONNECT_TIMEOUT_S,
                    "cursor_factory": psycopg.ClientCursor,
                },
                configure=_configure_reader if readonly else None,
                reset=None if readonly else _release_locks,
                open=True,
                name=f"monitor-{'r' if readonly else 'w'}",
            )
            _pools[key] = pool
    try:
        return PgConnection(pool, target)
    except psycopg.Error as exc:
        raise StoreError(_unreachable(target, exc)) from None


def _release_locks(conn: psycopg.Connection) -> None:
    """A connection back in the pool keeps no session lock of the store that used it."""
    conn.execute("SELECT pg_advisory_unlock_all()")


def _configure_reader(conn: psycopg.Connection) -> None:
    conn.execute("SET default_transaction_read_only = on")


def _probe(target: StoreTarget) -> None:
    """Connect once outside the pool, so a wrong host, port, password or database name is
    reported with the server's own reason instead of a pool timeout."""
    from .db import StoreError

    try:
        with psycopg.connect(target.dsn or "", connect_timeout=CONNECT_TIMEOUT_S, autocommit=True) as conn:
            encoding = conn.execute("SHOW server_encoding").fetchone()
    except psycopg.Error as exc:
        raise StoreError(_unreachable(target, exc)) from None
    if encoding is None or str(encoding[0]).upper() not in ("UTF8", "UTF-8"):
        raise StoreError(
            f"The PostgreSQL store {target.display()} (store.url) uses encoding {encoding and encoding[0]}; "
            "the monitor stores Chinese and Russian text and needs a UTF8 database "
            "(createdb --encoding=UTF8 --locale=C.UTF-8 --template=template0 ...)."
        )


def _unreachable(target: StoreTarget, exc: Exception) -> str:
    reason = " ".join(str(exc).split()) or type(exc).__name__
    return (
        f"Cannot use the PostgreSQL store named by store.url ({target.display()}, host {target.host()}): "
        f"{reason[:400]}. Check the host, port, user, password and database name, and that the server runs."
    )


def close_pools() -> None:
    with _pools_lock:
        for pool in _pools.values():
            pool.close()
        _pools.clear()


# ---- schema ------------------------------------------------------------------------


def schema_version(conn: PgConnection) -> int:
    row = conn.execute("SELECT to_regclass('migrations') IS NOT NULL").fetchone()
    if not row or not row[0]:
        return 0
    return int(conn.execute("SELECT coalesce(max(id), 0) FROM migrations").fetchone()[0])  # type: ignore[index]


def has_foreign_tables(conn: PgConnection) -> bool:
    row = conn.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() "
        "AND table_name != 'migrations'"
    ).fetchone()
    return bool(row and row[0])


def migrate(conn: PgConnection, migrations: Sequence[tuple[int, str, str]]) -> list[str]:
    """Apply pending migrations (translated, plus PostgreSQL's own parts), each atomically.
    An advisory lock makes concurrent workers starting at once migrate one after another."""
    from .schema_pg import PG_EXTRA, PG_REPLACE

    applied: list[str] = []
    conn.execute("SELECT pg_advisory_lock(7410521)")
    try:
        conn.execute(
            "CREATE TABLE IF NOT EXISTS migrations "
            "(id INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
        )
        current = schema_version(conn)
        for mid, name, sql in migrations:
            if mid <= current:
                continue
            statements = pg_ddl(PG_REPLACE.get(mid, sql)) + pg_ddl(PG_EXTRA.get(mid, ""))
            with conn.raw.transaction():
                for statement in statements:
                    conn.raw.execute(statement)  # type: ignore[arg-type]
                conn.raw.execute(
                    "INSERT INTO migrations (id, name, applied_at) "
                    "VALUES (%s, %s, to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'))",
                    (mid, name),
                )
            applied.append(name)
    finally:
        conn.execute("SELECT pg_advisory_unlock(7410521)")
    conn.refresh_identity_tables()
    return applied
