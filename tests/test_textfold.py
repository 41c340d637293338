"""The one-lookup-per-character fold (textfold.fold_units) must give exactly what the
pass-by-pass fold gives (_fold_runs, then hyphens and line breaks as spaces), anchors
included, for every character and any mix of them; where it cannot (astral
characters, capital sigma, surrogates that pair up) it must say so."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.textfold import _fold_runs, fold_units
from ingest.textnorm import _as_spaces, normalise


def _by_passes(text: str):
    out, anchors = _fold_runs(text)
    return _as_spaces(out), anchors


def test_every_bmp_character_folds_as_the_passes_fold_it():
    """Exhaustive over the Basic Multilingual Plane, in runs of neighbours (a
    ligature's anchors shift every offset after it)."""
    skipped = {0x03A3}  # capital sigma: lowered by its neighbours, so the passes fold it
    points = [cp for cp in range(0x10000) if not 0xD800 <= cp <= 0xDFFF and cp not in skipped]
    for i in range(0, len(points), 700):
        text = "".join(map(chr, points[i : i + 700]))
        assert fold_units(text) == _by_passes(text), f"from U+{points[i]:04X}"


def test_texts_the_table_cannot_fold_alone_take_the_passes():
    assert fold_units("\u039f\u0394\u039f\u03a3 \u03a3") is None  # final and medial sigma
    assert normalise("\u039f\u0394\u039f\u03a3").text == "\u03bf\u03b4\u03bf\u03c2"
    assert fold_units("a\U0001f600b") is None
    assert fold_units("x\ud83dy") == ("x\ud83dy", None)  # a lone surrogate stays itself
    assert fold_units("\ud83d\ude00") is None  # two lone surrogates would pair up
    assert fold_units("\uffff\ufb01-\n") == ("\ufffffi  ", ((1, 3), (1, 2)))


PIECES = [
    "Cold-War",
    "\u51b7\u6230\u601d\u7dad",
    "\uff33\uff23\uff2f",
    "\ufb01",
    "\ufb03",
    "e\u0301",
    "\u0130",
    "\u03a3",
    "\u00bc",
    "\u2474",
    "\uffff",
    "\ud83d",
    "\ude00",
    "\U0001f600",
    "\u201c\u2014\u2019",
    "\u3000\u00a0\n\t\r\f\v",
    "\u0401\u0451\u00ab\u00bb",
    "\uff0c\uff1a\uff08\uff09",
]
texts = st.lists(
    st.one_of(st.sampled_from(PIECES), st.text(max_size=6), st.characters(max_codepoint=0xFFFF).map(str)), max_size=30
).map("".join)


@settings(max_examples=1000, deadline=None)
@given(texts)
def test_the_table_folds_any_mix_as_the_passes_do(text):
    folded = fold_units(text)
    if folded is not None:
        assert folded == _by_passes(text)
    else:
        units = text.encode("utf-16-le", "surrogatepass")
        astral = len(units.decode("utf-16-le", "surrogatepass")) < len(units) // 2  # or surrogates that pair up
        assert "\u03a3" in text or astral
