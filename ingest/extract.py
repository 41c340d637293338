"""Full text of article pages (trafilatura), an SSRF guard, and page-chrome stripping.

Feeds often carry only a teaser; for sources with `full_text = true` the article
page is fetched and its main text extracted. Article links come from third-party
feeds, so every address a link (or any redirect hop) resolves to is checked by
netguard.py: no loopback, private, link-local (cloud metadata at 169.254.169.254),
multicast or reserved addresses unless the host is listed in
`ingest.fulltext_allow_hosts`, and the connection goes to the address checked.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import httpx
import trafilatura

from ingest.http_fetch import FetchFailure, FetchSettings, open_following_redirects, read_capped
from ingest.netguard import RefusedURL, Resolver, address_problem, check_url, system_resolver

__all__ = ["ArticleText", "RefusedURL", "address_problem", "check_url", "extract_article", "fetch_article_texts"]

log = logging.getLogger(__name__)

HTML_TYPES = ("text/html", "application/xhtml+xml")


@dataclass(frozen=True)
class ArticleText:
    url: str  # the link as given
    final_url: str  # after redirects
    text: str  # main text, paragraphs one per line
    title: str | None = None
    date: str | None = None  # YYYY-MM-DD as trafilatura found it
    author: str | None = None


# ---------------------------------------------------------------- fetching and extracting


def fetch_article_text(
    client: httpx.Client,
    url: str,
    settings: FetchSettings,
    allow_hosts: Iterable[str] = (),
    resolver: Resolver = system_resolver,
) -> ArticleText | None:
    """Fetch one article page and extract its main text; None (with a logged reason) when refused or failed."""
    allow = tuple(allow_hosts)
    headers = {"Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1"}
    try:
        with open_following_redirects(
            client, url, settings, headers, check_url=lambda u: check_url(u, allow, resolver)
        ) as hop:
            response = hop.response
            if response.status_code != 200:
                log.info("full text of %s not fetched: HTTP %s", url, response.status_code)
                return None
            content_type = response.headers.get("content-type", "")
            if content_type and content_type.split(";")[0].strip().lower() not in HTML_TYPES:
                log.info("full text of %s not fetched: %s is not a web page", url, content_type)
                return None
            body = read_capped(response, settings, started=hop.started)
            final_url = hop.url
    except FetchFailure as exc:
        log.info("full text of %s not fetched: %s", url, exc)
        return None
    return extract_article(_decode(body, content_type), url, final_url)


def _decode(body: bytes, content_type: str) -> str | bytes:
    """Decode with the header's charset; without one, let trafilatura sniff the meta tag."""
    match = re.search(r"charset=[\"']?([\w.:-]+)", content_type, re.IGNORECASE)
    if match:
        try:
            return body.decode(match.group(1), errors="replace")
        except LookupError:
            pass
    return body


def extract_article(html: str | bytes, url: str, final_url: str | None = None) -> ArticleText | None:
    """Main text plus title and date, or None when the page has no extractable text."""
    try:
        doc = trafilatura.bare_extraction(
            html, url=final_url or url, favor_precision=True, include_comments=False, with_metadata=True
        )
    except Exception:  # noqa: BLE001 - a pathological page must not stop an ingest
        log.warning("extraction failed for %s", url, exc_info=True)
        return None
    text = strip_page_chrome(getattr(doc, "text", None) or "") if doc is not None else ""
    if not text:
        return None
    return ArticleText(
        url=url,
        final_url=final_url or url,
        text=text,
        title=getattr(doc, "title", None) or None,
        date=getattr(doc, "date", None) or None,
        author=getattr(doc, "author", None) or None,
    )


def extract_text(html: str | bytes, url: str | None = None) -> str | None:
    """Pure: the main text of an HTML page (paragraphs one per line), or None.

    Given bytes, trafilatura sniffs the charset from the page itself.
    """
    try:
        text = trafilatura.extract(html, url=url, favor_precision=True, include_comments=False, include_tables=True)
    except Exception:  # noqa: BLE001 - see extract_article
        log.warning("extraction failed for %s", url, exc_info=True)
        return None
    text = strip_page_chrome(text or "")
    return text or None


def fetch_article_texts(
    urls: Iterable[str], settings: FetchSettings, allow_hosts: Iterable[str] = ()
) -> dict[str, str]:
    """Full text for many links at once (bounded thread pool, one client): link -> text, successes only."""
    todo = list(dict.fromkeys(u for u in urls if u))
    if not todo:
        return {}
    allow = tuple(allow_hosts)
    out: dict[str, str] = {}
    with settings.make_client() as client, ThreadPoolExecutor(max_workers=max(settings.concurrency, 1)) as pool:
        for url, article in zip(todo, pool.map(lambda u: _guarded(client, u, settings, allow), todo)):
            if article is not None:
                out[url] = article.text
    return out


def _guarded(client: httpx.Client, url: str, settings: FetchSettings, allow: tuple[str, ...]) -> ArticleText | None:
    try:
        return fetch_article_text(client, url, settings, allow)
    except Exception:  # noqa: BLE001 - one bad page never costs the others their text
        log.warning("unexpected error fetching full text of %s", url, exc_info=True)
        return None


# ---------------------------------------------------------------- page chrome

_DATE = (
    r"(?:[A-Z][a-z]{2,8}\.? \d{1,2},? \d{4}|\d{1,2} [A-Z][a-z]{2,8}\.?,? \d{4}|\d{4}[-/.]\d{1,2}[-/.]\d{1,2}"
    r"|\d{4}年\d{1,2}月\d{1,2}日)(?:,? \d{1,2}:\d{2}(?::\d{2})?)?"
)
# Lines that are page furniture wherever they stand.
_CHROME_ANYWHERE = re.compile(
    "|".join(
        [
            rf"[\w .|-]{{0,40}}?(?:updated|posted|published|last modified|release time|time)\s*[:：]\s*{_DATE}",
            r"source of documents?",
            r"(?:\d{1,3}\s+)*\d{1,3}",  # lone digits, pagination "1 2 3 4 5 6"
            r"(?:share|print|e-?mail|tweet|facebook|twitter|whatsapp|linkedin|weibo|wechat)"
            r"(?:\s*[|/·•]?\s*(?:share|print|e-?mail|tweet|facebook|twitter|whatsapp|linkedin|weibo|wechat))*"
            r"(?: this(?: article| page)?)?:?",
            r"(?:previous|next)(?: page| article)?|back to top|print this page|close window",
            r"(?:来源|发布时间|责任编辑|编辑|作者)\s*[:：].{0,40}",
            r"【?字号\s*[:：]?\s*大\s*中\s*小】?|打印本页|关闭窗口|分享到\s*[:：]?",
        ]
    ),
    re.IGNORECASE,
)
_LONE_DATE = re.compile(_DATE)
_SHORT_MENU = re.compile(r"[^\W\d_][\w&'’ -]*", re.UNICODE)  # words only: no digits, no sentence punctuation
_BREADCRUMB = re.compile(r"[^.!?。！？]{1,40}(?:\s*[>»›|/]\s*[^.!?。！？]{1,40}){1,8}")
_CJK = re.compile(r"[\u3400-\u9fff]")
_SENTENCE_END = re.compile(r"[.!?。！？…\"”’)]\s*$")


def _is_chrome_line(line: str) -> bool:
    return bool(_CHROME_ANYWHERE.fullmatch(line))


def _is_furniture(line: str) -> bool:
    """Chrome at the edges of a page: menus, breadcrumbs, section labels, lone dates."""
    if _is_chrome_line(line) or _LONE_DATE.fullmatch(line):
        return True
    if line.lower().startswith("by "):  # a byline is content
        return False
    words = line.split()
    if _SHORT_MENU.fullmatch(line) and (len(words) <= 3 or (len(words) <= 8 and all(w[0].isupper() for w in words))):
        return True
    return bool(_BREADCRUMB.fullmatch(line)) and len(words) <= 12


def _is_body_paragraph(line: str) -> bool:
    """A real paragraph: a sentence of some length, ending like a sentence."""
    if not _SENTENCE_END.search(line):
        return False
    return len(line.split()) >= 8 or len(line) >= 40 or len(_CJK.findall(line)) >= 15


def strip_page_chrome(text: str) -> str:
    """Remove page furniture from scraped text, leaving the article itself untouched.

    Three rules only: lines matching an explicit chrome pattern ("Updated: January 20,
    2017", "Source of documents", lone page numbers, share/print links) go wherever
    they are; before the first real paragraph, menu, breadcrumb, section-label and
    date lines go (a title or byline there stays); after the last real paragraph, a
    trailing run of such lines goes. Short headings inside the body are never touched.
    """
    lines = text.replace("\r\n", "\n").split("\n")
    stripped = [line.strip() for line in lines]
    body = [i for i, s in enumerate(stripped) if s and _is_body_paragraph(s)]
    first, last = (body[0], body[-1]) if body else (len(lines), -1)
    end = len(lines)
    while end > last + 1 and (not stripped[end - 1] or _is_furniture(stripped[end - 1])):
        end -= 1
    kept: list[str] = []
    after_removal = False
    for i, (line, s) in enumerate(zip(lines, stripped)):
        if i >= end or (s and _is_chrome_line(s)) or (i < first and s and _is_furniture(s)):
            after_removal = True
            continue
        if not s and (not kept or (after_removal and not kept[-1].strip())):
            continue  # no leading blank lines, and no doubled gap where a chrome line was
        after_removal = after_removal and not s
        kept.append(line)
    while kept and not kept[-1].strip():
        kept.pop()
    return "\n".join(kept)
