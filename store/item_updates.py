"""A stored item replaced by a newer version of itself (an entry edited under its own
GUID or link): new text, new scores and evidence, and every figure built on them kept
consistent -- syndication links, the daily aggregates, the full-text index (SQLite's
update trigger), and the watches that counted it (Store.update_item re-matches them).

The item keeps its id, so links to it (alerts, bookmarks) stay valid.  Which incoming
item is an update of which stored one is decided by the ingest (ingest/identity.py).
"""

from __future__ import annotations

from typing import Any

from .item_writes import ITEM_COLUMNS, item_row
from .records import Item


def replace_item(conn: Any, item_id: int, item: Item, text_hash: str, scored: Any) -> set[tuple[str, str]]:
    """Rewrite item `item_id` from `item` and its scores; returns the (source, day) pairs
    whose daily aggregates must be recomputed (its old and new day, and those of items
    that were copies of its old text)."""
    old = conn.execute("SELECT source_id, day FROM items WHERE id = ?", (item_id,)).fetchone()
    touched = {(old["source_id"], old["day"])}
    copy = _original_of(conn, text_hash, item.source_id, item_id)
    # Every column an insert writes except the item's source and the run that first stored it.
    row = dict(zip(ITEM_COLUMNS, item_row(item, text_hash, scored, copy, None), strict=True))
    kept = [c for c in ITEM_COLUMNS if c not in ("source_id", "run_id")]
    conn.execute(
        f"UPDATE items SET {', '.join(f'{c} = ?' for c in kept)} WHERE id = ?",
        (*(row[c] for c in kept), item_id),
    )
    touched.add((item.source_id, "" if item.published_at is None else item.published_at.strftime("%Y-%m-%d")))
    conn.execute("DELETE FROM matches WHERE item_id = ?", (item_id,))
    conn.execute("DELETE FROM item_concepts WHERE item_id = ?", (item_id,))
    touched |= _repoint_copies(conn, item_id)
    return touched


def _original_of(conn: Any, text_hash: str, source_id: str, not_id: int) -> int | None:
    """The item another source published this text under first, as at insert time."""
    row = conn.execute(
        "SELECT id FROM items WHERE text_hash = ? AND source_id != ? AND copy_of IS NULL AND id != ? "
        "ORDER BY id LIMIT 1",
        (text_hash, source_id, not_id),
    ).fetchone()
    return None if row is None else int(row[0])


def _repoint_copies(conn: Any, item_id: int) -> set[tuple[str, str]]:
    """Items that were copies of the old text: each becomes a copy of the next original of
    that text in another source, or an original itself (in id order, so the first of them
    becomes the original of the rest)."""
    copies = conn.execute(
        "SELECT id, source_id, day, text_hash FROM items WHERE copy_of = ? ORDER BY id", (item_id,)
    ).fetchall()
    for row in copies:
        conn.execute(
            "UPDATE items SET copy_of = ? WHERE id = ?",
            (_original_of(conn, row["text_hash"], row["source_id"], row["id"]), row["id"]),
        )
    return {(row["source_id"], row["day"]) for row in copies}
