"""Watches and alerts on both backends: the same planted surge gives the same watch
items, the same decided events and the same deliveries on SQLite and on a real
PostgreSQL server (tests/pg_fixtures.py)."""

from __future__ import annotations

import json

from ingest.alerting import after_run
from ingest.config import load_config
from ingest.lexicon import load_lexicon
from ingest.pipeline import Ingest
from store import Store, now_utc
from store.reads import StoreReader
from store.watch_reads import WatchReads
from store.watches import AlertRules, Watch, WatchBook
from tests.alert_receivers import WebhookReceiver
from tests.builders import SourceSpec, write_config, write_jsonl
from tests.dashboard_fixtures import FIELDS, NOW
from tests.test_alerts import BASELINE, SECRET, SURGE, WEST_AFTER, WEST_BEFORE


def ingest(config_path) -> None:
    config = load_config(config_path)
    with Store(config.store_target) as store:
        Ingest(config, load_lexicon(config.lexicon_path), store, now=NOW).run(None)


def test_watches_and_alerts_give_the_same_results_on_each_backend(tmp_path, store_url, monkeypatch):
    monkeypatch.setenv("MONITOR_WEBHOOK_SECRET", SECRET)
    wire = write_jsonl(tmp_path / "wire.jsonl", BASELINE)
    west = write_jsonl(tmp_path / "west.jsonl", WEST_BEFORE)
    with WebhookReceiver() as hook:
        config_path = write_config(
            tmp_path,
            [
                SourceSpec("wire", "cn-official", "archive", {"path": str(wire), "fields": FIELDS}),
                SourceSpec("west", "western-media", "archive", {"path": str(west), "fields": FIELDS}),
            ],
            settings={"alerts": {"webhook_url": hook.url, "backoff_seconds": 0.01}},
        )
        ingest(config_path)
        config = load_config(config_path)
        rules = AlertRules(True, 5, ("western-media",), ("west",))
        with Store(config.store_target) as store:
            book = WatchBook(store.conn)
            book.save(Watch("gsi", "concept", concepts=("global_security_initiative",), rules=rules), now_utc())
            book.save(
                Watch("q", "query", query='"global security initiative" -title:Doubts', rules=AlertRules(rise=False)),
                now_utc(),
            )
            assert book.evaluate("gsi") == 4 and book.evaluate("q") == 4
            assert after_run(config, store).decided == []
        write_jsonl(wire, BASELINE + SURGE)
        write_jsonl(west, WEST_AFTER)
        ingest(config_path)
        with Store(config.store_target) as store:
            report = after_run(config, store)
            assert sorted(e.event_key.split(":")[0] for e in report.decided) == ["first", "item", "item", "rise"]
            assert report.delivered == {"webhook": 4}
            assert after_run(config, store).decided == []
            assert WatchBook(store.conn).count("q") == 4 + 21 + 1  # the distanced "Doubts" item left out
        with StoreReader(config.store_target) as reader:
            daily = WatchReads(reader.conn).daily(["gsi"], "2026-11-02", "2026-11-08")
            assert int(daily["items"].sum()) == 23 and int(daily["own_items"].sum()) == 22
        keys = sorted(e["key"] for post in hook.accepted for e in json.loads(post.body)["events"])
        assert len(keys) == 4 and keys[-1] == "rise:gsi:2026-W45"


def test_a_worker_evaluates_alerts_after_a_round_that_stored_items(tmp_path, feed_server, pg_url, monkeypatch):
    import time
    from datetime import UTC, datetime

    from ingest.worker import WorkerOptions, run_worker
    from tests.builders import FeedItem, rss

    monkeypatch.setenv("MONITOR_STORE_URL", pg_url)
    day = datetime(2026, 11, 3, 9, tzinfo=UTC)
    plain = [FeedItem("Weather", "Ministers discussed trade and the weather.", "http://127.0.0.1/a/1", day)]
    url = feed_server.add_feed("/a.xml", rss(plain))
    config_path = write_config(tmp_path, [SourceSpec("feed-a", "western-media", "feed", {"url": url})])
    config = load_config(config_path)
    lexicon = load_lexicon(config.lexicon_path)
    options = WorkerOptions(concurrency=2, interval_seconds=2.0, poll_seconds=0.1, once=True)
    assert run_worker(config, lexicon, options).new == 1
    with Store(config.store_target) as store:
        rules = AlertRules(False, 5, (), ("feed-a",))
        WatchBook(store.conn).save(
            Watch("gsi", "concept", concepts=("global_security_initiative",), rules=rules), now_utc()
        )
    gsi = FeedItem("GSI", "The Global Security Initiative was praised at length.", "http://127.0.0.1/a/2", day)
    feed_server.add_feed("/a.xml", rss([*plain, gsi]))
    time.sleep(2.2)  # the feed is due again
    assert run_worker(config, lexicon, options).new == 1
    with StoreReader(config.store_target) as reader:
        keys = [r[0] for r in reader.conn.execute("SELECT event_key FROM alert_events").fetchall()]
    assert len(keys) == 1 and keys[0].startswith("item:gsi:")
