"""The allowed range of every numeric or free-text setting, checked when the config is loaded.

A value of the right type can still be nonsense that fails far from its cause: a
NaN threshold made every item non-matching on the next rescore, a negative timeout
surfaced as an httpx traceback, a CR/LF in the User-Agent as a header-injection
error mid-run. Each is refused at load with the key and the allowed range.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

DAY = 86_400.0


def _number(low: float, high: float, *, low_open: bool = False) -> tuple[Callable[[Any], bool], str]:
    def ok(value: Any) -> bool:
        v = float(value)
        return math.isfinite(v) and (v > low if low_open else v >= low) and v <= high

    left = f"greater than {_shown(low)}" if low_open else f"at least {_shown(low)}"
    return ok, f"a number {left} and at most {_shown(high)}"


def _shown(x: float) -> str:
    return f"{int(x):,}" if float(x).is_integer() else f"{x:g}"


def _printable(max_length: int) -> tuple[Callable[[Any], bool], str]:
    def ok(value: Any) -> bool:
        return 0 < len(value) <= max_length and all(" " <= c <= "~" for c in value)

    return ok, f"1 to {max_length} printable ASCII characters (no line breaks or control characters)"


RANGES: dict[tuple[str, str], tuple[Callable[[Any], bool], str]] = {
    ("ingest", "concurrency"): _number(1, 64),
    ("ingest", "timeout_seconds"): _number(0, 3_600, low_open=True),
    ("ingest", "max_bytes"): _number(1, 2_000_000_000),
    ("ingest", "max_redirects"): _number(0, 20),
    ("ingest", "user_agent"): _printable(512),
    ("ingest", "backoff_base_seconds"): _number(0, 30 * DAY),
    ("ingest", "backoff_max_seconds"): _number(0, 30 * DAY),
    ("ingest", "lock_wait_seconds"): _number(0, 7 * DAY),
    ("ingest", "archive_batch_rows"): _number(1, 1_000_000),
    ("scoring", "processes"): _number(0, 256),
    ("scoring", "threshold"): _number(0, 1e9),
    ("scoring", "distanced_weight"): _number(0, 1),
    ("dashboard", "refresh_seconds"): _number(0, DAY),
    ("dashboard", "default_days"): _number(1, 100_000),
    ("dashboard", "page_size"): _number(1, 1_000),
    ("dashboard", "min_items"): _number(0, 1_000_000),
    ("alerts", "digest_after"): _number(0, 1_000_000),
    ("alerts", "retries"): _number(0, 20),
    ("alerts", "backoff_seconds"): _number(0, DAY),
    ("alerts", "timeout_seconds"): _number(0, 3_600, low_open=True),
    ("alerts", "smtp_port"): _number(1, 65_535),
}


def range_problem(section: str, key: str, value: Any) -> str | None:
    """Why `value` is out of range for `section.key` (naming both and the range), or None."""
    rule = RANGES.get((section, key))
    if rule is None:
        if isinstance(value, float) and not math.isfinite(value):
            return f"'{section}.{key}' must be a finite number, got {value!r}"
        if isinstance(value, list) and not all(isinstance(v, str) for v in value):
            return f"'{section}.{key}' must be a list of strings, got {value!r}"[:300]
        return None
    ok, allowed = rule
    if ok(value):
        return None
    return f"'{section}.{key}' must be {allowed}, got {value!r}"[:300]


def feed_url_problem(url: str) -> str | None:
    """Why a feed `url` can never be fetched (malformed, no host, unknown scheme), or None."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError as exc:
        return f"'url' is not a valid address ({exc}): {url[:200]!r}"
    scheme = parts.scheme.lower()
    if scheme in ("http", "https"):
        if not parts.hostname:
            return f"'url' has no host: {url[:200]!r}"
        if any(c.isspace() or ord(c) < 32 for c in url):
            return f"'url' contains spaces or control characters: {url[:200]!r}"
        return None
    if scheme == "file" or scheme == "" or (len(scheme) == 1 and url[1:3] in (":\\", ":/")):
        return None  # a local feed file (a missing one is reported when it is read)
    return f"'url' must be an http(s) address or a local file, not {scheme}: {url[:200]!r}"
