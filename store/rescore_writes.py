"""A rescore writes only the items whose evidence changed.

A lexicon edit (a concept added, a form changed or removed) changes the evidence of the
items it touches; every other item scores exactly as it did.  Rewriting all items'
matches, per-concept rows and daily figures made the store's single writer the
bottleneck of a rescore, whatever the number of scoring processes.  So each batch's new
evidence is compared with the stored one (reading it costs a fraction of writing it),
and only the items whose words, score, matching flag, kept matches or per-concept rows
differ are rewritten; their (source, day) pairs are returned for the caller to recompute
those daily rows, as an edited entry's are (Store.refresh_touched_days).  The store ends
exactly as a full rewrite leaves it (tests/test_rescore_changed.py compares every table on
both backends); an unchanged item is not written at all.  `RescoreWrites` is the part
of `Store` a rescore calls.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from typing import Any

from .item_writes import concept_rows, match_rows, replace_scores
from .write_session import WriteSession

_ITEMS_SQL = "SELECT id, source_id, day, words, score, matching FROM items WHERE id BETWEEN ? AND ?"
_MATCHES_SQL = (
    'SELECT item_id, concept_id, start, "end", text, form, distanced, how FROM matches WHERE item_id BETWEEN ? AND ?'
)
_CONCEPTS_SQL = (
    "SELECT item_id, concept_id, hits, own, distanced, per_1k FROM item_concepts WHERE item_id BETWEEN ? AND ?"
)


def rewrite_changed(conn: Any, scored: Sequence[tuple[int, Any]]) -> tuple[int, set[tuple[str, str]]]:
    """Store the new scores of (item id, score) pairs whose evidence differs from the
    stored one.  Returns (items rewritten, (source, day) pairs whose daily rows must be
    recomputed).  An id no longer stored is skipped."""
    if not scored:
        return 0, set()
    ids = [item_id for item_id, _ in scored]
    stored, where = _stored(conn, min(ids), max(ids))
    changed = [(i, s) for i, s in scored if i in stored and stored[i] != evidence(s)]
    for table in ("matches", "item_concepts"):
        _each_id(conn, f"DELETE FROM {table} WHERE item_id = ?", [i for i, _ in changed])
    replace_scores(conn, changed)
    return len(changed), {where[i] for i, _ in changed}


def _each_id(conn: Any, sql: str, ids: list[int]) -> None:
    """`sql`, whose one parameter is an item id in `... = ?`, for every id of `ids`.  On
    PostgreSQL one statement over an array of the ids (`= ANY(...)`), not one statement
    (parse, plan, executor start) per item, which cost a rescore batch about half a
    millisecond per item in a 1M-item store."""
    if not ids:
        return
    if not conn.is_postgres:
        conn.executemany(sql, [(i,) for i in ids])
        return
    head, sep, tail = sql.rpartition("= ?")
    if not sep:
        raise ValueError(f"no '= ?' for the ids in: {sql}")
    conn.execute(f"{head}= ANY(?::bigint[]){tail}", (ids,))


def evidence(scored: Any) -> tuple[Any, ...]:
    """What a rescore stores of one item, in a form that compares equal to `_stored`'s:
    rows are sorted, since the order in which rows were written is not a stored value."""
    return (
        scored.words,
        scored.score,
        int(scored.matching),
        sorted(match_rows(scored), key=_order),
        sorted(concept_rows(scored), key=_order),
    )


def _stored(conn: Any, first_id: int, last_id: int) -> tuple[dict[int, tuple[Any, ...]], dict[int, tuple[str, str]]]:
    """The stored evidence of the items with ids in [first_id, last_id], and each one's
    (source, day)."""
    args = (first_id, last_id)
    matches: dict[int, list[tuple[Any, ...]]] = {}
    for row in conn.execute(_MATCHES_SQL, args):
        matches.setdefault(int(row[0]), []).append(tuple(row)[1:])
    concepts: dict[int, list[tuple[Any, ...]]] = {}
    for row in conn.execute(_CONCEPTS_SQL, args):
        concepts.setdefault(int(row[0]), []).append(tuple(row)[1:])
    stored: dict[int, tuple[Any, ...]] = {}
    where: dict[int, tuple[str, str]] = {}
    for row in conn.execute(_ITEMS_SQL, args):
        item_id = int(row[0])
        where[item_id] = (row[1], row[2])
        stored[item_id] = (
            row[3],
            row[4],
            row[5],
            sorted(matches.get(item_id, []), key=_order),
            sorted(concepts.get(item_id, []), key=_order),
        )
    return stored, where


def _order(row: tuple[Any, ...]) -> tuple[Any, ...]:
    """A sort key for rows that may hold NULLs (a match's `how`)."""
    return tuple((v is None, "" if v is None else v) for v in row)


class RescoreWrites(WriteSession):
    """The store side of `python -m ingest rescore`: stored texts in batches, and their new scores."""

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
        replace_scores(self.conn, scored)
