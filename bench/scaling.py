"""6. Team scale: parallel workers on PostgreSQL, and PostgreSQL against SQLite.

- Workers: F feeds served with latency by a threaded HTTP server on 127.0.0.1
  (tests/feedserver.py), fetched by 1, 2 and 4 `python -m ingest worker --once`
  processes (each `--concurrency 2`, `--per-host` high: every feed is on one host
  here) into a fresh PostgreSQL database per round; the sides interleaved.  Wall time
  from the first worker's start to the last one's exit, and the fetch phase alone
  (first to last request at the server, which excludes interpreter start-up).
- Backends (bench/backends.py): a 1,000,000-item store on SQLite and the same store
  copied to PostgreSQL, each round starting from it on both: an archive import, a
  batch rescore of a fixed id range and the overview page's queries, interleaved;
  ratios PostgreSQL / SQLite.

The PostgreSQL server is started by the benchmark (Debian's binaries, fsync off, as in
the tests), on the same two shared cores as everything else: the ratios say how the
two engines compare here, not what a dedicated database server does.  A full run keeps
that server's data directory in bench/results/work/pg/ (the 1M-item template database
lives there); a quick run uses a throwaway server and small stores.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from store import Store
from tests.builders import FeedItem, SourceSpec, rss, write_config
from tests.feedserver import FeedServer
from tests.pg_fixtures import running_pg_server

from . import pgstore
from .backends import backends
from .common import REPO, ROUNDS, Row, fmt_ratio, interleaved, item_texts, median, ratio_spread, spread, verdict

BENCH = "6 scaling"


def run(quick: bool) -> list[Row]:
    rounds = 1 if quick else max(3, ROUNDS - 2)
    server = running_pg_server() if quick else pgstore.kept_server()
    with server as pg, tempfile.TemporaryDirectory(prefix="bench-scaling-") as tmp:
        # the backends first: finding its template drops any database a killed run left
        rows = backends(pg, Path(tmp), quick, 1 if quick else ROUNDS)
        rows += _workers(pg, Path(tmp), 12 if quick else 120, rounds)
        rows += _claims(pg, 1_000 if quick else 10_000)
    return rows


# ---- workers ------------------------------------------------------------------------


def _workers(pg, tmp: Path, n_feeds: int, rounds: int) -> list[Row]:
    texts = item_texts(600)
    latency = 1.0  # network-bound: each feed waits a second, scoring and storing one item is quick
    wall: dict[str, list[float]] = {}
    fetch: dict[str, list[float]] = {}
    with FeedServer() as server:
        specs = []
        base = datetime(2025, 1, 1, tzinfo=UTC)
        for f in range(n_feeds):
            items = [
                FeedItem(f"Feed {f}", texts[f % len(texts)][1], f"https://f{f}.example/1", base + timedelta(hours=f))
            ]
            url = server.add_feed(f"/f{f}.xml", rss(items), delay_seconds=latency)
            specs.append(SourceSpec(f"f{f}", "western-media", "feed", {"url": url}))
        cfg = write_config(tmp, specs)

        def side(n: int):
            def go() -> None:
                url = pg.url(pg.create_database())
                before = len(server.requests)
                w, f = _round(cfg, url, n, server, before)
                wall.setdefault(str(n), []).append(w)
                fetch.setdefault(str(n), []).append(f)
                pg.drop_database(url.rsplit("/", 1)[1])

            return go

        interleaved({str(n): side(n) for n in (1, 2, 4)}, rounds)
    rows = [
        Row(
            BENCH,
            f"{n} worker(s), {n_feeds} feeds x 1 item, {latency:.1f} s latency each, --concurrency 2",
            f"wall {median(wall[str(n)]):.1f} s ({spread(wall[str(n)])}); fetch phase {median(fetch[str(n)]):.1f} s; "
            f"{n_feeds / median(wall[str(n)]):.1f} feeds/s",
        )
        for n in (1, 2, 4)
    ]
    for n, want in ((2, 1.6), (4, 2.5)):
        gain = median(fetch["1"]) / median(fetch[str(n)])
        rows.append(
            Row(
                BENCH,
                f"{n} workers vs 1: fetch-phase throughput ratio (network-bound)",
                f"{fmt_ratio(gain)} ({ratio_spread(fetch['1'], fetch[str(n)])}); wall "
                f"{fmt_ratio(median(wall['1']) / median(wall[str(n)]))}",
                f">= {want}x",
                verdict(gain >= want),
            )
        )
    return rows


def _round(cfg: Path, url: str, n: int, server: FeedServer, before: int) -> tuple[float, float]:
    env = {**os.environ, "MONITOR_STORE_URL": url, "PYTHONPATH": str(REPO)}
    cmd = [
        sys.executable,
        "-m",
        "ingest",
        "--config",
        str(cfg),
        "worker",
        "--once",
        "--poll",
        "0.1",
        "--concurrency",
        "2",
        "--per-host",
        "64",
        "--interval",
        "86400",
    ]
    t0 = time.perf_counter()
    procs = [
        subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) for _ in range(n)
    ]
    first = None
    while any(p.poll() is None for p in procs):
        if first is None and len(server.requests) > before:
            first = time.perf_counter()
        time.sleep(0.01)
    wall = time.perf_counter() - t0
    errors = [p.stderr.read().decode()[-500:] for p in procs if p.returncode != 0 and p.stderr]
    if errors:
        raise RuntimeError(f"worker failed: {errors[0]}")
    # from the first request at the server to the last worker's exit (all fetched and stored)
    return wall, wall - ((first or t0) - t0)


# ---- claims -------------------------------------------------------------------------


def _claims(pg, n_feeds: int) -> list[Row]:
    """The scheduler's own cost: claim 8 due feeds and release them, over n feeds on 100 hosts."""
    from store.leases import FeedLeases

    url = pg.url(pg.create_database())
    now = datetime(2026, 1, 1, tzinfo=UTC)
    with Store(url) as store:
        leases = FeedLeases(store.conn)
        leases.sync((f"f{i}", f"h{i % 100}.example") for i in range(n_feeds))
        claims = 200
        t0 = time.perf_counter()
        for _ in range(claims):
            got = leases.claim("bench", 8, 2, now, 300, 900)
            for sid in got:
                leases.release("bench", sid)
        per = (time.perf_counter() - t0) / claims
    pg.drop_database(url.rsplit("/", 1)[1])
    return [Row(BENCH, f"scheduler: claim 8 of {n_feeds:,} due feeds (100 hosts) and release them",
                f"{per * 1000:.1f} ms per claim+release round ({claims} rounds); "
                f"{60 / per * 8:,.0f} feeds/minute for one claiming worker")]
