"""Russian inflection of lexicon forms, with pymorphy3 and its Russian dictionaries.

Russian declines what English writes once: "неделимость безопасности" is also
"неделимости безопасности", "неделимой безопасности" is the same concept as
"неделимая безопасность".  Analysts write a form once, in the nominative; at
lexicon load every case and number of it is generated, and the matcher looks for
all of them (an automaton key per form, so scoring does no morphology and offsets
still point into the original text).

A form is read as noun groups: adjectives or participles, their head noun, and
agreeing adjectives or participles right after it ("порядок, основанный на
правилах").  Groups joined by "и" decline together ("суверенитет и
территориальная целостность").  Everything after the first word that is neither
(a preposition, a noun in the genitive: "безопасности" in "архитектура
безопасности") is a complement and stays as written.  A form ending in "*" is
already a prefix and is not declined.
"""

from __future__ import annotations

import re
from functools import lru_cache

_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_TOKEN = re.compile(r"[\u0400-\u04ffA-Za-z]+|[^\u0400-\u04ffA-Za-z]+")
CASES = ("nomn", "gent", "datv", "accs", "ablt", "loct")
NUMBERS = ("sing", "plur")
_ADJECTIVAL = {"ADJF", "PRTF"}


def is_russian(form: str) -> bool:
    return bool(_CYRILLIC.search(form))


@lru_cache(maxsize=1)
def _analyzer():
    import pymorphy3  # a second or so to load its dictionaries: only when a lexicon has Russian

    return pymorphy3.MorphAnalyzer(lang="ru")


@lru_cache(maxsize=4096)
def declensions(form: str) -> tuple[str, ...]:
    """Every case and number of `form` (itself first), spelled as written (capitals kept)."""
    if form.endswith("*") or not is_russian(form):
        return (form,)
    tokens = _TOKEN.findall(form)
    plan = _plan(tokens)
    if not plan:
        return (form,)
    out = [form]
    for number in NUMBERS:
        for case in CASES:
            words = list(tokens)
            ok = True
            for index, parse, role, head in plan:
                word = _inflect(parse, role, case, number, head)
                if word is None:
                    ok = False
                    break
                words[index] = _same_capitals(word, tokens[index])
            variant = "".join(words)
            if ok and variant not in out:
                out.append(variant)
    return tuple(out)


def _plan(tokens: list[str]) -> list[tuple[int, object, str, object]]:
    """(token index, parse, role, its group's head) for each word that declines;
    role is "head" or "agree".  Capitalised abbreviations (НАТО, ООН) never decline."""
    morph = _analyzer()
    plan: list[list] = []
    group: list[list] = []  # the current noun group, to give its adjectives their head
    head = None
    for i, token in enumerate(tokens):
        if not token[0].isalpha():
            if token.strip() not in ("", ","):
                break  # a dash or bracket ends the declining part
            continue
        if token.lower() == "и":
            if head is not None:
                head, group = None, []  # a coordinated group follows
            continue  # between two adjectives of one group ("европейская и глобальная")
        if token.isupper() and len(token) > 1:
            break
        parses = morph.parse(token)
        noun = _nominative(parses, {"NOUN"})
        adjective = _nominative(parses, _ADJECTIVAL)
        if adjective is not None and (head is None or _agrees(adjective, head)):
            entry = [i, adjective, "agree", head]
            plan.append(entry)
            group.append(entry)
        elif noun is not None and head is None and "Fixd" not in noun.tag:
            head = noun
            plan.append([i, noun, "head", noun])
            for entry in group:
                entry[3] = noun
            group = []
        else:
            break
    if not any(role == "head" for _, _, role, _ in plan):
        return []
    return [tuple(entry) for entry in plan]  # type: ignore[misc]


def _nominative(parses, pos: set[str]):
    for p in parses:
        if p.tag.POS in pos and p.tag.case == "nomn":
            return p
    return None


def _agrees(adjective, head) -> bool:
    if head.tag.number == "plur" or adjective.tag.number == "plur":
        return adjective.tag.number == head.tag.number
    return adjective.tag.gender == head.tag.gender


def _inflect(parse, role: str, case: str, number: str, head) -> str | None:
    if role == "head" or parse.tag.POS == "NOUN":
        if "Pltm" in parse.tag and number == "sing":
            number = "plur"
        found = parse.inflect({case, number})
        return found.word if found else None
    grammemes = {case, number}
    if number == "sing":
        gender = head.tag.gender if head is not None else parse.tag.gender
        if gender:
            grammemes.add(gender)
    found = parse.inflect(grammemes | {"inan"}) if case == "accs" else None
    found = found or parse.inflect(grammemes)
    return found.word if found else None


def _same_capitals(word: str, written: str) -> str:
    if written.isupper() and len(written) > 1:
        return word.upper()
    if written[:1].isupper():
        return word[:1].upper() + word[1:]
    return word
