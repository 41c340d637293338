"""The briefing as one self-contained HTML document (inline CSS and SVG, prints to PDF)."""

from __future__ import annotations

from html import escape

import pandas as pd

from . import format as fmt
from . import tables
from .charts import trend_svg
from .model import Briefing, Sentence

CSS = """
@page { size: A4; margin: 16mm 15mm 18mm; }
* { box-sizing: border-box; }
body { font: 10.5pt/1.45 "Georgia", "Noto Serif", "Noto Serif CJK SC", serif; color: #1d1d1f;
       max-width: 820px; margin: 24px auto; padding: 0 20px; background: #fff; }
header { border-bottom: 3px solid #8b1a1a; padding-bottom: 10px; margin-bottom: 18px; }
header .kicker { font: 600 8.5pt/1 "Helvetica Neue", Arial, sans-serif; letter-spacing: .12em;
                 text-transform: uppercase; color: #8b1a1a; }
h1 { font-size: 21pt; margin: 6px 0 4px; font-weight: 700; }
header .meta { font: 9pt "Helvetica Neue", Arial, sans-serif; color: #555; }
h2 { font: 700 12.5pt "Helvetica Neue", Arial, sans-serif; color: #8b1a1a; margin: 24px 0 8px;
     border-bottom: 1px solid #ddd; padding-bottom: 3px; break-after: avoid; }
h3 { font: 700 10.5pt "Helvetica Neue", Arial, sans-serif; margin: 14px 0 6px; break-after: avoid; }
p, li { margin: 4px 0; }
.caveats { border: 1px solid #e0b04a; background: #fff8e6; padding: 8px 12px; margin: 8px 0 12px;
           break-inside: avoid; }
.caveats strong { font-family: "Helvetica Neue", Arial, sans-serif; color: #7a5200; }
.caveats ul { margin: 4px 0 0 18px; padding: 0; }
.figures { display: flex; gap: 10px; margin: 8px 0; }
.figure { flex: 1; border: 1px solid #ddd; padding: 8px 10px; break-inside: avoid; }
.figure .n { font: 700 18pt "Helvetica Neue", Arial, sans-serif; }
.figure .l { font: 8.5pt "Helvetica Neue", Arial, sans-serif; color: #555; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 10px; font: 8.8pt/1.3 "Helvetica Neue", Arial,
        sans-serif; break-inside: auto; }
tr { break-inside: avoid; }
th { text-align: left; border-bottom: 1.5px solid #333; padding: 4px 6px; vertical-align: bottom; }
td { border-bottom: 1px solid #e3e3e3; padding: 3px 6px; vertical-align: top; }
td.num, th.num { text-align: right; white-space: nowrap; }
.rising { color: #0b6e2f; } .falling { color: #a11d1d; }
.article { margin: 6px 0 10px; break-inside: avoid; }
.article .t { font-weight: 700; }
.article .m { font: 8.8pt "Helvetica Neue", Arial, sans-serif; color: #555; }
blockquote { margin: 4px 0 0; padding: 4px 10px; border-left: 3px solid #c9c9c9; color: #333;
             font-size: 9.8pt; }
mark { background: #ffe58a; padding: 0 1px; }
.tag { font: 7.5pt "Helvetica Neue", Arial, sans-serif; color: #7a5200; text-transform: uppercase; }
table.phrases td:first-child { width: 22%; } table.phrases td:last-child { width: 52%; }
table.phrases blockquote { margin: 0; font-size: 9pt; }
.chart { text-align: center; break-inside: avoid; margin: 6px 0; }
.chart svg { max-width: 100%; height: auto; }
.note { color: #555; font-size: 9.2pt; }
footer { margin-top: 26px; border-top: 1px solid #ddd; padding-top: 6px; font-size: 8.5pt; color: #555; }
section { break-inside: auto; }
section.trend { break-before: auto; }
a { color: #1a4f8b; }
@media print { body { margin: 0; padding: 0; max-width: none; } a { color: inherit; } }
"""


def e(text: object) -> str:
    return escape(fmt.text(text), quote=True)


def link(title: object, url: object) -> str:
    safe = fmt.safe_url(url)
    label = e(fmt.text(title).strip() or "(untitled)")
    return f'<a href="{e(safe)}" rel="noopener noreferrer">{label}</a>' if safe else label


def html_table(df: pd.DataFrame, numeric_from: int = 1) -> str:
    if df.empty:
        return '<p class="note">(none)</p>'
    cls = [' class="num"' if i >= numeric_from else "" for i in range(len(df.columns))]
    head = "".join(f"<th{cls[i]}>{e(c)}</th>" for i, c in enumerate(df.columns))
    rows = "".join(
        "<tr>" + "".join(f"<td{cls[i]}>{e(v)}</td>" for i, v in enumerate(row)) + "</tr>"
        for row in df.itertuples(index=False)
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


def html_sentence(s: Sentence | None) -> str:
    if s is None:
        return ""
    tag = ' <span class="tag">distanced</span>' if s.distanced else ""
    return f"<blockquote>{e(s.before)}<mark>{e(s.match)}</mark>{e(s.after)}{tag}</blockquote>"


def render_html(b: Briefing) -> str:
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Weekly briefing {e(b.week)}</title><style>{CSS}</style></head><body>",
        '<header><div class="kicker">Discourse monitor · weekly briefing</div>',
        f"<h1>Security concepts in commentary, week {e(b.week)}</h1>",
        f'<div class="meta">{e(b.first_day)} to {e(b.last_day)} (UTC) · scope: {e(b.scope)}</div></header>',
        _headline(b),
        _concepts(b),
        _groups(b),
        _articles(b),
        _phrases(b),
        _trend(b),
        _watches(b),
        "<footer><strong>Method.</strong> " + " ".join(e(m) for m in b.method) + "</footer>",
        "</body></html>",
    ]
    return "\n".join(parts)


def _headline(b: Briefing) -> str:
    h = b.headline
    out = ["<section><h2>1. Headline</h2>"]
    if b.caveats:
        items = "".join(
            f"<li><b>{e(c.source)}</b> ({e(b.group_labels.get(c.group_id, c.group_id))}): {e(c.text)}</li>"
            for c in b.caveats
        )
        out.append(
            f'<div class="caveats"><strong>Coverage caveats: read these before the numbers.</strong>'
            f"<ul>{items}</ul></div>"
        )
    prev = h.baseline_weeks > 0
    figures = (
        (str(h.items), "items ingested", f"avg {fmt.avg(h.baseline_items)} a week before" if prev else ""),
        (str(h.matching), "matching items", f"avg {fmt.avg(h.baseline_matching)} a week before" if prev else ""),
        (fmt.share(h.share), "of items matching", f"{fmt.share(h.baseline_share)} before" if prev else ""),
    )
    out.append(
        '<div class="figures">'
        + "".join(
            f'<div class="figure"><div class="n">{e(n)}</div><div class="l">{e(label)}</div>'
            f'<div class="l">{e(sub)}</div></div>'
            for n, label, sub in figures
        )
        + "</div>"
    )
    out.append(f'<p class="note">{e(tables.headline_lines(b)[1])}</p></section>')
    return "\n".join(out)


def _concepts(b: Briefing) -> str:
    out = ["<section><h2>2. Concepts that moved</h2>"]
    if not b.movers:
        out.append("<p>No concept moved significantly against the previous four weeks.</p>")
    for title, rows, cls in (("Rising", b.rising, "rising"), ("Falling", b.falling, "falling")):
        if rows:
            out.append(f'<h3 class="{cls}">{title}</h3>' + html_table(tables.concept_table(rows)))
    if b.first_time:
        out.append(
            "<h3>Appearing for the first time</h3><ul>"
            + "".join(f"<li>{e(c.label)}: {c.items} item(s)</li>" for c in b.first_time)
            + "</ul>"
        )
    out.append(f'<p class="note">{e(b.method[1])}</p></section>')
    return "\n".join(out)


def _groups(b: Briefing) -> str:
    out = [
        "<section><h2>3. Comparison by group</h2>",
        '<p class="note">Share of each group\'s items using the concept this week '
        "(change since last week, percentage points).</p>",
        html_table(tables.group_matrix(b)),
    ]
    if b.crossings:
        out.append("<h3>Crossings</h3><ul>")
        for c in b.crossings:
            ex = f", e.g. {link(c.example_title, c.example_url)} ({e(c.example_source)})" if c.example_title else ""
            out.append(
                f"<li><b>{e(c.label)}</b>: first {e(c.voice)} use by {e(c.group)} ({c.items} item(s); "
                f"used before by {e(', '.join(c.used_before_by))}){ex}</li>"
            )
        out.append("</ul>")
    return "\n".join(out) + "</section>"


def _articles(b: Briefing) -> str:
    out = ["<section><h2>4. Top articles</h2>", f'<p class="note">{e(b.top_note)}</p>']
    current = None
    for a in b.top_articles:
        if a.concept_id != current:
            current = a.concept_id
            out.append(f"<h3>{e(a.label)}</h3>")
        out.append(
            f'<div class="article"><div class="t">{link(a.title, a.url)}</div>'
            f'<div class="m">{e(a.source)} ({e(a.group)}) · {e(fmt.day(a.published_at))} · '
            f"score {a.score:g}</div>{html_sentence(a.sentence)}</div>"
        )
    return "\n".join(out) + "</section>"


def _phrases(b: Briefing) -> str:
    out = [
        "<section><h2>5. Emerging phrases</h2>",
        '<p class="note">Candidates for the lexicon: phrases over-represented this week, not yet covered.</p>',
    ]
    if not b.phrases:
        return "\n".join(out) + '<p class="note">(none)</p></section>'
    rows = "".join(
        f'<tr><td>{e(p.phrase)}</td><td>{e(p.language)}</td><td class="num">{p.count}</td>'
        f'<td class="num">{p.items}</td><td class="num">{p.base_count}</td><td class="num">{e(fmt.g2(p.g2))}'
        f"</td><td>{html_sentence(p.example)}</td></tr>"
        for p in b.phrases
    )
    cols = "".join(
        f"<th{' class=num' if i in (2, 3, 4, 5) else ''}>{e(c)}</th>"
        for i, c in enumerate([*tables.phrase_table(b).columns, "Example"])
    )
    table = f'<table class="phrases"><thead><tr>{cols}</tr></thead><tbody>{rows}</tbody></table>'
    return "\n".join(out) + table + "</section>"


def _trend(b: Briefing) -> str:
    if not b.trend:
        return ""
    return (
        '<section class="trend"><h2>6. Trend of the moving concepts, last 12 weeks</h2>'
        '<p class="note">Matching items using the concept ÷ all items ingested, per ISO week.</p>'
        f'<div class="chart">{trend_svg(b)}</div>{html_table(tables.trend_table(b))}</section>'
    )


def _watches(b: Briefing) -> str:
    if not b.watches:
        return ""
    return (
        '<section><h2>7. Watches</h2><p class="note">The analysts\' saved questions, each in its own scope.</p>'
        + html_table(tables.watch_table(b))
        + "</section>"
    )
