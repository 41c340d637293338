"""An archive backfill cut into batch jobs that several worker processes share
(ingest/batch_backfill.py) stores exactly what a one-process import stores (item ids,
duplicates, syndicated copies' originals, evidence, daily tables), on a real SQLite file
and a real PostgreSQL server; a worker SIGKILLed mid-job loses nothing and nothing is
stored twice; the unchanged-archive skip still works afterwards."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path

from ingest.batch_backfill import BackfillSpec, BatchBackfiller, backfill_in_batches, enqueue_backfill
from ingest.config import load_config
from ingest.lexicon import load_lexicon
from ingest.pipeline import Ingest
from ingest.rules_version import rules_version
from store import Store
from store.db import open_connection
from tests.batch_fixtures import job_state, kill_holding_a_batch
from tests.builders import LEXICON, REPO, SourceSpec, corpus_rows, table_snapshot, write_config
from tests.reliability_fixtures import health, start_cli

NOW = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
TABLES = {
    "items": "SELECT id, copy_of, source_id, title, text, summary, url, canonical_url, guid, author, language, "
    "published_at, day, date_estimated, date_flag, published_raw, fetched_at, content_hash, text_hash, words, score, "
    "matching, run_id, date_precision, headline_only FROM items",
    "matches": 'SELECT item_id, concept_id, start, "end", text, form, distanced, how FROM matches',
    "item_concepts": "SELECT item_id, concept_id, hits, own, distanced, per_1k FROM item_concepts",
    "daily_source": "SELECT day, source_id, precision, headline, items, matching, original_items, "
    "original_matching FROM daily_source",
    "daily_concept": "SELECT day, source_id, concept_id, precision, headline, items, own_items, distanced_items, "
    "hits, original_items FROM daily_concept",
    "sources": "SELECT id, name, group_id, kind, language, url, parent_id, configured, first_seen_at FROM sources",
}
FIELDS = {"text": "text", "title": "title", "date": "date", "url": "url", "source": "source"}


def _archive(path: Path, rows: int) -> Path:
    """Real MFA rows (English and Chinese) under two outlets, with what makes order matter:
    the same text again under the other outlet (a syndicated copy: which one is the
    original depends on insert order), exact repeats (duplicates) and broken lines."""
    data = corpus_rows("mfa_spokesperson_2016_2020/mfa_en.jsonl", limit=rows // 2)
    data += corpus_rows("mfa_spokesperson_2016_2020/mfa_zh.jsonl", limit=rows // 2)
    with path.open("w", encoding="utf-8") as fh:
        for n, row in enumerate(data):
            row = {**row, "source": "Outlet A" if n % 3 else "Outlet B"}
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
            if n % 97 == 5:  # syndicated: the same article from the other outlet, a little later
                copy = {**row, "source": "Outlet C", "url": f"https://c.example/{n}"}
                fh.write(json.dumps(copy, ensure_ascii=False) + "\n")
            if n % 151 == 7:
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")  # an exact repeat
            if n % 400 == 11:
                fh.write('{"text": "broken\n\n')
    return path


def _config(directory: Path, archive: Path, batch_rows: int, fmt: str = "jsonl", fields=FIELDS) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    spec = SourceSpec("mfa", "cn-official", "archive", {"path": str(archive), "fields": fields, "format": fmt})
    return write_config(directory, [spec], settings={"ingest": {"archive_batch_rows": batch_rows}})


def _snapshot(url: str) -> dict[str, list[tuple]]:
    return table_snapshot(url, TABLES)


def _reference(tmp: Path, archive: Path, batch_rows: int, fmt: str = "jsonl", fields=FIELDS) -> dict:
    url = "sqlite:///" + str(tmp / "ref" / "monitor.sqlite3")
    config = load_config(_config(tmp / "ref", archive, batch_rows, fmt, fields))
    with Store(url) as store:
        assert Ingest(config, load_lexicon(LEXICON), store, now=NOW).run().new > 0
    return _snapshot(url)


def _enqueue(cfg: Path, url: str) -> str:
    with Store(url) as store:
        spec = enqueue_backfill(Ingest(load_config(cfg), load_lexicon(LEXICON), store, now=NOW), "mfa")
    assert spec is not None
    return spec.name()


def _worker(cfg: Path, url: str, lease: float) -> subprocess.Popen:
    return start_cli(cfg, "worker", "--once", "--poll", "0.1", "--lease", str(lease), store_url=url)


def _unchanged_afterwards(cfg: Path, url: str) -> None:
    with Store(url) as store:
        report = Ingest(load_config(cfg), load_lexicon(LEXICON), store).run()
    assert [o.status for o in report.outcomes] == ["unchanged"] and report.new == 0


def test_three_workers_backfill_as_one_process_does(store_url, tmp_path):
    archive = _archive(tmp_path / "mfa.jsonl", 2000)
    cfg = _config(tmp_path / "run", archive, batch_rows=150)
    job = _enqueue(cfg, store_url)
    assert len(job_state(store_url, job)) >= 10
    workers = [_worker(cfg, store_url, lease=60) for _ in range(3)]
    outs = [w.communicate(timeout=600) for w in workers]
    assert all(w.returncode == 0 for w in workers), [o[1][-2000:] for o in outs]
    after = _snapshot(store_url)
    reference = _reference(tmp_path, archive, 150)
    assert after == reference
    copies = [r for r in reference["items"] if r[1] is not None]  # copy_of
    assert copies and len(reference["items"]) < 2000 + 30  # copies stored, repeats dropped: order mattered
    state = job_state(store_url, job)
    assert all(done for _, done, _ in state)
    assert len({w for w, _, _ in state}) >= 2  # the work was shared
    _unchanged_afterwards(cfg, store_url)


def test_a_killed_worker_loses_nothing_and_stores_nothing_twice(store_url, tmp_path):
    archive = _archive(tmp_path / "mfa.jsonl", 1200)
    cfg = _config(tmp_path / "run", archive, batch_rows=100)
    job = _enqueue(cfg, store_url)
    victim = _worker(cfg, store_url, lease=3)
    kill_holding_a_batch(victim, store_url, job)
    survivors = [_worker(cfg, store_url, lease=3) for _ in range(2)]
    outs = [w.communicate(timeout=600) for w in survivors]
    assert all(w.returncode == 0 for w in survivors), [o[1][-2000:] for o in outs]
    after, reference = _snapshot(store_url), _reference(tmp_path, archive, 100)
    if store_url.startswith("postgresql"):
        # A PostgreSQL sequence is not rolled back with the killed transaction: ids after
        # it have a gap.  Their order, and every reference to them, must still be the same.
        after, reference = _renumbered(after), _renumbered(reference)
    assert after == reference
    state = job_state(store_url, job)
    assert all(done for _, done, _ in state) and any(claims > 1 for _, _, claims in state)  # taken over
    if store_url.startswith("sqlite:"):
        report = health(Path(store_url.removeprefix("sqlite:///")))
        assert report["integrity"] == ["ok"] and not report["foreign_keys"] and report["fts"] == "ok"
    _unchanged_afterwards(cfg, store_url)


def test_csv_with_quoted_newlines_is_cut_at_record_ends(tmp_path):
    """A CSV record whose quoted text spans lines is never cut inside; problems keep their
    line numbers; the enqueuing process alone does every batch."""
    rows = corpus_rows("mfa_spokesperson_2016_2020/mfa_en.jsonl", limit=300)
    path = tmp_path / "mfa.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["title", "text", "date", "url"])
        for n, row in enumerate(rows):
            text = row["text"] if n % 2 else row["text"].replace(". ", ".\n\n", 3)  # multi-line quoted fields
            out.writerow([row["title"], text, row["date"] if n % 50 != 9 else "", row["url"]])
            if n % 120 == 3:
                out.writerow(["", "", "", ""])  # no text: a problem with its line number
    fields = {"text": "text", "title": "title", "date": "date", "url": "url"}
    url = "sqlite:///" + str(tmp_path / "run" / "monitor.sqlite3")
    cfg = _config(tmp_path / "run", path, 40, "csv", fields)
    with Store(url) as store:
        ingest = Ingest(load_config(cfg), load_lexicon(LEXICON), store, now=NOW)
        outcome = backfill_in_batches(ingest, "mfa", "alone", lease_seconds=30, poll_seconds=0.05)
        assert BatchBackfiller(ingest, "alone").specs() == []
    assert _snapshot(url) == _reference(tmp_path, path, 40, "csv", fields)
    assert outcome.new == 300 and outcome.failed == 3
    # the same problems with the same line numbers as one process reports
    assert _run_source(url) == _run_source("sqlite:///" + str(tmp_path / "ref" / "monitor.sqlite3"))
    assert outcome.warning and ":" in outcome.warning
    _unchanged_afterwards(cfg, url)


def _renumbered(snapshot: dict[str, list[tuple]]) -> dict[str, list[tuple]]:
    """Item ids replaced by their rank in id order (in items, copy_of and the evidence)."""
    rank = {row[0]: n for n, row in enumerate(sorted(snapshot["items"]), 1)}
    out = dict(snapshot)
    out["items"] = [(rank[r[0]], rank.get(r[1]), *r[2:]) for r in snapshot["items"]]
    for table in ("matches", "item_concepts"):
        out[table] = sorted((rank[r[0]], *r[1:]) for r in snapshot[table])
    return out


def _run_source(url: str) -> tuple:
    conn = open_connection(url, readonly=True)
    try:
        sql = "SELECT status, new_items, duplicates, failed_items, warning FROM run_sources"
        return tuple(conn.execute(sql).fetchone())
    finally:
        conn.close()


def test_backfill_command_names_a_bad_source(tmp_path):
    archive = _archive(tmp_path / "mfa.jsonl", 10)
    cfg = _config(tmp_path / "run", archive, batch_rows=4)
    env = {**os.environ, "MONITOR_STORE_URL": "sqlite:///" + str(tmp_path / "run" / "m.sqlite3")}
    base = [sys.executable, "-m", "ingest", "--config", str(cfg), "backfill"]
    bad = subprocess.run([*base, "nope"], cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "unknown source id 'nope'" in bad.stderr
    good = subprocess.run([*base, "mfa"], cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert good.returncode == 0, good.stderr[-2000:]
    assert "mfa: ok, 11 new item(s), 1 duplicate(s)" in good.stdout  # a syndicated copy and a repeat
    again = subprocess.run([*base, "mfa"], cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert "mfa: unchanged" in again.stdout


def test_a_waiting_worker_gives_its_batch_back_for_a_dead_workers_earlier_one(tmp_path):
    """A batch scored ahead of its turn waits while the earlier batch's lease lives; once
    that lease runs out (its worker died) the waiter gives its own back, keeping the
    scores, does the earlier batch, then its own: still the one-process store."""
    archive = _archive(tmp_path / "mfa.jsonl", 90)
    cfg = _config(tmp_path / "run", archive, batch_rows=30)
    url = "sqlite:///" + str(tmp_path / "run" / "monitor.sqlite3")
    job = _enqueue(cfg, url)
    with Store(url) as store:
        ingest = Ingest(load_config(cfg), load_lexicon(LEXICON), store, now=NOW)
        dead, alive = BatchBackfiller(ingest, "dead"), BatchBackfiller(ingest, "alive")
        first = dead.jobs.claim(job, "dead", datetime.now(UTC), lease_seconds=1.5)  # then it dies
        assert first is not None and first.first_id == 0
        assert alive.step(lease_seconds=60, poll_seconds=0.05)  # scored batch 2, gave it back
        assert len(alive.ahead) == 1 and alive.items == 0
        while alive.step(lease_seconds=60, poll_seconds=0.05):
            pass
        assert not alive.ahead and alive.items > 0
    state = job_state(url, job)
    assert [w for w, _, _ in state] == ["alive"] * len(state) and all(done for _, done, _ in state)
    assert [claims for _, _, claims in state][:2] == [2, 2]  # the dead one's, and the one given back
    assert _snapshot(url) == _reference(tmp_path, archive, 30)


def test_a_worker_told_to_stop_gives_a_waiting_batch_back(tmp_path):
    archive = _archive(tmp_path / "mfa.jsonl", 60)
    cfg = _config(tmp_path / "run", archive, batch_rows=30)
    url = "sqlite:///" + str(tmp_path / "run" / "monitor.sqlite3")
    job = _enqueue(cfg, url)
    stop = threading.Event()
    with Store(url) as store:
        ingest = Ingest(load_config(cfg), load_lexicon(LEXICON), store, now=NOW)
        other = BatchBackfiller(ingest, "other")
        assert other.jobs.claim(job, "other", datetime.now(UTC), lease_seconds=600) is not None  # alive, slow
        stopping = BatchBackfiller(ingest, "stopping", stop)
        threading.Timer(0.5, stop.set).start()
        assert stopping.step(lease_seconds=600, poll_seconds=0.05)  # returns instead of waiting 600 s
        second = other.jobs.claim(job, "other", datetime.now(UTC), lease_seconds=600)
    assert second is not None and second.first_id > 0  # the batch it held is free again
    assert all(done is None for _, done, _ in job_state(url, job))  # nothing written out of turn


def test_old_mac_and_windows_line_ends_read_as_unix_ones(tmp_path):
    """A JSONL or CSV archive with bare \\r (old Mac) or \\r\\n line ends gives the same rows,
    problem lines and store as with \\n, one process or in batches (batches cut at bare \\r too)."""
    unix = _archive(tmp_path / "unix.jsonl", 120)
    reference = _reference(tmp_path / "unix", unix, 25)
    reference_run = _run_source("sqlite:///" + str(tmp_path / "unix" / "ref" / "monitor.sqlite3"))
    for name, end in (("mac", b"\r"), ("dos", b"\r\n")):
        path = tmp_path / f"{name}.jsonl"
        path.write_bytes(unix.read_bytes().replace(b"\n", end))
        assert _reference(tmp_path / name, path, 25) == reference
        run = _run_source("sqlite:///" + str(tmp_path / name / "ref" / "monitor.sqlite3"))
        assert run == tuple(
            str(v).replace("unix.jsonl", f"{name}.jsonl") if k == 4 else v for k, v in enumerate(reference_run)
        )
        url = "sqlite:///" + str(tmp_path / name / "batched" / "monitor.sqlite3")
        cfg = _config(tmp_path / name / "batched", path, 25)
        with Store(url) as store:
            ingest = Ingest(load_config(cfg), load_lexicon(LEXICON), store, now=NOW)
            backfill_in_batches(ingest, "mfa", "alone", lease_seconds=30, poll_seconds=0.05)
        assert _snapshot(url) == reference
    csv_path = tmp_path / "mac.csv"
    csv_path.write_bytes(
        b'title,text,date,url\r"A","Common security\rfor all",2024-03-05,https://a.example/1\r'
        b'"B","Second row",2024-03-06,https://a.example/2\r'
    )
    fields = {"text": "text", "title": "title", "date": "date", "url": "url"}
    url = "sqlite:///" + str(tmp_path / "csv" / "monitor.sqlite3")
    with Store(url) as store:
        report = Ingest(
            load_config(_config(tmp_path / "csv", csv_path, 25, "csv", fields)), load_lexicon(LEXICON), store, now=NOW
        ).run()
    assert report.new == 2 and report.outcomes[0].failed == 0
    conn = open_connection(url, readonly=True)
    try:
        assert conn.execute("SELECT text FROM items WHERE title = 'A'").fetchone()[0].startswith("Common security")
    finally:
        conn.close()


def test_a_worker_of_other_matching_rules_leaves_a_backfill_and_a_new_one_replaces_it(store_url, tmp_path, monkeypatch):
    """A backfill begun under other matching rules (this process's version patched, as
    older code would name it) is not touched by a real worker of the current code, which
    says so naming the job and both versions.  A backfill the current code enqueues
    replaces it; the rows the old one stored are kept, not stored twice."""
    archive = _archive(tmp_path / "mfa.jsonl", 90)
    cfg = _config(tmp_path / "run", archive, batch_rows=30)
    with monkeypatch.context() as patched, Store(store_url) as store:
        patched.setattr("ingest.batch_backfill.rules_version", lambda: "0ld0ld0ld0ld0ld0")
        ingest = Ingest(load_config(cfg), load_lexicon(LEXICON), store, now=NOW)
        spec = enqueue_backfill(ingest, "mfa")
        assert spec is not None and spec.rules == "0ld0ld0ld0ld0ld0"
        assert BatchBackfiller(ingest, "old-code").step(lease_seconds=60, poll_seconds=0.05)  # its first batch
    old_job, stored = spec.name(), table_snapshot(store_url, {"items": "SELECT id, words, score FROM items"})
    state = job_state(store_url, old_job)
    assert [done is not None for _, done, _ in state] == [True] + [False] * (len(state) - 1)

    current = _worker(cfg, store_url, lease=60)
    out, err = current.communicate(timeout=300)
    assert current.returncode == 0, err[-2000:]
    assert job_state(store_url, old_job) == state  # not a batch claimed
    assert table_snapshot(store_url, {"items": "SELECT id, words, score FROM items"}) == stored
    mine = rules_version()
    assert f"leaves backfill job '{old_job}': it was begun under matching rules 0ld0ld0ld0ld0ld0" in err
    assert err.count(f"this worker runs matching rules {mine}") == 1

    job = _enqueue(cfg, store_url)
    assert BackfillSpec.parse(job).rules == mine and job_state(store_url, old_job) == []
    current = _worker(cfg, store_url, lease=60)
    out, err = current.communicate(timeout=300)
    assert current.returncode == 0, err[-2000:]
    assert "leaves backfill job" not in err and all(done for _, done, _ in job_state(store_url, job))
    reference = _reference(tmp_path, archive, 30)
    assert len(_snapshot(store_url)["items"]) == len(reference["items"])
