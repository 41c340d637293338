"""The briefing as Markdown that pastes cleanly into an email."""

from __future__ import annotations

import pandas as pd

from . import format as fmt
from . import tables
from .model import Briefing, Sentence


def md_table(df: pd.DataFrame) -> str:
    if df.empty:
        return "_(none)_"
    head = "| " + " | ".join(fmt.md_escape(c) for c in df.columns) + " |"
    rule = "|" + "|".join("---" for _ in df.columns) + "|"
    body = ["| " + " | ".join(fmt.md_escape(v) for v in row) + " |" for row in df.itertuples(index=False)]
    return "\n".join([head, rule, *body])


def md_sentence(s: Sentence | None) -> str:
    if s is None:
        return ""
    tag = " _(distanced)_" if s.distanced else ""
    return f"> {fmt.md_escape(s.before)}**{fmt.md_escape(s.match)}**{fmt.md_escape(s.after)}{tag}"


def render_markdown(b: Briefing) -> str:
    out = [f"# Weekly briefing {b.week} ({b.first_day} to {b.last_day})", "", f"Scope: {fmt.md_escape(b.scope)}", ""]
    out += ["## 1. Headline", ""]
    if b.caveats:
        out += ["**Coverage caveats: read these before the numbers.**", ""]
        out += [
            f"- {fmt.md_escape(c.source)} ({fmt.md_escape(b.group_labels.get(c.group_id, c.group_id))}): "
            f"{fmt.md_escape(c.text)}"
            for c in b.caveats
        ]
        out.append("")
    out += [f"- {line}" for line in tables.headline_lines(b)] + [""]
    out += _concepts(b) + _groups(b) + _articles(b) + _phrases(b)
    out += [
        "## 6. Trend of the moving concepts (last 12 weeks, share of all items)",
        "",
        "Matching items using the concept divided by all items ingested, per ISO week.",
        "",
        md_table(tables.trend_table(b)),
        "",
        *_watches(b),
        "## Method",
        "",
    ]
    out += [f"- {fmt.md_escape(line)}" for line in b.method]  # the method names sources: untrusted text
    return "\n".join(out) + "\n"


def _concepts(b: Briefing) -> list[str]:
    out = ["## 2. Concepts that moved", ""]
    if not b.movers:
        out += ["No concept moved significantly against the previous four weeks.", ""]
    for title, rows in (("Rising", b.rising), ("Falling", b.falling)):
        if rows:
            out += [f"### {title}", "", md_table(tables.concept_table(rows)), ""]
    if b.first_time:
        out += ["### Appearing for the first time", ""]
        out += [f"- {fmt.md_escape(c.label)}: {c.items} item(s)" for c in b.first_time] + [""]
    return out


def _groups(b: Briefing) -> list[str]:
    out = [
        "## 3. Comparison by group",
        "",
        "Share of each group's items using the concept this week (change since last week).",
        "",
        md_table(tables.group_matrix(b)),
        "",
    ]
    for c in b.crossings:
        where = fmt.md_link(c.example_title, c.example_url) if c.example_title else ""
        out.append(
            f"- **{fmt.md_escape(c.label)}**: first {c.voice} use by {fmt.md_escape(c.group)} "
            f"({c.items} item(s); used before by {fmt.md_escape(', '.join(c.used_before_by))})"
            + (f", e.g. {where} ({fmt.md_escape(c.example_source)})" if where else "")
        )
    return out + ([""] if b.crossings else [])


def _articles(b: Briefing) -> list[str]:
    out = ["## 4. Top articles", "", fmt.md_escape(b.top_note), ""]
    current = None
    for a in b.top_articles:
        if a.concept_id != current:
            current = a.concept_id
            out += [f"### {fmt.md_escape(a.label)}", ""]
        out.append(
            f"- {fmt.md_link(a.title, a.url)}: {fmt.md_escape(a.source)} ({fmt.md_escape(a.group)}), "
            f"{fmt.day(a.published_at)}, score {a.score:g}"
        )
        if a.sentence:
            out += ["", "  " + md_sentence(a.sentence), ""]
    return out + [""]


def _phrases(b: Briefing) -> list[str]:
    out = [
        "## 5. Emerging phrases",
        "",
        "Candidates for the lexicon: phrases over-represented this week, not yet covered by it.",
        "",
    ]
    if not b.phrases:
        return out + ["_(none)_", ""]
    out += [md_table(tables.phrase_table(b)), ""]
    for p in b.phrases:
        if p.example:
            out += [f"- {fmt.md_escape(p.phrase)}:", "", "  " + md_sentence(p.example), ""]
    return out


def _watches(b: Briefing) -> list[str]:
    if not b.watches:
        return []
    return [
        "## 7. Watches",
        "",
        "The analysts' saved questions, each in its own scope.",
        "",
        md_table(tables.watch_table(b)),
        "",
    ]
