"""Article text with every stored match highlighted; pure, no Streamlit.

The text is untrusted: it is escaped piece by piece and the only markup in the
result is our own <mark> and <div> elements, placed with the stored offsets.
"""

from __future__ import annotations

import html
from bisect import bisect_right
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


# A long text is shown a page or a few passages at a time: a 5 MB article as one HTML
# block cost the browser ~13 s and ~800 MB.
PAGE_CHARS = 20_000
EXCERPT_RADIUS = 300  # characters shown either side of a match in the "around the matches" view
MAX_EXCERPTS = 50


# Searched words: bold on yellow with an outline, inside a concept's tint where they overlap one.
QUERY_STYLE = "background:#ffe564;color:#000;font-weight:700;outline:1px solid #b08800;padding:0 1px;border-radius:2px;"


class SearchMarks:
    """The places a search found in a text ([start, end) pairs), merged and sorted, to be marked
    wherever a piece of the text is escaped: a searched word inside a concept match is marked
    within that match's own mark, so neither hides the other."""

    def __init__(self, places: Iterable[tuple[int, int]] = ()):
        merged: list[tuple[int, int]] = []
        for a, b in sorted(p for p in places if p[1] > p[0]):
            if merged and a <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
            else:
                merged.append((a, b))
        self.places = merged
        self._ends = [b for _, b in merged]

    def escaped(self, text: str, start: int, end: int) -> str:
        out, pos = [], start
        for a, b in self.places[bisect_right(self._ends, start) :]:
            if a >= end:
                break
            a, b = max(a, start), min(b, end)
            out.append(html.escape(text[pos:a]))
            out.append(f'<mark class="query-term" style="{QUERY_STYLE}">{html.escape(text[a:b])}</mark>')
            pos = b
        out.append(html.escape(text[pos:end]))
        return "".join(out)


NO_SEARCH = SearchMarks()


def highlight_html(
    text: str,
    spans: Iterable[Span],
    colours: Mapping[str, str],
    labels: Mapping[str, str],
    start: int = 0,
    end: int | None = None,
    searched: SearchMarks = NO_SEARCH,
) -> str:
    """`text[start:end]` as escaped HTML with each span wrapped in a <mark> coloured by its
    concept's family, and the places of `searched` marked as searched words."""
    return _box(_marked(text, spans, colours, labels, start, len(text) if end is None else end, searched))


def _box(inner: str) -> str:
    return (
        '<div class="article-text" style="white-space:pre-wrap;line-height:1.6;font-size:1rem;'
        'max-height:70vh;overflow-y:auto;padding:0.5rem 1rem;border:1px solid #ddd;border-radius:6px;">'
        + inner
        + "</div>"
    )


def _marked(
    text: str,
    spans: Iterable[Span],
    colours: Mapping[str, str],
    labels: Mapping[str, str],
    start: int,
    end: int,
    searched: SearchMarks = NO_SEARCH,
) -> str:
    out: list[str] = []
    pos = start
    for s in non_overlapping(spans, len(text)):
        if s.start < start or s.end > end:
            continue
        out.append(searched.escaped(text, pos, s.start))
        out.append(concept_mark(text[s.start : s.end], s, colours, labels, searched.escaped(text, s.start, s.end)))
        pos = s.end
    out.append(searched.escaped(text, pos, end))
    return "".join(out)


def concept_mark(
    piece: str, span: Span, colours: Mapping[str, str], labels: Mapping[str, str], inner: str | None = None
) -> str:
    """One concept match as a <mark> tinted by its concept's family colour; a distanced
    use is underlined dashed, an own-voice one solid. Every piece of it is escaped
    (`inner`, when given, is the piece already escaped with searched words marked)."""
    colour = html.escape(colours.get(span.concept_id, "#999999"), quote=True)
    label = labels.get(span.concept_id, span.concept_id) + (" (distanced)" if span.distanced else "")
    line = "dashed" if span.distanced else "solid"
    return (
        f'<mark class="concept" data-concept="{html.escape(span.concept_id, quote=True)}" '
        f'title="{html.escape(label, quote=True)}" style="background:{colour}33;border-bottom:2px {line} {colour};'
        f'color:inherit;padding:0 1px">{html.escape(piece) if inner is None else inner}</mark>'
    )


def page_ranges(text: str, spans: Iterable[Span], size: int = PAGE_CHARS) -> list[tuple[int, int]]:
    """[start, end) of each page: about `size` characters, ending at a line or word break, never inside a match."""
    kept = non_overlapping(spans, len(text))
    pages: list[tuple[int, int]] = []
    start, j = 0, 0
    while start < len(text):
        end = min(len(text), start + size)
        if end < len(text):
            brk = max(text.rfind("\n", start + size // 2, end), text.rfind(" ", start + size * 9 // 10, end))
            end = brk + 1 if brk > start else end
        while j < len(kept) and kept[j].end <= end:
            j += 1
        if j < len(kept) and kept[j].start < end:
            end = kept[j].end  # a match crossing the break stays whole on this page
        pages.append((start, end))
        start = end
    return pages or [(0, 0)]


def excerpt_ranges(
    length: int, spans: Iterable[Span], radius: int = EXCERPT_RADIUS, limit: int = MAX_EXCERPTS
) -> list[tuple[int, int]]:
    """Passages of `radius` characters around the matches, nearby ones merged up to 3 * radius; at most `limit`."""
    out: list[tuple[int, int]] = []
    for s in non_overlapping(spans, length):
        if out and s.end <= out[-1][1]:
            continue
        a, b = max(0, s.start - radius), min(length, s.end + radius)
        if out and a <= out[-1][1] and b - out[-1][0] <= 3 * radius:
            out[-1] = (out[-1][0], b)
        elif len(out) < limit:
            out.append((max(a, out[-1][1]) if out and out[-1][1] <= s.start else a, b))
        else:
            break
    return out


def excerpts_html(
    text: str,
    spans: Iterable[Span],
    colours: Mapping[str, str],
    labels: Mapping[str, str],
    ranges: list[tuple[int, int]],
    searched: SearchMarks = NO_SEARCH,
) -> str:
    """The given passages of `text`, highlighted, each marked with where it sits in the text."""
    spans = list(spans)
    parts = [
        f'<div style="color:#888;font-size:0.8rem">characters {a:,}–{b:,}</div>'
        + ("…" if a > 0 else "")
        + _marked(text, spans, colours, labels, a, b, searched)
        + ("…" if b < len(text) else "")
        for a, b in ranges
    ]
    return _box('<hr style="margin:0.4rem 0">'.join(parts))


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
