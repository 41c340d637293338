"""A real HTTP server on 127.0.0.1 for fetch tests: routes you register, requests it recorded.

Everything a feed server does wrong in the wild can be staged here: conditional
GET answered with 304, status codes with Retry-After, redirect chains and loops,
bodies that drip one byte at a time, bodies too large (generated lazily), gzip
bombs (compressed on the fly), HTML instead of a feed, empty and truncated
bodies, wrong charsets and BOMs.

Use the `feed_server` fixture (function scope) or `FeedServer()` as a context manager.
To make the fixture visible everywhere, the root conftest.py lists this module in
`pytest_plugins = ["tests.feedserver"]`.
"""

from __future__ import annotations

import email.utils
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

Body = bytes | Callable[[], Iterator[bytes]]


@dataclass
class Route:
    status: int = 200
    body: Body = b""
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None  # answer 304 when If-None-Match carries it
    last_modified: str | None = None  # answer 304 when If-Modified-Since equals it
    drip_seconds: float = 0.0  # send the body one byte at a time, pausing this long
    delay_seconds: float = 0.0  # pause before sending anything
    head_drip_seconds: float = 0.0  # send the status line and headers one byte at a time, pausing this long
    gate: threading.Event | None = None  # hold the answer until the test sets this (at most gate_seconds)
    gate_seconds: float = 30.0
    answered: threading.Event = field(default_factory=threading.Event)  # set once the head has been sent


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str
    headers: dict[str, str]  # lower-case names

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


class _Server(ThreadingHTTPServer):
    # The default listen backlog of 5 drops SYNs when a fetcher opens 8+ connections
    # at once; the kernel retries after a second, which looked like a slow client.
    request_queue_size = 128


class FeedServer:
    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[Recorded] = []
        self._lock = threading.Lock()
        self.in_flight: dict[str, int] = {}  # path -> requests being answered now
        self.max_in_flight = 0  # most requests answered at once (all paths)
        self.overlapping: set[str] = set()  # paths requested again while still being answered
        self.httpd = _Server(("127.0.0.1", 0), _handler_for(self))
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self._thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def __enter__(self) -> FeedServer:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    # ------------------------------------------------------------ registering routes

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def add(self, path: str, body: Body = b"", status: int = 200, headers: dict[str, str] | None = None, **kw) -> str:
        self.routes[path] = Route(status=status, body=body, headers=dict(headers or {}), **kw)
        return self.url(path)

    def add_feed(self, path: str, body: bytes, content_type: str = "application/rss+xml; charset=utf-8", **kw) -> str:
        headers = {"Content-Type": content_type, **kw.pop("headers", {})}
        return self.add(path, body, headers=headers, **kw)

    def add_redirect(self, path: str, to: str, status: int = 301) -> str:
        return self.add(path, status=status, headers={"Location": to})

    def add_oversized(self, path: str, size: int, chunk: int = 64 * 1024) -> str:
        """A body of `size` bytes, produced lazily: the server never holds it whole."""

        def body() -> Iterator[bytes]:
            sent = 0
            while sent < size:
                piece = b"<item>x</item>\n" * (chunk // 15)
                piece = piece[: size - sent]
                sent += len(piece)
                yield piece

        return self.add(path, body, headers={"Content-Type": "application/rss+xml"})

    def add_gzip_bomb(self, path: str, decompressed_size: int, encoding: str = "gzip") -> str:
        """Small on the wire, `decompressed_size` bytes of zeros once inflated, compressed as it is sent."""

        def body() -> Iterator[bytes]:
            wbits = 16 + zlib.MAX_WBITS if encoding == "gzip" else zlib.MAX_WBITS
            comp = zlib.compressobj(9, zlib.DEFLATED, wbits)
            block = b"\0" * (1 << 20)
            left = decompressed_size
            while left > 0:
                out = comp.compress(block[: min(left, len(block))])
                left -= min(left, len(block))
                if out:
                    yield out
            yield comp.flush()

        return self.add(path, body, headers={"Content-Type": "application/rss+xml", "Content-Encoding": encoding})

    def add_drip(self, path: str, body: bytes, interval: float) -> str:
        return self.add(path, body, headers={"Content-Type": "application/rss+xml"}, drip_seconds=interval)

    def add_trickle(self, path: str, body: bytes, interval: float, content_type: str = "application/rss+xml") -> str:
        """Status line, headers and body all sent one byte every `interval` seconds (a slowloris in reverse)."""
        headers = {"Content-Type": content_type}
        return self.add(path, body, headers=headers, head_drip_seconds=interval, drip_seconds=interval)

    # ------------------------------------------------------------ what was asked

    def requests_for(self, path: str) -> list[Recorded]:
        with self._lock:
            return [r for r in self.requests if r.path == path]

    def _record(self, rec: Recorded) -> None:
        with self._lock:
            self.requests.append(rec)

    def _enter(self, path: str) -> None:
        with self._lock:
            if self.in_flight.get(path):
                self.overlapping.add(path)
            self.in_flight[path] = self.in_flight.get(path, 0) + 1
            self.max_in_flight = max(self.max_in_flight, sum(self.in_flight.values()))

    def _leave(self, path: str) -> None:
        with self._lock:
            self.in_flight[path] -= 1


def _handler_for(server: FeedServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"  # the body ends when the connection closes: lazy bodies need no length

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - keep test output quiet
            pass

        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            path = self.path.split("?", 1)[0]
            server._record(Recorded("GET", path, {k.lower(): v for k, v in self.headers.items()}))
            route = server.routes.get(path)
            server._enter(path)
            try:
                if route is None:
                    self._send(Route(status=404, body=b"not found", headers={"Content-Type": "text/plain"}))
                elif self._not_modified(route):
                    self._send(Route(status=304, headers={k: v for k, v in _validators(route).items()}))
                else:
                    self._send(route)
            finally:
                server._leave(path)

        def _not_modified(self, route: Route) -> bool:
            inm = self.headers.get("If-None-Match")
            if route.etag and inm:
                return route.etag in [t.strip() for t in inm.split(",")] or inm.strip() == "*"
            ims = self.headers.get("If-Modified-Since")
            return bool(route.last_modified and ims and ims == route.last_modified)

        def _send(self, route: Route) -> None:
            try:
                if route.delay_seconds:
                    time.sleep(route.delay_seconds)
                if route.gate is not None:
                    route.gate.wait(route.gate_seconds)
                headers = {**_validators(route), **route.headers}
                body = route.body
                if isinstance(body, bytes) and not route.drip_seconds and route.status != 304:
                    headers.setdefault("Content-Length", str(len(body)))
                self._send_head(route, headers)
                route.answered.set()
                if route.status == 304:
                    return
                for piece in _pieces(body, route.drip_seconds):
                    self.wfile.write(piece)
                    self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
                pass  # the client stopped reading: exactly what cap and timeout tests expect

        def _send_head(self, route: Route, headers: dict[str, str]) -> None:
            if not route.head_drip_seconds:
                self.send_response(route.status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                return
            self.close_connection = True
            lines = [f"HTTP/1.0 {route.status} {self.responses.get(route.status, ('',))[0]}"]
            lines += [f"{name}: {value}" for name, value in headers.items()]
            head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
            for piece in _pieces(head, route.head_drip_seconds):
                self.wfile.write(piece)
                self.wfile.flush()

    return Handler


def _validators(route: Route) -> dict[str, str]:
    out = {}
    if route.etag:
        out["ETag"] = route.etag
    if route.last_modified:
        out["Last-Modified"] = route.last_modified
    return out


def _pieces(body: Body, drip: float) -> Iterator[bytes]:
    chunks = [body] if isinstance(body, bytes) else body()
    for chunk in chunks:
        if not drip:
            yield chunk
            continue
        for i in range(len(chunk)):
            yield chunk[i : i + 1]
            time.sleep(drip)


def http_date(ts: float) -> str:
    return email.utils.formatdate(ts, usegmt=True)


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    with FeedServer() as server:
        yield server
