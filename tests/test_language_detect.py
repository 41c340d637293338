"""Language detection: the answers it gives, and that its ASCII shortcut (no CJK or
Cyrillic to look for, letters counted by a byte translation, the stop-word scan stopped at
the 8 % threshold) answers exactly as the general path does on real texts."""

from __future__ import annotations

import json

import pytest

from ingest.language import detect_language
from tests.builders import REPO

CORPUS = REPO.parent / "shared" / "corpus"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The minister said that the talks would continue in the spring with the partners of the bloc.", "en"),
        ("Short headline", "en"),  # under 12 words: too short to judge, taken as English
        ("12345 67890 !!! ???", "und"),  # no letters
        ("Lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt", "und"),
        ("Президент России провёл совещание с членами Совета безопасности.", "ru"),
        ("外交部发言人就中美关系答记者问。", "zh-hans"),
        ("外交部發言人就中美關係答記者問。", "zh-hant"),
    ],
)
def test_answers(text: str, expected: str) -> None:
    assert detect_language(text) == expected


def test_stop_word_threshold_is_inclusive() -> None:
    """Two stop words in 25 words is exactly 8 %: English; one is not."""
    filler = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel"] * 3
    assert detect_language(" ".join(["the", "and"] + filler[:23])) == "en"
    assert detect_language(" ".join(["the"] + filler[:24])) == "und"


def _ascii_texts() -> list[str]:
    texts = []
    for name in ("ungdc_selected_1971_2024/ungdc_selected.jsonl", "mfa_spokesperson_2016_2020/mfa_en.jsonl"):
        path = CORPUS / name
        if not path.exists():
            continue
        for line in path.read_text(encoding="utf-8").splitlines()[:300]:
            text = json.loads(line).get("text") or ""
            texts += [t for t in (text, text[:120], text[:400], text[2000:3000]) if t.isascii()]
    return texts


def test_ascii_shortcut_answers_as_the_general_path() -> None:
    """A no-break space for the first space is still whitespace and no letter, so the counts
    are the same, but the text is no longer ASCII and takes the general path."""
    texts = _ascii_texts()
    if not texts:
        pytest.skip("../shared/corpus not present")
    texts += ["the " * k + "zzz " * (40 - k) for k in range(0, 8)]
    answers = set()
    for text in texts:
        assert text.isascii()
        general = text.replace(" ", "\u00a0", 1) if " " in text else text + "\u00a0"
        answers.add(detect_language(text))
        assert detect_language(text) == detect_language(general), text[:200]
    assert answers == {"en", "und"}
