"""The text as content and syndication hashes see it: a frozen normalisation, not the
matching one.

Content and syndication hashes identify a stored item: they must not change when the
matching rules do, or an archive re-read after an upgrade would store every changed
text again as a new item.  They use the normalisation of the first stored version
(issue 12 changed matching only): no entity decoding, whitespace between Han
characters a space, a soft hyphen a space, ё kept.  A module of its own so that a
change to the matching rules (`ingest.textnorm`) cannot reach it by accident.
"""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import repeat

from . import textscan
from .textclasses import _SCAN_FROM, _profile
from .textfold import _MAY_FOLD, _fold_runs
from .textnorm import _TWO_SPACES, _run_matches
from .textoffsets import _apply

_IDENTITY_LENGTH_CHANGING = re.compile(r"[-\s](?:(?<=[^\W\d_]-)[ \t]*\r?\n[ \t]*(?=[^\W\d_])|(?<=\s)\s+)")


def _identity_collapse(m: re.Match[str]) -> str:
    if not m.group().startswith("-"):
        return " "
    return " " if m.string[m.end()].isupper() else ""


# Where _IDENTITY_LENGTH_CHANGING can match: a run of whitespace longer than one
# character, or a line break after a hyphen (see _RUN_CANDIDATE).
_IDENTITY_CANDIDATE = re.compile(r"[^\S ](?:(?=\s)|(?<=\s.)|(?<=-.))\s*", re.DOTALL)

_SPACES = re.compile(r"\s*")


def _identity_collapse_runs(text: str) -> str:
    """`_IDENTITY_LENGTH_CHANGING.sub(_identity_collapse, text)`.  Its runs are the
    ones textscan finds for matching, unless the text holds invisible or Han
    characters (matching collapses around them, identity does not)."""
    if len(text) < _SCAN_FROM or _profile(text).present & (textscan.INVISIBLE | textscan.HAN_PREV):
        return _identity_collapse_candidates(text)
    return _identity_collapse_scanned(text)


def _identity_collapse_scanned(text: str) -> str:
    """For a text without invisible or Han characters."""
    starts, ends, others = _profile(text).runs
    changes = list(zip(starts, ends, repeat(" ")))
    if others:
        for a, b in others:  # after a hyphen: a rejoined line break, or a run as any other
            p = a - 1 if a > 0 and text[a - 1] == "-" else a
            changes += _run_matches(text, p, b, _IDENTITY_LENGTH_CHANGING, _identity_collapse)
        changes.sort()
    return _apply(text, changes)[0]


def _identity_collapse_candidates(text: str) -> str:
    """_identity_collapse_runs for any text, visiting only the runs that can change
    (the regex alone stops at every space and hyphen)."""
    runs = [m.span() for m in _IDENTITY_CANDIDATE.finditer(text)]
    if "  " in text:
        runs += [(m.start(), _SPACES.match(text, m.start()).end()) for m in _TWO_SPACES.finditer(text)]  # type: ignore[union-attr]
        runs.sort()
    if not runs:
        return text
    pieces: list[str] = []
    last = done = 0
    for q, b in runs:
        if q < done:
            continue  # inside a run already visited
        done = b
        a = q
        while a > 0 and text[a - 1].isspace():
            a -= 1
        p = a - 1 if a > 0 and text[a - 1] == "-" else a
        while p < b:  # as finditer would: a hyphen's line break first, else the run
            m = _IDENTITY_LENGTH_CHANGING.match(text, p)
            if m is None:
                p += 1
                continue
            pieces += (text[last : m.start()], _identity_collapse(m))
            last = p = m.end()
    if not pieces:
        return text
    pieces.append(text[last:])
    return "".join(pieces)


@lru_cache(maxsize=16)
def identity_text(text: str) -> str:
    """The text as content hashes see it (see above); not for matching.  Cached: the
    content hash and the syndication hash read the same text one after the other."""
    present = _profile(text).present if len(text) >= _SCAN_FROM else _MAY_FOLD
    text = _identity_collapse_runs(text)
    if text.isascii():
        text = text.lower()
    else:  # folding lowers too
        if "\u00ad" in text:
            text = text.replace("\u00ad", " ")
        # str.replace, not translate: translate looks every character up in a dict
        text = text.replace("\u0451", "\ue000").replace("\u0401", "\ue000")
        text = _fold_runs(text, present)[0].replace("\ue000", "\u0451")
    text = text.replace("-", " ")
    for ch in "\n\t\r\f\v":
        if ch in text:
            text = text.replace(ch, " ")
    return text
