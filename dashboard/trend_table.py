"""The numbers behind a trend chart, as a table: every share with its n, its 95 % interval and
its thin / partial flags, under the same labels on every page; and the sentence that says
what the chart's value axis measures, which follows the Normalise toggle."""

from __future__ import annotations

import pandas as pd
import streamlit as st

COLUMNS = ["numerator", "denominator", "share", "low", "high", "thin", "partial"]
PERCENT = ("share", "low", "high")


def measure_note(normalised: bool, per_source: bool, numerator: str, sources: str = "the same sources") -> str:
    """What the plotted value is, in words: a raw count, a pooled share or a mean of per-source shares."""
    if not normalised:
        return (f"Items = the number of {numerator} in the bucket (raw counts, not normalised: a bucket with "
                "more items overall can show more without any change in emphasis; turn Normalise on for shares). ")
    if per_source:
        return ("Share = the mean of each source's own share in the bucket (each source counts once, however "
                "many items it publishes; no interval is given for a mean). ")
    return (f"Share = {numerator} ÷ all items (n) from {sources} in the bucket (sums, not averages); the "
            "tooltip and the table give n and the 95% (Wilson) interval. ")


def _as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Shares as text with one decimal, and a blank (never "None") where a bucket has no items."""
    frame = frame.copy()
    for column in PERCENT:
        if column in frame:
            frame[column] = [f"{v:.1%}" if pd.notna(v) else "" for v in frame[column]]
    return frame


def show(frame: pd.DataFrame, series: list[str], key: str) -> None:
    columns = ["bucket", *[s for s in series if s in frame], *[c for c in COLUMNS if c in frame]]
    st.dataframe(
        _as_text(frame[list(dict.fromkeys(columns))]),
        key=key,
        hide_index=True,
        width="stretch",
        column_config={
            "bucket": st.column_config.DateColumn("Bucket", format="YYYY-MM-DD", width="small"),
            "numerator": st.column_config.NumberColumn("With concept", width="small"),
            "denominator": st.column_config.NumberColumn("n (all)", width="small"),
            "share": st.column_config.TextColumn("Share", width="small"),
            "low": st.column_config.TextColumn("95% low", width="small"),
            "high": st.column_config.TextColumn("95% high", width="small"),
            "thin": st.column_config.CheckboxColumn("Thin", width="small",
                                                    help="fewer items than dashboard.min_items"),
            "partial": st.column_config.CheckboxColumn("Partial", width="small",
                                                       help="the data do not cover the whole bucket"),
        },
    )
