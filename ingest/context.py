"""Is a context form (an acronym, a generic-looking phrase) used about international
security here?  An acronym is judged near the match, never anywhere in the item: a
digest of unrelated stories must not lend one story's context to another.  A
generic-looking phrase ("common security", "internal affairs") is judged on the item,
as official texts use them in long paragraphs whose security signs are elsewhere.

An acronym counts when
- the item names a full form of the same concept anywhere ("Shanghai Cooperation
  Organization ... the SCO"), or
- its neighbourhood shows at least `min_anchors` distinct signs of international
  security: context anchors from the lexicon or full forms of other concepts.  The
  neighbourhood is the paragraph (the text between two line breaks), cut to
  `WINDOW` characters either side for texts without paragraphs, or
- an institutional word follows it directly: "SCO summit", "BRICS member states",
  "CSTO Secretary-General", 上合峰会, "саммит ШОС" (a headline about the summit).

A generic phrase counts when the item names a full form of its concept, or shows
`min_anchors` distinct signs anywhere, or follows "so-called" / 所谓.

Failing all that, either kind counts when a cue of its concept (lexicon `en_cues`,
`zh_cues`, `ru_cues`: "interfer*" for "internal affairs", 干涉 for 内政) ends shortly
before it in the same clause: at most 40 characters (8 for a Chinese form) and no
. ; ! ? 。 or line break between.  ingest/cues.py has that check; it runs only for a
form that failed the tests here, over a bounded look-back.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right

from .matcher import FormInfo, _is_word_char

WINDOW = 400

_INSTITUTIONAL_AFTER = re.compile(
    r"^(?:['\u2019]s)?[\s\-]{0,2}(?:summit|member states?|member countries|members|secretary[\s\-]general|secretariat|"
    r"foreign ministers?|defen[cs]e ministers?|heads? of state|chairmanship|presidency|charter|leaders|countries|"
    r"峰会|成员国|秘书长|外长|元首|国家|机制|"
    r"саммит\w*|государств\w*-член\w*|стран\w*-участниц\w*|генсек\w*|председательств\w*)",
    re.I,
)
_INSTITUTIONAL_BEFORE = re.compile(r"(?:саммит\w*|summit of the|members of the|председательств\w* в)\s{0,2}$", re.I)


class LocalContext:
    """Anchor and full-form positions in the original text, computed on first need."""

    def __init__(self, text: str, norm, t: str, anchor_hits: list[tuple[int, FormInfo]], full_spans, need: int):
        self.text = text
        self.norm = norm
        self.t = t
        self.anchor_hits = anchor_hits
        self.full_spans = full_spans  # (normalised start, concept index) of full-form candidates
        self.need = need
        self._signs: tuple[list[int], list[str]] | None = None
        self._item_ok: bool | None = None

    def ok(self, o_start: int, o_end: int) -> bool:
        after = self.text[o_end : o_end + 40]
        if _INSTITUTIONAL_AFTER.search(after) or _INSTITUTIONAL_BEFORE.search(
            self.text[max(0, o_start - 30) : o_start]
        ):
            return True
        lo, hi = self._neighbourhood(o_start, o_end)
        positions, keys = self._positions()
        seen = set(keys[bisect_left(positions, lo) : bisect_right(positions, hi)])
        return len(seen) >= self.need

    def item_ok(self) -> bool:
        """Generic-looking phrases ("common security") are judged on the whole item."""
        if self._item_ok is None:
            self._item_ok = self._distinct_signs(self.need) >= self.need
        return self._item_ok

    def _distinct_signs(self, enough: int) -> int:
        """How many distinct signs the item shows (_positions' keys), counting no
        further than `enough`: no position is mapped back, most items reach it early."""
        if self._signs is not None:
            return len(set(self._signs[1]))
        seen = {f"concept:{ci}" for _, ci in self.full_spans}
        t, n = self.t, len(self.t)
        for last, info in self.anchor_hits:
            if len(seen) >= enough:
                break
            if info.form in seen:
                continue
            start, end = last - info.length + 1, last + 1
            if info.check_left and start > 0 and _is_word_char(t[start - 1]):
                continue
            if info.check_right and end < n and _is_word_char(t[end]):
                continue
            seen.add(info.form)
        return len(seen)

    def _neighbourhood(self, o_start: int, o_end: int) -> tuple[int, int]:
        text = self.text
        lo = max(text.rfind("\n", 0, o_start) + 1, o_start - WINDOW)
        end = text.find("\n", o_end)
        hi = min(len(text) if end < 0 else end, o_end + WINDOW)
        return lo, hi

    def _positions(self) -> tuple[list[int], list[str]]:
        if self._signs is None:
            t, n = self.t, len(self.t)
            signs: list[tuple[int, str]] = []
            for last, info in self.anchor_hits:
                start, end = last - info.length + 1, last + 1
                if info.check_left and start > 0 and _is_word_char(t[start - 1]):
                    continue
                if info.check_right and end < n and _is_word_char(t[end]):
                    continue
                signs.append((self.norm.to_original(start), info.form))
            signs += [(self.norm.to_original(start), f"concept:{ci}") for start, ci in self.full_spans]
            signs.sort()
            self._signs = ([p for p, _ in signs], [k for _, k in signs])
        return self._signs
