"""Altair chart builders: pure functions of DataFrames, no Streamlit.

Colours always come from the store (groups.colour, families.colour via
`colours`), so a group or a concept looks the same on every chart.  Charts that
drive the article list carry a point selection named `pick`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import altair as alt
import pandas as pd

PICK = "pick"
AXIS = {"labelFontSize": 12, "titleFontSize": 13}
_FMT = {"day": "%d %b %Y", "week": "%d %b %Y", "month": "%b %Y", "year": "%Y"}


_LINE_LEGEND = alt.Legend(orient="bottom", columns=2, labelLimit=360, labelFontSize=12, symbolType="stroke",
                          symbolStrokeWidth=2.5, symbolSize=400)


def _scale(domain: Sequence[str], colour: Mapping[str, str]) -> alt.Scale:
    return alt.Scale(domain=list(domain), range=[colour.get(d, "#888888") for d in domain])


def _value_axis(normalised: bool) -> tuple[str, alt.Axis]:
    """`share` and `count` are null where a bucket holds no items: the line breaks there."""
    if normalised:
        return "share:Q", alt.Axis(format="%", title="Share of all items", **AXIS)
    return "count:Q", alt.Axis(format="d", title="Items", **AXIS)


def _value_scale(frame: pd.DataFrame, field: str) -> alt.Scale:
    """Zero-based; when every value is 0 the axis still spans a readable range (0-1% or 0-1
    item) instead of collapsing to a single tick labelled with many decimals."""
    top = pd.to_numeric(frame[field], errors="coerce").max() if field in frame else None
    if top is None or pd.isna(top) or top <= 0:
        return alt.Scale(domain=[0, 0.01 if field == "share" else 1])
    return alt.Scale(zero=True)


def _tooltip(series: Sequence[str]) -> list:
    return [
        alt.Tooltip("bucket:T", title="From", format="%Y-%m-%d"),
        *[alt.Tooltip(f"{s}:N") for s in series],
        alt.Tooltip("share:Q", title="Share", format=".1%"),
        alt.Tooltip("low:Q", title="95% interval from", format=".1%"),
        alt.Tooltip("high:Q", title="95% interval to", format=".1%"),
        alt.Tooltip("numerator:Q", title="Items with concept", format=","),
        alt.Tooltip("denominator:Q", title="n (all items)", format=","),
        alt.Tooltip("note:N", title="Note"),
    ]


def _with_notes(frame: pd.DataFrame) -> pd.DataFrame:
    """A `note` per point: why it is drawn hollow (thin sample, partial bucket) or absent."""
    frame = frame.copy()
    for column in ("thin", "partial"):
        if column not in frame:
            frame[column] = False
    note = pd.Series("", index=frame.index)
    note = note.mask(frame["thin"], "thin: fewer items than dashboard.min_items")
    note = note.mask(frame["partial"], note.where(note == "", note + "; ") + "partial bucket")
    note = note.mask(frame["denominator"] == 0, "no items: a gap, not 0%")
    frame["note"] = note
    frame["solid"] = ~(frame["thin"] | frame["partial"])
    return frame


def _points(base: alt.Chart, pick: alt.Parameter, size: int) -> list[alt.Chart]:
    """Solid points for full buckets with enough items; hollow, faded ones for thin or
    partial buckets, so a swing on one speech never looks like a finding."""
    solid = base.transform_filter("datum.solid").mark_point(filled=True, size=size, invalid="filter")
    hollow = base.transform_filter("!datum.solid").mark_point(filled=False, size=size, strokeWidth=1.5,
                                                                 invalid="filter")
    return [
        solid.add_params(pick).encode(opacity=alt.condition(pick, alt.value(1.0), alt.value(0.45))),
        hollow.encode(opacity=alt.value(0.5)),
    ]


def trend_lines(
    frame: pd.DataFrame,
    series: str,
    colour: Mapping[str, str],
    normalised: bool = True,
    granularity: str = "week",
    coverage: pd.DataFrame | None = None,
    height: int = 320,
) -> alt.LayerChart:
    """Lines per `series` column value over `bucket`; a click on a point is the selection `pick`.
    `coverage` (day, name, change) adds dashed rules where sources start or stop reporting."""
    y, axis = _value_axis(normalised)
    frame = _with_notes(frame)
    domain = list(dict.fromkeys(frame[series].tolist()))
    pick = alt.selection_point(name=PICK, fields=["bucket", series], on="click")
    base = alt.Chart(frame).encode(
        x=alt.X("bucket:T", title=None, axis=alt.Axis(format=_FMT.get(granularity, "%d %b %Y"), **AXIS)),
        y=alt.Y(y, axis=axis, scale=_value_scale(frame, y.split(":")[0])),
        color=alt.Color(f"{series}:N", scale=_scale(domain, colour), title=None, legend=_LINE_LEGEND),
        tooltip=_tooltip([series]),
    )
    # Straight segments between real points (no smoothing that invents values); a bucket
    # without items breaks the line.  Each series has its own hue (colours.series_colours).
    lines = base.mark_line(strokeWidth=2, interpolate="linear", invalid="break-paths-filter-domains")
    layers: list[alt.Chart] = [lines, *_points(base, pick, 45)]
    if coverage is not None and not coverage.empty:
        layers.append(coverage_rules(coverage))
    return alt.layer(*layers).properties(height=height)


def coverage_rules(coverage: pd.DataFrame) -> alt.Chart:
    return alt.Chart(coverage).mark_rule(strokeDash=[4, 3], color="#555555", opacity=0.7).encode(
        x="day:T",
        tooltip=[alt.Tooltip("day:T", title="Day", format="%Y-%m-%d"), alt.Tooltip("name:N", title="Source"),
                 alt.Tooltip("change:N", title="Coverage")],
    )


def small_multiples(frame: pd.DataFrame, series: str, facet: str, colour: Mapping[str, str],
                    normalised: bool = True, granularity: str = "week", columns: int = 3) -> alt.FacetChart:
    """One panel per `facet` value, lines per `series`, one shared y scale."""
    y, axis = _value_axis(normalised)
    frame = _with_notes(frame)
    domain = list(dict.fromkeys(frame[series].tolist()))
    pick = alt.selection_point(name=PICK, fields=["bucket", series, facet], on="click")
    base = alt.Chart().encode(
        x=alt.X("bucket:T", title=None, axis=alt.Axis(format=_FMT.get(granularity, "%d %b %Y"), **AXIS)),
        y=alt.Y(y, axis=axis, scale=_value_scale(frame, y.split(":")[0])),
        color=alt.Color(f"{series}:N", scale=_scale(domain, colour), title=None,
                        legend=alt.Legend(orient="bottom", labelLimit=360)),
        tooltip=_tooltip([facet, series]),
    )
    line = base.mark_line(strokeWidth=2, interpolate="linear", invalid="break-paths-filter-domains")
    layered = alt.layer(line, *_points(base, pick, 35), data=frame).properties(height=200, width=260)
    return layered.facet(facet=alt.Facet(f"{facet}:N", title=None, header=alt.Header(labelFontSize=13)),
                         columns=columns).resolve_scale(y="shared")


def volume_bars(frame: pd.DataFrame, label: str, colour_field: str, colour: Mapping[str, str],
                value: str = "items", value_title: str = "Items", key: str = "source_id") -> alt.Chart:
    """Horizontal bars, one per row, coloured by group; a click selects `key`."""
    domain = list(dict.fromkeys(frame[colour_field].tolist()))
    pick = alt.selection_point(name=PICK, fields=[key], on="click")
    return alt.Chart(frame).mark_bar().encode(
        y=alt.Y(f"{label}:N", sort="-x", title=None, axis=alt.Axis(labelLimit=320, labelOverlap=False, **AXIS)),
        # Counts: whole-number ticks; the legend shows whole group names.
        x=alt.X(f"{value}:Q", title=value_title, axis=alt.Axis(format=",d", tickMinStep=1, **AXIS)),
        color=alt.Color(f"{colour_field}:N", scale=_scale(domain, colour), title=None,
                        legend=alt.Legend(orient="bottom", labelLimit=0)),
        opacity=alt.condition(pick, alt.value(1.0), alt.value(0.4)),
        tooltip=[f"{label}:N", alt.Tooltip(f"{value}:Q", title=value_title, format=","),
                 alt.Tooltip("share:Q", title="Share matching", format=".1%")],
    ).add_params(pick).properties(height=alt.Step(24))


def heatmap(frame: pd.DataFrame, x: str, y: str, value: str, value_title: str, x_order: Sequence[str] | None = None,
            x_step: int | None = None) -> alt.Chart:
    """A labelled matrix of shares; `frame` is long form (one row per cell)."""
    return alt.Chart(frame).mark_rect(stroke="white", strokeWidth=1).encode(
        x=alt.X(f"{x}:N", sort=list(x_order) if x_order is not None else "ascending", title=None,
                axis=alt.Axis(labelAngle=-45, labelLimit=260, labelOverlap=False, **AXIS)),
        y=alt.Y(f"{y}:N", sort="ascending", title=None, axis=alt.Axis(labelLimit=320, labelOverlap=False, **AXIS)),
        color=alt.Color(f"{value}:Q", title=value_title, scale=alt.Scale(scheme="orangered"),
                        legend=alt.Legend(format=".1%")),
        tooltip=[f"{y}:N", f"{x}:N", alt.Tooltip(f"{value}:Q", title=value_title, format=".1%")],
    ).properties(height=alt.Step(22), **({"width": alt.Step(x_step)} if x_step else {}))


def selected_points(event: object) -> list[dict]:
    """The points of the `pick` selection in an st.altair_chart(on_select=...) event."""
    try:
        selection = event["selection"]  # type: ignore[index]
        points = selection.get(PICK) or []
    except (KeyError, TypeError, AttributeError):
        return []
    return [p for p in points if isinstance(p, dict)] if isinstance(points, list) else []
