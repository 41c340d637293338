"""A real server and a real browser: `streamlit run dashboard/app.py` on a free port
against a fixture store, driven by headless chromium through Playwright."""

from __future__ import annotations

import subprocess

import pytest

from tests.dashboard_fixtures import CHROMIUM, CHROMIUM_ARGS, SCRIPT_TITLE, build_store, start_dashboard

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing: install Debian's chromium")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    directory = tmp_path_factory.mktemp("browser")
    store = build_store(directory)
    proc, base, stderr = start_dashboard(store.config, directory)
    yield base, stderr
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture
def page(server):
    from playwright.sync_api import sync_playwright

    base, _ = server
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        tab = browser.new_page(viewport={"width": 1400, "height": 1000})
        tab.set_default_timeout(30_000)
        dialogs: list[str] = []
        tab.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        tab.base_url, tab.dialogs = base, dialogs  # type: ignore[attr-defined]
        try:
            yield tab
        finally:
            browser.close()


def _dump_on_failure(server) -> str:
    _, stderr = server
    return "---- streamlit stderr ----\n" + stderr.read_text(errors="replace")


def test_overview_to_article_with_highlights_and_escaped_title(page, server):
    try:
        page.goto(f"{page.base_url}/?from=2026-10-01&to=2026-11-20")
        page.get_by_text("Latest matching articles").wait_for()
        link = page.locator("table.latest-articles a.article-link").first
        link.wait_for()
        assert link.inner_text() == SCRIPT_TITLE  # the markup is shown as text
        link.click()
        page.wait_for_url("**/article?item=*")
        page.locator("div.article-text mark").first.wait_for()
        marks = page.locator("div.article-text mark")
        assert marks.count() == 4
        assert "Cold War mentality" in marks.all_inner_texts()
        assert page.locator("h2.article-title").inner_text() == SCRIPT_TITLE
        assert page.locator("script:has-text('pwned')").count() == 0 and not page.dialogs
    except Exception:
        print(_dump_on_failure(server))
        raise
