"""5. Archive import through the real ingest (`Ingest.run()`), read by path from
../shared/corpus and never copied:

- the UN General Debate and MFA (en, zh) JSONL archives, three sources (one run);
- linearity: one source of N and of 10 x N rows of ~800-character pieces of real MFA
  and UN text (each row a distinct title and URL, so none is a duplicate), each import
  in a fresh interpreter (its peak RSS is its own), the two sizes interleaved over
  several rounds; the issue's target is 1M rows vs 10k rows <= 120x, measured here as
  10 x N vs N <= 12x (the same proportionality; a 1M-row import is beyond this run);
- both cores: the larger archive on one scoring process vs on all cores, interleaved;
- both cores as batch jobs (`python -m ingest backfill` and a running worker) vs one
  process, each into a fresh store, interleaved, and the two stores compared
  (bench/archive_batches.py).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from ingest.workers import default_processes

from .archive_batches import compare as compare_batches
from .common import (
    CORPUS,
    REPO,
    ROUNDS,
    Row,
    fmt_rate,
    fmt_ratio,
    interleaved,
    item_texts,
    jsonl,
    median,
    peak_rss_mib,
    ratio_spread,
    spread,
    timed,
    verdict,
)

BENCH = "5 archive"

_MFA_FIELDS = {"text": "text", "title": "title", "date": "date", "url": "url", "language": "lang"}
ARCHIVES = (
    ("ungdc", "ungdc_selected_1971_2024/ungdc_selected.jsonl", "think-tanks",
     {"text": "text", "title": "id", "date": "year"}),
    ("mfa-en", "mfa_spokesperson_2016_2020/mfa_en.jsonl", "cn-official", _MFA_FIELDS),
    ("mfa-zh", "mfa_spokesperson_2016_2020/mfa_zh.jsonl", "cn-official", _MFA_FIELDS),
)
RSS_TARGET_MIB = 400


def run(quick: bool) -> list[Row]:
    rows = _real_archives(quick)
    rows += _against_baseline(quick)
    small = 100 if quick else 3_000
    rounds = 1 if quick else ROUNDS
    with tempfile.TemporaryDirectory(prefix="bench-archive-") as tmp:
        tmp_path = Path(tmp)
        paths = {n: _synthetic(tmp_path / f"rows{n}.jsonl", n) for n in (small, small * 10)}
        results: dict[str, list[dict]] = {"small": [], "large": [], "large-1": []}

        def side(key: str, n: int, processes: int):
            def go() -> None:
                results[key].append(_child(paths[n], processes, tmp_path / f"{key}-{len(results[key])}"))

            return go

        interleaved({"small": side("small", small, 1), "large": side("large", small * 10, default_processes()),
                     "large-1": side("large-1", small * 10, 1)}, rounds)
        backfill = _synthetic(tmp_path / "backfill.jsonl", 1_000 if quick else 20_000)
        batch_rows = compare_batches(backfill, 100 if quick else 1_000, rounds, BENCH)
    secs = {k: [r["seconds"] for r in v] for k, v in results.items()}
    cpu = {k: [r["cpu"] for r in v] for k, v in results.items()}
    for n, key in ((small, "small"), (small * 10, "large-1")):
        rows.append(Row(BENCH, f"one source, {n:,} rows (~800 chars each), one scoring process",
                        f"{median(cpu[key]):.1f} s CPU median ({spread(cpu[key])}); wall {median(secs[key]):.1f} s"))
    growth = median(cpu["large-1"]) / median(cpu["small"])
    rows.append(Row(BENCH, "10x rows: CPU cost growth (issue: 1M vs 10k <= 120x, i.e. linear)",
                    f"{fmt_ratio(growth)} ({ratio_spread(cpu['large-1'], cpu['small'])})", "<= 12x",
                    verdict(growth <= 12)))
    rss = {k: max(r["rss_mib"] for r in v) for k, v in results.items()}
    rss["large"] = max(rss["large"], rss.pop("large-1"))
    rows.append(Row(BENCH, f"peak RSS of the import process, {small:,} / {small * 10:,} rows",
                    f"{rss['small']:.0f} / {rss['large']:.0f} MiB (workers: "
                    f"{max(r['workers_rss_mib'] for r in results['large']):.0f} MiB each at most)",
                    f"< {RSS_TARGET_MIB} MiB", verdict(max(rss.values()) < RSS_TARGET_MIB)))
    workers = results["large"][0]["processes"]
    speed = median(secs["large-1"]) / median(secs["large"])
    rows.append(Row(BENCH, f"{small * 10:,} rows: wall time on one scoring process / on {workers}",
                    f"{fmt_ratio(speed)} ({ratio_spread(secs['large-1'], secs['large'])})", ">= 1.7x",
                    verdict(speed >= 1.7)))
    return rows + batch_rows


def _real_archives(quick: bool) -> list[Row]:
    from ingest.config import load_config
    from ingest.lexicon import load_lexicon
    from ingest.pipeline import Ingest
    from store import Store
    from tests.builders import SourceSpec, write_config, write_jsonl

    with tempfile.TemporaryDirectory(prefix="bench-archive-") as tmp:
        tmp_path = Path(tmp)
        specs = []
        for sid, rel, group, fields in ARCHIVES:
            path = CORPUS / rel
            if quick:  # a slice of each archive, written beside the store
                path = write_jsonl(tmp_path / f"{sid}.jsonl", jsonl(rel)[:60])
            specs.append(SourceSpec(sid, group, "archive", {"path": str(path), "fields": fields}))
        size = sum(Path(s.extra["path"]).stat().st_size for s in specs) / 1e6  # type: ignore[arg-type]
        config = load_config(write_config(tmp_path, specs))
        lexicon = load_lexicon(config.lexicon_path)
        with Store(config.store_path) as store:
            seconds, report = timed(lambda: Ingest(config, lexicon, store).run())
        per_source = {o.source_id: o for o in report.outcomes}
    n = report.new
    counts = ", ".join(f"{sid} {o.new}" + (f" (error: {o.error})" if o.error else "") for sid, o in per_source.items())
    return [
        Row(BENCH, f"UN General Debate + MFA en + MFA zh ({size:.1f} MB JSONL, one run)",
            f"{n:,} items in {seconds:.1f} s, {fmt_rate(n / seconds, 'items/s')}, {size / seconds:.2f} MB/s",
            "no errors", verdict(not report.errors)),
        Row(BENCH, "items per archive", counts),
        Row(BENCH, "peak RSS of that import (ru_maxrss, this process)", f"{peak_rss_mib():.0f} MiB"),
    ]


def _against_baseline(quick: bool) -> list[Row]:
    from tests.builders import write_jsonl

    from .baseline import compare

    with tempfile.TemporaryDirectory(prefix="bench-archive-") as tmp:
        archives = []
        for sid, rel, group, fields in ARCHIVES:
            path = CORPUS / rel
            if quick:
                path = write_jsonl(Path(tmp) / f"{sid}.jsonl", jsonl(rel)[:10])
            archives.append((sid, str(path), group, fields))
        label = "three real archives" + (" (10 rows each)" if quick else "")
        return compare(label, archives, 1 if quick else ROUNDS, BENCH)


def _synthetic(path: Path, n: int) -> Path:
    """n rows of real text pieces; row k has its own title, URL and day (no duplicates)."""
    pieces = item_texts(800)
    base = date(2019, 1, 1)
    with path.open("w", encoding="utf-8") as fh:
        for k in range(n):
            lang, text = pieces[k % len(pieces)]
            row = {"title": f"Item {k}", "text": text, "url": f"https://archive.example/{k}",
                   "date": (base + timedelta(days=k % 1500)).isoformat(), "lang": lang}
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    return path


def _child(path: Path, processes: int, directory: Path) -> dict:
    """One import in a fresh interpreter: seconds of Ingest.run(), its peak RSS."""
    directory.mkdir(parents=True)
    proc = subprocess.run(
        [sys.executable, "-m", "bench.archive", str(path), str(processes), str(directory)],
        cwd=REPO, capture_output=True, text=True, check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"archive import child failed: {proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _import_once(path: Path, processes: int, directory: Path) -> dict:
    import resource

    from ingest.config import load_config
    from ingest.lexicon import load_lexicon
    from ingest.pipeline import Ingest
    from store import Store
    from tests.builders import SourceSpec, write_config

    fields = {"text": "text", "title": "title", "date": "date", "url": "url", "language": "lang"}
    config = load_config(write_config(directory, [SourceSpec("rows", "think-tanks", "archive",
                                                             {"path": str(path), "fields": fields})]))
    lexicon = load_lexicon(config.lexicon_path)
    with Store(config.store_path) as store:
        ingest = Ingest(config, lexicon, store)
        if processes:
            ingest.scorer.processes = processes
        t0, c0 = time.perf_counter(), _cpu()
        report = ingest.run()
        seconds, cpu = time.perf_counter() - t0, _cpu() - c0
    if report.errors or report.new != sum(1 for _ in path.open(encoding="utf-8")):
        raise RuntimeError(f"import incomplete: {report.new} new, errors {[o.error for o in report.errors]}")
    return {"seconds": seconds, "cpu": cpu, "rss_mib": peak_rss_mib(), "processes": ingest.scorer.processes,
            "workers_rss_mib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0}


def _cpu() -> float:
    """CPU seconds of this process and its finished workers: on a shared machine the
    scheduler decides the wall time, the work done is the CPU time."""
    import resource

    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


if __name__ == "__main__":
    print(json.dumps(_import_once(Path(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3]))))
