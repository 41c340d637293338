"""The parsed form of a search (`Query`, a tree of terms, phrases, NEAR groups, field
filters and AND / OR / NOT) and the regular expressions its terms match.

Separate from the parser (`store/query_language.py`) because the SQL builder
(`store/search_sql.py`) and the dashboard's highlighting read the tree and its patterns,
never the text it was typed as.  Pure: no I/O, no SQL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

# Scripts written without spaces: a term in them is a substring, never a whole word.
_UNSPACED = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af\u3000-\u303f"
LETTER = rf"[^\W{_UNSPACED}]"  # a letter or digit of a spaced script
_UNSPACED_CHAR = re.compile(rf"[{_UNSPACED}]")


# ---- the tree ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """A word (`prefix` for word*) or a phrase of several words, in the title and text or the title only."""

    words: tuple[str, ...]
    prefix: bool = False
    field: str = "text"  # text (title or text) | title
    position: int = 0

    @cached_property
    def pattern(self) -> str:
        return term_pattern(self.words, self.prefix)


@dataclass(frozen=True)
class Near:
    """Every term within `distance` words of the next (in any order)."""

    terms: tuple[Term, ...]
    distance: int
    field: str = "text"
    position: int = 0

    @cached_property
    def pattern(self) -> str:
        return near_pattern(self.terms, self.distance)


@dataclass(frozen=True)
class Filter:
    """source:, group:, lang: or concept: with an id or name; `prefix` for value*."""

    field: str
    value: str
    prefix: bool = False
    position: int = 0


@dataclass(frozen=True)
class Not:
    child: Node


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...]


Node = Term | Near | Filter | Not | And | Or


@dataclass(frozen=True)
class Query:
    text: str
    root: Node | None

    @property
    def empty(self) -> bool:
        return self.root is None

    def highlight_patterns(self, field: str = "text") -> list[str]:
        """Regular expressions of the words the query looks for (not those under NOT), for
        marking them in a passage; `field` "title" adds the title-only terms."""
        found: list[str] = []

        def walk(node: Node | None, negated: bool) -> None:
            if isinstance(node, (Term, Near)) and not negated and node.field in ("text", field):
                found.extend(t.pattern for t in (node.terms if isinstance(node, Near) else (node,)))
            elif isinstance(node, Not):
                walk(node.child, not negated)
            elif isinstance(node, (And, Or)):
                for child in node.children:
                    walk(child, negated)

        walk(self.root, False)
        return list(dict.fromkeys(found))


# ---- regular expressions of terms ------------------------------------------------------------------


def _edge(char: str) -> bool:
    """Whether a word edge must fall beside `char` (a letter of a spaced script)."""
    return not _UNSPACED_CHAR.match(char)


def term_pattern(words: tuple[str, ...], prefix: bool = False) -> str:
    """A case-insensitive regex (Python re syntax, lookbehind allowed) for the words in order,
    separated by anything that is not a letter: "zero-sum" finds "zero sum" and "zero-sum"."""
    parts = []
    for i, word in enumerate(words):
        if i:
            between = r"\W*" if not (_edge(words[i - 1][-1]) and _edge(word[0])) else r"\W+"
            parts.append(between)
        parts.append(re.escape(word))
    head = f"(?<!{LETTER})" if _edge(words[0][0]) else ""
    tail = (
        (rf"{LETTER}*" if _edge(words[-1][-1]) else "") if prefix else (f"(?!{LETTER})" if _edge(words[-1][-1]) else "")
    )
    return f"(?i){head}{''.join(parts)}{tail}"


# One word of the gap between near terms: a Chinese character or a whole spaced word.
_GAP_WORD = rf"\W*(?:[{_UNSPACED}]|(?<!{LETTER}){LETTER}+(?!{LETTER}))"


def near_pattern(terms: tuple[Term, ...], distance: int) -> str:
    from itertools import permutations

    gap = rf"(?:{_GAP_WORD}){{0,{distance}}}?\W*"
    bodies = [t.pattern.removeprefix("(?i)") for t in terms]
    orders = ["(?:" + gap.join(order) + ")" for order in permutations(bodies)]
    return "(?i)(?:" + "|".join(orders) + ")"
