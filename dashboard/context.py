"""What every page needs first: the config, an openable store, and the live header.

A store that is missing, damaged or of another schema version, or a broken
config, ends the page with an explanation and the command to run, never a
traceback.  The header re-reads the store every `dashboard.refresh_seconds` in a
fragment and reruns the page only when a new ingest has landed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

import streamlit as st

from analysis.briefing.format import md_escape
from analysis.scoring_state import mixed_note
from ingest.config import Config, ConfigError
from store import StoreError, StoreMissing, StoreOutdated, StoreTooNew

from . import freshness, queries, viewstate

_ADVICE = {
    StoreMissing: ("The store does not exist yet.", "python -m ingest run"),
    StoreOutdated: ("The store was written by an older version of the monitor.", "python -m ingest run"),
    StoreTooNew: ("The store was written by a newer version of the monitor.", "pip install -r requirements.txt"),
}


@dataclass(frozen=True)
class PageContext:
    config: Config
    store_path: str
    version: str
    ref: queries.Reference
    status: dict

    @property
    def today(self) -> date:
        return datetime.now(UTC).date()

    def setting(self, name: str):
        return self.config.get("dashboard", name)


def open_page(title: str) -> PageContext:
    if not st.session_state.get("_navigation"):
        _through_navigation()
    st.title(title)
    viewstate.begin(title)
    try:
        config = queries.config()
    except ConfigError as exc:
        _stop("The configuration cannot be read.", str(exc), f"MONITOR_CONFIG={queries.config_path()}")
    store_path = config.get("store", "url") if config.store_target.is_postgres else str(config.store_path)
    try:
        version = queries.store_version(store_path)
    except StoreError as exc:
        headline, command = _ADVICE.get(type(exc), ("The store cannot be opened.", "python -m ingest run"))
        _stop(headline, str(exc), command)
    ctx = PageContext(config, store_path, version, queries.reference(store_path, version),
                      queries.status(store_path, version))
    _live_header(ctx)
    _unseen_alerts(ctx)
    if not ctx.status["any_items"]:
        _stop("The store has no items yet.", "Nothing has been ingested into " + config.store_target.display() + ".",
              "python -m ingest run")
    return ctx


def _unseen_alerts(ctx: PageContext) -> None:
    """Alerts decided since someone last marked them seen (the Alerts page lists them)."""
    from . import watch_queries

    try:
        unseen = watch_queries.unseen(ctx.store_path)
    except StoreError:
        return
    if unseen:
        st.caption(f":material/notifications_active: **{unseen} unseen alert(s)**: see the Alerts page")


def _through_navigation() -> None:
    """A link straight to a page (/articles?q=...) as a fresh server's first request runs that
    page alone, in Streamlit's old pages/-folder mode (no wide layout, file names in the sidebar),
    because dashboard/pages exists.  Streamlit leaves that mode once any run calls st.navigation;
    say so now and run again through app.py, which keeps the URL's page and query."""
    from streamlit.runtime.pages_manager import PagesManager

    PagesManager.uses_pages_directory = False
    st.rerun()


_BACKTICKED = re.compile(r"`\s*([^`]+?)\s*`")


def _plain(text: str) -> str:
    """`text` shown, never rendered.  Messages shared with the command line quote a command
    in backticks; escaped, those would show as literal backticks, so they become quotes."""
    return md_escape(_BACKTICKED.sub("\u201c\\1\u201d", text))


def _stop(headline: str, detail: str, command: str) -> None:
    st.error(md_escape(headline))  # may quote a config value or a path: shown, never rendered
    st.caption(_plain(detail))
    st.markdown("Run this in the project folder, then reload the page:")
    st.code(command, language="bash")
    st.stop()


def _live_header(ctx: PageContext) -> None:
    seconds = int(ctx.setting("refresh_seconds"))

    @st.fragment(run_every=seconds if seconds > 0 else None)
    def header() -> None:
        try:
            version, run, newest = queries.live_status(ctx.store_path)
        except StoreError as exc:
            st.warning(f"The store cannot be read right now: {md_escape(exc)}")
            return
        if version != ctx.version:
            st.rerun(scope="app")  # a new ingest landed: redraw with fresh data
        fresh = freshness.describe(run, newest, datetime.now(UTC))
        icon = {"ok": ":material/check_circle:", "warning": ":material/schedule:",
                "error": ":material/error:"}[fresh.level]
        st.caption(f"{icon} **{md_escape(fresh.headline)}** · {_plain(fresh.detail)} · refreshes every {seconds} s")
        note = mixed_note(queries.scoring_state(ctx.store_path, version))
        if note:  # our own words and a date: nothing from a feed
            st.warning(note, icon=":material/rule:")

    header()
