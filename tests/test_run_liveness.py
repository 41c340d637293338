"""A SQLite run seen from another PID namespace (a dashboard in another container): its pid
means nothing there, so the run's heartbeat says whether it is going.  SQLite only: on
PostgreSQL the run's session lock decides (tests/test_run_status.py)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

import pytest

from store import Store, runs
from store.reads import StoreReader
from store.stats import store_stats
from store.timefmt import iso
from tests.builders import REPO

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def _can_unshare() -> bool:
    if shutil.which("unshare") is None or runs.pid_namespace() is None:
        return False
    probe = subprocess.run(["unshare", "-p", "-f", "--mount-proc", "true"], capture_output=True, timeout=30)
    return probe.returncode == 0


def _last_run(path) -> str:
    with StoreReader(path) as reader:
        return store_stats(reader.conn)["last_run"]


def _set(path, sql: str, *args) -> None:
    with Store(path) as store, store.transaction() as c:
        c.execute(sql, args)


@pytest.mark.skipif(not _can_unshare(), reason="needs unshare(1) with PID namespaces (root on Linux)")
def test_a_run_in_another_pid_namespace_is_judged_by_its_heartbeat(tmp_path):
    path = tmp_path / "monitor.sqlite3"
    Store(path).close()
    code = (
        "import sys, time\n"
        "from datetime import datetime, UTC\n"
        "from store import Store\n"
        "store = Store(sys.argv[1])\n"
        "store.start_run('lexicon', datetime.now(UTC))\n"
        "print('started', flush=True)\n"
        "time.sleep(120)\n"
    )
    proc = subprocess.Popen(
        ["unshare", "-p", "-f", "--mount-proc", sys.executable, "-c", code, str(path)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    try:
        assert proc.stdout.readline().strip() == "started"  # type: ignore[union-attr]
        with StoreReader(path) as reader:
            row = dict(reader.conn.execute("SELECT pid, pid_ns, heartbeat_at FROM runs").fetchone())
        assert row["pid_ns"] != runs.pid_namespace() and row["heartbeat_at"]
        assert row["pid"] < 10  # a pid of the other namespace: here it names some other process, or none
        assert _last_run(path) == "#1 running"
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    # Killed: its heartbeat stops.  Within the grace the run still reads running (a stamp may be
    # late behind a long write); once the grace has passed without a stamp, interrupted.
    assert _last_run(path) == "#1 running"
    _set(path, "UPDATE runs SET heartbeat_at = ?", iso(datetime.now(UTC) - runs.HEARTBEAT_GRACE - timedelta(seconds=5)))
    assert _last_run(path) == "#1 interrupted"


def test_the_rule_for_a_foreign_namespace(tmp_path):
    path = tmp_path / "monitor.sqlite3"
    with Store(path) as store:
        store.start_run("lexicon", NOW)
        store.release_run(1)  # this process stops vouching: only the stored row speaks now
    # a pid that exists here (this process) recorded in another namespace proves nothing
    _set(
        path,
        "UPDATE runs SET pid = ?, pid_ns = 'pid:[1]', heartbeat_at = ?",
        os.getpid(),
        iso(datetime.now(UTC) - timedelta(seconds=30)),
    )
    assert _last_run(path) == "#1 running"
    _set(path, "UPDATE runs SET heartbeat_at = ?", iso(datetime.now(UTC) - timedelta(minutes=3)))
    assert _last_run(path) == "#1 interrupted"
    _set(path, "UPDATE runs SET heartbeat_at = NULL")
    assert _last_run(path) == "#1 interrupted"
    # a run from before the namespace was recorded keeps the pid rule
    _set(path, "UPDATE runs SET pid_ns = NULL, pid = ?", os.getpid())
    assert _last_run(path) == "#1 running"


def test_the_heartbeat_stamps_until_the_run_is_finished_or_released(tmp_path):
    path = tmp_path / "monitor.sqlite3"
    with Store(path) as store:
        run_id = store.start_run("lexicon", NOW)
        assert list(store._heartbeats) == [run_id]  # a SQLite run starts its heartbeat
        store.release_run(run_id)
        assert not store._heartbeats

        beat = runs.Heartbeat(path, run_id, every=0.05)
        _set(path, "UPDATE runs SET heartbeat_at = '2000-01-01T00:00:00Z'")
        deadline = time.monotonic() + 20
        while _stamp(path) == "2000-01-01T00:00:00Z":
            assert time.monotonic() < deadline, "no heartbeat stamped"
            time.sleep(0.05)
        with Store(path) as other:  # finished by another connection: the thread ends by itself
            other.finish_run(run_id, NOW)
        beat._thread.join(timeout=20)
        assert not beat._thread.is_alive()

        second = store.start_run("lexicon", NOW)
        thread = store._heartbeats[second]._thread
    assert not thread.is_alive()  # closing the store stops the heartbeat of a run left open


def _stamp(path) -> str:
    with StoreReader(path) as reader:
        return reader.conn.execute("SELECT heartbeat_at FROM runs WHERE id = 1").fetchone()[0]
