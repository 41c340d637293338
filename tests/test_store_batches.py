"""Archives are stored in batches, each its own transaction: the same store as one batch,
the same full-text hits, and a failure mid-archive keeps the committed batches and a
rerun completes the archive without duplicates.

Real corpus rows (English, Chinese, Russian; with an outlet column, repeated rows and
syndicated copies across outlets) are ingested by the real pipeline into real SQLite; the
batched store and its daily tables also into a real PostgreSQL server, compared with the
SQLite one-batch store value for value.  The full-text index and the disk-full failure are
SQLite's own (FTS5, max_page_count) and are tested on SQLite alone.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

import pytest

from ingest.config import load_config
from ingest.lexicon import load_lexicon
from ingest.pipeline import Ingest
from store import Store
from tests.builders import SourceSpec, corpus_rows, table_snapshot, write_config, write_jsonl
from tests.reliability_fixtures import health, snapshot
from tests.test_batch_backfill import TABLES

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
FIELDS = {"text": "text", "title": "title", "date": "date", "url": "url", "language": "lang", "source": "outlet"}


def _rows() -> list[dict]:
    picked = (
        corpus_rows("mfa_spokesperson_2016_2020/mfa_en.jsonl", limit=25)
        + corpus_rows("mfa_spokesperson_2016_2020/mfa_zh.jsonl", limit=25)
        + corpus_rows("ru_official_ru/kremlin_ru_2025.jsonl", limit=20)
    )
    rows = []
    for n, row in enumerate(picked):
        row = dict(row, text=row["text"][:3000], outlet=("wire-a", "wire-b")[n % 2])
        rows.append(row)
        if n % 9 == 0:  # the same story syndicated by the other outlet: a copy, kept per outlet
            rows.append(dict(row, outlet=("wire-b", "wire-a")[n % 2], url=row["url"] + "?syndicated"))
        if n % 11 == 0:  # a repeated row: a duplicate within the archive
            rows.append(dict(row))
    return rows


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    return write_jsonl(tmp_path_factory.mktemp("archive") / "mixed.jsonl", _rows())


def _ingest(directory, archive, batch, store_hook=None):
    """Ingest into the store of the config (MONITOR_STORE_URL, when a test's `store_url`
    sets it, else the SQLite file in `directory`); returns (store location, report)."""
    cfg = write_config(
        directory, [SourceSpec("wire", "cn-official", "archive", {"path": str(archive), "fields": FIELDS})]
    )
    config = load_config(cfg)
    location = config.store_path if not config.store_target.is_postgres else config.store_target
    with Store(location) as store:
        if store_hook:
            store_hook(store)
        ingest = Ingest(config, load_lexicon(config.lexicon_path), store, now=NOW)
        ingest.archive_batch = batch
        report = ingest.run()
    return location, report


@pytest.fixture(scope="module")
def whole(archive, tmp_path_factory):
    path, report = _ingest(tmp_path_factory.mktemp("whole"), archive, batch=10_000)
    assert not report.errors
    return path, report


def test_small_batches_store_exactly_what_one_batch_stores(archive, whole, tmp_path, store_url):
    """On either backend, every value (ids, copies, evidence, daily rows) of the SQLite one-batch store."""
    _, report = _ingest(tmp_path, archive, batch=7)
    assert not report.errors
    assert (report.new, report.duplicates) == (whole[1].new, whole[1].duplicates)
    assert report.new > 60 and report.duplicates > 0
    batched = table_snapshot(store_url, TABLES)
    assert batched == table_snapshot("sqlite:///" + str(whole[0]), TABLES)
    assert any(row[1] is not None for row in batched["items"]), "syndicated copies are linked across batches"


def test_added_daily_aggregates_equal_a_full_recount(archive, tmp_path, store_url):
    _ingest(tmp_path, archive, batch=5)
    daily = {name: TABLES[name] for name in ("daily_source", "daily_concept")}
    added = table_snapshot(store_url, daily)
    with Store(store_url) as store, store.transaction():
        store.rebuild_daily()
    assert table_snapshot(store_url, daily) == added
    assert added["daily_source"] and added["daily_concept"]


QUERIES = ["security", "Global Security Initiative", "外交部", "一带一路", "безопасности", "Путин", "NATO", "cold war"]


def _hits(path) -> dict[str, list[int]]:
    conn = sqlite3.connect(path)
    try:
        return {
            q: [
                r[0]
                for r in conn.execute("SELECT rowid FROM items_fts WHERE items_fts MATCH ? ORDER BY rowid", (f'"{q}"',))
            ]
            for q in QUERIES
        }
    finally:
        conn.close()


def test_full_text_index_written_per_batch_gives_the_hits_of_a_full_rebuild(archive, tmp_path):
    path, _ = _ingest(tmp_path, archive, batch=6)
    assert health(path)["fts"] == "ok"  # the index matches the items table, row for row
    batched = _hits(path)
    conn = sqlite3.connect(path)
    conn.execute("INSERT INTO items_fts(items_fts) VALUES ('rebuild')")
    conn.commit()
    conn.close()
    assert _hits(path) == batched
    assert all(batched[q] for q in ("security", "外交部", "Путин")), batched


def test_insert_item_outside_a_store_transaction_is_refused(whole):
    with Store(whole[0]) as store, pytest.raises(RuntimeError, match=r"inside Store\.transaction"):
        store.insert_item(None, "", None, None)  # type: ignore[arg-type]


def test_failure_mid_archive_keeps_committed_batches_and_a_rerun_completes_it(archive, whole, tmp_path):
    """The disk fills up part way through the archive (a real SQLITE_FULL: the store's
    connection may not grow the file past a page limit): the batches before it stay, the
    error is the real one, and a rerun adds exactly the missing rows."""
    total = whole[1].new
    pages_whole = _page_count(whole[0])

    def limit(store: Store) -> None:
        store.conn.execute(f"PRAGMA max_page_count = {pages_whole // 2}")

    path, failed = _ingest(tmp_path, archive, batch=8, store_hook=limit)
    assert [o.error for o in failed.errors] == ["OperationalError: database or disk is full"]
    kept = snapshot(path)["count"]
    assert 0 < kept < total
    assert health(path)["fts"] == "ok" and health(path)["integrity"] == ["ok"]
    _, report = _ingest(tmp_path, archive, batch=8)
    assert not report.errors and report.new == total - kept
    assert snapshot(path) == snapshot(whole[0])


def _page_count(path) -> int:
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return int(conn.execute("PRAGMA page_count").fetchone()[0])
    finally:
        conn.close()
