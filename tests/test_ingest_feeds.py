"""Feeds through the whole ingest, served by a real HTTP server on 127.0.0.1.  What the
store keeps of a feed (its items, ETag, redirects, backoff) is checked on SQLite and on a
real PostgreSQL server (`store_url`); parsing tests (encodings, the corpus) on SQLite."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ingest.config import load_config
from store.db import open_connection
from tests.builders import CORPUS, FeedItem, SourceSpec, rss, write_config
from tests.test_pipeline import run_ingest

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
GSI = (
    "President Xi proposed the Global Security Initiative, calling for common, comprehensive, cooperative "
    "and sustainable security and rejecting the Cold War mentality."
)


def _items(n: int, prefix: str = "a") -> list[FeedItem]:
    return [
        FeedItem(
            f"Story {prefix}{i}",
            f"{GSI} Paragraph {prefix}{i}.",
            f"http://example.org/{prefix}/{i}?utm_source=rss",
            NOW - timedelta(days=i),
            guid=f"{prefix}-{i}",
        )
        for i in range(n)
    ]


def _db(cfg):
    """A read-only connection to the config's store, either backend; rows read by column name."""
    return open_connection(load_config(cfg).store_target, readonly=True)


def test_feed_ingest_then_conditional_rerun_costs_no_parse_and_no_duplicates(tmp_path, feed_server, store_url):
    url = feed_server.add_feed("/gsi.xml", rss(_items(5)), etag='"v1"', last_modified="Wed, 18 Nov 2026 10:00:00 GMT")
    cfg = write_config(tmp_path, [SourceSpec("gsi", "cn-official", "feed", {"url": url})])
    first = run_ingest(cfg)
    assert first.new == 5 and not first.errors
    second = run_ingest(cfg, now=NOW + timedelta(hours=1))
    assert second.outcomes[0].status == "not-modified" and second.new == 0
    sent = feed_server.requests_for("/gsi.xml")[-1]
    assert sent.header("If-None-Match") == '"v1"'
    conn = _db(cfg)
    assert conn.execute("SELECT count(*) FROM items").fetchone()[0] == 5
    state = conn.execute("SELECT * FROM feed_state").fetchone()
    assert state["etag"] == '"v1"' and state["status"] == "not-modified" and state["consecutive_failures"] == 0


def test_changed_feed_adds_only_new_items(tmp_path, feed_server, store_url):
    url = feed_server.add_feed("/f.xml", rss(_items(3)))
    cfg = write_config(tmp_path, [SourceSpec("f", "think-tanks", "feed", {"url": url})])
    run_ingest(cfg)
    feed_server.add_feed("/f.xml", rss(_items(3) + _items(2, prefix="b")))
    again = run_ingest(cfg, now=NOW + timedelta(hours=1))
    assert (again.new, again.duplicates) == (2, 3)


def test_tracking_parameters_and_www_do_not_make_a_new_item(tmp_path, feed_server, store_url):
    one = FeedItem("Same", GSI, "https://www.example.org/x?utm_campaign=a", NOW)
    two = FeedItem("Same, edited title", GSI + " Updated.", "http://example.org/x/#comments", NOW)
    url = feed_server.add_feed("/s.xml", rss([one]))
    cfg = write_config(tmp_path, [SourceSpec("s", "think-tanks", "feed", {"url": url})])
    run_ingest(cfg)
    feed_server.add_feed("/s.xml", rss([two]))
    assert run_ingest(cfg, now=NOW + timedelta(hours=1)).new == 0


def test_permanent_redirect_updates_the_stored_url(tmp_path, feed_server, store_url):
    new_url = feed_server.add_feed("/new.xml", rss(_items(2)))
    old_url = feed_server.add_redirect("/old.xml", new_url, status=301)
    cfg = write_config(tmp_path, [SourceSpec("moved", "think-tanks", "feed", {"url": old_url})])
    assert run_ingest(cfg).new == 2
    state = _db(cfg).execute("SELECT url FROM feed_state").fetchone()
    assert state["url"] == new_url
    run_ingest(cfg, now=NOW + timedelta(hours=1))
    assert len(feed_server.requests_for("/old.xml")) == 1, "the second run goes straight to the new URL"


def test_429_backs_off_and_the_other_feeds_are_unaffected(tmp_path, feed_server, store_url):
    busy = feed_server.add("/busy.xml", b"slow down", status=429, headers={"Retry-After": "3600"})
    broken = feed_server.add("/broken.xml", b"<html><body>Oops</body></html>", headers={"Content-Type": "text/html"})
    good = feed_server.add_feed("/good.xml", rss(_items(3)))
    cfg = write_config(
        tmp_path,
        [
            SourceSpec("busy", "think-tanks", "feed", {"url": busy}),
            SourceSpec("broken", "think-tanks", "feed", {"url": broken}),
            SourceSpec("good", "think-tanks", "feed", {"url": good}),
        ],
    )
    report = run_ingest(cfg)
    by_id = {o.source_id: o for o in report.outcomes}
    assert by_id["good"].new == 3
    assert "429" in by_id["busy"].error and by_id["broken"].error
    state = {r["source_id"]: r for r in _db(cfg).execute("SELECT * FROM feed_state")}
    assert state["busy"]["http_status"] == 429 and state["busy"]["next_attempt_at"] >= "2026-11-20T13:00"
    later = run_ingest(cfg, now=NOW + timedelta(minutes=10))
    assert {o.source_id: o.status for o in later.outcomes}["busy"] == "skipped"
    assert len(feed_server.requests_for("/busy.xml")) == 1, "not polled again before Retry-After"


@pytest.mark.parametrize("encoding", ["gb2312", "iso-8859-1"])
def test_feeds_in_legacy_encodings(tmp_path, feed_server, encoding):
    title = "中国提出全球安全倡议" if encoding == "gb2312" else "Sécurité commune: la Chine rejette la mentalité"
    text = "摒弃冷战思维，践行共同、综合、合作、可持续的安全观。" if encoding == "gb2312" else GSI
    body = (
        f'<?xml version="1.0" encoding="{encoding}"?><rss version="2.0"><channel><title>t</title>'
        f"<item><title>{title}</title><link>http://example.org/1</link><description>{text}</description>"
        "<pubDate>Thu, 19 Nov 2026 08:00:00 GMT</pubDate></item></channel></rss>"
    ).encode(encoding)
    url = feed_server.add_feed("/enc.xml", body, content_type="application/rss+xml")
    cfg = write_config(tmp_path, [SourceSpec("enc", "regional-media", "feed", {"url": url})])
    assert run_ingest(cfg).new == 1
    row = _db(cfg).execute("SELECT title, text, matching FROM items").fetchone()
    assert row["title"] == title and row["matching"] == 1


def _corpus_feeds():
    roots = [CORPUS / "feedparser_tests", CORPUS / "feed_rs_fixtures"]
    suffixes = (".xml", ".rss", ".atom", ".rdf")
    return sorted(p for root in roots if root.exists() for p in root.rglob("*") if p.suffix in suffixes)


def test_every_corpus_feed_runs_through_the_ingest_without_a_crash(tmp_path):
    feeds = _corpus_feeds()
    if not feeds:
        pytest.skip("../shared/corpus is not beside the checkout")
    # Sample across folders to keep the suite quick; every file is parsed in test_feed_corpus.py.
    sample = feeds[:: max(1, len(feeds) // 300)]
    specs = [SourceSpec(f"c{i}", "western-media", "feed", {"url": str(p)}) for i, p in enumerate(sample)]
    cfg = write_config(tmp_path, specs)
    report = run_ingest(cfg)
    assert len(report.outcomes) == len(sample)
    for o in report.outcomes:
        assert o.status in ("ok", "error"), o
        if o.error:
            assert "Traceback" not in o.error and not o.error.startswith(("TypeError", "AttributeError", "KeyError"))
    conn = _db(cfg)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("SELECT count(*) FROM items").fetchone()[0] > 50


ARTICLE = """<html><head><title>Long read</title></head><body><nav>Home | World | Opinion</nav>
<article><h1>Long read</h1>{paras}</article><footer>Copyright 2026 Example News. All rights reserved.</footer>
</body></html>"""


def _article_html() -> bytes:
    paras = "".join(
        f"<p>Paragraph {i}: officials said the Asia-Pacific version of NATO would bring bloc confrontation, "
        "and that zero-sum thinking undermines regional stability and long-term development.</p>"
        for i in range(8)
    )
    return ARTICLE.format(paras=paras).encode()


@pytest.mark.parametrize("allowed", [True, False])
def test_full_text_is_fetched_only_from_allowed_addresses(tmp_path, feed_server, allowed):
    page = feed_server.add("/article/1", _article_html(), headers={"Content-Type": "text/html; charset=utf-8"})
    summary_only = [FeedItem("Long read", "A short teaser.", page, NOW, guid="long-1")]
    url = feed_server.add_feed("/teasers.xml", rss(summary_only))
    settings = {"ingest": {"fulltext_allow_hosts": ["127.0.0.1"] if allowed else []}}
    cfg = write_config(
        tmp_path, [SourceSpec("teasers", "western-media", "feed", {"url": url, "full_text": True})], settings=settings
    )
    assert run_ingest(cfg).new == 1
    row = _db(cfg).execute("SELECT text, summary FROM items").fetchone()
    if allowed:
        assert "Asia-Pacific version of NATO" in row["text"] and "All rights reserved" not in row["text"]
        assert len(feed_server.requests_for("/article/1")) == 1
    else:
        assert row["text"] == "A short teaser.", "a loopback link from feed content is never fetched"
        assert feed_server.requests_for("/article/1") == []
