"""Filters and the open article as URL query parameters; pure, no Streamlit.

Every value read from a URL is untrusted: unknown ids are dropped, unreadable
dates and numbers fall back to the default, so a hand-edited link never breaks a page."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any


def _first(params: Mapping[str, Any], key: str) -> str | None:
    value = params.get(key)
    if isinstance(value, list):
        value = value[0] if value else None
    return None if value is None else str(value)


def read_list(params: Mapping[str, Any], key: str, allowed: Iterable[str] | None = None) -> list[str] | None:
    """Comma-separated ids, filtered to `allowed`; None when the key is absent."""
    raw = _first(params, key)
    if raw is None:
        return None
    values = [v.strip() for v in raw.split(",") if v.strip()]
    if allowed is not None:
        known = set(allowed)
        values = [v for v in values if v in known]
    return list(dict.fromkeys(values))


def read_date(params: Mapping[str, Any], key: str) -> date | None:
    raw = _first(params, key)
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def read_int(params: Mapping[str, Any], key: str) -> int | None:
    raw = _first(params, key)
    try:
        return int(raw) if raw is not None else None
    except ValueError:
        return None


def read_float(params: Mapping[str, Any], key: str) -> float | None:
    raw = _first(params, key)
    try:
        value = float(raw) if raw is not None else None
    except ValueError:
        return None
    return value if value is not None and value == value and abs(value) != float("inf") else None


def read_choice(params: Mapping[str, Any], key: str, choices: Iterable[str]) -> str | None:
    raw = _first(params, key)
    return raw if raw in set(choices) else None


def encode(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return ",".join(str(v) for v in value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def encode_all(values: Mapping[str, Any]) -> dict[str, str]:
    """Query params for `values`, leaving out empty ones."""
    return {k: encode(v) for k, v in values.items() if v not in (None, "", [], ())}
