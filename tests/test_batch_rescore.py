"""A rescore cut into batch jobs that several worker processes share (ingest/batch_rescore.py)
leaves the store exactly as a one-process rescore does, on a real SQLite file and a real
PostgreSQL server; a worker SIGKILLed mid-job loses nothing: its batch is taken over
once its lease runs out, and no score is stored twice (it is killed while it provably
holds an unwritten batch: tests/batch_fixtures.py)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

from ingest.batch_rescore import BatchRescorer, rules_of
from ingest.config import load_config
from ingest.lexicon import load_lexicon
from ingest.pipeline import Ingest
from ingest.rescore import rescore
from ingest.rules_version import rules_version
from store import Store
from store.batch_jobs import BatchJobs
from tests.batch_fixtures import batch_rows, job_state, kill_holding_a_batch
from tests.builders import LEXICON, REPO, SourceSpec, corpus_rows, table_snapshot, write_config, write_jsonl
from tests.reliability_fixtures import health

EDIT = """

[[concepts]]
id = "test-batch-dialogue"
label = "Dialogue (added by the batch rescore test)"
family = "official"
definition = "An edit that makes a rescore change scores."
en = ["dialogue", "cooperation"]
zh = ["对话"]
"""
TABLES = {
    "items": "SELECT id, words, score, matching FROM items",
    "matches": 'SELECT item_id, concept_id, start, "end", text, form, distanced, how FROM matches',
    "item_concepts": "SELECT item_id, concept_id, hits, own, distanced, per_1k FROM item_concepts",
    "daily_source": "SELECT * FROM daily_source",
    "daily_concept": "SELECT * FROM daily_concept",
    "concepts": "SELECT id, forms FROM concepts",
}


def _build(tmp: Path, url: str, rows: int = 240) -> tuple[Path, Path]:
    """A store of real MFA rows (English and Chinese), ingested with the shipped lexicon;
    returns (config with the edited lexicon, that lexicon)."""
    data = corpus_rows("mfa_spokesperson_2016_2020/mfa_en.jsonl", limit=rows // 2)
    data += corpus_rows("mfa_spokesperson_2016_2020/mfa_zh.jsonl", limit=rows // 2)
    archive = write_jsonl(tmp / "mfa.jsonl", data)
    fields = {"text": "text", "title": "title", "date": "date", "url": "url"}
    spec = SourceSpec("mfa", "cn-official", "archive", {"path": str(archive), "fields": fields})
    (tmp / "first").mkdir()
    config = load_config(write_config(tmp / "first", [spec]))
    with Store(url) as store:  # named here: MONITOR_STORE_URL names the store under test
        assert Ingest(config, load_lexicon(LEXICON), store).run().new == rows
    edited = tmp / "lexicon.toml"
    edited.write_text(LEXICON.read_text(encoding="utf-8") + EDIT, encoding="utf-8")
    (tmp / "edited").mkdir()
    return write_config(tmp / "edited", [spec], lexicon=edited), edited


def _snapshot(url: str) -> dict[str, list[tuple]]:
    return table_snapshot(url, TABLES)


def _reference(tmp: Path) -> dict[str, list[tuple]]:
    url = "sqlite:///" + str(tmp / "ref" / "monitor.sqlite3")
    (tmp / "ref").mkdir()
    cfg, edited = _build(tmp / "ref", url)
    with Store(url) as store:
        rescore(store, load_lexicon(edited), 1.0, 0.5, full=True)
    return _snapshot(url)


def _worker(cfg: Path, url: str, lease: float) -> subprocess.Popen:
    env = {**os.environ, "MONITOR_STORE_URL": url, "PYTHONPATH": str(REPO)}
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "ingest",
            "--config",
            str(cfg),
            "worker",
            "--once",
            "--poll",
            "0.1",
            "--lease",
            str(lease),
        ],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _enqueue(url: str, edited: Path, batch_items: int) -> tuple[int, str]:
    with Store(url) as store:
        rescorer = BatchRescorer(store, load_lexicon(edited), 1.0, 0.5, "test")
        return rescorer.enqueue(batch_items), rescorer.job


def test_three_workers_rescore_as_one_process_does(store_url, tmp_path):
    (tmp_path / "run").mkdir()
    cfg, edited = _build(tmp_path / "run", store_url)
    before = _snapshot(store_url)
    batches, job = _enqueue(store_url, edited, batch_items=15)
    assert batches == 16
    workers = [_worker(cfg, store_url, lease=60) for _ in range(3)]
    outs = [w.communicate(timeout=300) for w in workers]
    assert all(w.returncode == 0 for w in workers), [o[1][-2000:] for o in outs]
    after = _snapshot(store_url)
    assert after == _reference(tmp_path)
    assert after["matches"] != before["matches"]  # the edit changed scores: the comparison means something
    state = job_state(store_url, job)
    assert len(state) == 16 and all(done for _, done, _ in state)
    assert len({w for w, _, _ in state}) >= 2  # the work was shared


def test_a_killed_worker_loses_nothing_and_stores_nothing_twice(store_url, tmp_path):
    (tmp_path / "run").mkdir()
    cfg, edited = _build(tmp_path / "run", store_url)
    before = _snapshot(store_url)
    _, job = _enqueue(store_url, edited, batch_items=40)
    victim = _worker(cfg, store_url, lease=3)
    first, last = kill_holding_a_batch(victim, store_url, job)
    survivor = _worker(cfg, store_url, lease=3)
    out, err = survivor.communicate(timeout=300)
    assert survivor.returncode == 0, err[-2000:]
    reference = _reference(tmp_path)
    assert _snapshot(store_url) == reference
    # The batch the victim held changes scores, so had it been lost the store would differ.
    assert _evidence_of(before, first, last) != _evidence_of(reference, first, last)
    # The victim's batch was taken over once, by the survivor; every other batch was
    # claimed once: no batch was done twice.
    state = batch_rows(store_url, job)
    assert all(done for _, _, _, done, _ in state)
    assert [claims for *_, claims in state] == [2 if row[0] == first else 1 for row in state]
    assert [w for a, _, w, _, _ in state if a == first] == [f"{socket.gethostname()}:{survivor.pid}"]
    if store_url.startswith("sqlite:"):
        report = health(Path(store_url.removeprefix("sqlite:///")))
        assert report["integrity"] == ["ok"] and not report["foreign_keys"] and report["fts"] == "ok"


def _evidence_of(snapshot: dict[str, list[tuple]], first: int, last: int) -> list[list[tuple]]:
    """The matches and per-concept rows of the items with ids in [first, last]."""
    return [sorted(r for r in snapshot[t] if first <= r[0] <= last) for t in ("matches", "item_concepts")]


def test_rescore_batches_command_alone_matches_one_transaction(tmp_path):
    """`python -m ingest rescore --batches` with no worker running does every batch itself."""
    url = "sqlite:///" + str(tmp_path / "run" / "monitor.sqlite3")
    (tmp_path / "run").mkdir()
    cfg, _ = _build(tmp_path / "run", url)
    env = {**os.environ, "MONITOR_STORE_URL": url, "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-m", "ingest", "--config", str(cfg), "rescore", "--batches"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "rescored 240 item(s)" in done.stdout
    assert _snapshot(url) == _reference(tmp_path)


OLDER_RULES = "0ld0ld0ld0ld0ld0"  # a version the real code never has (it is 16 hex digits)


def test_a_worker_of_other_matching_rules_leaves_the_job_and_a_new_one_replaces_it(store_url, tmp_path, monkeypatch):
    """A job begun by a worker running other matching rules (here: the version of this
    process's rules patched, as older code would have named it) is not touched by a real
    worker of the current code, which says so naming the job and both versions; nor is
    a job named by code that recorded no version.  The rescore the current code enqueues
    replaces both, and the store ends as one process's rescore leaves it."""
    (tmp_path / "run").mkdir()
    cfg, edited = _build(tmp_path / "run", store_url)
    with monkeypatch.context() as patched, Store(store_url) as store:
        patched.setattr("ingest.batch_rescore.rules_version", lambda: OLDER_RULES)
        old = BatchRescorer(store, load_lexicon(edited), 1.0, 0.5, "old-code")
        assert old.enqueue(40) == 6 and old.step(60) and old.step(60)  # two batches under the older rules
        old_job = old.job
        unversioned = old_job.rpartition(" rules=")[0]  # as code before rules versions named it
        BatchJobs(store.conn).enqueue_items(unversioned, 40)
    assert rules_of(old_job) == OLDER_RULES and rules_of(unversioned) is None
    before = (_scores(store_url), batch_rows(store_url, old_job), batch_rows(store_url, unversioned))

    current = _worker(cfg, store_url, lease=60)
    out, err = current.communicate(timeout=300)
    assert current.returncode == 0, err[-2000:]
    after = (_scores(store_url), batch_rows(store_url, old_job), batch_rows(store_url, unversioned))
    assert after == before  # not a batch claimed nor a score written
    mine = rules_version()
    assert mine != OLDER_RULES
    assert f"leaves rescore job '{old_job}': it was begun under matching rules {OLDER_RULES}" in err
    assert f"leaves rescore job '{unversioned}': it was begun under matching rules (not recorded" in err
    assert err.count(f"this worker runs matching rules {mine}") == 2  # said once per job

    _, job = _enqueue(store_url, edited, batch_items=40)
    assert rules_of(job) == mine and batch_rows(store_url, old_job) == batch_rows(store_url, unversioned) == []
    current = _worker(cfg, store_url, lease=60)
    out, err = current.communicate(timeout=300)
    assert current.returncode == 0, err[-2000:]
    assert "leaves rescore job" not in err
    assert all(done for _, _, _, done, _ in batch_rows(store_url, job))
    assert _snapshot(store_url) == _reference(tmp_path)


def _scores(url: str) -> dict[str, list[tuple]]:
    """The stored scores and the figures made of them (not the concepts' list, which a
    starting worker writes from its lexicon)."""
    return {table: rows for table, rows in _snapshot(url).items() if table != "concepts"}
