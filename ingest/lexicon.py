"""Lexicon file -> validated concepts (the compiled matcher is `ingest.matcher`).

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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
    # words that make a context form count when shortly before it (ingest/cues.py)
    en_cues: tuple[str, ...] = ()
    zh_cues: tuple[str, ...] = ()
    ru_cues: tuple[str, ...] = ()

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
    "en_cues": False,
    "zh_cues": False,
    "ru_cues": False,
}
_FORM_FIELDS = ("en", "zh", "ru", "en_context", "zh_context", "ru_context", "exclude")
MATCH_FIELDS = ("en", "zh", "ru", "en_context", "zh_context", "ru_context")
_CONTEXT_FIELDS = ("en_context", "zh_context", "ru_context")
_CUE_FIELDS = ("en_cues", "zh_cues", "ru_cues")


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
        forms = {name: _forms(entry, name, at) for name in _FORM_FIELDS + _CUE_FIELDS}
        if not any(forms[n] for n in MATCH_FIELDS):
            raise LexiconError(f"{at}: no surface forms (give at least one of {', '.join(MATCH_FIELDS)})")
        for name in _CUE_FIELDS:
            if forms[name] and not any(forms[n] for n in _CONTEXT_FIELDS):
                raise LexiconError(
                    f"{at}: '{name}' lists cues but the concept has no context forms: a cue only lets a "
                    f"context form ({', '.join(_CONTEXT_FIELDS)}) count, and its full forms always count"
                )
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
