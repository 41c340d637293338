"""Lexicon file -> validated concepts -> compiled matcher.

The lexicon (`data/lexicon.toml`) is edited by analysts, so loading is strict:
unknown fields, empty or duplicate forms, duplicate ids, unknown families and
forms that normalise to nothing are refused with the file, the concept and the
field named.  See README "The lexicon" for the format.
"""

from __future__ import annotations

import hashlib
import math
import re
import tomllib
import unicodedata
from dataclasses import astuple, dataclass
from pathlib import Path
from typing import Any

import ahocorasick

from . import buildcache
from .inflect import declensions
from .textnorm import normalise_form


class LexiconError(ValueError):
    """A lexicon that cannot be used, with a message naming file, concept and field."""


@dataclass(frozen=True)
class Family:
    id: str
    label: str
    colour: str
    description: str = ""


@dataclass(frozen=True)
class Concept:
    id: str
    label: str
    family: str
    definition: str
    seed: str | None
    weight: float
    en: tuple[str, ...]
    zh: tuple[str, ...]
    en_context: tuple[str, ...]  # count only where the item shows security context
    zh_context: tuple[str, ...]
    exclude: tuple[str, ...]  # longer terms inside which this concept's forms must not fire
    ru: tuple[str, ...] = ()  # written in the nominative; every case and number matches
    ru_context: tuple[str, ...] = ()

    @property
    def forms(self) -> tuple[str, ...]:
        return self.en + self.zh + self.ru + self.en_context + self.zh_context + self.ru_context


@dataclass(frozen=True)
class Lexicon:
    families: tuple[Family, ...]
    concepts: tuple[Concept, ...]
    context_en: tuple[str, ...]
    context_zh: tuple[str, ...]
    min_anchors: int
    content_hash: str
    path: Path | None = None
    context_ru: tuple[str, ...] = ()

    def concept(self, concept_id: str) -> Concept:
        for c in self.concepts:
            if c.id == concept_id:
                return c
        raise KeyError(concept_id)

    def family(self, family_id: str) -> Family:
        for f in self.families:
            if f.id == family_id:
                return f
        raise KeyError(family_id)


_TOP_KEYS = {"version", "context", "families", "concepts"}
_FAMILY_KEYS = {"id": True, "label": True, "colour": True, "description": False}
_CONCEPT_KEYS = {
    "id": True,
    "label": True,
    "family": True,
    "definition": True,
    "seed": False,
    "weight": False,
    "en": False,
    "zh": False,
    "en_context": False,
    "zh_context": False,
    "ru": False,
    "ru_context": False,
    "exclude": False,
}
_FORM_FIELDS = ("en", "zh", "ru", "en_context", "zh_context", "ru_context", "exclude")
_MATCH_FIELDS = ("en", "zh", "ru", "en_context", "zh_context", "ru_context")


def load_lexicon(path: str | Path) -> Lexicon:
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise LexiconError(f"{path}: lexicon file not found") from None
    except IsADirectoryError:
        raise LexiconError(f"{path}: is a folder, not a lexicon file") from None
    except OSError as exc:
        raise LexiconError(f"{path}: cannot read the lexicon file: {exc.strerror or exc}") from None
    try:
        raw = tomllib.loads(data.decode("utf-8").removeprefix("\ufeff"))  # a BOM from a Windows editor is fine
    except UnicodeDecodeError as exc:
        raise LexiconError(f"{path}: not UTF-8 text: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise LexiconError(f"{path}: not valid TOML: {exc}") from None
    except (RecursionError, MemoryError):
        raise LexiconError(f"{path}: arrays or tables nested too deeply to read") from None
    return parse_lexicon(raw, str(path), hashlib.sha256(data).hexdigest()[:16], path)


def parse_lexicon(raw: dict[str, Any], where: str, content_hash: str, path: Path | None = None) -> Lexicon:
    if not isinstance(raw, dict):
        raise LexiconError(f"{where}: the lexicon must be a table, got {type(raw).__name__}")
    for key in raw:
        if key not in _TOP_KEYS:
            raise LexiconError(f"{where}: unknown top-level key '{key}' (expected {sorted(_TOP_KEYS)})")
    families = _parse_families(raw.get("families"), where)
    family_ids = {f.id for f in families}
    concepts = _parse_concepts(raw.get("concepts"), where, family_ids)
    context = raw.get("context", {})
    if not isinstance(context, dict):
        raise LexiconError(f"{where}: [context] must be a table")
    for key in context:
        if key not in ("en", "zh", "ru", "min_anchors"):
            raise LexiconError(f"{where}: unknown key 'context.{key}' (expected en, zh, ru, min_anchors)")
    min_anchors = context.get("min_anchors", 2)
    if not isinstance(min_anchors, int) or isinstance(min_anchors, bool) or min_anchors < 1:
        raise LexiconError(f"{where}: 'context.min_anchors' must be a positive integer, got {min_anchors!r}")
    lex = Lexicon(
        families=families,
        concepts=concepts,
        context_en=_forms(context, "en", f"{where}: [context]"),
        context_zh=_forms(context, "zh", f"{where}: [context]"),
        min_anchors=min_anchors,
        content_hash=content_hash,
        path=path,
        context_ru=_forms(context, "ru", f"{where}: [context]"),
    )
    _check_form_clashes(lex, where)
    return lex


def _check_keys(entry: Any, spec: dict[str, bool], where: str) -> None:
    if not isinstance(entry, dict):
        raise LexiconError(f"{where}: must be a table")
    if isinstance(entry.get("id"), str):
        where = f"{where} (id '{entry['id']}')"
    for key in entry:
        if key not in spec:
            raise LexiconError(f"{where}: unknown field '{key}' (expected {sorted(spec)})")
    for key, required in spec.items():
        if required and key not in entry:
            raise LexiconError(f"{where}: missing required field '{key}'")
        if required and (not isinstance(entry[key], str) or not entry[key].strip()):
            raise LexiconError(f"{where}: '{key}' must be a non-empty string")


def _parse_families(entries: Any, where: str) -> tuple[Family, ...]:
    if not isinstance(entries, list) or not entries:
        raise LexiconError(f"{where}: [[families]] must list at least one family")
    out: list[Family] = []
    for i, entry in enumerate(entries):
        at = f"{where}: families[{i}]"
        _check_keys(entry, _FAMILY_KEYS, at)
        if any(f.id == entry["id"] for f in out):
            raise LexiconError(f"{at}: duplicate family id '{entry['id']}'")
        out.append(Family(entry["id"], entry["label"], entry["colour"], str(entry.get("description", ""))))
    return tuple(out)


def _parse_concepts(entries: Any, where: str, family_ids: set[str]) -> tuple[Concept, ...]:
    if not isinstance(entries, list) or not entries:
        raise LexiconError(f"{where}: [[concepts]] must list at least one concept")
    out: list[Concept] = []
    for i, entry in enumerate(entries):
        at = f"{where}: concepts[{i}]"
        _check_keys(entry, _CONCEPT_KEYS, at)
        at = f"{at} (id '{entry['id']}')"
        if any(c.id == entry["id"] for c in out):
            raise LexiconError(f"{at}: duplicate concept id '{entry['id']}'")
        if entry["family"] not in family_ids:
            raise LexiconError(f"{at}: unknown family '{entry['family']}' (known: {sorted(family_ids)})")
        weight = entry.get("weight", 1.0)
        if isinstance(weight, bool) or not isinstance(weight, (int, float)) or not math.isfinite(weight) or weight <= 0:
            raise LexiconError(f"{at}: 'weight' must be a positive number, got {weight!r}")
        forms = {name: _forms(entry, name, at) for name in _FORM_FIELDS}
        if not any(forms[n] for n in _MATCH_FIELDS):
            raise LexiconError(f"{at}: no surface forms (give at least one of {', '.join(_MATCH_FIELDS)})")
        seed = entry.get("seed")
        if seed is not None and not isinstance(seed, str):
            raise LexiconError(f"{at}: 'seed' must be a string")
        out.append(
            Concept(
                id=entry["id"],
                label=entry["label"],
                family=entry["family"],
                definition=entry["definition"],
                seed=seed,
                weight=float(weight),
                **forms,
            )
        )
    return tuple(out)


def _forms(entry: dict[str, Any], name: str, where: str) -> tuple[str, ...]:
    value = entry.get(name, [])
    if not isinstance(value, list):
        raise LexiconError(f"{where}: '{name}' must be a list of strings")
    seen: set[str] = set()
    for form in value:
        if not isinstance(form, str):
            raise LexiconError(f"{where}: '{name}' has a non-string form {form!r}")
        norm = normalise_form(form.rstrip("*"))
        if not norm.strip(" \"'*"):
            raise LexiconError(f"{where}: '{name}' has a form that matches the empty string: {form!r}")
        _check_literal(form, name, where)
        if norm in seen:
            raise LexiconError(f"{where}: '{name}' lists the form {form!r} twice")
        seen.add(norm)
    return tuple(value)


# Signs that a form was written as a regular expression.  Forms are literal text.
_REGEX_SIGNS = re.compile(r"\\|\.[*+?]|\[[^\]]*\]|\(\?|\||^\^|\$$|\{\d+(,\d*)?\}|\*(?!$)|[+?]$")


def _check_literal(form: str, name: str, where: str) -> None:
    literal = "forms are literal text, not regular expressions; the only wildcard is a trailing * for a word prefix"
    if not any(ch.isalpha() for ch in form):
        raise LexiconError(
            f"{where}: '{name}' has the form {form!r} with no letter or Han character: it would match punctuation "
            f"anywhere ({literal})"
        )
    if _REGEX_SIGNS.search(form.strip()):
        raise LexiconError(
            f"{where}: '{name}' has the form {form!r}, which looks like a regular expression ({literal})"
        )


def _check_form_clashes(lex: Lexicon, where: str) -> None:
    owner: dict[str, str] = {}
    for c in lex.concepts:
        for form in c.forms:
            key = normalise_form(form.rstrip("*"))
            if key in owner and owner[key] != c.id:
                raise LexiconError(f"{where}: form {form!r} of concept '{c.id}' is also a form of '{owner[key]}'")
            owner[key] = c.id


# ---- compiled matcher -------------------------------------------------------

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
        for key, fields in _cached_keys(lexicon):
            self.automaton.add_word(key, FormInfo(*fields))
        self.automaton.make_automaton()
        # Chinese words for the segmenter that checks short forms (analysis/segment.py)
        self.han_words = sorted({k for k, _ in self.automaton.items() if k and all(_is_han(ch) for ch in k)})
        self.segmenter_ready = False


def _cached_keys(lexicon: Lexicon) -> list[tuple[str, tuple]]:
    """The automaton's keys and their FormInfo fields, from the build cache when this
    lexicon, these rules and these packages built them before (declining the Russian
    forms loads pymorphy3's dictionaries: about a second per process)."""
    content = repr((lexicon.concepts, lexicon.context_en, lexicon.context_zh, lexicon.context_ru))
    key = buildcache.fingerprint(
        content,
        buildcache.source_of("lexicon", "inflect", "textnorm", "textclasses", "textoffsets", "textfold"),
        buildcache.package_versions("pymorphy3", "pymorphy3-dicts-ru", "opencc-python-reimplemented"),
    )
    return [(k, tuple(fields)) for k, fields in buildcache.cached("matcher-keys", key, lambda: _build_keys(lexicon))]


def _build_keys(lexicon: Lexicon) -> list[tuple[str, tuple]]:
    keys: dict[str, FormInfo] = {}
    entries = []
    for ci, c in enumerate(lexicon.concepts):
        for field_name in _MATCH_FIELDS:
            for form in getattr(c, field_name):
                entries.append((form, KIND_CONCEPT, ci, field_name.endswith("_context")))
        for form in c.exclude:
            entries.append((form, KIND_EXCLUDE, ci, False))
    for form, kind, ci, needs_context in entries:
        _add(keys, form, normalise_form(form.rstrip("*")), kind, ci, needs_context)
    # Written forms first, so a declension or joined variant never takes over one.
    for form, kind, ci, needs_context in entries:
        for key in _variants(form):
            _add(keys, form, key, kind, ci, needs_context)
    for form in lexicon.context_en + lexicon.context_zh + lexicon.context_ru:
        for key in dict.fromkeys(normalise_form(f.rstrip("*")) for f in declensions(form)):
            _add(keys, form, key, KIND_ANCHOR, -1, needs_context=False)
    return [(key, astuple(info)) for key, info in keys.items()]


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


def _variants(form: str) -> list[str]:
    """Normalised keys besides the written form: Russian declensions, and each
    multi-word key with one space closed up."""
    keys = [normalise_form(f.rstrip("*")) for f in declensions(form)]
    out = keys[1:]
    for key in keys[:1]:
        spellings = spelling_variants(key)
        out += spellings
        for variant in [key, *spellings]:
            out += joined_variants(variant)
    return out


# British and American spellings, and the hyphenated "co-operation" (hyphens are
# spaces after normalisation).  Each pair is tried both ways, word by word.
_SPELLINGS = (
    ("cooperation", "co operation"),
    ("cooperative", "co operative"),
    ("coexistence", "co existence"),
    ("neighborhood", "neighbourhood"),
    ("neighbor", "neighbour"),
    ("dialogue", "dialog"),
    ("dialogues", "dialogs"),
    ("defense", "defence"),
    ("center", "centre"),
    ("favor", "favour"),
    ("labor", "labour"),
    ("organization", "organisation"),
    ("civilization", "civilisation"),
    ("civilizations", "civilisations"),
    ("globalization", "globalisation"),
    ("multipolarization", "multipolarisation"),
    ("militarization", "militarisation"),
    ("modernization", "modernisation"),
    ("normalization", "normalisation"),
    ("stabilization", "stabilisation"),
    ("democratization", "democratisation"),
)
_SPELLING_OF = {a: b for a, b in _SPELLINGS} | {b: a for a, b in _SPELLINGS}


def spelling_variants(key: str) -> list[str]:
    """`key` with every British/American variant swapped (all at once, then each alone)."""
    if not key.isascii():
        return []
    out: list[str] = []
    for one in _SPELLING_OF:
        if one in key and (" " in one or one in key.split()):
            padded = f" {key} "
            swapped = padded.replace(f" {one} ", f" {_SPELLING_OF[one]} ").strip()
            if swapped != key and swapped not in out:
                out.append(swapped)
    if len(out) > 1:
        combined = f" {key} "
        for a, b in _SPELLINGS:
            if f" {a} " in combined:
                combined = combined.replace(f" {a} ", f" {b} ")
            elif f" {b} " in combined:
                combined = combined.replace(f" {b} ", f" {a} ")
        combined = combined.strip()
        if combined != key and combined not in out:
            out.append(combined)
    return out


def joined_variants(key: str) -> list[str]:
    """The normalised form with one inter-word space closed up, for each such space.

    Rejoining a hyphenated line break cannot tell "men-\ntality" (a word split by the
    typesetter) from "zero-\nsum" (a compound broken at its own hyphen) without a
    dictionary; it rejoins both, and these variants let "zerosum" still be found."""
    out = []
    for i, ch in enumerate(key):
        if ch == " " and 0 < i < len(key) - 1 and key[i - 1].isalpha() and key[i + 1].isalpha():
            out.append(key[:i] + key[i + 1 :])
    return out


SHORT_HAN = 3


def _is_han(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"


def _is_word_char(ch: str) -> bool:
    """Letters, digits and combining marks of alphabetic scripts ("İ" folds to "i" plus
    a combining dot, which must not open a word boundary); CJK has no word boundaries."""
    return ch < "\u2e80" and (ch.isalnum() or unicodedata.combining(ch) > 0)
