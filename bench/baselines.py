"""What the real score path is measured against: a naive regex scorer, the bare
Aho-Corasick scan, flashtext and spaCy's PhraseMatcher.

The naive scorer is built to mean what `ingest.score` means on English and
simplified-Chinese text, so its output can be checked against ours:

* traditional Chinese characters folded to simplified (one for one, so offsets
  are unchanged), as the normaliser does;
* one compiled regex per normalised lexicon form, case-insensitive, `\\b` at
  alphabetic ends (none for Chinese), words separated by any run of spaces or
  hyphens/dashes, a trailing `\\w*` for `form*` prefixes; context acronyms written
  with capitals match only as written or upper-cased;
* overlapping candidates of all kinds (concept forms, exclusions, context
  anchors) resolve leftmost-longest, then exclusions and anchors are dropped;
* context forms count only with a full form of the same concept or
  `min_anchors` distinct anchors (the same rule as score.py).

It is "naive" in the scan: every form is a separate pass over the text.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from ingest.lexicon import KIND_ANCHOR, KIND_CONCEPT, KIND_EXCLUDE, Lexicon, Matcher

_SEP = r"[\s\-\u2010-\u2015]+"


@dataclass(frozen=True)
class NaiveForm:
    pattern: re.Pattern[str]
    kind: int
    concept: int
    form: str
    needs_context: bool


def _regex(key: str, prefix: bool, case_sensitive: bool, form: str) -> re.Pattern[str]:
    def body(k: str) -> str:
        return _SEP.join(re.escape(w).replace("'", "['\u2019]") for w in k.split(" "))

    alpha_left = key[0].isalnum() and key[0] < "\u2e80"
    alpha_right = key[-1].isalnum() and key[-1] < "\u2e80"
    if case_sensitive:
        written = " ".join(re.split(r"[\s\-\u2010-\u2015]+", form.rstrip("*").strip()))
        core = f"(?:{body(written)}|{body(written.upper())})"
        flags = 0
    else:
        core = body(key)
        flags = re.IGNORECASE
    left = r"\b" if alpha_left else ""
    right = r"\w*" if prefix else (r"\b" if alpha_right else "")
    return re.compile(left + core + right, flags)


def naive_forms(matcher: Matcher) -> list[NaiveForm]:
    out = []
    for key, info in matcher.automaton.items():
        out.append(
            NaiveForm(
                pattern=_regex(key, info.prefix, info.case_sensitive, info.form),
                kind=info.kind,
                concept=info.concept,
                form=info.form,
                needs_context=info.needs_context,
            )
        )
    return out


def naive_spans(text: str, forms: list[NaiveForm], lexicon: Lexicon) -> list[tuple[str, int, int]]:
    """(concept id, start, end) in the original text, by one regex pass per form."""
    text = text.translate(_simplified())  # one character for one: offsets stay those of the original
    candidates = []
    for f in forms:
        for m in f.pattern.finditer(text):
            candidates.append((m.start(), m.end(), f))
    if not candidates:
        return []
    candidates.sort(key=lambda c: (c[0], c[0] - c[1]))
    kept = []
    last_end = -1
    for start, end, f in candidates:
        if start >= last_end:
            kept.append((start, end, f))
            last_end = end
    anchors = {f.form for _, _, f in kept if f.kind == KIND_ANCHOR}
    concepts = [(s, e, f) for s, e, f in kept if f.kind == KIND_CONCEPT]
    full = {f.concept for _, _, f in concepts if not f.needs_context}
    context_ok = len(anchors) + len(full) >= lexicon.min_anchors
    ids = [c.id for c in lexicon.concepts]
    return [
        (ids[f.concept], s, e)
        for s, e, f in concepts
        if not f.needs_context or context_ok or f.concept in full
    ]


@lru_cache(maxsize=1)
def _simplified() -> dict[int, str]:
    """Traditional -> simplified single characters, the fold score.py applies ("共贏" is "共赢")."""
    from ingest.textnorm import _trad_to_simplified

    return _trad_to_simplified()


def concept_counts(spans: list[tuple[str, int, int]]) -> Counter[str]:
    return Counter(c for c, _, _ in spans)


assert KIND_EXCLUDE != KIND_CONCEPT  # exclusions take part in overlap resolution, then drop out


# ---- peers ------------------------------------------------------------------


def lexicon_keys(matcher: Matcher) -> list[str]:
    """Every normalised form of the compiled matcher (concepts, exclusions, anchors)."""
    return list(matcher.automaton.keys())


def flashtext_processor(matcher: Matcher):
    from flashtext import KeywordProcessor

    kp = KeywordProcessor(case_sensitive=False)
    for key, info in matcher.automaton.items():
        kp.add_keyword(key, str(info.concept))
    return kp


def spacy_matcher(matcher: Matcher, lang: str):
    import spacy
    from spacy.matcher import PhraseMatcher

    nlp = spacy.blank(lang)
    pm = PhraseMatcher(nlp.vocab, attr="LOWER")
    keys = lexicon_keys(matcher)
    pm.add("FORMS", list(nlp.tokenizer.pipe(keys)))
    return nlp, pm
