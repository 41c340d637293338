"""The sentence around a stored match: what an analyst reads to check a number."""

from __future__ import annotations

import re

_END = re.compile(r"[.!?。！？；;]\s|[。！？]|\n")
MAX_SIDE = 220


def sentence_around(text: str, start: int, end: int) -> tuple[str, str, str]:
    """(before, match, after): the sentence holding text[start:end], split at the match."""
    start, end = max(0, start), min(len(text), end)
    left = 0
    for m in _END.finditer(text, 0, start):
        left = m.end()
    right_match = _END.search(text, end)
    right = right_match.start() + 1 if right_match else len(text)
    before, after = text[left:start].lstrip(), text[end:right].rstrip()
    if len(before) > MAX_SIDE:
        before = "…" + before[-MAX_SIDE:].split(" ", 1)[-1] if " " in before[-MAX_SIDE:] else "…" + before[-MAX_SIDE:]
    if len(after) > MAX_SIDE:
        after = after[:MAX_SIDE].rsplit(" ", 1)[0] + "…" if " " in after[:MAX_SIDE] else after[:MAX_SIDE] + "…"
    return _flat(before), text[start:end], _flat(after)


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)
