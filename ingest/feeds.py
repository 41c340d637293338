"""Fetch feeds over HTTP (conditional GET, redirects, size cap, backoff) and parse them.

No SQL and no Streamlit here: `fetch_feed` turns one HTTP exchange into a
`FetchResult`, `next_state` turns that into the `FeedState` the store keeps, and
`parse_feed` turns feedparser's dict soup into `ParsedFeed` / `ParsedEntry` records
at once, so nothing past this module touches feedparser objects.

Errors are soft (rss-fetcher's HTTP_SOFT, miniflux's stored error): a failed fetch
is a result with a sentence a person understands, never an exception, and a
failing feed is polled again later with exponential backoff, never dropped.
"""

from __future__ import annotations

import calendar
import logging
import re
import socket
import ssl
import time
import zlib
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

import feedparser
import httpx

from ingest.records import FeedState, FetchResult, ParsedEntry, ParsedFeed

log = logging.getLogger(__name__)

REDIRECT_CODES = frozenset({301, 302, 303, 307, 308})
PERMANENT_REDIRECTS = frozenset({301, 308})
RETRYABLE_CODES = frozenset({408, 425, 429, 500, 502, 503, 504})
# A server may ask for a pause with Retry-After, but not to be forgotten for good.
RETRY_AFTER_CAP_SECONDS = 7 * 24 * 3600.0

_STATUS_MEANING = {
    400: "the server rejected the request",
    401: "the feed needs a login",
    403: "the server refuses to serve the feed to us",
    404: "the feed URL no longer exists",
    410: "the feed has been removed for good",
    429: "too many requests, the server asks us to slow down",
    500: "the server failed",
    502: "a gateway in front of the server failed",
    503: "the server is unavailable for now",
    504: "a gateway in front of the server timed out",
}


class FeedParseError(ValueError):
    """A body that is not a feed at all (HTML page, empty body, broken XML without entries)."""


class FetchFailure(Exception):
    """An error met while fetching, already worded for a person."""

    def __init__(self, message: str, *, retryable: bool = False, http_status: int | None = None) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.http_status = http_status


@dataclass(frozen=True)
class FetchSettings:
    timeout_seconds: float = 20.0
    max_bytes: int = 10_000_000
    max_redirects: int = 5
    user_agent: str = "discourse-monitor/1.0"
    backoff_base_seconds: float = 300.0
    backoff_max_seconds: float = 21_600.0
    concurrency: int = 8

    @classmethod
    def from_config(cls, config: Any) -> FetchSettings:
        """Build from a `Config` (or anything with .get(section, name))."""
        return cls(
            timeout_seconds=float(config.get("ingest", "timeout_seconds")),
            max_bytes=int(config.get("ingest", "max_bytes")),
            max_redirects=int(config.get("ingest", "max_redirects")),
            user_agent=str(config.get("ingest", "user_agent")),
            backoff_base_seconds=float(config.get("ingest", "backoff_base_seconds")),
            backoff_max_seconds=float(config.get("ingest", "backoff_max_seconds")),
            concurrency=int(config.get("ingest", "concurrency")),
        )

    def make_client(self) -> httpx.Client:
        """One client for many fetches; redirects are followed by hand, never by httpx."""
        pool = max(self.concurrency, 1)
        return httpx.Client(
            timeout=httpx.Timeout(self.timeout_seconds),
            follow_redirects=False,
            headers={"User-Agent": self.user_agent},
            limits=httpx.Limits(max_connections=pool * 2, max_keepalive_connections=pool),
        )


# ---------------------------------------------------------------- fetching


def fetch_feed(client: httpx.Client, state: FeedState, settings: FetchSettings) -> FetchResult:
    """One conditional GET of one feed; every failure becomes an error result."""
    started = time.monotonic()
    base = FetchResult(source_id=state.source_id, url=state.url)
    try:
        if _is_local(state.url):
            result = _read_local(state, settings)
        else:
            result = _fetch_http(client, state, settings)
    except FetchFailure as exc:
        result = replace(base, error=str(exc), retryable=exc.retryable, http_status=exc.http_status)
    return replace(result, elapsed_seconds=time.monotonic() - started)


def _is_local(url: str) -> bool:
    scheme = urlsplit(url).scheme.lower()
    return scheme == "file" or scheme == "" or (len(scheme) == 1 and url[1:3] in (":\\", ":/"))


def _local_path(url: str) -> Path:
    parts = urlsplit(url)
    if parts.scheme.lower() == "file":
        return Path(unquote(parts.path))
    return Path(url)


def _read_local(state: FeedState, settings: FetchSettings) -> FetchResult:
    path = _local_path(state.url)
    try:
        with path.open("rb") as fh:
            body = fh.read(settings.max_bytes + 1)
    except FileNotFoundError:
        raise FetchFailure(f"file not found: {path}") from None
    except IsADirectoryError:
        raise FetchFailure(f"{path} is a folder, not a feed file") from None
    except OSError as exc:
        raise FetchFailure(f"could not read {path}: {exc.strerror or exc}") from None
    if len(body) > settings.max_bytes:
        raise FetchFailure(f"file exceeds {_size(settings.max_bytes)} cap: {path}")
    problem = not_a_feed_reason(body, None)
    if problem:
        raise FetchFailure(problem)
    return FetchResult(
        source_id=state.source_id,
        url=state.url,
        final_url=path.resolve().as_uri(),
        body=body,
    )


def _fetch_http(client: httpx.Client, state: FeedState, settings: FetchSettings) -> FetchResult:
    headers = {"Accept": "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"}
    if state.etag:
        headers["If-None-Match"] = state.etag
    elif state.last_modified:
        headers["If-Modified-Since"] = state.last_modified
    with open_following_redirects(client, state.url, settings, headers) as hop:
        response = hop.response
        result = FetchResult(
            source_id=state.source_id,
            url=state.url,
            final_url=hop.url,
            permanent_url=hop.permanent_url,
            http_status=response.status_code,
            etag=response.headers.get("etag"),
            last_modified=response.headers.get("last-modified"),
            content_type=response.headers.get("content-type"),
        )
        if response.status_code == 304:
            return replace(result, not_modified=True)
        if response.status_code != 200:
            return replace(
                result,
                error=describe_status(response.status_code, response.reason_phrase),
                retryable=response.status_code in RETRYABLE_CODES or response.status_code >= 500,
                retry_after_seconds=parse_retry_after(response.headers.get("retry-after")),
            )
        body = read_capped(response, settings, started=hop.started)
    problem = not_a_feed_reason(body, result.content_type)
    return replace(result, error=problem) if problem else replace(result, body=body)


@dataclass
class Hop:
    response: httpx.Response
    url: str
    permanent_url: str | None
    started: float


class open_following_redirects:  # lower case: used like open()
    """Stream a GET, following redirects by hand.

    Tells a permanent move (a leading run of 301/308 hops) from temporary ones,
    refuses loops, too many hops and redirects to non-http(s) schemes, and lets
    `check_url` veto any hop (the SSRF guard of extract.py uses it).
    """

    def __init__(
        self,
        client: httpx.Client,
        url: str,
        settings: FetchSettings,
        headers: dict[str, str] | None = None,
        check_url: Callable[[str], None] | None = None,
    ) -> None:
        self.client, self.url, self.settings = client, url, settings
        self.headers = {
            "Accept-Encoding": "gzip, deflate",
            "User-Agent": settings.user_agent,
            **(headers or {}),
        }
        self.check_url = check_url
        self._stream: Any = None

    def __enter__(self) -> Hop:
        url, seen, permanent, permanent_url = self.url, [self.url], True, None
        while True:
            if self.check_url:
                self.check_url(url)
            started = time.monotonic()
            response = self._open(url)
            if response.status_code not in REDIRECT_CODES or "location" not in response.headers:
                return Hop(response, url, permanent_url, started)
            self._close()
            target = urljoin(url, response.headers["location"].strip())
            if urlsplit(target).scheme.lower() not in ("http", "https"):
                raise FetchFailure(f"redirect to a non-web address refused: {target}")
            if target in seen:
                raise FetchFailure("redirect loop: " + " -> ".join([*seen[seen.index(target) :], target]))
            if len(seen) > self.settings.max_redirects:
                raise FetchFailure(f"too many redirects (more than {self.settings.max_redirects}), last to {target}")
            permanent = permanent and response.status_code in PERMANENT_REDIRECTS
            if permanent:
                permanent_url = target
            seen.append(target)
            url = target

    def _open(self, url: str) -> httpx.Response:
        request = self.client.build_request("GET", url, headers=self.headers)
        try:
            response = self.client.send(request, stream=True, follow_redirects=False)
        except httpx.HTTPError as exc:
            raise describe_transport_error(exc, url, self.settings.timeout_seconds) from exc
        self._stream = response
        return response

    def _close(self) -> None:
        if self._stream is not None:
            self._stream.close()
            self._stream = None

    def __exit__(self, *exc_info: object) -> None:
        self._close()


def read_capped(response: httpx.Response, settings: FetchSettings, started: float | None = None) -> bytes:
    """Read and decompress a streamed body, stopping at max_bytes *decompressed* and at the deadline.

    Decompression is done here with bounded output per step, so a gzip bomb costs
    at most max_bytes of memory; a server dripping one byte a second is cut off at
    timeout_seconds for the whole body, not per read.
    """
    started = time.monotonic() if started is None else started
    cap, out, size = settings.max_bytes, [], 0
    try:
        for piece in _decoded(response.iter_raw(), response.headers.get("content-encoding", ""), cap):
            size += len(piece)
            if size > cap:
                raise FetchFailure(
                    f"body exceeds {_size(cap)} cap (stopped reading)",
                    http_status=response.status_code,
                )
            out.append(piece)
            if time.monotonic() - started > settings.timeout_seconds:
                raise FetchFailure(_timed_out(settings.timeout_seconds), retryable=True)
    except httpx.HTTPError as exc:
        raise describe_transport_error(exc, str(response.url), settings.timeout_seconds) from exc
    except zlib.error as exc:
        raise FetchFailure(
            f"body is not valid compressed data: {exc}",
            http_status=response.status_code,
        ) from exc
    return b"".join(out)


def _decoded(chunks: Iterator[bytes], encoding: str, cap: int) -> Iterator[bytes]:
    codings = [c.strip().lower() for c in encoding.split(",") if c.strip() and c.strip().lower() != "identity"]
    if not codings:
        yield from chunks
        return
    if len(codings) > 1 or codings[0] not in ("gzip", "x-gzip", "deflate"):
        raise FetchFailure(f"server used an unsupported Content-Encoding: {encoding}")
    decoder = _Inflater(codings[0])
    for chunk in chunks:
        yield from decoder.feed(chunk, cap + 1)
    yield from decoder.flush(cap + 1)


class _Inflater:
    """zlib with bounded output per call (max_length), across gzip members."""

    def __init__(self, coding: str) -> None:
        self.coding = coding
        self.obj = zlib.decompressobj(16 + zlib.MAX_WBITS if coding != "deflate" else zlib.MAX_WBITS)
        self.first = True

    def feed(self, data: bytes, limit: int) -> Iterator[bytes]:
        if self.first and self.coding == "deflate" and data:
            self.first = False
            if data[0] & 0x0F != 8:  # raw deflate without the zlib header, as some servers send
                self.obj = zlib.decompressobj(-zlib.MAX_WBITS)
        while data:
            piece = self.obj.decompress(data, limit)
            if piece:
                yield piece
            data = self.obj.unconsumed_tail
            if self.obj.eof and self.obj.unused_data:
                rest = self.obj.unused_data
                if self.coding == "deflate" or not rest.strip(b"\0"):
                    return
                self.obj = zlib.decompressobj(16 + zlib.MAX_WBITS)  # next gzip member
                data = rest

    def flush(self, limit: int) -> Iterator[bytes]:
        piece = self.obj.flush(limit)
        if piece:
            yield piece


_HTML_START = re.compile(
    rb"^(?:\xef\xbb\xbf)?\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html[\s>]|head[\s>]|body[\s>])",
    re.IGNORECASE | re.DOTALL,
)


def looks_like_html(body: bytes) -> bool:
    return bool(_HTML_START.match(body[:4096]))


def not_a_feed_reason(body: bytes, content_type: str | None) -> str | None:
    """A cheap sniff before parsing: an empty body or an HTML page is not a feed."""
    if not body.strip():
        return "server sent an empty body, not a feed"
    if looks_like_html(body):
        where = f" (Content-Type {content_type})" if content_type else ""
        return f"server sent HTML, not a feed{where}"
    return None


def describe_status(code: int, reason: str | None = None) -> str:
    try:
        reason = reason or HTTPStatus(code).phrase
    except ValueError:
        reason = reason or "unknown status"
    meaning = _STATUS_MEANING.get(code) or ("the server failed" if code >= 500 else "the request was refused")
    return f"HTTP {code} {reason}: {meaning}"


def describe_transport_error(exc: Exception, url: str, timeout: float) -> FetchFailure:
    host = urlsplit(url).hostname or url
    if isinstance(exc, httpx.TimeoutException):
        return FetchFailure(_timed_out(timeout), retryable=True)
    if isinstance(exc, (httpx.UnsupportedProtocol, httpx.InvalidURL)):
        return FetchFailure(f"not a fetchable URL: {url} ({exc})")
    chain = _causes(exc)
    if any(isinstance(c, socket.gaierror) for c in chain) or _mentions(
        exc,
        "name or service",
        "nodename nor servname",
        "getaddrinfo",
        "name resolution",
    ):
        return FetchFailure(f"DNS lookup failed for host {host}", retryable=True)
    if any(isinstance(c, ConnectionRefusedError) for c in chain) or _mentions(exc, "connection refused", "errno 111"):
        return FetchFailure(f"connection refused by {host}", retryable=True)
    tls = next((c for c in chain if isinstance(c, ssl.SSLError)), None)
    if tls is not None or _mentions(exc, "ssl", "certificate"):
        return FetchFailure(
            f"TLS error with {host}: {getattr(tls, 'reason', None) or tls or exc}",
            retryable=True,
        )
    if isinstance(exc, httpx.RemoteProtocolError):
        return FetchFailure(f"{host} broke the HTTP exchange: {exc}", retryable=True)
    if isinstance(exc, (httpx.ReadError, httpx.WriteError, httpx.ConnectError, httpx.NetworkError)):
        return FetchFailure(f"connection to {host} failed: {exc or type(exc).__name__}", retryable=True)
    return FetchFailure(f"HTTP error with {host}: {type(exc).__name__}: {exc}", retryable=True)


def _causes(exc: BaseException) -> list[BaseException]:
    chain, seen = [], set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def _mentions(exc: BaseException, *needles: str) -> bool:
    text = " ".join(str(c) for c in _causes(exc)).lower()
    return any(n in text for n in needles)


def _timed_out(seconds: float) -> str:
    return f"timed out after {seconds:g} s"


def _size(n: int) -> str:
    return f"{n / 1_000_000:g} MB" if n >= 1_000_000 else f"{n:,} bytes"


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Retry-After as seconds from now: delta-seconds or an HTTP-date; None if absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


# ---------------------------------------------------------------- state and scheduling


def backoff_seconds(failures: int, settings: FetchSettings) -> float:
    """base * 2^(failures-1), capped at backoff_max: the wait after the n-th failure in a row."""
    if failures <= 0:
        return 0.0
    exponent = min(failures - 1, 60)  # 2**60 * any base is past any cap; avoids float overflow
    return min(settings.backoff_base_seconds * 2.0**exponent, settings.backoff_max_seconds)


def next_state(state: FeedState, result: FetchResult, now: datetime, settings: FetchSettings) -> FeedState:
    """What the store should remember after `result`; pure."""
    url = result.permanent_url or state.url
    if result.ok:
        return replace(
            state,
            url=url,
            etag=result.etag if not result.not_modified else (result.etag or state.etag),
            last_modified=result.last_modified
            if not result.not_modified
            else (result.last_modified or state.last_modified),
            status="not-modified" if result.not_modified else "ok",
            http_status=result.http_status,
            error=None,
            last_attempt_at=now,
            last_success_at=now,
            consecutive_failures=0,
            next_attempt_at=None,
        )
    failures = state.consecutive_failures + 1
    wait = backoff_seconds(failures, settings)
    if result.retry_after_seconds is not None:
        wait = max(wait, min(result.retry_after_seconds, RETRY_AFTER_CAP_SECONDS))
    return replace(
        state,
        url=url,
        status="backoff" if result.retryable else "error",
        http_status=result.http_status,
        error=result.error,
        last_attempt_at=now,
        consecutive_failures=failures,
        next_attempt_at=now + timedelta(seconds=wait),
    )


def due(state: FeedState, now: datetime) -> bool:
    return state.next_attempt_at is None or now >= state.next_attempt_at


def fetch_all(
    states: list[FeedState],
    settings: FetchSettings,
    now: datetime | None = None,
    on_done: Callable[[FetchResult], None] | None = None,
) -> list[FetchResult]:
    """Fetch every feed in `states` concurrently, in a bounded thread pool sharing one client.

    The caller picks which feeds to fetch (with `due`, or all of them for a forced
    run); `now` is accepted so callers can pass their clock, and is only logged.
    Results come back in the order of `states`; `on_done` is called from the
    calling thread as each one finishes (for progress bars).
    """
    todo = list(states)
    log.debug("fetching %d feeds at %s", len(todo), now or "now")
    results: dict[int, FetchResult] = {}
    with (
        settings.make_client() as client,
        ThreadPoolExecutor(max_workers=max(settings.concurrency, 1)) as pool,
    ):
        futures = {pool.submit(_fetch_guarded, client, s, settings): i for i, s in enumerate(todo)}
        for future in as_completed(futures):
            result = future.result()
            results[futures[future]] = result
            if on_done is not None:
                try:
                    on_done(result)
                except Exception:  # a progress-bar bug must not lose the other feeds
                    log.exception("on_done callback failed for %s", result.source_id)
    return [results[i] for i in range(len(todo))]


def _fetch_guarded(client: httpx.Client, state: FeedState, settings: FetchSettings) -> FetchResult:
    try:
        return fetch_feed(client, state, settings)
    except Exception as exc:  # one broken feed never takes the others down
        log.exception("unexpected error fetching %s", state.url)
        return FetchResult(
            source_id=state.source_id,
            url=state.url,
            error=f"internal error: {type(exc).__name__}: {exc}",
        )


# ---------------------------------------------------------------- parsing


def parse_feed(body: bytes, url: str, content_type: str | None = None) -> ParsedFeed:
    """feedparser on the bytes, turned at once into typed records with plain-text fields."""
    problem = not_a_feed_reason(body, content_type)
    if problem:
        raise FeedParseError(problem)
    # Only a real Content-Type: any header makes feedparser assume HTTP and ISO-8859-1.
    headers = {"content-type": content_type} if content_type else None
    try:
        parsed = feedparser.parse(
            defuse_doctype(body), response_headers=headers, sanitize_html=True, resolve_relative_uris=False
        )
        feed = parsed.get("feed", {})
        entries = tuple(_entry(e, url, feed.get("language")) for e in parsed.get("entries", []))
    except ValueError as error:  # feedparser's own decode errors (bad charset label, lone surrogates)
        raise FeedParseError(f"not a feed: {_bozo_reason(error)}") from None
    warning = None
    if parsed.get("bozo"):
        exc = parsed.get("bozo_exception")
        reason = _bozo_reason(exc)
        soft = isinstance(exc, _SOFT_BOZO) and parsed.get("version")
        if not entries and not soft:
            raise FeedParseError(f"not a feed: {reason}")
        warning = _warning(exc, reason, parsed.get("encoding"))
    return ParsedFeed(
        title=_text_of(feed, "title"),
        entries=entries,
        warning=warning,
        encoding=parsed.get("encoding") or None,
    )


# feedparser flags these although the XML itself parsed: a wrong charset label or media type.
_SOFT_BOZO = (feedparser.CharacterEncodingOverride, feedparser.NonXMLContentType)


def _warning(exc: object, reason: str, encoding: str | None) -> str:
    if isinstance(exc, feedparser.NonXMLContentType):
        return f"The server did not label the feed as XML ({exc}); it was read anyway."
    if isinstance(exc, feedparser.CharacterEncodingOverride):
        return f"The feed's declared character encoding was wrong; it was decoded as {encoding} instead."
    return f"The feed is not well-formed ({reason}); its entries were read by the lenient parser."


def _bozo_reason(exc: object) -> str:
    if exc is None:
        return "unknown problem"
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _entry(e: Any, base_url: str, feed_language: str | None) -> ParsedEntry:
    link = e.get("link") or None
    if link:
        link = urljoin(base_url, link.strip()) if not _is_local(base_url) else link.strip()
    raw_date = e.get("published") or e.get("updated") or None
    detail = e.get("title_detail") or e.get("summary_detail") or {}
    return ParsedEntry(
        title=_text_of(e, "title"),
        link=link,
        guid=(e.get("id") or None),
        summary=_text_of(e, "summary"),
        content=_fullest_content(e),
        published=_aware(e.get("published_parsed") or e.get("updated_parsed")),
        published_raw=raw_date,
        author=plain(e.get("author") or "") or None,
        language=detail.get("language") or feed_language or None,
    )


def _text_of(d: Any, key: str) -> str:
    value = d.get(key) or ""
    detail = d.get(f"{key}_detail") or {}
    return html_to_text(value) if "html" in (detail.get("type") or "text/html") else plain(value)


def _fullest_content(e: Any) -> str:
    texts = [
        html_to_text(c.get("value") or "") if "html" in (c.get("type") or "text/html") else plain(c.get("value") or "")
        for c in e.get("content") or []
    ]
    return max(texts, key=len, default="")


def _aware(parsed: time.struct_time | None) -> datetime | None:
    """feedparser's *_parsed are UTC struct_times; out-of-range ones become None."""
    if not parsed:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(parsed), UTC)
    except (OverflowError, ValueError, OSError):
        return None


# The internal DTD subset is where XML attacks live (billion laughs, external
# entities). feedparser already drops unsafe declarations, but only those that
# start a line; this rewrite keeps only plain-text general entities, whatever the layout.
_PROLOG_DOCTYPE = re.compile(rb"<!DOCTYPE\s+([\w:.-]+)[^\[>]*(\[(.*?)\]\s*)?>", re.IGNORECASE | re.DOTALL)
_SAFE_ENTITY = re.compile(
    rb"<!ENTITY\s+([\w.-]+)\s+(\"(?:[^\"&%<]*|&#\w+;)\"|'(?:[^'&%<]*|&#\w+;)')\s*>",
    re.DOTALL,
)


def defuse_doctype(body: bytes) -> bytes:
    first_element = re.search(rb"<[A-Za-z]", body)
    end = first_element.start() if first_element else len(body)
    head = body[:end]
    match = _PROLOG_DOCTYPE.search(head)
    if not match:
        if b"<!ENTITY" in head.upper():  # a subset without a recognisable DOCTYPE: drop the prolog's DTD bits
            head = re.sub(rb"<!ENTITY[^>]*>", b"", head, flags=re.IGNORECASE)
        return head + body[end:]
    subset = match.group(3) or b""
    safe = [m.group(0) for m in _SAFE_ENTITY.finditer(subset)]
    # On a line of its own, as feedparser's own DOCTYPE rewrite expects.
    doctype = b"\n<!DOCTYPE " + match.group(1)
    doctype += (b" [\n" + b"\n".join(safe) + b"\n]>") if safe else b">"
    return head[: match.start()] + doctype + head[match.end() :] + body[end:]


# ---------------------------------------------------------------- HTML to plain text

_BLOCK_TAGS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "br",
        "dd",
        "div",
        "dl",
        "dt",
        "figcaption",
        "figure",
        "footer",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
    ]
)
_SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "head", "title"})


def html_to_text(html: str) -> str:
    """Plain text from an HTML fragment: tags dropped, entities unescaped, blocks as lines."""
    if "<" not in html and "&" not in html:
        return plain(html)
    parser = _TextParser()
    try:
        parser.feed(html)
        parser.close()
    except Exception:  # noqa: BLE001 - html.parser is lenient, but a fragment must never kill a feed
        return plain(re.sub(r"<[^>]*>", " ", html))
    return parser.text()


def plain(text: str) -> str:
    """Collapse whitespace inside lines, drop empty lines; paragraphs stay one per line."""
    lines = (" ".join(line.split()) for line in text.replace("\r\n", "\n").split("\n"))
    return "\n".join(line for line in lines if line)


class _TextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self.skipping += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")
        elif tag == "img":
            alt = dict(attrs).get("alt")
            if alt and not self.skipping:
                self.parts.append(f" {alt} ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")
        elif tag == "img":
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self.skipping = max(0, self.skipping - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)

    def text(self) -> str:
        return plain("".join(self.parts))
