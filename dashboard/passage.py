"""The passage of an article that a search found, with the searched words and the
concept matches marked in two different ways; pure, no Streamlit.

The text is untrusted: it is escaped piece by piece, and the only markup is our own
<mark> elements.  Search words are bold on yellow with an outline; concept matches
keep the article page's look (their family's tint with an underline)."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping, Sequence

from .highlight import QUERY_STYLE, Span, concept_mark, non_overlapping

WIDTH = 320  # characters of text around the first searched word
MAX_MARKS = 200  # a pattern that matches everywhere (lang-only query) must not make a page slow
LEGEND = (
    f"<span style='{QUERY_STYLE}'>searched words</span> · "
    "<span style='background:#99999933;border-bottom:2px solid #999;padding:0 2px'>concept matches</span>"
)


def query_spans(text: str, patterns: Sequence[str], most: int = MAX_MARKS) -> list[tuple[int, int]]:
    """Where the searched words occur: at most `most` places per pattern, earliest first."""
    spans: list[tuple[int, int]] = []
    for pattern in patterns:
        for n, m in enumerate(re.finditer(pattern, text)):
            if n >= most:
                break
            if m.end() > m.start():
                spans.append((m.start(), m.end()))
    return sorted(spans)


def _window(text: str, anchor: int | None) -> tuple[int, int]:
    """About WIDTH characters around `anchor`, cut at spaces where there are any."""
    if len(text) <= WIDTH:
        return 0, len(text)
    start = 0 if anchor is None else max(0, anchor - WIDTH // 3)
    end = min(len(text), start + WIDTH)
    start = max(0, end - WIDTH)
    if start > 0:
        space = text.find(" ", start, start + 30)
        start = space + 1 if space >= 0 else start
    if end < len(text):
        space = text.rfind(" ", end - 30, end)
        end = space if space > start else end
    return start, end


def passage_html(
    text: str,
    patterns: Sequence[str],
    concepts: Iterable[Span] = (),
    colours: Mapping[str, str] | None = None,
    labels: Mapping[str, str] | None = None,
) -> str:
    """The passage around the first searched word (else the first concept match, else the
    beginning), searched words and concept matches marked; a searched word wins an overlap."""
    text = text or ""
    found = query_spans(text, patterns)
    concept_spans = list(concepts)
    firsts = [found[0][0]] if found else sorted(s.start for s in concept_spans)[:1]
    start, end = _window(text, firsts[0] if firsts else None)
    marks = [Span(s, e, "\x00query") for s, e in found if s >= start and e <= end]
    marks += [
        s
        for s in concept_spans
        if s.start >= start and s.end <= end and not any(m.start < s.end and s.start < m.end for m in marks)
    ]
    out = ["…" if start > 0 else ""]
    pos = start
    for span in non_overlapping(marks, len(text)):
        out.append(html.escape(text[pos : span.start]))
        piece = text[span.start : span.end]
        if span.concept_id == "\x00query":
            out.append(f'<mark class="query-term" style="{QUERY_STYLE}">{html.escape(piece)}</mark>')
        else:
            out.append(concept_mark(piece, span, colours or {}, labels or {}))
        pos = span.end
    out.append(html.escape(text[pos:end]))
    out.append("…" if end < len(text) else "")
    return "".join(out)


def marked_title(title: str, patterns: Sequence[str]) -> str:
    """The title escaped, with the searched words marked."""
    out, pos = [], 0
    for span in non_overlapping((Span(s, e, "q") for s, e in query_spans(title, patterns)), len(title)):
        out.append(html.escape(title[pos : span.start]))
        out.append(f'<mark class="query-term" style="{QUERY_STYLE}">{html.escape(title[span.start : span.end])}</mark>')
        pos = span.end
    out.append(html.escape(title[pos:]))
    return "".join(out)


def places_html(text: str, patterns: Sequence[str], most: int = 8, width: int = 90) -> tuple[int, str]:
    """(how many places the searched words occur, the first `most` of them in context, marked),
    for the article page opened from a search."""
    spans = query_spans(text, patterns)
    kept: list[tuple[int, int]] = []
    for start, end in spans:  # one line per place: skip matches inside the line before
        if not kept or start >= kept[-1][1] + width:
            kept.append((start, end))
    lines = []
    for start, end in kept[:most]:
        first, last = max(0, start - width), min(len(text), end + width)
        piece = " ".join(text[first:last].split())
        lines.append(("…" if first else "") + marked_title(piece, patterns) + ("…" if last < len(text) else ""))
    body = "".join(f"<li style='margin:2px 0'>{line}</li>" for line in lines)
    return len(spans), f"<ul class='search-places' style='font-size:0.92rem;padding-left:1.2rem'>{body}</ul>"
