"""An archive backfill as batch jobs that any number of processes share (store/batch_jobs.py).

`python -m ingest backfill SOURCE` reads the archive once to cut it where the one-process
import would end a transaction (after every `ingest.archive_batch_rows` usable rows), as
byte ranges of the file, and enqueues them; it and every `python -m ingest worker` with
the same lexicon, scoring settings, matching rules (ingest/rules_version.py) and file
then take batches.  A batch's rows are read
and scored by whoever claims it, in parallel with the other batches, but it is written
only when every batch before it in the file is done (checked again in the writing
transaction), by the same code as the one-process import (`Ingest._store_items`), with
the job's import time and run.  So items are inserted in file order and every stored
value (item ids, duplicates, which copy counts as the original, daily tables) is what a
one-process import stores (tests/test_batch_backfill.py).  A worker whose batch is
scored early waits its turn holding the lease; if an earlier batch is free (its
worker died and its lease ran out) it gives its own back, keeping the scores in memory,
and takes the earlier one.  The last batch's transaction stores the file's fingerprint
(so an unchanged archive is skipped afterwards) and the source's outcome for the run,
and finishes the run (its counts, status and end): the process that started the
backfill may have been killed while workers went on.  A worker running other matching
rules (other code) leaves the job, saying so once: its batches would be scored
otherwise than the rest; a backfill enqueued under its rules replaces the job.
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from store import now_utc
from store.batch_jobs import Batch, BatchJobs
from store.timefmt import iso, parse_iso

from .config import Source
from .match_cap import kept_matches
from .pipeline import BatchHooks, Ingest, _fingerprint
from .rules_version import rules_version
from .run_report import MAX_PROBLEMS_KEPT, SourceOutcome
from .scoring_identity import scoring_identity
from .sources import ArchiveRow, Position, Span, read_archive, read_archive_usable

log = logging.getLogger(__name__)

JOB_PREFIX = "backfill "
KEPT_AHEAD = 4  # scored batches kept in memory while their turn has not come
# A batch scored ahead waits for the one before it to be written, which takes a small
# fraction of scoring it: polled at a worker's 0.5 s, half of a 2-process backfill's
# batches idled ~0.25 s each (0.44x one process at 1,000 rows in bench/archive_batches.py).
# The check is one indexed read of the job's own rows.
TURN_POLL_SECONDS = 0.02


class LeaseLost(Exception):
    """The batch is no longer this worker's (its lease ran out and another took it)."""


@dataclass(frozen=True)
class BackfillSpec:
    """What every worker must agree on for its batches to store what one process would."""

    source: str
    fingerprint: str
    lexicon: str
    threshold: float
    distanced_weight: float
    now: str  # the import time every item of the backfill carries
    run: int  # the run the items belong to
    rules: str = ""  # the matching rules' version ("": named by code older than rules versions)

    def name(self) -> str:
        return f"{JOB_PREFIX}{json.dumps(self.source)} {json.dumps(asdict(self), sort_keys=True)}"

    @staticmethod
    def parse(name: str) -> BackfillSpec | None:
        try:
            data = json.loads(name[len(JOB_PREFIX) :].split(" ", 1)[1])
            return BackfillSpec(**data)
        except (IndexError, ValueError, TypeError):
            return None

    @property
    def moment(self) -> datetime:
        moment = parse_iso(self.now)
        assert moment is not None
        return moment

    def same_work(self, other: BackfillSpec) -> bool:
        return (self.source, self.fingerprint, self.lexicon, self.threshold, self.distanced_weight, self.rules) == (
            other.source,
            other.fingerprint,
            other.lexicon,
            other.threshold,
            other.distanced_weight,
            other.rules,
        )


@dataclass
class Prepared:
    """A batch read and scored, waiting for its turn to be written."""

    items: list[Any] = field(default_factory=list)
    outlets: dict[str, tuple[str, str]] = field(default_factory=dict)
    failed: int = 0
    problems: list[str] = field(default_factory=list)
    scores: dict[tuple[str, str], Any] = field(default_factory=dict)


def cut(source: Source, rows_per_batch: int) -> list[tuple[int, int, int]]:
    """(start byte, end byte, first line) spans ending where the one-process import ends a
    transaction; the last span runs to the file's end (rows after the last full batch).
    Rows are only tested for being usable, not made into items: this pass runs before
    any other process can start, so all of it is time no second core can share."""
    assert source.path is not None
    spans: list[tuple[int, int, int]] = []
    start, rows = Position(0, 1), 0
    for usable, after in read_archive_usable(source):
        if usable:
            rows += 1
            if rows == rows_per_batch:
                spans.append((start.offset, after.offset, start.line))
                start, rows = after, 0
    size = source.path.stat().st_size
    if start.offset < size or not spans:
        spans.append((start.offset, size, start.line))
    return spans


def spec_for(ingest: Ingest, source: Source, run: int) -> BackfillSpec:
    return BackfillSpec(
        source.id,
        _fingerprint(source) or "",
        ingest.lexicon.content_hash,
        ingest.threshold,
        ingest.distanced_weight,
        iso(ingest.now) or "",
        run,
        rules_version(),
    )


class BatchBackfiller:
    """Claims and does backfill batches for one process."""

    def __init__(self, ingest: Ingest, worker: str, stop: threading.Event | None = None):
        self.ingest = ingest
        self.stop = stop or threading.Event()  # a worker told to stop gives a waiting batch back
        self.jobs = BatchJobs(ingest.store.conn)
        self.worker = worker
        self.items = 0
        self.ahead: dict[tuple[str, int], Prepared] = {}
        self.left: set[str] = set()  # open jobs of other rules this worker has said it leaves
        rules_version()  # read from the code on disk now, at start: not after an upgrade replaced it

    def specs(self) -> list[BackfillSpec]:
        """Open backfills this process can do: its archive source, unchanged file, same lexicon and settings."""
        archives = {s.id: s for s in self.ingest.config.sources if s.kind == "archive"}
        found = []
        for name in self.jobs.jobs(JOB_PREFIX):
            spec = BackfillSpec.parse(name)
            if spec is not None and spec.source in archives:
                mine = spec_for(self.ingest, archives[spec.source], spec.run)
                if mine.same_work(spec):
                    found.append(spec)
                elif mine.rules != spec.rules and name not in self.left:
                    self.left.add(name)
                    log.warning(
                        "worker %s leaves backfill job '%s': it was begun under matching rules %s and this "
                        "worker runs matching rules %s; only workers of its rules take its batches, and a "
                        "backfill started under these rules replaces it",
                        self.worker,
                        name,
                        spec.rules or "(not recorded: code older than rules versions)",
                        mine.rules,
                    )
        return found

    def step(self, lease_seconds: float, poll_seconds: float = 0.2, only: str | None = None) -> bool:
        """Claim and do (or give back) one batch; False when none is free."""
        for spec in self.specs():
            if only is not None and spec.name() != only:
                continue
            batch = self.jobs.claim(spec.name(), self.worker, now_utc(), lease_seconds)
            if batch is None:
                continue
            with contextlib.suppress(LeaseLost):  # another worker has it now
                self.items += self.do(spec, batch, lease_seconds, poll_seconds)
            return True
        return False

    def do(self, spec: BackfillSpec, batch: Batch, lease_seconds: float, poll_seconds: float) -> int:
        source = self.ingest.config.source(spec.source)
        key = (batch.job, batch.first_id)
        prepared = self.ahead.pop(key, None) or self._prepare(source, spec, batch)
        if not self._wait_turn(batch, lease_seconds, poll_seconds):
            if len(self.ahead) < KEPT_AHEAD:
                self.ahead[key] = prepared
            self.jobs.release(batch, self.worker)
            return 0
        return self._write(source, spec, batch, prepared)

    def _prepare(self, source: Source, spec: BackfillSpec, batch: Batch) -> Prepared:
        span = Span(batch.first_id, batch.last_id, self.jobs.first_line(batch))
        prepared = Prepared()
        for row in read_archive(source, spec.moment, span):
            if not isinstance(row, ArchiveRow):
                prepared.failed += 1
                if len(prepared.problems) < MAX_PROBLEMS_KEPT:
                    prepared.problems.append(f"{row.where}: {row.message}")
                continue
            if row.outlet:
                prepared.outlets[row.item.source_id] = (row.outlet, row.group)
            prepared.items.append(row.item)
        jobs = list(dict.fromkeys((item.text, item.language) for item in prepared.items))
        results = self.ingest.scorer.score_all(jobs, False)
        prepared.scores = {job: kept_matches(r) for job, r in zip(jobs, results, strict=True)}
        return prepared

    def _wait_turn(self, batch: Batch, lease_seconds: float, poll_seconds: float) -> bool:
        """Wait, renewing the lease, until every earlier batch is done (True); False when
        an earlier batch is free to claim (its worker died): better take that one first;
        or when this process is told to stop."""
        renewed = time.monotonic()
        while True:
            now = now_utc()
            earlier, free = self.jobs.earlier_open(batch, now)
            if earlier == 0:
                return True
            if free or self.stop.is_set():
                return False
            if time.monotonic() - renewed > lease_seconds / 3:  # a write, so not on every poll
                self.jobs.renew(batch, self.worker, now + timedelta(seconds=lease_seconds))
                renewed = time.monotonic()
            time.sleep(min(poll_seconds, TURN_POLL_SECONDS))

    def _write(self, source: Source, spec: BackfillSpec, batch: Batch, prepared: Prepared) -> int:
        ingest, store = self.ingest, self.ingest.store
        ingest.now = spec.moment
        outcome = SourceOutcome(source.id, failed=prepared.failed, problems=list(prepared.problems))

        def check() -> None:
            if not self.jobs.hold(batch, self.worker) or self.jobs.earlier_open(batch, now_utc())[0]:
                raise LeaseLost(batch)

        def done() -> None:
            counts = {k: getattr(outcome, k) for k in ("new", "duplicates", "updated", "failed", "problems")}
            self.jobs.set_outcome(batch, json.dumps(counts))
            if self.jobs.mark_done(batch, now_utc()):  # the file's last batch: the archive is in
                store.set_meta(f"archive:{source.id}", spec.fingerprint)
                whole = total_outcome(source.id, self.jobs.outcomes(batch.job))
                store.record_source(spec.run, source.id, whole.as_dict(), now_utc())
                store.close_run(spec.run, now_utc())  # here, not in the backfill process: it may be gone

        hooks = BatchHooks(prepared.scores, check, done)
        ingest._store_items(spec.run, outcome, prepared.items, outlets=prepared.outlets, final=False, batch=hooks)
        return len(prepared.items)


def total_outcome(source_id: str, outcomes: list[str]) -> SourceOutcome:
    """The batches' counts summed in file order, as the one-process import reports them."""
    total = SourceOutcome(source_id)
    for text in outcomes:
        part = json.loads(text)
        total.new += part["new"]
        total.duplicates += part["duplicates"]
        total.updated += part["updated"]
        total.failed += part["failed"]
        total.problems.extend(part["problems"])
    total.problems = total.problems[:MAX_PROBLEMS_KEPT]
    if total.failed:
        shown = "; ".join(total.problems[:3])
        more = f" (+{total.failed - 3} more)" if total.failed > 3 else ""
        total.warning = f"{total.failed} row(s) skipped: {shown}{more}"
    return total


def enqueue_backfill(ingest: Ingest, source_id: str) -> BackfillSpec | None:
    """Cut one archive source into batches and enqueue them, or find the open backfill of
    the same file, lexicon and settings (it resumes); None when the archive is unchanged
    since it was last imported (size and modification time), as `run` skips it."""
    store = ingest.store
    try:
        source = ingest.config.source(source_id)
    except KeyError:
        raise ValueError(f"unknown source id '{source_id}'") from None
    if source.kind != "archive":
        raise ValueError(f"source '{source_id}' is a {source.kind}, not an archive")
    assert source.path is not None
    if not source.path.exists():
        raise FileNotFoundError(f"{source.path}: archive file not found (source '{source_id}')")
    fingerprint = _fingerprint(source)
    if fingerprint and store.meta(f"archive:{source.id}") == fingerprint:
        return None
    store.sync_config(ingest.config, ingest.lexicon, ingest.now)
    jobs = BatchJobs(store.conn)
    wanted = spec_for(ingest, source, 0)
    for name in jobs.jobs(JOB_PREFIX):
        spec = BackfillSpec.parse(name)
        if spec is not None and spec.same_work(wanted):
            return spec
    scoring = scoring_identity(ingest.lexicon, ingest.threshold, ingest.distanced_weight)
    spec = spec_for(ingest, source, store.start_run(ingest.lexicon.content_hash, ingest.now, scoring))
    spans = cut(source, ingest.archive_batch)
    older = [n for n in jobs.jobs(JOB_PREFIX, open_only=False) if _source_of(n) == source.id]
    for name in set(older) & set(jobs.jobs(JOB_PREFIX)):
        log.warning("backfill job '%s' is replaced by '%s' (matching rules %s)", name, spec.name(), spec.rules)
    jobs.enqueue_spans(spec.name(), spans, drop=older, run=spec.run)
    return spec


def backfill_in_batches(
    ingest: Ingest, source_id: str, worker: str, lease_seconds: float = 120.0, poll_seconds: float = 0.5
) -> SourceOutcome:
    """Enqueue (or resume) the backfill of one archive source and work on it, with any
    running workers, until every batch is done."""
    spec = enqueue_backfill(ingest, source_id)
    if spec is None:
        return SourceOutcome(source_id, status="unchanged")
    source = ingest.config.source(source_id)
    backfiller = BatchBackfiller(ingest, worker)
    while backfiller.jobs.open_batches(spec.name()):
        if _fingerprint(source) != spec.fingerprint:
            raise RuntimeError(f"{source.path}: the archive changed during its backfill (source '{source_id}')")
        if not backfiller.step(lease_seconds, poll_seconds, only=spec.name()):
            time.sleep(min(poll_seconds, 0.1))  # the last batches are held by others: they end soon; a claim is a write
    ingest.store.release_run(spec.run)  # the last batch's transaction finished the run, whoever wrote it
    return total_outcome(source.id, backfiller.jobs.outcomes(spec.name()))


def _source_of(name: str) -> str | None:
    spec = BackfillSpec.parse(name)
    return spec.source if spec else None
