"""One word for a feed's state, the same in `python -m ingest feeds health` and on the
Sources page, with the reason beside it.

    ok             fetched successfully lately and items arrived
    failing        the last fetch failed (and how many in a row)
    silent         no successful fetch for SILENT_AFTER_DAYS days, or no item in RECENT_DAYS days
    never fetched  configured, not fetched yet
"""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd

SILENT_AFTER_DAYS = 2
RECENT_DAYS = 7
STATES = ("ok", "failing", "silent", "never fetched")


def since_day(today: date) -> str:
    """The first day counted in `items_recent` (StoreReader.feed_health's argument)."""
    return (today - timedelta(days=RECENT_DAYS)).isoformat()


def feed_states(health: pd.DataFrame, today: date) -> pd.DataFrame:
    """`health` (StoreReader.feed_health rows) with `state` (one of STATES) and `reason` added."""
    out = health.copy()
    last_ok = pd.to_datetime(out["last_success_at"], utc=True, errors="coerce")
    cutoff = pd.Timestamp(today - timedelta(days=SILENT_AFTER_DAYS), tz="UTC")
    never = out["last_attempt_at"].isna() if "last_attempt_at" in out else pd.Series(False, index=out.index)
    failing = out["consecutive_failures"].fillna(0).astype(int) > 0
    stale = last_ok.isna() | (last_ok < cutoff)
    empty = out["items_recent"].fillna(0).astype(int) == 0
    out["state"] = "ok"
    out["reason"] = ""
    out.loc[empty, ["state", "reason"]] = ["silent", f"no items in {RECENT_DAYS} days"]
    out.loc[stale, ["state", "reason"]] = ["silent", f"no successful fetch in {SILENT_AFTER_DAYS} days"]
    out.loc[failing, "state"] = "failing"
    out.loc[failing, "reason"] = out.loc[failing, "consecutive_failures"].map(lambda n: f"{int(n)} failure(s) in a row")
    out.loc[never & ~failing, ["state", "reason"]] = ["never fetched", "not fetched yet"]
    return out
