"""Character folding for matching: NFKC, lower case, straight quotes, dashes and
hyphens as spaces, traditional Chinese characters folded to simplified.

Most characters fold one for one through a table built once from Unicode's tables and
OpenCC's dictionary (cached on disk, ingest/buildcache.py); the few whose fold changes
the length (ligatures, composing marks) are folded one by one and leave anchors, so
offsets still map back to the original (ingest/textoffsets.py).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from . import buildcache, textscan

Anchors = tuple[tuple[int, ...], tuple[int, ...]]

_QUOTES_DASHES = {
    **dict.fromkeys(map(ord, "\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb\u300c\u300d\u300e\u300f\uff02"), '"'),
    **dict.fromkeys(map(ord, "\u2018\u2019\u201a\u201b\u2032\uff07"), "'"),
    **dict.fromkeys(map(ord, "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"), " "),
    **dict.fromkeys(map(ord, "\t\n\r\f\v\u00a0\u2028\u2029\u3000\u202f\u2007"), " "),
    # Chinese enumeration comma and full stop variants keep their meaning but one form
    ord("\uff64"): "\u3001",
    # Russian prints ё as е more often than not
    ord("\u0451"): "\u0435",
}

_MAY_FOLD = textscan.FOLD_LENGTH | textscan.FOLD  # a text's classes not known: try every folding pass


@lru_cache(maxsize=1)
def _translate_table() -> dict[int, str]:
    table: dict[int, str] = {}
    table.update(_trad_to_simplified())
    table.update(_QUOTES_DASHES)
    return table


def _trad_to_simplified() -> dict[int, str]:
    """Single-character traditional -> simplified folds from OpenCC's dictionary."""
    table: dict[int, str] = {}
    for line in _opencc_path().read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) != 2:
            continue
        trad, simp = parts[0], parts[1].split(" ")[0]
        if len(trad) == 1 and len(simp) == 1 and trad != simp:
            table[ord(trad)] = simp
    return table


def _opencc_path() -> Path:
    import opencc  # opencc-python-reimplemented ships the dictionary files

    return Path(opencc.__file__).parent / "dictionary" / "TSCharacters.txt"


def _fold_runs(text: str, present: int = _MAY_FOLD, at: list[int] | None = None) -> tuple[str, Anchors | None]:
    """NFKC + lower + fold, recording anchors only around characters that change length.

    Checking the total length is not enough: a ligature (+1) and a composing accent
    (-1) cancel out and would shift every offset between them.  So the few characters
    that can change length are found by one regex pass and folded one by one;
    everything between them folds one-for-one through a precomputed table.
    `present`: the text's character classes (textscan), so a pass that can change
    nothing is skipped; `at`: where those characters are, when textscan found them.
    """
    folding = _folding()
    if present & textscan.FOLD_LENGTH and at is None:
        at = [m.start() for m in folding.length_changing.finditer(text)]
    if not present & textscan.FOLD_LENGTH or not at:
        return _fold_plain(text, present), None
    pieces: list[str] = []
    new_pos: list[int] = []
    old_pos: list[int] = []
    out_len = 0
    last = 0
    for start in at:
        if text[start] > "\uffff" and text[start] not in folding.astral_length_changing:
            continue  # the class takes in every astral character (see _char_class_pattern)
        plain = _fold_plain(text[last:start], present)
        pieces.append(plain)
        out_len += len(plain)
        f = unicodedata.normalize("NFKC", text[start]).lower().translate(_translate_table())
        if len(f) != 1:
            new_pos += (out_len, out_len + len(f))
            old_pos += (start, start + 1)
        pieces.append(f)
        out_len += len(f)
        last = start + 1
    pieces.append(_fold_plain(text[last:], present))
    return "".join(pieces), ((tuple(new_pos), tuple(old_pos)) if new_pos else None)


def _fold_plain(segment: str, present: int = _MAY_FOLD) -> str:
    """Fold a segment free of length-changing characters: only the characters that
    fold to something else are touched, so mostly-ASCII or simplified text is cheap."""
    folding = _folding()
    table = folding.table
    # Capital sigma is the one letter str.lower() lowers by its neighbours (final ς);
    # without it lowering goes character by character, so the caseless common folds
    # may come first, and a text whose only non-ASCII characters were curly quotes and
    # dashes is lowered as ASCII, several times faster.
    fold_first = "\u03a3" not in segment
    if not fold_first:
        segment = segment.lower()
    # The commonest folds (full-width punctuation, curly quotes, dashes) go by
    # str.replace at memchr speed; the regex callback then only meets rare characters.
    for ch in _COMMON_FOLDS:
        if ch in segment:
            segment = segment.replace(ch, table[ch])
    if fold_first:
        segment = segment.lower()
    if segment.isascii() or not present & textscan.FOLD:
        return segment
    return folding.changing.sub(lambda m: table.get(m.group(), m.group()), segment)


_COMMON_FOLDS = "，：；（）！？“”‘’—–－ 　％ёЁ«»\u2011"  # ё and «» are in most Russian texts


@dataclass(frozen=True)
class _Folding:
    table: dict[str, str]  # character -> its one-character fold (NFKC, lower, simplified, quotes)
    changing: re.Pattern[str]  # characters in `table` (and every astral one)
    length_changing: re.Pattern[str]  # characters whose fold is not one character, or that compose (and astral)
    astral_length_changing: frozenset[str]  # the astral characters that truly are


@lru_cache(maxsize=1)
def _folding() -> _Folding:
    table, length_changing = buildcache.cached("folding", _folding_key(), _build_folding)
    return _Folding(
        table,
        _char_class_pattern(sorted(map(ord, table))),
        _char_class_pattern(length_changing),
        frozenset(chr(cp) for cp in length_changing if cp > 0xFFFF),
    )


def _folding_key() -> str | None:
    """What the folding table is built from: Unicode's tables, OpenCC's dictionary and
    the rules in this module (a second of work per process, so it is cached on disk)."""
    return buildcache.fingerprint(
        unicodedata.unidata_version, _opencc_path().read_bytes(), buildcache.source_of("textfold")
    )


def _build_folding() -> tuple[dict[str, str], list[int]]:
    translate = _translate_table()
    table: dict[str, str] = {}
    length_changing: list[int] = []
    for cp in range(0x80, 0x110000):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        ch = chr(cp)
        if _changes_length(ch):
            length_changing.append(cp)
            continue
        f = unicodedata.normalize("NFKC", ch).lower().translate(translate)
        if f != ch:
            table[ch] = f
    return table, length_changing


def _changes_length(ch: str) -> bool:
    f = unicodedata.normalize("NFKC", ch)
    if len(f) != 1 or len(f.lower()) != 1:
        return True
    if unicodedata.category(ch) in ("Mn", "Mc", "Me") or unicodedata.category(f) in ("Mn", "Mc", "Me"):
        return True
    # Hangul jamo compose into syllables
    return 0x1100 <= ord(f) <= 0x11FF or 0xA960 <= ord(f) <= 0xA97F or 0xD7B0 <= ord(f) <= 0xD7FF


def _char_class_pattern(points: list[int]) -> re.Pattern[str]:
    """One class: the BMP code points written as ranges, and all of the astral planes
    if any of `points` is astral.  A pattern that starts with a class is scanned for it
    at C speed (an alternation is tried at every position, five times slower), and re
    tests astral ranges one by one after the BMP bitmap, so the many astral ranges are
    one range here: a caller checks an astral character it meets."""
    bmp = _char_class([cp for cp in points if cp <= 0xFFFF])
    if any(cp > 0xFFFF for cp in points):
        bmp = bmp[:-1] + "\\U00010000-\\U0010FFFF]" if bmp != "(?!)" else "[\\U00010000-\\U0010FFFF]"
    return re.compile(bmp)


def _char_class(points: list[int]) -> str:
    if not points:
        return "(?!)"
    ranges: list[str] = []
    start = prev = points[0]
    for cp in points[1:] + [-1]:
        if cp != prev + 1:
            ranges.append(re.escape(chr(start)) + ("-" + re.escape(chr(prev)) if prev > start else ""))
            start = cp
        prev = cp
    return "[" + "".join(ranges) + "]"


# ---- one table lookup per character ----------------------------------------------------
# _fold_plain walks a text once per common fold, lowers it, then runs a regex over it
# (on Chinese text, a character class tried at every character); normalising then
# replaces hyphens and line breaks, one more pass each.  Every one of those steps but
# lowering capital sigma maps one character to one character regardless of its
# neighbours, so for a text without astral characters they are one lookup per UTF-16
# code unit in a table of what they make of each character.  _MARK stands for the
# characters the table cannot answer with one code unit: those whose fold changes the
# length (folded one by one, as _fold_runs does), those that fold to an astral
# character (traditional characters whose simplified form lies outside the BMP),
# capital sigma (the text takes the passes) and U+FFFF itself.
_MARK = 0xFFFF
# What normalising makes a space after folding (textnorm._normalise).
_AS_SPACES = str.maketrans(dict.fromkeys("-\n\t\r\f\v", " "))


def fold_units(text: str, units: np.ndarray | None = None) -> tuple[str, Anchors | None] | None:
    """`_fold_runs(text)` with hyphens and line breaks as spaces, anchors included;
    None when the table cannot fold `text` (an astral character or a capital sigma).
    `units`: textscan.code_units(text), when the caller has them."""
    units = textscan.code_units(text) if units is None else units
    if units is None:
        return None
    folded = _unit_table().take(units)
    out = folded.tobytes().decode("utf-16-le", "surrogatepass")
    if len(out) != len(text):
        return None  # two lone surrogates of the text paired up into one character
    if "\uffff" not in out:  # a string search, several times faster than comparing the array
        return out, None
    marked = np.flatnonzero(folded == _MARK)
    length_changing = _folding().length_changing
    pieces: list[str] = []
    new_pos: list[int] = []
    old_pos: list[int] = []
    last = shift = 0  # shift: output length minus input length so far
    for p in marked.tolist():
        ch = text[p]
        if length_changing.match(ch):
            f = unicodedata.normalize("NFKC", ch).lower().translate(_translate_table()).translate(_AS_SPACES)
        else:
            f = _fold_plain(ch).translate(_AS_SPACES)
            if ch == "\u03a3" or len(f) != 1:
                return None  # capital sigma: lowered by its neighbours
        pieces += (out[last:p], f)
        if len(f) != 1:
            new_pos += (p + shift, p + shift + len(f))
            old_pos += (p, p + 1)
            shift += len(f) - 1
        last = p + 1
    pieces.append(out[last:])
    return "".join(pieces), ((tuple(new_pos), tuple(old_pos)) if new_pos else None)


@lru_cache(maxsize=1)
def _unit_table() -> np.ndarray:
    sources = buildcache.source_of("textfold")
    key = buildcache.fingerprint(unicodedata.unidata_version, _opencc_path().read_bytes(), sources)
    return np.frombuffer(buildcache.cached("fold-units", key, _build_unit_table), dtype=np.uint16)


def _build_unit_table() -> bytes:
    """What _fold_plain and the spaces make of each BMP character (a pass over the BMP,
    so cached on disk); a surrogate stays itself, as folding leaves it."""
    length_changing = _folding().length_changing
    table = np.arange(textscan.ASTRAL, dtype=np.uint16)
    for cp in range(textscan.ASTRAL):
        ch = chr(cp)
        if 0xD800 <= cp <= 0xDFFF:
            continue
        f = _fold_plain(ch).translate(_AS_SPACES)
        one_unit = len(f) == 1 and ord(f) < textscan.ASTRAL and not 0xD800 <= ord(f) <= 0xDFFF
        table[cp] = ord(f) if one_unit and ch != "\u03a3" and not length_changing.match(ch) else _MARK
    return table.tobytes()
