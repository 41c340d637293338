"""OPML import and export of the feed list, so analysts can move feeds between readers.

Import appends `[[sources]]` blocks to config.toml as text, keeping the analyst's
comments and layout; feeds already configured (same URL) are skipped.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import quoteattr

from .config import Config, ConfigError, load_config


@dataclass(frozen=True)
class OpmlFeed:
    title: str
    url: str
    category: str | None  # the parent outline's text or the category attribute


def read_opml(path: Path) -> list[OpmlFeed]:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"{path}: OPML file not found (no such file)") from None
    if b"<!ENTITY" in data or b"<!DOCTYPE" in data:
        raise ConfigError(f"{path}: OPML with a DOCTYPE or entities is refused (possible XML attack)")
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise ConfigError(f"{path}: not valid OPML/XML: {exc}") from None
    body = root.find("body")
    if root.tag != "opml" or body is None:
        raise ConfigError(f"{path}: not an OPML document (no <opml><body>)")
    feeds: list[OpmlFeed] = []
    _walk(body, None, feeds)
    return feeds


def _walk(node: ET.Element, category: str | None, out: list[OpmlFeed]) -> None:
    for outline in node.findall("outline"):
        url = outline.get("xmlUrl") or outline.get("xmlurl")
        title = outline.get("title") or outline.get("text") or url or ""
        if url:
            out.append(OpmlFeed(title.strip(), url.strip(), outline.get("category") or category))
        else:
            _walk(outline, title.strip() or category, out)


def export_opml(config: Config) -> str:
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<opml version="2.0">',
        "  <head>",
        "    <title>Discourse monitor feeds</title>",
        "  </head>",
        "  <body>",
    ]
    for group in config.groups:
        feeds = [s for s in config.sources if s.kind == "feed" and s.group == group.id]
        if not feeds:
            continue
        lines.append(f"    <outline text={quoteattr(group.label)} title={quoteattr(group.id)}>")
        for s in feeds:
            lines.append(
                f'      <outline type="rss" text={quoteattr(s.name)} title={quoteattr(s.name)} '
                f"xmlUrl={quoteattr(s.url or '')} category={quoteattr(group.id)}/>"
            )
        lines.append("    </outline>")
    lines += ["  </body>", "</opml>", ""]
    return "\n".join(lines)


def import_opml(config_path: Path, opml_path: Path, default_group: str | None) -> list[str]:
    """Append the OPML's new feeds to config.toml; returns the ids added."""
    config = load_config(config_path)
    feeds = read_opml(opml_path)
    known_urls = {s.url for s in config.sources if s.url}
    ids = {s.id for s in config.sources}
    by_label = {g.label.lower(): g.id for g in config.groups} | {g.id.lower(): g.id for g in config.groups}
    blocks: list[str] = []
    added: list[str] = []
    new_feeds = [f for f in feeds if f.url not in known_urls]
    _check_groups(new_feeds, by_label, default_group, config, config_path, opml_path)
    for feed in new_feeds:
        if feed.url in known_urls:
            continue  # listed twice in the OPML
        group = by_label.get((feed.category or "").lower()) or default_group
        sid = _unique_id(_slug(feed.title or feed.url), ids)
        ids.add(sid)
        known_urls.add(feed.url)
        blocks.append(
            "\n[[sources]]\n"
            f"id = {_toml_str(sid)}\nname = {_toml_str(feed.title or feed.url)}\n"
            f'group = {_toml_str(str(group))}\nkind = "feed"\nurl = {_toml_str(feed.url)}\n'
        )
        added.append(sid)
    if blocks:
        text = config_path.read_text(encoding="utf-8")
        new_text = text.rstrip("\n") + "\n\n# ---- imported from " + opml_path.name + " ----\n" + "".join(blocks)
        # Validate the new file before it replaces the old one: never leave a config that does not load.
        tmp = config_path.with_name(config_path.name + ".importing")
        tmp.write_text(new_text, encoding="utf-8")
        try:
            load_config(tmp)
        except ConfigError:
            tmp.unlink()
            raise
        tmp.replace(config_path)
    return added


def _check_groups(feeds, by_label, default_group, config, config_path: Path, opml_path: Path) -> None:
    """Refuse, naming every feed without a group and the groups to choose from, before writing anything."""
    groups = ", ".join(f"{g.id} ({g.label})" for g in config.groups)
    if default_group is not None and default_group not in {g.id for g in config.groups}:
        raise ConfigError(
            f"{opml_path}: --group {default_group!r} is not a group in {config_path}; choose one of: {groups}"
        )
    homeless = [f for f in feeds if not by_label.get((f.category or "").lower())]
    if not homeless or default_group is not None:
        return
    shown = "; ".join(
        f'"{f.title or f.url}" <{f.url}> '
        + (f"(category {f.category!r} is no group)" if f.category else "(no category)")
        for f in homeless[:5]
    )
    more = f"; and {len(homeless) - 5} more" if len(homeless) > 5 else ""
    raise ConfigError(
        f"{opml_path}: {len(homeless)} feed(s) have no category naming a group of {config_path}: {shown}{more}. "
        f"Nothing was imported. Pass --group GROUP to put them in one group; groups: {groups}"
    )


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:48] or "feed"


def _unique_id(base: str, taken: set[str]) -> str:
    sid, n = base, 2
    while sid in taken:
        sid, n = f"{base}-{n}", n + 1
    return sid


def _toml_str(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    escaped = re.sub(r"[\x00-\x1f\x7f]", lambda m: f"\\u{ord(m.group()):04x}", escaped)
    return f'"{escaped}"'
