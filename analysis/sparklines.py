"""The Lexicon page's monthly sparklines per concept and the note on what they leave out.
Monthly hit counts, not shares: a module of its own because nothing else reads them.
"""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd


def monthly_sparklines(monthly: pd.DataFrame) -> pd.DataFrame:
    """Hits per concept (rows) and month (columns, every month from the first to the last,
    none skipped: a sparkline squeezes time evenly or it draws a false shape)."""
    if monthly.empty:
        return pd.DataFrame()
    months = pd.period_range(monthly["month"].min(), monthly["month"].max(), freq="M").strftime("%Y-%m")
    spark = monthly.pivot_table(index="concept_id", columns="month", values="hits", aggfunc="sum", fill_value=0)
    return spark.reindex(columns=list(months), fill_value=0)


def sparkline_note(off: dict[str, int], last_day: str | None) -> str:
    """What the Lexicon's totals and sparklines leave out, and whether their last month is partial."""
    parts = []
    if off.get("year_hits"):
        parts.append(
            f"Sparklines leave out {off['year_hits']:,} hit(s) in {off['year_items']:,} item(s) dated only to a "
            "year (counted in the totals; a year has no month to draw them in)."
        )
    if off.get("undated_hits"):
        parts.append(
            f"Totals and sparklines leave out {off['undated_hits']:,} hit(s) in {off['undated_items']:,} undated "
            "item(s) (no date, or one that cannot be trusted; the seed comparison below still shows the seeds)."
        )
    if last_day:
        end = date.fromisoformat(last_day)
        if (end + timedelta(days=1)).month == end.month:
            parts.append(f"The last month is partial: the data end on {last_day}.")
    return " ".join(parts)
