"""The dashboard on PostgreSQL: every page of the real app (AppTest) shows the same tables,
metrics and HTML tables from a PostgreSQL copy of a store as from the SQLite original."""

from __future__ import annotations

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from ingest.cli import main
from tests.builders import REPO
from tests.dashboard_fixtures import build_store

APP = str(REPO / "dashboard" / "app.py")
PAGES = ("overview", "compare", "sources", "articles", "lexicon")
PERIOD = {"from": "2026-10-01", "to": "2026-11-20"}


def _page(page: str, **params: str) -> dict[str, object]:
    import streamlit as st

    # The dashboard caches its config by file and mtime, not by MONITOR_STORE_URL: without
    # this the PostgreSQL run reused the SQLite run's config and compared SQLite with itself.
    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.switch_page(f"pages/{page}.py")
    at.query_params.clear()
    at.query_params.update(params)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
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
