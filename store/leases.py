"""Feed leases: how any number of ingest workers share the feeds of one store.

A worker claims due feeds in a short transaction: the candidate rows are locked
with `FOR UPDATE SKIP LOCKED` (PostgreSQL; SQLite's BEGIN IMMEDIATE already admits
one writer), a transaction-scoped advisory lock makes the per-host count and the
claim one step, and each claimed row gets the worker's name and a lease end.  The
lease, not a row lock, covers the fetch (which runs outside any transaction), so a
worker that dies holds nothing once its leases run out.  Times are ISO 8601 UTC text
like every other time in the store; workers need synchronised clocks (NTP).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from .db import transaction
from .timefmt import iso

_CLAIM_LOCK = 7410524
# The due feeds, longest overdue first: read in `due_at` order from its index (the first
# rows only, however many feeds there are); tests/test_store_plans.py checks the plan.
DUE_SQL = """SELECT l.source_id, l.host FROM feed_leases l
    LEFT JOIN feed_state f ON f.source_id = l.source_id
    WHERE l.due_at <= ?
      AND (l.leased_until IS NULL OR l.leased_until <= ?)
      AND (f.next_attempt_at IS NULL OR f.next_attempt_at <= ?)
      AND (f.last_attempt_at IS NULL OR f.last_attempt_at <= ?)
    ORDER BY l.due_at, l.source_id
    LIMIT ?"""
# Live leases per host: read from the lease-end index, the leased rows only.
BUSY_SQL = "SELECT host, count(*) FROM feed_leases WHERE leased_until > ? GROUP BY host"


class FeedLeases:
    def __init__(self, conn: Any):
        self.conn = conn

    def sync(self, feeds: Iterable[tuple[str, str]]) -> None:
        """One lease row per configured feed (source id, host); rows of removed feeds go."""
        feeds = list(feeds)
        with transaction(self.conn) as c:
            if c.is_postgres:
                c.execute("SELECT pg_advisory_xact_lock(?)", (_CLAIM_LOCK,))
            c.executemany(
                "INSERT INTO feed_leases (source_id, host) VALUES (?, ?) "
                "ON CONFLICT (source_id) DO UPDATE SET host = excluded.host",
                feeds,
            )
            keep = {sid for sid, _ in feeds}
            gone = [r[0] for r in c.execute("SELECT source_id FROM feed_leases").fetchall() if r[0] not in keep]
            c.executemany("DELETE FROM feed_leases WHERE source_id = ?", [(sid,) for sid in gone])

    def claim(
        self, worker: str, limit: int, per_host: int, now: datetime, lease_seconds: float, interval_seconds: float
    ) -> list[str]:
        """Claim up to `limit` due feeds for `worker`, never more than `per_host` leases on one host.

        Due: not leased (or the lease ran out), not backing off (feed_state.next_attempt_at),
        and not attempted within `interval_seconds`.  Longest overdue first, read from the
        `due_at` index (a lease's end, or when its last worker said the feed is due again);
        the feed_state conditions still hold, for feeds that `run` fetched meanwhile."""
        stamp, cutoff = iso(now), iso(now - timedelta(seconds=interval_seconds))
        until = iso(now + timedelta(seconds=lease_seconds))
        with transaction(self.conn) as c:
            skip_locked = ""
            if c.is_postgres:
                c.execute("SELECT pg_advisory_xact_lock(?)", (_CLAIM_LOCK,))
                skip_locked = " FOR UPDATE OF l SKIP LOCKED"
            busy = dict(c.execute(BUSY_SQL, (stamp,)).fetchall())
            rows = c.execute(DUE_SQL + skip_locked, (stamp, stamp, stamp, cutoff, max(limit * 8, 64))).fetchall()
            chosen: list[str] = []
            for source_id, host in rows:
                if len(chosen) >= limit:
                    break
                if busy.get(host, 0) >= per_host:
                    continue
                busy[host] = busy.get(host, 0) + 1
                chosen.append(source_id)
            c.executemany(
                "UPDATE feed_leases SET worker = ?, leased_until = ?, due_at = ?, claimed_at = ?, "
                "claims = claims + 1 WHERE source_id = ?",
                [(worker, until, until, stamp, sid) for sid in chosen],
            )
        return chosen

    def release(self, worker: str, source_id: str, due: datetime | None = None) -> None:
        """Give a feed back (its state and items are already committed); `due`: when it may
        be fetched again (None: at once)."""
        self.conn.execute(
            "UPDATE feed_leases SET worker = NULL, leased_until = NULL, due_at = ? WHERE source_id = ? AND worker = ?",
            (iso(due) or "", source_id, worker),
        )

    def outstanding(self, now: datetime, interval_seconds: float) -> int:
        """Feeds still to do in this round: leased by someone, or due and unclaimed."""
        stamp, cutoff = iso(now), iso(now - timedelta(seconds=interval_seconds))
        row = self.conn.execute(
            """SELECT count(*) FROM feed_leases l LEFT JOIN feed_state f ON f.source_id = l.source_id
               WHERE l.leased_until > ?
                  OR ((f.next_attempt_at IS NULL OR f.next_attempt_at <= ?)
                      AND (f.last_attempt_at IS NULL OR f.last_attempt_at <= ?))""",
            (stamp, stamp, cutoff),
        ).fetchone()
        return int(row[0])
