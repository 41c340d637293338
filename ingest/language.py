"""Script-based language detection: enough to tell English, Chinese (simplified or
traditional) and Russian apart, which is what densities and matching need."""

from __future__ import annotations

import re
from functools import lru_cache

from .textfold import _trad_to_simplified

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# Runs, not single characters: counted as the length they take out of the sample, so
# re makes one match per word instead of one per letter.
_CYRILLIC = re.compile(r"[\u0400-\u04ff]+")
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]+")
# The lookahead holds the first letters of the words (case-insensitive like the rest):
# re tries the alternation only there, not at every position.
_EN_STOP = re.compile(r"(?=[taoifwb])\b(?:the|and|of|to|in|is|that|for|with|on|as|by|this|are|be|it)\b", re.I)

LANGUAGES = ("en", "zh-hans", "zh-hant", "ru", "und")


@lru_cache(maxsize=1)
def _simplified_only() -> frozenset[str]:
    """Characters that appear only in simplified script (targets of a fold that differ)."""
    table = _trad_to_simplified()
    return frozenset(table.values()) - frozenset(chr(k) for k in table)


@lru_cache(maxsize=1)
def _traditional_only() -> frozenset[str]:
    table = _trad_to_simplified()
    return frozenset(chr(k) for k in table) - frozenset(table.values())


def detect_language(text: str, sample: int = 1000) -> str:
    """Return en, zh-hans, zh-hant, ru or und for `text` (a sample of it)."""
    head = text[:sample]
    cjk = _CJK.findall(head)
    latin = len(head) - len(_LATIN.sub("", head))
    cyr = len(head) - len(_CYRILLIC.sub("", head))
    if cjk and len(cjk) * 2 >= max(latin, cyr) * 0.5:
        chars = set(cjk)
        trad = len(chars & _traditional_only())
        simp = len(chars & _simplified_only())
        return "zh-hant" if trad > simp else "zh-hans"
    if cyr > latin:
        return "ru"
    if latin == 0:
        return "und"
    words = max(1, len(head.split()))
    return "en" if _EN_STOP.subn("", head)[1] / words >= 0.08 or words < 12 else "und"
