"""The character classes the normaliser and the word counts rest on, and textscan's one
array pass over a long text that finds them (its lookup table is built from the same
rules, once, and cached on disk).

Separate from the normalising passes (`ingest.textnorm`) because the content-hash text
(`ingest.identitynorm`) and the word counts read the same profile of a text; one cached
`_profile` per text serves all three.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import numpy as np

from . import buildcache, textscan
from .textfold import _COMMON_FOLDS, _folding, _opencc_path

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

# Every whitespace character (what re's \s and str.split() both mean: none lies above
# U+3000).
_WHITESPACE = "".join(ch for ch in map(chr, range(0x3001)) if ch.isspace())

_HAN_BEFORE_CHARS = re.compile(rf"[{_HAN_BEFORE}]")

# A text shorter than this is scanned by regular expressions instead of textscan's one
# array pass: the pass costs about 10 us whatever the length, the regexes grow with it
# (they break even at about 2,000 characters: a feed item, a title).
_SCAN_FROM = 2000

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
        buildcache.source_of("textclasses", "textfold", "textscan"),
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
