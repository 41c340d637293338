"""Both backends, one store: the same ingest gives the same rows and the same figures
on SQLite and on a real PostgreSQL server (started by tests/pg_fixtures.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pandas as pd
import pytest

from analysis.briefing import compute_briefing, render_csv, render_markdown
from analysis.briefing.weeks import IsoWeek
from ingest.config import load_config
from ingest.lexicon import load_lexicon
from ingest.pipeline import Ingest
from ingest.rescore import rescore
from store import Store, StoreError
from store.article_search import ArticleQuery
from store.briefing_reads import BriefingReader
from store.reads import StoreReader
from store.schema import SCHEMA_VERSION
from tests.builders import SourceSpec, corpus_rows, seed_sources, write_config, write_jsonl

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def _config(tmp_path):
    archive = write_jsonl(tmp_path / "mfa.jsonl", corpus_rows("mfa_spokesperson_2016_2020/mfa_en.jsonl", 120))
    spec = SourceSpec(
        "mfa",
        "cn-official",
        "archive",
        {"path": str(archive), "fields": {"text": "text", "title": "title", "date": "date", "url": "url"}},
    )
    return write_config(tmp_path, [*seed_sources(), spec])


def ingest(cfg, url):
    config = load_config(cfg)
    with Store(url) as store:
        return Ingest(config, load_lexicon(config.lexicon_path), store, now=NOW).run(None)


def test_ingest_rerun_and_stats_on_each_backend(tmp_path, store_url):
    cfg = _config(tmp_path)
    first = ingest(cfg, store_url)
    again = ingest(cfg, store_url)
    assert first.new > 100 and not first.errors
    assert again.new == 0
    with Store(load_config(cfg).store_target) as store:
        stats = store.stats()
        assert stats["items"] == first.new and stats["runs"] == 2
        row = store.conn.execute("SELECT max(id) FROM migrations").fetchone()
        assert row[0] == SCHEMA_VERSION


def _figures(url: str) -> dict[str, pd.DataFrame]:
    with StoreReader(url) as r:
        first, last = r.day_range()
        assert first and last
        sources = tuple(r.sources()["id"])
        ids = [int(i) for i in r.search(ArticleQuery(), limit=None)[0]["id"]]
        out = {
            "day_range": pd.DataFrame([r.day_range(), r.day_range(("seed",))]),
            "daily_source": r.daily_source(first, last),
            "daily_concept": r.daily_concept(first, last),
            "spans": r.source_spans(),
            "totals": r.concept_totals(),
            "monthly": r.concept_monthly_hits(),
            "latest": r.latest_matching(first, last, sources, 50),
            "hits": r.item_concept_hits(ids[:40]),
            "health": r.feed_health(),
            "seeds": r.seed_concepts(),
        }
        searches = (
            "security",
            "SECURITY",
            "中国",
            "hegemon",
            "xi",
            "win-win  cooperation",
            "100%",
            "a_b",
            '"common security" -cold',
            "secur* AND NOT title:china",
            "hegemon* OR bloc",
            "NEAR(cooperation security, 5)",
            "title:security lang:en",
            "concept:common_security group:cn-official",
        )
        for text in searches:
            out[f"search {text}"] = r.search(ArticleQuery(text=text), limit=20)[0]
            out[f"count {text}"] = pd.DataFrame([r.search(ArticleQuery(text=text), limit=0)[1]])
        query = ArticleQuery(
            concepts=("common_security", "new_security_concept"), voice="own", min_score=0.5, sort="score"
        )
        out["concept search"] = r.search(query, limit=30)[0]
        for unplaced in (False, True):  # the period at each item's own date precision
            dated = ArticleQuery(start="2014-01-01", end="2023-03-15", unplaced=unplaced)
            out[f"period search {unplaced}"] = r.search(dated, limit=None)[0]
        out["period left out"] = pd.DataFrame([r.search_left_out(ArticleQuery(start="2023-03-02", end="2023-12-31"))])
        out["off the months"] = pd.DataFrame([r.concept_uses_off_the_months()])
        out["matches"] = r.item_matches(ids[0])
        out["copies"] = r.copies(ids[0])
        out["passage texts"], out["passage spans"] = r.passages(ids[:10])
    with BriefingReader(url) as b:
        first, last = b.day_range()
        out["b source_days"] = b.source_days(first, last, None)
        out["b concept_days"] = b.concept_days(first, last, None)
        out["b history"] = b.concept_history(last)
        out["b matching"] = b.matching_items(first, last, ("cn-official",))
        out["b first"] = b.first_matches(ids[:10])
    return {k: v.sort_values(list(v.columns)).reset_index(drop=True) if len(v.columns) else v for k, v in out.items()}


def test_dashboard_and_briefing_figures_are_identical_on_both_backends(tmp_path, pg_url, monkeypatch):
    monkeypatch.delenv("MONITOR_STORE_URL", raising=False)
    cfg = _config(tmp_path)
    sqlite_url = "sqlite:///" + str(tmp_path / "monitor.sqlite3")
    ingest(cfg, sqlite_url)
    ingest(cfg, pg_url)
    config = load_config(cfg)
    for url in (sqlite_url, pg_url):  # and after a rescore (the aggregates rebuilt in one transaction)
        with Store(url) as store:
            rescore(store, load_lexicon(config.lexicon_path), 1.0, 0.5)
    lite, pg = _figures(sqlite_url), _figures(pg_url)
    assert lite.keys() == pg.keys()
    for name in lite:
        assert len(lite[name]) or name.startswith(("search", "count", "health", "copies")), name
        pd.testing.assert_frame_equal(lite[name], pg[name], check_dtype=False, obj=name)
    counts = {name: int(frame.iloc[0, 0]) for name, frame in lite.items() if name.startswith("count")}
    assert counts["count security"] > counts["count secur* AND NOT title:china"] > 0, counts
    assert counts["count SECURITY"] == counts["count security"]
    assert counts["count NEAR(cooperation security, 5)"] > 0 and counts["count title:security lang:en"] > 0, counts


def test_weekly_briefing_is_identical_on_both_backends(tmp_path, pg_url, monkeypatch):
    """The whole briefing (every figure, test and sentence) rendered from each backend."""
    monkeypatch.delenv("MONITOR_STORE_URL", raising=False)
    cfg = _config(tmp_path)
    sqlite_url = "sqlite:///" + str(tmp_path / "monitor.sqlite3")
    ingest(cfg, sqlite_url)
    ingest(cfg, pg_url)
    rendered = []
    for url in (sqlite_url, pg_url):
        with BriefingReader(url) as reader:
            last = reader.day_range()[1]
            week = IsoWeek.of(date.fromisoformat(last)) if last else None
            briefing = compute_briefing(reader, str(week), today=date.fromisoformat(last) + timedelta(days=8))
            rendered.append((render_markdown(briefing), render_csv(briefing)))
    assert rendered[0] == rendered[1]
    assert "matching items:" in rendered[0][0]


def test_unreachable_postgres_names_setting_and_host(tmp_path):
    with pytest.raises(StoreError, match=r"store\.url.*127\.0\.0\.1.*(refused|connect)") as info:
        Store("postgresql://monitor:hunter2@127.0.0.1:1/monitor")
    assert "hunter2" not in str(info.value) and "Traceback" not in str(info.value)


def test_missing_database_is_reported(pg_server):
    with pytest.raises(StoreError, match=r"store\.url.*does not exist"):
        StoreReader(pg_server.url("no_such_db"))


def test_run_and_stats_print_the_same_figures_on_both_backends(tmp_path, pg_url, monkeypatch, capsys):
    from ingest.cli import main

    cfg = _config(tmp_path)
    printed = []
    for url in ("sqlite:///" + str(tmp_path / "cli.sqlite3"), pg_url):
        monkeypatch.setenv("MONITOR_STORE_URL", url)
        assert main(["--config", str(cfg), "run", "--quiet"]) == 0
        assert main(["--config", str(cfg), "stats"]) == 0
        printed.append(capsys.readouterr().out)
    assert printed[0] == printed[1]
    assert "items" in printed[0] and "new item(s)" in printed[0]
