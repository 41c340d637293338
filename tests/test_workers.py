"""Parallel ingest workers on a real PostgreSQL server and a real HTTP feed server with
latency: every item stored once, no feed fetched twice at once, the per-host limit held
across workers, and a SIGKILLed worker's claims taken over with nothing lost."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg

from tests.builders import REPO, FeedItem, SourceSpec, rss, write_config

START = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
TEXT = (
    "Officials discussed the security architecture of the region and common security at length.\n"
    "The statement on {topic} was issued after the meeting; analysts compared it with earlier remarks."
)


def _feeds(server, prefix: str, count: int, delay: float) -> list[SourceSpec]:
    specs = []
    for n in range(count):
        items = [
            FeedItem(
                f"{prefix} feed {n} story {k}",
                TEXT.format(topic=f"{prefix}-{n}-{k}"),
                f"http://127.0.0.1/{prefix}/{n}/{k}",
                START + timedelta(hours=n, minutes=k),
            )
            for k in range(3)
        ]
        # Every tenth feed also carries a story syndicated from feed 0: the same text in two sources.
        if n % 10 == 1:
            items.append(
                FeedItem("shared", TEXT.format(topic=f"{prefix}-shared"), f"http://127.0.0.1/{prefix}/s/{n}", START)
            )
        url = server.add_feed(f"/{prefix}/{n}.xml", rss(items), delay_seconds=delay)
        specs.append(SourceSpec(f"{prefix}-{n}", "western-media", "feed", {"url": url}))
    return specs


def _worker(cfg: Path, url: str, *args: str) -> subprocess.Popen:
    env = {**os.environ, "MONITOR_STORE_URL": url, "PYTHONPATH": str(REPO)}
    return subprocess.Popen(
        [sys.executable, "-m", "ingest", "--config", str(cfg), "worker", "--once", "--poll", "0.1", *args],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _rows(url: str, sql: str) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(sql).fetchall()  # type: ignore[arg-type]


def test_four_workers_share_200_feeds(tmp_path, feed_server, pg_url):
    cfg = write_config(tmp_path, _feeds(feed_server, "w", 200, delay=0.03))
    workers = [_worker(cfg, pg_url, "--concurrency", "4", "--per-host", "3") for _ in range(4)]
    outputs = [w.communicate(timeout=240) for w in workers]
    assert [w.returncode for w in workers] == [0] * 4, outputs
    for n in range(200):
        assert len(feed_server.requests_for(f"/w/{n}.xml")) == 1, f"feed {n} fetched more than once"
    assert not feed_server.overlapping
    assert feed_server.max_in_flight <= 3, "more requests to one host at once than --per-host"
    assert _rows(pg_url, "SELECT count(*), count(DISTINCT (source_id, canonical_url)) FROM items") == [(620, 620)]
    originals = _rows(pg_url, "SELECT count(*) FROM items WHERE title = 'shared' AND copy_of IS NULL")
    assert originals == [(1,)], "a syndicated text has exactly one original across workers"
    per_run = _rows(pg_url, "SELECT run_id, count(*) FROM run_sources GROUP BY run_id")
    assert len(per_run) >= 2 and sum(n for _, n in per_run) == 200, per_run
    assert _rows(pg_url, "SELECT count(*) FROM feed_leases WHERE leased_until IS NOT NULL") == [(0,)]
    daily = _rows(pg_url, "SELECT sum(items) FROM daily_source")
    assert daily == [(620,)], "the daily aggregates add up across workers"


def test_killed_workers_claims_are_taken_over(tmp_path, feed_server, pg_url):
    """Ten workers in turn, each SIGKILLed mid-claim (after 1 to 4 of its requests, with
    fetches in flight and leases held); the next worker takes over their feeds once the
    leases run out, and a last one finishes the round."""
    cfg = write_config(tmp_path, _feeds(feed_server, "k", 60, delay=0.3))
    paths = [f"/k/{n}.xml" for n in range(60)]
    for trial in range(10):
        before = sum(len(feed_server.requests_for(p)) for p in paths)
        victim = _worker(cfg, pg_url, "--concurrency", "4", "--lease", "2")
        deadline = time.monotonic() + 60
        while sum(len(feed_server.requests_for(p)) for p in paths) < before + trial % 4 + 1:
            assert time.monotonic() < deadline and victim.poll() is None, victim.communicate()
            time.sleep(0.01)
        victim.send_signal(signal.SIGKILL)
        victim.wait()
    heir = _worker(cfg, pg_url, "--concurrency", "4", "--lease", "2")
    out, err = heir.communicate(timeout=240)
    assert heir.returncode == 0, err
    refetched = [p for p in paths if len(feed_server.requests_for(p)) > 1]
    assert refetched, "some claims were cut off by a kill and fetched again by another worker"
    assert not feed_server.overlapping, "a taken-over feed was fetched while its first fetch still ran"
    items = _rows(pg_url, "SELECT count(*), count(DISTINCT (source_id, canonical_url)) FROM items")
    assert items == [(186, 186)], "every item stored once: nothing lost, nothing duplicated"
    assert _rows(pg_url, "SELECT count(*) FROM feed_state WHERE last_success_at IS NOT NULL") == [(60,)]
    assert _rows(pg_url, "SELECT count(*) FROM feed_leases WHERE leased_until IS NOT NULL") == [(0,)]
    assert _rows(pg_url, "SELECT sum(items) FROM daily_source") == [(186,)]
    interrupted = _rows(pg_url, "SELECT count(*) FROM runs WHERE status = 'interrupted'")
    assert interrupted == [(10,)], "the killed workers' runs are marked interrupted by the next one"
