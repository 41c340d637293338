"""What the store knows about sources before any item: the reference tables mirrored from
the configuration and the lexicon (groups, sources, families, concepts), and each feed's
fetch state (conditional GET validators, errors, backoff).  Written at the start of a run
and per fetch, never with items.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from .records import FeedState
from .timefmt import iso, parse_iso
from .write_session import WriteSession

_SYNC_LOCK = 7410525  # PostgreSQL advisory lock namespace (store/store.py lists them all)


class SourceWrites(WriteSession):
    """Reference tables and feed state (part of `Store`)."""

    # ---- configuration ----------------------------------------------------

    def sync_config(self, config: Any, lexicon: Any, now: datetime) -> None:
        """Mirror groups, configured sources, families and concepts into the store."""
        with self.transaction() as c:
            if c.is_postgres:  # workers starting together: one rewrite of the reference tables at a time
                c.execute("SELECT pg_advisory_xact_lock(?)", (_SYNC_LOCK,))
            c.execute("DELETE FROM groups")
            c.executemany(
                "INSERT INTO groups (id, label, colour, position) VALUES (?, ?, ?, ?)",
                [(g.id, g.label, g.colour, i) for i, g in enumerate(config.groups)],
            )
            c.execute("UPDATE sources SET configured = 0 WHERE parent_id IS NULL")
            for s in config.sources:
                self._upsert_source(s.id, s.name, s.group, s.kind, s.language, s.url, None, now)
            self._sync_lexicon(lexicon)
            self.bump_data_version()

    def _upsert_source(self, sid, name, group, kind, language, url, parent_id, now) -> None:
        self.conn.execute(
            """INSERT INTO sources (id, name, group_id, kind, language, url, parent_id, configured, first_seen_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?)
               ON CONFLICT(id) DO UPDATE SET name = excluded.name, group_id = excluded.group_id,
                 kind = excluded.kind, language = excluded.language, url = excluded.url,
                 parent_id = excluded.parent_id, configured = 1""",
            (sid, name, group, kind, language, url, parent_id, iso(now)),
        )

    def ensure_source(self, sid: str, name: str, group: str, kind: str, parent_id: str, now: datetime) -> None:
        """Register an outlet found inside an archive (one archive, many outlets)."""
        self._upsert_source(sid, name, group, kind, "auto", None, parent_id, now)

    def _sync_lexicon(self, lexicon: Any) -> None:
        c = self.conn
        c.execute("DELETE FROM families")
        c.executemany(
            "INSERT INTO families (id, label, colour, description, position) VALUES (?, ?, ?, ?, ?)",
            [(f.id, f.label, f.colour, f.description, i) for i, f in enumerate(lexicon.families)],
        )
        c.execute("DELETE FROM concepts")
        c.executemany(
            "INSERT INTO concepts (id, label, family_id, definition, seed, weight, forms, position) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    k.id,
                    k.label,
                    k.family,
                    k.definition,
                    k.seed,
                    k.weight,
                    json.dumps(
                        {
                            "en": k.en,
                            "zh": k.zh,
                            "ru": k.ru,
                            "en_context": k.en_context,
                            "zh_context": k.zh_context,
                            "ru_context": k.ru_context,
                            "en_cues": k.en_cues,
                            "zh_cues": k.zh_cues,
                            "ru_cues": k.ru_cues,
                        },
                        ensure_ascii=False,
                    ),
                    i,
                )
                for i, k in enumerate(lexicon.concepts)
            ],
        )
        self.set_meta("lexicon_hash", lexicon.content_hash)

    # ---- feed state -------------------------------------------------------

    def feed_state(self, source_id: str, configured_url: str) -> FeedState:
        """The remembered state; a fresh one when the analyst changed the configured URL
        (a URL moved by a permanent redirect is kept while the configuration is unchanged)."""
        row = self.conn.execute("SELECT * FROM feed_state WHERE source_id = ?", (source_id,)).fetchone()
        if row is None or row["configured_url"] != configured_url:
            return FeedState(source_id=source_id, url=configured_url)
        state = FeedState(
            source_id=source_id,
            url=row["url"],
            etag=row["etag"],
            last_modified=row["last_modified"],
            status=row["status"],
            http_status=row["http_status"],
            error=row["error"],
            last_attempt_at=parse_iso(row["last_attempt_at"]),
            last_success_at=parse_iso(row["last_success_at"]),
            consecutive_failures=row["consecutive_failures"],
            next_attempt_at=parse_iso(row["next_attempt_at"]),
        )
        return state

    def save_feed_state(self, state: FeedState, configured_url: str) -> None:
        self.conn.execute(
            """INSERT INTO feed_state (source_id, configured_url, url, etag, last_modified, status, http_status, error,
                   last_attempt_at, last_success_at, consecutive_failures, next_attempt_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT(source_id) DO UPDATE SET configured_url = excluded.configured_url, url = excluded.url,
                 etag = excluded.etag,
                 last_modified = excluded.last_modified, status = excluded.status,
                 http_status = excluded.http_status, error = excluded.error,
                 last_attempt_at = excluded.last_attempt_at, last_success_at = excluded.last_success_at,
                 consecutive_failures = excluded.consecutive_failures,
                 next_attempt_at = excluded.next_attempt_at""",
            (
                state.source_id,
                configured_url,
                state.url,
                state.etag,
                state.last_modified,
                state.status,
                state.http_status,
                state.error,
                iso(state.last_attempt_at),
                iso(state.last_success_at),
                state.consecutive_failures,
                iso(state.next_attempt_at),
            ),
        )
