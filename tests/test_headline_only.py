"""headline_only decides from a prefix of a long text when it can: the same answer as
normalising the whole text, on real texts and on texts built to sit at the cut."""

from __future__ import annotations

import json
import random

import pytest

from store.evidence import headline_only
from tests.builders import REPO

CORPUS = REPO.parent / "shared" / "corpus"


def _whole(title: str, text: str) -> bool:
    """The definition, on the whole text (what headline_only computed before the prefix)."""
    body, head = (" ".join((s or "").split()).casefold() for s in (text, title))
    if head and body.startswith(head):
        body = body[len(head) :]
    return not any(ch.isalnum() for ch in body)


def _pairs() -> list[tuple[str, str]]:
    rng = random.Random(5)
    titles = ["", "Breaking", "Straße Talks", "ΣΊΣΥΦΟΣ news", "  Spaced   title ", "中国 外交部", "Ǆ digraph"]
    fillers = [" ", "\n", "\t", "…", "»", ".", "-", "ß", "ς", "İ", "a", "7", "中", "\u00a0", "\u2028"]
    pairs = []
    for _ in range(20_000):
        title = rng.choice(titles)
        head = title if rng.random() < 0.7 else title.upper()
        text = head + "".join(rng.choice(fillers) * rng.randint(1, 60) for _ in range(rng.randint(0, 12)))
        pairs.append((title, text))
    return pairs


def test_same_answer_as_the_whole_text() -> None:
    pairs = _pairs()
    path = CORPUS / "mfa_spokesperson_2016_2020/mfa_en.jsonl"
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines()[:300]:
            row = json.loads(line)
            pairs += [(row["title"], row["text"]), (row["title"], row["title"] + " …"), (row["title"], "")]
    answers = set()
    for title, text in pairs:
        answers.add(headline_only(title, text))
        assert headline_only(title, text) == _whole(title, text), (title, text[:300])
    assert answers == {True, False}


@pytest.mark.parametrize(
    ("title", "text", "expected"),
    [
        ("Talks end", "Talks end" + " " * 500 + "…", True),
        ("Talks end", "Talks end" + " " * 500 + "and then more", False),
        ("Talks end", "", True),
        ("", "Some text", False),
    ],
)
def test_examples(title: str, text: str, expected: bool) -> None:
    assert headline_only(title, text) is expected
