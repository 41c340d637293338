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
    if head.isascii():  # most feed items: no CJK or Cyrillic to look for
        latin = len(head) - len(head.encode("ascii").translate(None, _ASCII_LETTERS))
        return _latin_language(head, latin)
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
    return _latin_language(head, latin)


# The letters _LATIN counts in an ASCII text: deleting them from its bytes counts them in C.
_ASCII_LETTERS = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def _latin_language(head: str, latin: int) -> str:
    """en or und for a text with no more Cyrillic than Latin letters and too little CJK."""
    if latin == 0:
        return "und"
    words = max(1, len(head.split()))
    if words < 12:
        return "en"
    # English once stop words reach 8 % of the words: the scan stops there, not at the end.
    for found, _ in enumerate(_EN_STOP.finditer(head), start=1):
        if found / words >= 0.08:
            return "en"
    return "und"
