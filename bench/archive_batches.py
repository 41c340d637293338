"""Archive import as batch jobs (`python -m ingest backfill`, ingest/batch_backfill.py)
against the one-process import of the same archive, each into a fresh store per round,
interleaved: the enqueuing process plus one worker that already runs (its lexicon
loaded and the new store open, as a `python -m ingest worker` daemon is) vs
`Ingest.run()` on one scoring process.  Timed: from the start of the import (cutting
and enqueuing included) until every row is stored.  Then the two stores are compared
table by table (tests/test_batch_backfill.py's tables: item ids, copies' originals,
matches, item_concepts, daily tables): a faster import that stores anything else is
no gain."""

from __future__ import annotations

import multiprocessing
import queue
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from analysis.segment import words
from ingest.batch_backfill import BatchBackfiller, backfill_in_batches, enqueue_backfill
from ingest.config import load_config
from ingest.lexicon import load_lexicon
from ingest.pipeline import Ingest
from store import Store

from .common import LEXICON, Row, fmt_ratio, interleaved, median, ratio_spread, spread, verdict

NOW = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)  # both sides' import time, so stored values can be equal
LEASE, POLL = 120.0, 0.5  # the defaults of `backfill` and of `worker` (its poll is capped at 0.5 s for batches)


def _helper(lexicon_path: str, tasks: Any, done: Any) -> None:
    lexicon = load_lexicon(Path(lexicon_path))
    words("人类命运共同体")  # jieba's dictionary, loaded by a worker's first Chinese text (as in this process)
    done.put("ready")
    while (task := tasks.get())[0] == "open":
        with Store(task[2]) as store:
            ingest = Ingest(load_config(Path(task[1])), lexicon, store, now=NOW)
            ingest.scorer.processes = 1
            backfiller = BatchBackfiller(ingest, "helper")
            done.put("open")
            assert tasks.get()[0] == "go"
            while backfiller.step(LEASE, POLL) or backfiller.specs():
                time.sleep(0.1)  # every open batch is held by the other process: wait for its end
            done.put(backfiller.items)


class Worker:
    """One worker process, started and its lexicon loaded before any timing."""

    def __init__(self) -> None:
        ctx = multiprocessing.get_context("spawn")
        self.tasks, self.done = ctx.Queue(), ctx.Queue()
        self.proc = ctx.Process(target=_helper, args=(str(LEXICON), self.tasks, self.done))
        self.proc.start()
        assert self.answer() == "ready"

    def open(self, config: Path, store: Path) -> None:
        self.tasks.put(("open", str(config), str(store)))
        assert self.answer() == "open"

    def answer(self) -> Any:
        """The worker's next answer; an error (not a long wait) if it died."""
        while True:
            try:
                return self.done.get(timeout=1)
            except queue.Empty:
                if not self.proc.is_alive():
                    raise RuntimeError(f"the backfill worker exited ({self.proc.exitcode})") from None

    def close(self) -> None:
        self.tasks.put(("stop",))
        self.proc.join(60)


def compare(archive: Path, batch_rows: int, rounds: int, bench: str) -> list[Row]:
    from tests.builders import SourceSpec, write_config

    lexicon = load_lexicon(LEXICON)
    words("人类命运共同体")  # as in the worker: neither side's clock includes loading jieba
    fields = {"text": "text", "title": "title", "date": "date", "url": "url", "language": "lang"}
    spec = SourceSpec("rows", "think-tanks", "archive", {"path": str(archive), "fields": fields})
    secs: dict[str, list[float]] = {"one": [], "batches": []}
    helped: list[int] = []
    writing: list[float] = []  # seconds inside write transactions, per one-process import
    with tempfile.TemporaryDirectory(prefix="bench-backfill-") as tmp:
        base = Path(tmp)

        def fresh(key: str) -> tuple[Any, Path]:
            directory = base / f"{key}-{len(secs[key])}"
            directory.mkdir()
            config = write_config(directory, [spec], settings={"ingest": {"archive_batch_rows": batch_rows}})
            return load_config(config), config

        def one() -> None:
            config, _ = fresh("one")
            with Store(config.store_path) as store:
                ingest = Ingest(config, lexicon, store, now=NOW)
                ingest.scorer.processes = 1
                _clock_writes(store, writing)
                t0 = time.perf_counter()
                report = ingest.run()
                secs["one"].append(time.perf_counter() - t0)
            assert not report.errors, [o.error for o in report.errors]

        def batches() -> None:
            config, path = fresh("batches")
            with Store(config.store_path) as store:
                worker.open(path, config.store_path)
                ingest = Ingest(config, lexicon, store, now=NOW)
                ingest.scorer.processes = 1
                t0 = time.perf_counter()
                assert enqueue_backfill(ingest, "rows") is not None
                worker.tasks.put(("go",))
                outcome = backfill_in_batches(ingest, "rows", "enqueuer", LEASE, POLL)
                helped.append(worker.answer())
                secs["batches"].append(time.perf_counter() - t0)
            assert outcome.error is None and outcome.new > 0, outcome

        worker = Worker()
        try:
            interleaved({"one": one, "batches": batches}, rounds)
        finally:
            worker.close()
        stores = [snapshot(base / f"{key}-0" / "monitor.sqlite3") for key in ("one", "batches")]
        items = len(stores[0]["items"])
        rows = sum(1 for _ in archive.open(encoding="utf-8"))
    one, batched = secs["one"], secs["batches"]
    ratio = median(one) / median(batched)
    same = stores[0] == stores[1]
    differ = [name for name in stores[0] if stores[0][name] != stores[1][name]]
    shares = [w / t for w, t in zip(writing, one, strict=True)]
    share = median(shares)
    return [
        Row(bench, f"archive import as batch jobs, {rows:,} rows ({batch_rows:,} per batch): one process",
            f"{median(one):.1f} s median ({spread(one)})"),
        Row(bench, "the same as batch jobs: the enqueuing process + 1 worker already running",
            f"{median(batched):.1f} s median ({spread(batched)}); the worker stored "
            f"{median([float(h) for h in helped]) / rows:.0%} of the rows"),
        Row(bench, "archive import as batch jobs: one process / the enqueuing process + 1 worker (2 processes)",
            f"{fmt_ratio(ratio)} ({ratio_spread(one, batched)})", ">= 1.7x", verdict(ratio >= 1.7)),
        Row(bench, "one-process import: share of its wall time inside write transactions (SQLite admits one "
            "writer, so 2 processes can at best reach 1 / (share + (1 - share) / 2))",
            f"{share:.0%} (rounds {min(shares):.0%}-{max(shares):.0%}); ceiling {1 / (share + (1 - share) / 2):.2f}x"),
        Row(bench, "batch-job store = one-process store (items incl. ids, matches, item_concepts, daily tables)",
            f"{items:,} items; " + ("identical" if same else f"DIFFERENT: {', '.join(differ)}"),
            "identical", verdict(same)),
    ]


def _clock_writes(store: Store, out: list[float]) -> None:
    """Add up the time this import spends inside `store.transaction()`: the part that no
    second process can overlap on SQLite (the items, their evidence, the full-text index)."""
    plain = store.transaction
    out.append(0.0)
    depth = [0]  # a transaction inside another is not counted twice

    @contextmanager
    def clocked() -> Iterator[Any]:
        t0 = time.perf_counter()
        depth[0] += 1
        try:
            with plain() as conn:
                yield conn
        finally:
            depth[0] -= 1
            if not depth[0]:
                out[-1] += time.perf_counter() - t0

    store.transaction = clocked  # type: ignore[method-assign]


def snapshot(path: Path) -> dict[str, list[tuple]]:
    """Every compared table's rows, sorted, floats rounded (as tests/test_batch_backfill.py)."""
    from tests.builders import table_snapshot
    from tests.test_batch_backfill import TABLES

    return table_snapshot("sqlite:///" + str(path), TABLES)
