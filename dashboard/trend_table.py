"""The numbers behind a trend chart, as a table: every share with its n, its 95 % interval and
its thin / partial flags, under the same labels on every page."""

from __future__ import annotations

import pandas as pd
import streamlit as st

COLUMNS = ["numerator", "denominator", "share", "low", "high", "thin", "partial"]


def show(frame: pd.DataFrame, series: list[str], key: str) -> None:
    columns = ["bucket", *[s for s in series if s in frame], *[c for c in COLUMNS if c in frame]]
    st.dataframe(
        frame[list(dict.fromkeys(columns))],
        key=key,
        hide_index=True,
        width="stretch",
        column_config={
            "bucket": st.column_config.DateColumn("Bucket from", format="YYYY-MM-DD"),
            "numerator": st.column_config.NumberColumn("Items with concept"),
            "denominator": st.column_config.NumberColumn("n (all items)"),
            "share": st.column_config.NumberColumn("Share", format="percent"),
            "low": st.column_config.NumberColumn("95% from", format="percent"),
            "high": st.column_config.NumberColumn("95% to", format="percent"),
            "thin": st.column_config.CheckboxColumn("Thin (n < min_items)"),
            "partial": st.column_config.CheckboxColumn("Partial bucket"),
        },
    )
