"""Builders for test fixtures: config files, RSS/Atom documents and JSONL archives.

Tests build real inputs and run the real ingest over them; nothing is inserted
into the store by hand.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
CORPUS = SHARED / "corpus"
SEEDS = REPO / "data" / "seeds"
LEXICON = REPO / "data" / "lexicon.toml"

GROUPS = (
    ("seed", "Seed documents", "#7f7f7f"),
    ("cn-official", "Chinese official & state media", "#d62728"),
    ("ru-official", "Russian official & state media", "#9467bd"),
    ("western-gov", "Western governments", "#1f77b4"),
    ("western-media", "Western media", "#17becf"),
    ("think-tanks", "Think tanks", "#2ca02c"),
    ("regional-media", "Regional media", "#ff7f0e"),
)


@dataclass
class FeedItem:
    title: str
    text: str
    link: str
    published: datetime | None
    guid: str | None = None


@dataclass
class SourceSpec:
    id: str
    group: str
    kind: str
    extra: dict[str, object] = field(default_factory=dict)
    name: str | None = None


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{json.dumps(k)} = {_toml_value(v)}" for k, v in value.items()) + " }"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return json.dumps(str(value), ensure_ascii=False)


def write_config(
    directory: Path,
    sources: Iterable[SourceSpec],
    settings: dict[str, dict[str, object]] | None = None,
    lexicon: Path = LEXICON,
) -> Path:
    """A config.toml in `directory` with the standard groups, the store inside it."""
    settings = {k: dict(v) for k, v in (settings or {}).items()}
    store = settings.setdefault("store", {})
    if "url" not in store:  # a test on both backends names its store by URL (store.url or path, not both)
        store.setdefault("path", str(directory / "monitor.sqlite3"))
    settings.setdefault("scoring", {}).setdefault("lexicon", str(lexicon))
    settings.setdefault("ingest", {}).setdefault("timeout_seconds", 5.0)
    lines: list[str] = []
    for section, values in settings.items():
        lines.append(f"[{section}]")
        lines += [f"{k} = {_toml_value(v)}" for k, v in values.items()]
        lines.append("")
    for gid, label, colour in GROUPS:
        lines += ["[[groups]]", f'id = "{gid}"', f'label = "{label}"', f'colour = "{colour}"', ""]
    for s in sources:
        lines += [
            "[[sources]]",
            f'id = "{s.id}"',
            f"name = {_toml_value(s.name or s.id)}",
            f'group = "{s.group}"',
            f'kind = "{s.kind}"',
        ]
        lines += [f"{k} = {_toml_value(v)}" for k, v in s.extra.items()]
        lines.append("")
    path = directory / "config.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


SEED_META = (
    ("000_5c951d45afda056d", "Li Haidong op-ed", "2019-06-16"),
    (
        "001_42c9ee83843cfafc",
        "The Global Security Initiative Highlights China's Leadership in Human Security Community",
        "2023-03",
    ),  # noqa: E501
    (
        "002_04ffb5bd6760a50f",
        "New Outlook on Security Featuring Mutual Trust and Reciprocity, Based on Equality and Cooperation",
        "undated",
    ),  # noqa: E501
    (
        "003_c96456b41400a445",
        "China's Policies on Asia-Pacific Security Cooperation (white paper, part II)",
        "2017-01-11",
    ),  # noqa: E501
    (
        "004_ad05010b8282e27e",
        "Promote Asian Security Architecture Building Through Win-Win Cooperation under the Guidance of Asian Security Concept",  # noqa: E501
        "2014-10-31",
    ),  # noqa: E501
)


def seed_sources() -> list[SourceSpec]:
    return [
        SourceSpec(
            f"seed-{stem[:3]}",
            "seed",
            "seed",
            {"path": str(SEEDS / f"{stem}.txt"), "title": title, "published": published, "language": "en"},
        )
        for stem, title, published in SEED_META
    ]


def rss(items: Sequence[FeedItem], title: str = "Fixture feed", link: str = "http://127.0.0.1/") -> bytes:
    """An RSS 2.0 document; text is HTML-escaped into <description> as real feeds do."""
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<rss version="2.0"><channel>',
        f"<title>{escape(title)}</title><link>{escape(link)}</link><description>fixture</description>",
    ]
    for it in items:
        parts.append("<item>")
        parts.append(f"<title>{escape(it.title)}</title><link>{escape(it.link)}</link>")
        if it.guid:
            parts.append(f'<guid isPermaLink="false">{escape(it.guid)}</guid>')
        if it.published:
            parts.append(f"<pubDate>{format_datetime(it.published.astimezone(UTC))}</pubDate>")
        paragraphs = "".join(f"<p>{escape(p)}</p>" for p in it.text.split("\n") if p.strip())
        parts.append(f"<description>{escape(paragraphs)}</description>")
        parts.append("</item>")
    parts.append("</channel></rss>")
    return "\n".join(parts).encode("utf-8")


def atom(items: Sequence[FeedItem], title: str = "Fixture atom feed") -> bytes:
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom">',
        f"<title>{escape(title)}</title><id>urn:fixture</id><updated>2026-01-01T00:00:00Z</updated>",
    ]
    for it in items:
        when = (it.published or datetime(2026, 1, 1, tzinfo=UTC)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        parts.append(
            f'<entry><title>{escape(it.title)}</title><link href="{escape(it.link)}"/>'
            f"<id>{escape(it.guid or it.link)}</id><updated>{when}</updated>"
            f'<content type="text">{escape(it.text)}</content></entry>'
        )
    parts.append("</feed>")
    return "\n".join(parts).encode("utf-8")


def write_jsonl(path: Path, rows: Iterable[dict[str, object]]) -> Path:
    with path.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    return path


def corpus_rows(relative: str, limit: int | None = None, where=None) -> list[dict]:
    """Rows of a JSONL file of ../shared/corpus (read by path, never copied)."""
    out = []
    with (CORPUS / relative).open(encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            if where is None or where(row):
                out.append(row)
                if limit and len(out) >= limit:
                    break
    return out


def table_snapshot(url: str, tables: dict[str, str]) -> dict[str, list[tuple]]:
    """The rows of each query in `tables` on the store at `url`, sorted, floats rounded: two
    stores compare equal when they hold the same values, whatever order rows were written in."""
    from store.db import open_connection

    conn = open_connection(url, readonly=True)
    try:
        return {
            name: sorted(tuple(round(v, 9) if isinstance(v, float) else v for v in r) for r in conn.execute(sql))
            for name, sql in tables.items()
        }
    finally:
        conn.close()
