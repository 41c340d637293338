"""SIGKILL the real ingest subprocess at random points, rerun, and compare with a clean run.

Each trial starts from an empty store, runs `python -m ingest --config X run` over
real corpus archives, a CSV of real headlines, local RSS/Atom files and the seeds,
kills it with SIGKILL after a random delay (one to three times, each rerun being a
new victim), then lets a last run finish.  The store must then pass
`PRAGMA integrity_check`, the foreign-key check and the FTS5 integrity check, hold
every fixture item exactly once, and equal the clean single run item by item
(scores, matches, per-concept hits, syndication links) and in the daily aggregates.

    SOAK_TRIALS=25 python -m pytest -m soak -s tests/test_crash_safety.py   # the documented soak
    SOAK_SEED=1234 ...                                                       # replay one sequence

Kill points are drawn three ways (see `_kill_after`), so kills land before the
first commit, between sources, inside a transaction and after the last item,
however fast the machine; the test prints where each one landed.  Timings are
measured to spread the kills, never asserted.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.reliability_fixtures import (
    build_inputs,
    health,
    item_count,
    run_cli,
    snapshot,
    start_cli,
    write_trial_config,
)

TRIALS = int(os.environ.get("SOAK_TRIALS", "5"))
SEED = int(os.environ.get("SOAK_SEED", str(random.SystemRandom().randrange(1_000_000))))


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    return build_inputs(tmp_path_factory.mktemp("inputs"))


@pytest.fixture(scope="module")
def clean(inputs, tmp_path_factory):
    """One uninterrupted run: the reference every killed-and-rerun store must equal.
    Its timings (measured, never asserted) spread the kills over the run."""
    config = write_trial_config(tmp_path_factory.mktemp("clean"), inputs)
    store = config.parent / "monitor.sqlite3"
    started = time.monotonic()
    proc = start_cli(config, "run", "--quiet")
    locked = _wait_for_lock(store, proc) - started
    _, err = proc.communicate(timeout=600)
    duration = time.monotonic() - started
    assert proc.returncode == 0, err
    return {"snapshot": snapshot(store), "duration": duration, "locked": locked}


def test_clean_run_stores_every_fixture_item_once(inputs, clean):
    snap = clean["snapshot"]
    assert not snap["duplicates"]
    assert set(snap["items"]) == set(inputs.expected)
    assert snap["count"] == len(inputs.expected)


def _wait_for_lock(store: Path, proc: subprocess.Popen) -> float:
    """Poll (bounded) until the run lock names `proc`, or it exits; returns the monotonic time."""
    for _ in range(30_000):
        if _lock_pid(store) == proc.pid or proc.poll() is not None:
            break
        time.sleep(0.01)
    return time.monotonic()


def _kill_after(config: Path, rng: random.Random, clean: dict, total: int) -> dict:
    """Start a run and SIGKILL it at one of three kinds of random point: during start-up
    (before the lock is taken), a random time into the working part of a run, or a random
    moment after the store first holds a random number of items (kills that land between
    and inside the per-source transactions whatever the machine's speed)."""
    store = config.parent / "monitor.sqlite3"
    before = item_count(store)
    proc = start_cli(config, "run", "--quiet")
    draw = rng.random()
    if draw < 0.25:
        delay, phase = rng.uniform(0.05, clean["locked"]), "start-up"
    elif draw < 0.5:
        _wait_for_lock(store, proc)
        delay, phase = rng.uniform(0.0, max(clean["duration"] - clean["locked"], 0.1)), "working"
    else:
        target = rng.randint(min(before + 1, total), total)
        for _ in range(30_000):  # bounded poll of the store, read-only
            if proc.poll() is not None or item_count(store) >= target:
                break
            time.sleep(0.01)
        delay, phase = rng.uniform(0.0, 0.3), f"{target} items"
    try:
        proc.wait(timeout=delay)
        finished = True
    except subprocess.TimeoutExpired:  # still running, as intended
        finished = False
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
    _, err = proc.communicate(timeout=60)
    after = item_count(store)
    if finished:
        landed = "finished first"
    elif after == before:
        landed = "before any new commit"
    else:
        landed = "mid-run" if after < total else "after last item"
    return {
        "pid": proc.pid,
        "finished": finished,
        "returncode": proc.returncode,
        "landed": landed,
        "phase": phase,
        "stderr": err,
        "delay": round(delay, 2),
        "items": after,
    }


@pytest.mark.soak
def test_sigkill_at_random_points_then_rerun_equals_a_clean_run(inputs, clean, tmp_path):
    rng = random.Random(SEED)
    print(
        f"\nSOAK_SEED={SEED} trials={TRIALS} clean run {clean['duration']:.1f}s, lock taken at {clean['locked']:.1f}s"
    )
    landings: dict[str, int] = {}
    for trial in range(TRIALS):
        config = write_trial_config(tmp_path / f"trial{trial}", inputs)
        store = config.parent / "monitor.sqlite3"
        kills = []
        for _ in range(rng.randint(1, 3)):
            outcome = _kill_after(config, rng, clean, len(inputs.expected))
            kills.append(outcome)
            landings[outcome["landed"]] = landings.get(outcome["landed"], 0) + 1
            if outcome["finished"]:
                assert outcome["returncode"] == 0, outcome["stderr"]
        lock_pid = _lock_pid(store)
        final = run_cli(config, "run", "--quiet")
        assert final.returncode == 0, (trial, kills, final.stderr)
        killed_pids = {k["pid"] for k in kills if not k["finished"]}
        if lock_pid in killed_pids:
            assert f"note: cleared a stale lock left by pid {lock_pid}" in final.stderr
        _assert_like_clean(store, inputs, clean["snapshot"], f"trial {trial} (seed {SEED}): {kills}")
        landed = (f"{k['phase']}+{k['delay']}s {k['landed']} ({k['items']} items)" for k in kills)
        print(f"trial {trial}: " + ", ".join(landed))
    print(f"kills by landing point: {landings}")


def _lock_pid(store: Path) -> int | None:
    lock = Path(str(store) + ".lock")
    text = lock.read_text().strip() if lock.exists() else ""
    return int(text) if text.isdigit() else None


def _assert_like_clean(store: Path, inputs, reference: dict, where: str) -> None:
    state = health(store)
    assert state["integrity"] == ["ok"], where
    assert state["foreign_keys"] == [], where
    assert state["fts"] == "ok", where
    statuses = [r["status"] for r in state["runs"]]
    assert statuses[-1] == "ok" and "running" not in statuses, (where, statuses)
    snap = snapshot(store)
    assert not snap["duplicates"], where
    assert snap["count"] == len(inputs.expected), where
    missing = set(inputs.expected) - set(snap["items"])
    assert not missing, (where, sorted(missing)[:5])
    for key, ref in reference["items"].items():
        assert snap["items"][key] == ref, (where, key)
    assert snap["copies"] == reference["copies"], where
    assert snap["daily_source"] == reference["daily_source"], where
    assert snap["daily_concept"] == reference["daily_concept"], where
