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
import unicodedata
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from itertools import repeat

import numpy as np

from . import buildcache, textscan
from .textfold import _COMMON_FOLDS, _MAY_FOLD, Anchors, _fold_runs, _folding, _opencc_path, fold_units

# Characters that carry no text: a soft hyphen marks where a word may break, the
# zero-width ones steer rendering.  They vanish for matching.
_INVISIBLE = "\u00ad\u200b\u200c\u200d\u2060\ufeff"
# Han characters and the CJK punctuation written between them: Chinese has no spaces,
# so whitespace between two of these (a line or page break in a PDF or wiki source,
# a zero-width space from an editor) is an artefact of layout and vanishes.
_HAN_SIDE = "\u3001-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff01-\uff0f\uff1a-\uff20"
# No phrase continues after a full stop, so a paragraph break after 。！？ stays a
# space: Chinese texts have one at every paragraph, and each removal costs an anchor.
_HAN_BEFORE = "\u3001\u3003-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff02-\uff0d\uff0f\uff1a-\uff1e\uff20"

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


# Every whitespace character (what re's \s and str.split() both mean: none lies above
# U+3000).
_WHITESPACE = "".join(ch for ch in map(chr, range(0x3001)) if ch.isspace())
_TWO_SPACES = re.compile("  ")
# A text shorter than this is scanned by regular expressions instead of textscan's one
# array pass: the pass costs about 10 us whatever the length, the regexes grow with it
# (they break even at about 2,000 characters: a feed item, a title).
_SCAN_FROM = 2000
# Where a _LENGTH_CHANGING match can lie, for a short text: in a run of whitespace and
# invisible characters (after a hyphen, for a rejoined line break).  A lone space or
# line break between two words changes nothing, so the scan stops only at a rare
# character whose run is longer than it, follows a hyphen or a Han character, or is
# invisible; at two plain spaces; and, in Chinese text, at a single space after a Han
# character.  Each pattern starts with a character class or a literal, which re skips
# to at C speed.
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
_HAN_BEFORE_CHARS = re.compile(rf"[{_HAN_BEFORE}]")


@dataclass(frozen=True)
class Normalised:
    """Normalised text plus what is needed to map its offsets to the original."""

    text: str
    # Each pass that changed the length leaves (new_positions, old_positions):
    # position new_positions[k] in the pass output is old_positions[k] in its input.
    passes: tuple[tuple[tuple[int, ...], tuple[int, ...]], ...]
    # The original with HTML entities decoded, and how many leading passes did that:
    # quotation marks and "so-called" are looked for there (&ldquo; is a quote).
    decoded: str = ""
    entity_passes: int = 0

    def to_original(self, index: int) -> int:
        return _map_back(index, self.passes)

    def span_to_original(self, start: int, end: int) -> tuple[int, int]:
        return _span_back(start, end, self.passes)

    # Most texts have no pass of one kind or the other (called once per match: no slice).
    def span_to_decoded(self, start: int, end: int) -> tuple[int, int]:
        if len(self.passes) == self.entity_passes:
            return start, end
        return _span_back(start, end, self.passes[self.entity_passes :])

    def decoded_to_original(self, start: int, end: int) -> tuple[int, int]:
        if not self.entity_passes:
            return start, end
        return _span_back(start, end, self.passes[: self.entity_passes])


def _span_back(start: int, end: int, passes) -> tuple[int, int]:
    if not passes:
        return start, end
    return _map_back(start, passes), _map_back(end - 1, passes, last=True) + 1


def _map_back(index: int, passes, last: bool = False) -> int:
    """`last`: the index is a span's last character, so a changed region it falls in
    ("&#21516;" -> one character) maps to the region's last source character."""
    for new_pos, old_pos in reversed(passes):
        k = bisect_right(new_pos, index) - 1
        if k < 0:
            continue
        offset = index - new_pos[k]
        if k % 2 == 0 and k + 1 < len(old_pos):
            # inside a changed region: an expansion ("ﬁ" -> "fi") maps every
            # output position to its one source character
            region = max(0, old_pos[k + 1] - old_pos[k] - 1)
            offset = region if last else min(offset, region)
        index = old_pos[k] + offset
    return index


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


def _apply(text: str, changes: list[tuple[int, int, str]]) -> tuple[str, Anchors | None]:
    """`text` with each (start, end, replacement) applied, in order, and anchors where
    the length changed; the text itself when no length changed."""
    if not changes:
        return text, None
    if len(changes) <= _FEW_CHANGES:
        return _apply_few(text, changes)
    begins, ends, repls = zip(*changes, strict=True)
    start = np.array(begins)
    end = np.array(ends)
    length = np.fromiter(map(len, repls), dtype=np.int64, count=len(repls))
    delta = length - (end - start)
    changed = delta != 0
    if not changed.any():
        return text, None  # every change kept the length: only a lone hyphen or space was met
    new_start = start + np.cumsum(delta) - delta
    new_pos = np.column_stack((new_start, new_start + length))[changed].ravel().tolist()
    old_pos = np.column_stack((start, end))[changed].ravel().tolist()
    pieces: list[str] = [""] * (2 * len(repls) + 1)
    pieces[0::2] = map(text.__getitem__, map(slice, (0, *ends), (*begins, len(text))))
    pieces[1::2] = repls
    return "".join(pieces), (tuple(new_pos), tuple(old_pos))


# Below this many changes (a Chinese text's few paragraph breaks after a colon), a loop
# costs less than the dozen array operations of _apply at microseconds each.
_FEW_CHANGES = 16


def _apply_few(text: str, changes: list[tuple[int, int, str]]) -> tuple[str, Anchors | None]:
    """_apply, change by change."""
    pieces: list[str] = []
    new_pos: list[int] = []
    old_pos: list[int] = []
    last = shift = 0  # shift: output length minus input length so far
    for start, end, repl in changes:
        pieces += (text[last:start], repl)
        if len(repl) != end - start:
            new_pos += (start + shift, start + shift + len(repl))
            old_pos += (start, end)
            shift += len(repl) - (end - start)
        last = end
    if not new_pos:
        return text, None  # every change kept the length
    pieces.append(text[last:])
    return "".join(pieces), (tuple(new_pos), tuple(old_pos))


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
    also knows every multi-word form with one space closed up (lexicon.joined_variants)."""
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


def _moved(positions: list[int], anchors: Anchors | None) -> list[int]:
    """Positions of characters outside the collapsed runs, in the collapsed text."""
    if anchors is None or not positions:
        return positions
    new_pos, old_pos = anchors
    old_ends, new_ends = old_pos[1::2], new_pos[1::2]
    out = []
    for p in positions:
        k = bisect_right(old_ends, p) - 1
        out.append(p if k < 0 else p + new_ends[k] - old_ends[k])
    return out


# ---- identity ------------------------------------------------------------------------
# Content and syndication hashes identify a stored item: they must not change when the
# matching rules do, or an archive re-read after an upgrade would store every changed
# text again as a new item.  They use the normalisation of the first stored version
# (issue 12 changed matching only): no entity decoding, whitespace between Han
# characters a space, a soft hyphen a space, ё kept.
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


def normalise_form(form: str) -> str:
    """Normalise a lexicon surface form exactly as texts are normalised."""
    return normalise(form.strip()).text.strip()


_CJK_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF))


def count_cjk(text: str) -> int:
    """Han characters in `text`, counted over the code points as an array (a regex
    visits every character in Python's engine, ten times slower on Chinese text)."""
    if len(text) >= _SCAN_FROM:
        return _profile(text).han
    return int(np.count_nonzero(textscan.classify(text, _class_table()) & textscan.CJK))


def count_words(text: str, language: str) -> int:
    """Words for alphabetic text, as len(text.split()) counts them; characters for
    Chinese (densities are per 1,000 of them)."""
    if language.startswith("zh"):
        return count_cjk(text)
    return len(text.split()) if len(text) < _SCAN_FROM else _profile(text).words


@lru_cache(maxsize=16)
def _profile(text: str) -> textscan.Profile:
    """The text's character classes (ingest/textscan.py).  Cached like normalise():
    an item's words are counted right after its text is normalised."""
    return textscan.profile(text, _class_table())


@lru_cache(maxsize=1)
def _class_table() -> np.ndarray:
    key = buildcache.fingerprint(
        unicodedata.unidata_version,
        _opencc_path().read_bytes(),
        buildcache.source_of("textnorm", "textfold", "textscan"),
    )
    return np.frombuffer(buildcache.cached("char-classes", key, _build_class_table), dtype=np.uint8)


def _build_class_table() -> bytes:
    """textscan's lookup table for these rules (a pass over the BMP, so cached on disk)."""
    folding = _folding()
    table = folding.table
    fold, fold_length, han_prev = [], [], []
    for cp in range(textscan.ASTRAL):
        ch = chr(cp)
        if folding.length_changing.match(ch):
            fold_length.append(cp)
        # what the last folding pass meets of the character, after the common folds and
        # lower-casing (_fold_plain); capital sigma lowers to σ or ς by its neighbours
        met = (table[ch] if ch in _COMMON_FOLDS else ch).lower() + ("\u03c2" if ch == "\u03a3" else "")
        if any(c in table for c in met):
            fold.append(cp)
        if _HAN_BEFORE_CHARS.match(ch):
            han_prev.append(cp)
    classes = {
        textscan.WHITESPACE: map(ord, _WHITESPACE),
        textscan.INVISIBLE: map(ord, _INVISIBLE),
        textscan.HYPHEN: [ord("-")],
        textscan.HAN_PREV: han_prev,
        textscan.CJK: [cp for lo, hi in _CJK_RANGES for cp in range(lo, hi + 1)],
        textscan.FOLD_LENGTH: fold_length,
        textscan.FOLD: fold,
    }
    return textscan.class_table(classes, astral=textscan.FOLD_LENGTH | textscan.FOLD).tobytes()
