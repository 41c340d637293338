"""Text normalisation for matching, with a map back to the original offsets.

The dashboard shows and highlights the *original* text, so matching runs on a
normalised copy (NFKC, lower case, straight quotes, dashes and hyphens as spaces,
collapsed whitespace, re-joined hyphenated line breaks, traditional Chinese
characters folded to simplified) and every offset is mapped back.  Most steps are
one character for one character; only the steps that change the length record
anchors, so mapping back is a bisect, not a per-character table.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from functools import lru_cache
from itertools import repeat

import numpy as np

from .textclasses import _HAN_BEFORE, _HAN_BEFORE_CHARS, _HAN_SIDE, _INVISIBLE, _SCAN_FROM, _WHITESPACE, _profile
from .textfold import Anchors, _fold_runs, fold_units
from .textoffsets import Normalised, _apply, _apply_few, _moved, _rewrite

# One pass over the few characters that can change the length: hyphenated line breaks
# are rejoined, whitespace between Han characters and invisible characters vanish,
# other runs of whitespace become one space.  The class comes first and the
# lookbehinds after it, so re scans for that class instead of trying every branch at
# every position.
_LENGTH_CHANGING = re.compile(
    rf"[-\s{_INVISIBLE}]"
    r"(?:(?<=[^\W\d_]-)[ \t]*\r?\n[ \t]*(?=[^\W\d_])"
    rf"|(?P<han>(?<=[{_HAN_BEFORE}][\s{_INVISIBLE}])[\s{_INVISIBLE}]*(?=[{_HAN_SIDE}]))"
    r"|(?<=\u00ad)[ \t]*(?:\r?\n[ \t]*)?"
    rf"|(?<=[{_INVISIBLE}])"
    rf"|(?<=\s)[\s{_INVISIBLE}]+)"
)

# HTML entities left in archive text or escaped twice in a feed ("&amp;quot;").
_ENTITY = re.compile(r"&(?:amp;)*(#[0-9]{1,7};|#[xX][0-9a-fA-F]{1,6};|[A-Za-z][A-Za-z0-9]{1,31};)")

_TWO_SPACES = re.compile("  ")

_RARE = re.escape(_WHITESPACE.replace(" ", "") + _INVISIBLE)

# Where a _LENGTH_CHANGING match can lie: in a run of whitespace and invisible
# characters (after a hyphen, for a rejoined line break).  A lone space or line break
# between two words changes nothing, so the scan stops only at a rare character whose
# run is longer than it, follows a hyphen or a Han character, or is invisible; at two
# plain spaces; and, in Chinese text, at a single space after a Han character.  Each
# pattern starts with a character class or a literal, which re skips to at C speed.
_RUN_CANDIDATE = re.compile(
    rf"[{_RARE}](?:(?=[\s{_INVISIBLE}])|(?<=[\s{_INVISIBLE}].)|(?<=[{_INVISIBLE}])|(?<=-.)|(?<=[{_HAN_BEFORE}].))"
    rf"[\s{_INVISIBLE}]*",  # and on to the end of the run
    re.DOTALL,  # the "." in a lookbehind is the rare character itself, a line break too
)

_HAN_SPACE = re.compile(rf" (?<=[{_HAN_BEFORE}] )(?=[{_HAN_SIDE}])")

_HAN_ANY = re.compile(rf"[{_HAN_BEFORE}]")

_INVISIBLE_ANY = re.compile(rf"[{_INVISIBLE}]")

_HAN_OR_INVISIBLE = re.compile(rf"[{_HAN_BEFORE}{_INVISIBLE}]")

_RUN = re.compile(rf"[\s{_INVISIBLE}]*")

_RUN_CHARS = frozenset(_WHITESPACE + _INVISIBLE)


def _collapse_runs(text: str) -> tuple[str, Anchors | None]:
    """`_rewrite(text, _LENGTH_CHANGING, _collapse)`, visiting only the runs that can change.

    The regex alone stops at every space and hyphen of the text (a third of scoring
    time on English prose); here the runs of whitespace and invisible characters that
    can change are found by one vectorised pass (_profile).  A plain run of two or more
    whitespace characters becomes one space; any other is matched by _LENGTH_CHANGING
    position by position, as finditer would.
    """
    return _collapse_candidates(text) if len(text) < _SCAN_FROM else _collapse_scanned(text)


def _collapse_scanned(text: str) -> tuple[str, Anchors | None]:
    starts, ends, others = _profile(text).runs
    changes = list(zip(starts, ends, repeat(" ")))
    if others:
        for a, b in others:  # from the hyphen before it, for a rejoined line break
            changes += _run_matches(text, a - 1 if a > 0 and text[a - 1] == "-" else a, b)
        changes.sort()
    return _apply(text, changes)


def _collapse_candidates(text: str) -> tuple[str, Anchors | None]:
    """_collapse_runs for a short text: a run is found by its rare characters and
    _LENGTH_CHANGING is tried only inside it, position by position as finditer would."""
    runs = [m.span() for m in _RUN_CANDIDATE.finditer(text)]  # (rare character, end of its run)
    han = invisible = False
    if not text.isascii() and _HAN_OR_INVISIBLE.search(text):
        han = _HAN_ANY.search(text) is not None
        invisible = _INVISIBLE_ANY.search(text) is not None
    if "  " in text or han:
        more = [m.start() for m in _TWO_SPACES.finditer(text)]
        if han:
            more += [m.start() for m in _HAN_SPACE.finditer(text)]
        runs += [(q, _RUN.match(text, q).end()) for q in more]  # type: ignore[union-attr]
        runs.sort()
    if not runs:
        return text, None
    changes: list[tuple[int, int, str]] = []
    done = 0
    for q, b in runs:
        if q < done:
            continue  # inside a run already visited
        done = b
        a = q
        while a > 0 and text[a - 1] in _RUN_CHARS:
            a -= 1
        hyphen = a > 0 and text[a - 1] == "-"
        if b - a >= 2 and not hyphen and not invisible and not (han and a > 0 and _HAN_BEFORE_CHARS.match(text, a - 1)):
            spans = [(a, b, " ")]  # a plain run of whitespace: one space
        else:
            spans = _run_matches(text, a - 1 if hyphen else a, b)
        changes += spans
    # None when every change kept the length: only a lone hyphen or space was met
    return _apply_few(text, changes)


def _run_matches(
    text: str,
    p: int,
    b: int,
    pattern: re.Pattern[str] | None = None,
    collapse: Callable[[re.Match[str]], str] | None = None,
) -> list[tuple[int, int, str]]:
    """`pattern`'s matches in text[p:b] (by default _LENGTH_CHANGING's), tried position by
    position as finditer does, each with what `collapse` makes of it."""
    pattern, collapse = pattern or _LENGTH_CHANGING, collapse or _collapse
    out = []
    while p < b:
        m = pattern.match(text, p)
        if m is None:
            p += 1
            continue
        out.append((m.start(), m.end(), collapse(m)))
        p = m.end()
    return out


def _collapse(m: re.Match[str]) -> str:
    """One space for a whitespace run; nothing for invisible characters and for
    whitespace between Han characters; a hyphenated line break rejoins a split word
    ("men-\ntality") but stays a hyphen (a space) before a capital ("Cold-\nWar").
    A compound broken at its own hyphen ("zero-\nsum") is rejoined too: the matcher
    also knows every multi-word form with one space closed up (form_variants.joined_variants)."""
    if m.lastgroup == "han":
        return ""
    first = m.group()[0]
    if first == "-":
        return " " if m.string[m.end()].isupper() else ""
    return "" if first in _INVISIBLE else " "


def _unescape(m: re.Match[str]) -> str:
    entity = "&" + m.group(1)
    decoded = html.unescape(entity)
    return m.group() if decoded == entity else decoded


@lru_cache(maxsize=16)
def normalise(text: str) -> Normalised:
    """Cached for the last few texts: an item's text is normalised for its content
    hash, its syndication hash and its score, one right after another."""
    return _normalise(text)


def _normalise(text: str) -> Normalised:
    passes = []
    if "&" in text and ";" in text:
        text, anchors = _rewrite(text, _ENTITY, _unescape)
        if anchors:
            passes.append(anchors)
    decoded, entity_passes = text, len(passes)
    out, anchors = _collapse_runs(text)
    if anchors:
        passes.append(anchors)
    if out.isascii():
        out, anchors = _as_spaces(out.lower()), None
    elif (folded := fold_units(out, _units(text, out))) is not None:  # the whole fold, one table lookup per character
        out, anchors = folded
    else:  # a character the table cannot fold alone: pass by pass (folding lowers too)
        if len(text) < _SCAN_FROM:
            out, anchors = _fold_runs(out)
        else:
            profile = _profile(text)
            out, anchors = _fold_runs(out, profile.present, _moved(profile.fold_length_at, anchors))
        out = _as_spaces(out)
    if anchors:
        passes.append(anchors)
    return Normalised(out, tuple(passes), decoded, entity_passes)


def _units(text: str, out: str) -> np.ndarray | None:
    """The code units of `out` when textscan's pass over `text` already has them (a
    long text that collapsing left as it was); None to encode `out` afresh."""
    return _profile(text).units if out is text and len(text) >= _SCAN_FROM else None


def _as_spaces(out: str) -> str:
    """Hyphens and line breaks as spaces (what textfold.fold_units does in its table)."""
    out = out.replace("-", " ")
    for ch in "\n\t\r\f\v":  # str.replace is a memchr scan; translate is a dict lookup per character
        if ch in out:
            out = out.replace(ch, " ")
    return out


def normalise_form(form: str) -> str:
    """Normalise a lexicon surface form exactly as texts are normalised."""
    return normalise(form.strip()).text.strip()
