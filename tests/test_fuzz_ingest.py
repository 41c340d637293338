"""Fuzz targets over the whole ingest: one feed body served by the real HTTP server, one archive
row, and the config and lexicon loaders. Whatever the input, the run ends with stored items or a
worded error for that source, never a traceback, and within its deadline; and (feed bodies and
archive rows) the same outcome on a real PostgreSQL server as on SQLite.
"""

from __future__ import annotations

import itertools
import json
import tempfile
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from ingest.config import load_config
from ingest.lexicon import Lexicon, LexiconError, load_lexicon
from ingest.pipeline import Ingest
from store import Store
from store.db import open_connection
from tests.builders import LEXICON, SourceSpec, write_config
from tests.feedserver import FeedServer
from tests.test_pipeline import NOW

# A hang shows up as an example over its deadline; generous for a machine shared by many.
FUZZ = settings(
    max_examples=60,
    deadline=timedelta(seconds=60),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
WORDLESS = ("Traceback", "internal error", "object has no attribute", "NoneType")


@pytest.fixture(scope="module")
def server():
    with FeedServer() as s:
        yield s


def _ingest(directory: Path, specs: list[SourceSpec], store_url: str | None = None):
    settings: dict[str, dict[str, object]] = {"ingest": {"timeout_seconds": 5.0}}
    if store_url:
        settings["store"] = {"url": store_url}
    cfg = write_config(directory, specs, settings=settings)
    config = load_config(cfg)
    with Store(config.store_target) as store:
        report = Ingest(config, load_lexicon(config.lexicon_path), store, now=NOW).run()
    return report, store_url or config.store_path


def _items(store: Path | str) -> int:
    conn = open_connection(store, readonly=True)
    try:
        return int(conn.execute("SELECT count(*) FROM items").fetchone()[0])
    finally:
        conn.close()


def _assert_worded(report, store: Path | str, before: int = 0) -> None:
    """No traceback's words in any message, and the store grew by the items reported new."""
    for outcome in report.outcomes:
        for text in (outcome.error, outcome.warning, *outcome.problems):
            if text:
                assert not any(w in text for w in WORDLESS), text
    assert _items(store) == before + report.new


text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60)
fragment = st.sampled_from(
    ["<", ">", "&", "&amp;", "&#0;", "&#xD800;", "]]>", "<![CDATA[", "<!DOCTYPE x [<!ENTITY e 'x'>]>", "\x00", "\ufeff"]
)
field = st.lists(text | fragment, max_size=4).map("".join)


@st.composite
def feed_bodies(draw) -> bytes:
    kind = draw(st.sampled_from(["bytes", "raw-rss", "raw-atom"]))
    if kind == "bytes":
        return draw(st.binary(max_size=600))
    items = draw(st.lists(st.tuples(field, field, field, field, field), max_size=4))
    if kind == "raw-rss":  # field text inserted unescaped: broken markup on purpose
        inner = "".join(
            f"<item><title>{t}</title><link>{lk}</link><guid>{g}</guid><pubDate>{d}</pubDate>"
            f"<description>{b}</description></item>"
            for t, lk, g, d, b in items
        )
        doc = (
            f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>x</title>{inner}</channel></rss>'
        )
    else:
        inner = "".join(
            f"<entry><title>{t}</title><link href='{lk}'/><id>{g}</id><updated>{d}</updated>"
            f"<content type='html'>{b}</content></entry>"
            for t, lk, g, d, b in items
        )
        doc = f'<feed xmlns="http://www.w3.org/2005/Atom"><title>x</title>{inner}</feed>'
    return doc.encode("utf-8", "surrogatepass")


@FUZZ
@given(
    body=feed_bodies(), content_type=st.sampled_from(["application/rss+xml", "text/html", "", "text/xml; charset=gbk"])
)
@example(body=b"", content_type="")
@example(
    body=b'<rss version="2.0"><channel><item><link>javascript:alert(1)</link></item></channel></rss>', content_type=""
)
def test_any_feed_body_gives_items_or_a_worded_error(server, body, content_type):
    url = server.add("/fuzz.xml", body, headers={"Content-Type": content_type} if content_type else {})
    with tempfile.TemporaryDirectory() as directory:
        report, store = _ingest(Path(directory), [SourceSpec("fuzz", "think-tanks", "feed", {"url": url})])
        _assert_worded(report, store)


json_value = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
    max_leaves=8,
)


@FUZZ
@given(
    row=st.fixed_dictionaries(
        {},
        optional={"text": json_value | field, "title": json_value, "date": json_value | text, "url": json_value},
    ),
    raw_line=st.none() | st.binary(max_size=120),
)
@example(row={"text": "Cold War mentality", "date": "10000-01-01"}, raw_line=None)
@example(row={"text": "x", "date": "1970-01-01T00:00:00Z", "url": "http://[::1"}, raw_line=None)
def test_any_archive_row_gives_items_or_a_worded_error(row, raw_line):
    with tempfile.TemporaryDirectory() as directory:
        archive = Path(directory) / "rows.jsonl"
        line = json.dumps(row, allow_nan=True).encode() if raw_line is None else raw_line
        archive.write_bytes(line + b"\n")
        fields = {"text": "text", "title": "title", "date": "date", "url": "url"}
        spec = SourceSpec("rows", "think-tanks", "archive", {"path": str(archive), "fields": fields})
        report, store = _ingest(Path(directory), [spec])
        _assert_worded(report, store)


# The same two targets on a real PostgreSQL server, where text cannot hold NUL and every
# value crosses a driver, against SQLite: whatever the input, both backends store the same
# number of items and report the same outcome (a row SQLite stores must not be an error on
# PostgreSQL).  One database per test, shared by its examples (fewer: each is a real run
# against the server), each example under a source id of its own.
PG_FUZZ = settings(FUZZ, max_examples=20)
_EXAMPLE = itertools.count()


def _outcomes(report) -> list[tuple]:
    return [(o.status, o.new, o.duplicates, o.updated, o.failed, o.error, o.warning) for o in report.outcomes]


def _same_on_both_backends(directory: Path, spec, pg_url: str) -> None:
    sid = f"fuzz{next(_EXAMPLE)}"
    (directory / "lite").mkdir()
    (directory / "pg").mkdir()
    lite, lite_store = _ingest(directory / "lite", [spec(sid)])
    Store(pg_url).close()  # made and migrated by the first example
    before = _items(pg_url)
    post, _ = _ingest(directory / "pg", [spec(sid)], pg_url)
    _assert_worded(lite, lite_store)
    _assert_worded(post, pg_url, before)
    assert _outcomes(post) == _outcomes(lite)


@PG_FUZZ
@given(body=feed_bodies(), content_type=st.sampled_from(["application/rss+xml", "text/xml; charset=gbk", ""]))
def test_any_feed_body_gives_the_same_outcome_on_postgresql(server, pg_url, body, content_type):
    url = server.add("/fuzz-pg.xml", body, headers={"Content-Type": content_type} if content_type else {})
    with tempfile.TemporaryDirectory() as directory:
        feed = {"url": url}
        _same_on_both_backends(Path(directory), lambda sid: SourceSpec(sid, "think-tanks", "feed", feed), pg_url)


@PG_FUZZ
@given(
    row=st.fixed_dictionaries(
        {},
        optional={"text": json_value | field, "title": json_value | field, "date": json_value | text, "url": field},
    ),
)
def test_any_archive_row_gives_the_same_outcome_on_postgresql(pg_url, row):
    with tempfile.TemporaryDirectory() as directory:
        archive = Path(directory) / "rows.jsonl"
        archive.write_bytes(json.dumps(row, allow_nan=True).encode() + b"\n")
        fields = {"text": "text", "title": "title", "date": "date", "url": "url"}

        def spec(sid: str) -> SourceSpec:
            return SourceSpec(sid, "think-tanks", "archive", {"path": str(archive), "fields": fields})

        _same_on_both_backends(Path(directory), spec, pg_url)


@settings(max_examples=150, deadline=timedelta(seconds=30), suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=400) | st.builds(lambda t: t.encode(), text))
@example(data=b"\xef\xbb\xbf" + LEXICON.read_bytes())
@example(data=("x = " + "[" * 50_000 + "]" * 50_000).encode())
def test_any_lexicon_bytes_give_a_lexicon_or_a_worded_error(data):
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "lexicon.toml"
        path.write_bytes(data)
        try:
            lexicon = load_lexicon(path)
        except LexiconError as exc:
            assert str(path) in str(exc) and "\n" not in str(exc)
        else:
            assert isinstance(lexicon, Lexicon)


@settings(max_examples=100, deadline=timedelta(seconds=30))
@given(
    concept=st.fixed_dictionaries(
        {"id": text, "label": text, "family": st.sampled_from(["conceptual", "x", ""]), "forms": json_value}
    )
)
def test_any_concept_entry_gives_a_lexicon_or_a_worded_error(concept):
    base = LEXICON.read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "lexicon.toml"
        entry = "\n".join(f"{k} = {json.dumps(v, ensure_ascii=False)}" for k, v in concept.items() if v is not None)
        path.write_text(base + "\n[[concepts]]\n" + entry + "\n", encoding="utf-8")
        try:
            load_lexicon(path)
        except LexiconError as exc:
            assert str(path) in str(exc)


@FUZZ
@given(header=st.sampled_from(["text,title,date,url", "text", "title,text,date", "text,date,text"]), line=field)
@example(header="text,title,date,url", line='"unclosed,quote')
@example(header="text,title,date,url", line="a" * 200_000)
def test_any_csv_archive_row_gives_items_or_a_worded_error(header, line):
    with tempfile.TemporaryDirectory() as directory:
        archive = Path(directory) / "rows.csv"
        archive.write_text(header + "\n" + line + "\n", encoding="utf-8", errors="surrogatepass")
        fields = {"text": "text", "title": "title", "date": "date", "url": "url"}
        spec = SourceSpec("rows", "think-tanks", "archive", {"path": str(archive), "fields": fields})
        report, store = _ingest(Path(directory), [spec])
        _assert_worded(report, store)


@PG_FUZZ
@given(header=st.sampled_from(["text,title,date,url", "text", "title,text,date", "text,date,text"]), line=field)
def test_any_csv_archive_row_gives_the_same_outcome_on_postgresql(pg_url, header, line):
    with tempfile.TemporaryDirectory() as directory:
        archive = Path(directory) / "rows.csv"
        archive.write_text(header + "\n" + line + "\n", encoding="utf-8", errors="surrogatepass")
        fields = {"text": "text", "title": "title", "date": "date", "url": "url"}

        def spec(sid: str) -> SourceSpec:
            return SourceSpec(sid, "think-tanks", "archive", {"path": str(archive), "fields": fields})

        _same_on_both_backends(Path(directory), spec, pg_url)


# ---- two fetches of one feed: reused and shared GUIDs, links, titles and texts ---------------

_pick = st.sampled_from
_LONG = "Officials said the zero-sum game and the Cold War mentality divide the region. " * 4  # a body hash
entry = st.tuples(
    _pick(["Cold War mentality", "Bloc confrontation", "Trade talks", ""]),
    _pick(["The zero-sum game again.", "Bloc confrontation is back.", "Grain prices rose.", _LONG]),
    _pick([None, "/a", "/b", "/"]),
    _pick([None, "1", "2", "/a"]),
    _pick([17, 18]),
)


@FUZZ
@given(first=st.lists(entry, max_size=5), second=st.lists(entry, max_size=5))
def test_two_fetches_with_shared_identifiers_keep_the_store_consistent(server, first, second):
    """Whatever GUIDs, links, titles and texts two fetches share, every item reported new is
    stored once, updates leave the daily tables equal to a rebuild and the full-text index whole."""
    from datetime import UTC, datetime

    from tests.builders import FeedItem, rss
    from tests.reliability_fixtures import health

    def body(entries) -> bytes:
        return rss(
            [
                FeedItem(t, x, server.url(lk) if lk else "", datetime(2026, 11, day, tzinfo=UTC), g)
                for t, x, lk, g, day in entries
            ]
        )

    with tempfile.TemporaryDirectory() as directory:
        url = server.add("/twice.xml", body(first), headers={"Content-Type": "application/rss+xml"})
        spec = [SourceSpec("twice", "think-tanks", "feed", {"url": url})]
        one, store = _ingest(Path(directory), spec)
        server.add("/twice.xml", body(second), headers={"Content-Type": "application/rss+xml"})
        two, _ = _ingest(Path(directory), spec)
        assert not one.errors and not two.errors
        with Store(store) as s:
            assert s.item_count() == one.new + two.new
            kept = [sorted(map(tuple, s.conn.execute(f"SELECT * FROM {t}"))) for t in ("daily_source", "daily_concept")]
            with s.transaction():
                s.rebuild_daily()
                rebuilt = [
                    sorted(map(tuple, s.conn.execute(f"SELECT * FROM {t}"))) for t in ("daily_source", "daily_concept")
                ]
            assert kept == rebuilt
        checked = health(store)
        assert checked["integrity"] == ["ok"] and not checked["foreign_keys"] and checked["fts"] == "ok"


def _twice(server, directory: Path, sid: str, first, second, store_url: str | None = None) -> list[list[tuple]]:
    """Two fetches of one feed into a store: each run's outcomes."""
    from datetime import UTC, datetime

    from tests.builders import FeedItem, rss

    def body(entries) -> bytes:
        return rss(
            [
                FeedItem(t, x, server.url(lk) if lk else "", datetime(2026, 11, day, tzinfo=UTC), g)
                for t, x, lk, g, day in entries
            ]
        )

    directory.mkdir()
    path = f"/twice-{sid}.xml"
    rss_type = {"Content-Type": "application/rss+xml"}
    spec = [SourceSpec(sid, "think-tanks", "feed", {"url": server.add(path, body(first), headers=rss_type)})]
    one, _ = _ingest(directory, spec, store_url)
    server.add(path, body(second), headers=rss_type)
    two, _ = _ingest(directory, spec, store_url)
    return [_outcomes(one), _outcomes(two)]


@settings(PG_FUZZ, max_examples=12)  # four runs and a rebuild each
@given(first=st.lists(entry, max_size=5), second=st.lists(entry, max_size=5))
def test_two_fetches_with_shared_identifiers_give_the_same_outcome_on_postgresql(server, pg_url, first, second):
    """What counts as new, duplicate or updated across two fetches is the same on both
    backends, and PostgreSQL's daily tables after the updates equal a rebuild."""
    sid = f"twice{next(_EXAMPLE)}"
    with tempfile.TemporaryDirectory() as directory:
        lite = _twice(server, Path(directory) / "lite", sid, first, second)
        post = _twice(server, Path(directory) / "pg", sid, first, second, pg_url)
    assert post == lite
    with Store(pg_url) as s:
        kept = _daily(s)
        with s.transaction():
            s.rebuild_daily()
            assert _daily(s) == kept


def _daily(store: Store) -> list[list[tuple]]:
    return [sorted(map(tuple, store.conn.execute(f"SELECT * FROM {t}"))) for t in ("daily_source", "daily_concept")]
