"""Watches: the analyst's saved questions, kept in the store so a team on one
database shares them, and the items each one matches.

A watch is a lexicon concept, a set of concepts (any of them) or a search query,
optionally limited to groups, sources and languages.  Its matching items are kept
in `watch_items`, filled over the whole history when the watch is saved and
topped up after each ingest (`evaluate`), so its daily counts come out of the same
kind of table the concept trends use and get the same normalisation.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from .article_search import ArticleQuery, _article_where
from .db import transaction
from .query_language import SearchError, parse_query
from .search_sql import regexp_like
from .timefmt import iso

KINDS = ("concept", "concepts", "query")
NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")
MAX_QUERY_CHARS = 500
MAX_LIST = 200
WATCH_PREFIX = "watch:"  # a watch's series id beside concept ids in trend frames
# An undated document has no place on a time axis and a month- or year-dated one is counted
# only in buckets as coarse as its date (migration 4): the daily aggregates' rules
# (_DATED, _AGG_PRECISION), imported so a watch's series counts as a concept's does.
_ON_DAY = "i.date_precision IN ('time', 'day')"  # what a day- or week-long window may count


class WatchError(ValueError):
    """A watch that cannot be saved; the message names the field and says why."""


@dataclass(frozen=True)
class AlertRules:
    """Which events of a watch raise an alert (see docs/methodology.md, "Watches and alerts")."""

    rise: bool = True  # a significant rise against the watch's own baseline
    min_items: int = 5  # items in window + baseline below which a rise is never called
    first_in_groups: tuple[str, ...] = ()  # first own-voice item from a source of the group
    new_item_sources: tuple[str, ...] = ()  # every new matching item from these sources

    def as_dict(self) -> dict[str, Any]:
        return {
            "rise": self.rise,
            "min_items": self.min_items,
            "first_in_groups": list(self.first_in_groups),
            "new_item_sources": list(self.new_item_sources),
        }


@dataclass(frozen=True)
class Watch:
    name: str
    kind: str
    label: str = ""
    concepts: tuple[str, ...] = ()
    query: str = ""
    groups: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    rules: AlertRules = field(default_factory=AlertRules)
    created_at: str | None = None
    updated_at: str | None = None
    alerts_after_item: int = 0
    evaluated_item: int = 0

    @property
    def series_id(self) -> str:
        return WATCH_PREFIX + self.name

    @property
    def title(self) -> str:
        return self.label or self.name

    def definition(self) -> tuple[Any, ...]:
        """What decides which items match: a change of it means evaluating afresh."""
        return (self.kind, self.concepts, self.query, self.groups, self.sources, self.languages)


@dataclass(frozen=True)
class Reference:
    """The ids a watch may name: concepts of the lexicon, groups, sources."""

    concepts: frozenset[str]
    groups: frozenset[str]
    sources: frozenset[str]
    languages: frozenset[str] = frozenset({"en", "zh-hans", "zh-hant", "ru", "und"})


def validate(watch: Watch, ref: Reference) -> Watch:
    """The watch with tidy fields, or WatchError naming the field at fault."""
    if not NAME_PATTERN.match(watch.name):
        raise WatchError(
            f"name {watch.name!r}: use 1-63 lower-case letters, digits, '-' or '_', starting with a letter or digit"
        )
    if watch.kind not in KINDS:
        raise WatchError(f"kind {watch.kind!r}: must be one of {', '.join(KINDS)}")
    if "\x00" in watch.label or len(watch.label) > 200:
        raise WatchError("label: at most 200 characters, no NUL")
    concepts = _ids("concepts", watch.concepts, ref.concepts)
    query = " ".join(watch.query.replace("\x00", " ").split())
    if watch.kind == "concept" and len(concepts) != 1:
        raise WatchError(f"concepts: a concept watch names exactly one concept, got {len(concepts)}")
    if watch.kind == "concepts" and not concepts:
        raise WatchError("concepts: a concept-set watch names at least one concept")
    if watch.kind == "query":
        if not query:
            raise WatchError("query: a query watch needs a query")
        if len(query) > MAX_QUERY_CHARS:
            raise WatchError(f"query: at most {MAX_QUERY_CHARS} characters, got {len(query)}")
        if concepts:
            raise WatchError("concepts: a query watch names no concepts (put them in a concept-set watch)")
        try:
            parse_query(query)
        except SearchError as exc:
            raise WatchError(f"query: {exc}") from None
    elif query:
        raise WatchError(f"query: only a query watch has a query (this one is kind {watch.kind!r})")
    rules = watch.rules
    if not 1 <= rules.min_items <= 1_000_000:
        raise WatchError(f"rules.min_items: must be between 1 and 1000000, got {rules.min_items}")
    rules = replace(
        rules,
        first_in_groups=_ids("rules.first_in_groups", rules.first_in_groups, ref.groups),
        new_item_sources=_ids("rules.new_item_sources", rules.new_item_sources, ref.sources),
    )
    return replace(
        watch,
        concepts=concepts,
        query=query,
        groups=_ids("groups", watch.groups, ref.groups),
        sources=_ids("sources", watch.sources, ref.sources),
        languages=_ids("languages", watch.languages, ref.languages),
        rules=rules,
    )


def _ids(key: str, values: tuple[str, ...], known: frozenset[str]) -> tuple[str, ...]:
    if len(values) > MAX_LIST:
        raise WatchError(f"{key}: at most {MAX_LIST} entries")
    unknown = [v for v in values if v not in known]
    if unknown:
        shown = ", ".join(sorted(known)[:20]) + (" ..." if len(known) > 20 else "")
        raise WatchError(f"{key}: unknown {', '.join(map(repr, unknown))} (known: {shown or 'none'})")
    return tuple(dict.fromkeys(values))


def _row_to_watch(row: sqlite3.Row) -> Watch:
    rules = json.loads(row["rules"] or "{}")
    return Watch(
        name=row["name"],
        kind=row["kind"],
        label=row["label"],
        concepts=tuple(json.loads(row["concepts"])),
        query=row["query"],
        groups=tuple(json.loads(row["groups"])),
        sources=tuple(json.loads(row["sources"])),
        languages=tuple(json.loads(row["languages"])),
        rules=AlertRules(
            rise=bool(rules.get("rise", True)),
            min_items=int(rules.get("min_items", 5)),
            first_in_groups=tuple(rules.get("first_in_groups", ())),
            new_item_sources=tuple(rules.get("new_item_sources", ())),
        ),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        alerts_after_item=int(row["alerts_after_item"]),
        evaluated_item=int(row["evaluated_item"]),
    )


class WatchBook:
    """Watches over one store connection (read-only connections may only read)."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn
        if isinstance(conn, sqlite3.Connection):  # query watches check words exactly, as the search does
            conn.create_function("regexp_like", 2, regexp_like, deterministic=True)

    # ---- definitions ----------------------------------------------------------

    def reference(self) -> Reference:
        def ids(sql: str) -> frozenset[str]:
            return frozenset(r[0] for r in self.conn.execute(sql))

        return Reference(
            concepts=ids("SELECT id FROM concepts"),
            groups=ids("SELECT id FROM groups"),
            sources=ids("SELECT id FROM sources"),
        )

    def list(self) -> list[Watch]:
        return [_row_to_watch(r) for r in self.conn.execute("SELECT * FROM watches ORDER BY name")]

    def get(self, name: str) -> Watch | None:
        row = self.conn.execute("SELECT * FROM watches WHERE name = ?", (name,)).fetchone()
        return None if row is None else _row_to_watch(row)

    def save(self, watch: Watch, now: datetime) -> Watch:
        """Insert or update (validated); a changed definition is evaluated afresh."""
        watch = validate(watch, self.reference())
        with transaction(self.conn) as c:
            old = self.get(watch.name)
            last_item = int(c.execute("SELECT coalesce(max(id), 0) FROM items").fetchone()[0])
            values = (
                watch.label,
                watch.kind,
                json.dumps(list(watch.concepts)),
                watch.query,
                json.dumps(list(watch.groups)),
                json.dumps(list(watch.sources)),
                json.dumps(list(watch.languages)),
                json.dumps(watch.rules.as_dict()),
                iso(now),
            )
            if old is None:
                c.execute(
                    """INSERT INTO watches (label, kind, concepts, query, groups, sources, languages, rules,
                         updated_at, name, created_at, alerts_after_item)
                       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                    (*values, watch.name, iso(now), last_item),
                )
            else:
                c.execute(
                    """UPDATE watches SET label = ?, kind = ?, concepts = ?, query = ?, groups = ?, sources = ?,
                         languages = ?, rules = ?, updated_at = ? WHERE name = ?""",
                    (*values, watch.name),
                )
                if old.definition() != watch.definition():
                    c.execute(
                        "UPDATE watches SET evaluated_item = 0, evaluated_lexicon = '' WHERE name = ?", (watch.name,)
                    )
            _bump(c)
        saved = self.get(watch.name)
        assert saved is not None
        return saved

    def delete(self, name: str) -> bool:
        """Remove a watch and its matched items; alerts already raised stay in the log."""
        with transaction(self.conn) as c:
            c.execute("DELETE FROM watch_items WHERE watch_name = ?", (name,))
            gone = c.execute("DELETE FROM watches WHERE name = ?", (name,)).rowcount
            _bump(c)
        return bool(gone)

    # ---- evaluation -----------------------------------------------------------

    def evaluate(self, name: str) -> int:
        """Bring the watch's matched items up to date; returns how many were added.

        After a lexicon change (a rescore rewrites every item's concepts) or an edit of
        the definition the whole history is evaluated again, otherwise only new items."""
        with transaction(self.conn) as c:
            watch = self.get(name)
            if watch is None:
                raise WatchError(f"no watch named {name!r}")
            row = c.execute(
                "SELECT evaluated_lexicon, (SELECT value FROM meta WHERE key = 'lexicon_hash') FROM watches "
                "WHERE name = ?",
                (name,),
            ).fetchone()
            lexicon = row[1] or ""
            after = watch.evaluated_item
            if row[0] != lexicon:
                c.execute("DELETE FROM watch_items WHERE watch_name = ?", (name,))
                after = 0
            last_item = int(c.execute("SELECT coalesce(max(id), 0) FROM items").fetchone()[0])
            before = self.count(name)
            self._match(watch, after, last_item)
            added = self.count(name) - before
            c.execute(
                "UPDATE watches SET evaluated_item = ?, evaluated_lexicon = ? WHERE name = ?",
                (last_item, lexicon, name),
            )
            if added:
                _bump(c)
        return added

    def count(self, name: str) -> int:
        return int(self.conn.execute("SELECT count(*) FROM watch_items WHERE watch_name = ?", (name,)).fetchone()[0])

    def rematch(self, item_ids: Sequence[int]) -> None:
        """Items rewritten in place (an edited feed entry): every watch that already counted
        up to them counts them again, from their new text and concepts."""
        for watch in self.list():
            ids = [i for i in item_ids if i <= watch.evaluated_item]
            if ids:
                marks = ",".join("?" * len(ids))
                self.conn.execute(
                    f"DELETE FROM watch_items WHERE watch_name = ? AND item_id IN ({marks})", (watch.name, *ids)
                )
                self._match(watch, 0, watch.evaluated_item, ids)

    def _match(self, watch: Watch, after: int, upto: int, only: Sequence[int] = ()) -> None:
        scope, params = _scope(watch)
        only_sql = f" AND i.id IN ({','.join('?' * len(only))})" if only else ""
        if watch.kind == "query":
            where, qparams = _article_where(ArticleQuery(text=watch.query), getattr(self.conn, "is_postgres", False))
            self.conn.execute(
                f"""INSERT INTO watch_items (watch_name, item_id, own, distanced)
                    SELECT ?, i.id, 1, 0 FROM items i JOIN sources s ON s.id = i.source_id
                    {where} {"AND" if where else "WHERE"} i.id > ? AND i.id <= ?{scope}{only_sql}""",
                (watch.name, *qparams, after, upto, *params, *only),
            )
            return
        marks = ",".join("?" * len(watch.concepts))
        self.conn.execute(
            f"""INSERT INTO watch_items (watch_name, item_id, own, distanced)
                SELECT ?, ic.item_id, max(CASE WHEN ic.own > 0 THEN 1 ELSE 0 END),
                       max(CASE WHEN ic.distanced > 0 THEN 1 ELSE 0 END)
                FROM item_concepts ic JOIN items i ON i.id = ic.item_id JOIN sources s ON s.id = i.source_id
                WHERE ic.concept_id IN ({marks}) AND i.id > ? AND i.id <= ?{scope}{only_sql}
                GROUP BY ic.item_id""",
            (watch.name, *watch.concepts, after, upto, *params, *only),
        )


def _scope(watch: Watch) -> tuple[str, tuple[str, ...]]:
    clauses, params = "", []
    for column, values in (
        ("s.group_id", watch.groups),
        ("i.source_id", watch.sources),
        ("i.language", watch.languages),
    ):
        if values:
            clauses += f" AND {column} IN ({','.join('?' * len(values))})"
            params += list(values)
    return clauses, tuple(params)


def _bump(conn: sqlite3.Connection) -> None:
    """Readers key their caches on data_version (see Store.bump_data_version)."""
    conn.execute(
        "INSERT INTO meta (key, value) VALUES ('data_version', '1') "
        "ON CONFLICT(key) DO UPDATE SET value = CAST(meta.value AS INTEGER) + 1"
    )
