"""PostgreSQL's row estimates for a source that grew since `items` was last analysed.

A duplicate look-up names a source and one of its keys (content hash, canonical URL,
GUID), each with a unique index on (source_id, key).  The planner prices it from its
estimate of the source's rows; for a source added since the table was last analysed that
estimate is about zero, every index starting with source_id then looks as cheap, and it
picked `items_source_day` (smaller), reading every stored item of the source to find the
key.  A new archive's import became quadratic: 10,000 rows into a 1,000,000-item store
took 18x SQLite's time (bench/backends.py), most of it in look-ups whose cost grew with
each batch.  Autovacuum analyses again only after 10% of the table changed.

So the store counts the items it inserts per source, and after a committed transaction
that brought a source to `CHECK_AFTER` new items since the last check it asks the
planner for its estimate of that source; when the estimate is below a tenth of what was
just stored, it analyses `items (source_id)` (about half a second at a million items):
statistics only, no stored value changes.  Once the source is known the unique index wins
whatever its size, so this happens about once per new source.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

CHECK_AFTER = 1000


class SourceEstimates:
    def __init__(self) -> None:
        self.stored: Counter[str] = Counter()  # items stored per source since its last check
        self.pending: Counter[str] = Counter()  # in the open transaction

    def inserted(self, sources: Iterable[str]) -> None:
        self.pending.update(sources)

    def rolled_back(self) -> None:
        self.pending.clear()

    def committed(self, conn: Any) -> None:
        """After COMMIT (outside any transaction): refresh the statistics if a source the
        planner thinks nearly empty has had `CHECK_AFTER` items stored."""
        self.stored.update(self.pending)
        self.pending.clear()
        due = [s for s, n in self.stored.items() if n >= CHECK_AFTER]
        stale = False
        for source in due:
            stale = stale or estimate(conn, source) < self.stored[source] / 10
            del self.stored[source]
        if stale:
            conn.execute("ANALYZE items (source_id)")


def estimate(conn: Any, source: str) -> float:
    """The planner's estimate of the rows of `source` in items."""
    row = conn.execute("EXPLAIN (FORMAT JSON) SELECT 1 FROM items WHERE source_id = ?", (source,)).fetchone()
    return float(row[0][0]["Plan"]["Plan Rows"])
