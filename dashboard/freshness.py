"""How fresh the data is and how the last ingest went, in words; pure, no Streamlit."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from store.timefmt import parse_iso


@dataclass(frozen=True)
class Freshness:
    level: str  # ok | warning | error
    headline: str
    detail: str


def ago(moment: datetime, now: datetime) -> str:
    seconds = max(0, int((now - moment).total_seconds()))
    if seconds < 90:
        return "just now"
    minutes = seconds // 60
    if minutes < 90:
        return f"{minutes} min ago"
    hours = minutes // 60
    if hours < 48:
        return f"{hours} h {minutes % 60:02d} min ago"
    return f"{hours // 24} days ago"


def describe(last_run: dict[str, Any] | None, newest_day: str | None, now: datetime,
             stale_after_hours: float = 24.0) -> Freshness:
    if last_run is None:
        return Freshness("warning", "No ingest has run yet.", "Run `python -m ingest run` to fill the store.")
    started = parse_iso(last_run.get("started_at"))
    finished = parse_iso(last_run.get("finished_at"))
    status = last_run.get("status", "?")
    newest = f"newest item dated {newest_day}" if newest_day else "no items yet"
    if status == "running" or finished is None:
        when = ago(started, now) if started else "?"
        return Freshness("warning", f"Ingest {status} (started {when})", newest)
    headline = f"Last ingest {ago(finished, now)} ({finished:%Y-%m-%d %H:%M} UTC)"
    errors = _errors(last_run.get("errors"))
    if errors:
        names = ", ".join(e.get("source", "?") for e in errors[:5]) + (" …" if len(errors) > 5 else "")
        return Freshness("error", headline + f" — {len(errors)} source(s) failed", f"{newest}; failed: {names}")
    age_hours = (now - finished).total_seconds() / 3600
    level = "warning" if age_hours > stale_after_hours else "ok"
    suffix = " — data may be stale" if level == "warning" else ""
    return Freshness(level, headline + suffix, f"{newest}; {last_run.get('new_items', 0)} new items in that run")


def _errors(raw: object) -> list[dict[str, Any]]:
    if isinstance(raw, list):
        return raw
    try:
        value = json.loads(raw) if isinstance(raw, str) else []
    except ValueError:
        return []
    return value if isinstance(value, list) else []
