"""Article text with every stored match highlighted; pure, no Streamlit.

The text is untrusted: it is escaped piece by piece and the only markup in the
result is our own <mark> and <div> elements, placed with the stored offsets.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

import pandas as pd


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    concept_id: str
    distanced: bool = False


def spans_from(matches: pd.DataFrame) -> list[Span]:
    return [
        Span(int(r.start), int(r.end), str(r.concept_id), bool(r.distanced))
        for r in matches.itertuples(index=False)
    ]


def non_overlapping(spans: Iterable[Span], length: int) -> list[Span]:
    """Spans inside the text, earliest first; a span overlapping a kept one is dropped
    (the longer of two spans starting together wins)."""
    kept: list[Span] = []
    for s in sorted(spans, key=lambda s: (s.start, -(s.end - s.start))):
        if s.start < 0 or s.end > length or s.end <= s.start:
            continue
        if kept and s.start < kept[-1].end:
            continue
        kept.append(s)
    return kept


def highlight_html(
    text: str,
    spans: Iterable[Span],
    colours: Mapping[str, str],
    labels: Mapping[str, str],
) -> str:
    """`text` as escaped HTML with each span wrapped in a <mark> coloured by its concept's family."""
    out: list[str] = []
    pos = 0
    for s in non_overlapping(spans, len(text)):
        out.append(html.escape(text[pos : s.start]))
        colour = colours.get(s.concept_id, "#999999")
        label = labels.get(s.concept_id, s.concept_id) + (" (distanced)" if s.distanced else "")
        style = f"background:{colour}33;border-bottom:2px {'dashed' if s.distanced else 'solid'} {colour};"
        out.append(
            f'<mark class="concept" data-concept="{html.escape(s.concept_id, quote=True)}" '
            f'title="{html.escape(label, quote=True)}" style="{style}padding:0 1px;border-radius:2px;">'
            f"{html.escape(text[s.start : s.end])}</mark>"
        )
        pos = s.end
    out.append(html.escape(text[pos:]))
    return (
        '<div class="article-text" style="white-space:pre-wrap;line-height:1.6;font-size:1rem;'
        'max-height:70vh;overflow-y:auto;padding:0.5rem 1rem;border:1px solid #ddd;border-radius:6px;">'
        + "".join(out)
        + "</div>"
    )


def keywords_in_context(text: str, matches: pd.DataFrame, width: int = 60) -> pd.DataFrame:
    """One row per match: the words before it, the match, the words after it."""
    rows = []
    for r in matches.itertuples(index=False):
        start, end = int(r.start), int(r.end)
        left = " ".join(text[max(0, start - width) : start].split())
        right = " ".join(text[end : end + width].split())
        rows.append({"concept_id": r.concept_id, "before": left, "match": text[start:end], "after": right,
                     "distanced": bool(r.distanced), "offset": start})
    return pd.DataFrame(rows, columns=["concept_id", "before", "match", "after", "distanced", "offset"])


def safe_link(url: object) -> str | None:
    """The URL if it is an absolute http(s) link, else None (never a javascript: or data: link)."""
    if not isinstance(url, str) or not url.strip():
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() in ("http", "https") and parts.netloc:
        return url.strip()
    return None
