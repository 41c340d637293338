"""One colour per group and per concept across every chart; pure, no Streamlit.

A concept takes its family's colour, shaded lighter or darker by its rank in the
family, so concepts of one family read as one hue yet stay distinguishable."""

from __future__ import annotations

import pandas as pd

_SHADES = (0.0, 0.35, -0.3, 0.55, -0.5, 0.7)


def _shade(hex_colour: str, amount: float) -> str:
    h = hex_colour.lstrip("#")
    if len(h) == 3:
        h = "".join(c * 2 for c in h)
    rgb = [int(h[i : i + 2], 16) for i in (0, 2, 4)]
    if amount >= 0:
        rgb = [round(c + (255 - c) * amount) for c in rgb]
    else:
        rgb = [round(c * (1 + amount)) for c in rgb]
    return "#" + "".join(f"{c:02x}" for c in rgb)


def concept_colours(concepts: pd.DataFrame, families: pd.DataFrame) -> dict[str, str]:
    family_colour = dict(zip(families["id"], families["colour"], strict=True))
    out: dict[str, str] = {}
    rank: dict[str, int] = {}
    for row in concepts.itertuples(index=False):
        n = rank.get(row.family_id, 0)
        rank[row.family_id] = n + 1
        out[row.id] = _shade(family_colour.get(row.family_id, "#888888"), _SHADES[n % len(_SHADES)])
    return out


def family_colours(concepts: pd.DataFrame, families: pd.DataFrame) -> dict[str, str]:
    """Concept id -> its family's own colour (for highlighting)."""
    family_colour = dict(zip(families["id"], families["colour"], strict=True))
    return {c: family_colour.get(f, "#888888") for c, f in zip(concepts["id"], concepts["family_id"], strict=True)}


def group_colours(groups: pd.DataFrame) -> dict[str, str]:
    return dict(zip(groups["id"], groups["colour"], strict=True))


WATCH_COLOURS = ("#222222", "#8c6d31", "#393b79", "#843c39", "#637939", "#7b4173")


def watch_colours(series_ids: list[str]) -> dict[str, str]:
    """Dark, unsaturated colours for watches, apart from the family hues of concepts."""
    return {sid: WATCH_COLOURS[i % len(WATCH_COLOURS)] for i, sid in enumerate(series_ids)}


# Okabe & Ito's colour-blind-safe palette, ordered for lines on white (the yellow last).
SERIES_PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442")


def series_colours(labels: list[str]) -> dict[str, str]:
    """A distinct colour-blind-safe hue per series on one chart, in the order given (a chart
    holds at most eight series; beyond that hues repeat)."""
    return {label: SERIES_PALETTE[i % len(SERIES_PALETTE)] for i, label in enumerate(labels)}
