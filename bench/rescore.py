"""3. Rescore after a lexicon edit: `pipeline.rescore` over a store of N items, against
scoring the same texts in memory with the same edited lexicon.

The store is built with bench/storebuild.py from ~800-character pieces of real
MFA (en, zh) and UN text; the edit adds one concept with an English and a
Chinese form, as an analyst would.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from ingest.batch_rescore import BatchRescorer, rescore_in_batches
from ingest.lexicon import Matcher, load_lexicon
from ingest.pipeline import rescore
from ingest.score import score_text
from ingest.workers import default_processes
from store import Store

from .batch_helpers import Helpers
from .common import (
    LEXICON,
    ROUNDS,
    Row,
    fmt_rate,
    fmt_ratio,
    interleaved,
    item_texts,
    median,
    ratio_spread,
    spread,
    timed,
    verdict,
)
from .storebuild import build_store

BENCH = "3 rescore"

EDIT = """

[[concepts]]
id = "bench-security-dialogue"
label = "Security dialogue (added by the rescore benchmark)"
family = "official"
definition = "An edit made by bench/rescore.py to trigger a rescore."
en = ["security dialogue"]
zh = ["安全对话"]
"""


def run(quick: bool) -> list[Row]:
    n_items = 5_000 if quick else 100_000
    unique = 2_000 if quick else 10_000
    lexicon = load_lexicon(LEXICON)
    with tempfile.TemporaryDirectory(prefix="bench-rescore-") as tmp:
        tmp_path = Path(tmp)
        store_path = tmp_path / "monitor.sqlite3"
        build_s, _ = timed(lambda: build_store(store_path, lexicon, item_texts(800)[:unique], n_items))
        edited = tmp_path / "lexicon.toml"
        edited.write_text(LEXICON.read_text(encoding="utf-8") + EDIT, encoding="utf-8")
        new_lexicon = load_lexicon(edited)
        with Store(store_path) as store:
            count = store.item_count()
            texts = [(row["text"], row["language"]) for batch in store.iter_item_texts() for row in batch]
            matcher = Matcher(new_lexicon)
            done: list[int] = []
            helpers = Helpers(store_path, edited, default_processes() - 1)
            batched = BatchRescorer(store, new_lexicon, 1.0, 0.5, "bench")

            def in_batches() -> None:
                batched.enqueue()
                helpers.go()
                rescore_in_batches(batched, poll_seconds=0.05)
                helpers.wait()

            try:
                times = interleaved(
                    {
                        "one": lambda: done.append(rescore(store, new_lexicon, 1.0, 0.5, processes=1)),
                        "all": lambda: done.append(
                            rescore(store, new_lexicon, 1.0, 0.5, processes=default_processes())
                        ),
                        "batches": in_batches,
                        "memory": lambda: [score_text(t, matcher, lang, 1.0, 0.5)
                                           for t, lang in texts],
                    },
                    1 if quick else ROUNDS,
                )
            finally:
                helpers.close()
    one, every, memory, batches = times["one"], times["all"], times["memory"], times["batches"]
    batch_speed = median(one) / median(batches)
    ratio = median(one) / median(memory)
    speed = median(one) / median(every)
    size = sum(len(t.encode("utf-8")) for t, _ in texts) / 1e6
    n = done[0]
    return [
        Row(BENCH, f"store built ({count:,} items, {size:.0f} MB of text, {unique:,} distinct)", f"{build_s:.0f} s"),
        Row(BENCH, f"rescore {n:,} stored items on one process (pipeline.rescore)",
            f"{median(one):.1f} s median, {fmt_rate(n / median(one), 'items/s')} ({spread(one)})"),
        Row(BENCH, f"the same on {default_processes()} processes",
            f"{median(every):.1f} s median ({spread(every)})"),
        Row(BENCH, "score_text on the same texts in memory",
            f"{median(memory):.1f} s median, {fmt_rate(len(texts) / median(memory), 'items/s')} ({spread(memory)})"),
        Row(BENCH, "rescore time (one process) / in-memory scoring time",
            f"{fmt_ratio(ratio)} ({ratio_spread(one, memory)})", "<= 2x", verdict(ratio <= 2.0)),
        Row(BENCH, f"rescore: one process / {default_processes()} processes (scoring.processes)",
            f"{fmt_ratio(speed)} ({ratio_spread(one, every)})", ">= 1.7x", verdict(speed >= 1.7)),
        Row(BENCH, f"rescore --batches on {default_processes()} processes (workers already running)",
            f"{median(batches):.1f} s median ({spread(batches)})"),
        Row(BENCH, f"rescore: one process / batch jobs on {default_processes()} processes",
            f"{fmt_ratio(batch_speed)} ({ratio_spread(one, batches)})", ">= 1.7x", verdict(batch_speed >= 1.7)),
    ]
