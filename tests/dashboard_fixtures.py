"""A real store for the dashboard tests, filled by the real ingest from fixtures:
seeds, JSONL archives with known dates and groups, a syndicated copy, and an RSS
feed file whose titles carry markup that must render as text."""

from __future__ import annotations

import html
import importlib.util
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from ingest.config import load_config
from ingest.lexicon import load_lexicon
from ingest.pipeline import Ingest
from store import Store
from store.url import StoreTarget
from tests.builders import REPO, SEED_META, SEEDS, FeedItem, SourceSpec, rss, seed_sources, write_config, write_jsonl

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
FIELDS = {"text": "text", "title": "title", "date": "date", "url": "url"}

GSI = (
    "At the United Nations the foreign minister said the Global Security Initiative calls for common, "
    "comprehensive, cooperative and sustainable security and for dialogue among major countries."
)
COLD_WAR = (
    "The foreign ministry spokesperson said China rejects the Cold War mentality and the zero-sum game "
    "that NATO pursues, and called for peace and stability in the region."
)
PLAIN = "Ministers discussed trade, the weather and tourism at a regional fair."
DISTANCED = (
    'The so-called "Global Security Initiative" was described by NATO diplomats as a rebranding of '
    "Beijing's military diplomacy at the United Nations."
)
SCRIPT_TITLE = '<script>alert("pwned")</script> Cold War mentality returns'
WIRE_COPY = GSI + " The minister repeated the Global Security Initiative twice."

CN_ROWS = [
    ("2026-10-06", "GSI first mention", GSI),
    ("2026-11-02", "GSI at the UN", GSI + " " + PLAIN),
    ("2026-11-03", "Cold War mentality rejected", COLD_WAR),
    ("2026-11-04", "Trade fair", PLAIN),
    ("2026-11-10", "Wire: GSI and Cold War mentality", WIRE_COPY + " " + COLD_WAR),
]
WEST_ROWS = [
    ("2026-11-02", "Weather report", PLAIN),
    ("2026-11-03", "Allies doubt the GSI", DISTANCED),
    ("2026-11-11", "Tourism update", PLAIN),
    ("2026-11-12", "NATO answers Beijing", COLD_WAR),
]
ECHO_ROWS = [("2026-11-10", "Wire: GSI and Cold War mentality (syndicated)", WIRE_COPY + " " + COLD_WAR)]
FEED_ITEMS = [
    FeedItem(SCRIPT_TITLE, COLD_WAR + " " + COLD_WAR, "https://feed.example/a1", datetime(2026, 11, 15, 9, tzinfo=UTC)),
    FeedItem("Quiet news", PLAIN, "https://feed.example/a2", datetime(2026, 11, 16, 9, tzinfo=UTC)),
]


@dataclass(frozen=True)
class FixtureStore:
    config: Path
    store: Path | StoreTarget  # the SQLite file, or the PostgreSQL store when built with a store_url


def _rows(rows, prefix: str) -> list[dict]:
    return [
        {"date": d, "title": t, "text": x, "url": f"https://{prefix}.example/{i}"} for i, (d, t, x) in enumerate(rows)
    ]


def build_store(directory: Path, with_seeds: bool = True, store_url: str | None = None) -> FixtureStore:
    directory.mkdir(parents=True, exist_ok=True)
    cn = write_jsonl(directory / "cn.jsonl", _rows(CN_ROWS, "cn"))
    west = write_jsonl(directory / "west.jsonl", _rows(WEST_ROWS, "west"))
    echo = write_jsonl(directory / "echo.jsonl", _rows(ECHO_ROWS, "echo"))
    feed = directory / "feed.xml"
    feed.write_bytes(rss(FEED_ITEMS, title="Fixture think-tank feed"))
    specs = (seed_specs(directory) if with_seeds else []) + [
        SourceSpec("cn-wire", "cn-official", "archive", {"path": str(cn), "fields": FIELDS}, name="CN wire"),
        SourceSpec("west-desk", "western-gov", "archive", {"path": str(west), "fields": FIELDS}, name="West desk"),
        SourceSpec("echo", "regional-media", "archive", {"path": str(echo), "fields": FIELDS}, name="Echo daily"),
        SourceSpec("tt-feed", "think-tanks", "feed", {"url": str(feed)}, name="Think-tank feed"),
        SourceSpec("dead-feed", "western-media", "feed", {"url": str(directory / "gone.xml")}, name="Dead feed"),
    ]
    settings: dict[str, dict[str, object]] = {"dashboard": {"refresh_seconds": 3600, "page_size": 5}}
    if store_url:
        settings["store"] = {"url": store_url}
    config = write_config(directory, specs, settings=settings)
    run_ingest(config)
    loaded = load_config(config)
    return FixtureStore(config, loaded.store_target if store_url else loaded.store_path)


def seed_specs(directory: Path) -> list[SourceSpec]:
    """The five seeds as `seed` sources; while ingest.extract (seed page-chrome stripping)
    is not in the tree yet, as one archive of the seed group with the same metadata."""
    if importlib.util.find_spec("ingest.extract") is not None:
        return seed_sources()
    rows = [
        {
            "text": (SEEDS / f"{stem}.txt").read_text(encoding="utf-8"),
            "title": title,
            "date": None if published == "undated" else published,
            "url": f"https://seed.example/{stem}",
        }
        for stem, title, published in SEED_META
    ]
    path = write_jsonl(directory / "seeds.jsonl", rows)
    return [
        SourceSpec(
            "seeds", "seed", "archive", {"path": str(path), "fields": FIELDS, "language": "en"}, name="Seed documents"
        )
    ]


def run_ingest(config_path: Path, now: datetime = NOW):
    config = load_config(config_path)
    lexicon = load_lexicon(config.lexicon_path)
    with Store(config.store_target) as store:
        return Ingest(config, lexicon, store, now=now).run()


# ---- a real dashboard server (browser test, screenshots) ---------------------------

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def page_opener(config: Path, monkeypatch):
    """`open_page(page_file, **params)`: the dashboard on `config` in AppTest, switched to one
    page with only `params` in its URL (a link opened afresh), run, and free of exceptions."""
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("MONITOR_CONFIG", str(config))

    def open_page(page_file: str, **params: str) -> AppTest:
        return open_fresh(page_file, params)

    return open_page


def open_fresh(page_file: str | None, params: dict[str, str], timeout: float = 60):
    """The dashboard (on $MONITOR_CONFIG) in AppTest on `page_file` (None: the Overview) with
    only `params` in its URL, as a link opened in a new tab; run, and free of exceptions."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(REPO / "dashboard" / "app.py"), default_timeout=timeout)
    at.run()
    if page_file:
        at.switch_page(f"pages/{page_file}.py")
        at.query_params.clear()
    at.query_params.update(params)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_dashboard(config: Path, log_dir: Path, app: Path | None = None) -> tuple[subprocess.Popen, str, Path]:
    """Start the dashboard (or another Streamlit `app`: the benchmarks' floor page) and wait
    for /_stcore/health; returns (process, base URL, stderr file)."""
    port = free_port()
    stderr = log_dir / f"streamlit-{port}.stderr"
    env = os.environ | {"MONITOR_CONFIG": str(config), "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(app or REPO / "dashboard" / "app.py"),
            "--server.headless",
            "true",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.fileWatcherType",
            "none",
        ],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=stderr.open("wb"),
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


def html_frame(at, css_class: str) -> pd.DataFrame:
    """An htmltable table of an AppTest page back as a frame: columns from data-col, values
    from data-value (raw)."""
    body = next(h.value for h in at.html if f"class='{css_class}'" in h.value)
    table = body[body.index(f"class='{css_class}'") :]
    table = table[: table.index("</table>")]
    columns = [html.unescape(c) for c in re.findall(r"<th data-col='([^']*)'", table)]
    rows = [[json.loads(html.unescape(v)) for v in re.findall(r"<td data-value='([^']*)'", row)]
            for row in re.findall(r"<tr style='border-top[^>]*>(.*?)</tr>", table, re.S)]
    return pd.DataFrame(rows, columns=columns)


# The Overview's and Compare's table expanders, drawn only once opened
OPENED_TABLES = ("ov_numbers", "ov_coverage_open", "cmp_numbers")


def tables_open(at):
    """The page in `at` with its table expanders opened by the analyst (one rerun)."""
    for key in OPENED_TABLES:
        at.session_state[key] = True
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at
