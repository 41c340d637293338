"""The scorer's boundary check walks jieba's best route computed by
segment.best_route, a fused copy of jieba's get_DAG and calc: it must be exactly
jieba's route (same ends, ties included) for any string of Han characters."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import segment
from ingest.lexicon import load_lexicon
from ingest.matcher import Matcher

MATCHER = Matcher(load_lexicon(Path(__file__).resolve().parents[1] / "data" / "lexicon.toml"))
# Words the scorer meets (its forms are added as user words) and the characters around
# them in official prose, so routes have real choices to make; plus any Han character.
PIECES = [*MATCHER.han_words, "除去风险", "国内政治", "清零和", "南北约定", "东亚信息", "干涉中国内政", "的", "和"]
PROSE = "中方坚决反对任何国家干涉中国内政我们愿同各方一道推动构建人类命运共同体摒弃冷战思维和零和博弈"
han = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)
sentences = st.lists(st.one_of(st.sampled_from(PIECES), st.sampled_from(PROSE), han), min_size=1, max_size=20).map(
    "".join
)


def _jieba_route(sentence: str) -> list[int]:
    tokenizer = segment._tokenizer()
    route: dict[int, tuple[float, int]] = {}
    tokenizer.calc(sentence, tokenizer.get_DAG(sentence), route)
    return [route[i][1] for i in range(len(sentence))]


@settings(max_examples=1000, deadline=None)
@given(sentences)
def test_best_route_is_jiebas_route(sentence):
    segment.add_words(MATCHER.han_words)  # as the scorer does before its first check
    assert segment.best_route(segment._tokenizer(), sentence) == _jieba_route(sentence)


def test_best_route_of_a_known_sentence():
    segment.add_words(MATCHER.han_words)
    sentence = "国内政治形势"
    ends = segment.best_route(segment._tokenizer(), sentence)
    assert ends == _jieba_route(sentence)
    assert ends[0] == 1  # 国内|政治: the route does not take 内政


def _crossing_word(text: str, start: int, end: int, reach: int = 4) -> bool:
    """The rule _may_straddle shortens: any dictionary word over either edge, tried
    fragment by fragment."""
    freq = segment._tokenizer().FREQ
    for edge in (start, end):
        for left in range(max(0, edge - reach), edge):
            for right in range(edge + 1, min(len(text), edge + reach) + 1):
                if (edge == start and right > end) or (edge == end and left < start):
                    continue
                if freq.get(text[left:right]):
                    return True
    return False


@settings(max_examples=2000, deadline=None)
@given(sentences, st.integers(0, 60), st.integers(2, 3))
def test_may_straddle_finds_what_trying_every_fragment_finds(text, start, length):
    segment.add_words(MATCHER.han_words)
    start = min(start, max(0, len(text) - length))
    end = min(len(text), start + length)
    assert segment._may_straddle(text, start, end) == _crossing_word(text, start, end)


# mfa_zh.jsonl (document 566 of the 2016-2020 MFA corpus): jieba cuts 合作|国内|政, but the
# lone 政 before the comma joins no word beyond 内政: the cut is 国内's pull, not a straddle.
MFA_566 = "持“亲诚惠容”、“真实亲诚”的理念，从不干涉合作国内政，不附加任何政治条件。"


def test_a_lone_last_character_at_the_end_of_a_chinese_run_is_no_straddle():
    segment.add_words(MATCHER.han_words)
    start = MFA_566.index("内政")
    assert "|".join(segment.words("从不干涉合作国内政，")) == "从不|干涉|合作|国内|政|，"
    assert not segment.straddles(MFA_566, start, start + 2)


def test_a_cut_before_a_word_that_runs_on_is_still_a_straddle():
    segment.add_words(MATCHER.han_words)
    for text, form in (("国内政治形势稳定", "内政"), ("合作国内政治", "内政")):
        start = text.index(form)
        assert segment.straddles(text, start, start + len(form)), text
    # the same lone 政, but followed by more Chinese: 政 may then belong to a word beyond
    text = "合作国内政事"
    assert segment.straddles(text, text.index("内政"), text.index("内政") + 2)
