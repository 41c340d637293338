"""Where ingest may connect, and for how long: the SSRF guard, address pinning and request deadlines.

Links and redirect targets come from third-party feeds, so the address a host
resolves to is checked (no loopback, private, link-local, multicast or reserved
address unless the host is allow-listed) and then *that checked address* is the
one connected to: httpx never resolves the name a second time, so a DNS answer
that changes between check and connect (DNS rebinding) cannot reach an internal
service. The Host header and the TLS server name stay those of the URL.

Every request also runs under one deadline for the whole exchange (DNS, connect,
TLS, status line, headers, body, redirects): the per-read timeouts of httpx let a
server that trickles one byte every half second hold a request forever.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any
from urllib.parse import urlsplit

import httpcore
import httpx

from ingest.fetch_failure import FetchFailure, timed_out

Resolver = Callable[[str, int], list[str]]

# Per thread (each worker of a fetch pool has its own context): when the current
# request must end, and which addresses each host:port of the current hop may use.
_deadline: ContextVar[tuple[float, float] | None] = ContextVar("deadline", default=None)
_pins: ContextVar[dict[tuple[str, int], list[str]] | None] = ContextVar("pins", default=None)


class RefusedURL(FetchFailure):
    """A link or redirect the SSRF guard will not fetch."""


# ---------------------------------------------------------------- deadline


@contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Everything fetched inside this block must be done within `seconds` of its start."""
    token = _deadline.set((time.monotonic() + seconds, seconds))
    try:
        yield
    finally:
        _deadline.reset(token)


def remaining(timeout: float | None = None) -> float | None:
    """The smaller of `timeout` and the time left; raises a worded timeout once the deadline has passed."""
    current = _deadline.get()
    if current is None:
        return timeout
    left = current[0] - time.monotonic()
    if left <= 0:
        raise FetchFailure(timed_out(current[1]), retryable=True)
    return left if timeout is None else min(timeout, left)


def past_deadline() -> str | None:
    """The timeout sentence if the current deadline has passed, else None."""
    current = _deadline.get()
    return timed_out(current[1]) if current is not None and time.monotonic() >= current[0] else None


# ---------------------------------------------------------------- SSRF guard


def system_resolver(host: str, port: int) -> list[str]:
    """getaddrinfo, but never past the request's deadline (it has no timeout of its own)."""
    box: dict[str, Any] = {}

    def lookup() -> None:
        try:
            box["infos"] = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except Exception as exc:  # noqa: BLE001 - handed to the caller below
            box["error"] = exc

    worker = threading.Thread(target=lookup, daemon=True)
    worker.start()
    worker.join(remaining(30.0))
    if worker.is_alive():
        remaining()  # raises the worded timeout if the deadline is what stopped us
        raise FetchFailure(f"DNS lookup for host {host} timed out", retryable=True)
    if "error" in box:
        raise box["error"]
    return list(dict.fromkeys(str(info[4][0]) for info in box["infos"]))


def host_allowed(host: str, allow_hosts: Iterable[str]) -> bool:
    host = host.lower().rstrip(".")
    for allowed in allow_hosts:
        allowed = allowed.lower().rstrip(".")
        if host == allowed or (allowed.startswith(".") and host.endswith(allowed)):
            return True
    return False


def address_problem(address: str) -> str | None:
    """Why an IP address must not be fetched from ingest, or None if it is a public address."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return "a loopback address"
    if ip.is_link_local:
        return "a link-local address (cloud metadata lives there)"
    if ip.is_multicast:
        return "a multicast address"
    if ip.is_unspecified or ip.is_reserved:
        return "a reserved address"
    if ip.is_private or not ip.is_global:
        return "a private address"
    return None


def is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return False
    return True


def origin(url: str) -> tuple[str, int] | None:
    """(host, port) of an http(s) URL, None when it has neither."""
    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port
    except ValueError:
        return None
    if not host:
        return None
    return host.lower().rstrip("."), port or (443 if parts.scheme.lower() == "https" else 80)


def check_url(
    url: str,
    allow_hosts: Iterable[str] = (),
    resolver: Resolver = system_resolver,
    trusted: tuple[str, int] | None = None,
) -> list[str]:
    """The addresses `url` may be fetched from; RefusedURL unless it is http(s) and every one is public.

    Hosts in `allow_hosts`, and the `trusted` host:port (the feed address the
    configuration itself names), may resolve to private addresses. The answer is
    what `pinned` connects to, so the name is resolved exactly once per hop.
    """
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise RefusedURL(
            f"not a fetchable URL: only http and https links are fetched, not {scheme or 'a bare path'}: {url[:80]}"
        )
    host = parts.hostname
    if not host:
        raise RefusedURL(f"link has no host: {url[:80]}")
    where = origin(url)
    if where is None:
        raise RefusedURL(f"link has an invalid port: {url[:80]}")
    try:
        addresses = [host.split("%", 1)[0]] if is_ip(host) else resolver(host, where[1])
    except (socket.gaierror, UnicodeError, OSError):
        raise RefusedURL(f"DNS lookup failed for host {host}", retryable=True) from None
    if not addresses:
        raise RefusedURL(f"DNS lookup failed for host {host}", retryable=True)
    if where == trusted or host_allowed(host, allow_hosts):
        return addresses
    for address in addresses:
        problem = address_problem(address)
        if problem:
            raise RefusedURL(
                f"refused {host}: it resolves to {address}, {problem} (allow it in ingest.fulltext_allow_hosts)"
            )
    return addresses


@contextmanager
def pinned(url: str, addresses: list[str]) -> Iterator[None]:
    """Connections to the host:port of `url` opened inside this block go to `addresses` only."""
    where = origin(url)
    token = _pins.set({where: addresses} if where else {})
    try:
        yield
    finally:
        _pins.reset(token)


# ---------------------------------------------------------------- transport


class _DeadlineStream(httpcore.NetworkStream):
    """A socket stream whose every read and write is cut to the time left before the deadline."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self.inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self.inner.read(max_bytes, _left(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self.inner.write(buffer, _left(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self.inner.close()

    def start_tls(
        self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        return _DeadlineStream(
            self.inner.start_tls(ssl_context, server_hostname, _left(timeout, httpcore.ConnectTimeout))
        )

    def get_extra_info(self, info: str) -> Any:
        return self.inner.get_extra_info(info)


def _left(timeout: float | None, error: type[Exception]) -> float | None:
    try:
        return remaining(timeout)
    except FetchFailure as exc:
        raise error(str(exc)) from None


class PinningBackend(httpcore.NetworkBackend):
    """Connects to the pinned addresses of a host when a hop pinned them, always under the deadline."""

    def __init__(self) -> None:
        self.inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        pins = _pins.get() or {}
        addresses = pins.get((host.lower().rstrip("."), port), [host])
        error: Exception | None = None
        for address in addresses:
            try:
                stream = self.inner.connect_tcp(
                    address, port, _left(timeout, httpcore.ConnectTimeout), local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc  # try the next checked address, as socket.create_connection would
                continue
            return _DeadlineStream(stream)
        assert error is not None
        raise error

    def sleep(self, seconds: float) -> None:
        self.inner.sleep(seconds)


class GuardedTransport(httpx.HTTPTransport):
    """httpx's transport over `PinningBackend`, without keep-alive.

    No connection outlives its request: a pooled connection opened for one hop
    (say a configured feed on the intranet) can never serve another hop whose
    addresses were checked under a different rule.
    """

    def __init__(self, max_connections: int) -> None:
        super().__init__()
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(),
            max_connections=max_connections,
            max_keepalive_connections=0,
            network_backend=PinningBackend(),
        )
