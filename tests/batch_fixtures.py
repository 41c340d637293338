"""Looking at batch jobs (store/batch_jobs.py) from a test, and killing a worker process
while it provably holds a batch it has not written: shared by the batch rescore and
batch backfill tests (tests/test_batch_rescore.py, tests/test_batch_backfill.py)."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

from store.db import open_connection


def _rows(url: str, sql: str, args: tuple = ()) -> list[tuple]:
    conn = open_connection(url, readonly=True)
    try:
        return [tuple(r) for r in conn.execute(sql, args)]
    finally:
        conn.close()


def batch_rows(url: str, job: str) -> list[tuple]:
    """(first id, last id, worker, done at, claims) of every batch of `job`, in order."""
    sql = "SELECT first_id, last_id, worker, done_at, claims FROM batch_jobs WHERE job = ? ORDER BY first_id"
    return _rows(url, sql, (job,))


def job_state(url: str, job: str) -> list[tuple]:
    """(worker, done at, claims) of every batch of `job`, in order."""
    return [row[2:] for row in batch_rows(url, job)]


def kill_holding_a_batch(victim: subprocess.Popen, url: str, job: str) -> tuple[int, int]:
    """SIGKILL the worker while it holds a batch it has not written; returns that batch's
    (first id, last id).  It is frozen first and the job looked at again: a batch can take
    less time than any fixed wait, and a kill between two batches would leave nothing to
    take over.  The second look waits until the process is really stopped and (on
    PostgreSQL) the server has finished what it was sent: a COMMIT already on its way
    would otherwise land after the look."""

    def held() -> list[tuple[int, int]]:
        sql = (
            "SELECT first_id, last_id FROM batch_jobs WHERE job = ? AND worker IS NOT NULL "
            "AND done_at IS NULL AND leased_until IS NOT NULL ORDER BY first_id"
        )
        return [(int(a), int(b)) for a, b in _rows(url, sql, (job,))]

    deadline = time.monotonic() + 120
    while True:
        assert time.monotonic() < deadline and victim.poll() is None, "the worker never held a batch"
        if held():
            os.kill(victim.pid, signal.SIGSTOP)
            _settled(victim.pid, url, deadline)
            holding = held()
            if holding:
                break
            os.kill(victim.pid, signal.SIGCONT)
        time.sleep(0.01)
    os.kill(victim.pid, signal.SIGKILL)
    victim.wait()
    assert len(holding) == 1, holding  # one worker, one batch at a time
    return holding[0]


def _settled(pid: int, url: str, deadline: float) -> None:
    """Wait until the process is stopped (kill returns before it is) and no statement of
    the store's PostgreSQL database is still running."""
    while _state(pid) != "T":
        assert time.monotonic() < deadline, f"process {pid} did not stop"
        time.sleep(0.001)
    if not url.startswith("postgresql"):
        return
    sql = (
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
        "AND pid <> pg_backend_pid() AND state = 'active'"
    )
    while _rows(url, sql)[0][0]:
        assert time.monotonic() < deadline, "a statement of the frozen worker never ended"
        time.sleep(0.005)


def _state(pid: int) -> str:
    """The process's state letter from /proc (after the command name, which may hold spaces)."""
    return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
