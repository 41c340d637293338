"""Copy an SQLite store into a PostgreSQL one: every table, in batches, resumable,
verified by counts.

Each batch is inserted together with a progress mark (`meta` key `copy:<table>`, the
last key copied) in one transaction of the destination, so an interrupted copy resumes
exactly where it stopped and never copies a row twice, even into tables without a
unique key (`matches`).  Rows are read in primary-key order (keyset pagination, never
OFFSET), tables in creation order, so every row a foreign key names is there first.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .db import StoreError, connect, transaction
from .store import Store
from .url import StoreTarget

_SKIP = ("migrations",)  # written by the destination's own migrations
_PREFIX = "copy:"


def copy_store(
    source: Path,
    destination: StoreTarget,
    batch: int = 5000,
    progress: Callable[[str, int], None] | None = None,
) -> dict[str, tuple[int, int]]:
    """Copy `source` into `destination`; returns {table: (rows in source, rows in destination)}."""
    if not destination.is_postgres:
        raise StoreError("store copy writes to a PostgreSQL store: give --to postgresql://user@host:5432/db")
    Store(source).close()  # the source at the current schema version first (as `run` would)
    src = connect(source, readonly=True)
    try:
        with Store(destination) as dest:
            tables = _tables(src)
            _refuse_foreign_data(dest.conn, tables)
            for table in tables:
                _copy_table(src, dest.conn, table, batch, progress)
            _reset_identities(dest.conn)
            return {t: (_count(src, t), _count(dest.conn, t)) for t in tables}
    finally:
        src.close()


def totals(source: Path) -> dict[str, int]:
    src = connect(source, readonly=True)
    try:
        return {t: _count(src, t) for t in _tables(src)}
    finally:
        src.close()


def _tables(src: sqlite3.Connection) -> list[str]:
    rows = src.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY rowid"
    ).fetchall()
    return [
        name
        for name, sql in rows
        if name not in _SKIP and "VIRTUAL TABLE" not in (sql or "").upper() and not name.startswith("items_fts")
    ]


def _count(conn: Any, table: str) -> int:
    row = conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()
    n = int(row[0])
    if table == "meta":  # the copy's own progress marks are not data of the source
        n -= int(conn.execute("SELECT count(*) FROM meta WHERE key LIKE 'copy:%'").fetchone()[0])
    return n


def _refuse_foreign_data(dest: Any, tables: list[str]) -> None:
    """A destination with data that no earlier copy put there is refused: merging two
    stores is not a copy (ids would collide)."""
    marks = dest.execute("SELECT count(*) FROM meta WHERE key LIKE 'copy:%'").fetchone()[0]
    if marks:
        return
    for table in ("items", "runs", "sources"):
        if table in tables and dest.execute(f"SELECT count(*) FROM {table}").fetchone()[0]:
            raise StoreError(
                f"The destination already holds {table} that no earlier copy wrote; copy into an empty database."
            )


def _key_columns(src: sqlite3.Connection, table: str) -> tuple[list[str], list[str]]:
    info = src.execute(f'PRAGMA table_info("{table}")').fetchall()
    columns = [r[1] for r in info]
    key = [r[1] for r in sorted(info, key=lambda r: r[5]) if r[5] > 0]
    return columns, key or ["rowid"]


def _copy_table(src: sqlite3.Connection, dest: Any, table: str, batch: int, progress: Any) -> None:
    columns, key = _key_columns(src, table)
    mark_key = _PREFIX + table
    row = dest.execute("SELECT value FROM meta WHERE key = ?", (mark_key,)).fetchone()
    last = None if row is None else json.loads(row[0])
    if last == "done":
        return
    quoted = ", ".join(f'"{c}"' for c in columns)
    select_key = ", ".join(key if key != ["rowid"] else ["rowid"])
    order = ", ".join(key)
    while True:
        after = "" if last is None else f"WHERE ({order}) > ({', '.join('?' * len(key))})"
        rows = src.execute(
            f'SELECT {quoted}, {select_key} FROM "{table}" {after} ORDER BY {order} LIMIT ?',
            (*(last or ()), batch),
        ).fetchall()
        if not rows:
            break
        last = list(rows[-1][len(columns) :])
        with transaction(dest) as c:
            # COPY, not one INSERT per row: a million items with their evidence is tens of millions of rows.
            with c.raw.cursor() as cur, cur.copy(f'COPY "{table}" ({quoted}) FROM STDIN') as copy:
                for r in rows:
                    copy.write_row(r[: len(columns)])
            _mark(c, mark_key, last)
        if progress:
            progress(table, len(rows))
    with transaction(dest) as c:
        _mark(c, mark_key, "done")


def _mark(conn: Any, key: str, value: Any) -> None:
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (key, json.dumps(value)),
    )


def _reset_identities(dest: Any) -> None:
    """Explicit ids were copied: new rows must be numbered after them."""
    for table in sorted(dest.identity_tables):
        dest.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), coalesce((SELECT max(id) FROM {table}), 0) + 1, "
            "false)"
        )
