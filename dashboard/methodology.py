"""How a page's numbers are computed, from docs/methodology.md: each page ends with an
expander holding its sections, so the explanation travels with the figure (offline, no
other host)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import streamlit as st

DOC = Path(__file__).resolve().parents[1] / "docs" / "methodology.md"
_DATES = "Dates and date precision"
_SHARES = "Shares, denominators and intervals"
_BUCKETS = "Buckets: gaps, thin buckets and partial buckets"
PAGES = {  # page -> the sections behind its figures
    "overview": ("Default view", _SHARES, _BUCKETS, "Comparing periods: matched panels and movers",
                 "Pooled and per-source shares", "Headline-only and full-text items", _DATES),
    "compare": (_SHARES, _BUCKETS, "Pooled and per-source shares", "Headline-only and full-text items", _DATES),
    "briefing": ("Weekly briefing", _DATES),
    "article": ("Closest seed", _DATES, "Matching rules"),
    "articles": ("Search syntax", _DATES),
    "sources": ("Counts per source and per concept", _SHARES, "Headline-only and full-text items", _DATES),
    "lexicon": ("Counts per source and per concept", "Matching rules", _DATES),
}


@lru_cache(maxsize=4)
def _sections(mtime: float) -> dict[str, str]:
    text = DOC.read_text(encoding="utf-8")
    out: dict[str, str] = {}
    title = None
    for line in text.splitlines():
        if line.startswith("## "):
            title = line[3:].strip()
            out[title] = ""
        elif title is not None:
            out[title] += line + "\n"
    return out


def section(title: str) -> str:
    """The text of one `## title` section ("" when the file or the section is missing)."""
    try:
        return _sections(DOC.stat().st_mtime).get(title, "").strip()
    except OSError:
        return ""


def show(page: str) -> None:
    """An expander with the page's sections of docs/methodology.md (our own text, not feed content)."""
    titles = PAGES.get(page, ())
    parts = [f"#### {t}\n\n{section(t)}" for t in titles if section(t)]
    if parts:
        # Drawn only once opened (a rerun on the click): long Markdown with a heading per
        # section is a sizeable share of a page's render in the browser, and rarely read.
        with st.expander("How these numbers are computed (docs/methodology.md)", key=f"methodology_{page}",
                         on_change="rerun") as box:
            if box.open:
                st.markdown("\n\n".join(parts))
