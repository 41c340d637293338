"""What every benchmark shares: the corpus (read by path), timers and result rows.

Each benchmark module has `run(quick: bool) -> list[Row]` and is run by
`python -m bench` in a fresh interpreter, so peak memory is its own.
"""

from __future__ import annotations

import csv
import json
import os
import re
import resource
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"
LEXICON = REPO / "data" / "lexicon.toml"


@dataclass
class Row:
    """One line of the results table."""

    bench: str
    measure: str
    value: str
    target: str = ""
    verdict: str = ""  # "met" | "MISSED" | "" (no target)

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def best_of(fn: Callable[[], Any], repeats: int) -> float:
    """Fastest of `repeats` wall-clock runs: the least disturbed by a noisy machine."""
    best = float("inf")
    for _ in range(max(1, repeats)):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def percentile(values: list[float], q: float) -> float:
    s = sorted(values)
    k = min(len(s) - 1, max(0, round(q * (len(s) - 1))))
    return s[k]


def peak_rss_mib() -> float:
    """Peak resident set size of this process (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def fmt_rate(n: float, unit: str) -> str:
    return f"{n:,.0f} {unit}" if n >= 100 else f"{n:,.1f} {unit}"


def fmt_ratio(x: float) -> str:
    return f"{x:,.1f}x" if x >= 10 else f"{x:.2f}x"


# ---- corpus -----------------------------------------------------------------


@cache
def jsonl(relative: str) -> tuple[dict, ...]:
    with (CORPUS / relative).open(encoding="utf-8") as fh:
        return tuple(json.loads(line) for line in fh if line.strip())


def mfa(lang: str) -> tuple[dict, ...]:
    return jsonl(f"mfa_spokesperson_2016_2020/mfa_{lang}.jsonl")


def ungdc() -> tuple[dict, ...]:
    return jsonl("ungdc_selected_1971_2024/ungdc_selected.jsonl")


@lru_cache(maxsize=1)
def headlines() -> tuple[str, ...]:
    """Real state-media headlines (short texts for large stores)."""
    out: list[str] = []
    for path in sorted((CORPUS / "cn_state_media_headlines_2022").glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as fh:
            out.extend(r["title"] for r in csv.DictReader(fh) if r.get("title"))
    return tuple(out)


def chunks(texts: Iterator[str] | tuple[str, ...], size: int) -> list[str]:
    """Real text cut at paragraph ends into pieces of about `size` characters (feed-item sized)."""
    out: list[str] = []
    for text in texts:
        piece: list[str] = []
        length = 0
        for para in re.split(r"\n+", text):
            para = para.strip()
            if not para:
                continue
            piece.append(para)
            length += len(para)
            if length >= size:
                out.append("\n".join(piece))
                piece, length = [], 0
        if length >= size // 4:
            out.append("\n".join(piece))
    return out


def item_texts(size: int) -> list[tuple[str, str]]:
    """(language, text) pieces of MFA en, MFA zh and UN speeches, interleaved."""
    en = chunks((r["text"] for r in mfa("en")), size)
    un = chunks((r["text"] for r in ungdc()), size)
    zh = chunks((r["text"] for r in mfa("zh")), size // 3)  # a Chinese character carries ~3 letters' meaning
    pools = [("en", en), ("en", un), ("zh-hans", zh)]
    out: list[tuple[str, str]] = []
    for i in range(max(len(p) for _, p in pools)):
        for lang, pool in pools:
            if i < len(pool):
                out.append((lang, pool[i]))
    return out


def shifted_day(base: date, k: int, span_days: int) -> date:
    """Replica k of a row lands on a different day of a `span_days` window."""
    return base + timedelta(days=(k * 7919) % span_days)


def mb(texts: list[str]) -> float:
    return sum(len(t.encode("utf-8")) for t in texts) / 1e6


# ---- methodology: interleaved rounds, medians and spread, machine load ------------

# Every side of every ratio, interleaved; `python -m bench --rounds N` changes it for a
# partial run (the spread column says how many rounds each figure had).
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))


def interleaved(
    sides: dict[str, Callable[[], Any]], rounds: int, clock: Callable[[], float] = time.perf_counter
) -> dict[str, list[float]]:
    """Seconds of each side over `rounds` rounds, the sides taking turns within a round
    (and the order rotating between rounds), so a burst of load on the shared machine
    falls on every side alike rather than on whichever ran last.  `clock` may be
    time.process_time for work in this process: CPU time is what the scheduler of a
    busy machine cannot inflate."""
    names = list(sides)
    out: dict[str, list[float]] = {n: [] for n in names}
    for r in range(max(1, rounds)):
        for name in names[r % len(names) :] + names[: r % len(names)]:
            t0 = clock()
            sides[name]()
            out[name].append(clock() - t0)
    return out


def median(values: list[float]) -> float:
    s = sorted(values)
    mid = len(s) // 2
    return s[mid] if len(s) % 2 else (s[mid - 1] + s[mid]) / 2


def spread(values: list[float]) -> str:
    """min-max of the rounds, relative to the median: how far one round is to be trusted."""
    m = median(values)
    if len(values) < 2 or m <= 0:
        return "1 round"
    return f"{len(values)} rounds, {min(values) / m:.0%}-{max(values) / m:.0%} of median"


def ratio_spread(num: list[float], den: list[float]) -> str:
    """Per-round ratios (round i of one side over round i of the other): their spread."""
    ratios = sorted(a / b for a, b in zip(num, den, strict=True) if b > 0)
    if len(ratios) < 2:
        return "1 round"
    return f"per round {fmt_ratio(ratios[0])}-{fmt_ratio(ratios[-1])}"


def load_average() -> str:
    try:
        with open("/proc/loadavg", encoding="utf-8") as fh:
            one, five, fifteen = fh.read().split()[:3]
    except (OSError, ValueError):
        return "?"
    return f"{one} / {five} / {fifteen}"
