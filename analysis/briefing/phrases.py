"""Emerging phrases: multi-word phrases over-represented this week (keyness).

English: word n-grams of 2-4 words; Chinese: character n-grams of 3-6 characters.
N-grams never cross punctuation.  A phrase is a candidate when it occurs at least
MIN_COUNT times in at least MIN_ITEMS items this week, is relatively more frequent
than in the baseline, is not covered by a lexicon form (either contains one or is
part of one), and neither starts nor ends with a stopword nor is only numbers.
Candidates are ranked by Dunning's G² against the baseline.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from .model import Phrase, Sentence
from .sentences import sentence_around
from .significance import log_likelihood

MIN_COUNT, MIN_ITEMS, MIN_G2 = 3, 2, 6.63
MAX_TEXT = 30_000  # characters of one item read for phrases
_EN_STOP_WORDS = """
a about above after again against all also am an and any are as at be because been before being
below between both but by can could did do does doing down during each few for from further had has
have having he her here hers him his how i if in into is it its itself just may me might more most
must my no nor not now of off on once only or other our ours out over own same shall she should so
some such than that the their theirs them then there these they this those through to too under
until up upon very was we were what when where which while who whom why will with would you your
yours mr ms said says say asked question answer yes also one two three us
"""
EN_STOP = frozenset(_EN_STOP_WORDS.split())
ZH_EDGE = frozenset("的了是在和与及或对为以于而也都就被把从向这那其之个们我你他她它着过并将已等各该此")
_EN_SEGMENT = re.compile(r"[^.,;:!?()\[\]\"“”‘’«»\n]+")
_EN_WORD = re.compile(r"[a-z][a-z'\-]*[a-z]|[a-z]|\d+(?:[.,]\d+)*")
_ZH_RUN = re.compile(r"[\u4e00-\u9fff]+")


@dataclass
class Counts:
    tokens: int
    grams: Counter
    items: Counter


def language_of(code: str) -> str | None:
    if code.startswith("en"):
        return "en"
    if code.startswith("zh"):
        return "zh"
    return None


def ngrams(text: str, language: str) -> Iterator[str]:
    if language == "en":
        for segment in _EN_SEGMENT.findall(text.lower()):
            words = _EN_WORD.findall(segment)
            for n in range(2, 5):
                for i in range(len(words) - n + 1):
                    yield " ".join(words[i : i + n])
    else:
        for run in _ZH_RUN.findall(text):
            for n in range(3, 7):
                for i in range(len(run) - n + 1):
                    yield run[i : i + n]


def token_count(text: str, language: str) -> int:
    if language == "en":
        return len(_EN_WORD.findall(text.lower()))
    return sum(len(r) for r in _ZH_RUN.findall(text))


def count(texts: Iterable[str], language: str, keep: set[str] | None = None) -> Counts:
    grams: Counter = Counter()
    items: Counter = Counter()
    tokens = 0
    for text in texts:
        text = text[:MAX_TEXT]
        tokens += token_count(text, language)
        seen = Counter(g for g in ngrams(text, language) if keep is None or g in keep)
        grams.update(seen)
        items.update(seen.keys())
    return Counts(tokens, grams, items)


def lexicon_forms(forms_json: Iterable[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {"en": [], "zh": []}
    for raw in forms_json:
        forms = json.loads(raw)
        for key in ("en", "en_context"):
            out["en"] += [_fold(f) for f in forms.get(key) or []]
        for key in ("zh", "zh_context"):
            out["zh"] += [f.rstrip("*") for f in forms.get(key) or []]
    return out


def _fold(form: str) -> str:
    return re.sub(r"[\s\-]+", " ", form.lower().rstrip("*")).strip()


def is_candidate(phrase: str, language: str, forms: Sequence[str]) -> bool:
    if language == "en":
        words = phrase.split()
        if words[0] in EN_STOP or words[-1] in EN_STOP or all(w.isdigit() or w in EN_STOP for w in words):
            return False
        if any(re.fullmatch(r"[\d.,]+", w) for w in (words[0], words[-1])):
            return False
        padded = f" {phrase} "
        return not any(f and (f" {f}" in padded or phrase in f) for f in forms)
    if phrase[0] in ZH_EDGE or phrase[-1] in ZH_EDGE:
        return False
    return not any(f and (f in phrase or phrase in f) for f in forms)


def emerging_phrases(
    week_texts: Sequence[str], base_texts: Sequence[str], language: str, forms: Sequence[str], limit: int = 8
) -> list[Phrase]:
    week = count(week_texts, language)
    wanted = {
        g
        for g, n in week.grams.items()
        if n >= MIN_COUNT and week.items[g] >= MIN_ITEMS and is_candidate(g, language, forms)
    }
    base = count(base_texts, language, keep=wanted)
    scored = []
    for g in wanted:
        a, b = week.grams[g], base.grams[g]
        if base.tokens and a / max(week.tokens, 1) <= b / base.tokens:
            continue
        g2 = log_likelihood(a, week.tokens, b, base.tokens) if base.tokens else float(a)
        if base.tokens and g2 < MIN_G2:
            continue
        scored.append((g2, g, a, b))
    scored.sort(key=lambda t: (-t[0], -len(t[1]), t[1]))
    kept: list[tuple[float, str, int, int]] = []
    for entry in scored:
        if not any(_subsumed(entry[1], k[1], entry[2], k[2]) for k in kept):
            kept.append(entry)
        if len(kept) >= 3 * limit:
            break
    return _extended(kept, week_texts, base_texts, week.tokens, base.tokens, language, forms)[:limit]


def _extended(kept, week_texts, base_texts, n_week, n_base, language, forms) -> list[Phrase]:
    """Grow each phrase to the longest span it nearly always occurs in ("建立在相互尊" -> "必须建立在相互尊重"),
    recount it, and drop phrases inside another or shown by the same example sentence (one passage, one phrase)."""
    folded = [t[:MAX_TEXT].lower() for t in week_texts]
    out: list[Phrase] = []
    for _, g, _, _ in kept:
        probe = g.split()[0] if language == "en" else g
        texts = [t for t, f in zip(week_texts, folded, strict=True) if probe in f]
        grown = extend(g, language, texts)
        if not is_candidate(grown, language, forms) or any(grown in p.phrase for p in out):
            continue
        a, items = occurrences(grown, language, texts)
        if a < MIN_COUNT or items < MIN_ITEMS:
            continue
        example = example_sentence(grown, language, texts)
        passage = None if example is None else example.before + example.match + example.after
        if any(p.example and p.example.before + p.example.match + p.example.after == passage for p in out):
            continue
        out = [p for p in out if p.phrase not in grown]
        b, _ = occurrences(grown, language, base_texts)
        g2 = log_likelihood(a, n_week, b, n_base) if n_base else float(a)
        out.append(Phrase(grown, language, a, items, b, round(g2, 1), example))
    return sorted(out, key=lambda p: -p.g2)


def _pattern(phrase: str, language: str) -> re.Pattern[str]:
    if language == "en":
        return re.compile(r"\b" + r"[\s\-]+".join(re.escape(w) for w in phrase.split()) + r"\b", re.IGNORECASE)
    return re.compile(re.escape(phrase))


def occurrences(phrase: str, language: str, texts: Iterable[str]) -> tuple[int, int]:
    """(occurrences, items containing it) of a phrase in texts."""
    pattern = _pattern(phrase, language)
    counts = [len(pattern.findall(t[:MAX_TEXT])) for t in texts]
    return sum(counts), sum(1 for c in counts if c)


def extend(phrase: str, language: str, texts: Sequence[str], share: float = 0.8, longest: int = 12) -> str:
    """Add the word (or character) that follows / precedes the phrase in at least `share` of its occurrences."""
    for _ in range(longest):
        pattern = _pattern(phrase, language)
        hits = [(t, m) for t in texts for m in pattern.finditer(t[:MAX_TEXT])]
        if not hits:
            return phrase
        grown = _grow(phrase, language, hits, share)
        if grown == phrase:
            return phrase
        phrase = grown
    return phrase


def _grow(phrase: str, language: str, hits: list, share: float) -> str:
    if language == "en":
        right = Counter(_en_next(t[m.end() :]) for t, m in hits)
        left = Counter(_en_next(t[: m.start()][::-1], reverse=True) for t, m in hits)
    else:
        right = Counter(t[m.end() : m.end() + 1] for t, m in hits)
        left = Counter(t[m.start() - 1 : m.start()] if m.start() else "" for t, m in hits)
    for side, counter in (("right", right), ("left", left)):
        word, n = counter.most_common(1)[0]
        if not word or n < share * len(hits) or not _joinable(word, language):
            continue
        if language == "en":
            return f"{phrase} {word}" if side == "right" else f"{word} {phrase}"
        return phrase + word if side == "right" else word + phrase
    return phrase


def _en_next(text: str, reverse: bool = False) -> str:
    m = re.match(r"[ \t]+([A-Za-z]+(?:-[A-Za-z]+)*)" if not reverse else r"[ \t]+((?:[A-Za-z]+-)*[A-Za-z]+)", text)
    if not m:
        return ""
    word = m.group(1)
    return (word[::-1] if reverse else word).lower()


def _joinable(word: str, language: str) -> bool:
    if language == "en":
        return word not in EN_STOP
    return bool(_ZH_RUN.fullmatch(word)) and word not in ZH_EDGE


def _subsumed(phrase: str, longer_or_shorter: str, n: int, m: int) -> bool:
    """Overlapping phrases that are one phrase really (same text, near-equal counts): keep the first."""
    return (phrase in longer_or_shorter or longer_or_shorter in phrase) and min(n, m) >= 0.6 * max(n, m)


def example_sentence(phrase: str, language: str, texts: Iterable[str]) -> Sentence | None:
    pattern = _pattern(phrase, language)
    for text in texts:
        m = pattern.search(text[:MAX_TEXT])
        if m:
            return Sentence(*sentence_around(text, m.start(), m.end()))
    return None
