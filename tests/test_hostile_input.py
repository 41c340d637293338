"""Untrusted content stays inert, and any typed search is answered.

A store is filled by the real ingest from an RSS file, an Atom file and a JSONL
archive whose titles, summaries, texts and links carry script tags, event
handlers, CSS, iframes, markdown links to javascript:/data: URLs and Streamlit
markdown directives.  Every dashboard page is rendered with AppTest and every
markdown / HTML element it produced is checked; the weekly briefing is rendered
as Markdown, HTML and CSV and checked the same way.  The search function is fed
anything hypothesis can type.
"""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from ingest.config import load_config
from ingest.lexicon import load_lexicon
from ingest.pipeline import Ingest
from store import Store
from store.article_search import ARTICLE_SORTS, VOICES, ArticleQuery
from store.query_language import SearchError
from store.reads import StoreReader
from store.url import StoreTarget
from tests.builders import REPO, FeedItem, SourceSpec, atom, rss, write_config, write_jsonl
from tests.dashboard_fixtures import open_fresh

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
MATCHING = " The spokesperson rejected the Cold War mentality and the zero-sum game once more. "
PAYLOADS = {
    "script": '<script>alert("xss-script")</script>',
    "img": "<img src=x onerror=alert('xss-img')>",
    "css": "<style>body{display:none}</style><div style=\"background:url(javascript:alert('xss-css'))\">x</div>",
    "iframe": "<iframe src=\"javascript:alert('xss-frame')\"></iframe>",
    "md-link": "[click me](javascript:alert('xss-md')) ![pixel](https://evil.example/p.png)",
    "data-link": '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">open</a>',
    "st-directives": ":red[**alarm**] $$\\frac{1}{0}$$ <svg onload=alert('xss-svg')>",
    # Markdown that would load a remote image (a tracking pixel) or style text if rendered.
    "tracker": "![px](http://evil.example/p.png) :red[xss-styled] [l](javascript:alert('xss-mdlink')) "
    "<img src=http://evil.example/i.png>",
}
TRACKER = PAYLOADS["tracker"]
LINKS = [
    "javascript:alert('xss-href')",
    "data:text/html,<script>alert(1)</script>",
    "JaVaScRiPt:alert(2)",
    "https://ok.example/a?<script>",
    "nothttp:![x](http://evil.example/u.png) :red[xss-url]",  # not a web link: shown as text
]

# What must never appear outside our own markup: an executable tag, an event handler in a
# tag, or a link target with a script scheme.
DANGEROUS = re.compile(
    r"<\s*(script|iframe|svg|img|style|object|embed)\b|<[^>]*\son\w+\s*=|(href|src)\s*=\s*[\"']?\s*(javascript|data):",
    re.IGNORECASE,
)
MD_SCRIPT_LINK = re.compile(r"(?<!\\)\]\(\s*(javascript|data):", re.IGNORECASE)  # only markdown turns this into a link
# Unescaped Markdown image (loads a remote resource) or Streamlit directive (:red[...]): our own
# Markdown uses neither, so any occurrence came from content.
MD_ACTIVE = re.compile(r"(?<!\\)!(?<!\\)\[|(?<!\\):[a-z]+\[")


def _link(i: int, kind: str) -> str:
    return f"{LINKS[i % len(LINKS)]}//{kind}-{i}"  # unique per item, or dedup by URL would drop some


def _entries(kind: str) -> list[FeedItem]:
    out = []
    for i, (name, payload) in enumerate(PAYLOADS.items()):
        out.append(
            FeedItem(
                f"{payload} {kind} {name}",
                f"{payload}\n{MATCHING}\n{payload}",
                _link(i, kind),
                datetime(2026, 11, 16 + i % 4, 9, tzinfo=UTC),
                guid=f"{kind}-{name}",
            )
        )
    return out


@pytest.fixture(scope="module")
def hostile(tmp_path_factory, module_store_url):
    """Built once per backend: pages, briefing exports and typed searches are checked on SQLite and on PostgreSQL."""
    return build_hostile_store(tmp_path_factory.mktemp("hostile"), store_url=module_store_url)


def build_hostile_store(directory: Path, store_url: str | None = None) -> tuple[Path, Path | StoreTarget]:
    """Config and store filled by the real ingest with every payload in every field (also for the browser)."""
    (directory / "hostile.rss").write_bytes(rss(_entries("rss"), title=PAYLOADS["script"]))
    (directory / "hostile.atom").write_bytes(atom(_entries("atom"), title=PAYLOADS["img"]))
    rows = [
        {
            "title": f"{p} archive {n}",
            "text": f"{p}{MATCHING}{p}",
            "date": f"2026-11-{17 + i % 3:02d}",
            "url": _link(i, "archive"),
        }
        for i, (n, p) in enumerate(PAYLOADS.items())
    ]
    archive = write_jsonl(directory / "hostile.jsonl", rows)
    config = write_config(
        directory,
        [
            SourceSpec(
                "rss-hostile",
                "think-tanks",
                "feed",
                {"url": str(directory / "hostile.rss")},
                name="<b>RSS</b> " + PAYLOADS["img"],
            ),
            SourceSpec("atom-hostile", "western-media", "feed", {"url": str(directory / "hostile.atom")}),
            # A failing feed whose name (as an OPML file might give it) reaches the warnings and the header.
            SourceSpec("gone-hostile", "western-media", "feed", {"url": str(directory / "gone.xml")}, name=TRACKER),
            SourceSpec(
                "archive-hostile",
                "cn-official",
                "archive",
                {"path": str(archive), "fields": {"text": "text", "title": "title", "date": "date", "url": "url"}},
            ),
        ],
        settings={"dashboard": {"refresh_seconds": 3600}, **({"store": {"url": store_url}} if store_url else {})},
    )
    cfg = load_config(config)
    with Store(cfg.store_target) as store:
        report = Ingest(cfg, load_lexicon(cfg.lexicon_path), store, now=NOW).run()
    assert report.new == 3 * len(PAYLOADS), [(o.source_id, o.error, o.warning) for o in report.outcomes]
    return config, (cfg.store_target if store_url else cfg.store_path)


def _items(store: Path | StoreTarget) -> list[dict]:
    """The stored items, read through the store's own connection (either backend)."""
    with StoreReader(store) as reader:
        cur = reader.conn.execute("SELECT id, title, text, url FROM items ORDER BY id")
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def test_payloads_are_stored_as_plain_text_not_dropped(hostile):
    """The store keeps what the source said (evidence); escaping is the renderer's job."""
    _, store = hostile
    titles = " ".join(i["title"] for i in _items(store))
    assert "alert(" in titles and "xss-img" in titles


def _open(config: Path, monkeypatch, page: str | None, **params: str) -> AppTest:
    monkeypatch.setenv("MONITOR_CONFIG", str(config))
    return open_fresh(page, params, timeout=120)


MARKDOWN_KINDS = ("markdown", "caption", "title", "header", "subheader", "error", "warning", "info", "success")


def _walk(node):
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _walk(child)


def _markdown_texts(at: AppTest):
    """(kind, text, allows HTML) for every string Streamlit renders as Markdown: element bodies,
    widget and expander labels, help texts and radio options."""
    for node in _walk(at._tree):
        proto = getattr(node, "proto", None)
        if proto is None:
            continue
        kind = getattr(node, "type", type(node).__name__)
        if kind in MARKDOWN_KINDS:
            yield (
                kind,
                str(getattr(node, "value", "") or getattr(proto, "body", "")),
                bool(getattr(proto, "allow_html", False)),
            )
        for field in ("label", "help"):
            value = getattr(proto, field, None)
            if isinstance(value, str) and value:
                yield f"{kind}.{field}", value, False
        if kind == "radio":
            for option in getattr(proto, "options", []):
                yield "radio.option", str(option), False


class _MarkupAudit(HTMLParser):
    """What a browser would actually run or fetch in an HTML body: tags and attributes as parsed,
    so payload text escaped inside an attribute value is (rightly) not counted."""

    ACTIVE_TAGS = frozenset({"script", "iframe", "svg", "img", "style", "object", "embed", "link", "meta", "base"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.ACTIVE_TAGS:
            self.problems.append(f"<{tag}>")
        for name, value in attrs:
            target = (value or "").strip().lower()
            if name.startswith("on"):
                self.problems.append(f"{tag} {name}=")
            scripted = target.startswith(("javascript:", "data:", "vbscript:"))
            if name in ("href", "src", "action", "formaction") and scripted:
                self.problems.append(f"{tag} {name}={target[:40]}")


def _active_markup(body: str) -> str | None:
    audit = _MarkupAudit()
    audit.feed(body)
    audit.close()
    return ", ".join(audit.problems) or None


def _assert_inert(at: AppTest, where: str) -> int:
    """Every Markdown-rendered string: no link to a script URL, no image, no directive, and
    payload text only where raw HTML is off (Streamlit then shows it inert); every st.html
    body: no dangerous markup at all; link buttons: http(s) only.  Returns strings checked."""
    checked = 0
    for kind, body, allow_html in _markdown_texts(at):
        if allow_html:  # without it Streamlit markdown never renders raw HTML
            assert not DANGEROUS.search(body), (where, kind, body[:300])
        assert not MD_SCRIPT_LINK.search(body), (where, kind, body[:300])
        assert not MD_ACTIVE.search(body), (where, kind, MD_ACTIVE.search(body).group(0), body[:300])
        if "xss-" in body:
            assert not allow_html, (where, "payload in a markdown element that allows HTML", body[:300])
        checked += 1
    for el in at.get("html"):
        body = el.proto.body
        problem = _active_markup(body)
        assert problem is None, (where, "html", problem, body[:300])
        checked += 1
    for el in at.get("link_button"):
        assert el.proto.url.lower().startswith(("http://", "https://")), (where, el.proto.url)
    return checked


def test_every_page_renders_hostile_content_inert(hostile, monkeypatch):
    config, _ = hostile
    period = {"from": "2026-11-01", "to": "2026-11-20"}
    checked = 0
    for page, params in (
        (None, period),
        ("articles", {"q": "alert"}),
        ("articles", {"q": "<script>"}),
        ("articles", {"q": TRACKER}),
        ("articles", {"q": '"unclosed ' + TRACKER}),  # a query that does not parse: its message quotes it
        ("articles", {"q": "tracker OR (" + TRACKER}),
        ("sources", {}),
        ("lexicon", {}),
        ("compare", period),
        ("briefing", {}),
    ):
        if page == "briefing" and not (REPO / "dashboard" / "pages" / "briefing.py").exists():
            continue
        checked += _assert_inert(_open(config, monkeypatch, page, **params), f"{page or 'overview'} {params}")
    assert checked > 20


def test_every_hostile_article_renders_inert_and_links_only_to_http(hostile, monkeypatch):
    config, store = hostile
    for item in _items(store):
        at = _open(config, monkeypatch, "article", item=str(item["id"]))
        _assert_inert(at, f"article {item['id']} {item['title'][:40]!r}")
        page = "".join(el.proto.body for el in at.get("html"))
        assert html.escape(item["title"]) in page, "the title is shown, escaped, as text"


def test_briefing_outputs_are_inert(hostile):
    briefing = pytest.importorskip("analysis.briefing")
    from store.briefing_reads import BriefingReader

    _, store = hostile
    reader = BriefingReader(store)
    try:
        b = briefing.compute_briefing(reader, "2026-W47", None)
    finally:
        reader.close()
    md, page, table = (briefing.RENDERERS[f](b) for f in ("md", "html", "csv"))
    assert "xss-" in md + page, "hostile items are in the briefing (else this test proves nothing)"
    assert not re.search(r"(?<!\\)<\s*(script|img|iframe|svg|style)\b", md, re.I), md[:2000]
    assert not MD_SCRIPT_LINK.search(md)
    own_style = page.lower().count("<style")  # the report's own stylesheet is allowed, payload CSS is not
    assert own_style <= 1 and "body{display:none}" not in page
    assert not re.search(
        r"<\s*(script|iframe|img|object|embed)\b|<[^>]*\son\w+\s*=|(href|src)\s*=\s*[\"']?\s*"
        r"(javascript|data):",
        page,
        re.I,
    ), page[:2000]
    assert "<script" not in table.lower() or table.count('"') >= 2  # CSV is data: quoted, never executed


# ---- search -------------------------------------------------------------------------


SEARCH = settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def reader(hostile):
    _, store = hostile
    with StoreReader(store) as r:
        yield r


def _search(reader: StoreReader, query: ArticleQuery) -> None:
    try:
        rows, total = reader.search(query, limit=20)
    except SearchError as exc:
        assert str(exc)
        return
    assert total >= len(rows) and list(rows.columns)[:2] == ["id", "published_at"]


typed = st.text(st.characters(exclude_categories=["Cs"]), max_size=300) | st.sampled_from(
    [
        '"',
        "'",
        "NEAR(",
        "cold AND",
        "title:x",
        "*",
        '"unbalanced',
        "'; DROP TABLE items; --",
        "x OR 1=1",
        "%",
        "_",
        "\\",
        "\x00",
        "a\x00b",
        "(((",
        ")",
        "^",
        "-x",
        "NOT",
        "{title text}:x",
        "x" * 100_000,
        "冷战",
        "🙂" * 50,
        "SELECT * FROM items",
        "items_fts MATCH 'x'",
        "\u202eevil",
        "\ufeff",
    ]
)


@SEARCH
@given(
    text=typed,
    sort=st.sampled_from([*ARTICLE_SORTS, "i.id; DROP TABLE items", "'"]),
    voice=st.sampled_from([*VOICES, "x' OR '1"]),
    concepts=st.lists(st.text(max_size=10), max_size=3),
    groups=st.lists(st.text(max_size=10), max_size=3),
    min_score=st.floats(-1e9, 1e9),
)
@example(text="'; DROP TABLE items; --", sort="score", voice="any", concepts=["') OR 1=1 --"], groups=[], min_score=0)
def test_any_typed_search_gives_rows_or_a_search_error(reader, text, sort, voice, concepts, groups, min_score):
    _search(
        reader,
        ArticleQuery(
            text=text, sort=sort, voice=voice, concepts=tuple(concepts), groups=tuple(groups), min_score=min_score
        ),
    )


def test_sql_fragments_in_a_search_leave_the_store_as_it_was(reader, hostile):
    _, store = hostile
    before = len(_items(store))
    for text in ("'; DELETE FROM items; --", '"); DROP TABLE items; --', "1; ATTACH 'x' AS y"):
        _search(reader, ArticleQuery(text=text))
    assert len(_items(store)) == before


@pytest.mark.parametrize("text", ["\ud800", "abc\udfffdef"])
def test_lone_surrogates_in_a_search_give_rows_or_a_search_error(reader, text):
    _search(reader, ArticleQuery(text=text))
