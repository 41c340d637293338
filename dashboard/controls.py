"""Filter widgets whose state lives in the URL (st.query_params) so a link reopens
the same view.  A widget's first value comes from the URL; each run writes the
current values back."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import streamlit as st

from analysis.default_view import NOT_COVERAGE, default_period, newer_data
from analysis.periods import GRANULARITIES, Period, default_granularity

from . import queries, urlstate, viewstate
from .context import PageContext

_seed = viewstate.seed


def period(ctx: PageContext, key: str, label: str = "Period") -> Period:
    status = ctx.status
    spans = queries.source_spans(ctx.store_path, ctx.version, NOT_COVERAGE)
    default = default_period(status["first_day"], status["last_day"], int(ctx.setting("default_days")), ctx.today,
                             spans)
    params = viewstate.params()
    start = urlstate.read_date(params, "from") or default.start
    end = urlstate.read_date(params, "to") or default.end
    lo = min(date.fromisoformat(status["first_day"]) if status["first_day"] else start, start, end)
    hi = max(date.fromisoformat(status["last_day"]) if status["last_day"] else end, start, end, ctx.today)
    _seed(key, (min(start, end), max(start, end)))
    picked = st.date_input(label, key=key, min_value=lo, max_value=hi, format="YYYY-MM-DD")
    if isinstance(picked, (tuple, list)) and len(picked) == 2:
        chosen = Period(picked[0], picked[1])
    elif isinstance(picked, (tuple, list)) and len(picked) == 1:  # half-picked range
        chosen = Period(picked[0], picked[0])
    else:
        chosen = Period(start, end)
    newer = newer_data(chosen, spans, status["last_day"])
    if chosen == default and newer is not None:  # the default period leaves recent data out: say so
        st.caption(f"Opened on the latest {default.days} days in which at least half as many sources report as in "
                   f"the best-covered {default.days} days; {newer.sources} source(s) have newer items, up to "
                   f"{newer.newest.isoformat()}. Move the period to see them.")
    return chosen


def groups(ctx: PageContext, key: str, label: str = "Groups", include_seed: bool = False,
           param: str = "groups") -> list[str]:
    options = ctx.ref.groups["id"].tolist()
    default = [g for g in options if include_seed or g != "seed"]
    _seed(key, urlstate.read_list(viewstate.params(), param, options) or default)
    return st.multiselect(label, options, key=key, format_func=ctx.ref.group_label)


def pills(key: str, label: str, options: Sequence[str], param: str, labels: dict[str, str],
          help: str | None = None) -> list[str]:
    """A few choices as pills, any number picked, held in the URL as `param` (comma-separated ids;
    unknown ids dropped).  Pills cost the browser far less than a multiselect."""
    _seed(key, urlstate.read_list(viewstate.params(), param, options) or [])
    picked = st.pills(label, list(options), selection_mode="multi", key=key, format_func=labels.get, help=help)
    return list(picked or [])


def concepts(ctx: PageContext, key: str, default: Sequence[str], label: str = "Concepts",
             param: str = "concepts", max_selections: int | None = None, with_watches: bool = False) -> list[str]:
    # Trend pages offer the analyst's watches beside the concepts (drawn as the same kind of series).
    options = ctx.ref.concepts["id"].tolist() + (list(ctx.ref.watch_labels) if with_watches else [])
    chosen = urlstate.read_list(viewstate.params(), param, options)
    wanted = chosen if chosen is not None else list(default)
    _seed(key, wanted[: max_selections or None])
    picked = st.multiselect(label, options, key=key, format_func=ctx.ref.concept_label,
                            max_selections=max_selections)
    if max_selections and len(wanted) > max_selections and picked == wanted[:max_selections]:
        viewstate.hold(param)
    return picked


def one_of(key: str, label: str, options: Sequence[str], default: str, param: str,
           format_func=str, horizontal: bool = True) -> str:
    _seed(key, urlstate.read_choice(viewstate.params(), param, options) or default)
    return st.radio(label, list(options), key=key, format_func=format_func, horizontal=horizontal)


def granularity(key: str, p: Period) -> str:
    return one_of(key, "Bucket", GRANULARITIES, default_granularity(p), "bucket")


def normalised(key: str) -> bool:
    _seed(key, viewstate.params().get("raw") != "1")
    return st.toggle("Normalise", key=key,
                     help="On: share of all items from the same sources in each bucket. Off: raw counts.")


def without_copies(key: str) -> bool:
    """True when syndicated copies should be left out of the counts."""
    _seed(key, viewstate.params().get("nocopies") == "1")
    return st.toggle("Originals only", key=key,
                     help="On: an article carried by several outlets counts once, for the outlet that published "
                          "it first. Off: every outlet's copy counts.")


def week_and_groups(weeks: list[str], default_week: str, groups: Any, container_week: Any, container_groups: Any):
    """The briefing's pickers, seeded from the URL (`week`, `groups`) so a link reopens the same
    briefing.  Only weeks with data are offered, a year first so any year is two clicks away."""
    params = st.query_params.to_dict()  # the briefing's groups mean "empty = all": not the shared view's
    wanted = urlstate.read_choice(params, "week", weeks) or (default_week if default_week in weeks else weeks[0])
    years = sorted({w[:4] for w in weeks}, reverse=True)
    _seed("briefing_year", wanted[:4])
    year_box, week_box = container_week.columns([2, 3])
    year = year_box.selectbox("Year", years, key="briefing_year")
    in_year = [w for w in weeks if w.startswith(year)]
    if viewstate.moved() or st.session_state.get("briefing_week") not in in_year:
        st.session_state["briefing_week"] = wanted if wanted in in_year else in_year[0]
    week = week_box.selectbox("ISO week (weeks with data)", in_year, key="briefing_week", format_func=_week_label)
    ids = list(groups["id"])
    _seed("briefing_groups", urlstate.read_list(params, "groups", ids) or [])
    chosen = container_groups.multiselect("Groups (empty = all)", ids, key="briefing_groups",
                                          format_func=dict(zip(groups["id"], groups["label"], strict=True)).get)
    write_url({"week": week, "groups": chosen}, share=False)
    return week, chosen


def _week_label(week: str) -> str:
    monday = date.fromisocalendar(int(week[:4]), int(week[-2:]), 1)
    sunday = monday + timedelta(days=6)
    if monday.month == sunday.month:  # short enough for the picker at 1280 px
        return f"{week} · {monday:%d}–{sunday:%d %b}"
    return f"{week} · {monday:%d %b}–{sunday:%d %b}"


def write_url(values: dict[str, Any], share: bool = True) -> None:
    """Replace the query string with the current view (only when it changed); with `share`
    the period, groups, concepts, bucket and toggles also become the view other pages open with."""
    wanted = urlstate.encode_all(values)
    if st.query_params.to_dict() != wanted:
        st.query_params.from_dict(wanted)
    viewstate.remember(wanted, {k: urlstate.encode(v) for k, v in values.items()} if share else None)


PAGES_DIR = Path(__file__).resolve().parent / "pages"


def open_articles(filters: dict[str, Any]) -> None:
    """Drill-through: show the article list filtered as `filters` says."""
    query = urlstate.encode_all(filters)
    viewstate.drill("Articles", query)
    st.switch_page(PAGES_DIR / "articles.py", query_params=query)


def picked_bucket(value: Any, granularity: str, p: Period) -> Period:
    """The days of the bucket a chart point stands for (value: epoch ms or ISO text)."""
    import pandas as pd

    stamp = pd.to_datetime(value, unit="ms") if isinstance(value, (int, float)) else pd.to_datetime(value)
    start = stamp.date()
    if granularity == "week":
        end = (stamp + pd.Timedelta(days=6)).date()
    elif granularity == "month":
        end = (stamp + pd.offsets.MonthEnd(0)).date()
    elif granularity == "year":
        end = (stamp + pd.offsets.YearEnd(0)).date()
    else:
        end = start
    return Period(max(start, p.start), min(end, p.end))
