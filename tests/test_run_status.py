"""A run's row says what happened to it, on SQLite and on a real PostgreSQL server: a
backfill whose own process is SIGKILLed is finished, with its counts, by the worker that
writes its last batch; a run whose process is gone and that nobody carries reads
"interrupted" in `stats` and on the dashboard's header, never "running"."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from store import Store, StoreError
from store.db import open_connection
from store.reads import StoreReader
from store.stats import store_stats
from tests.batch_fixtures import job_state
from tests.builders import REPO, write_config
from tests.reliability_fixtures import start_cli
from tests.test_batch_backfill import NOW, _archive, _config, _worker

RUN_COLUMNS = "status, new_items, duplicates, failed_sources, finished_at IS NOT NULL"


def _rows(url: str, sql: str) -> list[tuple]:
    conn = open_connection(url, readonly=True)
    try:
        return [tuple(r) for r in conn.execute(sql)]
    finally:
        conn.close()


def _batch_job(url: str) -> str | None:
    """The job carrying the first run, once the backfill has made the store and enqueued it."""
    try:
        with StoreReader(url) as reader:  # checks the schema is there
            return reader.scalar("SELECT batch_job FROM runs WHERE id = 1")
    except StoreError:  # not made yet
        return None


def _cli(cfg: Path, url: str, *args: str) -> subprocess.Popen:
    return start_cli(cfg, *args, store_url=url)


def test_a_killed_backfills_run_is_finished_by_the_worker_that_ends_its_job(store_url, tmp_path):
    archive = _archive(tmp_path / "mfa.jsonl", 600)
    reference_url = "sqlite:///" + str(tmp_path / "ref" / "monitor.sqlite3")
    done = _cli(_config(tmp_path / "ref", archive, batch_rows=50), reference_url, "backfill", "mfa")
    assert done.wait(300) == 0, done.communicate()[1][-2000:]
    expected = _rows(reference_url, f"SELECT {RUN_COLUMNS} FROM runs")
    assert expected[0][0] == "ok" and expected[0][1] > 500 and expected[0][2] > 0  # repeats are duplicates

    cfg = _config(tmp_path / "run", archive, batch_rows=50)
    backfill = _cli(cfg, store_url, "backfill", "mfa", "--lease", "2")
    deadline = time.monotonic() + 120
    job = None
    while job is None or not any(done_at for _, done_at, _ in job_state(store_url, job)):  # one batch written
        assert time.monotonic() < deadline and backfill.poll() is None, backfill.communicate()[1][-2000:]
        time.sleep(0.02)
        job = job or _batch_job(store_url)
    os.kill(backfill.pid, signal.SIGKILL)
    backfill.wait()
    assert any(done_at is None for _, done_at, _ in job_state(store_url, job))  # killed mid-job
    assert _rows(store_url, "SELECT id, status, finished_at FROM runs") == [(1, "running", None)]

    workers = [_worker(cfg, store_url, lease=2) for _ in range(2)]
    outs = [w.communicate(timeout=600) for w in workers]
    assert all(w.returncode == 0 for w in workers), [o[1][-2000:] for o in outs]
    assert all(done_at for _, done_at, _ in job_state(store_url, job))
    # The backfill's run (id 1; the workers' own runs come after it) with the counts one process gives.
    assert _rows(store_url, f"SELECT {RUN_COLUMNS} FROM runs WHERE id = 1") == expected
    assert _rows(store_url, "SELECT count(*) FROM items") == [(expected[0][1],)]
    assert _rows(store_url, "SELECT count(*) FROM runs WHERE status != 'ok'") == [(0,)]


def _dead_run(url: str) -> None:
    """A process that opens a run and dies without finishing it (SIGKILL of itself)."""
    code = (
        "import os, signal, sys\n"
        "from datetime import datetime, UTC\n"
        "from store import Store\n"
        "store = Store(sys.argv[1])\n"
        "store.start_run('lexicon', datetime.now(UTC))\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code, url], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert proc.returncode == -signal.SIGKILL, proc.stderr


def _header(directory: Path, monkeypatch) -> list[str]:
    """The captions of the dashboard's Overview (its header says how the last ingest went)."""
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("MONITOR_CONFIG", str(write_config(directory, [])))  # MONITOR_STORE_URL names the store
    at = AppTest.from_file(str(REPO / "dashboard" / "app.py"), default_timeout=60)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return [c.value for c in at.caption]


def test_a_run_whose_process_is_gone_reads_interrupted(store_url, tmp_path, monkeypatch):
    with Store(store_url) as store:
        store.start_run("lexicon", NOW)  # this process: alive
        with StoreReader(store_url) as reader:
            assert reader.last_run()["status"] == "running"  # type: ignore[index]
            assert store_stats(reader.conn)["last_run"] == "#1 running"
        store.finish_run(1, NOW)
    _dead_run(store_url)
    with StoreReader(store_url) as reader:
        assert reader.last_run()["status"] == "interrupted"  # type: ignore[index]
        assert store_stats(reader.conn)["last_run"] == "#2 interrupted"
        assert _rows(store_url, "SELECT status FROM runs WHERE id = 2") == [("running",)]  # read, never written
    assert any("Ingest interrupted (started" in text for text in _header(tmp_path, monkeypatch))
    with Store(store_url) as store:
        store.start_run("lexicon", NOW)  # the next run's sweep writes it
    statuses = _rows(store_url, "SELECT id, status FROM runs ORDER BY id")
    assert statuses == [(1, "ok"), (2, "interrupted"), (3, "running")]
