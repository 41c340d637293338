"""Which seed document an article is closest to, two ways, pure Python.

- Concept profile (the default, language-independent): cosine between the two texts'
  vectors of concept hits (1 + log hits per concept).  The lexicon matches each concept in
  English, Chinese and Russian, so a Chinese article and an English seed are compared on
  what they talk about, not on shared words.
- Word TF-IDF: English is split into lower-cased words (stop words dropped); Chinese into
  character bigrams.  It only means something between texts in the same language.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence

_WORD = re.compile(r"[a-z][a-z'-]+")
_HAN = re.compile(r"[\u4e00-\u9fff]+")
_STOP_TEXT = (
    "the a an and or of to in on for with by at from as is are was were be been it its this that "
    "these those we our us they their them he she his her i you your not no but also has have had "
    "will would can could which who whom what when where while all any more most other such than then "
    "there so into over under about between through during against should may might must do does did"
)
STOP_WORDS = frozenset(_STOP_TEXT.split())


def terms(text: str) -> list[str]:
    lowered = text.lower()
    words = [w for w in _WORD.findall(lowered) if w not in STOP_WORDS]
    bigrams = [run[i : i + 2] for run in _HAN.findall(text) for i in range(max(1, len(run) - 1))]
    return words + bigrams


def _weights(counts: Counter[str], idf: Mapping[str, float]) -> dict[str, float]:
    vec = {t: (1 + math.log(c)) * idf.get(t, 0.0) for t, c in counts.items()}
    norm = math.sqrt(sum(v * v for v in vec.values()))
    return {t: v / norm for t, v in vec.items()} if norm else {}


def closest_seeds(text: str, seeds: Sequence[tuple[object, str]]) -> list[tuple[object, float]]:
    """(seed key, cosine similarity) for every seed, most similar first.  The IDF is
    computed over the seeds plus the article (smoothed, so no term weighs zero)."""
    docs = [Counter(terms(body)) for _, body in seeds]
    query = Counter(terms(text))
    n = len(docs) + 1
    df: Counter[str] = Counter()
    for counts in [*docs, query]:
        df.update(counts.keys())
    idf = {t: math.log((1 + n) / (1 + d)) + 1 for t, d in df.items()}
    q = _weights(query, idf)
    out = []
    for (key, _), counts in zip(seeds, docs, strict=True):
        vec = _weights(counts, idf)
        score = sum(w * vec.get(t, 0.0) for t, w in q.items())
        out.append((key, round(score, 4)))
    return sorted(out, key=lambda kv: -kv[1])


CONCEPT_METHOD = "concept profile (cosine over concept hits; any language)"
WORD_METHOD = "word TF-IDF (cosine; same language only)"


def _profile(hits: Mapping[str, float]) -> dict[str, float]:
    vec = {c: 1 + math.log(h) for c, h in hits.items() if h and h > 0}
    norm = math.sqrt(sum(v * v for v in vec.values()))
    return {c: v / norm for c, v in vec.items()} if norm else {}


def concept_similarity(item_hits: Mapping[str, float], seeds: Sequence[tuple[object, Mapping[str, float]]]
                       ) -> list[tuple[object, float]]:
    """(seed key, cosine of concept-hit profiles) for every seed, most similar first; 0 when
    either text matches no concept."""
    q = _profile(item_hits)
    out = []
    for key, hits in seeds:
        vec = _profile(hits)
        out.append((key, round(sum(w * vec.get(c, 0.0) for c, w in q.items()), 4)))
    return sorted(out, key=lambda kv: -kv[1])
