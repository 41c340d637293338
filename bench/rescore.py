"""3. Rescore after a lexicon edit: `ingest.rescore` over a store of N items, against
scoring the same texts in memory with the same edited lexicon.

The store is built with bench/storebuild.py from ~800-character pieces of real
MFA (en, zh) and UN text.  Two edits: one adds a concept with an English and a
Chinese form, as an analyst would (it changes the evidence of few items); the other
adds a concept of words found in most texts ("china", "countries", "中国", "国家"), so
most items' evidence changes.  A rescore writes only the items whose evidence changed, so every
timed rescore must make a real edit: each one takes the store from the lexicon it
holds to the other (the edit, or the edit undone), never rescoring with the lexicon
the store already holds.
"""

from __future__ import annotations

import os
import resource
import tempfile
from pathlib import Path

from ingest.batch_rescore import BatchRescorer, rescore_in_batches
from ingest.lexicon import Lexicon, load_lexicon
from ingest.matcher import Matcher
from ingest.rescore import rescore
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
COMMON_EDIT = """

[[concepts]]
id = "bench-common-words"
label = "China and countries (added by the rescore benchmark)"
family = "official"
definition = "An edit made by bench/rescore.py that touches most items: words found in most texts."
en = ["china", "chinese", "countries"]
zh = ["中国", "国家"]
"""


def run(quick: bool) -> list[Row]:
    n_items = 5_000 if quick else 100_000
    unique = 2_000 if quick else 10_000
    rounds = 1 if quick else ROUNDS
    lexicon = load_lexicon(LEXICON)
    n = default_processes()
    with tempfile.TemporaryDirectory(prefix="bench-rescore-") as tmp:
        tmp_path = Path(tmp)
        store_path = tmp_path / "monitor.sqlite3"
        build_s, _ = timed(lambda: build_store(store_path, lexicon, item_texts(800)[:unique], n_items))
        paths = [LEXICON, tmp_path / "analyst.toml", tmp_path / "common.toml"]
        for path, edit in zip(paths[1:], (EDIT, COMMON_EDIT), strict=True):
            path.write_text(LEXICON.read_text(encoding="utf-8") + edit, encoding="utf-8")
        lexicons = [lexicon] + [load_lexicon(p) for p in paths[1:]]
        with Store(store_path) as store:
            count = store.item_count()
            texts = [(row["text"], row["language"]) for batch in store.iter_item_texts() for row in batch]
            matcher = Matcher(lexicons[1])
            helpers = Helpers(store_path, paths, n - 1)
            toggle = _Toggle(store, lexicons, helpers)
            try:
                analyst = interleaved(
                    {
                        "one": lambda: toggle.rescore(1, processes=1),
                        "all": lambda: toggle.rescore(1, processes=n),
                        "batches": lambda: toggle.in_batches(1),
                        "memory": lambda: [score_text(t, matcher, lang, 1.0, 0.5) for t, lang in texts],
                    },
                    rounds,
                )
                toggle.back_to_base()
                common = interleaved(
                    {
                        "one": lambda: toggle.rescore(2, processes=1),
                        "all": lambda: toggle.rescore(2, processes=n),
                        "batches": lambda: toggle.in_batches(2),
                    },
                    rounds,
                )
            finally:
                helpers.close()
    size = sum(len(t.encode("utf-8")) for t, _ in texts) / 1e6
    memory = analyst.pop("memory")
    rows = [
        Row(BENCH, f"store built ({count:,} items, {size:.0f} MB of text, {unique:,} distinct)", f"{build_s:.0f} s"),
        Row(BENCH, "score_text on the same texts in memory (analyst's edit)",
            f"{median(memory):.1f} s median, {fmt_rate(len(texts) / median(memory), 'items/s')} ({spread(memory)})"),
        Row(BENCH, "rescore time (one process, analyst's edit) / in-memory scoring time",
            f"{fmt_ratio(median(analyst['one']) / median(memory))} ({ratio_spread(analyst['one'], memory)})",
            "<= 2x", verdict(median(analyst["one"]) / median(memory) <= 2.0)),
    ]
    for key, name, times in (
        (1, "analyst's edit (one concept added or removed", analyst),
        (2, "common words (a concept of 'china', 'countries', '中国', '国家' added or removed", common),
    ):
        edit = toggle.changed[key]
        rows += _rows(f"{name}: {edit:,} of {count:,} items' evidence changes)", times, n, count)
        rows += _cpu_rows(name.split(" (")[0], {side: toggle.cpu[(k, side)] for (k, side) in toggle.cpu if k == key})
    return rows


def _cpu_rows(edit: str, cpu: dict[str, list[tuple[float, float]]]) -> list[Row]:
    """CPU seconds per rescore: the work each way costs, and the share of the busiest
    process (the wall time an idle machine would approach)."""
    one = median([total for total, _ in cpu["one"]])
    out = []
    for side, label in (("all", "a pool"), ("batches", "batch jobs")):
        total, busiest = median([t for t, _ in cpu[side]]), median([b for _, b in cpu[side]])
        value = f"{one:.1f} s / {total:.1f} s; {busiest:.1f} s: one process / busiest {fmt_ratio(one / busiest)}"
        out.append(Row(BENCH, f"{edit}: CPU per rescore, one process / {label} (all its processes; its busiest one)",
                       value))
    return out


def _rows(edit: str, times: dict[str, list[float]], n: int, count: int) -> list[Row]:
    one, every, batches = times["one"], times["all"], times["batches"]
    speed, batch_speed = median(one) / median(every), median(one) / median(batches)
    return [
        Row(BENCH, f"{edit}: rescore {count:,} stored items on one process (ingest.rescore)",
            f"{median(one):.1f} s median, {fmt_rate(count / median(one), 'items/s')} ({spread(one)})"),
        Row(BENCH, f"{edit}: the same on {n} processes (a pool started per rescore)",
            f"{median(every):.1f} s median ({spread(every)})"),
        Row(BENCH, f"{edit}: one process / {n} processes (scoring.processes)",
            f"{fmt_ratio(speed)} ({ratio_spread(one, every)})", ">= 1.7x", verdict(speed >= 1.7)),
        Row(BENCH, f"{edit}: rescore --batches on {n} processes (workers already running)",
            f"{median(batches):.1f} s median ({spread(batches)})"),
        Row(BENCH, f"{edit}: one process / batch jobs on {n} processes",
            f"{fmt_ratio(batch_speed)} ({ratio_spread(one, batches)})", ">= 1.7x", verdict(batch_speed >= 1.7)),
    ]


class _Toggle:
    """Each rescore takes the store from the lexicon it holds to the other one of a pair
    (the shipped lexicon and an edit of it), so every timed rescore applies a real edit.
    It also keeps each rescore's CPU seconds per process: on a shared machine the wall
    time of two processes depends on what else runs, their CPU split does not."""

    def __init__(self, store: Store, lexicons: list[Lexicon], helpers: Helpers):
        self.store, self.lexicons, self.helpers = store, lexicons, helpers
        self.held = 0  # index of the lexicon whose evidence the store holds
        self.batched = [BatchRescorer(store, lex, 1.0, 0.5, "bench") for lex in lexicons]
        self.changed: dict[int, int] = {}
        self.cpu: dict[tuple[int, str], list[tuple[float, float]]] = {}  # (edit, side) -> (total, busiest)

    def _next(self, edit: int) -> int:
        return 0 if self.held == edit else edit

    def rescore(self, edit: int, processes: int) -> None:
        target, before = self._next(edit), self.store.items_rewritten
        me, children = _cpu(resource.RUSAGE_SELF), _cpu(resource.RUSAGE_CHILDREN)
        rescore(self.store, self.lexicons[target], 1.0, 0.5, processes=processes)
        mine, theirs = _cpu(resource.RUSAGE_SELF) - me, _cpu(resource.RUSAGE_CHILDREN) - children  # pool joined
        self.cpu.setdefault((edit, "one" if processes == 1 else "all"), []).append((mine + theirs, max(mine, theirs)))
        self.held = target
        # An item's evidence differs between two lexicons whichever way the edit goes.
        self.changed[edit] = self.store.items_rewritten - before

    def in_batches(self, edit: int) -> None:
        target = self._next(edit)
        me, helpers = _cpu(resource.RUSAGE_SELF), [_proc_cpu(p.pid) for p in self.helpers.procs]
        self.batched[target].enqueue()
        self.helpers.go(target)
        rescore_in_batches(self.batched[target], poll_seconds=0.05)
        self.helpers.wait()
        each = [_cpu(resource.RUSAGE_SELF) - me] + [
            _proc_cpu(p.pid) - h for p, h in zip(self.helpers.procs, helpers, strict=True)
        ]
        self.cpu.setdefault((edit, "batches"), []).append((sum(each), max(each)))
        self.held = target

    def back_to_base(self) -> None:
        if self.held != 0:
            rescore(self.store, self.lexicons[0], 1.0, 0.5)
            self.held = 0


def _cpu(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def _proc_cpu(pid: int) -> float:
    """CPU seconds of a running process (user + system), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
