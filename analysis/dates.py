"""A stored date written as precisely as it is known.

An item dated only to a year is stored on 1 January, one dated to a month on the 1st, and an
undated one has no date; shown as `2024-01-01` either reads as a day it never had.  Every
page, alert and export writes dates through here."""

from __future__ import annotations


def shown_date(published_at: object, precision: object = None, with_time: bool = True) -> str:
    """`2026-11-24 09:30` (a time; `with_time`), `2026-11-24`, `2023-03 (month only)`,
    `2024 (year only)` or `undated`.  Without a precision (older records) the stored text."""
    text = published_at if isinstance(published_at, str) else ""
    if precision == "undated" or not text:
        return "undated"
    if precision == "year":
        return f"{text[:4]} (year only)"
    if precision == "month":
        return f"{text[:7]} (month only)"
    if precision == "day" or not with_time:
        return text[:10]
    return text.replace("T", " ")[:16]
