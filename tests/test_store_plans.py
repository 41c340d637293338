"""How the store's hot statements are planned, and what a failed transaction reports.

Speed is measured in bench/ only; here the planner's own account (EXPLAIN QUERY PLAN)
shows that each duplicate lookup is a search of one index, never a scan of a source's
items (a scan made a large archive import quadratic).  The store is built by a real
ingest of real corpus rows and ANALYZEd, so the planner sees realistic statistics.
"""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, datetime

import pytest

from ingest.config import load_config
from ingest.lexicon import load_lexicon
from ingest.pipeline import Ingest
from store import Store
from store.db import transaction
from tests.builders import SourceSpec, corpus_rows, write_config, write_jsonl

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def store_path(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("plans")
    data = corpus_rows("mfa_spokesperson_2016_2020/mfa_en.jsonl", limit=60)
    archive = write_jsonl(tmp / "mfa.jsonl", data)
    fields = {"text": "text", "title": "title", "date": "date", "url": "url"}
    cfg = write_config(tmp, [SourceSpec("mfa-en", "cn-official", "archive", {"path": str(archive), "fields": fields})])
    config = load_config(cfg)
    with Store(config.store_path) as store:
        report = Ingest(config, load_lexicon(config.lexicon_path), store, now=NOW).run()
        assert report.new == 60
        store.conn.execute("ANALYZE")
    return config.store_path


def _plan(path, sql, params):
    conn = sqlite3.connect(path)
    try:
        return [row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + sql, params)]
    finally:
        conn.close()


@pytest.mark.parametrize("content_hash", ["0" * 64, None])
def test_each_duplicate_key_is_a_search_of_its_own_index(store_path, content_hash):
    indexes = {"items_source_hash", "items_source_canonical", "items_source_guid"}
    params = ("mfa-en", content_hash, "https://www.fmprc.gov.cn/x", "guid-1")
    plan = _plan(store_path, Store.IDENTITY_SQL, params)
    searches = [line for line in plan if line.startswith("SEARCH items")]
    assert not [line for line in plan if line.startswith("SCAN")], plan
    used = {line.split(" INDEX ")[1].split(" ")[0] for line in searches}
    assert used == indexes, plan
    # every search is bounded by the source and the key, not by the source alone
    assert all("source_id=? AND " in line for line in searches), plan


def test_the_indexed_lookups_find_what_the_keys_name(store_path):
    with Store(store_path) as store:
        row = store.conn.execute("SELECT * FROM items ORDER BY id LIMIT 1").fetchone()
        found = store.stored_identities("mfa-en", None, row["canonical_url"], None)
        assert [(s.id, s.key) for s in found] == [(row["id"], "url")]
        both = store.stored_identities("mfa-en", row["content_hash"], row["canonical_url"], None)
        assert [s.key for s in both] == ["hash", "url"]
        assert not store.stored_identities("mfa-en", None, "https://nowhere.example/", None)
        assert not store.stored_identities("other-source", None, row["canonical_url"], None)
        assert not store.stored_identities("mfa-en", None, None, None)


# ---- transaction(): the original error survives a failed rollback --------------------


def _store_with_room_for_nothing(path) -> sqlite3.Connection:
    """A real store file whose connection may not grow it by one page: the next large
    write fails with SQLITE_FULL, after which SQLite has already rolled back."""
    Store(path).close()
    conn = sqlite3.connect(path, isolation_level=None)
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {pages}")
    return conn


def test_disk_full_inside_a_transaction_reports_disk_full_not_cannot_rollback(tmp_path):
    conn = _store_with_room_for_nothing(tmp_path / "full.sqlite3")
    with pytest.raises(sqlite3.OperationalError) as caught, transaction(conn):
        conn.execute("INSERT INTO meta (key, value) VALUES ('big', ?)", ("x" * 200_000,))
    assert "full" in str(caught.value)
    assert "cannot rollback" not in str(caught.value)
    assert any("already rolled" in note for note in caught.value.__notes__)
    assert not conn.in_transaction
    with transaction(conn):  # the connection is usable again
        conn.execute("INSERT INTO meta (key, value) VALUES ('small', '1')")
    assert conn.execute("SELECT value FROM meta WHERE key = 'small'").fetchone()[0] == "1"


def test_interrupted_statement_reports_interrupted(tmp_path):
    """SQLITE_INTERRUPT ends an explicit transaction too (sqlite3_interrupt from another thread)."""
    Store(tmp_path / "s.sqlite3").close()
    conn = sqlite3.connect(tmp_path / "s.sqlite3", isolation_level=None, check_same_thread=False)
    started = threading.Event()

    def slow() -> int:
        started.set()
        return 0

    conn.set_progress_handler(slow, 1000)
    with pytest.raises(sqlite3.OperationalError, match="interrupted"), transaction(conn):
        timer = threading.Timer(0.05, conn.interrupt)
        timer.start()
        try:
            conn.execute(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) "
                "INSERT INTO meta (key, value) SELECT 'k' || i, '' FROM n"
            )
        finally:
            timer.cancel()
    assert started.is_set() and not conn.in_transaction


def test_error_in_the_body_still_rolls_back_when_sqlite_did_not(tmp_path):
    Store(tmp_path / "s.sqlite3").close()
    conn = sqlite3.connect(tmp_path / "s.sqlite3", isolation_level=None)
    with pytest.raises(KeyError), transaction(conn):
        conn.execute("INSERT INTO meta (key, value) VALUES ('kept?', 'no')")
        raise KeyError("body")
    assert not conn.in_transaction
    assert conn.execute("SELECT count(*) FROM meta WHERE key = 'kept?'").fetchone()[0] == 0


def test_the_live_header_reads_never_sort_the_items(store_path):
    """Every dashboard page, on every run, reads the store's version, last run and newest
    day uncached (the live header).  A plan that sorts the items to find the newest one
    (`USE TEMP B-TREE FOR ORDER BY`) cost seconds per page at a million items."""
    from store.reads import StoreReader

    with StoreReader(store_path) as reader:
        statements: list[str] = []
        reader.conn.set_trace_callback(statements.append)
        reader.data_version(), reader.last_run(), reader.day_range(exclude_groups=("seed",))
        reader.conn.set_trace_callback(None)
    reads = [s for s in statements if s.lstrip().upper().startswith("SELECT") and "items" in s]
    assert reads
    for sql in reads:
        plan = " / ".join(row[3] for row in sqlite3.connect(store_path).execute("EXPLAIN QUERY PLAN " + sql))
        assert "TEMP B-TREE" not in plan and "SCAN i" not in plan, (sql, plan)


def test_an_articles_copies_are_found_through_the_text_hash_index(store_path):
    """The Article page lists an item's copies: the few items sharing its text hash, found
    through that index (the OR of copy_of conditions alone scanned every item: seconds at a
    million)."""
    from store.reads import StoreReader

    with StoreReader(store_path) as reader:
        statements: list[str] = []
        reader.conn.set_trace_callback(statements.append)
        reader.copies(1)
        reader.conn.set_trace_callback(None)
    assert len(statements) == 1
    for sql in statements:
        plan = " / ".join(row[3] for row in sqlite3.connect(store_path).execute("EXPLAIN QUERY PLAN " + sql))
        assert "SCAN i " not in plan + " " and "SEARCH i USING" in plan, (sql, plan)


def test_source_spans_are_read_from_their_covering_index(store_path):
    """Every page's default period reads each source's first and last day: from the covering
    index daily_source_span, never a lookup of each daily row (50 ms at a million items)."""
    from store.reads import StoreReader

    with StoreReader(store_path) as reader:
        statements: list[str] = []
        reader.conn.set_trace_callback(statements.append)
        spans = reader.source_spans(exclude_groups=("seed",))
        reader.conn.set_trace_callback(None)
    assert spans["source_id"].tolist() == ["mfa-en"] and int(spans["items"].iloc[0]) == 60
    plan = " / ".join(row[3] for row in sqlite3.connect(store_path).execute("EXPLAIN QUERY PLAN " + statements[0]))
    assert "COVERING INDEX daily_source_span" in plan, plan  # no lookup of each daily row


def _many_leases(location) -> Store:
    """10,000 feeds on 100 hosts, half due in the past and half later, a few leased."""
    from store.leases import FeedLeases

    store = Store(location)
    leases = FeedLeases(store.conn)
    leases.sync((f"f{i:05d}", f"h{i % 100}.example") for i in range(10_000))
    with store.transaction() as c:
        c.executemany(
            "UPDATE feed_leases SET due_at = ?, leased_until = ? WHERE source_id = ?",
            [
                (f"2026-11-{1 + i % 28:02d}T00:00:00Z", "2026-11-20T13:00:00Z" if i % 500 == 0 else None, f"f{i:05d}")
                for i in range(10_000)
            ],
        )
    store.conn.execute("ANALYZE")
    return store


def test_a_claim_reads_due_feeds_from_the_due_index_sqlite(tmp_path):
    from store.leases import BUSY_SQL, DUE_SQL

    with _many_leases(tmp_path / "leases.sqlite3") as store:
        stamp = "2026-11-20T12:00:00Z"
        due = [r[3] for r in store.conn.execute("EXPLAIN QUERY PLAN " + DUE_SQL, (stamp, stamp, stamp, stamp, 64))]
        busy = [r[3] for r in store.conn.execute("EXPLAIN QUERY PLAN " + BUSY_SQL, (stamp,))]
    assert any("feed_leases_due" in line for line in due), due
    assert not any("TEMP B-TREE FOR ORDER BY" in line for line in due), due  # no sort of every due feed
    # a search of an index on the lease end (SQLite may skip-scan the (host, leased_until)
    # one, a search per host), never a scan of every feed
    assert busy and all(line.startswith("SEARCH") for line in busy), busy


def test_a_claim_reads_due_feeds_from_the_due_index_postgresql(pg_url):
    from store.dialect import pg_statement
    from store.leases import BUSY_SQL, DUE_SQL

    with _many_leases(pg_url) as store:
        stamp = "2026-11-20T12:00:00Z"
        plans = {}
        for name, sql, params in (
            ("due", DUE_SQL + " FOR UPDATE OF l SKIP LOCKED", (stamp, stamp, stamp, stamp, 64)),
            ("busy", BUSY_SQL, (stamp,)),
        ):
            text, _ = pg_statement(sql, frozenset())
            with store.conn.raw.cursor() as cur:
                cur.execute("EXPLAIN " + text, params)  # type: ignore[arg-type]
                plans[name] = "\n".join(r[0] for r in cur.fetchall())
    assert "feed_leases_due" in plans["due"] and "Sort" not in plans["due"], plans["due"]
    assert "Seq Scan" not in plans["busy"], plans["busy"]


def _paragraph_rows(prefix: str, count: int) -> list[dict]:
    """`count` archive rows of real MFA paragraphs, each its own title, URL and text."""
    paragraphs = [
        p.strip()
        for row in corpus_rows("mfa_spokesperson_2016_2020/mfa_en.jsonl", limit=40)
        for p in row["text"].split("\n")
        if len(p.strip()) > 80
    ]
    return [
        {
            "title": f"{prefix} {k}",
            "text": f"{paragraphs[k % len(paragraphs)]} ({prefix} {k})",
            "date": f"2020-{1 + k % 12:02d}-{1 + k % 28:02d}",
            "url": f"https://{prefix}.example/{k}",
        }
        for k in range(count)
    ]


def test_a_new_sources_duplicate_lookups_use_its_key_index_postgresql(pg_url, tmp_path):
    """A source added after `items` was analysed: the planner's estimate of its rows is
    about zero, and it used to read each duplicate look-up through items_source_day, every
    stored item of the source (a 10,000-row archive into a 1M-item store: 18x SQLite).
    After a transaction stores 1,000 items of a source the planner thinks nearly empty,
    the store analyses the source column (store/planner_stats.py)."""
    from store.dialect import pg_statement
    from store.planner_stats import CHECK_AFTER, estimate

    fields = {"text": "text", "title": "title", "date": "date", "url": "url"}
    specs = []
    for name, count in (("old", 1_500), ("new", CHECK_AFTER + 200)):
        path = write_jsonl(tmp_path / f"{name}.jsonl", _paragraph_rows(name, count))
        specs.append(SourceSpec(name, "cn-official", "archive", {"path": str(path), "fields": fields}))
    for n in (1, 2):
        (tmp_path / f"c{n}").mkdir()
    settings = {"store": {"url": pg_url}}
    first = load_config(write_config(tmp_path / "c1", specs[:1], settings))
    both = load_config(write_config(tmp_path / "c2", specs, settings))
    lexicon = load_lexicon(first.lexicon_path)
    with Store(pg_url) as store:
        Ingest(first, lexicon, store, now=NOW).run()
        store.conn.execute("ANALYZE items")  # what autovacuum does: before the new source existed
        assert estimate(store.conn, "new") < 10
        report = Ingest(both, lexicon, store, now=NOW).run()
        assert report.new == CHECK_AFTER + 200
        assert estimate(store.conn, "new") >= 100
        for sql in (Store.FIND_DUPLICATE_SQL, "SELECT id FROM items WHERE source_id = ?1 AND content_hash = ?2"):
            text, order = pg_statement(sql, frozenset())
            params = ("new", "0" * 64, "https://new.example/x", "https://new.example/x")
            with store.conn.raw.cursor() as cur:
                plan = "\n".join(r[0] for r in cur.execute("EXPLAIN " + text, [params[i] for i in order or ()]))
            assert "items_source_day" not in plan, plan
            assert "items_source_hash" in plan, plan
