"""Batch jobs: a large job (a rescore) cut into batches of item ids that any number of
workers share, as they share feeds (store/leases.py).

A worker claims the first open batch of a job it can do in a short transaction (the
row locked with `FOR UPDATE SKIP LOCKED` on PostgreSQL; SQLite's BEGIN IMMEDIATE
admits one writer) and a lease.  It does the work outside any transaction, then writes
the batch's result in one transaction that first checks the batch is still its own
(`hold`: a lease that ran out may have been taken by another worker) and ends with
`mark_done`.  So a killed worker loses only its uncommitted batch, which another takes
once the lease runs out, and no batch's result is written twice.  Whoever marks the
last batch done learns it in that same transaction and ends the job there.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from .db import transaction
from .timefmt import iso

_DONE_LOCK = 7410527  # PostgreSQL advisory lock namespace (store/store.py lists them all): the last-batch check


@dataclass(frozen=True)
class Batch:
    job: str
    first_id: int
    last_id: int


class BatchJobs:
    def __init__(self, conn: Any):
        self.conn = conn

    def enqueue_items(self, job: str, batch_size: int, supersedes: str = "") -> int:
        """Cut the stored items into batches of `batch_size` ids for `job`, unless the job
        already has open batches (a job interrupted earlier resumes where it stopped).
        Rows of other jobs whose name starts with `supersedes` go (an older rescore).
        Returns the job's open batches."""
        with transaction(self.conn) as c:
            if supersedes:
                c.execute("DELETE FROM batch_jobs WHERE job LIKE ? AND job != ?", (supersedes + "%", job))
            if self._open(c, job):
                return self._open(c, job)
            c.execute("DELETE FROM batch_jobs WHERE job = ?", (job,))
            last = 0
            while True:
                row = c.execute(
                    "SELECT min(id), max(id) FROM (SELECT id FROM items WHERE id > ? ORDER BY id LIMIT ?) AS b",
                    (last, batch_size),
                ).fetchone()
                if row is None or row[0] is None:
                    break
                c.execute("INSERT INTO batch_jobs (job, first_id, last_id) VALUES (?, ?, ?)", (job, row[0], row[1]))
                last = int(row[1])
            return self._open(c, job)

    def claim(self, job: str, worker: str, now: datetime, lease_seconds: float) -> Batch | None:
        """The first open batch of `job` that nobody holds (or whose lease ran out), leased to `worker`."""
        stamp, until = iso(now), iso(now + timedelta(seconds=lease_seconds))
        with transaction(self.conn) as c:
            skip_locked = " FOR UPDATE SKIP LOCKED" if c.is_postgres else ""
            row = c.execute(
                "SELECT first_id, last_id FROM batch_jobs WHERE job = ? AND done_at IS NULL "
                f"AND (leased_until IS NULL OR leased_until <= ?) ORDER BY first_id LIMIT 1{skip_locked}",
                (job, stamp),
            ).fetchone()
            if row is None:
                return None
            c.execute(
                "UPDATE batch_jobs SET worker = ?, leased_until = ?, claims = claims + 1 "
                "WHERE job = ? AND first_id = ?",
                (worker, until, job, row[0]),
            )
        return Batch(job, int(row[0]), int(row[1]))

    def hold(self, batch: Batch, worker: str) -> bool:
        """Inside the batch's writing transaction: is the batch still this worker's and not
        done?  On PostgreSQL the row stays locked until that transaction ends, so no other
        worker can claim it meanwhile (claims skip locked rows)."""
        lock = " FOR UPDATE" if self.conn.is_postgres else ""
        row = self.conn.execute(
            f"SELECT worker, done_at FROM batch_jobs WHERE job = ? AND first_id = ?{lock}",
            (batch.job, batch.first_id),
        ).fetchone()
        return row is not None and row[0] == worker and row[1] is None

    def mark_done(self, batch: Batch, now: datetime) -> bool:
        """Inside the batch's writing transaction: mark it done; True when it was the job's last."""
        self.conn.execute(
            "UPDATE batch_jobs SET done_at = ?, leased_until = NULL WHERE job = ? AND first_id = ?",
            (iso(now), batch.job, batch.first_id),
        )
        if self.conn.is_postgres:  # two last batches ending together: the second sees the first
            self.conn.execute("SELECT pg_advisory_xact_lock(?)", (_DONE_LOCK,))
        return self._open(self.conn, batch.job) == 0

    def enqueue_spans(self, job: str, spans: list[tuple[int, int, int]], drop: list[str], run: int = 0) -> int:
        """Batches of `job` as (start, end, first line) spans of a file, in file order,
        unless the job already has open batches (it resumes).  The jobs named in `drop` go
        first (a backfill of an older version of the file).  `run`, when given, is carried
        by the job: it goes on while workers do the job (store/runs.py), whose last batch
        finishes it.  Returns the job's open batches."""
        with transaction(self.conn) as c:
            if run:
                c.execute("UPDATE runs SET batch_job = ? WHERE id = ?", (job, run))
            for name in drop:
                if name != job:
                    c.execute("DELETE FROM batch_jobs WHERE job = ?", (name,))
            if self._open(c, job):
                return self._open(c, job)
            c.execute("DELETE FROM batch_jobs WHERE job = ?", (job,))
            for start, end, line in spans:
                c.execute(
                    "INSERT INTO batch_jobs (job, first_id, last_id, first_line) VALUES (?, ?, ?, ?)",
                    (job, start, end, line),
                )
            return self._open(c, job)

    def jobs(self, prefix: str, open_only: bool = True) -> list[str]:
        """Jobs whose name starts with `prefix` (with batches not done, unless not `open_only`)."""
        undone = " AND done_at IS NULL" if open_only else ""
        rows = self.conn.execute(
            f"SELECT DISTINCT job FROM batch_jobs WHERE job LIKE ?{undone}", (prefix + "%",)
        ).fetchall()
        return sorted(str(r[0]) for r in rows)

    def first_line(self, batch: Batch) -> int:
        row = self.conn.execute(
            "SELECT first_line FROM batch_jobs WHERE job = ? AND first_id = ?", (batch.job, batch.first_id)
        ).fetchone()
        return int(row[0]) if row and row[0] is not None else 1

    def earlier_open(self, batch: Batch, now: datetime) -> tuple[int, int]:
        """Batches of the job before `batch` not done yet: (all, free to claim)."""
        row = self.conn.execute(
            "SELECT count(*), coalesce(sum(CASE WHEN leased_until IS NULL OR leased_until <= ? THEN 1 ELSE 0 END), 0) "
            "FROM batch_jobs WHERE job = ? AND first_id < ? AND done_at IS NULL",
            (iso(now), batch.job, batch.first_id),
        ).fetchone()
        return int(row[0]), int(row[1])

    def renew(self, batch: Batch, worker: str, until: datetime) -> None:
        with transaction(self.conn) as c:
            c.execute(
                "UPDATE batch_jobs SET leased_until = ? WHERE job = ? AND first_id = ? AND worker = ? "
                "AND done_at IS NULL",
                (iso(until), batch.job, batch.first_id, worker),
            )

    def release(self, batch: Batch, worker: str) -> None:
        """Give a batch back undone (its lease ends now), for any worker to take."""
        with transaction(self.conn) as c:
            c.execute(
                "UPDATE batch_jobs SET leased_until = NULL WHERE job = ? AND first_id = ? AND worker = ? "
                "AND done_at IS NULL",
                (batch.job, batch.first_id, worker),
            )

    def set_outcome(self, batch: Batch, outcome: str) -> None:
        """Inside the batch's writing transaction."""
        self.conn.execute(
            "UPDATE batch_jobs SET outcome = ? WHERE job = ? AND first_id = ?", (outcome, batch.job, batch.first_id)
        )

    def outcomes(self, job: str) -> list[str]:
        """The batches' outcomes in file order (batches not done have none)."""
        rows = self.conn.execute(
            "SELECT outcome FROM batch_jobs WHERE job = ? AND outcome IS NOT NULL ORDER BY first_id", (job,)
        ).fetchall()
        return [str(r[0]) for r in rows]

    def open_batches(self, job: str) -> int:
        """Batches of `job` not done yet (held by a worker or waiting)."""
        return self._open(self.conn, job)

    def done_batches(self, job: str) -> int:
        return int(
            self.conn.execute(
                "SELECT count(*) FROM batch_jobs WHERE job = ? AND done_at IS NOT NULL", (job,)
            ).fetchone()[0]
        )

    @staticmethod
    def _open(conn: Any, job: str) -> int:
        return int(
            conn.execute("SELECT count(*) FROM batch_jobs WHERE job = ? AND done_at IS NULL", (job,)).fetchone()[0]
        )
