"""The 1M-item store on PostgreSQL, kept between benchmark runs.

A PostgreSQL server whose data directory is bench/results/work/pg/ (kept, like the
SQLite stores beside it) holds a template database: the bench's cached SQLite store
(bench/pages.py `cached_store`) copied by the product's own `python -m ingest store copy
--to postgresql://...` (store/copy.py), timed, then vacuumed and analysed (what
autovacuum would do soon after such a load).  It is named after the SQLite store's
directory, whose name is the key of everything that shapes the store, so a stale
template is dropped and a current one reused.  A round clones it
(`CREATE DATABASE ... TEMPLATE`, a file copy) and drops the clone after.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from store import Store
from tests.pg_fixtures import PgServer, kept_pg_server

from .common import REPO
from .pages import WORK

# PostgreSQL's own default (Debian's too); the tests' server has 64MB
SHARED_BUFFERS = "128MB"


@contextmanager
def kept_server() -> Iterator[PgServer]:
    with kept_pg_server(WORK / "pg", shared_buffers=SHARED_BUFFERS) as server:
        yield server


def template(pg: PgServer, sqlite_config: Path) -> tuple[str, dict[str, float] | None]:
    """The template database holding the store of `sqlite_config` (its directory's name is
    its key): (name, None) when reused, or (name, {"copy": s, "vacuum": s}) when made now."""
    key = sqlite_config.parent.name.replace("-", "_")
    name = f"tpl_{key}"
    existing = _databases(pg)
    for db in existing:  # stale templates, unfinished copies, clones of a killed run
        if db != name:
            pg.admin(f"DROP DATABASE {db} WITH (FORCE)")
    if name in existing:
        with Store(pg.url(name)):
            pass  # a newer schema migrates the kept template, as `ingest run` migrates a store
        _release(pg)
        return name, None
    loading = f"copying_{key}"
    pg.admin(f"CREATE DATABASE {loading} TEMPLATE template0 ENCODING 'UTF8' LOCALE 'C.UTF-8'")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("MONITOR_STORE_URL", None)
    cmd = [sys.executable, "-m", "ingest", "--config", str(sqlite_config), "store", "copy", "--to", pg.url(loading)]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True)
    copy_s = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"store copy failed ({proc.returncode}): {proc.stderr[-800:]}")
    t0 = time.perf_counter()
    _vacuum(pg.url(loading))
    vacuum_s = time.perf_counter() - t0
    _release(pg)
    pg.admin(f"ALTER DATABASE {loading} RENAME TO {name}")  # the name says the copy finished
    return name, {"copy": copy_s, "vacuum": vacuum_s}


def clone(pg: PgServer, template_name: str, name: str) -> str:
    """A fresh database equal to the template (no session may be open on the template)."""
    _release(pg)
    pg.admin(f"CREATE DATABASE {name} TEMPLATE {template_name} STRATEGY FILE_COPY")
    return pg.url(name)


def drop(pg: PgServer, name: str) -> None:
    pg.drop_database(name)


def size_mb(pg: PgServer, name: str) -> float:
    import psycopg

    with psycopg.connect(pg.url("postgres")) as conn:
        row = conn.execute("SELECT pg_database_size(%s)", (name,)).fetchone()
    return int(row[0]) / 1e6 if row else 0.0


def _databases(pg: PgServer) -> list[str]:
    import psycopg

    with psycopg.connect(pg.url("postgres")) as conn:
        rows = conn.execute("SELECT datname FROM pg_database WHERE NOT datistemplate AND datname <> 'postgres'")
        return [r[0] for r in rows]


def _vacuum(url: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)")


def _release(pg: PgServer) -> None:
    from store import pg as store_pg

    store_pg.close_pools()  # pooled sessions would keep the database busy
