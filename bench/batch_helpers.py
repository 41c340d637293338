"""Helper processes for the rescore benchmark: each is a worker that already runs (its
lexicon loaded, as `python -m ingest worker` is between jobs) and, on each "go", takes
rescore batches (ingest/batch_rescore.py) until none is free."""

from __future__ import annotations

import multiprocessing
from pathlib import Path
from typing import Any

from ingest.batch_rescore import BatchRescorer
from ingest.lexicon import load_lexicon
from store import Store


def _helper(store_path: str, lexicon_path: str, name: str, tasks: Any, done: Any) -> None:
    lexicon = load_lexicon(Path(lexicon_path))
    with Store(store_path) as store:
        rescorer = BatchRescorer(store, lexicon, 1.0, 0.5, name)
        done.put("ready")
        while tasks.get() == "go":
            while rescorer.step(600.0):
                pass
            done.put("done")


class Helpers:
    """n helper processes on one store, started (and their lexicon loaded) before timing."""

    def __init__(self, store_path: Path, lexicon_path: Path, n: int):
        ctx = multiprocessing.get_context("spawn")
        self.tasks, self.done = ctx.Queue(), ctx.Queue()
        self.procs = [
            ctx.Process(target=_helper, args=(str(store_path), str(lexicon_path), f"helper-{i}", self.tasks, self.done))
            for i in range(n)
        ]
        for p in self.procs:
            p.start()
        for _ in self.procs:
            assert self.done.get(timeout=300) == "ready"

    def go(self) -> None:
        for _ in self.procs:
            self.tasks.put("go")

    def wait(self) -> None:
        for _ in self.procs:
            assert self.done.get(timeout=3600) == "done"

    def close(self) -> None:
        for _ in self.procs:
            self.tasks.put("stop")
        for p in self.procs:
            p.join(60)
