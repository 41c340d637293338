"""Property tests: feeds.parse_feed on any bytes returns typed records or raises
FeedParseError, nothing else.

Inputs: arbitrary bytes; real feeds from ../shared/corpus (feed-rs and feedparser
fixtures) cut short, with bytes flipped or spliced with random bytes; and RSS/Atom
documents built around arbitrary text in every field (markup, entities, control
characters, lone surrogates written as character references).
"""

from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from ingest import feeds
from store.records import ParsedEntry, ParsedFeed
from tests.builders import CORPUS

REAL_FEEDS = sorted((CORPUS / "feed_rs_fixtures").rglob("*.xml"))[:40] + sorted(
    (CORPUS / "feedparser_tests" / "illformed").rglob("*.xml")
)
SETTINGS = settings(max_examples=300, deadline=None)


def _check(body: bytes, content_type: str | None = None) -> None:
    try:
        parsed = feeds.parse_feed(body, "https://feed.example/rss", content_type)
    except feeds.FeedParseError as exc:
        assert str(exc).strip(), "a FeedParseError says what is wrong"
        return
    assert isinstance(parsed, ParsedFeed)
    assert isinstance(parsed.title, str) and isinstance(parsed.entries, tuple)
    assert parsed.warning is None or isinstance(parsed.warning, str)
    for e in parsed.entries:
        assert isinstance(e, ParsedEntry)
        assert isinstance(e.title, str) and isinstance(e.summary, str) and isinstance(e.content, str)
        for optional in (e.link, e.guid, e.published_raw, e.author, e.language):
            assert optional is None or isinstance(optional, str)
        assert e.published is None or (isinstance(e.published, datetime) and e.published.tzinfo is not None)


@SETTINGS
@given(
    body=st.binary(max_size=2000),
    content_type=st.none()
    | st.sampled_from(["application/rss+xml", "text/html", "text/xml; charset=utf-16", "application/json", "x/\x00"]),
)
@example(body=b"", content_type=None)
@example(body=b"\xef\xbb\xbf", content_type=None)
@example(
    body=b"<?xml version='1.0' encoding='bogus-9'?><rss><channel><item><title>t</title></item></channel></rss>",
    content_type=None,
)
@example(body=b"\xff\xfe<\x00r\x00s\x00s\x00>\x00", content_type=None)
def test_any_bytes_parse_or_raise_feed_parse_error(body, content_type):
    _check(body, content_type)


@SETTINGS
@given(
    index=st.integers(min_value=0, max_value=len(REAL_FEEDS) - 1),
    cut=st.floats(0, 1),
    flips=st.lists(st.tuples(st.floats(0, 1), st.integers(0, 255)), max_size=8),
    splice=st.binary(max_size=64),
)
def test_damaged_real_feeds_parse_or_raise_feed_parse_error(index, cut, flips, splice):
    data = bytearray(REAL_FEEDS[index].read_bytes())
    for where, value in flips:
        if data:
            data[int(where * (len(data) - 1))] = value
    end = int(cut * len(data))
    _check(bytes(data[:end]) + splice + bytes(data[end : end + 200]))


text = st.text(max_size=80) | st.sampled_from(
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "&amp;lt;script&amp;gt;",
        "]]>",
        "&#0;",
        "&#xD800;",
        "&bogus;",
        "<![CDATA[<b>x</b>]]>",
        "javascript:alert(1)",
        "\x00\x01\x1b",
        "Cold War mentality 冷战思维",
    ]
)


def _esc(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;")


@SETTINGS
@given(title=text, link=text, guid=text, description=text, date=text, raw=st.booleans(), atom=st.booleans())
@example(
    title="x",
    link="javascript:alert(1)",
    guid="",
    description="<p>x</p>",
    date="Tue, 99 Foo 2024",
    raw=True,
    atom=False,
)
def test_generated_feeds_with_any_field_text_give_typed_records(title, link, guid, description, date, raw, atom):
    f = (lambda v: v) if raw else _esc  # raw: the text goes in unescaped, as a broken generator would write it
    if atom:
        doc = (
            f'<feed xmlns="http://www.w3.org/2005/Atom"><title>{f(title)}</title><entry><title type="html">'
            f'{f(title)}</title><link href="{f(link)}"/><id>{f(guid)}</id><updated>{f(date)}</updated>'
            f'<content type="html">{f(description)}</content></entry></feed>'
        )
    else:
        doc = (
            f"<rss version='2.0'><channel><title>{f(title)}</title><item><title>{f(title)}</title>"
            f"<link>{f(link)}</link><guid>{f(guid)}</guid><pubDate>{f(date)}</pubDate>"
            f"<description>{f(description)}</description></item></channel></rss>"
        )
    _check(doc.encode("utf-8", "surrogatepass"))


# ---- bugs the properties above found (fixed; kept as regression tests) --------------------

ITEM = b"<rss version='2.0'><channel><item><title>t</title>%s</item></channel></rss>"
FEEDPARSER_ESCAPES = {
    "high byte in the declared encoding": b'<?xml version="1.0" encoding="iso-8859-\x807"?>' + ITEM % b"",
    "NUL in the declared encoding": b'<?xml version="1.0" encoding="iso-8859-\x007"?>' + ITEM % b"",
    "lone surrogate character reference": ITEM % b"<pubDate>&#xD800;</pubDate>",
}


@pytest.mark.parametrize("body", list(FEEDPARSER_ESCAPES.values()), ids=list(FEEDPARSER_ESCAPES))
def test_feedparser_value_errors_become_feed_parse_errors(body):
    try:
        parsed = feeds.parse_feed(body, "https://feed.example/rss")
    except feeds.FeedParseError:
        return
    assert isinstance(parsed, ParsedFeed)
