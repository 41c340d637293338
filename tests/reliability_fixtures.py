"""Fixtures for the crash-safety, concurrency and store-state tests.

`build_inputs` derives real inputs from ../shared/corpus (read by path, written
only into a temporary folder): several JSONL archives of real speeches and
spokesperson transcripts, a CSV archive of real headlines, local RSS and Atom
feed files whose items carry real text, and the five seed documents.  They are
big enough that one ingest takes seconds, so a SIGKILL after a random delay
lands in the middle of the run.

`run_cli` / `start_cli` run `python -m ingest` as a real subprocess; `snapshot`
reads a store into plain Python values so two stores can be compared.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tests.builders import CORPUS, REPO, FeedItem, SourceSpec, atom, rss, seed_sources, write_config, write_jsonl

FIELDS = {"text": "text", "title": "title", "date": "date", "url": "url"}


@dataclass(frozen=True)
class Inputs:
    """Source specs over files in `directory`, and the item keys they must produce."""

    directory: Path
    specs: tuple[SourceSpec, ...]
    expected: frozenset[tuple[str, str]]  # (source_id, url or guid) of every fixture item


def _corpus_jsonl(relative: str, limit: int, keep) -> list[dict]:
    out: list[dict] = []
    seen: set[str] = set()
    with (CORPUS / relative).open(encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            text = (row.get("text") or "").strip()
            key = hashlib.sha1(text.encode()).hexdigest()
            if not text or key in seen or not keep(row):
                continue
            seen.add(key)
            out.append(row)
            if len(out) >= limit:
                break
    return out


def _archive(directory: Path, name: str, rows: list[dict]) -> Path:
    return write_jsonl(directory / name, rows)


def build_inputs(directory: Path, scale: int = 1) -> Inputs:
    """Every fixture file under `directory`; `scale` multiplies the rows taken from each corpus."""
    directory.mkdir(parents=True, exist_ok=True)
    specs: list[SourceSpec] = list(seed_sources())
    expected: set[tuple[str, str]] = {(s.id, f"seed:{Path(str(s.extra['path'])).stem}") for s in specs}

    def add_archive(sid: str, group: str, name: str, rows: list[dict], language: str = "auto") -> None:
        path = _archive(directory, name, rows)
        specs.append(SourceSpec(sid, group, "archive", {"path": str(path), "fields": FIELDS, "language": language}))
        expected.update((sid, r["url"]) for r in rows)

    mfa_en = _corpus_jsonl("mfa_spokesperson_2016_2020/mfa_en.jsonl", 40 * scale, lambda r: bool(r.get("date")))
    add_archive(
        "mfa-en",
        "cn-official",
        "mfa_en.jsonl",
        [{"text": r["text"], "title": r["title"], "date": r["date"], "url": r["url"]} for r in mfa_en],
        "en",
    )
    mfa_zh = _corpus_jsonl("mfa_spokesperson_2016_2020/mfa_zh.jsonl", 60 * scale, lambda r: bool(r.get("date")))
    add_archive(
        "mfa-zh",
        "cn-official",
        "mfa_zh.jsonl",
        [{"text": r["text"], "title": r["title"], "date": r["date"], "url": r["url"]} for r in mfa_zh],
    )
    un = _corpus_jsonl("ungdc_selected_1971_2024/ungdc_selected.jsonl", 40 * scale, lambda r: r["year"] >= 1995)
    add_archive(
        "ungdc",
        "western-gov",
        "ungdc.jsonl",
        [
            {
                "text": r["text"],
                "title": f"{r['country']} at the UN, {r['year']}",
                "date": f"{r['year']}-09-25",
                "url": f"https://un.example/{r['id']}",
            }
            for r in un
        ],
        "en",
    )
    us = _corpus_jsonl("us_presidential_speeches_1981_2020/us_presidential_speeches.jsonl", 20 * scale, lambda r: True)
    add_archive(
        "us-speeches",
        "western-gov",
        "us.jsonl",
        [
            {
                "text": r["text"],
                "title": r["title_slug"].replace("-", " "),
                "date": r["date"],
                "url": f"https://speeches.example/{r['id']}",
            }
            for r in us
        ],
        "en",
    )
    specs.append(_headline_csv(directory, 300 * scale, expected))
    feeds = [("feed-rss", "regional-media", "rss"), ("feed-atom", "western-media", "atom")]
    for n, (sid, group, kind) in enumerate(feeds):
        rows = mfa_en[n::2][: 20 * scale]
        items = [
            FeedItem(
                f"{r['title']} ({sid})",
                r["text"],
                f"https://{sid}.example/{i}",
                datetime.fromisoformat(r["date"]).replace(tzinfo=UTC) + timedelta(hours=9),
                guid=f"{sid}-{i}",
            )
            for i, r in enumerate(rows)
        ]
        path = directory / f"{sid}.xml"
        path.write_bytes(rss(items) if kind == "rss" else atom(items))
        specs.append(SourceSpec(sid, group, "feed", {"url": str(path)}))
        expected.update((sid, it.guid or "") for it in items)
    return Inputs(directory, tuple(specs), frozenset(expected))


def _headline_csv(directory: Path, limit: int, expected: set[tuple[str, str]]) -> SourceSpec:
    """Real Global Times headlines as a CSV archive (title only, no body text)."""
    path = directory / "globaltimes.csv"
    seen: set[str] = set()
    with (
        (CORPUS / "cn_state_media_headlines_2022/globaltimes_headlines.csv").open(encoding="utf-8") as src,
        path.open("w", encoding="utf-8", newline="") as out,
    ):
        writer = csv.DictWriter(out, fieldnames=["title", "published", "url"])
        writer.writeheader()
        for row in csv.DictReader(src):
            title = row["title"].strip()
            if not title or title.lower() in seen or not row["published"]:
                continue
            seen.add(title.lower())
            url = f"https://gt.example/{len(seen)}"
            writer.writerow({"title": title, "published": row["published"], "url": url})
            expected.add(("gt-headlines", url))
            if len(seen) >= limit:
                break
    return SourceSpec(
        "gt-headlines",
        "cn-official",
        "archive",
        {
            "path": str(path),
            "fields": {"text": "title", "title": "title", "date": "published", "url": "url"},
            "language": "en",
        },
    )


def write_trial_config(directory: Path, inputs: Inputs, **ingest_settings: Any) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    # small archive batches: a kill can land between two batches of one archive
    settings = {"ingest": {"concurrency": 2, "archive_batch_rows": 25, **ingest_settings}}
    return write_config(directory, inputs.specs, settings=settings)


# ---- the CLI as a real subprocess -------------------------------------------------


def cli_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    env.pop("MONITOR_CONFIG", None)
    return env


def cli_args(config: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "ingest", "--config", str(config), *args]


def start_cli(config: Path, *args: str, stderr=subprocess.PIPE, store_url: str | None = None) -> subprocess.Popen:
    """`python -m ingest --config CONFIG ARGS` as a child process (on `store_url` when given)."""
    env = cli_env() | ({"MONITOR_STORE_URL": store_url} if store_url else {})
    return subprocess.Popen(
        cli_args(config, *args), cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=stderr, text=True
    )


def run_cli(config: Path, *args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run(
        cli_args(config, *args), cwd=REPO, env=cli_env(), capture_output=True, text=True, timeout=timeout
    )


# ---- reading a store back ---------------------------------------------------------


def connect_ro(store: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(f"{store.resolve().as_uri()}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    return conn


def item_count(store: Path) -> int:
    """Items committed so far (0 when the store or its schema does not exist yet)."""
    if not store.exists():
        return 0
    try:
        conn = connect_ro(store)
        try:
            return int(conn.execute("SELECT count(*) FROM items").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.Error:
        return 0


def snapshot(store: Path) -> dict[str, Any]:
    """Everything that must not depend on how often the ingest was killed: per item key its
    scores, matches and per-concept hits, plus the daily aggregates."""
    conn = connect_ro(store)
    try:
        items: dict[tuple[str, str], Any] = {}
        dup_keys: list[tuple[str, str]] = []
        rows = conn.execute(
            "SELECT id, source_id, coalesce(guid, url) AS k, title, words, score, matching, language, "
            "published_at, date_estimated, date_flag, content_hash FROM items"
        ).fetchall()
        by_id = {}
        for r in rows:
            key = (r["source_id"], r["k"])
            if key in items:
                dup_keys.append(key)
            items[key] = {
                "title": r["title"],
                "words": r["words"],
                "score": r["score"],
                "matching": r["matching"],
                "language": r["language"],
                "date_flag": r["date_flag"],
                # an undated or estimated date is the time of the fetch, not of the text
                "published_at": None if r["date_estimated"] or r["date_flag"] else r["published_at"],
                "content_hash": r["content_hash"],
                "matches": [],
                "concepts": {},
            }
            by_id[r["id"]] = key
        for m in conn.execute("SELECT item_id, concept_id, start, end, distanced FROM matches ORDER BY 1, 3, 4, 2"):
            items[by_id[m["item_id"]]]["matches"].append((m["concept_id"], m["start"], m["end"], m["distanced"]))
        for c in conn.execute("SELECT item_id, concept_id, hits, own, distanced, per_1k FROM item_concepts"):
            items[by_id[c["item_id"]]]["concepts"][c["concept_id"]] = (c["hits"], c["own"], c["distanced"], c["per_1k"])
        copies = {
            by_id[r["id"]]: by_id.get(r["copy_of"])
            for r in conn.execute("SELECT id, copy_of FROM items WHERE copy_of IS NOT NULL")
        }
        daily_source = sorted(tuple(r) for r in conn.execute("SELECT * FROM daily_source"))
        daily_concept = sorted(tuple(r) for r in conn.execute("SELECT * FROM daily_concept"))
        return {
            "items": items,
            "duplicates": dup_keys,
            "copies": copies,
            "daily_source": daily_source,
            "daily_concept": daily_concept,
            "count": len(rows),
        }
    finally:
        conn.close()


def health(store: Path) -> dict[str, Any]:
    """integrity_check, foreign keys, the FTS index against its content table, and run rows."""
    conn = sqlite3.connect(store)
    conn.row_factory = sqlite3.Row
    try:
        integrity = [r[0] for r in conn.execute("PRAGMA integrity_check")]
        foreign = [tuple(r) for r in conn.execute("PRAGMA foreign_key_check")]
        try:
            conn.execute("INSERT INTO items_fts(items_fts, rank) VALUES ('integrity-check', 1)")
            fts = "ok"
        except sqlite3.DatabaseError as exc:
            fts = str(exc)
        runs = [dict(r) for r in conn.execute("SELECT id, status, pid FROM runs ORDER BY id")]
        return {"integrity": integrity, "foreign_keys": foreign, "fts": fts, "runs": runs}
    finally:
        conn.close()


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
