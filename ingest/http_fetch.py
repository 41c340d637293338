"""HTTP plumbing for feeds and article pages: settings, redirects followed by hand,
decompressed-size caps, and errors worded for a person.  No feed logic here."""

from __future__ import annotations

import logging
import socket
import ssl
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from http import HTTPStatus
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx

from ingest.fetch_failure import FetchFailure, timed_out
from ingest.netguard import GuardedTransport, deadline, pinned

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


@dataclass(frozen=True)
class FetchSettings:
    timeout_seconds: float = 20.0
    max_bytes: int = 10_000_000
    max_redirects: int = 5
    user_agent: str = "discourse-monitor/1.0"
    backoff_base_seconds: float = 300.0
    backoff_max_seconds: float = 21_600.0
    concurrency: int = 8
    allow_hosts: tuple[str, ...] = ()  # may resolve to private addresses (ingest.fulltext_allow_hosts)

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
            allow_hosts=tuple(str(h) for h in config.get("ingest", "fulltext_allow_hosts") or ()),
        )

    def make_client(self) -> httpx.Client:
        """One client for many fetches; redirects are followed by hand, never by httpx.

        Its transport connects only to the addresses a hop's guard checked, and
        cuts every request off at its deadline (see netguard.py).
        """
        return httpx.Client(
            timeout=httpx.Timeout(self.timeout_seconds),
            follow_redirects=False,
            headers={"User-Agent": self.user_agent},
            transport=GuardedTransport(max(self.concurrency, 1) * 2),
            event_hooks={"response": [refuse_unusable_redirect]},
        )


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
    `check_url` veto any hop (the SSRF guard of netguard.py): the addresses it
    returns are the only ones that hop connects to. Everything from the first
    connect to the last body byte read inside the `with` block shares one
    deadline of `timeout_seconds`.
    """

    def __init__(
        self,
        client: httpx.Client,
        url: str,
        settings: FetchSettings,
        headers: dict[str, str] | None = None,
        check_url: Callable[[str], list[str] | None] | None = None,
    ) -> None:
        self.client, self.url, self.settings = client, url, settings
        self.headers = {
            "Accept-Encoding": "gzip, deflate",
            "User-Agent": settings.user_agent,
            **(headers or {}),
        }
        self.check_url = check_url
        self._stream: Any = None
        self._scope = ExitStack()

    def __enter__(self) -> Hop:
        self._scope.enter_context(deadline(self.settings.timeout_seconds))
        try:
            return self._follow()
        except BaseException:
            self.__exit__()
            raise

    def _follow(self) -> Hop:
        url, seen, permanent, permanent_url = self.url, [self.url], True, None
        while True:
            addresses = self.check_url(url) if self.check_url else None
            started = time.monotonic()
            response = self._open(url, addresses)
            if response.status_code not in REDIRECT_CODES or "location" not in response.headers:
                return Hop(response, url, permanent_url, started)
            self._close()
            target = redirect_target(url, response.headers["location"])
            if target in seen:
                raise FetchFailure("redirect loop: " + " -> ".join([*seen[seen.index(target) :], target]))
            if len(seen) > self.settings.max_redirects:
                raise FetchFailure(f"too many redirects (more than {self.settings.max_redirects}), last to {target}")
            permanent = permanent and response.status_code in PERMANENT_REDIRECTS
            if permanent:
                permanent_url = target
            seen.append(target)
            url = target

    def _open(self, url: str, addresses: list[str] | None) -> httpx.Response:
        try:
            request = self.client.build_request("GET", url, headers=self.headers)
            with ExitStack() as pins:
                if addresses is not None:
                    pins.enter_context(pinned(url, addresses))
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
        try:
            self._close()
        finally:
            self._scope.close()


def redirect_target(url: str, location: str) -> str:
    """The absolute http(s) address a Location header points to, or a worded refusal.

    `mailto:`, `data:`, `javascript:` and malformed addresses are refused here in
    words; httpx would otherwise raise InvalidURL from deep inside `send`.
    """
    location = location.strip()
    try:
        target = urljoin(url, location)
        parts = urlsplit(target)
    except ValueError:
        raise FetchFailure(f"redirect to a malformed address refused: {_shown(location)}") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise FetchFailure(f"redirect to a non-web address refused: {_shown(target)}")
    try:
        parts.port  # noqa: B018 - raises ValueError on a malformed port
        httpx.URL(location)
        parsed = httpx.URL(target)
    except (ValueError, httpx.InvalidURL):
        raise FetchFailure(f"redirect to a malformed address refused: {_shown(location)}") from None
    if not parts.hostname or not parsed.host:
        raise FetchFailure(f"redirect to an address without a host refused: {_shown(location)}")
    return target


def _shown(text: str) -> str:
    return text if len(text) <= 120 else text[:117] + "..."  # a data: URL can be megabytes


def refuse_unusable_redirect(response: httpx.Response) -> None:
    """httpx response hook: runs before httpx parses a Location itself (even with redirects off)."""
    if response.has_redirect_location:
        redirect_target(str(response.request.url), response.headers["location"])


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
                    f"body exceeds {size_text(cap)} cap (stopped reading)",
                    http_status=response.status_code,
                )
            out.append(piece)
            if time.monotonic() - started > settings.timeout_seconds:
                raise FetchFailure(timed_out(settings.timeout_seconds), retryable=True)
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
        return FetchFailure(timed_out(timeout), retryable=True)
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


def size_text(n: int) -> str:
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


def is_local(url: str) -> bool:
    scheme = urlsplit(url).scheme.lower()
    return scheme == "file" or scheme == "" or (len(scheme) == 1 and url[1:3] in (":\\", ":/"))
