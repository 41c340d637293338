"""Feed entries, archive rows and seed files -> `Item` records.

Pure functions: canonical URLs for deduplication, trusted dates, content hashes
and language.  No I/O.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from store.records import Item, ParsedEntry

from .identitynorm import identity_text
from .language import detect_language

_TRACKING = re.compile(
    r"^(utm_[a-z_]+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|igshid|yclid|_ga|ref|ref_src|cmpid|"
    r"cmp|icid|ncid|ocid|smid|src|share|spm|from|rss|rssfeed|feed|at_medium|at_campaign|CMP)$",
    re.I,
)
_HOST_PREFIX = re.compile(r"^(www\d*|m|mobile|amp)\.")
EARLIEST_TRUSTED = datetime(1900, 1, 1, tzinfo=UTC)
FUTURE_SLACK = timedelta(days=1)
# What systems write when they have no date: the Unix epoch and the 1900 spreadsheet/SQL epoch.
SENTINELS = (datetime(1970, 1, 1, tzinfo=UTC), datetime(1900, 1, 1, tzinfo=UTC))
PRECISIONS = ("time", "day", "month", "year", "undated")  # finest first


def canonical_url(url: str | None) -> str | None:
    """A key under which the same article is found however the link was decorated.

    Lower-cased scheme and host, no `www.`/`m.` prefix, no default port, no
    fragment, no tracking parameters, remaining parameters sorted, no trailing
    slash, and http/https treated alike.
    """
    if not url or not url.strip():
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return url.strip()
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return url.strip()
    host = _HOST_PREFIX.sub("", parts.hostname.lower())
    try:
        port = parts.port
    except ValueError:
        port = None
    if port and port not in (80, 443):
        host = f"{host}:{port}"
    query = ""
    if parts.query:  # most article links have none: no parsing, sorting or encoding to do
        kept = sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING.match(k))
        query = urlencode(kept)
    path = parts.path or "/"
    if "//" in path:
        path = re.sub(r"/{2,}", "/", path)
    if len(path) > 1:
        path = path.rstrip("/")
    return urlunsplit(("https", host, path, query, ""))


@dataclass(frozen=True)
class Dating:
    """Where an item sits in time: the moment, how precise it is, and why it is not trusted."""

    published_at: datetime | None  # None when undated
    precision: str  # one of PRECISIONS
    estimated: bool  # a feed item placed at its first-seen time
    flag: str | None  # None | missing | unreadable | sentinel | out-of-range | future | pre-1900 | undated


def date_problem(published: datetime, precision: str, raw: str | None, now: datetime) -> str | None:
    """Why a parsed date cannot be trusted, or None.  `raw` is the source's own text: a parser
    that turned `10000-01-01` into 2010-11-01 gave a year the text does not contain."""
    if raw is not None and not _year_in_raw(published.year, raw):
        return "out-of-range"
    if precision in ("time", "day") and published in SENTINELS:
        return "sentinel"
    if published > now + FUTURE_SLACK:
        return "future"
    if published < EARLIEST_TRUSTED:
        return "pre-1900"
    return None


def _year_in_raw(year: int, raw: str) -> bool:
    """Whether the source's text holds the parsed year (four digits, a two-digit year, or the
    head of a compact `YYYYMMDD`).  Text without digits ("yesterday") cannot be checked."""
    runs = re.findall(r"\d+", raw)
    if not runs:
        return True
    return any(
        (len(r) == 4 and r == f"{year:04d}")
        or (len(r) == 8 and r[:4] == f"{year:04d}")
        or (len(r) == 2 and r == f"{year % 100:02d}")
        for r in runs
    )


def trusted_date(
    published: datetime | None,
    fetched_at: datetime,
    now: datetime | None = None,
    *,
    precision: str = "time",
    raw: str | None = None,
    history: bool = False,
) -> Dating:
    """The item's place in time.  A date that is missing or cannot be trusted makes an archive
    row or seed (`history`) undated: it never lands on a timeline.  A feed item is news when first
    seen, so it takes the fetch time instead, flagged estimated, as feed readers do."""
    now = now or fetched_at
    flag: str | None = "missing"
    if published is not None:
        if published.tzinfo is None:
            published = published.replace(tzinfo=UTC)
        published = published.astimezone(UTC)
        flag = date_problem(published, precision, raw, now)
        if flag is None:
            return Dating(published, precision, False, None)
    if history:
        return Dating(None, "undated", False, flag)
    return Dating(fetched_at, "time", True, flag)


_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%d %B %Y", "%B %d, %Y", "%Y%m%d")
_MONTH_FORMATS = ("%B %Y", "%b %Y", "%Y/%m")


def coarsen(moment: datetime | None, precision: str, at_most: str | None) -> tuple[datetime | None, str]:
    """The date at the coarser of its own precision and `at_most` (a source's configured
    precision), moved to the start of that month or year."""
    if moment is None or at_most is None or PRECISIONS.index(at_most) <= PRECISIONS.index(precision):
        return moment, precision
    start = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    if at_most == "month":
        start = start.replace(day=1)
    elif at_most == "year":
        start = start.replace(month=1, day=1)
    return start, at_most


def parse_loose_date(value: object) -> datetime | None:
    """Dates as archives write them: ISO timestamps, plain dates, `YYYY-MM`, a bare year."""
    return read_date(value)[0]


def read_date(value: object) -> tuple[datetime | None, str]:
    """(moment, precision) of a date as an archive or config writes it; (None, "undated") when
    there is none or it is unreadable.  The precision is what the text says: `2024` is a year,
    `2024-03` a month, `2024-03-05` a day, anything with a time of day a time."""
    if value is None or isinstance(value, bool):
        return None, "undated"
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)), "time"
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC), "day"
    if isinstance(value, (int, float)):
        if value != value or value in (float("inf"), float("-inf")) or value != int(value):
            return None, "undated"
        year = int(value)
        return (datetime(year, 1, 1, tzinfo=UTC), "year") if 1000 <= year <= 9999 else (None, "undated")
    text = str(value).strip()
    if not text:
        return None, "undated"
    if re.fullmatch(r"\d{4}", text):
        return datetime(int(text), 1, 1, tzinfo=UTC), "year"
    if re.fullmatch(r"\d{4}-\d{1,2}", text):
        year_text, month_text = text.split("-")
        month = int(month_text)
        return (datetime(int(year_text), month, 1, tzinfo=UTC), "month") if 1 <= month <= 12 else (None, "undated")
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        precision = "day" if re.fullmatch(r"\d{4}-?\d{2}-?\d{2}", text) else "time"
        return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)), precision
    except ValueError:
        pass
    for formats, precision in ((_DATE_FORMATS, "day"), (_MONTH_FORMATS, "month")):
        for fmt in formats:
            try:
                return datetime.strptime(text, fmt).replace(tzinfo=UTC), precision
            except ValueError:
                continue
    from email.utils import parsedate_to_datetime

    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None, "undated"
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)), "time"


def content_hash(title: str, text: str) -> str:
    """Same article, same hash: over the normalised title and text."""
    return _digest(identity_text(title).strip() + "\n" + identity_text(text).strip())


def text_hash(title: str, text: str) -> str:
    """Syndication key: the body alone, since outlets retitle wire copy.  Short texts
    (headline-only feeds) fall back to title + text, or every "Read more" would collide."""
    return _text_hash(title, identity_text(text).strip())


def _text_hash(title: str, body: str) -> str:
    if len(body) < 200:
        return _digest(identity_text(title).strip() + "\n" + body)
    return _digest(body)


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def make_item(
    source_id: str,
    title: str,
    text: str,
    fetched_at: datetime,
    *,
    url: str | None = None,
    guid: str | None = None,
    published: datetime | None = None,
    published_raw: str | None = None,
    language: str = "auto",
    summary: str = "",
    author: str | None = None,
    now: datetime | None = None,
    precision: str = "time",
    history: bool = False,
) -> Item:
    """`history`: an archive row or seed, where a missing or untrusted date means undated
    (a feed item takes its first-seen time instead, flagged estimated)."""
    title = " ".join(_no_nul(title or "").split())
    text = _no_nul(text or "").strip()
    summary = _no_nul(summary) if summary else summary
    url, guid, author, published_raw = (None if v is None else _no_nul(v) for v in (url, guid, author, published_raw))
    dating = trusted_date(published, fetched_at, now, precision=precision, raw=published_raw, history=history)
    if language in ("auto", "", None):
        language = detect_language(title + "\n" + text)
    # The text is normalised once for both hashes (it is the costly part of hashing)
    body = identity_text(text).strip()
    shown_title = title or _title_from(text)
    return Item(
        source_id=source_id,
        title=shown_title,
        text=text,
        url=url,
        canonical_url=canonical_url(url),
        guid=(guid or "").strip() or None,
        language=language,
        published_at=dating.published_at,
        date_estimated=dating.estimated,
        date_flag=dating.flag,
        date_precision=dating.precision,
        published_raw=published_raw,
        fetched_at=fetched_at,
        content_hash=_digest(identity_text(title).strip() + "\n" + body),
        summary=summary,
        author=author,
        text_hash=_text_hash(shown_title, body),
    )


def _no_nul(value: str) -> str:
    """A NUL character is never content (a broken encoder, a binary blob in a feed or an
    archive cell) and PostgreSQL's text cannot hold one: dropped here, at the item's
    boundary, so a row with one is stored, and the same, on both backends."""
    return value.replace("\x00", "") if "\x00" in value else value


def _title_from(text: str) -> str:
    first = text.strip().split("\n", 1)[0]
    return first[:117] + "…" if len(first) > 120 else first or "(untitled)"


def item_from_entry(source_id: str, entry: ParsedEntry, fetched_at: datetime, language: str, body: str | None) -> Item:
    """A feed entry becomes an item; `body` is extracted full text when there is any."""
    summary = entry.summary or ""
    text = body or entry.content or summary
    guid = entry.guid if entry.guid and entry.guid != entry.link else None
    return make_item(
        source_id,
        entry.title,
        text or entry.title,
        fetched_at,
        url=entry.link,
        guid=guid,
        published=entry.published,
        published_raw=entry.published_raw,
        language=language,
        summary=summary,
        author=entry.author,
    )
