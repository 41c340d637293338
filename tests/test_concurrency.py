"""Readers while the ingest writes, a second ingest during a run, and stale locks.

Everything here is real: the ingest is `python -m ingest --config X run` in a
subprocess writing a real SQLite file in WAL mode; the readers are StoreReader
(the dashboard's and the briefing's read path) in threads and in another
process, and the dashboard itself through AppTest.  Nothing waits on a clock:
the "another ingest is running" cases freeze the first run with SIGSTOP while it
holds the lock, and a waiting run is released only once it is seen (in /proc)
holding the lock file open.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from ingest.runlock import RunLock
from store.article_search import ArticleQuery
from store.reads import StoreReader
from tests.builders import REPO, seed_sources, write_config
from tests.reliability_fixtures import (
    build_inputs,
    cli_env,
    connect_ro,
    health,
    run_cli,
    snapshot,
    start_cli,
    write_trial_config,
)

QUERIES = (
    ArticleQuery(),
    ArticleQuery(text="security"),
    ArticleQuery(text="冷战思维"),
    ArticleQuery(text="Cold War mentality", matching_only=True, sort="score"),
    ArticleQuery(text="ab", voice="distanced"),
)


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    return build_inputs(tmp_path_factory.mktemp("inputs"))


def _store(config: Path) -> Path:
    return config.parent / "monitor.sqlite3"


def _lock_pid(store: Path) -> int | None:
    lock = Path(str(store) + ".lock")
    text = lock.read_text(errors="replace").strip() if lock.exists() else ""
    return int(text) if text.isdigit() else None


def _wait_until(predicate, proc: subprocess.Popen | None = None, polls: int = 30_000) -> bool:
    """Bounded polling; stops early if `proc` exits."""
    for _ in range(polls):
        if predicate():
            return True
        if proc is not None and proc.poll() is not None:
            return predicate()
        time.sleep(0.01)
    return False


def _holds_open(pid: int, path: Path) -> bool:
    target = str(path.resolve())
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return False
    for fd in fds:
        try:
            if os.readlink(f"/proc/{pid}/fd/{fd}") == target:
                return True
        except OSError:
            continue
    return False


def _read_everything(reader: StoreReader) -> int:
    """One pass over the read paths the dashboard and the briefing use; returns rows seen."""
    seen = len(reader.data_version())
    seen += len(reader.groups()) + len(reader.concepts()) + len(reader.sources())
    first, last = reader.day_range(exclude_groups=("seed",))
    if first and last:
        seen += len(reader.daily_source(first, last)) + len(reader.daily_concept(first, last))
        ids = reader.sources()["id"].tolist()
        latest = reader.latest_matching(first, last, ids)
        seen += len(latest)
        if not latest.empty:
            item_id = int(latest["id"].iloc[0])
            seen += len(reader.item_matches(item_id)) + len(reader.copies(item_id))
            seen += reader.item(item_id) is not None
    seen += len(reader.feed_health()) + len(reader.concept_totals()) + len(reader.source_spans())
    for q in QUERIES:
        rows, total = reader.search(q, limit=20)
        seen += total
    seen += reader.last_run() is not None
    return seen


# ---- readers during a write ------------------------------------------------------


READER_SCRIPT = """
import json, sys
sys.path.insert(0, sys.argv[3])
from pathlib import Path
from tests.test_concurrency import _read_everything
from store.reads import StoreReader
store, stop = Path(sys.argv[1]), Path(sys.argv[2])
passes, errors = 0, []
while not stop.exists() and passes < 100000:
    try:
        with StoreReader(store) as r:
            _read_everything(r)
    except Exception as exc:
        errors.append(f"{type(exc).__name__}: {exc}")
    passes += 1
print(json.dumps({"passes": passes, "errors": errors[:20], "error_count": len(errors)}))
"""


def test_readers_in_threads_and_a_process_see_no_error_while_ingest_writes(inputs, tmp_path):
    config = write_trial_config(tmp_path / "store", inputs)
    store = _store(config)
    first = run_cli(config, "run", "--quiet", *[s.id for s in seed_sources()])  # the store exists, WAL mode
    assert first.returncode == 0, first.stderr
    writer = start_cli(config, "run", "--quiet")
    stop = tmp_path / "stop-readers"
    process_reader = subprocess.Popen(
        [sys.executable, "-c", READER_SCRIPT, str(store), str(stop), str(REPO)],
        cwd=REPO,
        env=cli_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    errors: list[str] = []
    passes = [0, 0, 0]

    def loop(slot: int, shared: bool) -> None:
        reader = StoreReader(store) if shared else None  # one long-lived connection, or one per pass
        try:
            while writer.poll() is None and passes[slot] < 100_000:
                try:
                    if reader is not None:
                        _read_everything(reader)
                    else:
                        with StoreReader(store) as r:
                            _read_everything(r)
                except Exception as exc:  # any error at all is a failure, locked or not
                    errors.append(f"thread {slot}: {type(exc).__name__}: {exc}")
                passes[slot] += 1
        finally:
            if reader is not None:
                reader.close()

    threads = [threading.Thread(target=loop, args=(i, i == 0)) for i in range(3)]
    for t in threads:
        t.start()
    _, werr = writer.communicate(timeout=600)
    for t in threads:
        t.join(timeout=600)
    stop.touch()
    out, perr = process_reader.communicate(timeout=600)
    assert writer.returncode == 0, werr
    assert process_reader.returncode == 0, perr
    proc_result = json.loads(out)
    assert errors == [], errors[:10]
    assert proc_result["error_count"] == 0, proc_result["errors"]
    assert sum(passes) > 0 and proc_result["passes"] > 0
    print(f"\nreader passes during the write: threads {passes}, process {proc_result['passes']}")
    # after the writer closed (its WAL files are gone), a read-only reader still opens the store
    with StoreReader(store) as r:
        assert _read_everything(r) > 0
    assert health(store)["integrity"] == ["ok"]


def test_dashboard_pages_render_while_ingest_writes(inputs, tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    config = write_trial_config(tmp_path / "store", inputs)
    first = run_cli(config, "run", "--quiet", *[s.id for s in seed_sources()])
    assert first.returncode == 0, first.stderr
    monkeypatch.setenv("MONITOR_CONFIG", str(config))
    writer = start_cli(config, "run", "--quiet")
    rendered = []
    try:
        for page in ("overview", "articles", "sources", "lexicon") * 3:
            if writer.poll() is not None and len(rendered) >= 4:
                break
            at = AppTest.from_file(str(REPO / "dashboard" / "app.py"), default_timeout=120)
            at.run()
            if page != "overview":
                at.switch_page(f"pages/{page}.py")
                at.run()
            assert not at.exception, [e.value for e in at.exception]
            shown = " ".join(str(e.value) for e in (*at.error, *at.warning))
            assert "locked" not in shown.lower() and "cannot be read" not in shown, shown
            rendered.append(page)
    finally:
        _, werr = writer.communicate(timeout=600)
    assert writer.returncode == 0, werr
    assert rendered


# ---- one ingest at a time ---------------------------------------------------------


def test_second_ingest_exits_busy_or_waits_while_the_first_holds_the_lock(inputs, tmp_path):
    config = write_trial_config(tmp_path / "store", inputs)
    store = _store(config)
    lock_file = Path(str(store) + ".lock")
    first = start_cli(config, "run", "--quiet")
    try:
        assert _wait_until(lambda: _lock_pid(store) == first.pid, first), "first run never took the lock"
        first.send_signal(signal.SIGSTOP)  # frozen while holding the lock: "a run in progress"

        busy = run_cli(config, "run", "--quiet")
        assert busy.returncode == 3
        assert busy.stderr.startswith(f"busy: Another ingest (pid {first.pid}) is running on this store")
        assert "--wait" in busy.stderr and "Traceback" not in busy.stderr
        short_wait = run_cli(config, "run", "--quiet", "--wait", "0.3")
        assert short_wait.returncode == 3 and f"pid {first.pid}" in short_wait.stderr

        waiting = start_cli(config, "run", "--quiet", "--wait", "600")
        assert _wait_until(lambda: _holds_open(waiting.pid, lock_file), waiting), "second run never reached the lock"
        assert waiting.poll() is None  # it is queued behind the frozen first run
        first.send_signal(signal.SIGCONT)
        _, first_err = first.communicate(timeout=600)
        _, wait_err = waiting.communicate(timeout=600)
    finally:
        first.send_signal(signal.SIGCONT)
        if first.poll() is None:
            first.kill()
            first.wait()
    assert first.returncode == 0, first_err
    assert waiting.returncode == 0, wait_err
    assert "stale lock" not in wait_err  # the first run released the lock cleanly
    conn = connect_ro(store)
    try:
        runs = [dict(r) for r in conn.execute("SELECT id, pid, status, started_at, finished_at FROM runs ORDER BY id")]
    finally:
        conn.close()
    assert [r["pid"] for r in runs] == [first.pid, waiting.pid]
    assert [r["status"] for r in runs] == ["ok", "ok"]
    assert runs[1]["started_at"] >= runs[0]["finished_at"]
    snap = snapshot(store)
    assert not snap["duplicates"] and set(snap["items"]) == set(inputs.expected)


def test_a_lock_held_by_another_process_names_its_pid(tmp_path):
    """The lock is an OS flock: any process holding it (here the test itself) blocks a run."""
    config = write_config(tmp_path, seed_sources())
    store = _store(config)
    with RunLock(store):
        busy = run_cli(config, "run", "--quiet")
    assert busy.returncode == 3
    assert f"busy: Another ingest (pid {os.getpid()})" in busy.stderr
    assert not store.exists() or not snapshot(store)["count"]
    done = run_cli(config, "run", "--quiet")
    assert done.returncode == 0, done.stderr
    assert "stale" not in done.stderr  # our pid is alive: released cleanly, not stale


def test_stale_lock_of_a_killed_run_is_detected_cleared_and_its_run_marked_interrupted(inputs, tmp_path):
    config = write_trial_config(tmp_path / "store", inputs)
    store = _store(config)
    victim = start_cli(config, "run", "--quiet")

    def run_row_written() -> bool:
        if not store.exists():
            return False
        try:
            conn = connect_ro(store)
            try:
                return conn.execute("SELECT 1 FROM runs WHERE pid = ?", (victim.pid,)).fetchone() is not None
            finally:
                conn.close()
        except Exception:
            return False

    assert _wait_until(run_row_written, victim), "the run never started"
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=60)
    assert _lock_pid(store) == victim.pid  # the pid is left behind; the flock died with the process
    rerun = run_cli(config, "run", "--quiet")
    assert rerun.returncode == 0, rerun.stderr
    assert f"note: cleared a stale lock left by pid {victim.pid}" in rerun.stderr
    statuses = {r["pid"]: r["status"] for r in health(store)["runs"]}
    assert statuses[victim.pid] == "interrupted"
    again = run_cli(config, "run", "--quiet")
    assert again.returncode == 0 and "stale" not in again.stderr  # cleared means cleared
    snap = snapshot(store)
    assert not snap["duplicates"] and set(snap["items"]) == set(inputs.expected)


LEFTOVER_LOCKS = [
    b"",
    b"not a pid\n",
    b"\xff\xfe\x00garbage",
    b"999999999\n",
    b"99999999999999999999\n",
    b"-5\n",
    "\u00b2\n".encode(),
]  # "²".isdigit() is True, int("²") raises


@pytest.mark.parametrize("content", LEFTOVER_LOCKS)
def test_any_leftover_lock_file_content_is_survived(tmp_path, content):
    config = write_config(tmp_path, seed_sources())
    Path(str(_store(config)) + ".lock").write_bytes(content)
    done = run_cli(config, "run", "--quiet")
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
