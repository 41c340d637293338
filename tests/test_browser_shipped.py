"""Issue 9: every page, each on its default view (the Briefing on its default week, which is
the current week of the wall clock, as a user sees it), in a real browser over the store the
shipped config.toml builds offline (tests/shipped_store.py): no Streamlit exception box and
no error box anywhere."""

from __future__ import annotations

import sqlite3
import subprocess
import time

import pytest

from tests.dashboard_fixtures import CHROMIUM, CHROMIUM_ARGS, start_dashboard

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing: install Debian's chromium")

PAGES = ("", "compare", "sources", "lexicon", "articles", "article?item={item}", "briefing", "watches", "alerts")
ERRORS = "[data-testid='stException'], [data-testid='stAlertContentError']"


@pytest.fixture(scope="module")
def shipped_server(shipped_store, tmp_path_factory):
    directory = tmp_path_factory.mktemp("shipped-browser")
    proc, base, stderr = start_dashboard(shipped_store.config, directory)
    yield base, stderr
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


def _an_item(store) -> int:
    """A matching item of a full-text archive: the article page with highlights and closest seeds."""
    conn = sqlite3.connect(store)
    try:
        row = conn.execute("SELECT id FROM items WHERE matching = 1 AND text != title ORDER BY id LIMIT 1").fetchone()
    finally:
        conn.close()
    assert row, "the shipped config built a store without a matching full-text item"
    return int(row[0])


def test_the_shipped_config_builds_a_store_from_seeds_and_archives(shipped_store):
    conn = sqlite3.connect(shipped_store.store)
    try:
        by_kind = "SELECT s.kind, count(*) FROM items i JOIN sources s ON s.id = i.source_id GROUP BY 1"
        kinds = dict(conn.execute(by_kind).fetchall())
    finally:
        conn.close()
    assert kinds.get("seed") == 5, shipped_store.report
    assert "feed" not in kinds, "tests never touch the internet: the copy turns feeds off"


def test_every_page_opens_on_the_shipped_store_without_an_error_box(shipped_server, shipped_store):
    from playwright.sync_api import sync_playwright

    base, stderr = shipped_server
    item = _an_item(shipped_store.store)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        tab = browser.new_page(viewport={"width": 1400, "height": 1000})
        tab.set_default_timeout(90_000)
        try:
            for path in (p.format(item=item) for p in PAGES):
                tab.goto(f"{base}/{path}")
                tab.locator("[data-testid='stMain']").wait_for()
                tab.wait_for_function(
                    "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=90_000
                )
                time.sleep(0.5)
                boxes = tab.locator(ERRORS)
                assert boxes.count() == 0, f"/{path}: {boxes.first.inner_text()}\n" + stderr.read_text(errors="replace")
                if path == "briefing":
                    tab.get_by_text("1. Headline").wait_for()  # the default week's briefing itself rendered
                if path.startswith("article?"):
                    tab.locator("h2.article-title").wait_for()
        finally:
            browser.close()
