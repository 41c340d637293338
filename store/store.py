"""The writable store: `Store`, the one object the ingest writes through.

Its write paths live in modules of their own, one per kind of write, mixed in here:
reference tables and feed state (`source_writes`), runs (`run_writes`), items
(`item_ingest`), the daily aggregates (`daily_aggregates`) and rescoring
(`rescore_writes`), all over one connection and transaction (`write_session`).

PostgreSQL advisory lock namespaces used by the store, one key each so that unrelated
writers never wait for one another: 7410521 migrations (pg.py), 7410522 runs (runs.py),
7410523 copy detection (item_ingest.py), 7410524 batch claims (leases.py), 7410525 config
sync (source_writes.py), 7410526 daily refresh (daily_aggregates.py), 7410527 the
last-batch check (batch_jobs.py; taken last in a batch's transaction, after any other).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from .daily_aggregates import DailyAggregates
from .item_ingest import ItemIngest
from .rescore_writes import RescoreWrites
from .run_writes import RunWrites
from .source_writes import SourceWrites
from .stats import store_stats


class Store(SourceWrites, RunWrites, ItemIngest, DailyAggregates, RescoreWrites):
    """A writable store.  One instance per process; not shared across threads."""

    def close(self) -> None:
        for run_id in list(self._heartbeats):  # a run left open by an error is vouched for no longer
            self.release_run(run_id)
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def stats(self) -> dict[str, Any]:
        return store_stats(self.conn)


def now_utc() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)
