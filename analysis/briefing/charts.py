"""The trend chart: weekly share of the moving concepts (one builder for page and HTML)."""

from __future__ import annotations

import altair as alt
import pandas as pd

from .model import Briefing, TrendPoint, frame


def trend_frame(b: Briefing) -> pd.DataFrame:
    df = frame(b.trend, TrendPoint)
    return df.assign(share_pct=pd.to_numeric(df["share"], errors="coerce") * 100)


def trend_chart(b: Briefing, width: int = 640, height: int = 260) -> alt.Chart:
    df = trend_frame(b)
    order = list(dict.fromkeys(df["label"]))
    return (
        alt.Chart(df, width=width, height=height)
        .mark_line(point=True, strokeWidth=2, interpolate="linear", invalid="break-paths-filter-domains")
        .encode(
            x=alt.X("week:O", title="ISO week", axis=alt.Axis(labelAngle=-40)),
            y=alt.Y("share_pct:Q", title="% of all items"),
            color=alt.Color(
                "label:N", title="Concept", sort=order, legend=alt.Legend(orient="bottom", columns=2, labelLimit=320)
            ),
            tooltip=["week", "label", "items", "total", alt.Tooltip("share_pct:Q", format=".1f", title="%")],
        )
        .configure_view(stroke=None)
        .configure_axis(labelFont="Helvetica", titleFont="Helvetica", gridColor="#e5e5e5")
        .configure_legend(labelFont="Helvetica", titleFont="Helvetica")
    )


def trend_svg(b: Briefing) -> str:
    """The chart as inline SVG (rendered locally by vl-convert; no network)."""
    if not b.trend:
        return ""
    import vl_convert

    return vl_convert.vegalite_to_svg(trend_chart(b).to_dict())
