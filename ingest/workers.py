"""Scoring on every core for large jobs (archive imports, rescoring).

Worker processes each build the matcher once and score chunks of texts; results come
back in submission order, and `score_text` is a pure function of (text, language,
lexicon, settings), so what is stored is exactly what one process would store
(tests/test_parallel_scoring.py compares the two stores value for value).  Small jobs
(a feed, a seed) are scored in this process: starting workers costs about a second.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any, TypeVar

from .lexicon import Lexicon
from .matcher import Matcher
from .score import score_text

MIN_PARALLEL = 1000  # texts in one call before worker processes are worth starting (rescore)
_CHUNK = 100  # texts per task: large enough to amortise pickling, small enough to balance

_worker: tuple[Matcher, float, float] | None = None
T = TypeVar("T")


def default_processes() -> int:
    """The cores this process may run on (a container's CPU set, not the host's count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def _start(lexicon: Lexicon, threshold: float, distanced_weight: float, parent: int) -> None:
    global _worker
    threading.Thread(target=_exit_with, args=(parent,), daemon=True).start()
    _worker = (Matcher(lexicon), threshold, distanced_weight)


def _exit_with(parent: int) -> None:
    """A worker holds its own end of the task queue, so it never sees the queue close:
    when the ingest is killed (SIGKILL, OOM), the worker notices its parent is gone and
    exits instead of waiting forever."""
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(0)


def _score_chunk(jobs: Sequence[tuple[str, str]]) -> list[Any]:
    assert _worker is not None
    matcher, threshold, distanced_weight = _worker
    return [score_text(text, matcher, language, threshold, distanced_weight) for text, language in jobs]


class Scorer:
    """`score_all` in this process or, for large jobs and processes > 1, in a pool."""

    def __init__(self, lexicon: Lexicon, threshold: float, distanced_weight: float, processes: int = 1):
        self.lexicon = lexicon
        self.matcher = Matcher(lexicon)
        self.threshold = threshold
        self.distanced_weight = distanced_weight
        self.processes = max(1, processes)
        self._pool: ProcessPoolExecutor | None = None
        self.scored_in_workers = 0

    def score(self, text: str, language: str) -> Any:
        return score_text(text, self.matcher, language, self.threshold, self.distanced_weight)

    @property
    def started(self) -> bool:
        return self._pool is not None

    def score_all(self, jobs: Sequence[tuple[str, str]], parallel: bool | None = None) -> list[Any]:
        """Scores of (text, language) jobs, in the order given; in the workers when
        `parallel` (by default: when the pool runs or the job is large)."""
        if parallel is None:
            parallel = self.started or len(jobs) >= MIN_PARALLEL
        if self.processes == 1 or not parallel or not jobs:
            return [self.score(text, language) for text, language in jobs]
        pool = self._started()
        chunks = [jobs[i : i + _CHUNK] for i in range(0, len(jobs), _CHUNK)]
        self.scored_in_workers += len(jobs)
        return [result for chunk in pool.map(_score_chunk, chunks) for result in chunk]

    def score_ahead(
        self, batches: Iterable[T], jobs_of: Callable[[T], Sequence[tuple[str, str]]]
    ) -> Iterator[tuple[T, list[Any]]]:
        """(batch, its scores) for each batch, in order.  With worker processes the next
        batch is already being scored while the caller writes this one, so writing (in
        this process) and scoring (in the workers) overlap instead of taking turns; and
        when the caller comes for a batch, this process scores the chunks of it that no
        worker has started yet, so it is never idle while the workers are behind.  It
        is one of the `processes`: the pool it starts has one worker fewer (one worker
        on two cores: a pool's worker costs a second to start, and its texts and scores
        cost pickling, which this process's share does not)."""
        if self.processes == 1:
            for batch in batches:
                yield batch, [self.score(text, language) for text, language in jobs_of(batch)]
            return
        pool = self._started(self.processes - 1)
        pending: tuple[T, list[Sequence[tuple[str, str]]], list[Future[list[Any]]]] | None = None
        for batch in batches:
            jobs = list(jobs_of(batch))
            chunks: list[Sequence[tuple[str, str]]] = [jobs[i : i + _CHUNK] for i in range(0, len(jobs), _CHUNK)]
            submitted = [pool.submit(_score_chunk, chunk) for chunk in chunks]
            if pending is not None:
                yield pending[0], self._collect(pending[1], pending[2])
            pending = (batch, chunks, submitted)
        if pending is not None:
            yield pending[0], self._collect(pending[1], pending[2])

    def _collect(self, chunks: list[Sequence[tuple[str, str]]], futures: list[Future[list[Any]]]) -> list[Any]:
        """The scores of `chunks`, in order: the chunks no worker has started (from the
        last one back, while cancelling them succeeds) are scored here."""
        here: dict[int, list[Any]] = {}
        for i in range(len(futures) - 1, -1, -1):
            if not futures[i].cancel():
                break
            here[i] = [self.score(text, language) for text, language in chunks[i]]
        self.scored_in_workers += sum(len(chunk) for i, chunk in enumerate(chunks) if i not in here)
        return [r for i, future in enumerate(futures) for r in (here[i] if i in here else future.result())]

    def _started(self, workers: int | None = None) -> ProcessPoolExecutor:
        if self._pool is None:
            # spawn, not fork: the parent holds SQLite connections and HTTP threads,
            # which a forked child must not inherit.
            self._pool = ProcessPoolExecutor(
                max_workers=max(1, workers or self.processes),
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_start,
                initargs=(self.lexicon, self.threshold, self.distanced_weight, os.getpid()),
            )
        return self._pool

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None

    def __enter__(self) -> Scorer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
