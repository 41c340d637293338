"""A DataFrame as an HTML table that always fits its container; pure, no Streamlit.

Streamlit's data grid keeps every column at its content width and scrolls sideways,
which hid error messages, definitions and the right-hand side of keywords in context
at 1280 px.  This table takes the container's width and wraps long text instead.
Every cell is untrusted text and is escaped; missing values are blank, never "None".
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pandas as pd

Cell = Callable[[Any], str]  # value -> HTML (already escaped)


def blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    try:
        return bool(pd.isna(value)) if not isinstance(value, (list, tuple, dict)) else False
    except (TypeError, ValueError):
        return False


def text(value: Any) -> str:
    return "" if blank(value) else html.escape(str(value))


def number(fmt: str) -> Cell:
    return lambda v: "" if blank(v) else html.escape(format(v, fmt))


def percent(digits: int = 1) -> Cell:
    return lambda v: "" if blank(v) else f"{float(v):.{digits}%}"


BARS = "▁▂▃▄▅▆▇█"


def sparkline(values: Sequence[float], most: int = 24) -> str:
    """The numbers as a line of block characters (at most `most`, neighbours summed), with the
    peak beside it.  Text, not SVG: st.html's sanitiser removes SVG, and text pastes anywhere."""
    points = [0.0 if blank(v) else float(v) for v in values]
    if not points:
        return ""
    size = -(-len(points) // most)
    bins = [sum(points[i : i + size]) for i in range(0, len(points), size)]
    top = max(bins)
    if top <= 0:
        return "<span style='color:#999'>none</span>"
    line = "".join(BARS[min(len(BARS) - 1, int(b / top * (len(BARS) - 1) + 0.5))] if b else " " for b in bins)
    return (f"<span style='font-family:monospace;white-space:pre;color:#4c78a8'>{html.escape(line)}</span>"
            f"<span style='font-size:0.75rem;color:#666'> peak {top:,.0f}</span>")


def bar(column: str, top: float, colour_of: Callable[[dict[str, Any]], str]) -> Callable[[dict[str, Any]], str]:
    """A row cell: the row's `column` as a number beside a bar of its share of `top`, in the
    row's colour.  Plain HTML (one page element, no chart library), so a table that carries
    its own bars draws as fast as text and keeps every figure readable and copyable."""

    def cell(row: dict[str, Any]) -> str:
        value = row.get(column)
        if blank(value):
            return ""
        width = 0.0 if top <= 0 else max(0.0, min(100.0, float(value) / top * 100))
        colour = html.escape(colour_of(row), quote=True)
        if float(value).is_integer():  # a count in a column pandas made float (a blank beside it)
            value = int(value)
        # A fixed 44 px track: the bar fits the narrowest column it is drawn in (the Article
        # page's side panel at 1280 px) and bars of one table stay comparable.
        return ("<div style='display:flex;align-items:center;gap:6px;white-space:nowrap'>"
                f"<span style='min-width:2em;text-align:right'>{html.escape(format(value, ','))}</span>"
                "<div style='flex:none;width:44px;height:10px;background:#eee'>"
                f"<div style='width:{width:.1f}%;height:100%;background:{colour}'></div></div></div>")

    return cell


_LIGHT, _DARK = (0xFE, 0xE0, 0xD2), (0xA5, 0x0F, 0x15)  # ColorBrewer "Reds", light and dark ends


def heat(top: float, fmt: str) -> Cell:
    """A heatmap cell: the value on a background from light to dark red by its share of `top`
    (blank when there is none).  The number stays in the cell, so the colour is never the
    only way to read it, and a matrix of a few hundred cells draws as text, not as a chart."""

    def cell(value: Any) -> str:
        if blank(value) or float(value) <= 0:
            return ""
        t = 1.0 if top <= 0 else min(1.0, float(value) / top)
        background = "#" + "".join(f"{round(a + (b - a) * t):02x}" for a, b in zip(_LIGHT, _DARK, strict=True))
        ink = "#fff" if t > 0.5 else "#222"
        return (f"<div style='background:{background};color:{ink};padding:1px 5px;text-align:right'>"
                f"{html.escape(format(float(value), fmt))}</div>")

    return cell


def html_table(
    frame: pd.DataFrame,
    columns: Mapping[str, str],
    css_class: str,
    cells: Mapping[str, Cell] | None = None,
    right: Sequence[str] = (),
    nowrap: Sequence[str] = (),
    row_cells: Mapping[str, Callable[[dict[str, Any]], str]] | None = None,
    loose: Sequence[str] = (),
    widths: Mapping[str, str] | None = None,
) -> str:
    """`columns`: frame column -> heading, in display order; `cells`: formatters (default: escaped text);
    `right`: right-aligned columns (numbers, the words before a match); `nowrap`: kept on one line;
    `row_cells`: formatters that need the whole row (a link built from the id), returning escaped HTML;
    `loose`: long-text columns that may break inside a word rather than widen the table;
    `widths`: CSS widths of columns that need room (a definition beside a list of forms)."""
    cells = cells or {}
    head = "".join(f"<th data-col='{html.escape(c, quote=True)}' style='text-align:{'right' if c in right else 'left'};"
                   f"padding:4px 6px;vertical-align:bottom;{_width(widths, c)}'>{html.escape(h)}</th>"
                   for c, h in columns.items())
    body = []
    for row in frame.to_dict("records"):
        tds = []
        for c in columns:
            # Words stay whole; only long prose (errors, definitions) may break a long token (a URL).
            wrap = "anywhere" if c in loose else "break-word"
            style = f"padding:3px 6px;vertical-align:top;overflow-wrap:{wrap};"
            style += "text-align:right;" if c in right else ""
            style += "white-space:nowrap;" if c in nowrap else ""
            value = html.escape(json.dumps(_plain(row.get(c)), ensure_ascii=False, default=str), quote=True)
            shown = (row_cells or {})[c](row) if c in (row_cells or {}) else cells.get(c, text)(row.get(c))
            tds.append(f"<td data-value='{value}' style='{style}'>{shown}</td>")
        body.append("<tr style='border-top:1px solid #eee'>" + "".join(tds) + "</tr>")
    return (f"<div style='width:100%;overflow-x:auto'><table class='{html.escape(css_class, quote=True)}' "
            "style='width:100%;border-collapse:collapse;font-size:0.88rem'>"
            f"<thead><tr style='border-bottom:1px solid #ccc'>{head}</tr></thead><tbody>{''.join(body)}</tbody>"
            "</table></div>")


def _plain(value: Any) -> Any:
    """The cell's value as JSON can carry it (kept in data-value for tests and copy-paste tools)."""
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if blank(value):
        return None
    return value.item() if hasattr(value, "item") else value


def _width(widths: Mapping[str, str] | None, column: str) -> str:
    width = (widths or {}).get(column)
    return f"width:{html.escape(width, quote=True)};" if width else ""
