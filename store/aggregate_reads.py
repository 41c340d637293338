"""Reads of the pre-aggregated daily tables (and the few item counts beside them): what
the trends, the coverage notes and the Lexicon page's totals are built from.  They never
scan items where a daily table answers, so every page's figures cost the same at a
million items as at a thousand.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from .read_session import ReadSession, _marks


class AggregateReads(ReadSession):
    """Day ranges, daily counts, coverage spans and concept totals (part of `StoreReader`)."""

    def day_range(self, exclude_groups: Sequence[str] = ()) -> tuple[str | None, str | None]:
        """First day with items, and the newest day of an item whose date is trusted.

        An item without a usable date is dated at its fetch time and flagged estimated;
        two such archive rows must not drag the default period to today, so the newest
        day comes from dated items (newest first along the published_at index)."""
        # An empty NOT IN () is SQLite-only; NOT IN (NULL-free empty set) means "no exclusion".
        keep = f"s.group_id NOT IN ({_marks(exclude_groups)})" if exclude_groups else "1 = 1"
        first = self.conn.execute(
            f"""SELECT min(d.day) FROM daily_source d JOIN sources s ON s.id = d.source_id
                WHERE d.precision = 'day' AND {keep}""",
            tuple(exclude_groups),
        ).fetchone()[0]
        # One query per precision: each walks the (date_precision, published_at) index from its
        # newest end and stops at the first row that qualifies.  With `IN ('time', 'day')` the two
        # ranges must be merged by a sort of every dated item (seconds at a million items), and
        # every dashboard page asks this on every run.
        newest = []
        for precision in ("time", "day"):
            row = self.conn.execute(
                f"""SELECT i.published_at, i.day FROM items i JOIN sources s ON s.id = i.source_id
                    WHERE i.date_precision = ? AND i.date_estimated = 0 AND {keep}
                    ORDER BY i.published_at DESC LIMIT 1""",
                (precision, *exclude_groups),
            ).fetchone()
            if row is not None:
                newest.append((row[0], row[1]))
        return first, (max(newest)[1] if newest else None)

    def daily_source(self, start: str, end: str) -> pd.DataFrame:
        """Counts per day, source, precision (`day`, `month`, `year`) and kind of evidence
        (`headline` 1: headline-only items, 0: items with a body text): a month- or year-dated
        item sits on the first day of its month or year, and callers must never count it in a
        finer bucket (analysis.periods.in_period)."""
        return self.frame(
            """SELECT day, source_id, precision, headline, items, matching, original_items, original_matching
               FROM daily_source WHERE day BETWEEN ? AND ? ORDER BY day""",
            (start, end),
        )

    def daily_concept(self, start: str, end: str, concepts: Sequence[str] = ()) -> pd.DataFrame:
        where = f" AND concept_id IN ({_marks(concepts)})" if concepts else ""
        return self.frame(
            f"""SELECT day, source_id, concept_id, precision, headline, items, own_items, distanced_items, hits,
                       original_items
                FROM daily_concept WHERE day BETWEEN ? AND ?{where} ORDER BY day""",
            (start, end, *concepts),
        )

    def undated_counts(self) -> pd.DataFrame:
        """Items per source that no timeline can place: undated, or dated by a date that cannot
        be trusted (the flag says why)."""
        return self.frame(
            """SELECT source_id, coalesce(date_flag, 'undated') AS flag, count(*) AS items, sum(matching) AS matching
               FROM items WHERE date_precision = 'undated' GROUP BY source_id, flag"""
        )

    def source_spans(self, exclude_groups: Sequence[str] = ()) -> pd.DataFrame:
        """First and last day each source has items: where coverage begins and ends."""
        # Grouped first, from the covering index daily_source_span; then one source lookup a group.
        keep = f"WHERE s.group_id NOT IN ({_marks(exclude_groups)})" if exclude_groups else ""
        return self.frame(
            f"""SELECT d.source_id, d.first_day, d.last_day, d.items
                FROM (SELECT source_id, min(day) AS first_day, max(day) AS last_day, sum(items) AS items
                      FROM daily_source WHERE precision = 'day' GROUP BY source_id) d
                JOIN sources s ON s.id = d.source_id {keep}
                ORDER BY d.source_id""",
            tuple(exclude_groups),
        )

    def concept_totals(self) -> pd.DataFrame:
        return self.frame(
            """SELECT concept_id, sum(hits) AS hits, sum(items) AS items, sum(distanced_items) AS distanced_items
               FROM daily_concept GROUP BY concept_id"""
        )

    def concept_monthly_hits(self) -> pd.DataFrame:
        """Hits per month; year-dated items are left out (they would all land in January)."""
        return self.frame(
            """SELECT substr(day, 1, 7) AS month, concept_id, sum(hits) AS hits
               FROM daily_concept WHERE precision IN ('day', 'month') GROUP BY month, concept_id ORDER BY month"""
        )

    def concept_uses_off_the_months(self) -> dict[str, int]:
        """Concept hits no monthly sparkline can place, and the matching items that hold them:
        dated only to a year (`year_*`), or undated (`undated_*`)."""
        year = self.conn.execute(
            """SELECT (SELECT coalesce(sum(hits), 0) FROM daily_concept WHERE precision = 'year'),
                      (SELECT coalesce(sum(matching), 0) FROM daily_source WHERE precision = 'year')"""
        ).fetchone()
        undated = self.conn.execute(
            """SELECT coalesce(sum(ic.hits), 0), count(DISTINCT ic.item_id) FROM item_concepts ic
               JOIN items i ON i.id = ic.item_id WHERE i.date_precision = 'undated'"""
        ).fetchone()
        return {
            "year_hits": int(year[0]),
            "year_items": int(year[1]),
            "undated_hits": int(undated[0]),
            "undated_items": int(undated[1]),
        }
