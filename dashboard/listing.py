"""Article rows as an HTML table of links to the article page; pure, no Streamlit.

Titles and source names are untrusted feed content: every value is escaped, and
the only markup is our own table, links (to our own article page) and badges."""

from __future__ import annotations

import html
from collections.abc import Mapping
from urllib.parse import quote

import pandas as pd

from analysis.dates import shown_date

ARTICLE_PAGE = "article"


def article_href(item_id: int, query: str = "") -> str:
    """The article page's link; `query` (the search that found it) marks its words there."""
    return f"{ARTICLE_PAGE}?item={int(item_id)}" + (f"&q={quote(query, safe='')}" if query else "")


def when(published_at: str, date_flag: object = None, precision: object = None) -> str:
    """A date as precise as it is known (analysis.dates), with its flag if any."""
    text = shown_date(published_at, precision)
    flagged = isinstance(date_flag, str) and date_flag and date_flag != text
    return text + (f" ({date_flag})" if flagged else "")


def precision(row) -> str | None:
    return getattr(row, "date_precision", None)


def article_table_html(
    frame: pd.DataFrame,
    group_colour: Mapping[str, str],
    group_label: Mapping[str, str],
    titles: Mapping[int, str] | None = None,
    passages: Mapping[int, str] | None = None,
    css_class: str = "latest-articles",
    query: str = "",
) -> str:
    """The rows as a table whose titles link to the article page.  `titles` and `passages`
    are HTML the caller already escaped (search words marked), keyed by item id."""
    headings = ["Time (UTC)", "Source", "Group", "Title", "Top concepts", "Score"]
    if passages is not None:
        headings.insert(4, "Passage")
    head = "".join(f"<th style='text-align:left;padding:4px 8px'>{h}</th>" for h in headings)
    rows = []
    for r in frame.itertuples(index=False):
        colour = html.escape(group_colour.get(r.group_id, "#888888"), quote=True)
        badge = (f"<span style='border-left:4px solid {colour};padding-left:6px'>"
                 f"{html.escape(group_label.get(r.group_id, r.group_id))}</span>")
        title = (titles or {}).get(int(r.id)) or html.escape(r.title or "(untitled)")
        cells = [
            f"<span style='white-space:nowrap'>{html.escape(when(r.published_at, r.date_flag, precision(r)))}</span>",
            html.escape(r.source),
            badge,
            f"<a class='article-link' href='{html.escape(article_href(r.id, query), quote=True)}' "
            f"target='_self'>{title}</a>",
            html.escape(getattr(r, "top_concepts", "") or ""),
            f"{float(r.score):.1f}",
        ]
        if passages is not None:
            cells.insert(4, f"<span class='passage' style='font-size:0.88rem'>{passages.get(int(r.id), '')}</span>")
        rows.append("<tr>" + "".join(f"<td style='padding:4px 8px;vertical-align:top;{_fit(h)}'>{c}</td>"
                                     for h, c in zip(headings, cells, strict=True)) + "</tr>")
    return (f"<table class='{css_class}' style='width:100%;table-layout:auto;border-collapse:collapse;"
            "font-size:0.92rem'>"
            f"<thead><tr style='border-bottom:1px solid #ccc'>{head}</tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>")


def _fit(heading: str) -> str:
    """Words stay whole (a group label never breaks mid-word); the title and passage get room
    and may break a very long token (a URL) so the table never outgrows its container."""
    if heading == "Title":
        return "min-width:8em;overflow-wrap:anywhere"
    if heading == "Passage":
        return "min-width:12em;overflow-wrap:anywhere"
    return "overflow-wrap:break-word"
