"""text -> matches (spans into the original text) + per-concept scores.

Pure: no I/O, no store.  A lexicon change can therefore rescore the whole store
without refetching anything.  Rules, in order:

1. One leftmost-longest Aho-Corasick pass over the normalised text, so overlapping
   forms resolve to the longest and an exclusion ("亚信科技", "SCO Group") that
   covers a form swallows it.
2. Alphabetic forms need word boundaries ("sco" never fires in "disco");
   `form*` matches a word prefix ("hegemon*" -> "hegemonism").  Chinese forms
   match on characters, simplified or traditional.
3. Context forms (acronyms, generic-looking phrases) count only where the item
   also has a full form of the same concept, or where the paragraph around them
   shows at least `min_anchors` distinct signs of international-security context
   (ingest/context.py), or where a cue of the concept comes shortly before them in
   the same clause ("interfering in China's internal affairs", ingest/cues.py).
4. A match just after "so-called" / 所谓 / так называемый, or inside quotation marks
   that doubt rather than name, is distanced (ingest/distancing.py).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from analysis import segment

from .context import LocalContext
from .cues import cue_before, line_break_in
from .disambiguate import drop_bracketed_repeats, regional_shared_future
from .distancing import QUOTE_CHARS, Quotations, distance_of, so_called
from .language import detect_language
from .matcher import KIND_ANCHOR, KIND_EXCLUDE, FormInfo, Matcher, _is_han, _is_word_char
from .textclasses import count_words
from .textnorm import normalise


@dataclass(frozen=True)
class Match:
    concept: str
    start: int  # offsets into the original text
    end: int
    text: str  # exactly text[start:end]
    distanced: bool
    form: str  # the lexicon form that matched
    how: str | None = None  # "quoted" | "so-called" when distanced


@dataclass(frozen=True)
class ConceptScore:
    hits: int
    own: int
    distanced: int
    per_1k: float


@dataclass(frozen=True)
class ScoredText:
    language: str
    words: int
    matches: tuple[Match, ...]
    scores: dict[str, ConceptScore]
    score: float
    matching: bool


def find_matches(text: str, matcher: Matcher) -> list[Match]:
    norm = normalise(text)
    t = norm.text
    n = len(t)
    candidates: list[tuple[int, int, FormInfo]] = []
    anchor_hits: list[tuple[int, FormInfo]] = []
    for hit in matcher.automaton.iter_long(t):
        last, info = hit
        if info.kind == KIND_ANCHOR:
            # Most hits in English text are context anchors; they only matter when a
            # context form needs them, so they are checked lazily in _anchors().
            anchor_hits.append(hit)  # the scan's own (last, info) tuple
            continue
        start = last - info.length + 1
        end = last + 1
        if info.check_left and start > 0 and _is_word_char(t[start - 1]):
            continue
        if info.prefix:
            while end < n and _is_word_char(t[end]):
                end += 1
        elif info.check_right and end < n and _is_word_char(t[end]):
            continue
        if info.kind == KIND_EXCLUDE:
            continue
        if info.short_han and _straddles(t, start, end, matcher):
            continue  # 去风险 in 除去风险: the characters belong to two words
        candidates.append((start, end, info))
    if not candidates:
        return []
    out = _resolve(text, norm, candidates, anchor_hits, matcher)
    out = drop_bracketed_repeats(text, out)
    return regional_shared_future(text, out, matcher.concept_ids)


def _straddles(t: str, start: int, end: int, matcher: Matcher) -> bool:
    if not matcher.segmenter_ready:
        segment.add_words(matcher.han_words)
        matcher.segmenter_ready = True
    return segment.straddles(t, start, end)


def _resolve(text, norm, candidates, anchor_hits, matcher) -> list[Match]:
    concepts = matcher.lexicon.concepts
    full = {info.concept for _, _, info in candidates if not info.needs_context}
    local = None  # built on first need: most texts have no context form without its full form
    decoded = norm.decoded or text
    quotes = Quotations(decoded)  # scanned on first need
    out: list[Match] = []
    for start, end, info in candidates:
        if info.needs_context and info.concept not in full:
            local = local or _local_context(text, norm, candidates, anchor_hits, matcher)
            if info.case_sensitive:  # an acronym: judged in its paragraph
                if not local.ok(*norm.span_to_original(start, end)) and not _cued(text, norm, start, info, matcher):
                    continue
            elif (
                not local.item_ok()
                and not so_called(decoded, _trim(decoded, *norm.span_to_decoded(start, end))[0])
                and not _cued(text, norm, start, info, matcher)
            ):
                continue  # "so-called decoupling", 所谓“去风险”: the term is a discourse object
        # Boundaries, case and distancing are judged on the original with entities
        # decoded; the stored span is mapped on into the original itself.
        d_start, d_end = _trim(decoded, *norm.span_to_decoded(start, end))
        if (info.check_left or info.check_right or info.prefix) and _inside_a_word(decoded, d_start, d_end, info):
            continue  # a folded character ("¼" -> "1⁄4") hid a boundary the original lacks
        if info.case_sensitive and not _same_case(decoded[d_start:d_end], info.form):
            continue
        how = distance_of(decoded, d_start, d_end, quotes)
        o_start, o_end = norm.decoded_to_original(d_start, d_end)
        out.append(
            Match(concepts[info.concept].id, o_start, o_end, text[o_start:o_end], how is not None, info.form, how)
        )
    return out


def _cued(text: str, norm, start: int, info: FormInfo, matcher: Matcher) -> bool:
    """A cue of the concept shortly before the context form ("interfering in ... internal
    affairs", 干涉中国内政): only asked of a form that failed its context test."""
    cues = matcher.cues.get(info.concept)
    if cues is None:
        return False
    t = norm.text
    return cue_before(
        t,
        start,
        cues,
        han_form=_is_han(t[start]),
        line_break_between=lambda a, b: line_break_in(text[norm.to_original(a) : norm.to_original(b)]),
        straddles=lambda a, b: _straddles(t, a, b, matcher),
    )


def _local_context(text, norm, candidates, anchor_hits, matcher) -> LocalContext:
    full_spans = [(start, info.concept) for start, _, info in candidates if not info.needs_context]
    return LocalContext(text, norm, norm.text, anchor_hits, full_spans, matcher.lexicon.min_anchors)


def _inside_a_word(text: str, start: int, end: int, info: FormInfo) -> bool:
    if info.check_left and start > 0 and _is_word_char(text[start - 1]):
        return True
    return (info.check_right or info.prefix) and end < len(text) and _is_word_char(text[end])


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop whitespace and quote marks that a collapsed span may have pulled in."""
    while start < end and (text[start].isspace() or text[start] in QUOTE_CHARS):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in QUOTE_CHARS):
        end -= 1
    return start, end


def _same_case(surface: str, form: str) -> bool:
    # NFKC first: full-width capitals (ＳＣＯ) are capitals.
    s = " ".join(re.split(r"[\s\-\u2010-\u2015]+", unicodedata.normalize("NFKC", surface)))
    f = " ".join(re.split(r"[\s\-\u2010-\u2015]+", form.rstrip("*")))
    return s.startswith(f) or s.startswith(f.upper())


def score_text(
    text: str,
    matcher: Matcher,
    language: str | None = None,
    threshold: float = 1.0,
    distanced_weight: float = 0.5,
) -> ScoredText:
    language = language or detect_language(text)
    matches = find_matches(text, matcher)
    words = count_words(text, language)
    return ScoredText(
        language=language,
        words=words,
        matches=tuple(matches),
        **_aggregate(matches, matcher, words, threshold, distanced_weight),
    )


def _aggregate(matches, matcher, words, threshold, distanced_weight) -> dict:
    counts: dict[str, list[int]] = {}
    for m in matches:
        c = counts.get(m.concept)
        if c is None:  # not setdefault: it would build a list for every match
            c = counts[m.concept] = [0, 0]
        c[1 if m.distanced else 0] += 1
    weights = matcher.weights
    scores = {}
    total = 0.0
    for cid, (own, dist) in counts.items():
        hits = own + dist
        scores[cid] = ConceptScore(hits, own, dist, round(hits * 1000.0 / words, 3) if words else 0.0)
        total += weights[cid] * (own + distanced_weight * dist)
    return {"scores": scores, "score": round(total, 4), "matching": bool(matches) and total >= threshold}
