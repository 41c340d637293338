"""The ingest side of the store: config sync, feed state, runs, items, aggregates."""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from . import item_writes, runs
from .db import StoreError, _classify, migrate, open_connection, transaction
from .item_updates import replace_item
from .planner_stats import SourceEstimates
from .records import FeedState, Item, StoredIdentity
from .rescore_writes import rewrite_changed
from .stats import store_stats
from .timefmt import iso, parse_iso
from .url import StoreTarget, as_target
from .watches import WatchBook

# An undated document (no date, or one that cannot be trusted) has no place on a time axis: it
# is kept, searchable and scored, but stored with an empty date and day, so no range query and
# no daily aggregate behind the trends can ever place it.
_DATED = "i.date_precision != 'undated'"
# The finest bucket an item may be counted in: exact times and days count by day.
_AGG_PRECISION = "CASE WHEN i.date_precision = 'time' THEN 'day' ELSE i.date_precision END"


class Store:
    """A writable store.  One instance per process; not shared across threads."""

    def __init__(self, location: str | Path | StoreTarget):
        self.target = as_target(location)
        # The file, or the connection URL (so `StoreReader(store.path)` opens the same store);
        # messages name `where`, which never shows a password.
        self.path: Path | str = self.target.path or self.target.dsn or ""
        where = self.target.path or self.target.display()
        self._unindexed_from: int | None = None  # first item id inserted in this transaction
        self._in_transaction = False
        self._touched_days: set[tuple[str, str]] = set()  # (source, day) of items updated in this transaction
        self._estimates = SourceEstimates()  # PostgreSQL: items stored per source, for the planner's statistics
        self.items_rewritten = 0  # by `rescore_items` on this connection (what a rescore's edit touched)
        self._heartbeats: dict[int, runs.Heartbeat] = {}  # SQLite: runs this process vouches for
        self.conn = open_connection(self.target, readonly=False)
        try:
            self.applied = migrate(self.conn, where)
            if not self.conn.is_postgres:
                _probe_writable(self.conn)
        except sqlite3.DatabaseError as exc:
            self.conn.close()
            raise _classify(exc, where) from None
        except StoreError:
            self.conn.close()
            raise
        except Exception as exc:
            self.conn.close()
            if self.target.is_postgres:
                raise StoreError(f"The PostgreSQL store {self.target.display()} cannot be prepared: {exc}") from None
            raise

    def close(self) -> None:
        for run_id in list(self._heartbeats):  # a run left open by an error is vouched for no longer
            self.release_run(run_id)
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[Any]:
        """One write transaction; the items it inserted enter the full-text index in one
        statement just before COMMIT (no per-row trigger), so a rollback undoes both."""
        self._unindexed_from, self._in_transaction, self._touched_days = None, True, set()
        try:
            with transaction(self.conn) as conn:
                yield conn
                self._index_new_items()
        except BaseException:
            self._estimates.rolled_back()
            raise
        finally:
            self._unindexed_from, self._in_transaction = None, False
        if self.conn.is_postgres:
            self._estimates.committed(self.conn)  # see store/planner_stats.py

    def _index_new_items(self) -> None:
        # PostgreSQL's trigram indexes are ordinary indexes, maintained by the INSERT itself.
        if self._unindexed_from is not None and not self.conn.is_postgres:
            self.conn.execute(
                "INSERT INTO items_fts (rowid, title, text) SELECT id, title, text FROM items WHERE id >= ?",
                (self._unindexed_from,),
            )

    # ---- meta -------------------------------------------------------------

    def meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else row[0]

    def set_meta(self, key: str, value: str) -> None:
        self.conn.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    def bump_data_version(self) -> None:
        """Readers key their caches on this; it changes whenever committed data does."""
        self.conn.execute(
            "INSERT INTO meta (key, value) VALUES ('data_version', '1') "
            "ON CONFLICT(key) DO UPDATE SET value = CAST(meta.value AS INTEGER) + 1"
        )

    # ---- configuration ----------------------------------------------------

    def sync_config(self, config: Any, lexicon: Any, now: datetime) -> None:
        """Mirror groups, configured sources, families and concepts into the store."""
        with self.transaction() as c:
            if c.is_postgres:  # workers starting together: one rewrite of the reference tables at a time
                c.execute("SELECT pg_advisory_xact_lock(?)", (_SYNC_LOCK,))
            c.execute("DELETE FROM groups")
            c.executemany(
                "INSERT INTO groups (id, label, colour, position) VALUES (?, ?, ?, ?)",
                [(g.id, g.label, g.colour, i) for i, g in enumerate(config.groups)],
            )
            c.execute("UPDATE sources SET configured = 0 WHERE parent_id IS NULL")
            for s in config.sources:
                self._upsert_source(s.id, s.name, s.group, s.kind, s.language, s.url, None, now)
            self._sync_lexicon(lexicon)
            self.bump_data_version()

    def _upsert_source(self, sid, name, group, kind, language, url, parent_id, now) -> None:
        self.conn.execute(
            """INSERT INTO sources (id, name, group_id, kind, language, url, parent_id, configured, first_seen_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?)
               ON CONFLICT(id) DO UPDATE SET name = excluded.name, group_id = excluded.group_id,
                 kind = excluded.kind, language = excluded.language, url = excluded.url,
                 parent_id = excluded.parent_id, configured = 1""",
            (sid, name, group, kind, language, url, parent_id, iso(now)),
        )

    def ensure_source(self, sid: str, name: str, group: str, kind: str, parent_id: str, now: datetime) -> None:
        """Register an outlet found inside an archive (one archive, many outlets)."""
        self._upsert_source(sid, name, group, kind, "auto", None, parent_id, now)

    def _sync_lexicon(self, lexicon: Any) -> None:
        c = self.conn
        c.execute("DELETE FROM families")
        c.executemany(
            "INSERT INTO families (id, label, colour, description, position) VALUES (?, ?, ?, ?, ?)",
            [(f.id, f.label, f.colour, f.description, i) for i, f in enumerate(lexicon.families)],
        )
        c.execute("DELETE FROM concepts")
        c.executemany(
            "INSERT INTO concepts (id, label, family_id, definition, seed, weight, forms, position) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    k.id,
                    k.label,
                    k.family,
                    k.definition,
                    k.seed,
                    k.weight,
                    json.dumps(
                        {
                            "en": k.en,
                            "zh": k.zh,
                            "ru": k.ru,
                            "en_context": k.en_context,
                            "zh_context": k.zh_context,
                            "ru_context": k.ru_context,
                        },
                        ensure_ascii=False,
                    ),
                    i,
                )
                for i, k in enumerate(lexicon.concepts)
            ],
        )
        self.set_meta("lexicon_hash", lexicon.content_hash)

    # ---- feed state -------------------------------------------------------

    def feed_state(self, source_id: str, configured_url: str) -> FeedState:
        """The remembered state; a fresh one when the analyst changed the configured URL
        (a URL moved by a permanent redirect is kept while the configuration is unchanged)."""
        row = self.conn.execute("SELECT * FROM feed_state WHERE source_id = ?", (source_id,)).fetchone()
        if row is None or row["configured_url"] != configured_url:
            return FeedState(source_id=source_id, url=configured_url)
        state = FeedState(
            source_id=source_id,
            url=row["url"],
            etag=row["etag"],
            last_modified=row["last_modified"],
            status=row["status"],
            http_status=row["http_status"],
            error=row["error"],
            last_attempt_at=parse_iso(row["last_attempt_at"]),
            last_success_at=parse_iso(row["last_success_at"]),
            consecutive_failures=row["consecutive_failures"],
            next_attempt_at=parse_iso(row["next_attempt_at"]),
        )
        return state

    def save_feed_state(self, state: FeedState, configured_url: str) -> None:
        self.conn.execute(
            """INSERT INTO feed_state (source_id, configured_url, url, etag, last_modified, status, http_status, error,
                   last_attempt_at, last_success_at, consecutive_failures, next_attempt_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT(source_id) DO UPDATE SET configured_url = excluded.configured_url, url = excluded.url,
                 etag = excluded.etag,
                 last_modified = excluded.last_modified, status = excluded.status,
                 http_status = excluded.http_status, error = excluded.error,
                 last_attempt_at = excluded.last_attempt_at, last_success_at = excluded.last_success_at,
                 consecutive_failures = excluded.consecutive_failures,
                 next_attempt_at = excluded.next_attempt_at""",
            (
                state.source_id,
                configured_url,
                state.url,
                state.etag,
                state.last_modified,
                state.status,
                state.http_status,
                state.error,
                iso(state.last_attempt_at),
                iso(state.last_success_at),
                state.consecutive_failures,
                iso(state.next_attempt_at),
            ),
        )

    # ---- runs -------------------------------------------------------------

    def start_run(self, lexicon_hash: str, now: datetime) -> int:
        """Open a run; earlier runs still marked running that are not going (store/runs.py)
        become interrupted."""
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
                "INSERT INTO runs (started_at, status, pid, pid_ns, heartbeat_at, lexicon_hash) "
                "VALUES (?, 'running', ?, ?, ?, ?)",
                (iso(now), os.getpid(), runs.pid_namespace(), iso(datetime.now(UTC)), lexicon_hash),
            )
            self.bump_data_version()
        run_id = int(cur.lastrowid or 0)
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

    # ---- items ------------------------------------------------------------

    # Each key has its own unique index (source_id, key); an OR across the three keys is
    # planned as a scan of every item of the source, so the lookups are separate
    # SELECTs joined by UNION ALL, each a search of one index (tests/test_store_plans.py).
    _COLUMNS = "id, title, guid, canonical_url"
    IDENTITY_SQL = (
        f"SELECT {_COLUMNS}, 'hash' AS key FROM items WHERE source_id = ?1 AND content_hash = ?2 UNION ALL "
        f"SELECT {_COLUMNS}, 'url' AS key FROM items WHERE source_id = ?1 AND canonical_url = ?3 UNION ALL "
        f"SELECT {_COLUMNS}, 'guid' AS key FROM items WHERE source_id = ?1 AND guid = ?4"
    )
    FIND_DUPLICATE_SQL = f"SELECT id FROM ({IDENTITY_SQL}) shared LIMIT 1"

    def find_duplicate(self, item: Item) -> int | None:
        """The id of a stored item of the same source sharing its URL, GUID or content."""
        row = self.conn.execute(
            self.FIND_DUPLICATE_SQL, (item.source_id, item.content_hash, item.canonical_url, item.guid)
        ).fetchone()
        return None if row is None else int(row[0])

    def stored_identities(
        self, source_id: str, content_hash: str | None, canonical_url: str | None, guid: str | None
    ) -> list[StoredIdentity]:
        """The stored items of `source_id` sharing the content hash, the canonical URL or the
        GUID (at most one each: each key is unique per source).  Whether one of them is the
        same item is the ingest's decision (ingest/identity.py)."""
        if content_hash is None and canonical_url is None and guid is None:
            return []
        rows = self.conn.execute(self.IDENTITY_SQL, (source_id, content_hash, canonical_url, guid)).fetchall()
        return [StoredIdentity(int(r["id"]), r["key"], r["title"], r["guid"], r["canonical_url"]) for r in rows]

    def inserted_in_this_transaction(self, item_id: int) -> bool:
        return self._unindexed_from is not None and item_id >= self._unindexed_from

    def update_item(self, item_id: int, item: Item, text_hash: str, scored: Any) -> None:
        """Replace a stored item by a newer version of itself, inside `transaction()`: its text,
        scores and evidence, its syndication links, and the daily rows of every day touched.
        Call it before the transaction's inserts, and `refresh_touched_days` after they were
        added to the aggregates."""
        if not self._in_transaction or self.inserted_in_this_transaction(item_id):
            # An item inserted in this transaction is not in the full-text index yet; SQLite's
            # update trigger would remove index rows that were never written.
            raise RuntimeError("Store.update_item needs an item committed before this transaction")
        if self.conn.is_postgres:  # syndication links are decided one transaction at a time (insert_item)
            self.conn.execute("SELECT pg_advisory_xact_lock(?)", (_COPY_LOCK,))
        self._touched_days |= replace_item(self.conn, item_id, item, text_hash, scored)
        item_writes.insert_scores(self.conn, [(item_id, scored)])
        WatchBook(self.conn).rematch([item_id])  # watches count items by their concepts and text

    def refresh_touched_days(self) -> None:
        """Recompute the daily rows of the days that `update_item` touched in this transaction."""
        if self._touched_days and self.conn.is_postgres:
            # Two transactions refreshing one day (rescore batches sharing a day, an update
            # repointing another source's copies) would each miss the daily rows the other
            # inserts and collide on them: one refresh at a time, each seeing the last.
            self.conn.execute("SELECT pg_advisory_xact_lock(?)", (_DAILY_LOCK,))
        by_source: dict[str, set[str]] = {}
        for source_id, day in self._touched_days:
            by_source.setdefault(source_id, set()).add(day)
        for source_id, days in sorted(by_source.items()):
            self.refresh_daily(source_id, days)
        self._touched_days = set()

    def insert_item(self, item: Item, text_hash: str, scored: Any, run_id: int | None) -> int:
        """Insert one new item with its matches and per-concept scores, inside `transaction()`
        (which adds it to the full-text index before committing)."""
        if not self._in_transaction:
            raise RuntimeError("Store.insert_item must run inside Store.transaction()")
        if self.conn.is_postgres:
            # Workers store in parallel: one transaction at a time decides "original or copy"
            # (one lock, not one per text: two batches sharing two texts must not deadlock).
            self.conn.execute("SELECT pg_advisory_xact_lock(?)", (_COPY_LOCK,))
        copy = self.conn.execute(item_writes.COPY_SQL, (text_hash, item.source_id)).fetchone()
        row = item_writes.item_row(item, text_hash, scored, None if copy is None else copy[0], run_id)
        item_id = int(self.conn.execute(item_writes.INSERT_SQL, row).lastrowid or 0)
        if self._unindexed_from is None:
            self._unindexed_from = item_id
        item_writes.insert_scores(self.conn, [(item_id, scored)])
        return item_id

    def insert_items(self, batch: list[tuple[Item, str, Any]], run_id: int | None) -> tuple[list[int], int]:
        """Insert the new items of a batch of (item, text hash, score), skipping those already
        stored or earlier in the batch, inside `transaction()`: (new ids, duplicates).  The same
        rows as `find_duplicate` + `insert_item` one by one, in a few round trips."""
        if not self._in_transaction:
            raise RuntimeError("Store.insert_items must run inside Store.transaction()")
        if self.conn.is_postgres and batch:
            self.conn.execute("SELECT pg_advisory_xact_lock(?)", (_COPY_LOCK,))  # see insert_item
        ids, duplicates = item_writes.insert_items(self.conn, self.FIND_DUPLICATE_SQL, batch, run_id)
        self._estimates.inserted(item.source_id for item, _, _ in batch)
        if ids and self._unindexed_from is None:
            self._unindexed_from = ids[0]
        return ids, duplicates

    def same_content(self, items: list[Item]) -> list[int | None]:
        """For each item, the stored item of its source with the same content hash (or None),
        in one round trip on PostgreSQL: a rerun of an unchanged feed or archive costs this."""
        rows = self.conn.fetch_each(
            "SELECT id FROM items WHERE source_id = ? AND content_hash = ?",
            [(i.source_id, i.content_hash) for i in items],
        )
        return [None if row is None else int(row[0]) for row in rows]

    def find_duplicates(self, items: list[Item]) -> list[int | None]:
        """`find_duplicate` for many items, in one round trip on PostgreSQL."""
        return item_writes.find_duplicates(self.conn, self.FIND_DUPLICATE_SQL, items)

    def refresh_daily(self, source_id: str, days: Iterable[str]) -> None:
        """Recompute the pre-aggregated daily rows of one source for the given days."""
        days = sorted(set(days))
        for start in range(0, len(days), 500):
            chunk = days[start : start + 500]
            marks = ",".join("?" * len(chunk))
            args = (source_id, *chunk)
            self.conn.execute(f"DELETE FROM daily_source WHERE source_id = ? AND day IN ({marks})", args)
            self.conn.execute(f"DELETE FROM daily_concept WHERE source_id = ? AND day IN ({marks})", args)
            self._aggregate_daily(f"i.source_id = ? AND i.day IN ({marks})", args)

    def add_daily_since(self, first_id: int) -> None:
        """Add the items inserted from `first_id` on (this transaction's) to the daily
        aggregates.  A new item never changes one already counted (copy_of links the new
        one to an older one), so adding equals recomputing those days, at the cost of the
        new rows only, however many days a batch touches."""
        self._aggregate_daily("i.id >= ?", (first_id,), add=True)

    def rebuild_daily(self) -> None:
        self.conn.execute("DELETE FROM daily_source")
        self.conn.execute("DELETE FROM daily_concept")
        self._aggregate_daily("1 = 1", ())

    def _aggregate_daily(self, where: str, args: tuple[Any, ...], add: bool = False) -> None:
        """One definition of the daily aggregates, for a refresh of some days, a full
        rebuild, or (`add`) new items added to the rows already there."""
        where = f"{where} AND {_DATED}"
        self.conn.execute(
            f"""INSERT INTO daily_source (day, source_id, precision, headline, items, matching, original_items,
                    original_matching)
                SELECT i.day, i.source_id, {_AGG_PRECISION}, i.headline_only, count(*), sum(i.matching),
                       sum(i.copy_of IS NULL), sum(i.matching = 1 AND i.copy_of IS NULL)
                FROM items i WHERE {where} GROUP BY 1, 2, 3, 4
                {_added("daily_source", _SOURCE_KEY, _DAILY_SOURCE_COUNTS) if add else ""}""",
            args,
        )
        self.conn.execute(
            f"""INSERT INTO daily_concept (day, source_id, concept_id, precision, headline, items, own_items,
                    distanced_items, hits, original_items)
                SELECT i.day, i.source_id, ic.concept_id, {_AGG_PRECISION}, i.headline_only, count(*),
                       sum(ic.own > 0), sum(ic.distanced > 0), sum(ic.hits), sum(i.copy_of IS NULL)
                FROM items i JOIN item_concepts ic ON ic.item_id = i.id
                WHERE {where} GROUP BY 1, 2, 3, 4, 5
                {_added("daily_concept", _CONCEPT_KEY, _DAILY_CONCEPT_COUNTS) if add else ""}""",
            args,
        )

    # ---- rescoring --------------------------------------------------------

    def iter_item_texts(self, batch: int = 2000) -> Iterator[list[sqlite3.Row]]:
        last = 0
        while True:
            rows = self.conn.execute(
                "SELECT id, text, language FROM items WHERE id > ? ORDER BY id LIMIT ?", (last, batch)
            ).fetchall()
            if not rows:
                return
            yield rows
            last = rows[-1]["id"]

    def item_texts_between(self, first_id: int, last_id: int) -> list[Any]:
        """(id, text, language) of the items with ids in [first_id, last_id] (a rescore batch)."""
        return self.conn.execute(
            "SELECT id, text, language FROM items WHERE id BETWEEN ? AND ? ORDER BY id", (first_id, last_id)
        ).fetchall()

    def item_count(self) -> int:
        return int(self.conn.execute("SELECT count(*) FROM items").fetchone()[0])

    def clear_scores(self) -> None:
        self.conn.execute("DELETE FROM matches")
        self.conn.execute("DELETE FROM item_concepts")

    def rescore_items(self, scored: list[tuple[int, Any]]) -> int:
        """New scores for stored items (id, score), inside `transaction()`: only the items
        whose evidence differs from the stored one are rewritten (store/rescore_writes.py),
        and their days are recomputed by `refresh_touched_days`.  Returns items rewritten."""
        changed, touched = rewrite_changed(self.conn, scored)
        self._touched_days |= touched
        self.items_rewritten += changed
        return changed

    def replace_scores(self, scored: list[tuple[int, Any]]) -> None:
        """New scores for stored items (id, score) after `clear_scores` (or their own delete)."""
        item_writes.replace_scores(self.conn, scored)

    def stats(self) -> dict[str, Any]:
        return store_stats(self.conn)


_DAILY_SOURCE_COUNTS = ("items", "matching", "original_items", "original_matching")
_SOURCE_KEY = "day, source_id, precision, headline"
_CONCEPT_KEY = "day, source_id, concept_id, precision, headline"
_DAILY_CONCEPT_COUNTS = ("items", "own_items", "distanced_items", "hits", "original_items")
_COPY_LOCK = 7410523  # advisory lock namespaces (PostgreSQL; 7410522 is store/runs.py's): copy detection
_SYNC_LOCK = 7410525
_DAILY_LOCK = 7410526


def _added(table: str, key: str, counts: tuple[str, ...]) -> str:
    sets = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in counts)  # qualified: PostgreSQL needs it
    return f"ON CONFLICT ({key}) DO UPDATE SET {sets}"


def _probe_writable(conn: sqlite3.Connection) -> None:
    """Fail at open, not in the middle of a run, when SQLite could only open the file
    read-only (an immutable file, a read-only mount): a write is attempted and rolled back."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('write_probe', '')")
    finally:
        conn.execute("ROLLBACK")


def now_utc() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)
