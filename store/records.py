"""Typed records that cross module boundaries.

They live in `store/` because the store writes them. Nothing past `feeds.py`
touches feedparser objects or HTTP responses: they become these frozen
dataclasses at once, so the pipeline, the store and the tests speak one vocabulary.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class ParsedEntry:
    """One feed entry as the feed gave it (before normalisation and scoring)."""

    title: str
    link: str | None
    guid: str | None
    summary: str  # plain text (HTML stripped), possibly empty
    content: str  # plain text of the fullest content element, possibly empty
    published: datetime | None  # aware UTC, None when the feed gave none
    published_raw: str | None
    author: str | None = None
    language: str | None = None


@dataclass(frozen=True)
class ParsedFeed:
    title: str
    entries: tuple[ParsedEntry, ...]
    warning: str | None = None  # set for a "bozo" feed that still yielded entries
    encoding: str | None = None


@dataclass(frozen=True)
class FeedState:
    """What the store remembers about one feed between runs."""

    source_id: str
    url: str
    etag: str | None = None
    last_modified: str | None = None
    status: str = "new"  # new | ok | not-modified | error | backoff
    http_status: int | None = None
    error: str | None = None
    last_attempt_at: datetime | None = None
    last_success_at: datetime | None = None
    consecutive_failures: int = 0
    next_attempt_at: datetime | None = None  # set by backoff / Retry-After


@dataclass(frozen=True)
class FetchResult:
    """The outcome of one conditional GET of one feed."""

    source_id: str
    url: str  # the URL that was requested
    final_url: str | None = None  # after redirects
    permanent_url: str | None = None  # set when a 301/308 chain moved the feed
    http_status: int | None = None
    body: bytes | None = None  # None on error or 304
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False
    error: str | None = None  # a sentence a person understands
    retryable: bool = False
    retry_after_seconds: float | None = None
    content_type: str | None = None
    elapsed_seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(frozen=True)
class Item:
    """An article ready to be stored: normalised, dated, language-tagged."""

    source_id: str
    title: str
    text: str  # the original text shown and highlighted (offsets point into it)
    url: str | None
    canonical_url: str | None
    guid: str | None
    language: str  # en | zh-hans | zh-hant | ru | und
    published_at: datetime | None  # aware UTC; None when undated (never placed on a timeline)
    date_estimated: bool
    date_flag: str | None  # None | missing | unreadable | sentinel | out-of-range | future | pre-1900 | undated
    published_raw: str | None
    fetched_at: datetime
    content_hash: str
    summary: str = ""
    author: str | None = None
    extra: dict[str, str] = field(default_factory=dict)
    date_precision: str = "day"  # time | day | month | year | undated
    # The syndication hash (ingest/items.py text_hash), computed with content_hash from
    # the same normalised text; "" when the item was built without it.
    text_hash: str = ""


@dataclass(frozen=True)
class StoredIdentity:
    """A stored item of the same source that shares one key with an incoming item: its
    content hash, canonical URL or GUID (`key` says which), with what tells items apart."""

    id: int
    key: str  # hash | url | guid
    title: str
    guid: str | None
    canonical_url: str | None
