"""Regenerate docs/briefing-example.html and docs/briefing.png from the real MFA corpus.

    python docs/make_briefing_example.py [--week 2019-W21] [--store /tmp/mfa-briefing]

Imports ../shared/corpus/mfa_spokesperson_2016_2020/mfa_{en,zh}.jsonl as archives (by
path, nothing is copied) into a scratch store with the real ingest, computes the
briefing and screenshots the HTML in headless Debian chromium.  Rerunnable: the
scratch store is reused (the ingest skips what it already holds).
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CORPUS = ROOT.parent / "shared" / "corpus" / "mfa_spokesperson_2016_2020"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


def build_store(directory: Path) -> Path:
    from ingest.config import load_config
    from ingest.lexicon import load_lexicon
    from ingest.pipeline import Ingest
    from store import Store

    directory.mkdir(parents=True, exist_ok=True)
    fields = '{ text = "text", title = "title", date = "date", url = "url", language = "lang" }'
    groups = "\n".join(
        f'[[groups]]\nid = "{g}"\nlabel = "{label}"\ncolour = "{c}"\n'
        for g, label, c in (("cn-official", "Chinese official & state media", "#d62728"),
                            ("western-gov", "Western governments", "#1f77b4"))
    )
    config = directory / "config.toml"
    config.write_text(
        f'[store]\npath = "{directory / "monitor.sqlite3"}"\n'
        f'[scoring]\nlexicon = "{ROOT / "data" / "lexicon.toml"}"\n\n'
        f"{groups}\n"
        f'[[sources]]\nid = "mfa-en"\nname = "MFA spokesperson (English)"\ngroup = "cn-official"\nkind = "archive"\n'
        f'path = "{CORPUS / "mfa_en.jsonl"}"\nfields = {fields}\n\n'
        f'[[sources]]\nid = "mfa-zh"\nname = "MFA spokesperson (Chinese)"\ngroup = "cn-official"\nkind = "archive"\n'
        f'path = "{CORPUS / "mfa_zh.jsonl"}"\nfields = {fields}\n',
        encoding="utf-8",
    )
    cfg = load_config(config)
    with Store(cfg.store_path) as store:
        Ingest(cfg, load_lexicon(cfg.lexicon_path), store, now=datetime(2020, 7, 10, tzinfo=UTC)).run()
    return cfg.store_path


def screenshot(html: Path, png: Path) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 900, "height": 1200}, device_scale_factor=1)
        page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:") else route.abort())
        page.goto(html.resolve().as_uri())
        page.screenshot(path=str(png), full_page=True)
        browser.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--week", default="2019-W17")
    ap.add_argument("--store", type=Path, default=Path("/tmp/mfa-briefing"))
    args = ap.parse_args()
    from analysis.briefing import compute_briefing, render_html
    from store.briefing_reads import BriefingReader

    reader = BriefingReader(build_store(args.store))
    briefing = compute_briefing(reader, args.week)
    html = ROOT / "docs" / "briefing-example.html"
    html.write_text(render_html(briefing), encoding="utf-8")
    screenshot(html, ROOT / "docs" / "briefing.png")
    print(f"{briefing.week}: {briefing.headline.items} items, {len(briefing.movers)} moving concept(s) -> {html}")


if __name__ == "__main__":
    main()
