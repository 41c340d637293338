"""The keys a written lexicon form is also found under: Russian declensions, British and
American spellings, and multi-word keys with one space closed up.  Each is normalised as
texts are; the matcher (`ingest.matcher`) adds them after the written forms, so a variant
never takes over a form written in the lexicon.
"""

from __future__ import annotations

from .inflect import declensions
from .textnorm import normalise_form


def variant_keys(form: str) -> list[str]:
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
