"""Reads of single items and small sets of them: the latest matching articles, one
article with its matches and copies, the passages a search page shows, the seed
documents.  Each is bounded by ids or a LIMIT; the article list's filters and typed
queries are `store/article_search.py`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from .read_session import ReadSession, _after, _marks


class ItemReads(ReadSession):
    """Items by id, by recency or by seed group (part of `StoreReader`)."""

    def latest_matching(
        self, start: str, end: str, sources: Sequence[str], limit: int = 20, headline: int | None = None
    ) -> pd.DataFrame:
        """The newest matching items (`headline` 1 or 0: only headline-only or only full-text
        items); walks the (matching, published_at) index backwards."""
        if not sources:
            return self._article_frame("WHERE 1 = 0", ())
        kind = "" if headline is None else " AND i.headline_only = ?"
        return self._article_frame(
            f"""WHERE i.matching = 1 AND i.published_at >= ? AND i.published_at < ?
                  AND i.date_precision IN ('time', 'day') AND i.source_id IN ({_marks(sources)}){kind}
                ORDER BY i.published_at DESC, i.id DESC LIMIT ?""",
            (start, _after(end), *sources, *(() if headline is None else (int(headline),)), limit),
        )

    def item_concept_hits(self, item_ids: Sequence[int]) -> pd.DataFrame:
        if not item_ids:
            return pd.DataFrame(columns=["item_id", "concept_id", "hits", "own", "distanced", "per_1k"])
        return self.frame(
            f"""SELECT item_id, concept_id, hits, own, distanced, per_1k FROM item_concepts
                WHERE item_id IN ({_marks(item_ids)}) ORDER BY item_id, hits DESC, concept_id""",
            tuple(int(i) for i in item_ids),
        )

    def passages(self, item_ids: Sequence[int]) -> tuple[pd.DataFrame, pd.DataFrame]:
        """(id, text) of a page of items and their concept matches (item_id, concept_id, start,
        end, distanced), to show the passage a search found; callers pass one page of ids."""
        ids = tuple(int(i) for i in item_ids)
        texts = self.frame(f"SELECT id, text FROM items WHERE id IN ({_marks(ids)})", ids)
        spans = self.frame(
            # "end" quoted: a reserved word in PostgreSQL (a bare `end` is a syntax error there)
            f"""SELECT item_id, concept_id, start, "end", distanced FROM matches
                WHERE item_id IN ({_marks(ids)}) ORDER BY item_id, start""",
            ids,
        )
        return texts, spans

    def item(self, item_id: int) -> dict[str, Any] | None:
        row = self.conn.execute(
            """SELECT i.*, s.name AS source, s.group_id, g.label AS group_label, g.colour AS group_colour
               FROM items i JOIN sources s ON s.id = i.source_id LEFT JOIN groups g ON g.id = s.group_id
               WHERE i.id = ?""",
            (int(item_id),),
        ).fetchone()
        return None if row is None else dict(row)

    def item_matches(self, item_id: int) -> pd.DataFrame:
        return self.frame(
            """SELECT concept_id, start, "end", text, form, distanced, how FROM matches
               WHERE item_id = ? ORDER BY start, "end" DESC""",
            (int(item_id),),
        )

    def copies(self, item_id: int) -> pd.DataFrame:
        """Other items with the same text: the original and every syndicated copy."""
        # A copy and its original always share the text hash (copy_of is set and repointed from
        # it), so the text-hash index narrows the search to the few items with this text; the
        # OR of copy_of conditions alone was a scan of every item (seconds at a million).
        return self._article_frame(
            """WHERE i.text_hash = (SELECT text_hash FROM items WHERE id = ?1)
                 AND i.id != ?1 AND (i.copy_of = ?1 OR i.id = (SELECT copy_of FROM items WHERE id = ?1)
                 OR (i.copy_of IS NOT NULL AND i.copy_of = (SELECT copy_of FROM items WHERE id = ?1)))
               ORDER BY i.published_at""",
            (int(item_id),),
        )

    def seed_documents(self) -> pd.DataFrame:
        # Found by the seed sources' ids through the source index and ordered here: an ORDER BY
        # lets the planner walk every item in date order instead (seconds at a million items).
        frame = self.frame(
            """SELECT i.id, i.source_id, i.title, i.published_at, i.date_flag, i.date_precision, i.published_raw, i.text
               FROM items i WHERE i.source_id IN (SELECT id FROM sources WHERE group_id = 'seed')"""
        )
        return frame.sort_values(["published_at", "id"], na_position="first", kind="stable").reset_index(drop=True)

    def seed_concepts(self) -> pd.DataFrame:
        return self.frame(
            """SELECT ic.item_id, ic.concept_id, ic.hits, ic.per_1k FROM item_concepts ic
               JOIN items i ON i.id = ic.item_id JOIN sources s ON s.id = i.source_id
               WHERE s.group_id = 'seed'"""
        )
