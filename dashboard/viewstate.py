"""The view an analyst has built (period, groups, concepts, bucket, toggles) kept while
they move between pages and honoured when they press Back or Forward.

Three sources, in order: the URL (a link or a history entry says exactly what to
show), the view last shown on any page (the sidebar opens a page without a query
string), the page's default.  A widget keeps its own value while the analyst works
on a page; it is set again from the URL only when the URL changed under it (Back,
Forward, a link, the sidebar), which `begin` detects once per run by comparing the
URL with the one the page last wrote.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

SHARED = ("from", "to", "groups", "concepts", "bucket", "raw", "nocopies")
_WRITTEN, _MOVED, _VIEW, _HOLD = "_view_url_written", "_view_url_moved", "_view_shared", "_view_hold"
_DRILL, _RESTORE = "_view_drill", "_view_restore"


def begin(page: str) -> None:
    """Call first in every run of every page (`page`: its title)."""
    url = st.query_params.to_dict()
    drilled = st.session_state.get(_DRILL)
    # Back from a drill-through lands on the chart's page carrying the drill's query string
    # (Streamlit writes it onto the current history entry before switching): restore the view.
    restore = drilled is not None and page != drilled["target"] and url == drilled["query"]
    st.session_state[_RESTORE] = drilled["before"] if restore else None
    st.session_state[_MOVED] = url != st.session_state.get(_WRITTEN)
    st.session_state[_WRITTEN] = url  # a page that stops early must not reset its widgets on the next click
    st.session_state[_HOLD] = set()


def hold(param: str) -> None:
    """Keep `param` out of the shared view this run: the page shows a cut-down form of it
    (one concept where the analyst chose four) that must not become every page's view."""
    st.session_state.setdefault(_HOLD, set()).add(param)


def params() -> dict[str, str]:
    """The URL's values and, for the shared ones it leaves out, the last view shown."""
    restore = st.session_state.get(_RESTORE)
    if restore is not None:
        return dict(restore)
    return {**st.session_state.get(_VIEW, {}), **st.query_params.to_dict()}


def drill(target: str, query: dict[str, str]) -> None:
    """Note a drill-through from this page's view to page `target` with `query`."""
    before = st.session_state.get(_WRITTEN) or {}
    st.session_state[_DRILL] = {"target": target, "query": dict(query), "before": dict(before)}


def moved() -> bool:
    """Whether the URL changed under the page since it last wrote it (Back, Forward, a link)."""
    return bool(st.session_state.get(_MOVED, True))


def seed(key: str, value: Any) -> None:
    """Give widget `key` its value from the URL (or the shared view) unless the analyst is working on it."""
    if key not in st.session_state or st.session_state.get(_MOVED, True):
        st.session_state[key] = value


def remember(written: dict[str, str], shared: dict[str, str] | None) -> None:
    """Record the URL just written; `shared` (every value the page shows, empty ones too)
    becomes the view other pages open with.  None: a list reached by a drill-through
    (Articles) must not narrow the view of the charts the analyst came from."""
    st.session_state[_WRITTEN] = dict(written)
    if shared is not None:
        view = dict(st.session_state.get(_VIEW, {}))
        held = st.session_state.get(_HOLD, set())
        view.update({k: v for k, v in shared.items() if k in SHARED and k not in held})
        st.session_state[_VIEW] = view
