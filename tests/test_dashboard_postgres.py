"""The dashboard on PostgreSQL: every page of the real app (AppTest) shows the same tables,
metrics and HTML tables from a PostgreSQL copy of a store as from the SQLite original."""

from __future__ import annotations

import pandas as pd
import pytest

from ingest.cli import main
from tests.builders import REPO
from tests.dashboard_fixtures import build_store, open_fresh, tables_open

APP = str(REPO / "dashboard" / "app.py")
PAGES = ("overview", "compare", "sources", "articles", "lexicon")
PERIOD = {"from": "2026-10-01", "to": "2026-11-20"}


def _page(page: str, **params: str) -> dict[str, object]:
    # No cache is cleared between the SQLite and the PostgreSQL run: the dashboard's caches
    # are keyed on the store (its config on MONITOR_STORE_URL too), as in a server whose
    # variable changed (test_switching_the_store_url_switches_the_store).
    at = open_fresh(page, params, timeout=120)
    tables_open(at)  # the numbers behind the charts too
    return {
        "frames": [df.value.reset_index(drop=True) for df in at.dataframe],
        "metrics": [(m.label, m.value) for m in at.metric],
        "html": [h.value for h in at.html],
        "errors": [e.value for e in at.error],
    }


def test_every_page_is_the_same_on_postgresql(tmp_path, pg_url, monkeypatch):
    monkeypatch.delenv("MONITOR_STORE_URL", raising=False)
    fixture = build_store(tmp_path)
    monkeypatch.setenv("MONITOR_CONFIG", str(fixture.config))
    assert main(["--config", str(fixture.config), "store", "copy", "--to", pg_url]) == 0
    shown = {}
    for page in PAGES:
        params = PERIOD if page != "lexicon" else {}
        lite = _page(page, **params)
        monkeypatch.setenv("MONITOR_STORE_URL", pg_url)
        post = _page(page, **params)
        monkeypatch.delenv("MONITOR_STORE_URL")
        assert not lite["errors"] and lite["errors"] == post["errors"], page
        assert lite["metrics"] == post["metrics"], page
        shown[page] = sum(len(f) for f in lite["frames"]) + len(lite["html"])  # type: ignore[arg-type]
        assert lite["html"] == post["html"], page
        assert len(lite["frames"]) == len(post["frames"]), page
        for a, b in zip(lite["frames"], post["frames"], strict=True):
            pd.testing.assert_frame_equal(a, b, check_dtype=False, obj=page)
    assert all(shown.values()), f"every page showed something to compare: {shown}"


@pytest.fixture(autouse=True)
def _fresh_caches():
    """Streamlit's caches are keyed on the store URL; cleared so no page reads the other store's rows."""
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


def test_switching_the_store_url_switches_the_store(tmp_path, pg_url, monkeypatch):
    """One process, the same config file, MONITOR_STORE_URL set, changed and unset between
    runs of the real app: each run reads the store the variable names at that moment."""
    from store import Store

    monkeypatch.delenv("MONITOR_STORE_URL", raising=False)
    fixture = build_store(tmp_path)
    monkeypatch.setenv("MONITOR_CONFIG", str(fixture.config))
    empty = "sqlite:///" + str(tmp_path / "empty" / "monitor.sqlite3")
    for url in (empty, pg_url):
        Store(url).close()  # made and migrated, no items
    shown = []
    for url in (None, empty, None, pg_url, None):
        if url is None:
            monkeypatch.delenv("MONITOR_STORE_URL", raising=False)
        else:
            monkeypatch.setenv("MONITOR_STORE_URL", url)
        shown.append(_page("articles", **PERIOD))
    for n in (0, 2, 4):  # the fixture store: its articles listed
        assert not shown[n]["errors"] and shown[n]["html"], n
    for n in (1, 3):  # an empty store, never the fixture store through a cached config
        assert shown[n]["errors"] == ["The store has no items yet."] and not shown[n]["html"], n
