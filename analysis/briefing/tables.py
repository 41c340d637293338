"""The briefing's tables as display strings: one definition for the page, Markdown and HTML."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from . import format as fmt
from .model import Briefing, ConceptChange

CONCEPT_COLUMNS = ["Concept", "Items", "Share", "Prev. 4 wks items", "Prev. 4 wks share", "Change", "G²", "p"]


WATCH_COLUMNS = ["Watch", "Items", "Share", "Prev. 4 wks items", "Prev. 4 wks share", "G²", "p", "Verdict"]


def watch_table(b: Briefing) -> pd.DataFrame:
    """The analysts' watches, each in its own scope, tested like the concepts."""
    rows = [
        [
            w.label,
            f"{w.items} of {w.total}",
            fmt.share(w.items / w.total if w.total else None),
            f"{w.base_items} of {w.base_total}",
            fmt.share(w.base_items / w.base_total if w.base_total else None),
            f"{w.g2:.1f}",
            f"{w.p:.2g}",
            f"significant {w.direction}" if w.significant else "no significant change",
        ]
        for w in b.watches
    ]
    return pd.DataFrame(rows, columns=WATCH_COLUMNS)


def headline_lines(b: Briefing) -> list[str]:
    h = b.headline
    if h.baseline_weeks:
        base = (
            f"average of the previous {h.baseline_weeks} week(s): {fmt.avg(h.baseline_items)} items, "
            f"{fmt.avg(h.baseline_matching)} matching ({fmt.share(h.baseline_share)})"
        )
    else:
        base = "no previous weeks in the store to compare with"
    return [
        f"Items ingested: {h.items}; matching items: {h.matching} ({fmt.share(h.share)} of items).",
        f"Compared with the {base}.",
    ]


def concept_table(rows: Iterable[ConceptChange]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            [
                c.label,
                str(c.items),
                fmt.share(c.share),
                str(c.base_items),
                fmt.share(c.base_share),
                fmt.pp(c.change_pp),
                fmt.g2(c.g2),
                fmt.p_value(c.p),
            ]
            for c in rows
        ],
        columns=CONCEPT_COLUMNS,
    )


def group_matrix(b: Briefing) -> pd.DataFrame:
    """Concepts down, groups across: "share (change since last week)"."""
    concepts = list(dict.fromkeys(r.label for r in b.group_table))
    groups = list(dict.fromkeys(r.group for r in b.group_table))
    cells = {(r.label, r.group): f"{fmt.share(r.share)} ({fmt.pp(r.change_pp)})" for r in b.group_table}
    return pd.DataFrame([[c, *[cells.get((c, g), "") for g in groups]] for c in concepts], columns=["Concept", *groups])


def phrase_table(b: Briefing) -> pd.DataFrame:
    return pd.DataFrame(
        [[p.phrase, p.language, str(p.count), str(p.items), str(p.base_count), fmt.g2(p.g2)] for p in b.phrases],
        columns=["Phrase", "Language", "Count", "Items", "Prev. 4 wks count", "G²"],
    )


def trend_table(b: Briefing) -> pd.DataFrame:
    """Concepts down, weeks across (W-numbers): weekly share of all items; the last row is all items."""
    if not b.trend:
        return pd.DataFrame(columns=["Concept"])
    weeks = list(dict.fromkeys(t.week for t in b.trend))
    cells = {(t.label, t.week): fmt.share(t.share) for t in b.trend}
    totals = {t.week: str(t.total) for t in b.trend}
    labels = list(dict.fromkeys(t.label for t in b.trend))
    rows = [[label, *[cells[(label, w)] for w in weeks]] for label in labels]
    rows.append(["All items (n)", *[totals[w] for w in weeks]])
    return pd.DataFrame(rows, columns=["Concept", *[w.split("-")[1] for w in weeks]])
