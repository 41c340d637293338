"""How the ingest stores items: duplicate and identity lookups, inserts (one or a batch,
copy detection serialised on PostgreSQL), and in-place updates of a newer version of a
stored item.  The daily aggregates those writes feed are `store/daily_aggregates.py`.
"""

from __future__ import annotations

from typing import Any

from . import item_writes
from .item_updates import replace_item
from .records import Item, StoredIdentity
from .watches import WatchBook
from .write_session import WriteSession

_COPY_LOCK = 7410523  # PostgreSQL advisory lock namespace (store/store.py lists them all): copy detection


class ItemIngest(WriteSession):
    """Finding, inserting and updating items (part of `Store`)."""

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
