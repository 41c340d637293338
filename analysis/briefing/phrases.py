"""Emerging phrases: whole words and phrases over-represented this week (keyness).

Candidates are built from words, never from characters, so none starts or ends
inside a word:
- English: runs of 2-4 words inside one clause (never across punctuation), neither
  starting nor ending with a stop word, an -ly adverb or a number: noun and verb
  phrases such as "global governance initiative", not "what's worse" or "sincerely
  welcomed".
- Chinese: 1-4 words of the jieba segmentation (the scorer's segmenter, with the
  lexicon as its user dictionary), at least three characters long, not starting or
  ending with a function word (的, 了, 是, 和, 对, 将 ...).
- Russian: 2-4 words counted by lemma (pymorphy3), so every case of a phrase is one
  candidate; shown as first written; not starting or ending with a preposition,
  conjunction, particle or pronoun.
A phrase is a candidate when it occurs at least MIN_COUNT times in at least
MIN_ITEMS items this week, is relatively more frequent than in the baseline, and
is not covered by a lexicon form (no phrase runs into a form).  Candidates are ranked
by Dunning's G² against the baseline over items (how many of this week's items use
it, against the baseline's), then over occurrences; a shorter phrase inside a longer
one with about the same count is the same phrase and is dropped.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

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
yours mr ms said says say asked question answer yes also one two three us what's it's that's there's
let's i'm we're they're don't doesn't didn't won't can't isn't aren't worse better well like
"""
EN_STOP = frozenset(_EN_STOP_WORDS.split())
_ZH_STOP_WORDS = """
的 了 是 在 和 与 及 或 对 为 以 于 而 也 都 就 被 把 从 向 这 那 其 之 个 们 我 你 他 她 它 着 过 并 将 已 等 各
该 此 有 不 要 会 能 上 中 下 又 还 所 更 很 最 来 去 到 给 让 使 由 因 但 则 即 如 若 我们 你们 他们 这个 那个
这些 那些 一个 一些 以及 并且 而且 但是 因为 所以 如果 表示 认为 指出 强调 问 答 记者 发言人 关于 有关 进行
目前 已经 正在 同时 方面 问题 情况 今天 昨天 今年
"""
ZH_STOP = frozenset(_ZH_STOP_WORDS.split())
_RU_FUNCTION = {"PREP", "CONJ", "PRCL", "NPRO", "INTJ", "PRED", "NUMR"}
_EN_CLAUSE = re.compile(r"[^.,;:!?()\[\]\"“”‘’«»\n]+")
_EN_WORD = re.compile(r"[a-z][a-z'’\-]*[a-z]|[a-z]|\d+(?:[.,]\d+)*")
_ZH_RUN = re.compile(r"[\u4e00-\u9fff]+")
_RU_CLAUSE = re.compile(r"[^.,;:!?()\[\]\"“”‘’«»„\n–—]+")
_RU_WORD = re.compile(r"[а-яё]+(?:-[а-яё]+)*")


@dataclass
class Counts:
    tokens: int
    grams: Counter
    items: Counter
    first: dict = field(default_factory=dict)  # gram -> (text index, start, end) of its first occurrence


def language_of(code: str) -> str | None:
    for language in ("en", "zh", "ru"):
        if code.startswith(language):
            return language
    return None


# ---- words -------------------------------------------------------------------------


def clauses(text: str, language: str) -> Iterator[list[tuple[str, int, int]]]:
    """Each clause of `text` as (key, start, end) words: the key is the lower-case word,
    the Chinese word, or the Russian lemma; offsets point into `text`."""
    if language == "en":
        folded = text.lower()
        for clause in _EN_CLAUSE.finditer(folded):
            yield [
                (m.group(), clause.start() + m.start(), clause.start() + m.end())
                for m in _EN_WORD.finditer(clause.group())
            ]
    elif language == "zh":
        from analysis import segment

        for run in _ZH_RUN.finditer(text):
            position, words = run.start(), []
            for word in segment.words(run.group()):
                words.append((word, position, position + len(word)))
                position += len(word)
            yield words
    else:
        folded = text.lower()
        for clause in _RU_CLAUSE.finditer(folded):
            yield [
                (_lemma(m.group()), clause.start() + m.start(), clause.start() + m.end())
                for m in _RU_WORD.finditer(clause.group())
            ]


@lru_cache(maxsize=1)
def _morph():
    import pymorphy3

    return pymorphy3.MorphAnalyzer(lang="ru")


@lru_cache(maxsize=200_000)
def _lemma(word: str) -> str:
    return _morph().parse(word)[0].normal_form.replace("ё", "е")


@lru_cache(maxsize=50_000)
def _ru_function_word(lemma: str) -> bool:
    return _morph().parse(lemma)[0].tag.POS in _RU_FUNCTION or len(lemma) < 2


def grams(words: list[tuple[str, int, int]], language: str) -> Iterator[tuple[tuple[str, ...], int, int]]:
    keys = [w[0] for w in words]
    sizes = range(1, 5) if language == "zh" else range(2, 5)
    for n in sizes:
        for i in range(len(words) - n + 1):
            gram = tuple(keys[i : i + n])
            if language == "zh" and not 3 <= sum(map(len, gram)) <= 12:
                continue
            yield gram, words[i][1], words[i + n - 1][2]


def token_count(text: str, language: str) -> int:
    return sum(len(words) for words in clauses(text, language))


def count(texts: Iterable[str], language: str, keep: set | None = None, forms: Sequence[str] = ()) -> Counts:
    out = Counts(0, Counter(), Counter())
    split = _FormSplitter(forms, language)
    for index, text in enumerate(texts):
        text = text[:MAX_TEXT]
        seen: Counter = Counter()
        for clause in clauses(text, language):
            out.tokens += len(clause)
            for words in split(clause):
                for gram, start, end in grams(words, language):
                    if keep is not None and gram not in keep:
                        continue
                    seen[gram] += 1
                    if gram not in out.first:
                        out.first[gram] = (index, start, end)
        out.grams.update(seen)
        out.items.update(seen.keys())
    return out


class _FormSplitter:
    """Cut a clause where a lexicon form occurs: no phrase runs into a known form
    ("rejected the [Cold War mentality] of blocs" gives "rejected the", "of blocs")."""

    def __init__(self, forms: Sequence[str], language: str):
        self.language = language
        self.by_first: dict[str, list[list[str]]] = {}
        zh = sorted({f for f in forms if f}, key=len, reverse=True) if language == "zh" else []
        self.zh = re.compile("|".join(map(re.escape, zh))) if zh else None
        if language != "zh":
            for f in forms:
                words = f.replace("-", " ").split()
                if words:
                    self.by_first.setdefault(words[0], []).append(words)

    def __call__(self, words: list[tuple[str, int, int]]) -> list[list[tuple[str, int, int]]]:
        covered = self._covered(words)
        if not covered:
            return [words]
        pieces: list[list[tuple[str, int, int]]] = [[]]
        for i, w in enumerate(words):
            if i in covered:
                if pieces[-1]:
                    pieces.append([])
            else:
                pieces[-1].append(w)
        return [p for p in pieces if p]

    def _covered(self, words) -> set[int]:
        covered: set[int] = set()
        if self.language == "zh":
            if self.zh is None or not words:
                return covered
            joined = "".join(w[0] for w in words)
            bounds, position = [], 0
            for w in words:
                bounds.append((position, position + len(w[0])))
                position += len(w[0])
            for m in self.zh.finditer(joined):
                covered |= {i for i, (a, b) in enumerate(bounds) if a < m.end() and b > m.start()}
            return covered
        keys = [w[0].replace("-", " ") for w in words]
        for i, key in enumerate(keys):
            for form in self.by_first.get(key.split()[0], ()):
                tail = " ".join(keys[i:]).split()[: len(form)]
                if len(tail) == len(form) and tail[:-1] == form[:-1] and tail[-1].startswith(form[-1]):
                    covered |= set(range(i, i + len(form)))
        return covered


# ---- candidates --------------------------------------------------------------------


def lexicon_forms(forms_json: Iterable[str]) -> dict[str, list[str]]:
    """Lexicon forms folded as phrases are keyed: lower-case English, Chinese, Russian lemmas."""
    out: dict[str, list[str]] = {"en": [], "zh": [], "ru": []}
    for raw in forms_json:
        forms = json.loads(raw)
        for key in ("en", "en_context"):
            out["en"] += [_fold(f) for f in forms.get(key) or []]
        for key in ("zh", "zh_context"):
            out["zh"] += [f.rstrip("*") for f in forms.get(key) or []]
        for key in ("ru", "ru_context"):
            out["ru"] += [
                " ".join(_lemma(w) for w in _RU_WORD.findall(f.lower().rstrip("*"))) for f in forms.get(key) or []
            ]
    return out


def _fold(form: str) -> str:
    return re.sub(r"[\s\-]+", " ", form.lower().rstrip("*")).strip()


def phrase_key(gram: tuple[str, ...], language: str) -> str:
    return "".join(gram) if language == "zh" else " ".join(gram)


def is_candidate(gram: tuple[str, ...], language: str, forms: Sequence[str]) -> bool:
    if language == "en":
        edges = (gram[0], gram[-1])
        if any(w in EN_STOP or w.endswith("ly") or w[0].isdigit() or len(w) < 2 for w in edges):
            return False
    elif language == "zh":
        if gram[0] in ZH_STOP or gram[-1] in ZH_STOP or all(len(w) == 1 for w in gram):
            return False
    elif _ru_function_word(gram[0]) or _ru_function_word(gram[-1]):
        return False
    key = phrase_key(gram, language)
    if language == "zh":
        return not any(f and (f in key or key in f or _overlap(key, f, 2)) for f in forms)
    words = key.replace("-", " ").split()
    return not any(f and _covers(f.split(), words) for f in forms)


def _covers(form: list[str], words: list[str]) -> bool:
    """Does the form lie in the phrase, the phrase in the form, or do they overlap by two
    or more words at an edge ("rejected the cold war" and "cold war mentality")?  The
    form's last word may be a prefix (hegemon*)."""

    def same(a: list[str], b: list[str]) -> bool:
        return len(a) == len(b) and all(
            x == y or (i == len(b) - 1 and x.startswith(y)) for i, (x, y) in enumerate(zip(a, b))
        )

    n, m = len(words), len(form)
    if any(same(words[i : i + m], form) for i in range(n - m + 1)):
        return True
    if any(words == form[i : i + n] for i in range(m - n + 1)):
        return True
    return any(words[-k:] == form[:k] or same(words[:k], form[-k:]) for k in range(2, min(n, m) + 1))


def _overlap(key: str, form: str, least: int) -> bool:
    return any(key.endswith(form[:k]) or key.startswith(form[-k:]) for k in range(least, min(len(key), len(form))))


def emerging_phrases(
    week_texts: Sequence[str], base_texts: Sequence[str], language: str, forms: Sequence[str], limit: int = 8
) -> list[Phrase]:
    week = count(week_texts, language, forms=forms)
    wanted = {
        g
        for g, n in week.grams.items()
        if n >= MIN_COUNT and week.items[g] >= MIN_ITEMS and is_candidate(g, language, forms)
    }
    base = count(base_texts, language, keep=wanted, forms=forms)
    n_week, n_base = len(week_texts), len(base_texts)
    scored = []
    for g in wanted:
        a, b = week.grams[g], base.grams[g]
        if base.tokens and a / max(week.tokens, 1) <= b / base.tokens:
            continue
        g2 = log_likelihood(a, week.tokens, b, base.tokens) if base.tokens else float(a)
        if base.tokens and g2 < MIN_G2:
            continue
        # Rank by keyness over documents first: a formula taken up across many items
        # is what an analyst wants, not a word one long item repeats.
        spread = log_likelihood(week.items[g], n_week, base.items[g], n_base) if n_base else float(week.items[g])
        scored.append((g2, g, a, b, spread))
    scored.sort(key=lambda t: (-t[4], -t[0], -len(phrase_key(t[1], language)), t[1]))
    kept: list[tuple] = []
    for entry in scored:
        if any(_same_phrase(entry, k, language) for k in kept):
            continue
        kept = [k for k in kept if not _same_phrase(k, entry, language)]
        kept.append(entry)
    kept.sort(key=lambda t: (-t[4], -t[0]))
    return [_phrase(entry, week, week_texts, language) for entry in kept[:limit]]


def _same_phrase(entry, other, language: str) -> bool:
    """A phrase inside another with about the same count is that phrase: keep the longer."""
    g, n, h, m = entry[1], entry[2], other[1], other[2]
    short, long_ = phrase_key(g, language), phrase_key(h, language)
    return len(short) <= len(long_) and short in long_ and min(n, m) >= 0.6 * max(n, m)


def _phrase(entry, week: Counts, week_texts: Sequence[str], language: str) -> Phrase:
    g2, gram, a, b = entry[:4]
    index, start, end = week.first[gram]
    text = week_texts[index][:MAX_TEXT]
    shown = phrase_key(gram, language) if language != "ru" else text[start:end].lower()
    if language == "en":
        shown = text[start:end].lower()
    example = Sentence(*sentence_around(text, start, end))
    return Phrase(shown, language, a, week.items[gram], b, round(g2, 1), example)
