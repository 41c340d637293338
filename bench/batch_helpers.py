"""Helper processes for the rescore benchmark: each is a worker that already runs (its
lexicon loaded, as `python -m ingest worker` is between jobs) and, on each "go", takes
rescore batches (ingest/batch_rescore.py) of the lexicon it is told until none is free."""

from __future__ import annotations

import multiprocessing
from pathlib import Path
from typing import Any

from ingest.batch_rescore import BatchRescorer
from ingest.lexicon import load_lexicon
from store import Store


def _helper(store_path: str, lexicon_paths: list[str], name: str, tasks: Any, done: Any) -> None:
    with Store(store_path) as store:
        rescorers = [BatchRescorer(store, load_lexicon(Path(p)), 1.0, 0.5, name) for p in lexicon_paths]
        done.put("ready")
        while (task := tasks.get()) != "stop":
            while rescorers[task].step(600.0):
                pass
            done.put("done")


class Helpers:
    """n helper processes on one store, started (and their lexicons loaded) before timing;
    `go(k)` has them take batches of the job of the k-th lexicon."""

    def __init__(self, store_path: Path, lexicon_paths: list[Path], n: int):
        ctx = multiprocessing.get_context("spawn")
        self.tasks, self.done = ctx.Queue(), ctx.Queue()
        paths = [str(p) for p in lexicon_paths]
        self.procs = [
            ctx.Process(target=_helper, args=(str(store_path), paths, f"helper-{i}", self.tasks, self.done))
            for i in range(n)
        ]
        for p in self.procs:
            p.start()
        for _ in self.procs:
            assert self.done.get(timeout=300) == "ready"

    def go(self, lexicon: int) -> None:
        for _ in self.procs:
            self.tasks.put(lexicon)

    def wait(self) -> None:
        for _ in self.procs:
            assert self.done.get(timeout=3600) == "done"

    def close(self) -> None:
        for _ in self.procs:
            self.tasks.put("stop")
        for p in self.procs:
            p.join(60)
