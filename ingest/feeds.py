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

import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import replace
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from urllib.parse import unquote, urlsplit

import httpx

from ingest.feedparse import FeedParseError, not_a_feed_reason, parse_feed
from ingest.http_fetch import (
    RETRY_AFTER_CAP_SECONDS,
    RETRYABLE_CODES,
    FetchFailure,
    FetchSettings,
    describe_status,
    is_local,
    open_following_redirects,
    parse_retry_after,
    read_capped,
    size_text,
)
from ingest.netguard import Resolver, check_url, origin, system_resolver
from store.records import FeedState, FetchResult

log = logging.getLogger(__name__)

__all__ = [
    "FeedParseError",
    "FetchFailure",
    "FetchSettings",
    "backoff_seconds",
    "due",
    "fetch_all",
    "fetch_feed",
    "next_state",
    "parse_feed",
    "parse_retry_after",
]


# ---------------------------------------------------------------- fetching


def fetch_feed(client: httpx.Client, state: FeedState, settings: FetchSettings) -> FetchResult:
    """One conditional GET of one feed; every failure becomes an error result."""
    started = time.monotonic()
    base = FetchResult(source_id=state.source_id, url=state.url)
    try:
        if is_local(state.url):
            result = _read_local(state, settings)
        else:
            result = _fetch_http(client, state, settings)
    except FetchFailure as exc:
        result = replace(base, error=str(exc), retryable=exc.retryable, http_status=exc.http_status)
    return replace(result, elapsed_seconds=time.monotonic() - started)


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
        raise FetchFailure(f"file exceeds {size_text(settings.max_bytes)} cap: {path}")
    problem = not_a_feed_reason(body, None)
    if problem:
        raise FetchFailure(problem)
    return FetchResult(
        source_id=state.source_id,
        url=state.url,
        final_url=path.resolve().as_uri(),
        body=body,
    )


def _fetch_http(
    client: httpx.Client, state: FeedState, settings: FetchSettings, resolver: Resolver = system_resolver
) -> FetchResult:
    headers = {"Accept": "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"}
    if state.etag:
        headers["If-None-Match"] = state.etag
    elif state.last_modified:
        headers["If-Modified-Since"] = state.last_modified
    # The configured address may be on the intranet (the config names it); a redirect
    # elsewhere is checked like any link from a stranger, since OPML files are not ours.
    trusted = origin(state.url)
    guard = partial(check_url, allow_hosts=settings.allow_hosts, resolver=resolver, trusted=trusted)
    with open_following_redirects(client, state.url, settings, headers, check_url=guard) as hop:
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
