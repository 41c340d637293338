"""Feed bytes -> `ParsedFeed` / `ParsedEntry` records.

feedparser's dict soup becomes typed records at once, with plain-text fields, so
nothing past this module touches feedparser objects.  DOCTYPEs are defused first:
billion-laughs and external entities never expand or read local files.
"""

from __future__ import annotations

import calendar
import logging
import re
import time
from datetime import UTC, datetime
from html import unescape
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin

import feedparser

from ingest.http_fetch import is_local
from store.records import ParsedEntry, ParsedFeed

log = logging.getLogger(__name__)


class FeedParseError(ValueError):
    """A body that is not a feed at all (HTML page, empty body, broken XML without entries)."""


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
        link = urljoin(base_url, link.strip()) if not is_local(base_url) else link.strip()
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
    simple = _plain_tags_text(html)
    if simple is not None:
        return simple
    parser = _TextParser()
    try:
        parser.feed(html)
        parser.close()
    except Exception:  # noqa: BLE001 - html.parser is lenient, but a fragment must never kill a feed
        return plain(re.sub(r"<[^>]*>", " ", html))
    return parser.text()


# Tags whose only effect on the text is a line break (blocks) or none (inline), in the form
# html.parser reads the same whatever its version: a plain name, well-formed attributes.
_PLAIN_TAGS = _BLOCK_TAGS | frozenset(
    [
        "a",
        "abbr",
        "b",
        "bdi",
        "bdo",
        "big",
        "cite",
        "code",
        "del",
        "dfn",
        "em",
        "font",
        "i",
        "ins",
        "kbd",
        "mark",
        "q",
        "s",
        "samp",
        "small",
        "span",
        "strike",
        "strong",
        "sub",
        "sup",
        "time",
        "tt",
        "u",
        "var",
        "wbr",
    ]
)
_WS = r"[ \t\n\r\f]"  # not \s: html.parser ends a tag name only at these
_SIMPLE_TAG = re.compile(
    rf"<(/?)([a-zA-Z][a-zA-Z0-9]*)((?:{_WS}+[a-zA-Z_:][-a-zA-Z0-9_:.]*"
    rf"""(?:{_WS}*={_WS}*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*){_WS}*(/?)>"""
)


def _plain_tags_text(html: str) -> str | None:
    """What `_TextParser` makes of a fragment whose every `<` opens a tag of `_PLAIN_TAGS`
    (most feed descriptions: paragraphs, links, emphasis), read here in one pass instead of
    html.parser's Python loop, which was a tenth of a feed ingest; None for anything else
    (scripts, comments, images, stray `<`), which the parser reads.  As the parser does,
    the text between two tags is unescaped as one piece."""
    parts: list[str] = []
    at = 0
    while (start := html.find("<", at)) >= 0:
        tag = _SIMPLE_TAG.match(html, start)
        if tag is None:
            return None
        closing, name, attributes, self_closing = tag.groups()
        name = name.lower()
        if name not in _PLAIN_TAGS or (closing and (attributes or self_closing)):
            return None
        if start > at:
            parts.append(unescape(html[at:start]))
        if name in _BLOCK_TAGS:
            parts.append("\n")
        at = tag.end()
    if at < len(html):
        parts.append(unescape(html[at:]))
    return plain("".join(parts))


def plain(text: str) -> str:
    """Collapse whitespace inside lines, drop empty lines; paragraphs stay one per line."""
    if "\n" not in text:  # one line (most titles and authors): no lines to split or drop
        return " ".join(text.split())
    lines = [" ".join(line.split()) for line in text.replace("\r\n", "\n").split("\n")]
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
