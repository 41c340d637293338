"""Property tests: offsets, boundaries and loader errors hold for any input."""

from __future__ import annotations

import contextlib
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from ingest import textscan
from ingest.distancing import Quotations, enclosing, quote_spans
from ingest.identitynorm import (
    _IDENTITY_LENGTH_CHANGING,
    _identity_collapse,
    _identity_collapse_candidates,
    _identity_collapse_runs,
    _identity_collapse_scanned,
)
from ingest.lexicon import LexiconError, load_lexicon, parse_lexicon
from ingest.matcher import Matcher
from ingest.score import find_matches
from ingest.textclasses import _profile, count_cjk, count_words
from ingest.textnorm import (
    _LENGTH_CHANGING,
    _collapse,
    _collapse_candidates,
    _collapse_runs,
    _collapse_scanned,
    normalise,
)
from ingest.textoffsets import _rewrite

MATCHER = Matcher(load_lexicon(Path(__file__).resolve().parents[1] / "data" / "lexicon.toml"))

# Pieces that exercise every length-changing step next to real forms.
TRICKY = [
    "Cold War mentality",
    "cold-\nwar mentality",
    "men-\ntality",
    "hegemon",
    "SCO",
    "GSI",
    "CICA",
    "new security concept",
    "common, comprehensive, cooperative and sustainable security",
    "冷战思维",
    "冷戰思維",
    "人类命运共同体",
    "亚信",
    "亚信科技",
    "零和",
    "内政",
    "\u201c",
    "\u201d",
    "'",
    '"',
    "so-called ",
    "所谓",
    "  ",
    "\n\n",
    "\t",
    "\u3000",
    "\ufb01",
    "\ufb03",
    "\u2026",
    "e\u0301",
    "\u0130",
    "\uff33\uff23\uff2f",
    "\u01c5",
    "-",
    "\u2014",
    " ",
    "a",
    "Z",
    "9",
]
texts = st.lists(st.one_of(st.sampled_from(TRICKY), st.text(max_size=8)), max_size=25).map("".join)
# Characters around which whitespace runs change length: hyphens, Han and CJK
# punctuation on either side, invisible characters, every kind of whitespace.
RUN_PIECES = list(" \n\t\r\f\v\u00a0\u2028\u3000\u00ad\u200b\ufeff-aZ中文。，\"'") + ["-\n", " \n", "\r\n"]
runs = st.lists(st.sampled_from(RUN_PIECES), max_size=30).map("".join)


@settings(max_examples=1000, deadline=None)
@given(st.one_of(runs, texts))
def test_collapsing_only_candidate_runs_equals_the_whole_text_regex(text):
    """The fast collapse visits only runs that can change; it must find exactly what
    the regex finds over the whole text, anchors included, both ways: by regex scans
    (short texts) and by textscan's array pass (long ones)."""
    whole = _rewrite(text, _LENGTH_CHANGING, _collapse)
    assert _collapse_runs(text) == _collapse_candidates(text) == _collapse_scanned(text) == whole


@settings(max_examples=1000, deadline=None)
@given(st.one_of(runs, texts, st.text()))
def test_vectorised_counts_equal_split_and_the_han_ranges(text):
    """Words and Han characters are counted over a lookup table of code points
    (ingest/textscan.py); they must be what str.split() and the ranges count."""
    assert count_words(text, "en") == len(text.split()) == _profile(text).words
    han = sum("\u3400" <= ch <= "\u4dbf" or "\u4e00" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" for ch in text)
    assert count_cjk(text) == han == count_words(text, "zh-hans") == _profile(text).han


@settings(max_examples=300, deadline=None)
@given(texts)
def test_normalised_offsets_map_inside_the_text_and_monotonically(text):
    norm = normalise(text)
    mapped = [norm.to_original(i) for i in range(len(norm.text) + 1)]
    assert all(0 <= p <= len(text) for p in mapped)
    assert mapped == sorted(mapped)
    if norm.text:
        start, end = norm.span_to_original(0, len(norm.text))
        assert 0 <= start <= end <= len(text)


@settings(max_examples=300, deadline=None)
@given(texts)
def test_every_match_slices_its_text(text):
    for m in find_matches(text, MATCHER):
        assert 0 <= m.start < m.end <= len(text)
        assert m.text == text[m.start : m.end]


def _is_word_char(ch: str) -> bool:
    return ch.isalnum() and ch < "\u2e80"


@settings(max_examples=300, deadline=None)
@given(texts)
def test_no_alphabetic_match_starts_or_ends_inside_a_word(text):
    for m in find_matches(text, MATCHER):
        if _is_word_char(m.text[0]) and m.start > 0:
            assert not _is_word_char(text[m.start - 1]), (text, m)
        if _is_word_char(m.text[-1]) and m.end < len(text):
            assert not _is_word_char(text[m.end]), (text, m)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=6),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=20,
)
field_names = st.sampled_from(
    [
        "id",
        "label",
        "family",
        "definition",
        "seed",
        "weight",
        "en",
        "zh",
        "en_context",
        "zh_context",
        "en_cues",
        "zh_cues",
        "exclude",
        "colour",
        "description",
        "min_anchors",
        "bogus",
    ]
)
entries = st.dictionaries(field_names, json_values | st.lists(st.text(max_size=6), max_size=3), max_size=8)
lexicon_dicts = st.fixed_dictionaries(
    {},
    optional={
        "version": json_values,
        "context": st.dictionaries(st.sampled_from(["en", "zh", "min_anchors", "x"]), json_values, max_size=3)
        | json_values,
        "families": st.lists(entries, max_size=3) | json_values,
        "concepts": st.lists(entries, max_size=3) | json_values,
        "extra": json_values,
    },
)


@settings(max_examples=400, deadline=None)
@given(lexicon_dicts)
def test_malformed_lexicons_raise_lexicon_error_only(raw):
    try:
        parse_lexicon(raw, "prop.toml", "h")
    except LexiconError as exc:
        assert str(exc).startswith("prop.toml")


@settings(max_examples=200, deadline=None)
@given(json_values)
def test_any_top_level_value_raises_lexicon_error_only(raw):
    with contextlib.suppress(LexiconError):
        parse_lexicon(raw, "prop.toml", "h")


QUOTE_PIECES = [
    *"\"'\u201c\u201d\u2018\u2019\u00ab\u00bb\u300c\u300d\u300e\u300f\u201e\uff02\n a B中,",
    "China's",
    "so-called ",
]
quoted_texts = st.lists(st.sampled_from(QUOTE_PIECES), min_size=1, max_size=40).map("".join)


@settings(max_examples=1000, deadline=None)
@given(quoted_texts, st.integers(0, 200), st.integers(1, 6))
def test_quotations_scanned_line_by_line_enclose_what_the_whole_text_scan_does(text, start, length):
    """Distancing scans only the lines around a match for quotation marks; the
    quotation enclosing a match must be the one a scan of the whole text finds."""
    start = start % len(text)
    end = min(len(text), start + length)
    whole = enclosing(quote_spans(text), start, end)
    assert enclosing(Quotations(text).around(start, end), start, end) == whole


@settings(max_examples=1000, deadline=None)
@given(st.one_of(runs, texts))
def test_identity_collapse_of_candidate_runs_equals_the_whole_text_regex(text):
    """Content hashes must never change: the fast collapse gives what the regex gave,
    by regex scans and (for a text without invisible or Han characters) by textscan."""
    whole = _IDENTITY_LENGTH_CHANGING.sub(_identity_collapse, text)
    assert _identity_collapse_runs(text) == _identity_collapse_candidates(text) == whole
    if not _profile(text).present & (textscan.INVISIBLE | textscan.HAN_PREV):
        assert _identity_collapse_scanned(text) == whole
