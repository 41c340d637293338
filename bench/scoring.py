"""1. Scoring throughput: score_text with the shipped lexicon against a naive regex
scorer, the bare Aho-Corasick scan, flashtext and spaCy, on the same texts in one run.

Texts: MFA spokesperson transcripts, English and Chinese, as stored (whole documents).
Agreement with the naive scorer is checked on the same texts in the same run.
"""

from __future__ import annotations

import sys
from collections import Counter

from ingest.lexicon import Matcher, load_lexicon
from ingest.score import score_text

from . import baselines
from .common import LEXICON, Row, best_of, fmt_rate, fmt_ratio, mb, mfa, verdict

BENCH = "1 scoring"


def _texts(lang: str, quick: bool) -> list[str]:
    rows = mfa(lang)
    n = (40 if lang == "en" else 100) if quick else len(rows)
    return [r["text"] for r in rows[:n] if r.get("text")]


def run(quick: bool) -> list[Row]:
    lexicon = load_lexicon(LEXICON)
    matcher = Matcher(lexicon)
    naive = baselines.naive_forms(matcher)
    flash = baselines.flashtext_processor(matcher)
    repeats = 1 if quick else 3
    rows: list[Row] = []
    for lang, label, spacy_lang in (("en", "English", "en"), ("zh", "Chinese", "zh")):
        texts = _texts(lang, quick)
        language = "en" if lang == "en" else "zh-hans"
        size = mb(texts)
        nlp, phrase = baselines.spacy_matcher(matcher, spacy_lang)
        times = _engine_times(texts, language, matcher, naive, flash, (nlp, phrase), repeats)
        t_ours = times["ours"]
        where = f"{label}, {len(texts)} MFA docs, {size:.1f} MB"
        rows.append(Row(BENCH, f"{label}: score_text throughput ({where})",
                        f"{fmt_rate(size / t_ours, 'MB/s')}, {fmt_rate(len(texts) / t_ours, 'articles/s')}"))
        for name, text in (("naive", "naive regex (1 regex per form)"), ("flashtext", "flashtext KeywordProcessor"),
                           ("spacy", "spaCy PhraseMatcher (blank)"), ("raw", "raw Aho-Corasick scan")):
            rows.append(Row(BENCH, f"{label}: {text}", fmt_rate(size / times[name], "MB/s")))
        speedup = times["naive"] / t_ours
        rows.append(Row(BENCH, f"{label}: speed-up over naive", fmt_ratio(speedup), ">= 100x",
                        verdict(speedup >= 100)))
        of_raw = times["raw"] / t_ours
        rows.append(Row(BENCH, f"{label}: share of raw-scan ceiling", f"{of_raw:.0%}", ">= 50%",
                        verdict(of_raw >= 0.5)))
        for peer in ("flashtext", "spacy"):
            r = times[peer] / t_ours
            rows.append(Row(BENCH, f"{label}: speed vs {peer}", fmt_ratio(r), "> 1x", verdict(r > 1)))
        rows += _agreement(label, texts, language, matcher, naive, lexicon)
    return rows


def _engine_times(texts, language, matcher, naive, flash, spacy_pair, repeats) -> dict[str, float]:
    """Seconds for each engine over all `texts` (fastest of `repeats`)."""
    automaton = matcher.automaton
    nlp, phrase = spacy_pair
    lexicon = matcher.lexicon

    def ours() -> None:
        for t in texts:
            score_text(t, matcher, language)

    def raw() -> None:
        for t in texts:
            for _ in automaton.iter(t.lower()):
                pass

    def naive_run() -> None:
        for t in texts:
            baselines.naive_spans(t, naive, lexicon)

    def flashtext_run() -> None:
        for t in texts:
            flash.extract_keywords(t, span_info=True)

    def spacy_run() -> None:
        for t in texts:
            phrase(nlp.make_doc(t))

    for fn in (ours, raw, flashtext_run, spacy_run):  # one-time setup (caches, tables) is not throughput
        _warm(fn, texts)
    return {
        "ours": best_of(ours, repeats),
        "raw": best_of(raw, repeats),
        "naive": best_of(naive_run, 1),  # slow and steady; once is enough
        "flashtext": best_of(flashtext_run, repeats),
        "spacy": best_of(spacy_run, repeats),
    }


def _warm(fn, texts: list[str]) -> None:
    saved = texts[:]
    del texts[1:]
    try:
        fn()
    finally:
        texts[:] = saved


def _agreement(label, texts, language, matcher, naive, lexicon) -> list[Row]:
    """Per-document concept hit counts and (concept, start, end) sets, ours vs naive."""
    pairs = pairs_equal = docs_equal = spans_equal = 0
    examples: list[str] = []
    for i, t in enumerate(texts):
        ours = score_text(t, matcher, language)
        mine = Counter({cid: s.hits for cid, s in ours.scores.items()})
        spans = baselines.naive_spans(t, naive, lexicon)
        theirs = baselines.concept_counts(spans)
        keys = set(mine) | set(theirs)
        pairs += len(keys)
        pairs_equal += sum(mine[k] == theirs[k] for k in keys)
        docs_equal += mine == theirs
        spans_equal += {(m.concept, m.start, m.end) for m in ours.matches} == set(spans)
        if mine != theirs and len(examples) < 3:
            diff = {k: (mine[k], theirs[k]) for k in keys if mine[k] != theirs[k]}
            examples.append(f"doc {i}: {diff}")
    if examples:
        print(f"[scoring] {label} disagreements (ours, naive): " + "; ".join(examples), file=sys.stderr)
    return [
        Row(BENCH, f"{label}: agreement with naive, doc x concept hit counts",
            f"{_share(pairs_equal, pairs)} of {pairs} pairs", "100%", verdict(pairs_equal == pairs)),
        Row(BENCH, f"{label}: docs with identical concept counts / identical span sets",
            f"{_share(docs_equal, len(texts))} / {_share(spans_equal, len(texts))}"),
    ]


def _share(part: int, whole: int) -> str:
    """A percentage that never rounds a miss up to 100%."""
    if part == whole:
        return "100%"
    return f"{int(part * 10000 / whole) / 100:.2f}%"
