"""The compiled matcher: an Aho-Corasick automaton over every normalised key of the
lexicon's forms, each key carrying how it must be matched (FormInfo: word boundaries,
prefix, context anchor, case, short Chinese form).

Separate from the lexicon file's validation (`ingest.lexicon`): that runs once per edit,
this builds what scoring walks for every text, and its keys are cached on disk.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import astuple, dataclass

import ahocorasick

from . import buildcache
from .form_variants import variant_keys
from .inflect import declensions
from .lexicon import MATCH_FIELDS, Lexicon
from .textnorm import normalise_form

KIND_CONCEPT = 0


KIND_EXCLUDE = 1


KIND_ANCHOR = 2


@dataclass(frozen=True)
class FormInfo:
    kind: int
    concept: int  # index into Lexicon.concepts (-1 for anchors)
    length: int  # of the normalised key
    form: str  # as written in the lexicon
    prefix: bool  # "hegemon*": matches a word prefix
    check_left: bool  # form starts with a letter/digit: needs a word boundary
    check_right: bool
    needs_context: bool
    case_sensitive: bool  # context acronyms written with capitals ("SCO", "Quad")
    short_han: bool = False  # a Chinese form of three characters or fewer: must not straddle two words


class Matcher:
    """An Aho-Corasick automaton over every normalised form of the lexicon."""

    def __init__(self, lexicon: Lexicon):
        self.lexicon = lexicon
        self.concept_ids = {c.id for c in lexicon.concepts}
        self.weights = {c.id: c.weight for c in lexicon.concepts}
        self.automaton = ahocorasick.Automaton()
        keys, cue_keys = _cached_tables(lexicon)
        for key, fields in keys:
            self.automaton.add_word(key, FormInfo(*fields))
        self.automaton.make_automaton()
        self.cues = _compile_cues(cue_keys)
        # Chinese words for the segmenter that checks short forms (analysis/segment.py)
        self.han_words = sorted({k for k, _ in self.automaton.items() if k and all(_is_han(ch) for ch in k)})
        self.segmenter_ready = False


def _cached_tables(lexicon: Lexicon) -> tuple[list[tuple[str, tuple]], list[tuple[int, str, bool]]]:
    """The automaton's keys with their FormInfo fields, and the cue keys, from the build
    cache when this lexicon, these rules and these packages built them before (declining
    the Russian forms loads pymorphy3's dictionaries: about a second per process)."""
    content = repr((lexicon.concepts, lexicon.context_en, lexicon.context_zh, lexicon.context_ru))
    key = buildcache.fingerprint(
        content,
        buildcache.source_of(
            "lexicon", "matcher", "form_variants", "inflect", "textnorm", "textclasses", "textoffsets", "textfold"
        ),
        buildcache.package_versions("pymorphy3", "pymorphy3-dicts-ru", "opencc-python-reimplemented"),
    )
    # "matcher-tables", not the "matcher-keys" of before cues: a table without cue keys is never read
    keys, cues = buildcache.cached("matcher-tables", key, lambda: (_build_keys(lexicon), _cue_keys(lexicon)))
    return [(k, tuple(fields)) for k, fields in keys], [(ci, k, bool(p)) for ci, k, p in cues]


def _build_keys(lexicon: Lexicon) -> list[tuple[str, tuple]]:
    keys: dict[str, FormInfo] = {}
    entries = []
    for ci, c in enumerate(lexicon.concepts):
        for field_name in MATCH_FIELDS:
            for form in getattr(c, field_name):
                entries.append((form, KIND_CONCEPT, ci, field_name.endswith("_context")))
        for form in c.exclude:
            entries.append((form, KIND_EXCLUDE, ci, False))
    for form, kind, ci, needs_context in entries:
        _add(keys, form, normalise_form(form.rstrip("*")), kind, ci, needs_context)
    # Written forms first, so a declension or joined variant never takes over one.
    for form, kind, ci, needs_context in entries:
        for key in variant_keys(form):
            _add(keys, form, key, kind, ci, needs_context)
    for form in lexicon.context_en + lexicon.context_zh + lexicon.context_ru:
        for key in dict.fromkeys(normalise_form(f.rstrip("*")) for f in declensions(form)):
            _add(keys, form, key, KIND_ANCHOR, -1, needs_context=False)
    return [(key, astuple(info)) for key, info in keys.items()]


def _cue_keys(lexicon: Lexicon) -> list[tuple[int, str, bool]]:
    """(concept index, normalised cue, "*" prefix): cues fold and decline as forms do."""
    out = []
    for ci, c in enumerate(lexicon.concepts):
        for cue in c.en_cues + c.zh_cues + c.ru_cues:
            for key in dict.fromkeys(normalise_form(f.rstrip("*")) for f in declensions(cue)):
                out.append((ci, key, cue.endswith("*")))
    return out


@dataclass(frozen=True)
class CuePattern:
    """A concept's cues as one pattern over the normalised text (ingest/cues.py)."""

    pattern: re.Pattern[str]
    prefixes: dict[str, bool]  # matched key -> written with a trailing "*"
    longest: int


def _compile_cues(cue_keys: list[tuple[int, str, bool]]) -> dict[int, CuePattern]:
    grouped: dict[int, dict[str, bool]] = {}
    for ci, key, prefix in cue_keys:
        grouped.setdefault(ci, {}).setdefault(key, prefix)
    return {
        ci: CuePattern(re.compile("|".join(map(re.escape, sorted(ks, key=len, reverse=True)))), ks, max(map(len, ks)))
        for ci, ks in grouped.items()
    }


def _add(keys: dict[str, FormInfo], form: str, key: str, kind: int, concept: int, needs_context: bool) -> None:
    prefix = form.endswith("*")
    existing = keys.get(key)
    if existing is not None and (existing.kind == KIND_CONCEPT or kind != KIND_CONCEPT):
        return  # a concept form wins over an anchor or exclusion with the same text
    keys[key] = FormInfo(
        kind=kind,
        concept=concept,
        length=len(key),
        form=form,
        prefix=prefix,
        check_left=_is_word_char(key[0]),
        check_right=_is_word_char(key[-1]) and not prefix,
        needs_context=needs_context,
        case_sensitive=needs_context and any(ch.isupper() for ch in form),
        short_han=kind == KIND_CONCEPT and len(key) <= SHORT_HAN and all(_is_han(ch) for ch in key),
    )


SHORT_HAN = 3


def _is_han(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"


def _is_word_char(ch: str) -> bool:
    """Letters, digits and combining marks of alphabetic scripts ("İ" folds to "i" plus
    a combining dot, which must not open a word boundary); CJK has no word boundaries."""
    return ch < "\u2e80" and (ch.isalnum() or unicodedata.combining(ch) > 0)
