"""Emerging phrases on a real MFA week (../shared/corpus/mfa_spokesperson_2016_2020):
2019-W32 against the four weeks before it, in Chinese and in English.  Candidates are
whole words and phrases, and a new formula planted in four of the week's briefings
is ranked first."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest

from analysis import segment
from analysis.briefing.phrases import emerging_phrases, lexicon_forms
from ingest.lexicon import load_lexicon

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "mfa_spokesperson_2016_2020"
LEXICON = Path(__file__).resolve().parents[1] / "data" / "lexicon.toml"
pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"shared corpus not found at {CORPUS}")

WEEK, BASE = (2019, 32), {(2019, w) for w in range(28, 32)}
PLANTED = {
    "zh": "各方应携手落实全球韧性伙伴倡议。",
    "en": "All parties should jointly implement the Global Resilience Partnership Compact.",
}


def _texts(name: str) -> tuple[list[str], list[str]]:
    week, base = [], []
    with open(CORPUS / name, encoding="utf-8") as fh:
        for row in map(json.loads, fh):
            if not row.get("date"):
                continue
            year, number, _ = date.fromisoformat(row["date"]).isocalendar()
            if (year, number) == WEEK:
                week.append(row["text"])
            elif (year, number) in BASE:
                base.append(row["text"])
    return week, base


@pytest.fixture(scope="module")
def forms():
    lexicon = load_lexicon(LEXICON)
    rows = [
        json.dumps({"en": c.en, "en_context": c.en_context, "zh": c.zh, "zh_context": c.zh_context, "ru": c.ru})
        for c in lexicon.concepts
    ]
    return lexicon_forms(rows)


def _planted(week: list[str], language: str) -> list[str]:
    # four briefings of the week use a formula never seen before
    return [text + (f"\n{PLANTED[language]}" if i < 4 else "") for i, text in enumerate(week)]


def test_chinese_candidates_are_whole_words_and_the_new_formula_ranks_first(forms):
    week, base = _texts("mfa_zh.jsonl")
    assert len(week) >= 10 and len(base) >= 15
    phrases = emerging_phrases(_planted(week, "zh"), base, "zh", forms["zh"])
    assert phrases and phrases[0].phrase == "全球韧性伙伴倡议", [p.phrase for p in phrases]
    for p in phrases:
        sentence = p.example.before + p.example.match + p.example.after
        start = len(p.example.before)
        cuts = {0}
        for word in segment.words(sentence):
            cuts.add(max(cuts) + len(word))
        # neither starts nor ends mid-word (中方对此坚决反, 发展同 were the old fragments)
        assert start in cuts and start + len(p.example.match) in cuts, (p.phrase, sentence)
        assert p.items >= 2 and p.count >= 3


def test_english_candidates_are_phrases_not_fillers_and_the_new_formula_ranks_first(forms):
    week, base = _texts("mfa_en.jsonl")
    phrases = emerging_phrases(_planted(week, "en"), base, "en", forms["en"])
    assert phrases and phrases[0].phrase == "global resilience partnership compact", [p.phrase for p in phrases]
    for p in phrases:
        words = p.phrase.split()
        assert len(words) >= 2 and not words[0].endswith("ly") and words[0] not in {"what's", "the", "of", "and"}
        sentence = p.example.before + p.example.match + p.example.after
        start, end = len(p.example.before), len(p.example.before) + len(p.example.match)
        assert not re.match(r"\w", sentence[start - 1 : start] or " ") and not re.match(
            r"\w", sentence[end : end + 1] or " "
        )


def test_russian_candidates_are_counted_by_lemma():
    week = [
        "Стороны обсудили концепцию евразийской безопасности и новый транспортный коридор.",
        "Речь шла о концепции евразийской безопасности в рамках нового транспортного коридора.",
        "Министр говорил о концепцией евразийской безопасности. Новым транспортным коридором займутся позже.",
    ]
    base = ["Президент провёл совещание по экономическим вопросам в регионах страны."] * 40
    phrases = {p.phrase: p for p in emerging_phrases(week, base, "ru", [])}
    lemma_counts = {p.count for p in phrases.values()}
    assert 3 in lemma_counts  # every case of one phrase is one candidate
    assert not any(p.split()[0] in {"о", "в", "и", "по"} for p in phrases)
