"""The alert log: each event decided once, and its delivery to each channel.

Exactly-once hinges on two keys.  `alert_events.event_key` names the event (say
"rise:gsi:2026-W47"): however often the rules run, in however many processes,
the second insert of a key does nothing, so an event is decided once.  Each
(event, channel) row then goes pending -> sending -> delivered; a worker claims
rows in a transaction before sending, so two workers never send the same row,
and a worker killed after claiming leaves rows that the next run reclaims (its
process is gone, or its lease ran out) and delivers.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pandas as pd

from .db import transaction
from .timefmt import iso

LEASE = timedelta(minutes=10)  # a claim older than this is abandoned even if its process looks alive


@dataclass(frozen=True)
class AlertEvent:
    event_key: str
    watch_name: str
    rule: str  # rise | first_in_group | new_item | briefing
    title: str
    reason: str
    evidence: tuple[dict[str, Any], ...] = ()
    link: str = ""
    decided_at: str | None = None


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _abandoned(claimed_by: str | None, claimed_at: str | None, now: datetime) -> bool:
    if not claimed_by or not claimed_at or claimed_at < (iso(now - LEASE) or ""):
        return True
    host, _, pid = claimed_by.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


class AlertLog:
    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    def decide(self, event: AlertEvent, channels: Sequence[str], now: datetime) -> bool:
        """Record the event with a pending delivery per channel; False if it was already decided."""
        with transaction(self.conn) as c:
            inserted = c.execute(
                """INSERT INTO alert_events (event_key, watch_name, rule, decided_at, title, reason, evidence, link)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (event_key) DO NOTHING""",
                (
                    event.event_key,
                    event.watch_name,
                    event.rule,
                    iso(now),
                    event.title,
                    event.reason,
                    json.dumps(list(event.evidence), ensure_ascii=False),
                    event.link,
                ),
            ).rowcount
            if inserted:
                c.executemany(
                    "INSERT INTO alert_deliveries (event_key, channel, state) VALUES (?, ?, 'pending')",
                    [(event.event_key, ch) for ch in channels],
                )
        return bool(inserted)

    def claim(self, channel: str, now: datetime, limit: int = 1000) -> list[AlertEvent]:
        """Take the channel's undelivered events for this process, oldest first."""
        with transaction(self.conn) as c:
            rows = c.execute(
                """SELECT d.event_key, d.state, d.claimed_by, d.claimed_at FROM alert_deliveries d
                   JOIN alert_events e ON e.event_key = d.event_key
                   WHERE d.channel = ? AND d.state IN ('pending', 'sending')
                   ORDER BY e.decided_at, e.event_key LIMIT ?""",
                (channel, limit),
            ).fetchall()
            keys = []
            for r in rows:
                if r["state"] != "pending" and not _abandoned(r["claimed_by"], r["claimed_at"], now):
                    continue
                # Compare-and-set on what was read: under any isolation level (SQLite's
                # serialised writers, PostgreSQL's read committed) one worker wins a row.
                won = c.execute(
                    "UPDATE alert_deliveries SET state = 'sending', claimed_by = ?, claimed_at = ? "
                    "WHERE event_key = ? AND channel = ? AND state = ? AND coalesce(claimed_by, '') = ?",
                    (worker_id(), iso(now), r["event_key"], channel, r["state"], r["claimed_by"] or ""),
                ).rowcount
                if won == 1:
                    keys.append(r["event_key"])
        return self.events_by_key(keys)

    def events_by_key(self, keys: Sequence[str]) -> list[AlertEvent]:
        out = []
        for key in keys:
            row = self.conn.execute("SELECT * FROM alert_events WHERE event_key = ?", (key,)).fetchone()
            if row is not None:
                out.append(
                    AlertEvent(
                        row["event_key"],
                        row["watch_name"],
                        row["rule"],
                        row["title"],
                        row["reason"],
                        tuple(json.loads(row["evidence"])),
                        row["link"],
                        row["decided_at"],
                    )
                )
        return out

    def finish(
        self, keys: Sequence[str], channel: str, ok: bool, batch: str, error: str | None, now: datetime, attempts: int
    ) -> None:
        """Delivered, or back to pending (the next run tries again) with the error kept."""
        with transaction(self.conn) as c:
            if ok:
                c.executemany(
                    "UPDATE alert_deliveries SET state = 'delivered', delivered_at = ?, batch = ?, "
                    "attempts = attempts + ?, last_error = NULL WHERE event_key = ? AND channel = ?",
                    [(iso(now), batch, attempts, k, channel) for k in keys],
                )
            else:
                c.executemany(
                    "UPDATE alert_deliveries SET state = 'pending', claimed_by = NULL, claimed_at = NULL, "
                    "attempts = attempts + ?, last_error = ? WHERE event_key = ? AND channel = ?",
                    [(attempts, error, k, channel) for k in keys],
                )

    def log_attempt(
        self, batch: str, channel: str, attempt: int, ok: bool, events: int, detail: str, now: datetime
    ) -> None:
        self.conn.execute(
            """INSERT INTO delivery_log (batch, channel, attempt, at, ok, events, detail) VALUES (?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT (batch, channel, attempt) DO NOTHING""",
            (batch, channel, attempt, iso(now), int(ok), events, detail[:500]),
        )

    # ---- reading ----------------------------------------------------------------

    def events(self, limit: int = 500) -> pd.DataFrame:
        """Newest first, with each channel's delivery state in one column."""
        cur = self.conn.execute(
            """SELECT e.event_key, e.watch_name, e.rule, e.decided_at, e.title, e.reason, e.evidence, e.link,
                      e.seen, d.channel, d.state, d.attempts, d.last_error, d.delivered_at
               FROM alert_events e LEFT JOIN alert_deliveries d ON d.event_key = e.event_key
               WHERE e.event_key IN (SELECT event_key FROM alert_events ORDER BY decided_at DESC, event_key LIMIT ?)
               ORDER BY e.decided_at DESC, e.event_key, d.channel""",
            (int(limit),),
        )
        return pd.DataFrame.from_records(cur.fetchall(), columns=[d[0] for d in cur.description])

    def deliveries_log(self, limit: int = 200) -> pd.DataFrame:
        cur = self.conn.execute(
            "SELECT at, channel, batch, attempt, ok, events, detail FROM delivery_log ORDER BY at DESC LIMIT ?",
            (int(limit),),
        )
        return pd.DataFrame.from_records(cur.fetchall(), columns=[d[0] for d in cur.description])

    def unseen(self) -> int:
        return int(self.conn.execute("SELECT count(*) FROM alert_events WHERE seen = 0").fetchone()[0])

    def mark_seen(self) -> None:
        with transaction(self.conn) as c:
            c.execute("UPDATE alert_events SET seen = 1 WHERE seen = 0")
