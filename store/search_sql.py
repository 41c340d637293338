"""A parsed search query (store.query_language) as one parameterised SQL condition.

Every typed value travels as a parameter; the SQL text is built only from the fixed
fragments below.  A word or phrase is checked exactly with `regexp_like(column,
pattern)` (the PostgreSQL 15 function; the SQLite reader registers a Python one of
that name), and first narrowed with the full-text index wherever it has a piece of
three or more characters, so the exact check only reads candidate rows.  The only
dialect-specific part is `fts_candidates` (SQLite FTS5 with the trigram tokenizer).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from .query_tree import _UNSPACED, LETTER, And, Filter, Near, Node, Not, Or, Query, Term

FTS_MIN_CHARS = 3  # the trigram tokenizer cannot index shorter strings
COLUMNS = {"text": ("i.title", "i.text"), "title": ("i.title",)}


def query_condition(query: Query, postgres: bool = False) -> tuple[str, list[Any]]:
    """("(...)", params) restricting items `i` joined to sources `s`; ("", []) for an empty query."""
    if query.root is None:
        return "", []
    params: list[Any] = []
    return _node(query.root, params, postgres), params


def _node(node: Node, params: list[Any], pg: bool) -> str:
    if isinstance(node, And):
        return "(" + " AND ".join(_node(c, params, pg) for c in node.children) + ")"
    if isinstance(node, Or):
        return "(" + " OR ".join(_node(c, params, pg) for c in node.children) + ")"
    if isinstance(node, Not):
        return f"(NOT {_node(node.child, params, pg)})"
    if isinstance(node, Filter):
        return _filter(node, params)
    return _text(node, params, pg)


def _text(node: Term | Near, params: list[Any], pg: bool = False) -> str:
    terms = node.terms if isinstance(node, Near) else (node,)
    pieces = [w for t in terms for w in t.words if len(w) >= FTS_MIN_CHARS]
    narrow = (pg_candidates if pg else fts_candidates)(node.field, pieces, params) + " AND " if pieces else ""
    exact = []
    for column in COLUMNS[node.field]:
        # NOT must see false, never NULL, for a row the pattern does not match (a NULL column).
        exact.append(
            f"coalesce(regexp_like({column}, ?), false)" if pg else f"coalesce(regexp_like({column}, ?), 0) = 1"
        )
        params.append(pg_regex(node.pattern) if pg else node.pattern)
    return f"({narrow}(" + " OR ".join(exact) + "))"


def pg_candidates(field: str, pieces: list[str], params: list[Any]) -> str:
    """PostgreSQL's narrowing: every piece a case-insensitive substring of the field, which
    the pg_trgm GIN indexes on title and text answer (as FTS5 trigram does in SQLite)."""
    out = []
    for piece in pieces:
        pattern = "%" + _like(piece) + "%"
        if field == "title":
            out.append("i.title ILIKE ? ESCAPE '\\'")
            params.append(pattern)
        else:
            out.append("(i.title ILIKE ? ESCAPE '\\' OR i.text ILIKE ? ESCAPE '\\')")
            params += [pattern, pattern]
    return "(" + " AND ".join(out) + ")"


# Python's re and PostgreSQL's ARE agree on what the query language emits except one form:
# ARE forbids \W inside brackets, so "a letter of a spaced script" is spelled with a lookahead.
_LETTER_ARE = rf"(?:(?![{_UNSPACED}])\w)"


def pg_regex(pattern: str) -> str:
    return pattern.replace(LETTER, _LETTER_ARE)


def fts_candidates(field: str, pieces: list[str], params: list[Any]) -> str:
    """Items whose `field` contains every piece as a substring (a superset of the exact
    matches).  SQLite: FTS5 trigram; PostgreSQL: `pg_candidates`."""
    column = "title : " if field == "title" else ""
    params.append(" AND ".join(column + '"' + p.replace('"', '""') + '"' for p in pieces))
    return "i.id IN (SELECT rowid FROM items_fts WHERE items_fts MATCH ?)"


def _filter(node: Filter, params: list[Any]) -> str:
    """Ids match whole (or as a prefix with *); names and labels also match by a piece."""
    value = node.value.lower()
    if node.field == "lang":  # lang:zh finds zh-hans and zh-hant
        same = _same("i.language", value, node.prefix, params)
        params.append(_like(value) + "-%")
        return f"({same} OR lower(i.language) LIKE ? ESCAPE '\\')"
    if node.field == "concept":
        same = _same("c.id", value, node.prefix, params) + " OR " + _same("c.label", value, node.prefix, params)
        return (
            "EXISTS (SELECT 1 FROM item_concepts ic JOIN concepts c ON c.id = ic.concept_id "
            f"WHERE ic.item_id = i.id AND ({same}))"
        )
    ident, name = {
        "source": ("i.source_id", "s.name"),
        "group": ("s.group_id", "(SELECT g.label FROM groups g WHERE g.id = s.group_id)"),
    }[node.field]
    same = _same(ident, value, node.prefix, params)
    params.append("%" + _like(value) + "%")
    return f"({same} OR lower({name}) LIKE ? ESCAPE '\\')"


def _same(expr: str, value: str, prefix: bool, params: list[Any]) -> str:
    if prefix:
        params.append(_like(value) + "%")
        return f"lower({expr}) LIKE ? ESCAPE '\\'"
    params.append(value)
    return f"lower({expr}) = ?"


def _like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@lru_cache(maxsize=256)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def regexp_like(value: object, pattern: object) -> int | None:
    """SQLite's stand-in for PostgreSQL's regexp_like(string, pattern)."""
    if value is None or pattern is None:
        return None
    return 1 if _compiled(str(pattern)).search(str(value)) else 0
