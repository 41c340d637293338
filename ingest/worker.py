"""`python -m ingest worker`: one of any number of processes sharing one store's feeds.

Each worker loops: do a batch of an archive backfill (ingest/batch_backfill.py) or of a
rescore (ingest/batch_rescore.py) if one is open for its lexicon, settings and matching
rules (ingest/rules_version.py: a job of other rules is left, with a warning), else claim due feeds
(store.leases: SKIP LOCKED, a lease, at most
`per_host` leases per host across all workers), fetch them concurrently, store each
feed in its own transaction the moment its fetch ends (the same code as `run`), and
give the lease back.  A worker that is killed loses nothing committed; its leases run
out and another worker takes the feeds.  Duplicates are impossible across workers:
the store's unique indexes hold per source, one worker holds a feed at a time, and
copy detection across sources is serialised in the store.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from store import Store, now_utc
from store.leases import FeedLeases
from store.records import FetchResult

from . import feeds
from .alerting import alerts_after_ingest
from .batch_backfill import BatchBackfiller
from .batch_rescore import BatchRescorer
from .pipeline import Ingest

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WorkerOptions:
    concurrency: int = 8  # feeds in flight in this worker
    per_host: int = 2  # leases on one host across all workers
    lease_seconds: float = 300.0  # must outlast one fetch and its store
    interval_seconds: float = 900.0  # a feed is fetched at most this often
    poll_seconds: float = 5.0  # wait when nothing is due
    once: bool = False  # exit when the round is done (nothing due, nothing leased)


@dataclass
class WorkerReport:
    worker: str
    run_id: int = 0
    feeds: int = 0
    new: int = 0
    duplicates: int = 0
    errors: list[str] = field(default_factory=list)
    rescored: int = 0  # items of rescore batches (ingest/batch_rescore.py) done by this worker
    backfilled: int = 0  # archive rows of backfill batches (ingest/batch_backfill.py) done by this worker


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def feed_host(url: str | None) -> str:
    return (urlsplit(url or "").hostname or "").lower()


def run_worker(config: Any, lexicon: Any, options: WorkerOptions, stop: threading.Event | None = None) -> WorkerReport:
    stop = stop or threading.Event()
    report = WorkerReport(worker_name())
    with Store(config.store_target) as store:
        ingest = Ingest(config, lexicon, store)
        sources = {s.id: s for s in ingest.select(None) if s.kind == "feed"}
        store.sync_config(config, lexicon, now_utc())
        leases = FeedLeases(store.conn)
        leases.sync((sid, feed_host(s.url)) for sid, s in sources.items())
        rescorer = BatchRescorer(
            store,
            lexicon,
            config.get("scoring", "threshold"),
            config.get("scoring", "distanced_weight"),
            report.worker,
        )
        backfiller = BatchBackfiller(ingest, report.worker, stop)
        report.run_id = store.start_run(lexicon.content_hash, now_utc(), rescorer.scoring)
        try:
            while not stop.is_set():
                if backfiller.step(options.lease_seconds, min(options.poll_seconds, 0.5)):
                    report.backfilled = backfiller.items
                    continue
                if rescorer.step(options.lease_seconds):  # a rescore batch first: it is a bounded job
                    report.rescored = rescorer.items
                    continue
                now = now_utc()
                claimed = leases.claim(
                    report.worker,
                    options.concurrency,
                    options.per_host,
                    now,
                    options.lease_seconds,
                    options.interval_seconds,
                )
                if claimed:
                    new_before = report.new
                    _work(
                        ingest,
                        leases,
                        report,
                        [sources[sid] for sid in claimed if sid in sources],
                        options.interval_seconds,
                    )
                    if report.new > new_before:  # watches and alerts after each round that stored items
                        alerts_after_ingest(config, store)
                elif (
                    options.once
                    and leases.outstanding(now, options.interval_seconds) == 0
                    and rescorer.open_batches() == 0
                    and not backfiller.specs()
                ):
                    break
                else:
                    stop.wait(options.poll_seconds)
        finally:
            store.finish_run(report.run_id, now_utc())
    return report


def _due(state: Any, interval_seconds: float) -> datetime:
    """When a feed just fetched is due again: its interval after this attempt, or later
    when it is backing off (failures, Retry-After)."""
    again = (state.last_attempt_at or now_utc()) + timedelta(seconds=interval_seconds)
    return max(again, state.next_attempt_at) if state.next_attempt_at else again


def _work(ingest: Ingest, leases: FeedLeases, report: WorkerReport, claimed: list[Any], interval: float) -> None:
    """Fetch the claimed feeds together; store and release each as its fetch ends."""
    ingest.now = now_utc()
    store = ingest.store
    states = {s.id: store.feed_state(s.id, s.url or "") for s in claimed}

    def done(result: FetchResult) -> None:
        source = next(s for s in claimed if s.id == result.source_id)
        outcome = ingest._ingest_source(report.run_id, source, (states[source.id], result))
        leases.release(report.worker, source.id, _due(store.feed_state(source.id, source.url or ""), interval))
        report.feeds += 1
        report.new += outcome.new
        report.duplicates += outcome.duplicates
        if outcome.error:
            report.errors.append(f"{source.id}: {outcome.error}")

    feeds.fetch_all(list(states.values()), ingest.fetch_settings, now=ingest.now, on_done=done)


def serve(config: Any, lexicon: Any, options: WorkerOptions) -> WorkerReport:
    """Run one worker until SIGTERM/SIGINT (or the end of the round with `once`); a signal
    lets the feeds in flight finish and be stored before the worker exits."""
    stop = threading.Event()

    def _stop(signum: int, frame: Any) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, _stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    started = time.monotonic()
    try:
        report = run_worker(config, lexicon, options, stop)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    log.info("worker %s done in %.1f s", report.worker, time.monotonic() - started)
    return report
