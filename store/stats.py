"""The store's size in a few numbers (`python -m ingest stats`): plain SELECTs, safe on a read-only connection."""

from __future__ import annotations

from typing import Any


def store_stats(conn: Any) -> dict[str, Any]:
    """Counts from any store connection (SQLite or PostgreSQL); never writes."""

    def one(sql: str) -> Any:
        return conn.execute(sql).fetchone()[0]

    lexicon = conn.execute("SELECT value FROM meta WHERE key = 'lexicon_hash'").fetchone()
    return {
        "items": one("SELECT count(*) FROM items"),
        "matching": one("SELECT coalesce(sum(matching), 0) FROM items"),
        "matches": one("SELECT count(*) FROM matches"),
        "sources": one("SELECT count(*) FROM sources"),
        "runs": one("SELECT count(*) FROM runs"),
        "lexicon_hash": lexicon[0] if lexicon else None,
        # Day-precise dates only: an undated seed is not "today", a 2024 speech not "1 January".
        "first_day": one("SELECT min(day) FROM daily_source WHERE precision = 'day'"),
        "last_day": one("SELECT max(day) FROM daily_source WHERE precision = 'day'"),
        "undated": one("SELECT count(*) FROM items WHERE date_precision = 'undated'"),
        "month_or_year_dated": one("SELECT count(*) FROM items WHERE date_precision IN ('month', 'year')"),
    }
