"""Every feed file of feedparser's and feed-rs's test corpora through parse_feed: typed records or FeedParseError."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from ingest.feeds import FeedParseError, parse_feed
from store.records import ParsedEntry, ParsedFeed

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
ROOTS = (CORPUS / "feedparser_tests", CORPUS / "feed_rs_fixtures")
FILES = sorted(p for root in ROOTS for p in root.rglob("*") if p.is_file() and not p.name.startswith("LICENSE"))


def _check_entry(entry: ParsedEntry, where: str) -> None:
    assert isinstance(entry.title, str) and isinstance(entry.summary, str) and isinstance(entry.content, str), where
    for name in ("link", "guid", "published_raw", "author", "language"):
        assert getattr(entry, name) is None or isinstance(getattr(entry, name), str), (where, name)
    if entry.published is not None:
        assert isinstance(entry.published, datetime), where
        assert entry.published.utcoffset() == timedelta(0), where
    for text in (entry.title, entry.summary, entry.content):
        assert "<script" not in text.lower(), where


def test_the_corpus_is_there():
    assert len(FILES) > 2000


def test_every_corpus_file_parses_or_is_refused_in_words():
    parsed = refused = with_entries = 0
    for path in FILES:
        where = str(path.relative_to(CORPUS))
        try:
            feed = parse_feed(path.read_bytes(), path.as_uri())
        except FeedParseError as exc:
            assert str(exc), where
            refused += 1
            continue
        assert isinstance(feed, ParsedFeed) and isinstance(feed.title, str), where
        assert isinstance(feed.entries, tuple), where
        assert feed.warning is None or isinstance(feed.warning, str), where
        for entry in feed.entries:
            _check_entry(entry, where)
        parsed += 1
        with_entries += bool(feed.entries)
    # feedparser's many feed-level tests have no entries and some are ill-formed on purpose.
    assert parsed >= 1900 and with_entries >= 900, (parsed, refused, with_entries)


@pytest.mark.parametrize(
    "name",
    ["rss_2.0_nbcny.xml", "rss_2.0_spiegel.xml", "rss_2.0_bbc.xml", "rss_2.0_ilgiornale.xml", "rss_2.0_wirecutter.xml"],
)
def test_real_outlet_feeds_give_dated_entries(name):
    path = CORPUS / "feed_rs_fixtures" / "rss2" / name
    feed = parse_feed(path.read_bytes(), "https://example.org/feed.xml")
    assert feed.title and feed.entries
    assert all(e.title or e.summary for e in feed.entries)
    assert sum(e.published is not None for e in feed.entries) >= len(feed.entries) * 0.9
    assert all(e.link is None or e.link.startswith("http") for e in feed.entries)
    tag = re.compile(r"</?(?:p|a|div|img|br|span|strong)\b[^>]*>", re.IGNORECASE)
    assert not any(tag.search(e.summary) or tag.search(e.content) for e in feed.entries), "HTML left in plain text"


def test_malformed_real_reuters_feed_is_refused_with_a_reason():
    path = CORPUS / "feed_rs_fixtures" / "rss2" / "rss_2.0_invalid_1.xml"
    with pytest.raises(FeedParseError, match="not a feed: SAXParseException"):
        parse_feed(path.read_bytes(), "https://www.reuters.com/rss")


def test_sanitize_corpus_never_leaks_markup_into_plain_text():
    sanitize = sorted((CORPUS / "feedparser_tests" / "wellformed" / "sanitize").glob("*.xml"))
    assert len(sanitize) > 500
    for path in sanitize:
        try:
            feed = parse_feed(path.read_bytes(), "https://example.org/")
        except FeedParseError:
            continue
        for entry in feed.entries:
            for text in (entry.title, entry.summary, entry.content):
                assert "javascript:" not in text.lower() or "<" not in text, path.name
                assert "onclick=" not in text.lower() and "<iframe" not in text.lower(), path.name
