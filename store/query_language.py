"""The search language of the Articles page and of saved watches: text -> Query.

Pure (no I/O, no SQL).  Grammar, loosest binding first:

    query   := or ( OR or )*
    or      := unary ( [AND] unary )*          two terms side by side mean AND
    unary   := NOT unary | -unary | primary
    primary := ( query ) | NEAR(term term..., N) | field:value | "a phrase"[~N] | word | word*

Fields: title: (words and phrases in the title only), source:, group:, lang:, concept:.
A word matches whole words in English and Russian (``secur*`` for every ending) and
any run of Chinese characters as it stands, since Chinese has no spaces between words.
A mistake raises QuerySyntaxError with the 0-based position it points at.  The tree it
builds, and the patterns its terms match, are `store/query_tree.py`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .query_tree import And, Filter, Near, Node, Not, Or, Query, Term, _edge

MAX_QUERY_CHARS = 1000
MAX_LEAVES = 32
MAX_DEPTH = 16
MAX_DISTANCE = 50
MAX_NEAR_TERMS = 4
FIELDS = ("title", "source", "group", "lang", "concept")
OPERATORS = ("AND", "OR", "NOT")
QUOTES = {'"': '"', "\u201c": "\u201d", "\u201d": "\u201d", "\u201e": "\u201c", "\u300c": "\u300d"}

_WORD_PIECE = re.compile(r"\w+")
_DISTANCE = re.compile(r"~(\d+)")


class SearchError(ValueError):
    """A search the store could not run; the message is for the analyst."""


class QuerySyntaxError(SearchError):
    """A typed query that does not parse; `position` is the 0-based character it points at."""

    def __init__(self, message: str, position: int, text: str = ""):
        self.message, self.position, self.text = message, max(0, position), text
        super().__init__(f"{message} (at character {self.position + 1})")

    def pointer(self) -> str:
        """The query on one line and a caret under the offending character on the next."""
        line = " ".join(self.text.splitlines())[:200]
        return f"{line}\n{' ' * min(self.position, len(line))}^"


# ---- tokens -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Token:
    kind: str  # word | phrase | ( | ) | , | end
    text: str
    position: int
    distance: int | None = None  # a phrase's ~N


def _tokens(text: str) -> list[_Token]:
    out: list[_Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace() or ch == "\x00":
            i += 1
        elif ch in "(),（），":
            out.append(_Token({"（": "(", "）": ")", "，": ","}.get(ch, ch), ch, i))
            i += 1
        elif ch in QUOTES:
            close = text.find(QUOTES[ch], i + 1)
            if close < 0 and ch != '"':
                close = text.find('"', i + 1)
            if close < 0:
                raise QuerySyntaxError("This quote is never closed: add the closing quote", i, text)
            distance = _DISTANCE.match(text, close + 1)
            out.append(_Token("phrase", text[i + 1 : close], i, int(distance.group(1)) if distance else None))
            i = distance.end() if distance else close + 1
        else:
            start = i
            while i < n and not (text[i].isspace() or text[i] in "(),（），\x00" or text[i] in QUOTES):
                i += 1
            out.append(_Token("word", text[start:i], start))
    out.append(_Token("end", "", n))
    return out


# ---- the parser ------------------------------------------------------------------------------------


def parse_query(text: str) -> Query:
    """The typed query as a tree; raises QuerySyntaxError (a SearchError) pointing at the mistake."""
    text = text.encode("utf-8", "replace").decode("utf-8")  # a lone surrogate cannot be searched for
    if len(text) > MAX_QUERY_CHARS:
        raise QuerySyntaxError(
            f"The query is longer than {MAX_QUERY_CHARS} characters: shorten it", MAX_QUERY_CHARS, text
        )
    parser = _Parser(text, _tokens(text))
    root = parser.parse()
    return Query(text, root)


class _Parser:
    def __init__(self, text: str, tokens: list[_Token]):
        self.text, self.tokens, self.at, self.leaves, self.depth = text, tokens, 0, 0, 0

    def error(self, message: str, token: _Token) -> QuerySyntaxError:
        return QuerySyntaxError(message, token.position, self.text)

    @property
    def peek(self) -> _Token:
        return self.tokens[self.at]

    def take(self) -> _Token:
        token = self.tokens[self.at]
        self.at += 1
        return token

    def is_op(self, word: str) -> bool:
        return self.peek.kind == "word" and self.peek.text == word

    def parse(self) -> Node | None:
        self.skip_commas()
        if self.peek.kind == "end":
            return None
        node = self.parse_or()
        if self.peek.kind == ")":
            raise self.error("This closing parenthesis has no opening one", self.peek)
        return node

    def skip_commas(self) -> None:
        while self.peek.kind == ",":
            self.take()

    def parse_or(self) -> Node:
        children = [self.parse_and()]
        while self.is_op("OR"):
            operator = self.take()
            if self.peek.kind in ("end", ")"):
                raise self.error("OR needs a term after it", operator)
            children.append(self.parse_and())
        return children[0] if len(children) == 1 else Or(tuple(children))

    def parse_and(self) -> Node:
        children = [self.parse_unary()]
        while True:
            self.skip_commas()
            if self.peek.kind in ("end", ")") or self.is_op("OR"):
                break
            if self.is_op("AND"):
                operator = self.take()
                self.skip_commas()
                if self.peek.kind in ("end", ")") or self.is_op("OR"):
                    raise self.error("AND needs a term after it", operator)
            children.append(self.parse_unary())
        return children[0] if len(children) == 1 else And(tuple(children))

    def parse_unary(self) -> Node:
        token = self.peek
        if self.is_op("NOT") or (token.kind == "word" and token.text == "-"):
            self.take()
            if self.peek.kind in ("end", ")") or self.is_op("OR") or self.is_op("AND"):
                raise self.error(f"{token.text} needs a term after it", token)
            return Not(self.parse_unary())
        if token.kind == "word" and token.text.startswith("-") and len(token.text) > 1:
            self.tokens[self.at] = _Token("word", token.text[1:], token.position + 1)
            return Not(self.parse_unary())
        return self.parse_primary()

    def parse_primary(self) -> Node:
        token = self.peek
        if token.kind == "(":
            return self.parse_group()
        if token.kind == ")":
            raise self.error("This closing parenthesis has no opening one", token)
        if token.kind == "end":
            raise self.error("The query ends where a term was expected", token)
        if token.kind == "word" and token.text in ("AND", "OR"):
            raise self.error(f"{token.text} needs a term before it", token)
        if token.kind == "word" and token.text.upper() == "NEAR" and self.tokens[self.at + 1].kind == "(":
            return self.parse_near()
        self.take()
        if token.kind == "phrase":
            return self.phrase(token, "text")
        return self.word(token)

    def parse_group(self) -> Node:
        opening = self.take()
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error(f"Parentheses nest deeper than {MAX_DEPTH} levels", opening)
        self.skip_commas()
        if self.peek.kind == ")":
            raise self.error("These parentheses are empty: put a term inside", opening)
        if self.peek.kind == "end":
            raise self.error("This parenthesis is never closed: add )", opening)
        node = self.parse_or()
        if self.peek.kind != ")":
            raise self.error("This parenthesis is never closed: add )", opening)
        self.take()
        self.depth -= 1
        return node

    def parse_near(self) -> Node:
        near = self.take()
        self.take()  # (
        terms: list[Term] = []
        while self.peek.kind in ("word", "phrase") and not _is_number(self.peek.text):
            token = self.take()
            term = self.phrase(token, "text") if token.kind == "phrase" else self.word(token)
            if not isinstance(term, Term) or term.field != "text":
                raise self.error("NEAR takes plain words or phrases, no fields or operators", token)
            terms.append(term)
        self.skip_commas()
        if len(terms) < 2 or len(terms) > MAX_NEAR_TERMS:
            raise self.error(f"NEAR needs 2 to {MAX_NEAR_TERMS} words, as in NEAR(security concept, 5)", near)
        token = self.take()
        if token.kind != "word" or not _is_number(token.text):
            raise self.error("NEAR needs a distance in words after a comma, as in NEAR(a b, 10)", token)
        if self.peek.kind != ")":
            raise self.error("NEAR( is never closed: add )", near)
        self.take()
        return Near(tuple(terms), self.distance(int(token.text), token), "text", near.position)

    def distance(self, value: int, token: _Token) -> int:
        if value > MAX_DISTANCE:
            raise self.error(f"A distance of at most {MAX_DISTANCE} words, please", token)
        return value

    def leaf(self, token: _Token) -> None:
        self.leaves += 1
        if self.leaves > MAX_LEAVES:
            raise self.error(f"The query has more than {MAX_LEAVES} terms: split it", token)

    def phrase(self, token: _Token, field: str, offset: int = 0) -> Node:
        words = tuple(_WORD_PIECE.findall(token.text))
        if not words:
            raise self.error("This phrase has no letters or digits to look for", token)
        self.leaf(token)
        if token.distance is not None:
            if len(words) < 2:
                raise self.error('~N needs a phrase of two or more words, as in "security concept"~5', token)
            terms = tuple(Term((w,), False, field, token.position) for w in words[:MAX_NEAR_TERMS])
            if len(words) > MAX_NEAR_TERMS:
                raise self.error(f"~N takes at most {MAX_NEAR_TERMS} words", token)
            return Near(terms, self.distance(token.distance, token), field, token.position)
        return Term(words, False, field, token.position + offset)

    def word(self, token: _Token) -> Node:
        text = token.text
        name, colon, value = text.partition(":")
        if colon and name.lower() in FIELDS:
            return self.field(token, name.lower(), value)
        prefix = text.endswith("*")
        core = text.rstrip("*") if prefix else text
        if "*" in core:
            raise self.error("* goes at the end of a word, as in secur*", _shift(token, core.index("*")))
        words = tuple(_WORD_PIECE.findall(core))
        if not words:
            raise self.error(f"“{text[:20]}” has no letters or digits to look for", token)
        if prefix and len(words[-1]) < 2 and _edge(words[-1][-1]):
            raise self.error("Give at least two letters before *", token)
        self.leaf(token)
        return Term(words, prefix, "text", token.position)

    def field(self, token: _Token, name: str, value: str) -> Node:
        at = _shift(token, len(name) + 1)
        if not value:
            following = self.peek
            if following.kind == "phrase" and following.position == at.position:
                self.take()
                if name == "title":
                    return self.phrase(following, "title")
                self.leaf(following)
                return Filter(name, " ".join(following.text.split()), False, token.position)
            raise self.error(f"{name}: needs a value right after the colon, as in {name}:{_EXAMPLE[name]}", at)
        if name == "title":
            node = self.word(at)
            if not isinstance(node, Term):
                raise self.error("title: takes a word or a phrase", at)
            return Term(node.words, node.prefix, "title", token.position)
        prefix = value.endswith("*")
        value = value.rstrip("*")
        if not value or "*" in value:
            raise self.error("* goes at the end of a value, as in source:xin*", at)
        self.leaf(token)
        return Filter(name, value, prefix, token.position)


_EXAMPLE = {
    "title": "security",
    "source": "xinhua",
    "group": "cn-official",
    "lang": "zh",
    "concept": "cold_war_mentality",
}


def _shift(token: _Token, by: int) -> _Token:
    return _Token(token.kind, token.text[by:], token.position + by)


def _is_number(text: str) -> bool:
    return text.isascii() and text.isdigit()
