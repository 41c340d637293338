"""The results table, as plain text for the terminal and as docs/benchmarks.md."""

from __future__ import annotations

import os
import platform
import sqlite3
import subprocess
from datetime import UTC, datetime
from importlib import metadata

from .common import REPO, Row

_HEAD = ("Benchmark", "Measure", "Result", "Target", "Verdict")
_PACKAGES = (
    "pyahocorasick", "feedparser", "httpx", "streamlit", "pandas", "flashtext", "spacy", "opencc-python-reimplemented",
)


def render_table(rows: list[Row]) -> str:
    cells = [_HEAD] + [(r.bench, r.measure, r.value, r.target, r.verdict) for r in rows]
    widths = [max(len(c[i]) for c in cells) for i in range(len(_HEAD))]
    lines = ["  ".join(c[i].ljust(widths[i]) for i in range(len(_HEAD))).rstrip() for c in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def machine() -> list[tuple[str, str]]:
    cpu = platform.processor() or ""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            cpu = next((ln.split(":", 1)[1].strip() for ln in fh if ln.startswith("model name")), cpu)
    except OSError:
        pass
    try:
        with open("/proc/meminfo", encoding="utf-8") as fh:
            mem = f"{int(fh.readline().split()[1]) / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        mem = "?"
    versions = []
    for name in _PACKAGES:
        try:
            versions.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name} (not installed)")
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True,
                                text=True, check=False).stdout.strip()
    except OSError:
        commit = "?"
    return [
        ("Date", datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")),
        ("Commit", commit or "?"),
        ("Machine", f"{cpu}, {os.cpu_count()} cores, {mem} RAM, {platform.system()} {platform.release()}"),
        ("Python", f"{platform.python_version()}, SQLite {sqlite3.sqlite_version}"),
        ("Packages", ", ".join(versions)),
    ]


def render_markdown(rows: list[Row], quick: bool, elapsed: float) -> str:
    out = [
        "# Benchmarks",
        "",
        "Written by `python -m bench` (the full run); `python -m bench --quick` is the smoke version run by",
        "`tests/test_bench_quick.py`. Every ratio below is measured in the same run on the same machine;",
        "the machine is small and shared, so compare ratios, not absolute numbers across runs.",
        "How each benchmark builds its data and what it times: `bench/README.md`.",
        "",
    ]
    if quick:
        out += ["**This is a quick run (small sizes); targets are not meaningful at these sizes.**", ""]
    out += [f"- **{k}:** {v}" for k, v in machine()]
    out += [f"- **Run time:** {elapsed:.0f} s", "", "| " + " | ".join(_HEAD) + " |", "|" + "---|" * len(_HEAD)]
    for r in rows:
        cells = (r.bench, r.measure, r.value, r.target, f"**{r.verdict}**" if r.verdict == "MISSED" else r.verdict)
        out.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    notes = REPO / "bench" / "NOTES.md"
    if notes.exists():
        out += ["", notes.read_text(encoding="utf-8").strip()]
    return "\n".join(out) + "\n"
