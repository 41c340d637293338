"""One lock per store file however it is named; read-only commands never need a write lock."""

from __future__ import annotations

import os
import sqlite3
from contextlib import contextmanager

import pytest

from ingest.config import load_config
from ingest.runlock import IngestBusy, RunLock
from tests.builders import FeedItem, SourceSpec, rss, write_config
from tests.reliability_fixtures import run_cli
from tests.test_pipeline import NOW, run_ingest


def test_the_same_store_through_a_symlink_shares_one_lock(tmp_path):
    real = tmp_path / "data" / "monitor.sqlite3"
    real.parent.mkdir()
    real.touch()
    link_dir = tmp_path / "elsewhere"
    link_dir.mkdir()
    (link_dir / "store.sqlite3").symlink_to(real)
    (tmp_path / "data-link").symlink_to(real.parent, target_is_directory=True)
    with RunLock(real):
        for alias in (
            link_dir / "store.sqlite3",
            tmp_path / "data-link" / "monitor.sqlite3",
            tmp_path / "data" / ".." / "data" / "monitor.sqlite3",
        ):
            with pytest.raises(IngestBusy, match=f"pid {os.getpid()}"), RunLock(alias):
                pass


def test_a_second_ingest_through_a_symlinked_config_is_refused_while_the_first_runs(tmp_path):
    feed = tmp_path / "feed.xml"
    feed.write_bytes(rss([FeedItem("Cold War mentality", "Zero-sum game.", "https://x.example/1", NOW, guid="1")]))
    cfg = write_config(tmp_path, [SourceSpec("f", "think-tanks", "feed", {"url": str(feed)})])
    store = load_config(cfg).store_path
    run_ingest(cfg)
    other = tmp_path / "other"
    other.mkdir()
    (other / "same.sqlite3").symlink_to(store)
    alias_cfg = other / "config.toml"
    alias_cfg.write_text(
        cfg.read_text(encoding="utf-8").replace(str(store), str(other / "same.sqlite3")), encoding="utf-8"
    )
    with RunLock(store):  # the first ingest, as far as the lock is concerned
        done = run_cli(alias_cfg, "run", timeout=120)
    assert done.returncode == 3 and "Another ingest" in done.stderr, done.stderr


def test_stats_answers_while_an_ingest_holds_the_write_lock(tmp_path):
    feed = tmp_path / "feed.xml"
    feed.write_bytes(rss([FeedItem("Cold War mentality", "Zero-sum game.", "https://x.example/1", NOW, guid="1")]))
    cfg = write_config(tmp_path, [SourceSpec("f", "think-tanks", "feed", {"url": str(feed)})])
    run_ingest(cfg)
    store = load_config(cfg).store_path
    writer = sqlite3.connect(store, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")  # what an ingest holds while it stores a source
        writer.execute("UPDATE meta SET value = value WHERE key = 'lexicon_hash'")
        done = run_cli(cfg, "stats", timeout=120)
        health = run_cli(cfg, "feeds", "health", timeout=120)
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert done.returncode == 0, done.stderr
    assert "items          1" in done.stdout and "locked" not in done.stderr
    assert health.returncode == 0 and "locked" not in health.stderr, health.stderr
    before = store.stat().st_mtime_ns
    assert run_cli(cfg, "stats").returncode == 0 and store.stat().st_mtime_ns == before, "stats wrote nothing"


READ_ONLY_COMMANDS = (
    ("stats",),
    ("feeds", "health"),
    ("watch", "list"),
    ("watch", "show", "zero-sum"),
    ("watch", "export"),
    ("alerts", "list"),
    ("briefing", "--week", "2026-W47"),
)


@contextmanager
def _writer_holding_the_store(store_url: str, store_path):
    """What an ingest holds while it stores a source: SQLite, the write lock (BEGIN IMMEDIATE,
    a real WAL file); PostgreSQL, every table locked against any writer."""
    if store_url.startswith("sqlite"):
        writer = sqlite3.connect(store_path, isolation_level=None)
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("UPDATE meta SET value = value WHERE key = 'lexicon_hash'")
        try:
            yield
        finally:
            writer.execute("ROLLBACK")
            writer.close()
        return
    import psycopg

    with psycopg.connect(store_url) as conn:
        tables = [r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
        conn.execute(f"LOCK TABLE {', '.join(tables)} IN EXCLUSIVE MODE")  # readers pass, writers wait
        yield
        conn.rollback()


def test_every_read_only_command_answers_while_an_ingest_holds_the_write_lock(tmp_path, store_url):
    feed = tmp_path / "feed.xml"
    feed.write_bytes(rss([FeedItem("Cold War mentality", "Zero-sum game.", "https://x.example/1", NOW, guid="1")]))
    cfg = write_config(tmp_path, [SourceSpec("f", "think-tanks", "feed", {"url": str(feed)})])
    run_ingest(cfg)
    added = run_cli(cfg, "watch", "add", "zero-sum", "--query", "zero-sum", timeout=120)
    assert added.returncode == 0, added.stderr
    store = load_config(cfg).store_target.path
    with _writer_holding_the_store(store_url, store):
        done = {" ".join(cmd): run_cli(cfg, *cmd, timeout=60) for cmd in READ_ONLY_COMMANDS}
    for cmd, result in done.items():
        assert result.returncode == 0 and "locked" not in result.stderr, f"{cmd}: {result.stderr}"
    assert "zero-sum" in done["watch list"].stdout and "zero-sum" in done["watch show zero-sum"].stdout
    if store is not None:
        before = (store.stat().st_mtime_ns, store.stat().st_size)
        for cmd in READ_ONLY_COMMANDS:
            assert run_cli(cfg, *cmd, timeout=60).returncode == 0
        assert (store.stat().st_mtime_ns, store.stat().st_size) == before, "a read-only command wrote"
