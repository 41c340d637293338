"""Whether a run is still going, one test for the write side and the read side.

A run is going while its own process is (SQLite, one machine: its pid; PostgreSQL, runs
from many machines: its session holds the run's advisory lock, seen in `pg_locks`), or,
for a backfill, while workers carry its batch job after that process died: a batch of
the job leased now, or one written in the last minute (a worker between two batches
holds none).  Whoever writes the job's last batch finishes the run (store/store.py
`close_run`).  A run marked running that is not going was interrupted: the next run's
sweep writes that, and until then every reader is shown it (`as_shown`), so no screen
says "running" about a process that is gone.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from typing import Any

from .timefmt import iso

RUN_LOCK = 7410522  # PostgreSQL advisory lock namespace: (RUN_LOCK, run id) is held by the run's session
CARRY_GRACE = timedelta(minutes=1)


def pid_alive(pid: int | None) -> bool:
    if not pid:
        return False
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def owner_alive(conn: Any, run_id: int, pid: int | None) -> bool:
    if not conn.is_postgres:
        return pid_alive(pid)
    # A plain read (no lock taken), so a read-only dashboard session can ask too.  Advisory
    # locks of every database of the server show in pg_locks: only this database's count.
    row = conn.execute(
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
        "AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
        "AND classid::bigint = ? AND objid::bigint = ? AND objsubid = 2",
        (RUN_LOCK, run_id),
    ).fetchone()
    return int(row[0]) > 0


def carried(conn: Any, batch_job: str | None, now: datetime) -> bool:
    """Workers are doing the run's batch job: it has batches left, and one is leased or
    was written within CARRY_GRACE."""
    if not batch_job:
        return False
    row = conn.execute(
        "SELECT count(*) FROM batch_jobs WHERE job = ? AND ((done_at IS NULL AND leased_until > ?) OR done_at > ?) "
        "AND EXISTS (SELECT 1 FROM batch_jobs WHERE job = ? AND done_at IS NULL)",
        (batch_job, iso(now), iso(now - CARRY_GRACE), batch_job),
    ).fetchone()
    return int(row[0]) > 0


def going(conn: Any, run: dict[str, Any], now: datetime) -> bool:
    return owner_alive(conn, int(run["id"]), run.get("pid")) or carried(conn, run.get("batch_job"), now)


def as_shown(conn: Any, run: dict[str, Any] | None, now: datetime) -> dict[str, Any] | None:
    """The run as it is: one still marked running that is not going is shown interrupted."""
    if run is None or run.get("status") != "running" or going(conn, run, now):
        return run
    return {**run, "status": "interrupted"}
