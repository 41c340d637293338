"""The week's matching items as CSV: one row per item, its concepts and hits."""

from __future__ import annotations

import csv
import io

from . import format as fmt
from .model import Briefing

COLUMNS = [
    "item_id",
    "published_at",
    "source_id",
    "source",
    "group_id",
    "title",
    "url",
    "language",
    "score",
    "copy_of",
    "concepts",
    "hits",
]
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> str:
    """Spreadsheets run cells starting with = + - @ as formulas: feed text is untrusted, so quote them."""
    text = fmt.text(value)
    return "'" + text if text.startswith(_FORMULA) else text


def render_csv(b: Briefing) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(COLUMNS)
    for it in b.items:
        w.writerow(
            [
                it.item_id,
                it.published_at,
                _cell(it.source_id),
                _cell(it.source),
                it.group_id,
                _cell(it.title),
                _cell(it.url),
                it.language,
                f"{it.score:g}",
                "" if it.copy_of is None else it.copy_of,
                ";".join(it.concepts),
                ";".join(f"{c}={h}" for c, h in zip(it.concepts, it.hits, strict=True)),
            ]
        )
    return buf.getvalue()
