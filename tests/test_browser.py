"""A real server and a real browser: `streamlit run dashboard/app.py` on a free port
against a fixture store, driven by headless chromium through Playwright."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

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


# ---- views that stay put ---------------------------------------------------------------------

VIEW = "from=2026-10-01&to=2026-11-20&bucket=week&concepts=zero_sum,cold_war_mentality"


def _query(page) -> dict[str, str]:
    from urllib.parse import parse_qsl, urlsplit

    return dict(parse_qsl(urlsplit(page.url).query))


def _settle(tab, path: str, **wanted: str) -> dict[str, str]:
    """Wait until the page at `path` has finished its run with the wanted values in its URL
    (the URL unchanged for a second and no script running); the URL's values."""
    from urllib.parse import urlsplit

    deadline, seen, since = time.monotonic() + 40, None, time.monotonic()
    while time.monotonic() < deadline:
        tab.wait_for_timeout(250)
        if tab.url != seen:
            seen, since = tab.url, time.monotonic()
            continue
        running = tab.locator("[data-testid='stStatusWidget']").count() > 0
        query = _query(tab)
        if (not running and time.monotonic() - since > 1.0 and urlsplit(tab.url).path.rstrip("/") == path.rstrip("/")
                and all(query.get(k) == v for k, v in wanted.items())):
            return query
    raise AssertionError(f"{tab.url} never showed {path} with {wanted}")


def _sidebar(page, title: str) -> None:
    page.locator("[data-testid='stSidebarNav'] a", has_text=title).first.click()


def test_period_groups_concepts_and_toggles_survive_the_sidebar_and_back(page, server):
    view = {"from": "2026-10-01", "to": "2026-11-20", "bucket": "week", "concepts": "zero_sum,cold_war_mentality"}
    try:
        page.goto(f"{page.base_url}/?{VIEW}&groups=cn-official,western-gov&raw=1")
        _settle(page, "/", **view, raw="1", groups="cn-official,western-gov")
        _sidebar(page, "Sources")
        _settle(page, "/sources", **{k: view[k] for k in ("from", "to")}, groups="cn-official,western-gov")
        _sidebar(page, "Compare")  # shows one concept; the analyst's two must survive it
        _settle(page, "/compare", **{k: view[k] for k in ("from", "to", "bucket")}, raw="1")
        _sidebar(page, "Articles")
        _settle(page, "/articles", **{k: view[k] for k in ("from", "to", "concepts")})
        _sidebar(page, "Overview")
        _settle(page, "/", **view, raw="1", groups="cn-official,western-gov")
        page.get_by_text("month", exact=True).first.click()  # the bucket radio
        _settle(page, "/", bucket="month")
        page.go_back()
        _settle(page, "/", **view, raw="1")
        bucket = page.locator("[data-testid='stRadio']", has_text="Bucket")
        assert bucket.locator("label:has(input:checked)").first.inner_text().strip() == "week"
        page.go_forward()
        _settle(page, "/", bucket="month")
    except Exception:
        print(_dump_on_failure(server))
        raise


def test_back_after_a_chart_click_restores_the_overview(page, server):
    view = {"from": "2026-10-01", "to": "2026-11-20", "bucket": "week", "concepts": "zero_sum,cold_war_mentality"}
    try:
        page.goto(f"{page.base_url}/?{VIEW}")
        _settle(page, "/", **view)
        point = page.locator("[data-testid='stVegaLiteChart'] g.mark-symbol path").first
        point.wait_for()
        point.click(force=True)
        drilled = _settle(page, "/articles")
        assert drilled["concepts"] in ("zero_sum", "cold_war_mentality") and drilled["from"] >= view["from"]
        page.get_by_text("article(s)").first.wait_for()
        page.go_back()
        _settle(page, "/", **view)
        _sidebar(page, "Sources")  # the drill-through's narrow period did not become the shared view
        _settle(page, "/sources", **{k: view[k] for k in ("from", "to")})
    except Exception:
        print(_dump_on_failure(server))
        raise


def test_articles_page_and_sort_live_in_the_url_and_a_missing_article_is_named(page, server):
    try:
        page.goto(f"{page.base_url}/articles?from=2026-10-01&to=2026-11-20&sort=score&page=2")
        _settle(page, "/articles", sort="score", page="2")
        page.locator("table.article-list a.article-link").first.wait_for()
        page.locator("[data-testid='stRadio'] label", has_text="title").first.click()
        _settle(page, "/articles", sort="title", page="2")
        page.go_back()
        _settle(page, "/articles", sort="score", page="2")
        page.goto(f"{page.base_url}/article?item=987654")
        page.get_by_text("There is no article with id 987654").wait_for()
    except Exception:
        print(_dump_on_failure(server))
        raise


# ---- nothing cut off at 1280 and 1920 px -------------------------------------------------------

LAYOUT_PAGES = ("", "compare", "sources", "articles?q=%22Cold%20War%22", "article", "lexicon", "briefing")
MEASURE = """() => {
  const wide = [];
  const inner = (el) => el.getBoundingClientRect();
  // data grids scroll sideways when their columns are wider than the grid
  for (const el of document.querySelectorAll('.dvn-scroller')) {
    if (el.scrollWidth > el.clientWidth + 1) wide.push(['data grid', el.scrollWidth, el.clientWidth]);
  }
  // our tables and every chart against the block that holds them
  const drawn = 'table, [data-testid=stVegaLiteChart] svg, [data-testid=stVegaLiteChart] canvas';
  for (const el of document.querySelectorAll(drawn)) {
    const box = el.closest('[data-testid=stElementContainer]');
    if (!box) continue;
    const r = inner(el), b = inner(box);
    if (r.width === 0) continue;  // inside a closed expander
    const name = el.tagName + '.' + (el.className.baseVal ?? el.className);
    if (r.right > b.right + 1 || r.left < b.left - 1) wide.push([name, Math.round(r.width), Math.round(b.width)]);
  }
  // labels drawn with an ellipsis (text wider than its box)
  const cut = [];
  const labels = '[data-testid=stWidgetLabel], [data-testid=stWidgetLabel] *, label, label *, button, button *, ' +
                 '[data-testid=stMetricValue], [data-testid=stMetricValue] *, [data-testid=stMetricLabel] *';
  for (const el of document.querySelectorAll(labels)) {
    const style = getComputedStyle(el);
    const clips = style.textOverflow === 'ellipsis' || style.overflow !== 'visible' || style.overflowX !== 'visible';
    if (clips && el.innerText && el.scrollWidth > el.clientWidth + 1) cut.push(el.innerText.slice(0, 60));
  }
  return {wide, cut, page: document.documentElement.scrollWidth, viewport: window.innerWidth};
}"""


@pytest.mark.parametrize("width", [1280, 1920])
def test_nothing_is_cut_off_and_no_other_host_is_asked(server, width, tmp_path):
    from PIL import Image
    from playwright.sync_api import sync_playwright

    base, _ = server
    outside: list[str] = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            tab = browser.new_page(viewport={"width": width, "height": 1000})
            tab.set_default_timeout(30_000)
            tab.on("request", lambda r: None if r.url.startswith((base, "data:", "blob:")) else outside.append(r.url))
            tab.goto(f"{base}/?{VIEW}")
            tab.locator("table.latest-articles a.article-link").first.wait_for()
            article = tab.locator("table.latest-articles a.article-link").first.get_attribute("href")
            for name in LAYOUT_PAGES:
                path = article if name == "article" else name
                tab.goto(f"{base}/{path}{'&' if '?' in path else '?'}from=2026-10-01&to=2026-11-20")
                _settle(tab, "/" + path.split("?")[0])
                tab.wait_for_timeout(1500)  # charts draw after the script run ends
                found = tab.evaluate(MEASURE)
                # SCREENSHOT_DIR keeps them (to look at, or to refresh docs/screenshots); else a temporary folder
                folder = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path)
                shot = folder / f"{(name or 'overview').split('?')[0]}-{width}.png"
                tab.screenshot(path=str(shot), full_page=True)
                assert found["page"] <= found["viewport"], (name, width, "the page scrolls sideways")
                assert not found["wide"], (name, width, found["wide"])
                assert not found["cut"], (name, width, found["cut"])
                assert tab.get_by_text("Deploy", exact=True).count() == 0, "Streamlit's Deploy button is shown"
                with Image.open(shot) as image:
                    assert image.width == width and image.height >= 600
                    colours = image.convert("RGB").resize((64, 64)).getcolors(64 * 64)
                    assert colours is not None and len(colours) > 20, f"{shot.name} looks blank"
            browser.close()
        assert not outside, f"the page asked other hosts: {sorted(set(outside))[:5]}"
    except Exception:
        print(_dump_on_failure(server))
        raise


# ---------------------------------------------------------------- hostile content in a real browser


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory):
    from tests.test_hostile_input import build_hostile_store

    directory = tmp_path_factory.mktemp("hostile-browser")
    config, store = build_hostile_store(directory)
    proc, base, stderr = start_dashboard(config, directory)
    yield base, stderr, store
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


def test_hostile_content_never_makes_the_browser_ask_another_host(hostile_server):
    """Tracking pixels, remote images and script links in titles, texts, URLs, a feed's name and the
    search text: every request the page makes goes to the dashboard on 127.0.0.1."""
    import sqlite3
    from urllib.parse import quote, urlsplit

    from playwright.sync_api import sync_playwright

    from tests.test_hostile_input import TRACKER

    base, stderr, store = hostile_server
    conn = sqlite3.connect(store)
    items = [
        r[0] for r in conn.execute("SELECT id FROM items WHERE title LIKE '%evil.example%' OR url NOT LIKE 'http%'")
    ]
    conn.close()
    pages = ["/?from=2026-11-01&to=2026-11-20", f"/articles?q={quote(TRACKER)}", "/sources", "/briefing"]
    pages += [f"/article?item={i}" for i in items[:6]]
    requests: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        tab = browser.new_page(viewport={"width": 1400, "height": 1000})
        tab.set_default_timeout(30_000)
        tab.on("request", lambda r: requests.append(r.url))
        dialogs: list[str] = []
        tab.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        try:
            for path in pages:
                tab.goto(base + path)
                tab.wait_for_load_state("networkidle")
                tab.locator("[data-testid='stApp']").wait_for()
                tab.wait_for_timeout(1500)  # let late images and fonts ask, if they would
        except Exception:
            print("---- streamlit stderr ----\n" + stderr.read_text(errors="replace"))
            raise
        finally:
            browser.close()
    outside = [
        u
        for u in requests
        if urlsplit(u).scheme not in ("data", "blob", "about") and urlsplit(u).hostname != "127.0.0.1"
    ]
    assert requests and not outside, outside[:10]
    assert not dialogs


def test_a_link_to_a_page_as_a_fresh_servers_first_request_opens_that_page(tmp_path):
    """Streamlit runs such a request in its old pages/-folder mode unless the page sends it
    through the app's navigation: the page, its query and the wide layout must all hold."""
    from playwright.sync_api import sync_playwright

    store = build_store(tmp_path / "fresh")
    proc, base, stderr = start_dashboard(store.config, tmp_path)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            tab = browser.new_page(viewport={"width": 1280, "height": 1000})
            tab.set_default_timeout(30_000)
            tab.goto(f"{base}/articles?q=%22Cold%20War%22&from=2026-10-01&to=2026-11-20")
            tab.locator("table.article-list a.article-link").first.wait_for()
            nav = tab.locator("[data-testid=stSidebarNav]").inner_text()
            assert "Overview" in nav and "app" not in nav.split(), nav
            assert _query(tab)["q"] == '"Cold War"'
            browser.close()
    except Exception:
        print(stderr.read_text(errors="replace"))
        raise
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(scope="module")
def honest_server(tmp_path_factory):
    from tests.honest_fixtures import build_honest_store

    directory = tmp_path_factory.mktemp("honest-browser")
    store = build_honest_store(directory)
    proc, base, stderr = start_dashboard(store.config, directory)
    yield base, stderr
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


def test_every_page_opens_without_an_exception_box_including_the_default_briefing(honest_server):
    """Issue 9: every page, each on its default view (the Briefing on its default week), over
    a store holding undated, year- and month-dated items and archives with missing fields."""
    from playwright.sync_api import sync_playwright

    base, stderr = honest_server
    paths = ["", "compare", "sources", "articles", "article?item=1", "lexicon", "watches", "alerts", "briefing",
             "briefing?week=not-a-week"]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        tab = browser.new_page(viewport={"width": 1400, "height": 1000})
        tab.set_default_timeout(60_000)
        try:
            for path in paths:
                tab.goto(f"{base}/{path}")
                tab.locator("[data-testid='stMain']").wait_for()
                tab.wait_for_function(
                    "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000
                )
                time.sleep(0.5)
                boxes = tab.locator("[data-testid='stException']")
                assert boxes.count() == 0, f"/{path}: {boxes.first.inner_text()}\n" + stderr.read_text(errors="replace")
                if path.startswith("briefing"):
                    tab.get_by_text("1. Headline").wait_for()  # the briefing itself rendered
        finally:
            browser.close()
