"""Read-only queries behind the weekly briefing (analysis/briefing/).

Every count the briefing shows comes from one of these methods, so a number in
the briefing can be traced to rows of `items`, `item_concepts` and `matches`.
Days are the stored `items.day` (UTC); a period is an inclusive range of days.
A week holds only items dated to the day or the minute: a month- or year-dated item
cannot be placed in a week, and undated items are on no timeline at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from .reads import StoreReader

# Bounds on what one briefing reads, whatever a single item holds.
SNIPPET_CHARS = 1_000  # text read either side of a quoted match (a quoted sentence shows at most 220 a side)
MAX_TEXT_CHARS = 100_000  # characters of one item read for phrases (the phrase finder uses 30,000)
MAX_ITEMS = 500  # items whose first matches one call reads (the briefing quotes a few dozen)
# Match rows stored per item (ingest/match_cap.py caps them; every count uses all matches).
MAX_STORED_MATCHES = 2_000
_DAY_PRECISE = "i.date_precision IN ('time', 'day')"


def _group_filter(groups: Sequence[str] | None, column: str = "s.group_id") -> tuple[str, tuple[Any, ...]]:
    if not groups:
        return "", ()
    return f" AND {column} IN ({','.join('?' * len(groups))})", tuple(groups)


class BriefingReader(StoreReader):
    """The store as the weekly briefing reads it."""

    def group_list(self) -> pd.DataFrame:
        return self.frame("SELECT id, label, colour FROM groups ORDER BY position")

    def concept_list(self) -> pd.DataFrame:
        return self.frame(
            """SELECT c.id, c.label, c.family_id, c.forms, coalesce(f.label, c.family_id) AS family
               FROM concepts c LEFT JOIN families f ON f.id = c.family_id ORDER BY c.position"""
        )

    def days_with_items(self) -> list[str]:
        sql = "SELECT DISTINCT day FROM daily_source WHERE precision = 'day' ORDER BY day"
        return [r[0] for r in self.conn.execute(sql)]

    def source_days(self, first: str, last: str, groups: Sequence[str] | None) -> pd.DataFrame:
        """Items and matching items per source and day (the denominators)."""
        where, args = _group_filter(groups)
        return self.frame(
            f"""SELECT d.day, d.source_id, s.name AS source, s.group_id, d.items, d.matching
                FROM daily_source d JOIN sources s ON s.id = d.source_id
                WHERE d.precision = 'day' AND d.day BETWEEN ? AND ?{where}""",
            (first, last, *args),
        )

    def concept_days(self, first: str, last: str, groups: Sequence[str] | None) -> pd.DataFrame:
        """Matching items per concept, group and day; own-voice and distanced items apart."""
        where, args = _group_filter(groups)
        return self.frame(
            f"""SELECT i.day, s.group_id, ic.concept_id, count(*) AS items,
                       sum(ic.own > 0) AS own_items, sum(ic.distanced > 0) AS distanced_items
                FROM items i JOIN item_concepts ic ON ic.item_id = i.id JOIN sources s ON s.id = i.source_id
                WHERE i.matching = 1 AND {_DAY_PRECISE} AND i.day BETWEEN ? AND ?{where}
                GROUP BY i.day, s.group_id, ic.concept_id""",
            (first, last, *args),
        )

    def source_concept_days(self, first: str, last: str, groups: Sequence[str] | None) -> pd.DataFrame:
        """Matching items per day, source and concept (for comparisons over a matched panel)."""
        where, args = _group_filter(groups)
        return self.frame(
            f"""SELECT i.day, i.source_id, ic.concept_id, count(*) AS items
                FROM items i JOIN item_concepts ic ON ic.item_id = i.id JOIN sources s ON s.id = i.source_id
                WHERE i.matching = 1 AND {_DAY_PRECISE} AND i.day BETWEEN ? AND ?{where}
                GROUP BY i.day, i.source_id, ic.concept_id""",
            (first, last, *args),
        )

    def off_week_counts(self, groups: Sequence[str] | None) -> dict[str, int]:
        """Items no weekly briefing can place, by precision: month, year and undated."""
        where, args = _group_filter(groups)
        rows = self.conn.execute(
            f"""SELECT i.date_precision, count(*) FROM items i JOIN sources s ON s.id = i.source_id
                WHERE i.date_precision IN ('month', 'year', 'undated'){where} GROUP BY i.date_precision""",
            args,
        ).fetchall()
        return {str(r[0]): int(r[1]) for r in rows}

    def concept_history(self, before: str) -> pd.DataFrame:
        """Matching items per concept and group before a day, in every group (for first uses and crossings)."""
        return self.frame(
            """SELECT ic.concept_id, s.group_id, count(*) AS items,
                      sum(ic.own > 0) AS own_items, sum(ic.distanced > 0) AS distanced_items
               FROM items i JOIN item_concepts ic ON ic.item_id = i.id JOIN sources s ON s.id = i.source_id
               WHERE i.matching = 1 AND i.date_precision != 'undated' AND i.day < ?
               GROUP BY ic.concept_id, s.group_id""",
            (before,),
        )

    def matching_items(self, first: str, last: str, groups: Sequence[str] | None) -> pd.DataFrame:
        """The matching items of a period with their concepts (one row per item and concept)."""
        where, args = _group_filter(groups)
        return self.frame(
            f"""SELECT i.id AS item_id, i.published_at, i.day, i.source_id, s.name AS source, s.group_id,
                       i.title, coalesce(i.canonical_url, i.url) AS url, i.language, i.score, i.copy_of,
                       i.text_hash, ic.concept_id, ic.hits, ic.own, ic.distanced, ic.per_1k
                FROM items i JOIN sources s ON s.id = i.source_id
                     JOIN item_concepts ic ON ic.item_id = i.id
                WHERE i.matching = 1 AND {_DAY_PRECISE} AND i.day BETWEEN ? AND ?{where}
                ORDER BY i.published_at, i.id, ic.concept_id""",
            (first, last, *args),
        )

    def capped_items(self, first: str, last: str, groups: Sequence[str] | None) -> int:
        """Items of the period whose stored matches reached the per-item cap (MAX_STORED_MATCHES)."""
        where, args = _group_filter(groups)
        return int(
            self.scalar(
                f"""SELECT count(*) FROM (
                        SELECT m.item_id FROM items i JOIN sources s ON s.id = i.source_id
                             JOIN matches m ON m.item_id = i.id
                        WHERE i.matching = 1 AND {_DAY_PRECISE} AND i.day BETWEEN ? AND ?{where}
                        GROUP BY m.item_id HAVING count(*) >= ?) capped""",
                (first, last, *args, MAX_STORED_MATCHES),
            )
            or 0
        )

    def first_matches(self, item_ids: Sequence[int], around: int = SNIPPET_CHARS) -> pd.DataFrame:
        """The first stored match of each given item and concept (own before distanced), with the text around it.

        Bounded whatever one item holds: one row per item and concept, and `body` is
        at most `around` characters either side of the match (start and end are
        offsets into `body`), never the whole text once per match row.
        """
        columns = ["item_id", "concept_id", "start", "end", "text", "distanced", "how", "body"]
        if not item_ids:
            return pd.DataFrame(columns=columns)
        ids = tuple(dict.fromkeys(int(i) for i in item_ids))[:MAX_ITEMS]
        marks = ",".join("?" * len(ids))
        return self.frame(
            f"""WITH ranked AS (
                    SELECT m.item_id, m.concept_id, m.start, m."end", m.text, m.distanced, m.how,
                           row_number() OVER (PARTITION BY m.item_id, m.concept_id
                                              ORDER BY m.distanced, m.start) AS n
                    FROM matches m WHERE m.item_id IN ({marks})),
                firsts AS (SELECT *, max(start - ?, 0) AS lo FROM ranked WHERE n = 1)
                SELECT f.item_id, f.concept_id, f.start - f.lo AS start, f."end" - f.lo AS "end", f.text,
                       f.distanced, f.how, substr(i.text, f.lo + 1, f."end" - f.lo + ?) AS body
                FROM firsts f JOIN items i ON i.id = f.item_id
                ORDER BY f.item_id, f.distanced, f.start""",
            (*ids, int(around), int(around)),
        )

    def item_texts(
        self, first: str, last: str, groups: Sequence[str] | None, limit: int, max_chars: int = MAX_TEXT_CHARS
    ) -> pd.DataFrame:
        """Texts of the period's matching original items (not syndicated copies), newest first.

        Each text is cut to its first `max_chars` characters in SQL, so `limit` items
        cost at most limit * max_chars characters however long one article is.
        """
        where, args = _group_filter(groups)
        return self.frame(
            f"""SELECT i.id AS item_id, i.day, i.language, i.title, substr(i.text, 1, ?) AS text
                FROM items i JOIN sources s ON s.id = i.source_id
                WHERE i.matching = 1 AND i.copy_of IS NULL AND {_DAY_PRECISE} AND i.day BETWEEN ? AND ?{where}
                ORDER BY i.published_at DESC LIMIT ?""",
            (int(max_chars), first, last, *args, limit),
        )

    def source_failures(self, start_iso: str, end_iso: str, groups: Sequence[str] | None) -> pd.DataFrame:
        """Runs in [start, end) in which a source failed, with the error stored for it."""
        where, args = _group_filter(groups)
        return self.frame(
            f"""SELECT rs.source_id, s.name AS source, s.group_id, r.started_at, rs.error
                FROM run_sources rs JOIN runs r ON r.id = rs.run_id JOIN sources s ON s.id = rs.source_id
                WHERE rs.status = 'error' AND r.started_at >= ? AND r.started_at < ?{where}
                ORDER BY rs.source_id, r.started_at""",
            (start_iso, end_iso, *args),
        )

    def feeds_failing(self, end_iso: str, groups: Sequence[str] | None) -> pd.DataFrame:
        """Feeds whose latest attempt failed and that had no success since before `end_iso`."""
        where, args = _group_filter(groups)
        return self.frame(
            f"""SELECT f.source_id, s.name AS source, s.group_id, f.status, f.error, f.last_success_at,
                       f.last_attempt_at, f.consecutive_failures
                FROM feed_state f JOIN sources s ON s.id = f.source_id
                WHERE f.consecutive_failures > 0 AND coalesce(f.last_success_at, '') < ?{where}
                ORDER BY f.source_id""",
            (end_iso, *args),
        )
