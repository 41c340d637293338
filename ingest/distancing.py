"""Own voice or distanced: is a matched concept the author's own, or someone else's
held at arm's length?

The rules (docs/methodology.md "Matching rules" says them in words):

1. An explicit cue right before the match distances it, in any language: "so-called"
   (also split over a line break), "self-styled", 所谓 / 所谓的 / 号称, так называемый
   (any form), т.н., пресловутый.
2. Quotation marks distance by default: "…", '…', “…”, ‘…’, «…», ‹…›, „…“, full-width
   ＂…＂, 「…」 and 『…』.  Title marks 《…》 name a document and never distance.
   An apostrophe (China's, the '90s, countries') never opens a quotation.
3. Except where quotation marks name rather than doubt:
   - Chinese: official prose quotes its own slogans as names (坚持弘扬“上海精神”).
     A quotation in Chinese distances only with a cue in its clause: 所谓, 号称,
     鼓吹, 炒作, 兜售, 标榜, 打着, 宣扬, 抛出, 渲染, 借口, attribution to others (声称,
     宣称, 口中的, 鼓噪, 叫嚣, 编造, 捏造, 炮制, 贩卖), a negation (并非, 根本不是, 不存在)
     before it, or 幌子 / 旗号 / 之名 / 为名 right after it.
   - Elsewhere (English, Russian): scare quotes wrap the term itself.  A quotation
     with more than two words besides the match is reported speech, a slogan or a
     title ("peace, development, cooperation, and win-win result").  In English,
     quotes around exactly the term distance even when it is capitalised (the
     "Global Security Initiative"), while a capitalised quotation with a word or two
     more is a name ("BRICS Plus" dialogue).  In Russian a quotation that starts
     with a capital is a name («Инициатива глобальной безопасности»: Russian
     capitalises only a name's first word).
"""

from __future__ import annotations

import re

QUOTE_CHARS = "\"'\u201c\u201d\u201e\u2018\u2019\u300c\u300d\u300e\u300f\u00ab\u00bb\u2039\u203a\uff02"

_SO_CALLED = re.compile(
    r"(?:\bso[\s\-\u00ad\u2010-\u2014]{0,3}called|\bself[\s\-]{0,2}(?:styled|proclaimed)|所谓的?|所謂的?|号称|號稱|"
    r"\bтак[\s\u00ad]+называем\w*|\bт\.\s?н\.|\bпресловут\w*)"
    r"[\s\"'\u201c\u201e\u2018\u300c\u300e\u00ab\u2039\uff02]{0,3}$",
    re.I,
)
# The first character of a piece every _SO_CALLED match holds (called, self, 所,
# 号称, 號稱, называем, н., пресловут), in every case re.I matches: ſ is a long s
# (tests check the class against re.I over all of Unicode).  Most texts have none in
# the 24 characters before a match; a class is found at C speed, while _SO_CALLED
# tries each of its cues at every position.
_SO_CALLED_FIRST = re.compile("[cCsS\u017f所号號нНпП]")
# Each alternative starts with its opening mark, so re scans for those characters.
_QUOTE_SPAN = re.compile(
    r"\"[^\"\n]{1,600}\""
    r"|\u201c[^\u201d\n]{1,600}\u201d"
    r"|\u300c[^\u300d]{1,600}\u300d"
    r"|\u300e[^\u300f]{1,600}\u300f"
    r"|\u00ab[^\u00bb\n]{1,600}\u00bb"
    r"|\u2039[^\u203a\n]{1,300}\u203a"
    r"|\u201e[^\u201c\u201d\n]{1,600}[\u201c\u201d]"
    r"|\uff02[^\uff02\n]{1,600}\uff02"
)
# A single quote opens only before a letter and not after one (China's, '90s), and
# closes only where no letter follows (a possessive s' inside stays inside).
_SINGLE_QUOTE_SPAN = re.compile(
    r"[\u2018'](?<![^\W_][\u2018'])(?=[^\W\d_])(?:[^\n\u2018\u2019']|[\u2019'](?=[^\W_])){1,300}?[\u2019'](?![^\W_])"
)

_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_ZH_CUE_BEFORE = re.compile(
    r"所谓|所謂|号称|號稱|鼓吹|炒作|兜售|标榜|標榜|打着|打著|宣扬|宣揚|抛出|拋出|渲染|借口|藉口|并非|並非|根本不是|不存在|谈不上|談不上|"
    r"声称|聲稱|宣称|宣稱|口中的|鼓噪|叫嚣|叫囂|编造|編造|捏造|杜撰|炮制|贩卖|販賣"
)
_ZH_CUE_AFTER = re.compile(r"^.{0,3}(?:幌子|旗号|旗號|之名|为名|為名|借口|藉口)")
_ZH_CLAUSE_END = re.compile(r"[。；！？!?\n]")
_WORD = re.compile(r"[^\W\d_][\w\-'\u2019]*|\d[\w\-]*")
_SMALL_WORDS = {"a", "an", "and", "as", "at", "by", "for", "from", "in", "of", "on", "or", "the", "to", "with"}


def distance_of(text: str, start: int, end: int, quotes: Quotations | None = None) -> str | None:
    """ "so-called" | "quoted" | None for the span [start, end) of `text`.  `quotes`
    keeps the text's quotation spans between calls."""
    if so_called(text, start):
        return "so-called"
    span = enclosing((quotes or Quotations(text)).around(start, end), start, end)
    if span is not None and (so_called(text, span[0]) or quote_distances(text, span, start, end)):
        return "quoted"
    return None


class Quotations:
    """The quotation spans of one text, scanned where a match needs them.

    No quotation but 「…」 and 『…』 crosses a line break, so without those the scan of a
    line does not depend on the lines before it, and a long text with a few matches is
    scanned only on their lines; with them, the whole text is scanned once."""

    def __init__(self, text: str):
        self.text = text
        self._by_line: bool | None = None
        self._spans: dict[tuple[int, int], list[tuple[int, int]]] = {}

    def around(self, start: int, end: int) -> list[tuple[int, int]]:
        """What quote_spans(text) finds on the lines holding [start, end)."""
        text = self.text
        if self._by_line is None:
            self._by_line = "\u300c" not in text and "\u300e" not in text
        if self._by_line:
            lo = text.rfind("\n", 0, start) + 1
            hi = text.find("\n", end)
            hi = len(text) if hi < 0 else hi + 1
        else:
            lo, hi = 0, len(text)
        spans = self._spans.get((lo, hi))
        if spans is None:
            spans = self._spans[lo, hi] = quote_spans(text, lo, hi)
        return spans


def so_called(text: str, start: int) -> bool:
    lo = max(0, start - 24)
    return _SO_CALLED_FIRST.search(text, lo, start) is not None and _SO_CALLED.search(text, lo, start) is not None


def quote_spans(text: str, lo: int = 0, hi: int | None = None) -> list[tuple[int, int]]:
    """Quotation spans in text[lo:hi], `lo` the start of a line and `hi` the end of one."""
    hi = len(text) if hi is None else hi
    spans = [m.span() for m in _QUOTE_SPAN.finditer(text, lo, hi)]
    if text.find("'", lo, hi) >= 0 or text.find("\u2018", lo, hi) >= 0:  # a single quotation opens with one
        spans += [m.span() for m in _SINGLE_QUOTE_SPAN.finditer(text, lo, hi)]
        spans.sort()
    return spans


def enclosing(spans: list[tuple[int, int]], start: int, end: int) -> tuple[int, int] | None:
    """The innermost quotation that contains [start, end)."""
    found = None
    for s, e in spans:
        if s > start:
            break
        if s < start and end < e:
            found = (s, e)
    return found


def quote_distances(text: str, span: tuple[int, int], start: int, end: int) -> bool:
    """Do these quotation marks hold the match at a distance, or name or report?"""
    s, e = span
    inner = text[s + 1 : e - 1].strip()
    if _HAN.search(inner):
        return _chinese_cue(text, s, e)
    # Scare quotes wrap the term itself; a quotation with more words around the
    # match is reported speech, a slogan or a title, and a capitalised one is a name.
    extra = _WORD.findall(text[s + 1 : start]) + _WORD.findall(text[end : e - 1])
    if _CYRILLIC.search(inner):
        return len(extra) <= 2 and not _is_name(_WORD.findall(inner))
    # English: quotes around exactly the term are scare quotes, capitals or not (the
    # "Global Security Initiative"); a capitalised quotation with a word or two more
    # is a name ("BRICS Plus" dialogue).
    return not extra or (len(extra) <= 2 and not _is_name(_WORD.findall(inner)))


def _chinese_cue(text: str, s: int, e: int) -> bool:
    before = text[max(0, s - 16) : s]
    clause = _ZH_CLAUSE_END.split(before)[-1]
    return bool(_ZH_CUE_BEFORE.search(clause) or _ZH_CUE_AFTER.search(text[e : e + 6]))


def _is_name(words: list[str]) -> bool:
    """Capitalised words, at most one not ("BRICS Plus", "BRICS plus", «Инициатива
    глобальной безопасности»: Russian capitalises a name's first word only)."""
    content = [w for w in words if w.lower() not in _SMALL_WORDS]
    if not content or not content[0][:1].isupper():
        return False
    if _CYRILLIC.search(content[0]):
        return True
    return sum(w[:1].isupper() for w in content) >= max(1, len(content) - 1)
