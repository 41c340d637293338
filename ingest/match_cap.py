"""How many match rows one item may store: counts stay exact, stored spans are capped.

A 5 MB text can hold tens of thousands of matches of a common form. Every count
(hits, own, distanced, per 1,000 words, the score) is computed from all of them
before this cap; only the rows kept for highlighting and quoting are capped, so
no reader (Article page, briefing sentences) has to load or sort them all.
"""

from __future__ import annotations

from dataclasses import replace

from store.briefing_reads import MAX_STORED_MATCHES

from .score import ScoredText

__all__ = ["MAX_STORED_MATCHES", "kept_matches"]


def kept_matches(scored: ScoredText, cap: int = MAX_STORED_MATCHES) -> ScoredText:
    """`scored` with at most `cap` matches: each concept's first own and first distanced match, then the earliest."""
    if len(scored.matches) <= cap:
        return scored
    ordered = sorted(range(len(scored.matches)), key=lambda i: (scored.matches[i].start, scored.matches[i].end))
    firsts: dict[tuple[str, bool], int] = {}
    for i in ordered:
        firsts.setdefault((scored.matches[i].concept, scored.matches[i].distanced), i)
    keep = set(list(firsts.values())[:cap])
    for i in ordered:
        if len(keep) >= cap:
            break
        keep.add(i)
    return replace(scored, matches=tuple(scored.matches[i] for i in ordered if i in keep))
