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
* context forms count only with a full form of the same concept; otherwise an
  acronym (a context form written with capitals) needs an institutional word right
  next to it ("SCO summit") or `min_anchors` distinct signs (context anchors, full
  forms of other concepts) in its paragraph, cut to `WINDOW` characters either side,
  and a generic phrase needs them anywhere in the item or a "so-called" before it
  (the rules of score.py and context.py); failing that, either counts when a cue of
  its concept ("interfer*" for "internal affairs") ends at most `ALPHA_GAP`
  characters before it (`HAN_GAP` for a Chinese form) with no . ; ! ? 。 or line
  break between (ingest/cues.py), a regex per cue searched before the form;
* a bracketed repeat right after a full form ("... Organization (SCO)") and a
  kremlin.ru glossary label are not mentions, and bare 命运共同体 after a pair or a
  region is the regional concept (the rule functions of ingest/disambiguate.py,
  applied to the naive matches).

It is "naive" in the scan: every form is a separate pass over the text.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from ingest.context import _INSTITUTIONAL_AFTER, _INSTITUTIONAL_BEFORE, WINDOW
from ingest.cues import ALPHA_GAP, HAN_GAP
from ingest.disambiguate import drop_bracketed_repeats, regional_shared_future
from ingest.distancing import so_called
from ingest.lexicon import Lexicon
from ingest.matcher import KIND_ANCHOR, KIND_CONCEPT, KIND_EXCLUDE, Matcher

_SEP = r"[\s\-\u2010-\u2015]+"
KIND_CUE = -1  # a context cue: never a candidate, only looked for before a context form
_CLAUSE_END = re.compile(r"[。｡；;！!？?.．\n\r\v\f\x85\u2028\u2029]")


@dataclass(frozen=True)
class NaiveForm:
    pattern: re.Pattern[str]
    kind: int
    concept: int
    form: str
    needs_context: bool
    case_sensitive: bool = False


@dataclass(frozen=True)
class NaiveMatch:
    concept: str
    start: int
    end: int
    form: str


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
                case_sensitive=info.case_sensitive,
            )
        )
    for ci, cues in matcher.cues.items():
        for key, prefix in cues.prefixes.items():
            out.append(NaiveForm(_regex(key, prefix, False, key), KIND_CUE, ci, key, needs_context=False))
    return out


def naive_spans(text: str, forms: list[NaiveForm], lexicon: Lexicon) -> list[tuple[str, int, int]]:
    """(concept id, start, end) in the original text, by one regex pass per form."""
    original = text
    text = text.translate(_simplified())  # one character for one: offsets stay those of the original
    candidates = []
    cues = [f for f in forms if f.kind == KIND_CUE]
    for f in forms:
        if f.kind == KIND_CUE:
            continue
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
    concepts = [(s, e, f) for s, e, f in kept if f.kind == KIND_CONCEPT]
    full = {f.concept for _, _, f in concepts if not f.needs_context}
    signs = sorted(
        [(s, f.form) for s, _, f in kept if f.kind == KIND_ANCHOR]
        + [(s, f"concept:{f.concept}") for s, _, f in concepts if not f.needs_context]
    )
    item_ok = len({key for _, key in signs}) >= lexicon.min_anchors
    ids = [c.id for c in lexicon.concepts]
    out = []
    for s, e, f in concepts:
        if f.needs_context and f.concept not in full:
            if f.case_sensitive:
                if not _acronym_in_context(original, s, e, signs, lexicon.min_anchors) and not _cued(text, s, f, cues):
                    continue
            elif not item_ok and not so_called(original, s) and not _cued(text, s, f, cues):
                continue
        out.append(NaiveMatch(ids[f.concept], s, e, f.form))
    out = regional_shared_future(original, drop_bracketed_repeats(original, out), set(ids))
    return [(m.concept, m.start, m.end) for m in out]


def _acronym_in_context(text: str, start: int, end: int, signs: list[tuple[int, str]], need: int) -> bool:
    """An institutional word next to it, or `need` distinct signs in its paragraph."""
    if _INSTITUTIONAL_AFTER.search(text[end : end + 40]) or _INSTITUTIONAL_BEFORE.search(
        text[max(0, start - 30) : start]
    ):
        return True
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    lo = max(line_start, start - WINDOW)
    hi = min(len(text) if line_end < 0 else line_end, end + WINDOW)
    return len({key for position, key in signs if lo <= position <= hi}) >= need


def _cued(text: str, start: int, form: NaiveForm, cues: list[NaiveForm]) -> bool:
    """A cue of the same concept ending shortly before the form, in the same clause."""
    gap = HAN_GAP if "\u3400" <= text[start] <= "\u9fff" else ALPHA_GAP
    for cue in cues:
        if cue.concept == form.concept:
            for m in cue.pattern.finditer(text, 0, start):
                if start - m.end() <= gap and not _CLAUSE_END.search(text, m.end(), start):
                    return True
    return False


@lru_cache(maxsize=1)
def _simplified() -> dict[int, str]:
    """Traditional -> simplified single characters, the fold score.py applies ("共贏" is "共赢")."""
    from ingest.textfold import _trad_to_simplified

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
