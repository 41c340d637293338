"""A GUID (or link) shared by different entries of one feed does not make them one item;
an entry's own GUID still recognises a later, edited version of it.  Every test with a
store runs on SQLite and on a real PostgreSQL server (`store_url`), where the unique
keys per source are the database's own constraints."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from ingest.config import load_config
from ingest.identity import place
from ingest.items import make_item
from store import Store
from store.records import StoredIdentity
from store.watches import Watch, WatchBook
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


def test_five_distinct_items_sharing_one_guid_are_all_kept_and_not_duplicated_on_rerun(tmp_path, store_url):
    cfg, first = _run(tmp_path, _distinct(lambda i: f"https://news.example/{i}"))
    assert first.new == 5
    again = run_ingest(cfg, now=NOW)
    assert again.new == 0 and again.duplicates == 5
    assert sorted(r["title"] for r in rows(cfg, "SELECT title FROM items")) == sorted(f"Report on {t}" for t in TOPICS)


def test_distinct_items_sharing_guid_and_link_are_all_kept(tmp_path, store_url):
    cfg, first = _run(tmp_path, _distinct(lambda i: "https://news.example/"))
    assert first.new == 5
    assert run_ingest(cfg, now=NOW).new == 0


def test_the_same_entry_twice_in_one_feed_is_stored_once(tmp_path, store_url):
    item = FeedItem("Cold War mentality", "The zero-sum game again.", "https://news.example/a", NOW, guid="a")
    _, report = _run(tmp_path, [item, item])
    assert report.new == 1


def test_an_edited_entry_under_its_own_guid_is_the_same_item(tmp_path, store_url):
    items = [
        FeedItem("Cold War mentality", "The zero-sum game again.", "https://news.example/a", NOW, guid="a"),
        FeedItem("Bloc confrontation", "Another text.", "https://news.example/b", NOW, guid="b"),
    ]
    cfg, first = _run(tmp_path, items)
    assert first.new == 2
    items[0] = FeedItem("Cold War mentality (updated)", "The zero-sum game, corrected.", items[0].link, NOW, guid="a")
    (tmp_path / "feed.xml").write_bytes(rss(items))
    again = run_ingest(cfg, now=NOW)
    assert again.new == 0 and again.updated == 1 and again.duplicates == 1
    assert [r["title"] for r in rows(cfg, "SELECT title FROM items WHERE guid = 'a'")] == [
        "Cold War mentality (updated)"
    ]


# ---- across fetches of a real feed server, on both backends ------------------------------

LATER = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)
# Long enough (over 200 characters) that syndication is recognised by the body alone.
WIRE = (
    "The spokesperson said that the Cold War mentality and the zero-sum game belong to the past, "
    "and that every country should work for common security instead of rivalry. Officials repeated "
    "the point at the regular press briefing on Thursday, when they were asked about the summit."
)
EDITED = (
    "The spokesperson said that bloc confrontation belongs to the past, and that every country should "
    "work for common security instead of rivalry. Officials repeated the point at the regular press "
    "briefing on Thursday, when they were asked about the summit. (Corrected: an earlier version misquoted.)"
)


def _serve(feed_server, path, items):
    return feed_server.add_feed(path, rss(items))


def _figures_agree_with_a_rebuild(store_url):
    """The integrity the issue asks for: the daily tables equal a rebuild from the items, every
    syndication link points at an original of the same text in another source, every match
    quotes its item's text, and (SQLite) the file, foreign keys and full-text index check out."""
    with Store(store_url) as store:
        c = store.conn
        kept = [sorted(tuple(r) for r in c.execute(f"SELECT * FROM {t}")) for t in ("daily_source", "daily_concept")]
        with store.transaction():
            store.rebuild_daily()
            rebuilt = [
                sorted(tuple(r) for r in c.execute(f"SELECT * FROM {t}")) for t in ("daily_source", "daily_concept")
            ]
            c.execute("SELECT 1")
        assert kept == rebuilt
        bad_links = c.execute(
            """SELECT i.id FROM items i JOIN items o ON o.id = i.copy_of
               WHERE o.text_hash != i.text_hash OR o.source_id = i.source_id OR o.copy_of IS NOT NULL"""
        ).fetchall()
        assert not bad_links
        bad_quotes = c.execute(
            "SELECT m.item_id FROM matches m JOIN items i ON i.id = m.item_id "
            'WHERE substr(i.text, m.start + 1, m."end" - m.start) != m.text'
        ).fetchall()
        assert not bad_quotes
    if store_url.startswith("sqlite"):
        from tests.reliability_fixtures import health

        checked = health(Path(store_url.removeprefix("sqlite:///")))
        assert checked["integrity"] == ["ok"] and not checked["foreign_keys"] and checked["fts"] == "ok"


def test_a_reused_guid_in_a_later_fetch_is_a_new_item_and_an_edit_replaces_the_text(tmp_path, feed_server, store_url):
    from store.article_search import ArticleQuery
    from store.reads import StoreReader

    first = [
        FeedItem("Cold War mentality", WIRE, feed_server.url("/a"), NOW, guid="a"),
        FeedItem("Report on trade talks", "Officials discussed trade talks.", feed_server.url("/b1"), NOW, guid="same"),
    ]
    url_f = _serve(feed_server, "/f.xml", first)
    url_g = _serve(feed_server, "/g.xml", [FeedItem("Wire copy", WIRE, feed_server.url("/w"), NOW, guid="w")])
    cfg = write_config(
        tmp_path,
        [
            SourceSpec("f", "think-tanks", "feed", {"url": url_f}),
            SourceSpec("g", "western-gov", "feed", {"url": url_g}),
        ],
    )
    once = run_ingest(cfg, now=NOW)
    assert once.new == 3 and not once.errors
    pair = "SELECT copy_of FROM items WHERE guid = 'a' OR source_id = 'g'"
    assert sum(r["copy_of"] is not None for r in rows(cfg, pair)) == 1  # f and g carry one text (either may be first)

    with Store(load_config(cfg).store_target) as store:  # watches that counted the old text
        book = WatchBook(store.conn)
        for name, what in (("zero-sum", {"concepts": ("zero_sum",)}), ("misquote", {"query": "misquoted"})):
            book.save(Watch(name, "concepts" if "concepts" in what else "query", **what), NOW)
            book.evaluate(name)
    later = [
        FeedItem("Cold War mentality (corrected)", EDITED, feed_server.url("/a"), LATER, guid="a"),
        FeedItem(
            "Report on grain prices", "Officials discussed grain prices.", feed_server.url("/b2"), LATER, guid="same"
        ),
    ]
    _serve(feed_server, "/f.xml", later)
    twice = run_ingest(cfg, now=LATER)
    assert (twice.new, twice.updated) == (1, 1), twice.outcomes
    titles = sorted(r["title"] for r in rows(cfg, "SELECT title FROM items WHERE source_id = 'f'"))
    assert titles == ["Cold War mentality (corrected)", "Report on grain prices", "Report on trade talks"]
    edited = rows(cfg, "SELECT id, text, day, copy_of FROM items WHERE guid = 'a'")
    assert len(edited) == 1 and edited[0]["text"] == EDITED and edited[0]["day"] == "2026-11-21"
    concepts = {
        r["concept_id"] for r in rows(cfg, "SELECT concept_id FROM item_concepts WHERE item_id = ?", (edited[0]["id"],))
    }
    assert "bloc_confrontation" in concepts and "zero_sum" not in concepts
    # f and g no longer share a text: neither is a copy (g's copy became an original, or f's edit is no copy)
    assert all(r["copy_of"] is None for r in rows(cfg, pair))
    with StoreReader(load_config(cfg).store_target) as reader:
        found, _ = reader.search(ArticleQuery(text="misquoted"))
        assert list(found["id"]) == [edited[0]["id"]]
        old, _ = reader.search(ArticleQuery(text="zero-sum", sources=("f",)))
        assert old.empty
    _figures_agree_with_a_rebuild(store_url)
    watched = {
        r["watch_name"] for r in rows(cfg, "SELECT watch_name FROM watch_items WHERE item_id = ?", (edited[0]["id"],))
    }
    assert watched == {"misquote"}, "the watches count the edited item by its new text"

    thrice = run_ingest(cfg, now=LATER)
    assert (thrice.new, thrice.updated, thrice.duplicates) == (0, 0, 3)
    _figures_agree_with_a_rebuild(store_url)


def test_the_rule_for_a_shared_identifier():
    item = make_item(
        "f", "Report on grain prices", "Grain.", NOW, url="https://n.example/b2", guid="same", language="en"
    )
    by_guid = StoredIdentity(7, "guid", "Report on trade talks", "same", "https://n.example/b1")
    assert place(item, [by_guid]).action == "new" and place(item, [by_guid]).item.guid is None
    assert place(item, [replace(by_guid, canonical_url="https://n.example/b2")]).action == "update"
    assert place(item, [replace(by_guid, title="Report on grain prices")]).action == "update"
    assert place(replace(item, canonical_url=None), [replace(by_guid, canonical_url=None)]).action == "new"
    by_url = StoredIdentity(8, "url", "Home", "other", "https://n.example/b2")
    assert place(item, [by_url]).action == "new"  # two GUIDs disagree: links to a home page
    assert place(replace(item, guid=None), [by_url]).action == "update"  # the link is its only name
    assert place(item, [StoredIdentity(9, "hash", "x", None, None), by_url]).action == "duplicate"
