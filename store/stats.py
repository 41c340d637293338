"""The store's size in a few numbers (`python -m ingest stats`): plain SELECTs, safe on a read-only connection."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from .runs import as_shown


def store_stats(conn: Any) -> dict[str, Any]:
    """Counts from any store connection (SQLite or PostgreSQL); never writes."""

    def one(sql: str) -> Any:
        return conn.execute(sql).fetchone()[0]

    lexicon = conn.execute("SELECT value FROM meta WHERE key = 'lexicon_hash'").fetchone()
    last = conn.execute("SELECT * FROM runs ORDER BY id DESC LIMIT 1").fetchone()
    return {
        "items": one("SELECT count(*) FROM items"),
        "matching": one("SELECT coalesce(sum(matching), 0) FROM items"),
        "matches": one("SELECT count(*) FROM matches"),
        "sources": one("SELECT count(*) FROM sources"),
        "runs": one("SELECT count(*) FROM runs"),
        "last_run": _described(as_shown(conn, dict(last) if last else None, datetime.now(UTC))),
        "lexicon_hash": lexicon[0] if lexicon else None,
        # Day-precise dates only: an undated seed is not "today", a 2024 speech not "1 January".
        "first_day": one("SELECT min(day) FROM daily_source WHERE precision = 'day'"),
        "last_day": one("SELECT max(day) FROM daily_source WHERE precision = 'day'"),
        "undated": one("SELECT count(*) FROM items WHERE date_precision = 'undated'"),
        "month_or_year_dated": one("SELECT count(*) FROM items WHERE date_precision IN ('month', 'year')"),
    }


def _described(run: dict[str, Any] | None) -> str:
    """The last run in words: a run still marked running whose process is gone (and that no
    worker carries) reads "interrupted", never "running" (store/runs.py)."""
    if run is None:
        return "none"
    words = f"#{run['id']} {run['status']}"
    if run["status"] in ("ok", "errors"):
        words += f": {run['new_items']} new item(s), {run['duplicates']} duplicate(s)"
        if run["failed_sources"]:
            words += f", {run['failed_sources']} source(s) failed"
    return words
