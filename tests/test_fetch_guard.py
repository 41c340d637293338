"""Requests end at their deadline, connect only where the guard looked, and refuse odd redirects in words.

All against the real fault-injecting server of tests/feedserver.py on 127.0.0.1.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from ingest.config import load_config
from ingest.extract import fetch_article_text
from ingest.feeds import FetchSettings, fetch_all, fetch_feed
from ingest.lexicon import load_lexicon
from ingest.netguard import PinningBackend, deadline, pinned
from ingest.pipeline import Ingest
from store import Store
from store.records import FeedState
from tests.builders import FeedItem, SourceSpec, rss, write_config
from tests.test_pipeline import rows, run_ingest

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
FAST = FetchSettings(timeout_seconds=2.0, max_bytes=1_000_000, max_redirects=5, concurrency=4)
FEED = rss([FeedItem("Cold War mentality", "Zero-sum game again.", "https://news.example/1", NOW, guid="g1")])
PAGE = (
    b"<html><head><title>Long read</title></head><body><article><h1>Long read</h1>"
    + b"<p>Officials said the Asia-Pacific version of NATO would bring bloc confrontation again and again.</p>" * 6
    + b"</article></body></html>"
)
# Generous: the point is "ends near its deadline", not how fast; before the deadline existed
# a trickled head of ~90 bytes at 0.5 s a byte took 45 s or more.
ENDS_BY = 4 * FAST.timeout_seconds


def _state(url: str, source_id: str = "s1") -> FeedState:
    return FeedState(source_id=source_id, url=url)


# ---------------------------------------------------------------- (2) one deadline per request


def test_a_feed_trickling_its_headers_times_out_at_the_deadline(feed_server):
    url = feed_server.add_trickle("/slow.xml", FEED, interval=0.5)
    started = time.monotonic()
    with FAST.make_client() as client:
        result = fetch_feed(client, _state(url), FAST)
    assert time.monotonic() - started < ENDS_BY
    assert result.error == "timed out after 2 s" and result.retryable


def test_a_feed_trickling_its_body_times_out_at_the_deadline(feed_server):
    url = feed_server.add_drip("/drip.xml", FEED, interval=0.5)
    started = time.monotonic()
    with FAST.make_client() as client:
        result = fetch_feed(client, _state(url), FAST)
    assert time.monotonic() - started < ENDS_BY
    assert result.error == "timed out after 2 s"


def test_the_deadline_covers_every_redirect_hop_together(feed_server):
    # Each hop answers within its read timeout, but four of them take longer than the deadline.
    for i in range(4):
        feed_server.add(f"/hop{i}", status=302, headers={"Location": f"/hop{i + 1}"}, delay_seconds=0.8)
    feed_server.add_feed("/hop4", FEED)
    with FAST.make_client() as client:
        result = fetch_feed(client, _state(feed_server.url("/hop0")), FAST)
    assert result.error == "timed out after 2 s"


def test_an_article_page_trickling_its_headers_times_out_at_the_deadline(feed_server, caplog):
    url = feed_server.add_trickle("/article", PAGE, interval=0.5, content_type="text/html")
    started = time.monotonic()
    with caplog.at_level(logging.INFO, logger="ingest.extract"), FAST.make_client() as client:
        article = fetch_article_text(client, url, FAST, allow_hosts=["127.0.0.1"])
    assert article is None and time.monotonic() - started < ENDS_BY
    assert "timed out after 2 s" in caplog.text


def test_a_slow_feed_does_not_hold_the_other_feeds(feed_server):
    slow = feed_server.add_trickle("/slow.xml", FEED, interval=0.5)
    fast = [feed_server.add_feed(f"/f{i}.xml", FEED) for i in range(3)]
    order: list[str] = []
    results = fetch_all(
        [_state(slow, "slow")] + [_state(u, f"f{i}") for i, u in enumerate(fast)],
        FAST,
        on_done=lambda r: order.append(r.source_id),
    )
    assert order[-1] == "slow" and results[0].error == "timed out after 2 s"
    assert all(r.ok for r in results[1:])


def test_each_feed_is_stored_as_soon_as_its_fetch_ends(tmp_path, feed_server):
    """The slow feed's server waits until the fast feed's items are in the store (or 20 s)."""
    gate = threading.Event()
    slow_url = feed_server.add_feed("/slow.xml", FEED, gate=gate, gate_seconds=20.0)
    slow_route = feed_server.routes["/slow.xml"]
    fast_feed = rss([FeedItem("Bloc confrontation", "Zero-sum.", "https://news.example/f", NOW, guid="f1")])
    fast_url = feed_server.add_feed("/fast.xml", fast_feed)
    cfg = write_config(
        tmp_path,
        [
            SourceSpec("slow", "western-media", "feed", {"url": slow_url}),
            SourceSpec("fast", "western-media", "feed", {"url": fast_url}),
        ],
        settings={"ingest": {"timeout_seconds": 30.0}},
    )
    seen: dict[str, bool] = {}
    config = load_config(cfg)

    def progress(source_id, outcome):
        if source_id == "fast":
            stored = rows(cfg, "SELECT COUNT(*) AS n FROM items WHERE source_id = 'fast'")[0]["n"]
            seen["fast stored while slow unanswered"] = stored == 1 and not slow_route.answered.is_set()
            gate.set()

    with Store(config.store_path) as store:
        report = Ingest(config, load_lexicon(config.lexicon_path), store, now=NOW).run(progress=progress)
    assert seen == {"fast stored while slow unanswered": True}
    assert report.new == 2 and [o.source_id for o in report.outcomes] == ["slow", "fast"]


def test_a_trickling_feed_in_a_run_is_reported_in_words_and_the_rest_stored(tmp_path, feed_server):
    slow = feed_server.add_trickle("/slow.xml", FEED, interval=0.5)
    fast = feed_server.add_feed("/fast.xml", FEED)
    cfg = write_config(
        tmp_path,
        [
            SourceSpec("slow", "western-media", "feed", {"url": slow}),
            SourceSpec("fast", "western-media", "feed", {"url": fast}),
        ],
        settings={"ingest": {"timeout_seconds": 2.0}},
    )
    report = run_ingest(cfg, now=NOW)
    outcomes = {o.source_id: o for o in report.outcomes}
    assert outcomes["slow"].error == "timed out after 2 s"
    assert outcomes["fast"].new == 1


# ---------------------------------------------------------------- (3) connect to the address checked


def test_the_connection_goes_to_the_address_the_guard_resolved(feed_server):
    """One resolution per hop: the second answer (a rebinding) is never asked for, let alone used."""
    url = feed_server.add("/article", PAGE, headers={"Content-Type": "text/html"})
    answers = [["127.0.0.1"], ["127.0.0.2"]]
    asked: list[str] = []

    def resolver(host: str, port: int) -> list[str]:
        asked.append(host)
        return answers[min(len(asked), 2) - 1]

    named = url.replace("127.0.0.1", "feeds.test")
    with FAST.make_client() as client:
        article = fetch_article_text(client, named, FAST, allow_hosts=["feeds.test"], resolver=resolver)
    assert article is not None and "Asia-Pacific version of NATO" in article.text
    assert asked == ["feeds.test"]
    (request,) = feed_server.requests_for("/article")
    assert request.header("host") == f"feeds.test:{feed_server.port}", "the Host header keeps the name"


def test_the_backend_never_resolves_a_pinned_name_again(feed_server):
    url = feed_server.add("/x", b"ok")
    backend = PinningBackend()
    with deadline(5.0), pinned(url.replace("127.0.0.1", "no-such-host.invalid"), ["127.0.0.1"]):
        stream = backend.connect_tcp("no-such-host.invalid", feed_server.port, timeout=5.0)
    stream.close()


def test_a_feed_redirecting_to_another_local_address_is_refused(feed_server):
    elsewhere = feed_server.url("/feed.xml").replace("127.0.0.1", "localhost")
    feed_server.add_feed("/feed.xml", FEED)
    url = feed_server.add_redirect("/moved", elsewhere, status=302)
    with FAST.make_client() as client:
        refused = fetch_feed(client, _state(url), FAST)
        allowed = fetch_feed(client, _state(url), replace(FAST, allow_hosts=("localhost",)))
    assert refused.error and "refused localhost" in refused.error and "loopback" in refused.error
    assert "ingest.fulltext_allow_hosts" in refused.error
    assert allowed.ok, allowed.error
    assert len(feed_server.requests_for("/feed.xml")) == 1, "the refused hop never reached the server"


def test_a_feed_redirecting_to_another_port_on_its_own_host_is_refused(feed_server):
    with socket_listening() as other_port:
        url = feed_server.add_redirect("/moved", f"http://127.0.0.1:{other_port}/admin", status=302)
        with FAST.make_client() as client:
            result = fetch_feed(client, _state(url), FAST)
    assert result.error and "refused 127.0.0.1" in result.error


def test_a_feed_redirecting_within_its_own_server_still_works(feed_server):
    feed_server.add_feed("/new.xml", FEED)
    url = feed_server.add_redirect("/old.xml", "/new.xml", status=301)
    with FAST.make_client() as client:
        result = fetch_feed(client, _state(url), FAST)
    assert result.ok and result.permanent_url == feed_server.url("/new.xml")


class socket_listening:  # noqa: N801 - a context manager used like open()
    """A listening socket nobody answers on: a stand-in for an internal admin port."""

    def __enter__(self) -> int:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(1)
        return int(self.sock.getsockname()[1])

    def __exit__(self, *exc: object) -> None:
        self.sock.close()


# ---------------------------------------------------------------- (5) odd redirect targets in words

ODD_LOCATIONS = [
    "mailto:someone@example.org",
    "data:text/html,<script>alert(1)</script>",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "file:///etc/passwd",
    "ftp://example.org/feed.xml",
    "http://[::1",
    "http://example.org:99999/",
    "http://[::1]:80:80/",
    "data:" + "A" * 5000,  # shown cut short
]


@pytest.mark.parametrize("location", ODD_LOCATIONS, ids=lambda s: s[:24])
def test_a_feed_redirect_to_an_odd_address_is_refused_in_words(feed_server, location):
    url = feed_server.add("/r", status=302, headers={"Location": location})
    with FAST.make_client() as client:
        result = fetch_feed(client, _state(url), FAST)
    assert result.error and result.error.startswith("redirect to ") and "refused" in result.error, result.error
    assert len(result.error) < 300 and "internal error" not in result.error


@pytest.mark.parametrize("location", ODD_LOCATIONS, ids=lambda s: s[:24])
def test_an_article_redirect_to_an_odd_address_is_refused_in_words(feed_server, location, caplog):
    url = feed_server.add("/r", status=302, headers={"Location": location})
    with caplog.at_level(logging.INFO, logger="ingest.extract"), FAST.make_client() as client:
        assert fetch_article_text(client, url, FAST, allow_hosts=["127.0.0.1"]) is None
    assert "refused" in caplog.text and "Traceback" not in caplog.text
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING], "no 'unexpected error' path"


@pytest.mark.parametrize(
    "location", ["http://exa mple.org/", "http:///nohost", "//", "\\\\evil", "%00", "http://a\x00b/"]
)
def test_a_redirect_to_a_strange_address_ends_in_words(feed_server, location):
    url = feed_server.add("/r", status=302, headers={"Location": location})
    with FAST.make_client() as client:
        result = fetch_feed(client, _state(url), FAST)
    assert result.error and "internal error" not in result.error and len(result.error) < 300, result.error


def test_tls_to_a_pinned_address_keeps_the_names_sni_and_certificate_check(tmp_path, monkeypatch):
    """HTTPS to a name pinned to 127.0.0.1: the server sees the name in SNI and the client
    verifies the certificate against the name, not against the address it connected to."""
    import ssl
    import subprocess

    from tests.feedserver import FeedServer

    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=feeds.test",
            "-addext",
            "subjectAltName=DNS:feeds.test",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # trust this one certificate, for this test only
    seen: list[str | None] = []
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    context.sni_callback = lambda sock, name, ctx: seen.append(name)
    server = FeedServer()
    server.httpd.socket = context.wrap_socket(server.httpd.socket, server_side=True)
    with server:
        server.add("/article", PAGE, headers={"Content-Type": "text/html"})
        url = f"https://feeds.test:{server.port}/article"
        with FAST.make_client() as client:
            article = fetch_article_text(client, url, FAST, ["feeds.test"], resolver=lambda h, p: ["127.0.0.1"])
            wrong = fetch_article_text(
                client,
                url.replace("feeds.test", "other.test"),
                FAST,
                ["other.test"],
                resolver=lambda h, p: ["127.0.0.1"],
            )
    assert article is not None and "Asia-Pacific version of NATO" in article.text
    assert seen[0] == "feeds.test"
    assert wrong is None, "a certificate for feeds.test is not accepted for other.test"
