"""Whether a run is still going, one test for the write side and the read side.

A run is going while its own process is (SQLite, one machine: its pid, when the reader
shares the run's PID namespace, else the heartbeat its process stamps; PostgreSQL, runs
from many machines: its session holds the run's advisory lock, seen in `pg_locks`), or,
for a backfill, while workers carry its batch job after that process died: a batch of
the job leased now, or one written in the last minute (a worker between two batches
holds none).  Whoever writes the job's last batch finishes the run (store/run_writes.py
`close_run`).  A run marked running that is not going was interrupted: the next run's
sweep writes that, and until then every reader is shown it (`as_shown`), so no screen
says "running" about a process that is gone.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from .db import StoreError, connect
from .timefmt import iso, parse_iso

RUN_LOCK = 7410522  # PostgreSQL advisory lock namespace: (RUN_LOCK, run id) is held by the run's session
CARRY_GRACE = timedelta(minutes=1)
# A SQLite run's process stamps runs.heartbeat_at this often; a reader that cannot see the
# run's pid (another container) takes a run silent for HEARTBEAT_GRACE for a dead one.  The
# grace covers a stamp waiting behind a long write transaction of the run itself.
HEARTBEAT_SECONDS = 15.0
HEARTBEAT_GRACE = timedelta(minutes=2)


def pid_namespace() -> str | None:
    """This process's PID namespace ("pid:[4026531836]"), or None where /proc does not say."""
    try:
        return os.readlink("/proc/self/ns/pid")
    except OSError:
        return None


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


def owner_alive(conn: Any, run: dict[str, Any], now: datetime) -> bool:
    run_id, pid = int(run["id"]), run.get("pid")
    if not conn.is_postgres:
        # A pid means something only in the namespace it came from: elsewhere it names
        # nothing, or another process; there the run's own heartbeat decides.
        if run.get("pid_ns") in (None, pid_namespace()):
            return pid_alive(pid)
        beat = parse_iso(run.get("heartbeat_at"))
        return beat is not None and now - beat <= HEARTBEAT_GRACE
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
    return owner_alive(conn, run, now) or carried(conn, run.get("batch_job"), now)


def as_shown(conn: Any, run: dict[str, Any] | None, now: datetime) -> dict[str, Any] | None:
    """The run as it is: one still marked running that is not going is shown interrupted."""
    if run is None or run.get("status") != "running" or going(conn, run, now):
        return run
    return {**run, "status": "interrupted"}


class Heartbeat:
    """SQLite: a thread stamping a run's heartbeat_at every HEARTBEAT_SECONDS, on its own
    connection (a stamp waits behind the run's own write transaction, never inside it), until
    stopped or the run is no longer marked running.  A stamp that fails is skipped: the
    heartbeat only helps readers in other PID namespaces, and must never fail a run."""

    def __init__(self, path: Path, run_id: int, every: float = HEARTBEAT_SECONDS):
        self.path, self.run_id, self.every = path, run_id, every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"run-{run_id}-heartbeat", daemon=True)
        self._thread.start()

    def _beat(self) -> None:
        while not self._stop.wait(self.every):
            try:
                conn = connect(self.path, readonly=False)
                try:
                    with conn:
                        cur = conn.execute(
                            "UPDATE runs SET heartbeat_at = ? WHERE id = ? AND status = 'running'",
                            (iso(datetime.now(UTC)), self.run_id),
                        )
                finally:
                    conn.close()
            except (sqlite3.Error, StoreError):
                continue
            if cur.rowcount == 0:  # finished (or swept) by another process: nothing left to vouch for
                return

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
