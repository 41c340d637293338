"""Cached reads of watches and the alert log for the dashboard (keyed on data_version,
which every watch edit and every decided alert bumps)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analysis.watches import watch_state
from store.alert_log import AlertLog
from store.reads import StoreReader
from store.watch_reads import WatchReads
from store.watches import Watch, WatchBook

from .queries import CACHE


@st.cache_data(**CACHE)
def watches(store_path: str, version: str) -> list[Watch]:
    with StoreReader(store_path) as r:
        return WatchBook(r.conn).list()


@st.cache_data(**CACHE)
def states(store_path: str, version: str) -> pd.DataFrame:
    rows = []
    with StoreReader(store_path) as r:
        reads = WatchReads(r.conn)
        newest = reads.newest_day()
        for w in WatchBook(r.conn).list():
            s = watch_state(reads, w, newest)
            rows.append({"name": w.name, "label": w.title, "kind": w.kind,
                         "matches": w.query if w.kind == "query" else ", ".join(w.concepts),
                         "limits": _limits(w), "alerts": _rules(w), "items this week": s.items,
                         "n this week": s.scope_items, "share this week": s.share,
                         "n before": s.base_scope_items, "baseline share": s.base_share, "state": s.sentence()})
    return pd.DataFrame(rows)


def _limits(w: Watch) -> str:
    parts = [f"{k}: {', '.join(getattr(w, k))}" for k in ("groups", "sources", "languages") if getattr(w, k)]
    return "; ".join(parts) or "all sources"


def _rules(w: Watch) -> str:
    r = w.rules
    parts = [f"rise (min {r.min_items})"] if r.rise else []
    parts += [f"first in {g}" for g in r.first_in_groups] + [f"new from {s}" for s in r.new_item_sources]
    return ", ".join(parts) or "none"


@st.cache_data(**CACHE)
def series_daily(store_path: str, version: str, start: str, end: str) -> pd.DataFrame:
    """Every watch's daily rows in the shape of daily_concept."""
    names = [w.name for w in watches(store_path, version)]
    with StoreReader(store_path) as r:
        return WatchReads(r.conn).daily(names, start, end)


def with_watches(store_path: str, version: str, daily_concept: pd.DataFrame, start: str, end: str) -> pd.DataFrame:
    """The concept rows plus every watch's rows, so watches can be picked like concepts."""
    extra = series_daily(store_path, version, start, end)
    return daily_concept if extra.empty else pd.concat([daily_concept, extra], ignore_index=True)


@st.cache_data(**CACHE)
def alert_log(store_path: str, version: str, limit: int = 500) -> tuple[pd.DataFrame, pd.DataFrame]:
    with StoreReader(store_path) as r:
        log = AlertLog(r.conn)
        return log.events(limit), log.deliveries_log(200)


def unseen(store_path: str) -> int:
    """Not cached: read with the live header."""
    with StoreReader(store_path) as r:
        return AlertLog(r.conn).unseen()
