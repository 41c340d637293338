"""PostgreSQL against SQLite on a store of 1,000,000 items (quick: 2,000): the scaling
benchmark's backends part (bench/scaling.py runs it).

The SQLite store is the dashboard benchmarks' cached 1M-item store (bench/pages.py
`cached_store`: real state-media headlines over 40 sources and 3 years); the PostgreSQL
store is that file copied by `python -m ingest store copy` into a template database of a
kept server (bench/pgstore.py).  Each round starts both sides from that state (a copy of
the SQLite file; a clone of the template database, neither timed), then times, on each:

- ingest: `Ingest.run()` importing a fresh one-source archive of N rows (real MFA/UN text
  pieces of ~800 characters, bench/archive.py `_synthetic`) into the 1M-item store;
- rescore: the first `RESCORE_BATCHES` batches of a batch rescore (ingest/batch_rescore.py,
  2,000 ids each (the default), what `rescore --batches` and every worker do per batch: claim, read,
  score, delete the old scores and write the new ones in one transaction) after one
  concept is added to the lexicon (bench/rescore.py's edit).  A full rescore of a million
  items per round and side is beyond this machine's time here; the batches rescore a fixed
  id range inside the 1M-item store, which is the per-batch cost a full rescore repeats;
- overview: the overview page's store reads (daily tables x2, source spans, latest
  matching, three searches) on the store as the round left it.

The sides are interleaved round by round (`common.interleaved`), ratios PostgreSQL /
SQLite with the spread of the per-round ratios.  The server runs on the same two shared
cores as everything else, `fsync=off` as in the tests (SQLite runs WAL with
`synchronous = NORMAL`): the ratios compare the engines here, not a dedicated server.
"""

from __future__ import annotations

import itertools
import json
import shutil
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from ingest.batch_rescore import BATCH_ITEMS, BatchRescorer
from ingest.config import load_config
from ingest.lexicon import load_lexicon
from ingest.matcher import Matcher
from ingest.pipeline import Ingest
from ingest.score import score_text
from store import Store
from store.article_search import ArticleQuery
from store.reads import StoreReader
from tests.builders import SourceSpec, write_config
from tests.pg_fixtures import PgServer

from . import pgstore
from .archive import _synthetic
from .common import LEXICON, Row, fmt_ratio, headlines, interleaved, load_average, median, ratio_spread, verdict
from .pages import WORK, cached_store
from .rescore import EDIT
from .storebuild import build_store

BENCH = "6 scaling"
RESCORE_BATCHES = 10
LIMITS = {"ingest": 3.0, "rescore": 3.0, "overview": 5.0}


def backends(pg: PgServer, tmp: Path, quick: bool, rounds: int) -> list[Row]:
    n_items = 2_000 if quick else 1_000_000
    n_rows = 200 if quick else 10_000
    batches = 2 if quick else RESCORE_BATCHES
    size = 500 if quick else BATCH_ITEMS
    base_cfg, built = _sqlite_store(tmp, n_items, quick)
    template, made = pgstore.template(pg, base_cfg)
    rows = _store_rows(pg, base_cfg, template, made, built, n_items, quick)
    base = load_config(base_cfg).store_path
    config, lexicon = _archive_config(tmp, n_rows)
    edited = tmp / "lexicon-edited.toml"
    edited.write_text(LEXICON.read_text(encoding="utf-8") + EDIT, encoding="utf-8")
    new_lexicon = load_lexicon(edited)
    times: dict[str, dict[str, list[float]]] = {"ingest": {}, "rescore": {}, "overview": {}}
    counter = itertools.count(1)

    def side(backend: str):
        def go() -> None:
            k = next(counter)
            if backend == "sqlite":
                path = tmp / f"round{k}.sqlite3"
                shutil.copyfile(base, path)
                url = f"sqlite:///{path}"
            else:
                url = pgstore.clone(pg, template, f"round_{k}")
            for key, secs in _round(url, config, lexicon, new_lexicon, batches, size).items():
                times[key].setdefault(backend, []).append(secs)
            if backend == "sqlite":
                for f in tmp.glob(f"round{k}.sqlite3*"):
                    f.unlink()
            else:
                pgstore.drop(pg, f"round_{k}")

        return go

    # jieba's dictionary and other lazy tables load on first use: not what is compared
    score_text("中华人民共和国外交部发言人 common security", Matcher(lexicon), "zh-hans")
    load_before = load_average()
    interleaved({"sqlite": side("sqlite"), "postgresql": side("postgresql")}, rounds)
    labels = {
        "ingest": f"{n_items:,}-item store: archive import of {n_rows:,} new rows",
        "rescore": f"{n_items:,}-item store: batch rescore of ids 1-{batches * size:,} ({batches} batches of {size:,}, "
        "the per-batch path of rescore --batches; not a full rescore)",
        "overview": f"{n_items:,}-item store: overview queries (daily x2, spans, latest, search x3)",
    }
    for key, label in labels.items():
        lite, post = times[key]["sqlite"], times[key]["postgresql"]
        ratio = median(post) / median(lite)
        rows.append(
            Row(
                BENCH,
                f"{label}: PostgreSQL / SQLite",
                f"{fmt_ratio(ratio)} ({ratio_spread(post, lite)}); SQLite {median(lite):.2f} s, "
                f"PostgreSQL {median(post):.2f} s",
                f"<= {LIMITS[key]:.0f}x",
                verdict(ratio <= LIMITS[key]),
            )
        )
    rows.append(
        Row(BENCH, "backends part: load average (1/5/15 min) before / after", f"{load_before}; {load_average()}")
    )
    return rows


def _round(url: str, config, lexicon, new_lexicon, batches: int, size: int) -> dict[str, float]:
    out: dict[str, float] = {}
    with Store(url) as store:
        t0 = time.perf_counter()
        Ingest(config, lexicon, store).run(None)
        out["ingest"] = time.perf_counter() - t0
        rescorer = BatchRescorer(store, new_lexicon, 1.0, 0.5, "bench")
        rescorer.enqueue(size)  # cutting the million ids into batches: once per rescore, not timed
        t0 = time.perf_counter()
        for _ in range(batches):
            rescorer.step(600.0)
        out["rescore"] = time.perf_counter() - t0
        if rescorer.items != batches * size:
            raise RuntimeError(f"rescored {rescorer.items} items, expected {batches * size}")
    t0 = time.perf_counter()
    overview(url)
    out["overview"] = time.perf_counter() - t0
    return out


def overview(url: str) -> None:
    with StoreReader(url) as r:
        first, last = r.day_range()
        assert first and last
        start = (datetime.fromisoformat(last) - timedelta(days=89)).date().isoformat()
        prev = (datetime.fromisoformat(last) - timedelta(days=179)).date().isoformat()
        r.daily_source(prev, last)
        r.daily_concept(prev, last)
        r.source_spans()
        r.latest_matching(start, last, tuple(r.sources()["id"]), 20)
        for text in ("security", "common security", "win-win cooperation"):
            r.search(ArticleQuery(text=text), limit=50)


# ---- the stores ---------------------------------------------------------------------


def _sqlite_store(tmp: Path, n_items: int, quick: bool) -> tuple[Path, float | None]:
    """The SQLite store's config: the cached 1M-item store, or (quick) a small one built here."""
    if not quick:
        return cached_store(n_items)
    directory = tmp / f"store-{n_items}-quick"
    directory.mkdir()
    cfg = write_config(directory, [])
    config = load_config(cfg)
    t0 = time.perf_counter()
    build_store(config.store_path, load_lexicon(LEXICON), [("en", h) for h in headlines()], n_items, config=config)
    return cfg, time.perf_counter() - t0


def _store_rows(
    pg: PgServer, base_cfg: Path, template: str, made: dict | None, built: float | None, n_items: int, quick: bool
) -> list[Row]:
    """How the two stores came to be: the SQLite build and the timed `store copy`.  A copy
    made by an earlier run is reported from its record (bench/results/work/pg/)."""
    record = WORK / "pg" / f"{template}.json"
    if made is not None:
        made = {**made, "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), "load": load_average()}
        if not quick:
            record.write_text(json.dumps(made), encoding="utf-8")
    elif record.exists():
        made = {**json.loads(record.read_text(encoding="utf-8")), "reused": True}
    sqlite_mb = load_config(base_cfg).store_path.stat().st_size / 1e6
    rows = [
        Row(
            BENCH,
            f"{n_items:,}-item store on SQLite ({sqlite_mb:,.0f} MB)",
            "reused from bench/results/work" if built is None else f"built in {built:.0f} s",
        )
    ]
    if made is None:
        rows.append(Row(BENCH, f"{n_items:,}-item store copied to PostgreSQL", "reused; the copy's record is missing"))
        return rows
    when = f" (made by an earlier run, {made['when']}, load {made['load']})" if made.get("reused") else ""
    rows.append(
        Row(
            BENCH,
            f"{n_items:,}-item store copied to PostgreSQL by `python -m ingest store copy` "
            f"({pgstore.size_mb(pg, template):,.0f} MB)",
            f"copy {made['copy']:.0f} s ({n_items / made['copy']:,.0f} items/s, all tables, counts verified); "
            f"then VACUUM ANALYZE {made['vacuum']:.0f} s{when}",
        )
    )
    return rows


def _archive_config(tmp: Path, n_rows: int):
    archive = _synthetic(tmp / f"archive{n_rows}.jsonl", n_rows)
    spec = SourceSpec(
        "arch",
        "cn-official",
        "archive",
        {
            "path": str(archive),
            "fields": {"text": "text", "title": "title", "date": "date", "url": "url", "language": "lang"},
        },
    )
    directory = tmp / "archive-config"
    directory.mkdir()
    config = load_config(write_config(directory, [spec]))
    return config, load_lexicon(config.lexicon_path)
