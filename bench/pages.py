"""7. Dashboard pages in a real browser: every page's full render in headless Debian
chromium against Streamlit's floor, and the server's memory after many searches.

- Floor: a trivial Streamlit page (one `st.write`) served by the same Streamlit, started
  the same way (tests/dashboard_fixtures.start_dashboard), on the same machine.
- A page's render time runs from the navigation's start (the document's time origin) to
  the last change of the page's DOM once the render is complete: Streamlit's script
  state on the app root (`data-test-script-state`) has gone through "running" and is
  "notRunning", no spinner, skeleton or running-status widget is shown, and the DOM has
  not changed for `QUIET_MS` (so reruns and charts drawn after the script ended are
  inside the figure, the quiet wait itself is not).  Each page is visited once before
  the rounds (the first visit, which fills the server's caches, is reported beside),
  then the floor and every page take turns in each round, the order rotating.
- Memory: a fresh server, the Articles page, and `SEARCHES` distinct searches typed into
  its search box one after another in that session; the server process's VmRSS and
  VmHWM from /proc (the export is never clicked: it must not be built).

Stores of 10,000 and 1,000,000 items (quick: 10,000, one round) come from
bench/storebuild.py as in the dashboard benchmark, and are kept under
bench/results/work/ keyed by everything that shapes them (so a rerun reuses the
1M-item store instead of spending minutes rebuilding it; a kept store is migrated to
the current schema when reused, as `ingest run` migrates an analyst's store).
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from ingest.config import load_config
from ingest.lexicon import load_lexicon
from store import Store
from tests.builders import write_config
from tests.dashboard_fixtures import CHROMIUM, CHROMIUM_ARGS, start_dashboard

from .common import LEXICON, REPO, ROUNDS, Row, fmt_ratio, headlines, median, ratio_spread, spread, timed, verdict
from .storebuild import build_store

BENCH = "7 pages"
WORK = REPO / "bench" / "results" / "work"
PAGES = {
    "Overview": "", "Compare": "compare", "Sources": "sources", "Lexicon": "lexicon", "Articles": "articles",
    "Article": "article?item=1", "Briefing": "briefing", "Watches": "watches", "Alerts": "alerts",
}
FLOOR_APP = 'import streamlit as st\n\nst.write("The floor: a trivial Streamlit page.")\n'
# Reference pages: the floor plus ONE element of the kinds the dashboard's pages are made
# of, so the report shows what a single chart, grid or filter form costs in this browser
# on this machine, whatever the store holds (no page of the dashboard is in these).
_DATA = ('import pandas as pd\n'
         'df = pd.DataFrame({"day": pd.date_range("2024-01-01", periods=90).repeat(3), "value": range(270),'
         ' "concept": ["a", "b", "c"] * 90})\n')
REFERENCE_APPS = {
    "one Altair line chart (3 series x 90 days)": FLOOR_APP + _DATA + (
        'import altair as alt\n'
        'st.altair_chart(alt.Chart(df).mark_line().encode(x="day:T", y="value:Q", color="concept:N"),'
        ' width="stretch")\n'),
    "one st.dataframe (50 rows)": FLOOR_APP + _DATA + 'st.dataframe(df.head(50), hide_index=True)\n',
    "a filter form (9 multiselects in 3 columns)": FLOOR_APP + (
        'cols = st.columns(3)\n'
        'for i in range(9):\n'
        '    cols[i % 3].multiselect(f"Filter {i}", ["a", "b", "c"], key=f"f{i}")\n'),
    "one 50-row HTML table (st.html)": FLOOR_APP + (
        'st.html("<table>" + "".join(f"<tr><td>{i}</td><td>row {i}</td></tr>" for i in range(50))'
        ' + "</table>")\n'),
}
QUIET_MS = 750
TIMEOUT_MS = 300_000
RATIO_TARGET = 1.5
RSS_TARGET_MIB = 512

# Installed in every document before its own scripts: the time of the last DOM change, and
# whether Streamlit's script has been seen running since the flag was last cleared.
_OBSERVER = """
(() => {
  const s = {last: 0, ran: false};
  window.__bench = s;
  const state = 'data-test-script-state';
  new MutationObserver((records) => {
    s.last = performance.now();
    for (const r of records) {
      if (r.attributeName === state && (r.oldValue === 'running' || r.target.getAttribute(state) === 'running')) {
        s.ran = true;
      }
    }
  }).observe(document, {subtree: true, childList: true, attributes: true, characterData: true,
                        attributeOldValue: true});
})();
"""
_READY = """
(quiet) => {
  const s = window.__bench;
  const app = document.querySelector('[data-testid="stApp"]');
  if (!s || !app || !s.ran || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (document.querySelector('[data-testid="stSkeleton"], [data-testid="stSpinner"], [data-testid="stStatusWidget"]'))
    return false;
  return performance.now() - s.last >= quiet ? s.last : false;
}
"""


def run(quick: bool) -> list[Row]:
    sizes = (10_000,) if quick else (10_000, 1_000_000)
    rounds = 1 if quick else ROUNDS
    searches = 5 if quick else 100
    rows: list[Row] = []
    for n in sizes:
        config, built = cached_store(n)
        rows.append(Row(BENCH, f"{n:,} items: store", "reused from bench/results/work" if built is None
                        else f"built in {built:.0f} s"))
        with tempfile.TemporaryDirectory(prefix="bench-pages-") as tmp:
            rows += _render_rows(n, _time_pages(config, Path(tmp), rounds), rounds)
            rows += _rss_rows(n, _searches(config, Path(tmp), search_terms(searches)), searches)
    return rows


# ---- stores ---------------------------------------------------------------------------


def cached_store(n: int) -> tuple[Path, float | None]:
    """The config of a bench store of `n` items, built once per key: (config path, build
    seconds or None when reused).  A build that did not finish leaves no `complete` mark."""
    lexicon = load_lexicon(LEXICON)
    texts = [("en", h) for h in headlines()]
    directory = store_dir(n, lexicon.content_hash, texts)
    if (directory / "complete").exists():
        with Store(load_config(directory / "config.toml").store_path):
            pass  # a newer schema migrates the kept store, as `ingest run` does an analyst's
        return directory / "config.toml", None
    for old in WORK.glob(f"store-{n}-*"):  # another key's store: stale, and large
        shutil.rmtree(old)
    directory.mkdir(parents=True)
    config_path = write_config(directory, [])
    config = load_config(config_path)
    seconds, _ = timed(lambda: build_store(config.store_path, lexicon, texts, n, config=config))
    (directory / "complete").write_text(f"{n} items, {directory.name}\n", encoding="utf-8")
    return config_path, seconds


def store_dir(n: int, lexicon_hash: str, texts: list[tuple[str, str]]) -> Path:
    key = hashlib.sha256(json.dumps([
        n, lexicon_hash, (REPO / "bench" / "storebuild.py").read_text(encoding="utf-8"),
        hashlib.sha256("\n".join(t for _, t in texts).encode()).hexdigest(),
    ]).encode()).hexdigest()[:16]
    return WORK / f"store-{n}-{key}"


def search_terms(count: int) -> list[str]:
    """`count` distinct words of the headlines, the most frequent first (the searches that
    hit the most items: the heaviest for memory)."""
    words = Counter(w.lower() for h in headlines() for w in re.findall(r"[A-Za-z]{5,}", h))
    return [w for w, _ in sorted(words.items(), key=lambda kv: (-kv[1], kv[0]))[:count]]


# ---- the browser ------------------------------------------------------------------------


class _Servers:
    """The dashboard and the floor page, each its own `streamlit run`, stopped on exit."""

    def __init__(self, config: Path, directory: Path, floor: bool = True):
        self.procs: list[subprocess.Popen] = []
        proc, self.base, self.stderr = start_dashboard(config, directory)
        self.procs.append(proc)
        self.pid = proc.pid
        self.references: dict[str, str] = {}
        if floor:
            self.floor = self._start(config, directory, "floor", FLOOR_APP)
            for i, (name, source) in enumerate(REFERENCE_APPS.items()):
                self.references[name] = self._start(config, directory, f"reference{i}", source)

    def _start(self, config: Path, directory: Path, stem: str, source: str) -> str:
        app = directory / f"{stem}.py"
        app.write_text(source, encoding="utf-8")
        proc, base, _ = start_dashboard(config, directory, app=app)
        self.procs.append(proc)
        return base

    def __enter__(self) -> _Servers:
        return self

    def __exit__(self, *exc: object) -> None:
        for proc in self.procs:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


def _visit(tab: Any, url: str) -> float:
    """Milliseconds from the navigation's start to the end of the full render of `url`."""
    tab.goto(url, wait_until="commit")
    return _settled(tab, f"{url}")


def _settled(tab: Any, what: str) -> float:
    last = tab.wait_for_function(_READY, arg=QUIET_MS, timeout=TIMEOUT_MS, polling=100).json_value()
    errors = tab.locator("[data-testid='stException']")
    if errors.count():
        raise RuntimeError(f"{what}: {errors.first.inner_text()[:300]}")
    return float(last)


def _browser(p: Any) -> Any:
    browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    tab = browser.new_page(viewport={"width": 1400, "height": 1000})
    tab.add_init_script(_OBSERVER)
    return browser, tab


def _time_pages(config: Path, directory: Path, rounds: int) -> dict[str, Any]:
    """{"first": {page: ms}, "rounds": {side: [ms per round]}} with the floor as a side."""
    from playwright.sync_api import sync_playwright

    with _Servers(config, directory) as servers, sync_playwright() as p:
        browser, tab = _browser(p)
        try:
            urls = {"floor": servers.floor + "/"} | {name: f"{servers.base}/{path}" for name, path in PAGES.items()}
            urls |= {name: base + "/" for name, base in servers.references.items()}
            for name in ["floor", *REFERENCE_APPS]:
                _visit(tab, urls[name])
            first = {name: _visit(tab, urls[name]) for name in PAGES}
            names = list(urls)
            out: dict[str, list[float]] = {n: [] for n in names}
            for r in range(max(1, rounds)):
                for name in names[r % len(names):] + names[: r % len(names)]:
                    out[name].append(_visit(tab, urls[name]))
        finally:
            browser.close()
    return {"first": first, "rounds": out}


def _rss(pid: int) -> dict[str, float]:
    fields = {}
    with open(f"/proc/{pid}/status", encoding="utf-8") as fh:
        for line in fh:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                fields[key] = int(value.split()[0]) / 1024
    return fields


def _searches(config: Path, directory: Path, terms: list[str]) -> dict[str, Any]:
    """RSS of a fresh dashboard server before and after `terms` typed one by one into the
    Articles page's search box (one session, like an analyst at work)."""
    from playwright.sync_api import sync_playwright

    with _Servers(config, directory, floor=False) as servers, sync_playwright() as p:
        browser, tab = _browser(p)
        try:
            _visit(tab, f"{servers.base}/articles")
            before = _rss(servers.pid)
            box = tab.get_by_label("Search title and text")
            seconds = []
            for term in terms:
                tab.evaluate("() => { window.__bench.ran = false; }")
                box.fill(term)
                t0 = tab.evaluate("() => performance.now()")
                box.press("Enter")
                seconds.append((_settled(tab, f"search {term!r}") - t0) / 1000)
            tab.get_by_text("article(s)").first.wait_for()
            after = _rss(servers.pid)
        finally:
            browser.close()
    return {"before": before, "after": after, "seconds": seconds}


# ---- rows -------------------------------------------------------------------------------


def _render_rows(n: int, timing: dict[str, Any], rounds: int) -> list[Row]:
    floor = timing["rounds"]["floor"]
    rows = [Row(BENCH, f"{n:,} items: floor page (one st.write), full render",
                f"{median(floor):,.0f} ms ({spread(floor)})")]
    for name in REFERENCE_APPS:  # no verdict: what one element costs, for reading the pages' ratios
        times = timing["rounds"][name]
        rows.append(Row(BENCH, f"{n:,} items: reference, the floor plus {name} / floor",
                        f"{fmt_ratio(median(times) / median(floor))}: {median(times):,.0f} ms "
                        f"({spread(times)}; {ratio_spread(times, floor)})"))
    worst = 0.0
    for name in PAGES:
        times = timing["rounds"][name]
        ratio = median(times) / median(floor)
        worst = max(worst, ratio)
        at_scale = n >= 1_000_000
        rows.append(Row(
            BENCH, f"{n:,} items: {name} full render / floor (first visit {timing['first'][name]:,.0f} ms)",
            f"{fmt_ratio(ratio)}: {median(times):,.0f} ms ({spread(times)}; {ratio_spread(times, floor)})",
            f"<= {RATIO_TARGET}x" if at_scale else "", verdict(ratio <= RATIO_TARGET) if at_scale else "",
        ))
    return rows


def _rss_rows(n: int, res: dict[str, Any], searches: int) -> list[Row]:
    after = res["after"]["VmRSS"]
    at_scale = n >= 1_000_000
    secs = res["seconds"]
    return [
        Row(BENCH, f"{n:,} items: server RSS after {searches} distinct searches on Articles "
                   f"(before: {res['before']['VmRSS']:,.0f} MiB; peak {res['after']['VmHWM']:,.0f} MiB)",
            f"{after:,.0f} MiB", f"< {RSS_TARGET_MIB} MiB" if at_scale else "",
            verdict(after < RSS_TARGET_MIB) if at_scale else ""),
        Row(BENCH, f"{n:,} items: one search, typed to rendered (median of {len(secs)})",
            f"{median(secs) * 1000:,.0f} ms ({spread(secs)})"),
    ]
