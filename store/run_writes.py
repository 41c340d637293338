"""A run's life in the store: opened (sweeping runs that are no longer going), each
source's outcome recorded, closed with its totals, and released by the process that
vouched for it.  Whether a run is still going is `store/runs.py`, shared with the readers.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from typing import Any

from . import runs
from .timefmt import iso
from .write_session import WriteSession


class RunWrites(WriteSession):
    """Opening, recording and closing runs (part of `Store`)."""

    def start_run(self, lexicon_hash: str, now: datetime, scoring: str = "") -> int:
        """Open a run; earlier runs still marked running that are not going (store/runs.py)
        become interrupted.  `scoring` says what scores the run's items (lexicon, matching
        code, settings); in a store without items it is what every item is scored with."""
        with self.transaction() as c:
            running = "SELECT id, pid, pid_ns, heartbeat_at, batch_job FROM runs WHERE status = 'running'"
            for row in c.execute(running).fetchall():
                # Leases are stamped by the clock, not by the time a run carries (`now` may be an import's)
                if not runs.going(c, dict(row), datetime.now(UTC)):
                    c.execute(
                        "UPDATE runs SET status = 'interrupted', finished_at = coalesce(finished_at, ?) WHERE id = ?",
                        (iso(now), row["id"]),
                    )
            cur = c.execute(
                "INSERT INTO runs (started_at, status, pid, pid_ns, heartbeat_at, lexicon_hash, scoring) "
                "VALUES (?, 'running', ?, ?, ?, ?, ?)",
                (iso(now), os.getpid(), runs.pid_namespace(), iso(datetime.now(UTC)), lexicon_hash, scoring or None),
            )
            run_id = int(cur.lastrowid or 0)
            if scoring and c.execute("SELECT 1 FROM items LIMIT 1").fetchone() is None:
                self.set_meta("scored_with", scoring)
            self.bump_data_version()
        if self.conn.is_postgres:  # held by this session until finish_run or its death
            self.conn.execute("SELECT pg_advisory_lock(?, ?)", (runs.RUN_LOCK, run_id))
        elif self.target.path is not None:
            self._heartbeats[run_id] = runs.Heartbeat(self.target.path, run_id)
        return run_id

    def record_source(self, run_id: int, source_id: str, outcome: dict[str, Any], now: datetime) -> None:
        self.conn.execute(
            """INSERT INTO run_sources
               (run_id, source_id, status, new_items, duplicates, failed_items, error, warning, finished_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT (run_id, source_id) DO UPDATE SET status = excluded.status,
                 new_items = excluded.new_items, duplicates = excluded.duplicates,
                 failed_items = excluded.failed_items, error = excluded.error, warning = excluded.warning,
                 finished_at = excluded.finished_at""",
            (
                run_id,
                source_id,
                outcome["status"],
                outcome.get("new", 0),
                outcome.get("duplicates", 0),
                outcome.get("failed", 0),
                outcome.get("error"),
                outcome.get("warning"),
                iso(now),
            ),
        )

    def finish_run(self, run_id: int, now: datetime) -> dict[str, Any]:
        with self.transaction():
            summary = self.close_run(run_id, now)
        self.release_run(run_id)
        return summary

    def close_run(self, run_id: int, now: datetime) -> dict[str, Any]:
        """Inside a transaction: the run's totals from its sources, and its end.  Also by
        the process that writes a backfill's last batch, whichever it is: a run the sweep
        marked interrupted while its workers went on is finished with its counts."""
        c = self.conn
        totals = c.execute(
            """SELECT coalesce(sum(new_items), 0) AS new, coalesce(sum(duplicates), 0) AS dup,
                      coalesce(sum(status = 'error'), 0) AS failed
               FROM run_sources WHERE run_id = ?""",
            (run_id,),
        ).fetchone()
        errors = [
            {"source": r["source_id"], "error": r["error"]}
            for r in c.execute(
                "SELECT source_id, error FROM run_sources WHERE run_id = ? AND error IS NOT NULL ORDER BY source_id",
                (run_id,),
            )
        ]
        status = "errors" if errors else "ok"
        c.execute(
            """UPDATE runs SET finished_at = ?, status = ?, new_items = ?, duplicates = ?,
               failed_sources = ?, errors = ? WHERE id = ?""",
            (iso(now), status, totals["new"], totals["dup"], totals["failed"], json.dumps(errors), run_id),
        )
        self.set_meta("last_run_finished_at", iso(now) or "")
        self.bump_data_version()
        return {"status": status, "new": totals["new"], "duplicates": totals["dup"], "errors": errors}

    def release_run(self, run_id: int) -> None:
        """This process no longer vouches for the run (PostgreSQL: its advisory lock goes;
        SQLite: its heartbeat stops)."""
        if self.conn.is_postgres:
            self.conn.execute("SELECT pg_advisory_unlock(?, ?)", (runs.RUN_LOCK, run_id))
        beat = self._heartbeats.pop(run_id, None)
        if beat is not None:
            beat.stop()
