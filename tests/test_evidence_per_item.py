"""Issue 9 point 6: headline-only items and full-text items are different kinds of evidence,
told apart per item (a source can mix both), stored by the real ingest and kept apart in the
aggregates, so the Evidence filter and the split on the trend pages count items, not sources."""

from __future__ import annotations

import csv
import sqlite3
from datetime import UTC, date, datetime, timedelta

import pandas as pd
import pytest

from analysis import periods, trends
from analysis.evidence import evidence_note, of_evidence, split_by_evidence
from ingest.config import load_config
from ingest.lexicon import load_lexicon
from ingest.pipeline import Ingest
from store import Store
from store.evidence import headline_only
from store.reads import StoreReader
from tests.builders import SourceSpec, write_config, write_jsonl
from tests.dashboard_fixtures import page_opener, tables_open

FIRST, LAST = date(2026, 11, 2), date(2026, 11, 15)
NOW = datetime(2026, 11, 16, 6, tzinfo=UTC)
FIELDS = {"text": "text", "title": "title", "date": "date", "url": "url"}
BODY = (
    "The minister said win-win cooperation would guide the new trade agreement. Win-win cooperation, he "
    "added, and mutual benefit through win-win cooperation are the basis of the partnership. "
)


@pytest.mark.parametrize(
    ("title", "text", "expected"),
    [
        ("Win-win cooperation agreed", "", True),
        ("Win-win cooperation agreed", "Win-win cooperation agreed", True),
        ("Win-win cooperation agreed", "  win-win   cooperation\nagreed …", True),
        ("Win-win cooperation agreed", "Win-win cooperation agreed »", True),
        ("", "", True),
        ("Win-win cooperation agreed", "Win-win cooperation agreed. The ministers met in Beijing.", False),
        ("Trade", BODY, False),
        ("", BODY, False),
        ("中方同意合作共赢", "中方同意合作共赢", True),
        ("中方同意合作共赢", "中方同意合作共赢。双方讨论了贸易。", False),
    ],
)
def test_an_item_is_headline_only_when_it_has_no_body_beyond_its_title(title, text, expected):
    assert headline_only(title, text) is expected


def _days():
    day = FIRST
    while day <= LAST:
        yield day
        day += timedelta(days=1)


def mixed_rows() -> list[dict]:
    """A source that mixes both kinds: each day two full texts and three bare headlines."""
    rows = []
    for day in _days():
        for i in range(2):
            rows.append(
                {"date": day.isoformat(), "title": f"Report {day} {i}", "text": BODY, "url": f"https://m/{day}/{i}"}
            )
        for i in range(3):
            title = f"Headline {day} {i}: win-win cooperation" if i == 0 else f"Headline {day} {i}: markets"
            rows.append({"date": day.isoformat(), "title": title, "text": "", "url": f"https://m/{day}/h{i}"})
    return rows


@pytest.fixture(scope="module")
def store(tmp_path_factory, module_store_url):
    """Built once per backend: the evidence split is checked on SQLite and on PostgreSQL."""
    directory = tmp_path_factory.mktemp("evidence")
    write_jsonl(directory / "mixed.jsonl", mixed_rows())
    with (directory / "heads.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["title", "published"])
        for day in _days():
            for i in range(10):
                writer.writerow([f"Wire headline {day} {i}" + (": win-win cooperation" if i < 2 else ""), day])
    specs = [
        SourceSpec("mixed", "cn-official", "archive", {"path": str(directory / "mixed.jsonl"), "fields": FIELDS}),
        SourceSpec(
            "heads",
            "western-media",
            "archive",
            {
                "path": str(directory / "heads.csv"),
                "format": "csv",
                "fields": {"text": "title", "title": "title", "date": "published"},
            },
        ),
    ]
    config_path = write_config(directory, specs, settings={"store": {"url": module_store_url}})
    config = load_config(config_path)
    with Store(config.store_target) as s:
        Ingest(config, load_lexicon(config.lexicon_path), s, now=NOW).run()
    return config_path, config.store_target


def test_the_ingest_stores_each_items_kind_and_the_aggregates_keep_them_apart(store):
    _, target = store
    with StoreReader(target) as r:  # the store's own connection: either backend
        kinds = {
            str(k): int(n)
            for k, n in r.conn.execute("SELECT source_id || ':' || headline_only, count(*) FROM items GROUP BY 1")
        }
        agg = {
            str(k): int(n)
            for k, n in r.conn.execute("SELECT source_id || ':' || headline, sum(items) FROM daily_source GROUP BY 1")
        }
    assert kinds == {"mixed:0": 28, "mixed:1": 42, "heads:1": 140}
    assert agg == kinds


def _daily(path):
    with StoreReader(path) as r:
        return r.daily_source("2026-01-01", "2026-12-31"), r.daily_concept("2026-01-01", "2026-12-31"), r.sources()


def test_the_evidence_filter_counts_each_items_own_kind_not_its_sources(store):
    ds, dc, sources = _daily(store[1])
    period = periods.Period(FIRST, LAST)
    mixed = sources[sources["id"] == "mixed"]
    by_kind = {}
    for kind in ("full text", "headlines"):
        out = trends.trend(of_evidence(ds, kind), of_evidence(dc, kind), mixed, period, "week", ["win_win_cooperation"])
        by_kind[kind] = out[["numerator", "denominator"]].sum().tolist()
    assert by_kind == {"full text": [28, 28], "headlines": [14, 42]}
    note = evidence_note(of_evidence(ds, "headlines"), sources, period, "week")
    assert "0 full-text item(s) and 182 headline-only item(s)" in note


def test_the_split_by_evidence_draws_one_series_per_kind_of_item(store):
    ds, dc, sources = _daily(store[1])
    period = periods.Period(FIRST, LAST)
    ts, tc, split = split_by_evidence(ds, dc, sources)
    out = trends.trend(ts, tc, split, period, "week", ["win_win_cooperation"], by_group=True)
    got = out.groupby("group_id")[["numerator", "denominator"]].sum().to_dict("index")
    assert got == {
        "full text": {"numerator": 28, "denominator": 28},
        "headlines": {"numerator": 42, "denominator": 182},
    }
    per = trends.trend(ts, tc, split, period, "week", ["win_win_cooperation"], by_group=True, per_source=True)
    week = per[(per["group_id"] == "headlines") & (per["bucket"] == pd.Timestamp("2026-11-02"))].iloc[0]
    # the mean of each source's share among its headlines: mixed 7 of 21, heads 14 of 70
    assert week["share"] == pytest.approx((7 / 21 + 14 / 70) / 2) and week["sources"] == 2


@pytest.fixture
def page(store, monkeypatch):
    return page_opener(store[0], monkeypatch)


ARGS = {"from": "2026-11-02", "to": "2026-11-15", "bucket": "week", "concepts": "win_win_cooperation"}


def _table(at) -> pd.DataFrame:
    return next(df.value for df in tables_open(at).dataframe if "denominator" in df.value.columns)


def test_compare_splits_a_mixed_source_item_by_item(page):
    at = page("compare", **ARGS, mode="evidence", groups="cn-official")
    table = _table(at)
    got = table.groupby("group")["denominator"].sum().to_dict()
    assert got == {"full text": 28, "headlines": 42}, "the mixed source's headlines are headlines"
    shown = " ".join(c.value for c in at.caption)
    assert "28 full-text item(s) and 42 headline-only item(s)" in shown


def test_overview_filter_keeps_a_mixed_sources_full_texts_only(page):
    at = page("overview", **ARGS, groups="cn-official,western-media", evidence="full text")
    shown = " ".join(c.value for c in at.caption)
    assert "28 full-text item(s) and 0 headline-only item(s)" in shown
    assert at.metric[0].value == "28", "Items ingested counts the full texts only"
    latest = " ".join(h.proto.body for h in at.get("html"))
    assert "Report 2026-11-15" in latest and "Headline 2026-11-15" not in latest, "the latest list is filtered too"


def test_migration_classifies_stored_items_and_splits_the_aggregates(tmp_path):
    """SQLite only: the old store is an SQLite file written by hand at schema version 6."""
    from store.schema import MIGRATIONS

    path = tmp_path / "v6.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE migrations (id INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)")
    for mid, name, sql in MIGRATIONS:
        if mid > 6:
            break
        conn.executescript(sql)
        conn.execute("INSERT INTO migrations VALUES (?, ?, '2026-01-01T00:00:00Z')", (mid, name))
    conn.execute(
        "INSERT INTO sources (id, name, group_id, kind, language, first_seen_at) "
        "VALUES ('a', 'a', 'g', 'archive', 'en', '')"
    )
    old = [("Bare headline", "Bare headline"), ("Blank text", ""), ("Spaced", " Spaced\n"), ("Report", BODY)]
    for n, (title, text) in enumerate(old):
        conn.execute(
            """INSERT INTO items (source_id, title, text, language, published_at, day, fetched_at, content_hash,
                 text_hash, words, score, matching, lexicon_hash, date_precision)
               VALUES ('a', ?, ?, 'en', '2026-11-02T00:00:00Z', '2026-11-02', '2026-11-02T00:00:00Z', ?, ?, 1, 0, 0,
                       'h', 'day')""",
            (title, text, f"c{n}", f"t{n}"),
        )
    conn.commit()
    conn.close()
    with Store(path) as s:
        got = {r[0]: r[1] for r in s.conn.execute("SELECT title, headline_only FROM items")}
        agg = sorted(tuple(r) for r in s.conn.execute("SELECT day, source_id, headline, items FROM daily_source"))
    assert got == {"Bare headline": 1, "Blank text": 1, "Spaced": 1, "Report": 0}
    assert agg == [("2026-11-02", "a", 0, 1), ("2026-11-02", "a", 1, 3)]


def test_the_articles_page_filters_by_each_items_kind_as_the_trends_do(store, page):
    from store.article_search import ArticleQuery

    with StoreReader(store[1]) as r:
        counts = {h: r.search(ArticleQuery(sources=("mixed",), headline=h), 0, 0)[1] for h in (0, 1, None)}
    assert counts == {0: 28, 1: 42, None: 70}
    # using the concept: 28 full texts; 14 headlines of the mixed source and 28 of the headline source
    for evidence, expected in (("full text", 28), ("headlines", 42)):
        at = page("articles", **ARGS, evidence=evidence)
        assert any(m.value == f"**{expected:,} article(s)**" for m in at.markdown), evidence
        assert at.query_params["evidence"] == evidence
