"""A rescore as batch jobs that any number of processes share (store/batch_jobs.py).

`python -m ingest rescore --batches` cuts the stored items into batches of ids and
works through them; every `python -m ingest worker` whose lexicon, scoring settings and
matching rules are the same takes batches too (the job's name carries the lexicon's
content hash, the settings and the rules' version, ingest/rules_version.py, so no worker
rescores with another lexicon or finishes with new code a job begun with old code: the
store would end scored half by each).  A worker leaves a job of other rules, saying so
once; the job a rescore with the new rules enqueues replaces it, as a new lexicon's does.  Each batch is read, scored
outside any transaction, and written in one transaction: the items whose evidence
changed rewritten with the daily rows of their days (Store.rescore_items), the batch
marked done.  Scoring is a pure function of the text, the
lexicon and the settings, so the store ends exactly as a one-process rescore leaves it
(tests/test_batch_rescore.py).  The concepts are rewritten by whoever ends the last
batch, in that batch's transaction; until then readers see the items already rescored
(the job's done batches), with daily figures that agree with them.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable
from datetime import datetime

from store import Store, now_utc
from store.batch_jobs import Batch, BatchJobs

from .lexicon import Lexicon
from .match_cap import kept_matches
from .rules_version import rules_version
from .scoring_identity import scoring_identity
from .workers import Scorer

log = logging.getLogger(__name__)

JOB_PREFIX = "rescore "
BATCH_ITEMS = 2000  # items per batch: one transaction of a few seconds' work


class LeaseLost(Exception):
    """The batch's lease ran out and another worker took it: this worker's result is dropped."""


RULES = " rules="  # before the rules' version in a job's name


def job_name(lexicon: Lexicon, threshold: float, distanced_weight: float, rules: str) -> str:
    settings = f"threshold={threshold!r} distanced_weight={distanced_weight!r}"
    return f"{JOB_PREFIX}{lexicon.content_hash} {settings}{RULES}{rules}"


def rules_of(job: str) -> str | None:
    """The matching rules' version a rescore job was begun under (None: a job named by
    code older than rules versions, which did not record them)."""
    head, sep, rules = job.rpartition(RULES)
    return rules if sep and head.startswith(JOB_PREFIX) else None


class BatchRescorer:
    """Claims and does rescore batches of one job for one worker."""

    def __init__(self, store: Store, lexicon: Lexicon, threshold: float, distanced_weight: float, worker: str):
        self.store = store
        self.lexicon = lexicon
        self.scorer = Scorer(lexicon, threshold, distanced_weight)
        self.jobs = BatchJobs(store.conn)
        self.rules = rules_version()
        self.job = job_name(lexicon, threshold, distanced_weight, self.rules)
        self.scoring = scoring_identity(lexicon, threshold, distanced_weight)
        self.worker = worker
        self.items = 0
        self.left: set[str] = set()  # open jobs of other rules this worker has said it leaves

    def enqueue(self, batch_items: int = BATCH_ITEMS) -> int:
        for job in self.other_rules():
            log.warning(
                "rescore job '%s' (matching rules %s) is replaced by '%s' (matching rules %s): "
                "items its batches rescored are rescored again under these rules",
                job,
                _version(job),
                self.job,
                self.rules,
            )
        return self.jobs.enqueue_items(self.job, batch_items, supersedes=JOB_PREFIX)

    def other_rules(self) -> list[str]:
        """Open rescore jobs begun under matching rules other than this process's."""
        return [job for job in self.jobs.jobs(JOB_PREFIX) if rules_of(job) != self.rules]

    def step(self, lease_seconds: float, now: datetime | None = None) -> bool:
        """Claim and do one batch; False when none is free."""
        batch = self.jobs.claim(self.job, self.worker, now or now_utc(), lease_seconds)
        if batch is None:
            self._say_left()
            return False
        with contextlib.suppress(LeaseLost):  # another worker has it now
            self.items += self.do(batch)
        return True

    def do(self, batch: Batch) -> int:
        rows = self.store.item_texts_between(batch.first_id, batch.last_id)
        results = self.scorer.score_all([(row["text"], row["language"]) for row in rows], parallel=False)
        scored = [(int(row["id"]), kept_matches(r)) for row, r in zip(rows, results, strict=True)]
        with self.store.transaction():
            if not self.jobs.hold(batch, self.worker):
                raise LeaseLost(batch)
            self.store.rescore_items(scored)
            self.store.refresh_touched_days()
            if self.jobs.mark_done(batch, now_utc()):  # the last batch: every item is rescored
                self.store._sync_lexicon(self.lexicon)
                self.store.set_meta("scored_with", self.scoring)
            self.store.bump_data_version()
        return len(scored)

    def open_batches(self) -> int:
        return self.jobs.open_batches(self.job)

    def _say_left(self) -> None:
        """Once per job: the open rescore jobs of other rules this worker will not touch."""
        for job in self.other_rules():
            if job not in self.left:
                self.left.add(job)
                log.warning(
                    "worker %s leaves rescore job '%s': it was begun under matching rules %s and this "
                    "worker runs matching rules %s; only workers of its rules take its batches, and a "
                    "rescore started under these rules replaces it",
                    self.worker,
                    job,
                    _version(job),
                    self.rules,
                )


def _version(job: str) -> str:
    return rules_of(job) or "(not recorded: code older than rules versions)"


def rescore_in_batches(
    rescorer: BatchRescorer,
    lease_seconds: float = 120.0,
    poll_seconds: float = 1.0,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Enqueue (or resume) the rescore job and work on it until every batch is done, by
    this process or by workers; waits for batches other workers hold (a dead worker's
    batch is taken over when its lease runs out).  Returns items rescored here."""
    rescorer.enqueue()
    while True:
        before = rescorer.items
        if rescorer.step(lease_seconds):
            if progress:
                progress(rescorer.items - before)
            continue
        if rescorer.open_batches() == 0:
            return rescorer.items
        time.sleep(poll_seconds)
