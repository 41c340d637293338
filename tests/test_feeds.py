"""ingest.feeds against a real HTTP server on 127.0.0.1: conditional GET, errors, limits, parsing."""

from __future__ import annotations

import socket
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from ingest.feeds import (
    FeedParseError,
    FetchSettings,
    backoff_seconds,
    due,
    fetch_all,
    fetch_feed,
    next_state,
    parse_feed,
    parse_retry_after,
)
from ingest.settings import SETTINGS
from store.records import FeedState, FetchResult
from tests.feedserver import FeedServer, http_date  # the feed_server fixture comes via conftest.py

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)

RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Commentary &amp; Analysis</title><link>https://example.org/</link>
<item><title>Cold War mentality &lt;again&gt;</title><link>/articles/1</link><guid>urn:1</guid>
<pubDate>Thu, 01 Feb 2024 10:00:00 +0800</pubDate><author>a@example.org (Ann Author)</author>
<description>&lt;p&gt;First paragraph with &amp;amp; entity.&lt;/p&gt;
&lt;p&gt;Second &lt;b&gt;bold&lt;/b&gt; one.&lt;/p&gt;&lt;script&gt;evil()&lt;/script&gt;</description>
</item>
<item><title>No date</title><link>https://example.org/2</link></item>
</channel></rss>"""

SETTINGS_FAST = FetchSettings(
    timeout_seconds=2.0,
    max_bytes=1_000_000,
    max_redirects=5,
    user_agent="discourse-monitor-test/1.0",
    backoff_base_seconds=300.0,
    backoff_max_seconds=21_600.0,
    concurrency=4,
)


def state(url: str, **kw) -> FeedState:
    return FeedState(source_id=kw.pop("source_id", "s1"), url=url, **kw)


@pytest.fixture
def client():
    with SETTINGS_FAST.make_client() as c:
        yield c


# ---------------------------------------------------------------- settings


def test_settings_from_config_uses_every_ingest_setting():
    class FakeConfig:
        def get(self, section, name):
            return next(s.default for s in SETTINGS if s.section == section and s.name == name)

    fs = FetchSettings.from_config(FakeConfig())
    assert fs.timeout_seconds == 20.0 and fs.max_bytes == 10_000_000 and fs.max_redirects == 5
    assert fs.user_agent.startswith("discourse-monitor") and fs.concurrency == 8


# ---------------------------------------------------------------- plain fetch and conditional GET


def test_fetch_sends_user_agent_and_accept_encoding(feed_server, client):
    url = feed_server.add_feed("/feed", RSS, etag='"v1"', last_modified="Mon, 01 Jan 2024 00:00:00 GMT")
    result = fetch_feed(client, state(url), SETTINGS_FAST)
    assert result.ok and result.body == RSS and result.http_status == 200
    assert result.etag == '"v1"' and result.last_modified == "Mon, 01 Jan 2024 00:00:00 GMT"
    sent = feed_server.requests_for("/feed")[0]
    assert sent.header("user-agent") == "discourse-monitor-test/1.0"
    assert "gzip" in sent.header("accept-encoding") and "deflate" in sent.header("accept-encoding")
    assert sent.header("if-none-match") is None and sent.header("if-modified-since") is None


def test_etag_sent_and_304_is_not_modified(feed_server, client):
    url = feed_server.add_feed("/feed", RSS, etag='W/"abc"', last_modified="Mon, 01 Jan 2024 00:00:00 GMT")
    result = fetch_feed(
        client, state(url, etag='W/"abc"', last_modified="Sun, 01 Jan 2023 00:00:00 GMT"), SETTINGS_FAST
    )
    assert result.ok and result.not_modified and result.body is None and result.http_status == 304
    sent = feed_server.requests_for("/feed")[0]
    assert sent.header("if-none-match") == 'W/"abc"'  # exactly as stored, weak prefix and quotes included
    assert sent.header("if-modified-since") is None  # ETag wins; the date is only a fallback


def test_last_modified_sent_when_no_etag(feed_server, client):
    stamp = http_date(1_700_000_000)
    url = feed_server.add_feed("/feed", RSS, last_modified=stamp)
    result = fetch_feed(client, state(url, last_modified=stamp), SETTINGS_FAST)
    assert result.not_modified
    assert feed_server.requests_for("/feed")[0].header("if-modified-since") == stamp


def test_changed_etag_gets_full_body(feed_server, client):
    url = feed_server.add_feed("/feed", RSS, etag='"v2"')
    result = fetch_feed(client, state(url, etag='"v1"'), SETTINGS_FAST)
    assert result.body == RSS and result.etag == '"v2"' and not result.not_modified


def test_gzip_body_is_decompressed(feed_server, client):
    import gzip

    url = feed_server.add(
        "/gz", gzip.compress(RSS), headers={"Content-Type": "application/rss+xml", "Content-Encoding": "gzip"}
    )
    assert fetch_feed(client, state(url), SETTINGS_FAST).body == RSS


def test_raw_deflate_body_is_decompressed(feed_server, client):
    import zlib

    raw = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    body = raw.compress(RSS) + raw.flush()
    url = feed_server.add("/df", body, headers={"Content-Type": "application/rss+xml", "Content-Encoding": "deflate"})
    assert fetch_feed(client, state(url), SETTINGS_FAST).body == RSS


# ---------------------------------------------------------------- HTTP errors and Retry-After


def test_404_is_a_sentence_and_not_retryable(feed_server, client):
    result = fetch_feed(client, state(feed_server.url("/gone")), SETTINGS_FAST)
    assert result.error == "HTTP 404 Not Found: the feed URL no longer exists"
    assert result.http_status == 404 and not result.retryable and result.body is None


def test_429_with_retry_after_seconds(feed_server, client):
    url = feed_server.add("/busy", b"slow down", status=429, headers={"Retry-After": "120"})
    result = fetch_feed(client, state(url), SETTINGS_FAST)
    assert result.http_status == 429 and result.retryable and result.retry_after_seconds == 120.0
    assert result.error.startswith("HTTP 429 Too Many Requests")


def test_503_with_retry_after_http_date(feed_server, client):
    when = time.time() + 3600
    url = feed_server.add("/down", b"", status=503, headers={"Retry-After": http_date(when)})
    result = fetch_feed(client, state(url), SETTINGS_FAST)
    assert result.retryable and 3500 < result.retry_after_seconds <= 3600


def test_500_is_retryable(feed_server, client):
    url = feed_server.add("/boom", b"oops", status=500)
    result = fetch_feed(client, state(url), SETTINGS_FAST)
    assert result.error == "HTTP 500 Internal Server Error: the server failed" and result.retryable


def test_parse_retry_after_forms():
    now = datetime(2024, 1, 1, tzinfo=UTC)
    assert parse_retry_after("30") == 30.0
    assert parse_retry_after("Mon, 01 Jan 2024 00:02:00 GMT", now) == 120.0
    assert parse_retry_after("Sun, 31 Dec 2023 00:00:00 GMT", now) == 0.0  # in the past: go now
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None and parse_retry_after("") is None


# ---------------------------------------------------------------- timeouts and connection errors


def test_server_that_never_answers_times_out(feed_server):
    url = feed_server.add_feed("/hang", RSS, delay_seconds=3)
    fast = replace(SETTINGS_FAST, timeout_seconds=0.5)
    with fast.make_client() as c:
        result = fetch_feed(c, state(url), fast)
    assert result.error == "timed out after 0.5 s" and result.retryable


def test_slow_drip_is_cut_off_by_the_total_deadline(feed_server):
    url = feed_server.add_drip("/drip", RSS * 10, interval=0.05)  # each read succeeds; the whole never ends in time
    fast = replace(SETTINGS_FAST, timeout_seconds=0.6)
    with fast.make_client() as c:
        started = time.monotonic()
        result = fetch_feed(c, state(url), fast)
    assert result.error == "timed out after 0.6 s" and result.retryable
    assert time.monotonic() - started < 2.0


def test_connection_refused(client):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    result = fetch_feed(client, state(f"http://127.0.0.1:{port}/feed"), SETTINGS_FAST)
    assert result.error == "connection refused by 127.0.0.1" and result.retryable


def test_dns_failure_names_the_host(client):
    result = fetch_feed(client, state("http://no-such-host.invalid/feed"), SETTINGS_FAST)
    assert result.error in ("DNS lookup failed for host no-such-host.invalid", "timed out after 2 s")
    assert result.retryable


def test_tls_error_is_named(feed_server, client):
    # Speaking TLS to a plain-HTTP port fails the handshake.
    result = fetch_feed(client, state(f"https://127.0.0.1:{feed_server.port}/feed"), SETTINGS_FAST)
    assert result.error.startswith("TLS error with 127.0.0.1")


def test_unsupported_scheme_is_an_error(client):
    result = fetch_feed(client, state("ftp://example.org/feed.xml"), SETTINGS_FAST)
    assert result.error.startswith("not a fetchable URL") and not result.retryable


# ---------------------------------------------------------------- redirects


def test_permanent_redirect_chain_updates_the_url(feed_server, client):
    final = feed_server.add_feed("/new", RSS)
    feed_server.add_redirect("/mid", "/new", status=308)
    url = feed_server.add_redirect("/old", feed_server.url("/mid"), status=301)
    result = fetch_feed(client, state(url), SETTINGS_FAST)
    assert result.ok and result.body == RSS
    assert result.final_url == final and result.permanent_url == final
    assert next_state(state(url), result, NOW, SETTINGS_FAST).url == final


def test_temporary_redirect_keeps_the_url(feed_server, client):
    final = feed_server.add_feed("/today", RSS)
    url = feed_server.add_redirect("/feed", "/today", status=302)
    result = fetch_feed(client, state(url), SETTINGS_FAST)
    assert result.final_url == final and result.permanent_url is None
    assert next_state(state(url), result, NOW, SETTINGS_FAST).url == url


def test_permanent_then_temporary_moves_to_the_permanent_target(feed_server, client):
    feed_server.add_feed("/cdn", RSS)
    feed_server.add_redirect("/b", "/cdn", status=307)
    url = feed_server.add_redirect("/a", "/b", status=301)
    result = fetch_feed(client, state(url), SETTINGS_FAST)
    assert result.permanent_url == feed_server.url("/b") and result.final_url == feed_server.url("/cdn")


def test_conditional_headers_follow_the_redirect(feed_server, client):
    feed_server.add_feed("/new", RSS, etag='"e"')
    url = feed_server.add_redirect("/old", "/new", status=301)
    result = fetch_feed(client, state(url, etag='"e"'), SETTINGS_FAST)
    assert result.not_modified and result.permanent_url == feed_server.url("/new")


def test_redirect_loop_is_an_error(feed_server, client):
    feed_server.add_redirect("/a", "/b", status=302)
    url = feed_server.add_redirect("/b", "/a", status=302)
    result = fetch_feed(client, state(feed_server.url("/a")), SETTINGS_FAST)
    assert result.error.startswith("redirect loop: ") and url in result.error


def test_too_many_redirects(feed_server, client):
    for i in range(8):
        feed_server.add_redirect(f"/r{i}", f"/r{i + 1}", status=307)
    feed_server.add_feed("/r8", RSS)
    result = fetch_feed(client, state(feed_server.url("/r0")), SETTINGS_FAST)
    assert result.error.startswith("too many redirects (more than 5)")
    assert len(feed_server.requests) == 6  # the first request and five redirects, no more


def test_redirect_to_file_scheme_is_refused(feed_server, client):
    url = feed_server.add_redirect("/sneaky", "file:///etc/passwd", status=302)
    result = fetch_feed(client, state(url), SETTINGS_FAST)
    assert result.error == "redirect to a non-web address refused: file:///etc/passwd"


# ---------------------------------------------------------------- size caps and non-feeds


def test_oversized_body_is_cut_off(feed_server, client):
    url = feed_server.add_oversized("/big", size=50_000_000)
    started = time.monotonic()
    result = fetch_feed(client, state(url), SETTINGS_FAST)
    assert result.error == "body exceeds 1 MB cap (stopped reading)" and result.body is None
    assert time.monotonic() - started < 5


@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
def test_gzip_bomb_is_cut_off_without_inflating_it(feed_server, client, encoding):
    import resource

    url = feed_server.add_gzip_bomb("/bomb", decompressed_size=1_000_000_000, encoding=encoding)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result = fetch_feed(client, state(url), SETTINGS_FAST)
    grown_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert result.error == "body exceeds 1 MB cap (stopped reading)"
    assert grown_kb < 100_000  # far below the gigabyte the bomb would inflate to


def test_html_page_instead_of_feed(feed_server, client):
    page = b"<!DOCTYPE html>\n<html><head><title>Welcome</title></head><body>Moved</body></html>"
    url = feed_server.add("/feed", page, headers={"Content-Type": "text/html; charset=utf-8"})
    result = fetch_feed(client, state(url), SETTINGS_FAST)
    assert result.error == "server sent HTML, not a feed (Content-Type text/html; charset=utf-8)"
    assert result.http_status == 200 and result.body is None


def test_empty_body(feed_server, client):
    url = feed_server.add_feed("/empty", b"")
    assert fetch_feed(client, state(url), SETTINGS_FAST).error == "server sent an empty body, not a feed"


def test_truncated_feed_fetches_but_does_not_parse(feed_server, client):
    url = feed_server.add_feed("/cut", RSS[:60])
    result = fetch_feed(client, state(url), SETTINGS_FAST)
    assert result.ok
    with pytest.raises(FeedParseError, match="not a feed"):
        parse_feed(result.body, url, result.content_type)


# ---------------------------------------------------------------- local files


def test_plain_path_and_file_url(tmp_path, client):
    path = tmp_path / "saved feed.xml"
    path.write_bytes(RSS)
    for url in (str(path), path.as_uri()):
        result = fetch_feed(client, state(url), SETTINGS_FAST)
        assert result.ok and result.body == RSS, url
    missing = fetch_feed(client, state(str(tmp_path / "nope.xml")), SETTINGS_FAST)
    assert missing.error == f"file not found: {tmp_path / 'nope.xml'}"


def test_local_file_over_the_cap(tmp_path, client):
    path = tmp_path / "big.xml"
    path.write_bytes(b"<rss>" + b" " * 2_000_000)
    assert "exceeds 1 MB cap" in fetch_feed(client, state(str(path)), SETTINGS_FAST).error


# ---------------------------------------------------------------- next_state and due


def failure(**kw) -> FetchResult:
    return FetchResult(
        source_id="s1", url="http://x/feed", error="HTTP 500 Internal Server Error: x", retryable=True, **kw
    )


def test_backoff_doubles_and_caps():
    fs = SETTINGS_FAST
    assert [backoff_seconds(n, fs) for n in (1, 2, 3, 4)] == [300, 600, 1200, 2400]
    assert backoff_seconds(8, fs) == 21_600 and backoff_seconds(10_000, fs) == 21_600  # never infinite, never overflow


def test_failures_accumulate_then_success_resets():
    s = state("http://x/feed", etag='"a"')
    for n in range(1, 12):
        s = next_state(s, failure(http_status=500), NOW, SETTINGS_FAST)
        assert s.consecutive_failures == n and s.status == "backoff" and s.http_status == 500
        assert s.next_attempt_at == NOW + timedelta(seconds=min(300 * 2 ** (n - 1), 21_600))
        assert s.etag == '"a"'  # a failure keeps the validators
    ok = FetchResult(source_id="s1", url=s.url, http_status=200, body=b"x", etag='"b"', last_modified=None)
    s = next_state(s, ok, NOW, SETTINGS_FAST)
    assert s.consecutive_failures == 0 and s.status == "ok" and s.error is None and s.next_attempt_at is None
    assert s.last_success_at == NOW and s.etag == '"b"' and s.last_modified is None


def test_not_modified_counts_as_success_and_keeps_validators():
    s = state("http://x/feed", etag='"a"', last_modified="d", consecutive_failures=3)
    s = next_state(s, FetchResult(source_id="s1", url=s.url, http_status=304, not_modified=True), NOW, SETTINGS_FAST)
    assert s.status == "not-modified" and s.consecutive_failures == 0 and s.etag == '"a"' and s.last_modified == "d"


def test_retry_after_wins_when_longer_but_is_capped():
    s = next_state(state("u"), failure(retry_after_seconds=7200.0), NOW, SETTINGS_FAST)
    assert s.next_attempt_at == NOW + timedelta(seconds=7200)
    s = next_state(state("u"), failure(retry_after_seconds=10.0), NOW, SETTINGS_FAST)
    assert s.next_attempt_at == NOW + timedelta(seconds=300)  # backoff is longer
    s = next_state(state("u"), failure(retry_after_seconds=1e12), NOW, SETTINGS_FAST)
    assert s.next_attempt_at == NOW + timedelta(days=7)  # a server cannot make us forget a feed


def test_non_retryable_error_still_polls_again():
    gone = FetchResult(source_id="s1", url="u", http_status=404, error="HTTP 404 Not Found: x")
    s = next_state(state("u"), gone, NOW, SETTINGS_FAST)
    assert s.status == "error" and s.error == "HTTP 404 Not Found: x" and s.next_attempt_at is not None


def test_due():
    assert due(state("u"), NOW)
    assert not due(state("u", next_attempt_at=NOW + timedelta(seconds=1)), NOW)
    assert due(state("u", next_attempt_at=NOW), NOW)


# ---------------------------------------------------------------- fetch_all


def test_fetch_all_isolates_a_broken_feed(feed_server, monkeypatch):
    good = [feed_server.add_feed(f"/ok{i}", RSS) for i in range(6)]
    feed_server.add("/err", b"", status=500)
    states = [state(u, source_id=f"ok{i}") for i, u in enumerate(good)]
    states.insert(2, state(feed_server.url("/err"), source_id="err"))
    states.insert(4, state("http://127.0.0.1:1/x", source_id="refused"))
    states.insert(5, state("/nonexistent/dir/feed.xml", source_id="file"))
    done: list[str] = []
    results = fetch_all(states, SETTINGS_FAST, on_done=lambda r: done.append(r.source_id))
    assert [r.source_id for r in results] == [s.source_id for s in states]
    assert sorted(done) == sorted(s.source_id for s in states)
    by_id = {r.source_id: r for r in results}
    assert all(by_id[f"ok{i}"].body == RSS for i in range(6))
    assert by_id["err"].http_status == 500 and by_id["refused"].error and by_id["file"].error


def test_fetch_all_turns_unexpected_exceptions_into_results(feed_server, monkeypatch):
    import ingest.feeds as feeds

    real = feeds.fetch_feed

    def flaky(client, st, settings):
        if st.source_id == "bad":
            raise RuntimeError("bug in a parser")
        return real(client, st, settings)

    monkeypatch.setattr(feeds, "fetch_feed", flaky)
    url = feed_server.add_feed("/ok", RSS)
    results = fetch_all(
        [state(url, source_id="a"), state(url, source_id="bad")], SETTINGS_FAST, on_done=lambda r: 1 / 0
    )
    assert results[0].ok and results[1].error == "internal error: RuntimeError: bug in a parser"


def test_fetch_all_fetches_what_it_is_given_even_if_not_due(feed_server):
    url = feed_server.add_feed("/ok", RSS)
    later = state(url, source_id="later", next_attempt_at=NOW + timedelta(hours=1))
    results = fetch_all([state(url, source_id="now"), later], SETTINGS_FAST, now=NOW)  # a forced run
    assert [r.source_id for r in results] == ["now", "later"] and all(r.ok for r in results)


def test_fetch_all_is_concurrent(feed_server):
    urls = [feed_server.add_feed(f"/slow{i}", RSS, delay_seconds=0.5) for i in range(4)]
    started = time.monotonic()
    results = fetch_all([state(u, source_id=str(i)) for i, u in enumerate(urls)], SETTINGS_FAST)
    assert all(r.ok for r in results) and time.monotonic() - started < 1.5


# ---------------------------------------------------------------- parsing


def test_parse_feed_gives_plain_text_records():
    feed = parse_feed(RSS, "https://example.org/feed.xml", "application/rss+xml")
    assert feed.title == "Commentary & Analysis" and feed.warning is None and len(feed.entries) == 2
    first, second = feed.entries
    assert first.title == "Cold War mentality <again>"
    assert first.summary == "First paragraph with & entity.\nSecond bold one."
    assert "evil" not in first.summary
    assert first.link == "https://example.org/articles/1" and first.guid == "urn:1"
    assert first.published == datetime(2024, 2, 1, 2, 0, tzinfo=UTC)
    assert first.published_raw == "Thu, 01 Feb 2024 10:00:00 +0800"
    assert second.published is None and second.published_raw is None and second.summary == ""


def test_atom_content_is_the_fullest_element():
    atom = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="zh"><title type="html">&lt;b&gt;T&lt;/b&gt;</title>
<entry><title>E</title><id>tag:x,2024:1</id><updated>2024-03-01T00:00:00Z</updated>
<summary>short</summary>
<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>long one</p><p>two</p></div></content>
<link href="https://example.org/e1"/></entry></feed>"""
    feed = parse_feed(atom, "https://example.org/atom")
    assert feed.title == "T"
    (e,) = feed.entries
    assert e.content == "long one\ntwo" and e.summary == "short" and e.language == "zh"
    assert e.published == datetime(2024, 3, 1, tzinfo=UTC)


def test_well_formed_feed_without_entries_is_fine():
    feed = parse_feed(b'<rss version="2.0"><channel><title>quiet</title></channel></rss>', "u")
    assert feed.entries == () and feed.warning is None and feed.title == "quiet"


def test_bozo_feed_with_entries_gets_a_warning():
    broken = RSS.replace(b"</channel></rss>", b"")  # truncated end
    feed = parse_feed(broken, "https://example.org/feed.xml")
    assert len(feed.entries) == 2 and feed.warning.startswith("The feed is not well-formed")


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"   \n",
        b"<!DOCTYPE html><html><body>hi</body></html>",
        b"\xef\xbb\xbf<html lang=en><p>x</p></html>",
        b"<?xml version='1.0'?><rss><channel><title>cut",
        b"just some text",
        b'{"version": "jsonfeed"}',
    ],
)
def test_not_a_feed_raises(body):
    with pytest.raises(FeedParseError, match="not a feed"):
        parse_feed(body, "https://example.org/feed.xml")


def test_gb2312_feed_decoded_with_the_content_type_charset(feed_server, client):
    raw = (CORPUS / "feedparser_tests/illformed/chardet/gb2312.xml").read_bytes()
    url = feed_server.add_feed("/gb", raw, content_type="text/xml; charset=gb2312")
    result = fetch_feed(client, state(url), SETTINGS_FAST)
    feed = parse_feed(result.body, url, result.content_type)
    assert feed.entries[0].title == "不归移民漫画系列：专业工作"
    assert feed.encoding in ("gb18030", "gb2312")


def test_iso_8859_1_feed_with_declaration_and_with_header_only(feed_server, client):
    raw = (CORPUS / "feed_rs_fixtures/rss2/rss_2.0_encoding_1.xml").read_bytes()
    url = feed_server.add_feed("/latin1", raw, content_type="application/rss+xml")
    result = fetch_feed(client, state(url), SETTINGS_FAST)
    feed = parse_feed(result.body, url, result.content_type)
    assert feed.title == "RSS Feed do Site Inovação Tecnológica" and feed.entries
    assert all("\ufffd" not in e.title for e in feed.entries)
    # Without the XML declaration only the HTTP header can tell the charset.
    bare = raw.split(b"?>", 1)[1]
    url = feed_server.add_feed("/latin1-bare", bare, content_type="application/rss+xml; charset=ISO-8859-1")
    result = fetch_feed(client, state(url), SETTINGS_FAST)
    assert parse_feed(result.body, url, result.content_type).title == "RSS Feed do Site Inovação Tecnológica"


def test_utf8_bom_and_utf16_feeds():
    assert parse_feed(b"\xef\xbb\xbf" + RSS, "u").title == "Commentary & Analysis"
    utf16 = RSS.decode().replace('encoding="utf-8"', 'encoding="utf-16"').encode("utf-16")
    assert parse_feed(utf16, "u").entries[0].title == "Cold War mentality <again>"


# ---------------------------------------------------------------- XML attacks


def _billion_laughs(one_line: bool) -> bytes:
    sep = "" if one_line else "\n"
    decls = ['<!ENTITY lol "lol">'] + [
        f'<!ENTITY lol{i} "{("&lol;" if i == 1 else f"&lol{i - 1};") * 10}">' for i in range(1, 10)
    ]
    return (
        f'<?xml version="1.0"?>{sep}<!DOCTYPE rss [{sep}{sep.join(decls)}{sep}]>{sep}'
        '<rss version="2.0"><channel><title>&lol9;</title><item><title>laugh &lol9;</title>'
        "<description>&lol9;</description></item></channel></rss>"
    ).encode()


@pytest.mark.parametrize("one_line", [True, False])
def test_billion_laughs_does_not_expand(one_line):
    started = time.monotonic()
    feed = parse_feed(_billion_laughs(one_line), "https://example.org/feed.xml")
    assert time.monotonic() - started < 0.5
    text = feed.title + "".join(e.title + e.summary + e.content for e in feed.entries)
    assert text.count("lol") < 20  # 10**9 if expanded


@pytest.mark.parametrize("one_line", [True, False])
def test_external_entity_does_not_read_local_files(tmp_path, one_line):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE")
    sep = "" if one_line else "\n"
    for decl in (f'<!ENTITY xxe SYSTEM "{secret.as_uri()}">', f'<!ENTITY % p SYSTEM "{secret.as_uri()}">%p;'):
        body = (
            f'<?xml version="1.0"?>{sep}<!DOCTYPE rss [{sep}{decl}{sep}<!ENTITY ok "fine">{sep}]>{sep}'
            '<rss version="2.0"><channel><title>t &ok;</title><item><title>a &xxe;</title>'
            "<description>&xxe;</description></item></channel></rss>"
        ).encode()
        feed = parse_feed(body, "https://example.org/feed.xml")
        text = feed.title + "".join(e.title + e.summary + e.content for e in feed.entries)
        assert "TOP-SECRET" not in text
        assert feed.title == "t fine"  # harmless plain-text entities still work


def test_feed_served_over_http_with_xxe_never_touches_disk(feed_server, client, tmp_path):
    secret = tmp_path / "s.txt"
    secret.write_text("TOP-SECRET-VALUE")
    body = (
        f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "{secret.as_uri()}">]>'
        "<rss><channel><item><title>&x;</title></item></channel></rss>"
    )
    url = feed_server.add_feed("/xxe", body.encode())
    result = fetch_feed(client, state(url), SETTINGS_FAST)
    feed = parse_feed(result.body, url, result.content_type)
    assert all("TOP-SECRET" not in e.title for e in feed.entries)


def test_httpx_client_is_never_told_to_follow_redirects(client):
    assert client.follow_redirects is False
    assert isinstance(client, httpx.Client)


def test_feed_server_fixture_is_usable_standalone():
    with FeedServer() as srv:
        url = srv.add_feed("/x", RSS)
        assert httpx.get(url).content == RSS
