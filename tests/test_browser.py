"""A real server and a real browser: `streamlit run dashboard/app.py` on a free port
against a fixture store, driven by headless chromium through Playwright."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.builders import REPO
from tests.dashboard_fixtures import SCRIPT_TITLE, build_store

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing: install Debian's chromium")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_dashboard(config: Path, log_dir: Path) -> tuple[subprocess.Popen, str, Path]:
    """Start the dashboard and wait for /_stcore/health; returns (process, base URL, stderr file)."""
    port = free_port()
    stderr = log_dir / "streamlit.stderr"
    env = os.environ | {"MONITOR_CONFIG": str(config), "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(REPO / "dashboard" / "app.py"), "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1", "--server.fileWatcherType", "none"],
        cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=stderr.open("wb"),
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited early:\n{stderr.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return proc, base, stderr
        except OSError:
            time.sleep(0.3)
    proc.terminate()
    raise RuntimeError(f"streamlit never became healthy:\n{stderr.read_text(errors='replace')}")


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
