"""Writing a batch of items or of new scores in few round trips.

SQLite is a library call in the writing process; PostgreSQL is a round trip per
statement.  So a batch's statements are sent together: the duplicate and copy
look-ups of the whole batch in one pipeline (`conn.fetch_each`), the item inserts in
another (`conn.insert_each`, ids back in order), and the batch's matches and
per-concept rows as multi-row inserts.  What is stored is what inserting the items
one by one stored: the look-ups see the store as it was before the batch, and the
batch's own items are checked against each other here, by the same rules as the SQL.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .evidence import headline_only
from .records import Item
from .timefmt import iso

COPY_SQL = "SELECT id FROM items WHERE text_hash = ? AND source_id != ? AND copy_of IS NULL ORDER BY id LIMIT 1"
# The columns `item_row` fills, in its order: the one list inserts and updates share.
ITEM_COLUMNS = (
    "source_id", "title", "text", "summary", "url", "canonical_url", "guid", "author", "language",
    "published_at", "day", "date_estimated", "date_flag", "published_raw", "fetched_at", "content_hash",
    "text_hash", "copy_of", "words", "score", "matching", "run_id", "date_precision", "headline_only",
)  # fmt: skip
INSERT_SQL = f"INSERT INTO items ({', '.join(ITEM_COLUMNS)}) VALUES ({', '.join('?' for _ in ITEM_COLUMNS)})"
_MATCHES_SQL = (
    'INSERT INTO matches (item_id, concept_id, start, "end", text, form, distanced, how) '
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)
_CONCEPTS_SQL = (
    "INSERT INTO item_concepts (item_id, concept_id, hits, own, distanced, per_1k) VALUES (?, ?, ?, ?, ?, ?)"
)


def item_keys(item: Item) -> list[tuple[str, str, str]]:
    """The keys by which a stored item of the same source is the same item (a NULL key
    matches nothing, as `=` does in SQL)."""
    keys = [("hash", item.source_id, item.content_hash)]
    if item.canonical_url is not None:
        keys.append(("url", item.source_id, item.canonical_url))
    if item.guid is not None:
        keys.append(("guid", item.source_id, item.guid))
    return keys


def find_duplicates(conn: Any, sql: str, items: Sequence[Item]) -> list[int | None]:
    rows = conn.fetch_each(sql, [(i.source_id, i.content_hash, i.canonical_url, i.guid) for i in items])
    return [None if row is None else int(row[0]) for row in rows]


def insert_items(
    conn: Any, duplicate_sql: str, batch: Sequence[tuple[Item, str, Any]], run_id: int | None
) -> tuple[list[int], int]:
    """Insert the new items of `batch` ((item, text hash, score) in order): (their ids, duplicates skipped).

    An item is skipped when a stored item or an earlier one of the batch has one of its
    keys; it is a copy of the oldest original (copy_of NULL) with its text hash from
    another source, stored or earlier in the batch."""
    stored_dup = find_duplicates(conn, duplicate_sql, [item for item, _, _ in batch])
    seen: set[tuple[str, str, str]] = set()
    fresh: list[tuple[Item, str, Any]] = []
    for (item, thash, scored), dup in zip(batch, stored_dup, strict=True):
        keys = item_keys(item)
        if dup is not None or any(k in seen for k in keys):
            continue
        seen.update(keys)
        fresh.append((item, thash, scored))
    stored_copy = conn.fetch_each(COPY_SQL, [(thash, item.source_id) for item, thash, _ in fresh])
    originals: dict[str, list[tuple[str, int]]] = {}  # text hash -> (source, index in fresh) of batch originals
    copy_of: list[int | None] = []
    later: list[tuple[int, int]] = []  # (index, index of its original in this batch)
    for n, ((item, thash, _), row) in enumerate(zip(fresh, stored_copy, strict=True)):
        if row is not None:
            copy_of.append(int(row[0]))
            continue
        copy_of.append(None)
        earlier = next((i for sid, i in originals.get(thash, []) if sid != item.source_id), None)
        if earlier is None:
            originals.setdefault(thash, []).append((item.source_id, n))
        else:
            later.append((n, earlier))
    ids = conn.insert_each(
        INSERT_SQL, [item_row(i, h, s, c, run_id) for (i, h, s), c in zip(fresh, copy_of, strict=True)]
    )
    # A copy of an item of this same batch learns its original's id once that is inserted
    # (copy_of fires no trigger and feeds no aggregate before the batch's end).
    conn.executemany("UPDATE items SET copy_of = ? WHERE id = ?", [(ids[o], ids[n]) for n, o in later])
    insert_scores(conn, [(item_id, scored) for item_id, (_, _, scored) in zip(ids, fresh, strict=True)])
    return ids, len(batch) - len(fresh)


def item_row(item: Item, thash: str, scored: Any, copy_of: int | None, run_id: int | None):
    return (
        item.source_id,
        item.title,
        item.text,
        item.summary,
        item.url,
        item.canonical_url,
        item.guid,
        item.author,
        item.language,
        iso(item.published_at) or "",
        "" if item.published_at is None else item.published_at.strftime("%Y-%m-%d"),
        int(item.date_estimated),
        item.date_flag,
        item.published_raw,
        iso(item.fetched_at),
        item.content_hash,
        thash,
        copy_of,
        scored.words,
        scored.score,
        int(scored.matching),
        run_id,
        "undated" if item.published_at is None else item.date_precision,
        int(headline_only(item.title, item.text)),
    )


def insert_scores(conn: Any, scored: Sequence[tuple[int, Any]]) -> None:
    """The matches and per-concept rows of many items, as multi-row inserts."""
    conn.executemany(_MATCHES_SQL, [(item_id, *row) for item_id, s in scored for row in match_rows(s)])
    conn.executemany(_CONCEPTS_SQL, [(item_id, *row) for item_id, s in scored for row in concept_rows(s)])


def match_rows(scored: Any) -> list[tuple[Any, ...]]:
    """The `matches` columns after item_id of one item's kept matches, as stored."""
    return [(m.concept, m.start, m.end, m.text, m.form, int(m.distanced), m.how) for m in scored.matches]


def concept_rows(scored: Any) -> list[tuple[Any, ...]]:
    """The `item_concepts` columns after item_id of one item, as stored."""
    return [(cid, c.hits, c.own, c.distanced, c.per_1k) for cid, c in scored.scores.items()]


def replace_scores(conn: Any, scored: Sequence[tuple[int, Any]]) -> None:
    """New scores for stored items whose old matches and per-concept rows are already gone."""
    rows = [(s.words, s.score, int(s.matching), item_id) for item_id, s in scored]
    if conn.is_postgres:
        _update_scores_pg(conn, rows)
    else:
        conn.executemany(_UPDATE_SCORES_SQL, rows)
    insert_scores(conn, scored)


_UPDATE_SCORES_SQL = "UPDATE items SET words = ?, score = ?, matching = ? WHERE id = ?"
# One statement per chunk of items: each pipelined one-row UPDATE cost PostgreSQL its own
# parse, plan and executor start (a rescore batch of 2,000 items took ~0.5 ms per row at 1M
# items).  The arrays carry the same values the one-row statements did, typed as the columns.
_UPDATE_SCORES_PG = (
    "UPDATE items SET words = v.words, score = v.score, matching = v.matching "
    "FROM unnest(?::bigint[], ?::double precision[], ?::bigint[], ?::bigint[]) "
    "AS v(words, score, matching, id) WHERE items.id = v.id"
)


def _update_scores_pg(conn: Any, rows: Sequence[tuple[Any, ...]]) -> None:
    for start in range(0, len(rows), 5000):
        chunk = rows[start : start + 5000]
        conn.execute(_UPDATE_SCORES_PG, tuple(list(column) for column in zip(*chunk, strict=True)))
