"""A store built the way a fresh clone builds it offline: the shipped `config.toml`, read by
the real `python -m ingest run`, with its feeds turned off (tests never touch the internet)
and the store in a temporary folder.  Seeds come from data/seeds/, archives from
../shared/corpus/ beside the checkout (where that folder is absent the ingest reports each
archive missing and goes on, as it does for a user).

Building it takes a minute or two, so tests/conftest.py builds it once per test session
(`shipped_store`) for every test that needs it."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from tests.builders import REPO

SHIPPED = REPO / "config.toml"
_KEY = re.compile(r'^(\s*)(path|lexicon)(\s*=\s*)"([^"]*)"(.*)$')


@dataclass(frozen=True)
class ShippedStore:
    config: Path
    store: Path
    report: str  # what the ingest printed


def offline_copy(shipped: Path, store: Path) -> str:
    """The shipped config as TOML text: every relative path made absolute (the copy lives
    elsewhere), the store moved to `store`, each feed `enabled = false`."""
    blocks: list[list[str]] = [[]]
    for line in shipped.read_text(encoding="utf-8").splitlines():
        if line.lstrip().startswith("["):
            blocks.append([])
        blocks[-1].append(line)
    out: list[str] = []
    for block in blocks:
        header = block[0].strip() if block else ""
        is_feed = header == "[[sources]]" and any(re.match(r'\s*kind\s*=\s*"feed"', ln) for ln in block)
        for line in block:
            m = _KEY.match(line)
            if header == "[store]" and m and m.group(2) == "path":
                line = f"{m.group(1)}path = {json.dumps(str(store))}"
            elif m and not Path(m.group(4)).is_absolute():
                line = f"{m.group(1)}{m.group(2)}{m.group(3)}{json.dumps(str((shipped.parent / m.group(4)).resolve()))}"
                line += m.group(5)
            if is_feed and re.match(r"\s*enabled\s*=", line):
                continue
            out.append(line)
        if is_feed:
            out.append("enabled = false")
    return "\n".join(out) + "\n"


def build_shipped_store(directory: Path) -> ShippedStore:
    """Run the real ingest command on the offline copy of the shipped config."""
    directory.mkdir(parents=True, exist_ok=True)
    config, store = directory / "config.toml", directory / "monitor.sqlite3"
    config.write_text(offline_copy(SHIPPED, store), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "ingest", "--config", str(config), "run", "--quiet"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    if done.returncode not in (0, 1) or not store.exists():
        raise RuntimeError(f"ingest of the shipped config failed ({done.returncode}):\n{done.stderr[-4000:]}")
    return ShippedStore(config, store, done.stdout + done.stderr)
