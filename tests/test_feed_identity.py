"""A GUID (or link) shared by different entries of one feed does not make them one item;
an entry's own GUID still recognises a later, edited version of it."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.builders import FeedItem, SourceSpec, rss, write_config
from tests.test_pipeline import rows, run_ingest

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
TOPICS = ["trade talks", "a harbour opening", "grain prices", "a port visit", "rail freight"]


def _distinct(link_of) -> list[FeedItem]:
    return [
        FeedItem(f"Report on {topic}", f"Officials discussed {topic} and the zero-sum game.", link_of(i), NOW, guid="1")
        for i, topic in enumerate(TOPICS)
    ]


def _run(tmp_path, items):
    feed = tmp_path / "feed.xml"
    feed.write_bytes(rss(items))
    cfg = write_config(tmp_path, [SourceSpec("f", "think-tanks", "feed", {"url": str(feed)})])
    return cfg, run_ingest(cfg, now=NOW)


def test_five_distinct_items_sharing_one_guid_are_all_kept_and_not_duplicated_on_rerun(tmp_path):
    cfg, first = _run(tmp_path, _distinct(lambda i: f"https://news.example/{i}"))
    assert first.new == 5
    again = run_ingest(cfg, now=NOW)
    assert again.new == 0 and again.duplicates == 5
    assert sorted(r["title"] for r in rows(cfg, "SELECT title FROM items")) == sorted(f"Report on {t}" for t in TOPICS)


def test_distinct_items_sharing_guid_and_link_are_all_kept(tmp_path):
    cfg, first = _run(tmp_path, _distinct(lambda i: "https://news.example/"))
    assert first.new == 5
    assert run_ingest(cfg, now=NOW).new == 0


def test_the_same_entry_twice_in_one_feed_is_stored_once(tmp_path):
    item = FeedItem("Cold War mentality", "The zero-sum game again.", "https://news.example/a", NOW, guid="a")
    _, report = _run(tmp_path, [item, item])
    assert report.new == 1


def test_an_edited_entry_under_its_own_guid_is_the_same_item(tmp_path):
    items = [
        FeedItem("Cold War mentality", "The zero-sum game again.", "https://news.example/a", NOW, guid="a"),
        FeedItem("Bloc confrontation", "Another text.", "https://news.example/b", NOW, guid="b"),
    ]
    cfg, first = _run(tmp_path, items)
    assert first.new == 2
    items[0] = FeedItem("Cold War mentality (updated)", "The zero-sum game, corrected.", items[0].link, NOW, guid="a")
    (tmp_path / "feed.xml").write_bytes(rss(items))
    again = run_ingest(cfg, now=NOW)
    assert again.new == 0 and again.duplicates == 2
