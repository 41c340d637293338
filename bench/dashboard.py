"""4. Dashboard at scale: stores of 10,000 and 1,000,000 items (quick: 2,000 and
20,000), the overview's queries (dashboard/queries.py, cache cleared before each
call) and a full AppTest render of the app's default page (the overview) in a
fresh process, whose peak RSS is the dashboard's memory.

Both stores spread their items over the same 40 sources and 3 years (2021-2023),
so the larger store is 100x denser, not longer.  Items are real state-media
headlines (39k distinct), replicated on shifted days and sources with
bench/storebuild.py through the Store API; daily tables via Store.rebuild_daily().
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

from ingest.config import load_config
from ingest.lexicon import load_lexicon
from tests.builders import write_config

from .common import LEXICON, REPO, Row, headlines, percentile, timed, verdict
from .storebuild import build_store

BENCH = "4 dashboard"
REPEATS = 7

_APPTEST = """
import json, os, resource, sys, time
sys.path.insert(0, {repo!r})
from streamlit.testing.v1 import AppTest
at = AppTest.from_file({app!r}, default_timeout=600)
t0 = time.perf_counter(); at.run(); cold = time.perf_counter() - t0
t0 = time.perf_counter(); at.run(); warm = time.perf_counter() - t0
print("APPTEST:" + json.dumps({{"cold": cold, "warm": warm, "exceptions": [str(e.value)[:200] for e in at.exception],
      "metrics": len(at.metric), "rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""


def run(quick: bool) -> list[Row]:
    sizes = (2_000, 20_000) if quick else (10_000, 1_000_000)
    lexicon = load_lexicon(LEXICON)
    texts = [("en", h) for h in headlines()]
    results = {}
    with tempfile.TemporaryDirectory(prefix="bench-dashboard-") as tmp:
        for n in sizes:
            d = Path(tmp) / f"s{n}"
            d.mkdir()
            cfg_path = write_config(d, [])
            config = load_config(cfg_path)
            build_s, _ = timed(lambda c=config, n=n: build_store(c.store_path, lexicon, texts, n, config=c))
            queries = _time_queries(str(config.store_path))
            runs = [_apptest(cfg_path) for _ in range(1 if quick else 2)]  # fresh processes; the less disturbed counts
            app = min(runs, key=lambda r: r.get("cold", float("inf")))
            results[n] = (build_s, queries, app, config.store_path.stat().st_size / 1e6)
    return _rows(sizes, results)


def _time_queries(store_path: str) -> dict[str, float]:
    """p50 seconds of each query the overview page makes, its cache cleared each time."""
    import logging

    from dashboard import queries

    # "No runtime found" warnings: these calls run outside `streamlit run` on purpose
    logging.getLogger("streamlit.runtime.caching.cache_data_api").setLevel(logging.ERROR)

    version = queries.store_version(store_path)
    status = queries.status(store_path, version)
    last = date.fromisoformat(status["last_day"])
    start, prev = (last - timedelta(days=89)).isoformat(), (last - timedelta(days=179)).isoformat()
    ref = queries.reference(store_path, version)
    sources = tuple(ref.sources["id"])
    calls = {
        "reference": lambda: queries.reference(store_path, version),
        "status": lambda: queries.status(store_path, version),
        "daily (2 x 90 days)": lambda: queries.daily(store_path, version, prev, last.isoformat()),
        "source_spans": lambda: queries.source_spans(store_path, version),
        "latest matching": lambda: queries.latest(store_path, version, start, last.isoformat(), sources),
    }
    out: dict[str, float] = {}
    for name, call in calls.items():
        times = []
        for _ in range(REPEATS):
            getattr(queries, _func_name(name)).clear()
            queries.reference.clear()
            times.append(timed(call)[0])
        out[name] = percentile(times, 0.5)
    out["total"] = sum(out.values())
    return out


def _func_name(name: str) -> str:
    return {"daily (2 x 90 days)": "daily", "latest matching": "latest"}.get(name, name)


def _apptest(cfg_path: Path) -> dict:
    code = _APPTEST.format(repo=str(REPO), app=str(REPO / "dashboard" / "app.py"))
    env = {**os.environ, "MONITOR_CONFIG": str(cfg_path)}
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True)
    for line in proc.stdout.splitlines():
        if line.startswith("APPTEST:"):
            return json.loads(line[len("APPTEST:"):])
    return {"error": (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]}


def _rows(sizes: tuple[int, int], results: dict) -> list[Row]:
    small, large = sizes
    rows: list[Row] = []
    for n in sizes:
        build_s, q, app, size_mb = results[n]
        rows.append(Row(BENCH, f"{n:,} items: store built ({size_mb:,.0f} MB)", f"{build_s:.0f} s"))
        rows.append(Row(BENCH, f"{n:,} items: overview queries p50 (cold cache)",
                        f"{q['total'] * 1000:,.0f} ms (" + ", ".join(f"{k} {v * 1000:,.0f}" for k, v in q.items()
                                                               if k != "total") + ")"))
        if "error" in app:
            rows.append(Row(BENCH, f"{n:,} items: AppTest render of the overview", f"failed: {app['error']}", "",
                            "MISSED"))
            continue
        ok = not app["exceptions"]
        rows.append(Row(BENCH, f"{n:,} items: AppTest render of the overview (cold / warm cache)",
                        f"{app['cold'] * 1000:,.0f} ms / {app['warm'] * 1000:,.0f} ms"
                        + ("" if ok else f"; exceptions: {app['exceptions'][:1]}"),
                        "renders", verdict(ok)))
        rows.append(Row(BENCH, f"{n:,} items: dashboard process peak RSS (AppTest)", f"{app['rss_mib']:,.0f} MiB",
                        "< 1024 MiB" if n == large else "", verdict(app["rss_mib"] < 1024) if n == large else ""))
    growth = results[large][1]["total"] / results[small][1]["total"]
    rows.append(Row(BENCH, f"overview queries: cost growth for {large // small}x items", f"{growth:.2f}x", "<= 3x",
                    verdict(growth <= 3)))
    a, b = results[small][2], results[large][2]
    if "cold" in a and "cold" in b:
        g = b["cold"] / a["cold"]
        rows.append(Row(BENCH, f"overview render (AppTest, cold): cost growth for {large // small}x items",
                        f"{g:.2f}x", "<= 3x", verdict(g <= 3)))
    return rows
