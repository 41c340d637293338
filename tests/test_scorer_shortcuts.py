"""Shortcuts the scorer takes for speed must answer exactly what the rule they skip
would: each is checked here against that rule, over all of Unicode where it is a
character class and over random text where it is a function."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from ingest import textoffsets, textscan
from ingest.distancing import _SO_CALLED, _SO_CALLED_FIRST, so_called
from ingest.lexicon import load_lexicon
from ingest.matcher import Matcher
from ingest.score import find_matches
from ingest.textclasses import _class_table


def test_so_called_first_is_every_character_re_ignorecase_matches():
    """The first characters of called, self, 所, 号称, 號稱, называем, н., пресловут,
    in every case Python's re matches them without regard to case."""
    ignorecase = re.compile("[cs所号號нп]", re.I)
    for cp in range(0x110000):
        ch = chr(cp)
        assert (ignorecase.fullmatch(ch) is None) == (_SO_CALLED_FIRST.fullmatch(ch) is None), hex(cp)


CUES = [
    "so-called ",
    "So\u00adcalled",
    "SELF-STYLED ",
    "self proclaimed",
    "所谓",
    "所謂的",
    "号称",
    "號稱",
    "так называемый ",
    "Так\u00adназываемых",
    "т. н. ",
    "т.н.",
    "пресловутый",
    "ſelf-styled",
    "\u201c",
    "\u300c",
    "'",
    "\u00ab",
    " ",
    "\n",
    "called",
    "сalled",
]
texts = st.lists(st.one_of(st.sampled_from(CUES), st.text(max_size=4)), max_size=12).map("".join)


@settings(max_examples=2000, deadline=None)
@given(texts, st.integers(0, 80))
def test_so_called_answers_what_its_regex_alone_does(text, start):
    start = min(start, len(text))
    assert so_called(text, start) == (_SO_CALLED.search(text, max(0, start - 24), start) is not None)


RUN_PIECES = list(" \n\t\r\f\v\u00a0\u2028\u3000-aZ中文。：，\"'") + ["-\n", " \n", "\r\n", "：\n", "文 文"]
run_texts = st.lists(st.sampled_from(RUN_PIECES), max_size=60).map("".join)


def _runs_with(text: str, few: int):
    saved = textscan._FEW
    textscan._FEW = few
    try:
        return textscan.profile(text, _class_table()).runs
    finally:
        textscan._FEW = saved


@settings(max_examples=1000, deadline=None)
@given(run_texts)
def test_few_runs_walked_in_python_are_what_the_array_steps_find(text):
    assert _runs_with(text, 10**9) == _runs_with(text, 0)


def test_a_glossary_label_is_still_dropped_and_only_where_the_label_is():
    """drop_bracketed_repeats looks for the label per match only when the text holds it."""
    matcher = Matcher(load_lexicon(Path(__file__).resolve().parents[1] / "data" / "lexicon.toml"))
    text = "Россия председательствует в БРИКС в 2024 году.\nКраткая справка БРИКС (англ. BRICS) – объединение."
    assert [(m.concept, m.start) for m in find_matches(text, matcher)] == [("brics", 28)]
    unlabelled = text.replace("Краткая справка", "Краткая история")
    assert [m.start for m in find_matches(unlabelled, matcher)] == [28, unlabelled.index("БРИКС (")]


@st.composite
def texts_and_changes(draw):
    """A text and sorted, non-overlapping (start, end, replacement) changes to it."""
    text = draw(st.text(alphabet=" \n-ab中\u00ad", max_size=80))
    cuts = sorted(draw(st.lists(st.integers(0, len(text)), max_size=40)))
    pairs = list(zip(cuts[0::2], cuts[1::2]))
    return text, [(a, b, draw(st.sampled_from(["", " ", "  ", "x"]))) for a, b in pairs]


@settings(max_examples=1000, deadline=None)
@given(texts_and_changes())
def test_few_changes_applied_in_a_loop_are_what_the_array_steps_make(case):
    text, changes = case
    saved = textoffsets._FEW_CHANGES
    try:
        textoffsets._FEW_CHANGES = -1
        by_arrays = textoffsets._apply(text, changes)
    finally:
        textoffsets._FEW_CHANGES = saved
    assert textoffsets._apply_few(text, changes) == by_arrays
