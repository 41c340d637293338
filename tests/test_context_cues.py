"""Context cues (ingest/cues.py): a cue of the same concept shortly before a context
form, in the same clause, makes it count without other signs of security context."""

from __future__ import annotations

import copy

import pytest

from ingest.lexicon import LexiconError, load_lexicon, parse_lexicon
from ingest.matcher import Matcher
from ingest.score import find_matches
from tests.builders import LEXICON

RAW = {
    "context": {"en": ["united nations", "military"], "zh": ["联合国", "外交部"], "ru": ["ООН", "НАТО"]},
    "families": [{"id": "principle", "label": "Principles", "colour": "#ff7f0e"}],
    "concepts": [
        {
            "id": "non_interference",
            "label": "Non-interference",
            "family": "principle",
            "definition": "d",
            "en": ["non interference"],
            "zh": ["不干涉内政"],
            "ru": ["невмешательство"],
            "en_context": ["internal affairs"],
            "zh_context": ["内政"],
            "ru_context": ["внутренние дела"],
            "en_cues": ["interfer*", "meddl*"],
            "zh_cues": ["干涉", "干预", "插手"],
            "ru_cues": ["вмешательств*", "вмешива*"],
            "exclude": ["internal affairs department", "内政部", "органы внутренних дел"],
        },
        {"id": "sovereignty", "label": "Sovereignty", "family": "principle", "definition": "d", "en": ["sovereignty"]},
    ],
}


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher(parse_lexicon(RAW, "cues.toml", "h"))


@pytest.fixture(scope="module")
def shipped() -> Matcher:
    return Matcher(load_lexicon(LEXICON))


def _texts(text: str, m: Matcher) -> list[tuple[str, str]]:
    return [(x.concept, x.text) for x in find_matches(text, m)]


@pytest.mark.parametrize(
    "text, surface",
    [
        ("中方坚决反对任何国家干涉中国内政。", "内政"),
        ("外交部：坚决反对任何国家干涉中国内政", "内政"),
        ("美方插手香港事务、干预中国内政", "内政"),  # a comma is not a clause boundary
        ("外国势力干涉中华人民共和国内政", "内政"),  # 7 Han characters between
        ("堅決反對干涉中國內政", "內政"),  # traditional folds to simplified
        ("China urges the US to stop interfering in Hong Kong internal affairs", "internal affairs"),
        ("Stop meddling in China's internal affairs!", "internal affairs"),
        ("Washington should stop INTERFERING in China’s “internal affairs”", "internal affairs"),
        ("Interference in Xinjiang and Hong Kong, China's internal affairs, must stop", "internal affairs"),
        # A full stop that ends no sentence ends no clause: an initialism, a title.
        ("Moscow denies meddling in the U.S. internal affairs", "internal affairs"),
        ("Stop interfering, Mr. Pompeo, in China's internal affairs", "internal affairs"),
    ],
)
def test_a_cue_before_the_context_form_makes_it_count(text, surface, matcher, shipped):
    for m in (matcher, shipped):
        assert ("non_interference", surface) in _texts(text, m), m.lexicon.path


@pytest.mark.parametrize(
    "text",
    [
        "Москва призвала Вашингтон прекратить вмешательство во внутренние дела Китая",
        "Не надо вмешиваться в наши внутренние дела",
    ],
)
def test_a_russian_cue_declines_and_prefixes_like_forms(text, matcher):
    assert [c for c, _ in _texts(text, matcher)] == ["non_interference"]


@pytest.mark.parametrize(
    "text",
    [
        # ru_official_ru/putin_lavrov_ru_2000_2025.jsonl (a 2015 interview, Kozak's answer)
        "начинается истерика по\xa0поводу того, что Россия вмешивается во\xa0внутренние дела Украины?",
        # ru_state_tv_1tv/1tv_news_1in10_2000_2026.jsonl (2003)
        "в\xa0Эн-Насирии проводится многотысячная демонстрация против вмешательства США и\xa0Великобритании "
        "во\xa0внутренние дела Ирака.",
    ],
)
def test_the_shipped_lexicon_reads_russian_interference_in_internal_affairs(text, shipped):
    assert [c for c, _ in _texts(text, shipped)] == ["non_interference"]


@pytest.mark.parametrize(
    "text",
    [
        # ru_official_ru/putin_lavrov_ru_2000_2025.jsonl: the police, and EU justice and home affairs
        "героизм проявили российские военнослужащие, сотрудники внутренних дел и\xa0местные граждане",
        "совместную работу в\xa0сфере правосудия, внутренних дел, защиты окружающей среды",
        "Министерство внутренних дел сообщило о задержании",
        "в органах внутренних дел служат",
        "Комиссия по внутренним делам Европарламента",  # a portfolio: committee, minister for home affairs
    ],
)
def test_russian_police_and_home_affairs_are_not_the_norm(text, shipped):
    # Context signs in the same paragraph (ООН, НАТО, Совет Безопасности) would let a bare
    # "внутренние дела" count: the exclusions must hold even so.
    assert _texts(f"Совет Безопасности ООН и НАТО. {text}", shipped) == []


@pytest.mark.parametrize(
    "text",
    [
        "internal affairs department staff met on Tuesday",  # excluded, cue or not
        "He handles the internal affairs of the club",  # a context form with no cue, no signs
        "国内政治形势稳定",  # 国内|政治: 内政 straddles two words, a cue changes nothing
        "干涉国内政治",  # and not even with a cue before it
        "中国内政不容干涉",  # the cue comes after the form
        "The club's internal affairs are no place to interfere",
        "Do not interfere. Internal affairs are ours.",  # another sentence
        "请勿干涉。中国内政自有安排",
        "He was accused of interfering; internal affairs opened a file",  # another clause
        "Stop interfering\ninternal affairs is a television drama",  # a line break between
        "Stop interfering with the budget committee, the water board and the library in their internal affairs",
        "干涉过多会伤害两国人民之间的感情和内政",  # more than 8 Han characters between
        "若干涉及内政的文件",  # 若干|涉及: 干涉 is not a word here
        "Noninterfering internal affairs",  # a cue must start a word
    ],
)
def test_no_cue_no_count(text, matcher, shipped):
    for m in (matcher, shipped):
        assert "non_interference" not in [c for c, _ in _texts(text, m)], (text, _texts(text, m))


def test_non_interference_and_its_negation_are_the_same_norm(matcher):
    assert [c for c, _ in _texts("坚持不干涉内政原则", matcher)] == ["non_interference"]
    assert [c for c, _ in _texts("China does not interfere in other countries' internal affairs", matcher)] == [
        "non_interference"
    ]


def test_a_cue_is_not_needed_where_context_signs_already_count(matcher):
    text = "At the United Nations, military officers discussed internal affairs."
    assert _texts(text, matcher) == [("non_interference", "internal affairs")]


def test_a_cue_of_another_concept_does_not_count(matcher):
    raw = copy.deepcopy(RAW)
    raw["concepts"][1]["en_context"] = ["domestic politics"]
    m = Matcher(parse_lexicon(raw, "cues.toml", "h"))
    assert _texts("stop interfering in domestic politics", m) == []


@pytest.mark.parametrize("gap, counts", [(40, True), (41, False)])
def test_at_most_forty_characters_between_cue_and_form(gap, counts, matcher):
    text = "interfering " + "y" * (gap - 2) + " internal affairs"
    assert bool(_texts(text, matcher)) is counts


@pytest.mark.parametrize("between, counts", [("中华人民共和国的", True), ("中华人民共和国人民的", False)])
def test_at_most_eight_han_characters_between_cue_and_form(between, counts, matcher):
    assert bool(_texts(f"干涉{between}内政", matcher)) is counts


# ---- validation --------------------------------------------------------------


def _error(raw) -> str:
    with pytest.raises(LexiconError) as info:
        parse_lexicon(raw, "lex.toml", "hash")
    return str(info.value)


def _concept(**fields) -> dict:
    raw = copy.deepcopy(RAW)
    raw["concepts"][0].update(fields)
    for key, value in list(raw["concepts"][0].items()):
        if value is None:
            del raw["concepts"][0][key]
    return raw


def test_cues_without_context_forms_are_refused_naming_concept_and_field():
    message = _error(_concept(en_context=None, zh_context=None, ru_context=None))
    assert "concepts[0] (id 'non_interference')" in message
    assert "'en_cues'" in message and "no context forms" in message


def test_cues_with_a_context_form_in_any_language_load():
    lex = parse_lexicon(_concept(en_context=None, zh_context=None), "lex.toml", "h")
    assert lex.concepts[0].en_cues == ("interfer*", "meddl*")


@pytest.mark.parametrize(
    "fields, words",
    [
        ({"en_cues": ["interfer*", "Interfer*"]}, ["'en_cues'", "twice"]),
        ({"zh_cues": ["干涉", "乾涉"]}, ["'zh_cues'", "twice"]),  # the same after folding
        ({"en_cues": [""]}, ["'en_cues'", "empty string"]),
        ({"ru_cues": ["  "]}, ["'ru_cues'", "empty string"]),
        ({"en_cues": "interfer*"}, ["'en_cues'", "list of strings"]),
        ({"en_cues": [3]}, ["'en_cues'", "non-string"]),
        ({"en_cues": ["interfer.*"]}, ["'en_cues'", "regular expression"]),
        ({"zh_cues": ["。"]}, ["'zh_cues'", "no letter"]),
        ({"fr_cues": ["ingérence"]}, ["unknown field 'fr_cues'"]),
        ({"context_cues": {"en": ["interfer*"]}}, ["unknown field 'context_cues'"]),
    ],
)
def test_bad_cues_are_named(fields, words):
    message = _error(_concept(**fields))
    assert "non_interference" in message
    for word in words:
        assert word in message, message


def test_the_shipped_cues_are_where_the_brief_of_each_concept_needs_them(shipped):
    cued = {shipped.lexicon.concepts[ci].id for ci in shipped.cues}
    assert cued == {"non_interference"}
    concept = shipped.lexicon.concept("non_interference")
    assert concept.en_context and concept.zh_context
