"""The briefing as Markdown, and as plain text for email clients that do not render Markdown.

One renderer walks the briefing; a `Markup` says how each piece is written. Markdown escapes
every untrusted string (feed titles, sources, passages) so it stays inert; plain text needs no
escaping at all, so it carries no stray backslashes, and links are written out in full."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from . import format as fmt
from . import tables
from .model import Briefing, Sentence


@dataclass(frozen=True)
class Markup:
    esc: Callable[[object], str]  # untrusted text -> inert text
    bold: Callable[[str], str]
    link: Callable[[object, object], str]
    table: Callable[[pd.DataFrame], str]
    none: str
    distanced: str
    quote: str  # how a matched sentence is shown: a template over {before}, {match}, {after}


def md_table(df: pd.DataFrame) -> str:
    if df.empty:
        return "_(none)_"
    head = "| " + " | ".join(fmt.md_escape(c) for c in df.columns) + " |"
    rule = "|" + "|".join("---" for _ in df.columns) + "|"
    body = ["| " + " | ".join(fmt.md_escape(v) for v in row) + " |" for row in df.itertuples(index=False)]
    return "\n".join([head, rule, *body])


def _plain(value: object) -> str:
    return re.sub(r"\s+", " ", fmt.text(value))


def text_table(df: pd.DataFrame) -> str:
    """Columns padded to their widest cell: readable in a fixed-width email or terminal."""
    if df.empty:
        return "(none)"
    rows = [[_plain(c).strip() for c in df.columns]]
    rows += [[_plain(v).strip() for v in row] for row in df.itertuples(index=False)]
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(r, widths)).rstrip() for r in rows]
    return "\n".join([lines[0], "  ".join("-" * w for w in widths), *lines[1:]])


def _text_link(title: object, url: object) -> str:
    label = _plain(title).strip() or "(untitled)"
    link = fmt.safe_url(url)
    return f"{label} <{link}>" if link else label


MARKDOWN = Markup(
    fmt.md_escape,
    lambda s: f"**{s}**",
    fmt.md_link,
    md_table,
    "_(none)_",
    " _(distanced)_",
    "> {before}**{match}**{after}",
)
PLAIN = Markup(_plain, lambda s: s, _text_link, text_table, "(none)", " (distanced)", "“{before}[{match}]{after}”")


def md_sentence(s: Sentence | None, m: Markup = MARKDOWN) -> str:
    if s is None:
        return ""
    tag = m.distanced if s.distanced else ""
    return m.quote.format(before=m.esc(s.before), match=m.esc(s.match), after=m.esc(s.after)) + tag


def render_markdown(b: Briefing) -> str:
    return _render(b, MARKDOWN)


def render_text(b: Briefing) -> str:
    """Plain text: no escapes, no markup; headings stay as '#' lines, matches in [brackets]."""
    return _render(b, PLAIN)


def _render(b: Briefing, m: Markup) -> str:
    out = [f"# Weekly briefing {b.week} ({b.first_day} to {b.last_day})", "", f"Scope: {m.esc(b.scope)}", ""]
    out += ["## 1. Headline", ""]
    if b.caveats:
        out += [m.bold("Coverage caveats: read these before the numbers."), ""]
        out += [
            f"- {m.esc(c.source)} ({m.esc(b.group_labels.get(c.group_id, c.group_id))}): {m.esc(c.text)}"
            for c in b.caveats
        ]
        out.append("")
    out += [f"- {line}" for line in tables.headline_lines(b)] + [""]
    out += _concepts(b, m) + _groups(b, m) + _articles(b, m) + _phrases(b, m)
    out += [
        "## 6. Trend of the moving concepts (last 12 weeks, share of all items)",
        "",
        "Matching items using the concept divided by all items ingested, per ISO week.",
        "",
        m.table(tables.trend_table(b)),
        "",
        *_watches(b, m),
        "## Method",
        "",
    ]
    out += [f"- {m.esc(line)}" for line in b.method]  # the method names sources: untrusted text
    return "\n".join(out) + "\n"


def _concepts(b: Briefing, m: Markup) -> list[str]:
    out = ["## 2. Concepts that moved", ""]
    if not b.movers:
        out += ["No concept moved significantly against the previous four weeks.", ""]
    for title, rows in (("Rising", b.rising), ("Falling", b.falling)):
        if rows:
            out += [f"### {title}", "", m.table(tables.concept_table(rows)), ""]
    if b.first_time:
        out += ["### Appearing for the first time", ""]
        out += [f"- {m.esc(c.label)}: {c.items} item(s)" for c in b.first_time] + [""]
    return out


def _groups(b: Briefing, m: Markup) -> list[str]:
    out = [
        "## 3. Comparison by group",
        "",
        "Share of each group's items using the concept this week (change since last week).",
        "",
        m.table(tables.group_matrix(b)),
        "",
    ]
    for c in b.crossings:
        where = m.link(c.example_title, c.example_url) if c.example_title else ""
        out.append(
            f"- {m.bold(m.esc(c.label))}: first {c.voice} use by {m.esc(c.group)} "
            f"({c.items} item(s); used before by {m.esc(', '.join(c.used_before_by))})"
            + (f", e.g. {where} ({m.esc(c.example_source)})" if where else "")
        )
    return out + ([""] if b.crossings else [])


def _articles(b: Briefing, m: Markup) -> list[str]:
    out = ["## 4. Top articles", "", m.esc(b.top_note), ""]
    current = None
    for a in b.top_articles:
        if a.concept_id != current:
            current = a.concept_id
            out += [f"### {m.esc(a.label)}", ""]
        out.append(
            f"- {m.link(a.title, a.url)}: {m.esc(a.source)} ({m.esc(a.group)}), "
            f"{fmt.day(a.published_at)}, score {a.score:g}"
        )
        if a.sentence:
            out += ["", "  " + md_sentence(a.sentence, m), ""]
    return out + [""]


def _phrases(b: Briefing, m: Markup) -> list[str]:
    out = [
        "## 5. Emerging phrases",
        "",
        "Candidates for the lexicon: phrases over-represented this week, not yet covered by it.",
        "",
    ]
    if not b.phrases:
        return out + [m.none, ""]
    out += [m.table(tables.phrase_table(b)), ""]
    for p in b.phrases:
        if p.example:
            out += [f"- {m.esc(p.phrase)}:", "", "  " + md_sentence(p.example, m), ""]
    return out


def _watches(b: Briefing, m: Markup) -> list[str]:
    if not b.watches:
        return []
    return [
        "## 7. Watches",
        "",
        "The analysts' saved questions, each in its own scope.",
        "",
        m.table(tables.watch_table(b)),
        "",
    ]
