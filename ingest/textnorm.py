"""Text normalisation for matching, with a map back to the original offsets.

The dashboard shows and highlights the *original* text, so matching runs on a
normalised copy (NFKC, lower case, straight quotes, dashes and hyphens as spaces,
collapsed whitespace, re-joined hyphenated line breaks, traditional Chinese
characters folded to simplified) and every offset is mapped back.  Most steps are
one character for one character; only the steps that change the length record
anchors, so mapping back is a bisect, not a per-character table.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

_QUOTES_DASHES = {
    **dict.fromkeys(map(ord, "\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb\u300c\u300d\u300e\u300f\uff02"), '"'),
    **dict.fromkeys(map(ord, "\u2018\u2019\u201a\u201b\u2032\uff07"), "'"),
    **dict.fromkeys(map(ord, "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d\u00ad"), " "),
    **dict.fromkeys(map(ord, "\t\n\r\f\v\u00a0\u2028\u2029\u3000\u202f\u2007"), " "),
    # Chinese enumeration comma and full stop variants keep their meaning but one form
    ord("\uff64"): "\u3001",
}

# Hyphenated line breaks are rejoined; runs of whitespace become one space.
_LENGTH_CHANGING = re.compile(r"(?<=[^\W\d_])-[ \t]*\r?\n[ \t]*(?=[^\W\d_])|\s{2,}")
_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]+")


@lru_cache(maxsize=1)
def _translate_table() -> dict[int, str]:
    table: dict[int, str] = {}
    table.update(_trad_to_simplified())
    table.update(_QUOTES_DASHES)
    return table


def _trad_to_simplified() -> dict[int, str]:
    """Single-character traditional -> simplified folds from OpenCC's dictionary."""
    import opencc  # opencc-python-reimplemented ships the dictionary files

    path = Path(opencc.__file__).parent / "dictionary" / "TSCharacters.txt"
    table: dict[int, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) != 2:
            continue
        trad, simp = parts[0], parts[1].split(" ")[0]
        if len(trad) == 1 and len(simp) == 1 and trad != simp:
            table[ord(trad)] = simp
    return table


@dataclass(frozen=True)
class Normalised:
    """Normalised text plus what is needed to map its offsets to the original."""

    text: str
    # Each pass that changed the length leaves (new_positions, old_positions):
    # position new_positions[k] in the pass output is old_positions[k] in its input.
    passes: tuple[tuple[tuple[int, ...], tuple[int, ...]], ...]

    def to_original(self, index: int) -> int:
        for new_pos, old_pos in reversed(self.passes):
            k = bisect_right(new_pos, index) - 1
            if k < 0:
                continue
            offset = index - new_pos[k]
            if k % 2 == 0 and k + 1 < len(old_pos):
                # inside a changed region: an expansion ("ﬁ" -> "fi") maps every
                # output position to its one source character
                offset = min(offset, max(0, old_pos[k + 1] - old_pos[k] - 1))
            index = old_pos[k] + offset
        return index

    def span_to_original(self, start: int, end: int) -> tuple[int, int]:
        if not self.passes:
            return start, end
        return self.to_original(start), self.to_original(end - 1) + 1


Anchors = tuple[tuple[int, ...], tuple[int, ...]]


def _rewrite(
    text: str, pattern: re.Pattern[str], replace: Callable[[re.Match[str]], str]
) -> tuple[str, Anchors | None]:
    """Apply `replace` to every match, recording anchors where the length changes."""
    pieces: list[str] = []
    new_pos: list[int] = []
    old_pos: list[int] = []
    last = 0
    out_len = 0
    for m in pattern.finditer(text):
        start, end = m.span()
        pieces.append(text[last:start])
        out_len += start - last
        repl = replace(m)
        pieces.append(repl)
        if len(repl) != end - start:
            new_pos.append(out_len)
            old_pos.append(start)
            new_pos.append(out_len + len(repl))
            old_pos.append(end)
        out_len += len(repl)
        last = end
    if not new_pos:
        return "".join(pieces) + text[last:] if pieces else text, None
    pieces.append(text[last:])
    return "".join(pieces), (tuple(new_pos), tuple(old_pos))


def _collapse(m: re.Match[str]) -> str:
    """One space for a whitespace run; a hyphenated line break rejoins a split word
    ("men-\ntality") but stays a hyphen (a space) before a capital ("Cold-\nWar")."""
    if not m.group().startswith("-"):
        return " "
    return " " if m.string[m.end()].isupper() else ""


def normalise(text: str) -> Normalised:
    passes = []
    out, anchors = _rewrite(text, _LENGTH_CHANGING, _collapse)
    if anchors:
        passes.append(anchors)
    if not out.isascii():
        folded, anchors = _fold_runs(out)
        out = folded
        if anchors:
            passes.append(anchors)
    out = out.lower().replace("-", " ")
    if "\t" in out or "\n" in out or "\r" in out:
        out = out.translate(_QUOTES_DASHES)
    return Normalised(out, tuple(passes))


def _fold_runs(text: str) -> tuple[str, Anchors | None]:
    """NFKC + lower + fold, recording anchors only around characters that change length.

    Checking the total length is not enough: a ligature (+1) and a composing accent
    (-1) cancel out and would shift every offset between them.  So the fast path
    needs the text to be NFKC already; otherwise only the few characters that can
    change length (found by one regex pass) are folded one by one.
    """
    if unicodedata.is_normalized("NFKC", text):
        lowered = text.lower()
        if len(lowered) == len(text):
            return lowered.translate(_translate_table()), None
    table = _translate_table()
    pieces: list[str] = []
    new_pos: list[int] = []
    old_pos: list[int] = []
    out_len = 0
    last = 0
    for m in _length_changing_chars().finditer(text):
        start = m.start()
        plain = unicodedata.normalize("NFKC", text[last:start]).lower().translate(table)
        pieces.append(plain)
        out_len += len(plain)
        f = unicodedata.normalize("NFKC", m.group()).lower().translate(table)
        if len(f) != 1:
            new_pos += (out_len, out_len + len(f))
            old_pos += (start, start + 1)
        pieces.append(f)
        out_len += len(f)
        last = start + 1
    pieces.append(unicodedata.normalize("NFKC", text[last:]).lower().translate(table))
    return "".join(pieces), ((tuple(new_pos), tuple(old_pos)) if new_pos else None)


@lru_cache(maxsize=1)
def _length_changing_chars() -> re.Pattern[str]:
    """Characters whose fold is not one character, or that compose with a neighbour."""
    chars = []
    for cp in range(0x80, 0x110000):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        ch = chr(cp)
        f = unicodedata.normalize("NFKC", ch)
        if (
            len(f) != 1
            or len(f.lower()) != 1
            or unicodedata.category(ch) in ("Mn", "Mc", "Me")
            or unicodedata.category(f) in ("Mn", "Mc", "Me")
            or 0x1100 <= ord(f) <= 0x11FF  # Hangul jamo compose into syllables
            or 0xA960 <= ord(f) <= 0xA97F
            or 0xD7B0 <= ord(f) <= 0xD7FF
        ):
            chars.append(re.escape(ch))
    return re.compile("[" + "".join(chars) + "]")


def normalise_form(form: str) -> str:
    """Normalise a lexicon surface form exactly as texts are normalised."""
    return normalise(form.strip()).text.strip()


_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_WORD = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)*")


def count_cjk(text: str) -> int:
    return len(_CJK.findall(text))


def count_words(text: str, language: str) -> int:
    """Words for alphabetic text; characters for Chinese (densities are per 1,000 of them)."""
    if language.startswith("zh"):
        return count_cjk(text)
    return len(_WORD.findall(text))
