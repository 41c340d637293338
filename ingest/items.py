"""Feed entries, archive rows and seed files -> `Item` records.

Pure functions: canonical URLs for deduplication, trusted dates, content hashes
and language.  No I/O.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, date, datetime, timedelta
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from store.records import Item, ParsedEntry

from .language import detect_language
from .textnorm import normalise

_TRACKING = re.compile(
    r"^(utm_[a-z_]+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|igshid|yclid|_ga|ref|ref_src|cmpid|"
    r"cmp|icid|ncid|ocid|smid|src|share|spm|from|rss|rssfeed|feed|at_medium|at_campaign|CMP)$",
    re.I,
)
_HOST_PREFIX = re.compile(r"^(www\d*|m|mobile|amp)\.")
EARLIEST_TRUSTED = datetime(1900, 1, 1, tzinfo=UTC)
FUTURE_SLACK = timedelta(days=1)


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
    query = sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING.match(k))
    path = re.sub(r"/{2,}", "/", parts.path or "/")
    if len(path) > 1:
        path = path.rstrip("/")
    return urlunsplit(("https", host, path, urlencode(query), ""))


def trusted_date(
    published: datetime | None, fetched_at: datetime, now: datetime | None = None
) -> tuple[datetime, bool, str | None]:
    """(date to use, estimated?, flag).  Missing, future and pre-1900 dates fall back to the
    fetch time and are flagged, so they neither vanish nor distort a trend."""
    now = now or fetched_at
    if published is None:
        return fetched_at, True, "missing"
    if published.tzinfo is None:
        published = published.replace(tzinfo=UTC)
    published = published.astimezone(UTC)
    if published > now + FUTURE_SLACK:
        return fetched_at, True, "future"
    if published < EARLIEST_TRUSTED:
        return fetched_at, True, "pre-1900"
    return published, False, None


_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%d %B %Y", "%B %d, %Y", "%Y%m%d")


def parse_loose_date(value: object) -> datetime | None:
    """Dates as archives write them: ISO timestamps, plain dates, `YYYY-MM`, a bare year."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        year = int(value)
        return datetime(year, 1, 1, tzinfo=UTC) if 1000 <= year <= 9999 else None
    text = str(value).strip()
    if not text:
        return None
    if re.fullmatch(r"\d{4}", text):
        return datetime(int(text), 1, 1, tzinfo=UTC)
    if re.fullmatch(r"\d{4}-\d{1,2}", text):
        year_text, month_text = text.split("-")
        month = int(month_text)
        return datetime(int(year_text), month, 1, tzinfo=UTC) if 1 <= month <= 12 else None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    except ValueError:
        pass
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=UTC)
        except ValueError:
            continue
    from email.utils import parsedate_to_datetime

    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def content_hash(title: str, text: str) -> str:
    """Same article, same hash: over the normalised title and text."""
    key = normalise(title).text.strip() + "\n" + normalise(text).text.strip()
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def text_hash(title: str, text: str) -> str:
    """Syndication key: the body alone, since outlets retitle wire copy.  Short texts
    (headline-only feeds) fall back to title + text, or every "Read more" would collide."""
    body = normalise(text).text.strip()
    if len(body) < 200:
        return content_hash(title, text)
    return hashlib.sha256(body.encode("utf-8")).hexdigest()[:32]


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
) -> Item:
    title = " ".join((title or "").split())
    text = (text or "").strip()
    when, estimated, flag = trusted_date(published, fetched_at, now)
    if language in ("auto", "", None):
        language = detect_language(title + "\n" + text)
    return Item(
        source_id=source_id,
        title=title or _title_from(text),
        text=text,
        url=url,
        canonical_url=canonical_url(url),
        guid=(guid or "").strip() or None,
        language=language,
        published_at=when,
        date_estimated=estimated,
        date_flag=flag,
        published_raw=published_raw,
        fetched_at=fetched_at,
        content_hash=content_hash(title, text),
        summary=summary,
        author=author,
    )


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
