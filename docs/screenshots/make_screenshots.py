"""Screenshots of every dashboard page against a store built from real corpus data.

    python docs/screenshots/make_screenshots.py [--workdir DIR] [--reuse] [--width PX] [--out DIR]

Builds a store with the real ingest from ../shared/corpus (read by path, never
copied): the MFA spokesperson archive (en + zh), the five seeds, UN General
Debate speeches of China, the USA and Russia, and the 2022 state-media headline
archives; plus one feed file and one dead feed so feed health has something to
show.  Then starts `streamlit run dashboard/app.py`, opens each page in headless
chromium and writes docs/screenshots/<page>.png.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from ingest.config import load_config  # noqa: E402
from tests.builders import CORPUS, SourceSpec, corpus_rows, rss, write_config, write_jsonl  # noqa: E402
from tests.dashboard_fixtures import CHROMIUM, CHROMIUM_ARGS, FEED_ITEMS, run_ingest, seed_specs, start_dashboard  # noqa: E402  # noqa: E402

OUT = Path(__file__).resolve().parent
MFA = {"text": "text", "title": "title", "date": "date", "url": "url", "language": "lang"}
UNGDC = {"text": "text", "title": "title", "date": "year"}
HEADLINES = {"text": "title", "title": "title", "date": "published", "source": "outlet"}
OUTLET_GROUPS = {"CGTN": "cn-official", "China Daily": "cn-official", "Global Times": "cn-official",
                 "Xinhuanet (English)": "cn-official", "BBC News": "western-media"}


def corpus_sources(work: Path) -> list[SourceSpec]:
    specs = seed_specs(work)
    specs += [
        SourceSpec("mfa-en", "cn-official", "archive", {"path": str(CORPUS / "mfa_spokesperson_2016_2020/mfa_en.jsonl"),
                                                        "fields": MFA}, name="MFA spokesperson (English)"),
        SourceSpec("mfa-zh", "cn-official", "archive", {"path": str(CORPUS / "mfa_spokesperson_2016_2020/mfa_zh.jsonl"),
                                                        "fields": MFA}, name="外交部发言人 (Chinese)"),
    ]
    for iso3, group, name in (("CHN", "cn-official", "UN General Debate: China"),
                              ("USA", "western-gov", "UN General Debate: United States"),
                              ("RUS", "ru-official", "UN General Debate: Russia")):
        rows = corpus_rows("ungdc_selected_1971_2024/ungdc_selected.jsonl",
                           where=lambda r, c=iso3: r["iso3"] == c)
        for r in rows:
            speaker = r.get("speaker") or "speaker unknown"
            r["title"] = f"{r['country']} at the UN General Debate {r['year']} ({speaker})"
        path = write_jsonl(work / f"ungdc_{iso3}.jsonl", rows)
        specs.append(SourceSpec(f"ungdc-{iso3.lower()}", group, "archive",
                                {"path": str(path), "fields": UNGDC, "language": "en"}, name=name))
    for outlet in ("cgtn", "xinhuanet", "globaltimes", "chinadaily", "bbc"):
        specs.append(SourceSpec(f"headlines-{outlet}", "cn-official", "archive", {
            "path": str(CORPUS / f"cn_state_media_headlines_2022/{outlet}_headlines.csv"), "fields": HEADLINES,
            "source_groups": OUTLET_GROUPS, "language": "en"}, name=f"Headlines 2022 ({outlet})"))
    feed = work / "feed.xml"
    feed.write_bytes(rss(FEED_ITEMS, title="Fixture think-tank feed"))
    specs += [SourceSpec("tt-feed", "think-tanks", "feed", {"url": str(feed)}, name="Think-tank feed (fixture)"),
              SourceSpec("dead-feed", "western-media", "feed", {"url": str(work / "gone.xml")},
                         name="Dead feed (fixture)")]
    return specs


def build(work: Path, reuse: bool) -> Path:
    config = work / "config.toml"
    if reuse and config.exists() and load_config(config).store_path.exists():
        return config
    config = write_config(work, corpus_sources(work), settings={"dashboard": {"refresh_seconds": 600}})
    report = run_ingest(config, now=datetime.now(UTC).replace(microsecond=0))
    print(f"ingested {report.new} items, {len(report.errors)} source error(s)")
    return config


def add_watch(config: Path) -> None:
    """One saved watch, so the Watches page shows its list and its editor (opened by the
    ?watch= link, as from the list or an alert e-mail) with real values."""
    from store import Store
    from store.watches import Watch, WatchBook

    with Store(load_config(config).store_path) as store:
        book = WatchBook(store.conn)
        book.save(Watch("gsi", "concept", "Global Security Initiative", concepts=("global_security_initiative",),
                        groups=("cn-official",)), datetime.now(UTC))
        book.evaluate("gsi")
        store.bump_data_version()


def pick_article(store: Path) -> int:
    conn = sqlite3.connect(store)
    try:
        row = conn.execute("SELECT id FROM items WHERE source_id = 'ungdc-chn' AND day LIKE '2022%'").fetchone()
        return int(row[0])
    finally:
        conn.close()


def shots(article_id: int) -> dict[str, tuple[str, str]]:
    """page -> (path with query string, a selector that exists once the page has drawn)."""
    span = "from=2016-01-01&to=2024-12-31"
    chart = "[data-testid='stVegaLiteChart'] canvas, [data-testid='stVegaLiteChart'] svg"
    return {
        # The default concepts: the lineage the monitor exists for (dashboard.default_concepts).
        "overview": (f"/?{span}&bucket=month", "table.latest-articles"),
        "compare": (f"/compare?{span}&bucket=month&concepts=community_shared_future&groups=cn-official,"
                    "ru-official,western-gov", chart),
        "sources": (f"/sources?{span}", "text=Feed health"),
        "articles": (f"/articles?q=Global%20Security%20Initiative&{span}", "text=article(s)"),
        "article": (f"/article?item={article_id}", "div.article-text"),
        "lexicon": ("/lexicon", "table.seed-heat"),
        "briefing": ("/briefing?week=2019-W17", "text=Emerging phrases"),
        "watches": ("/watches?watch=gsi", "text=Save watch"),
        "alerts": ("/alerts", "text=Alerts"),
    }


def capture(base: str, paths: dict[str, tuple[str, str]], width: int = 1440, out: Path = OUT) -> None:
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        tab = browser.new_page(viewport={"width": width, "height": 1000}, device_scale_factor=1)
        tab.set_default_timeout(240_000)  # the briefing computes its emerging phrases on first view
        for name, (path, ready) in paths.items():
            tab.goto(base + path)
            tab.locator(ready).first.wait_for()
            tab.locator("[data-test-script-state='notRunning']").first.wait_for(state="attached")
            tab.wait_for_timeout(2000)  # let vega finish drawing
            # Streamlit scrolls inside its own container: grow the window to the page's height
            height = tab.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
            tab.set_viewport_size({"width": width, "height": min(max(int(height) + 40, 1000), 7000)})
            tab.wait_for_timeout(1500)
            tab.screenshot(path=str(out / f"{name}.png"), full_page=True)
            tab.set_viewport_size({"width": width, "height": 1000})
            print("wrote", out / f"{name}.png")
        browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "monitor-screenshots")
    parser.add_argument("--reuse", action="store_true", help="reuse a store built by an earlier run")
    parser.add_argument("--width", type=int, default=1440, help="window width in px (check 1280 and 1920 too)")
    parser.add_argument("--out", type=Path, default=OUT, help="where the PNGs go (default: docs/screenshots)")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    config = build(args.workdir, args.reuse)
    add_watch(config)
    proc, base, stderr = start_dashboard(config, args.workdir)
    try:
        capture(base, shots(pick_article(load_config(config).store_path)), args.width, args.out)
    except Exception:
        print(stderr.read_text(errors="replace"), file=sys.stderr)
        raise
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    json.dumps({})


if __name__ == "__main__":
    main()
