"""Issue 9: numbers an analyst can trust, asserted on a store the real ingest built from
archives with every misleading case (tests/honest_fixtures.py)."""

from __future__ import annotations

import csv
import io
import math
import sqlite3
from datetime import date

import pandas as pd
import pytest

from analysis.briefing import compute_briefing, render_csv, render_html, render_markdown
from analysis.briefing import format as fmt
from ingest.briefing_cli import write_briefing
from ingest.config import load_config
from store.briefing_reads import BriefingReader
from store.reads import StoreReader
from tests.dashboard_fixtures import page_opener, tables_open
from tests.honest_fixtures import HonestStore, build_honest_store

LAST_WEEK = "2026-W47"


@pytest.fixture(scope="module")
def honest(tmp_path_factory, module_store_url) -> HonestStore:
    """Built once per backend: every figure below is checked on SQLite and on PostgreSQL."""
    return build_honest_store(tmp_path_factory.mktemp("honest"), store_url=module_store_url)


def rows(honest: HonestStore, query: str, params=()) -> list[dict]:
    """Rows read through the store's own connection (either backend)."""
    with StoreReader(honest.store) as reader:
        cur = reader.conn.execute(query, params)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


@pytest.mark.parametrize("value", [None, float("nan"), pd.NA, math.nan, "", "  "])
def test_a_missing_field_is_written_blank(value):
    assert fmt.text(value).strip() == ""
    assert fmt.safe_url(value) is None
    assert fmt.md_escape(value).strip() == ""
    assert fmt.md_link(value, value) == "(untitled)"
    assert fmt.optional(value) is None


def test_briefing_with_missing_urls_and_titles_renders_in_every_export(honest):
    reader = BriefingReader(honest.store)
    try:
        b = compute_briefing(reader, LAST_WEEK)
    finally:
        reader.close()
    crossing = [c for c in b.crossings if c.group_id == "think-tanks"]
    assert crossing and crossing[0].example_url is None, "the example without a URL is a crossing"
    for text in (render_markdown(b), render_html(b), render_csv(b)):
        assert "nan" not in text.lower().replace("financ", "")
    table = list(csv.DictReader(io.StringIO(render_csv(b))))
    assert any(r["source"] == "think" and r["url"] == "" for r in table)


@pytest.mark.parametrize("form", ["md", "html", "csv"])
def test_briefing_command_writes_each_format_without_a_traceback(honest, form, tmp_path, capsys):
    out = tmp_path / f"b.{form}"
    assert write_briefing(load_config(honest.config), LAST_WEEK, None, form, out) == 0
    assert out.read_text(encoding="utf-8")


@pytest.fixture
def page(honest, monkeypatch):
    return page_opener(honest.config, monkeypatch)


@pytest.mark.parametrize("week", [LAST_WEEK, "not-a-week", ""])
def test_briefing_page_renders_missing_fields_blank(page, week):
    at = page("briefing", **({"week": week} if week else {}))
    shown = " ".join(m.value for m in at.markdown)
    assert "nan" not in shown.replace("financ", "")


# ---- date precision (issue 9 points 2-3, issue 10 point 8) ---------------------------------


def test_each_item_stores_the_precision_its_source_gave(honest):
    got = {
        (r["source_id"], r["title"]): r
        for r in rows(honest, "SELECT source_id, title, published_at, day, date_precision, date_flag FROM items")
    }
    by_source: dict[str, set[str]] = {}
    for (source, _), r in got.items():
        by_source.setdefault(source, set()).add(r["date_precision"])
    assert by_source["wire"] == {"day"}
    assert by_source["heads"] == {"time", "undated"}, "a blank date cell is undated, not the import time"
    assert by_source["yearly"] == {"year"} and by_source["monthly"] == {"month"}
    speech = got[("yearly", "speech-AAA")]
    assert speech["day"] == "2026-01-01" and speech["date_flag"] is None
    seed = [r for (s, _), r in got.items() if s == "seed-002"][0]
    assert (seed["date_precision"], seed["date_flag"], seed["published_at"], seed["day"]) == (
        "undated",
        "undated",
        "",
        "",
    )
    assert [r for (s, _), r in got.items() if s == "seed-001"][0]["date_precision"] == "month"


def test_sentinel_and_out_of_range_dates_are_flagged_and_undated(honest):
    odd = rows(
        honest,
        "SELECT title, published_raw, published_at, day, date_precision, date_flag FROM items "
        "WHERE source_id = 'odd' ORDER BY title",
    )
    flags = {r["published_raw"]: r["date_flag"] for r in odd}
    assert flags == {
        "1970-01-01": "sentinel",
        "1900-01-01": "sentinel",
        "1970-01-01T00:00:00Z": "sentinel",
        "10000-01-01": "unreadable",
        None: "missing",
        "0000-00-00": "unreadable",
    }
    assert all(r["date_precision"] == "undated" and r["published_at"] == "" and r["day"] == "" for r in odd)


def test_no_daily_aggregate_holds_an_undated_item_and_coarse_items_keep_their_precision(honest):
    agg = rows(honest, "SELECT precision, sum(items) AS n FROM daily_source GROUP BY precision")
    assert {r["precision"]: r["n"] for r in agg} == {"day": pytest.approx(agg_day_count(honest)), "month": 3, "year": 4}
    assert not rows(
        honest, "SELECT 1 FROM daily_source WHERE day = '' OR (day >= '2026-11-26' AND source_id != 'news')"
    )


def agg_day_count(honest) -> int:
    return rows(honest, "SELECT count(*) AS n FROM items WHERE date_precision IN ('time', 'day')")[0]["n"]


def test_feed_items_without_a_trusted_date_are_news_when_first_seen_and_flagged(honest):
    got = {
        r["title"]: r
        for r in rows(
            honest,
            "SELECT title, published_at, date_estimated, date_flag, date_precision FROM items WHERE source_id = 'news'",
        )
    }
    assert got["News 0"]["published_at"] == "2026-11-24T09:30:00Z" and got["News 0"]["date_flag"] is None
    expected = {"News 1": "missing", "News 2": "out-of-range", "News 3": "sentinel"}
    for title, flag in expected.items():
        r = got[title]
        assert (r["date_flag"], r["date_estimated"], r["date_precision"]) == (flag, 1, "time"), title
        assert r["published_at"] == "2026-11-26T06:00:00Z", "first seen at the fetch"


def test_migration_recovers_precision_and_takes_undated_items_off_the_timeline(tmp_path):
    """A store written by the previous version: an undated seed and a dateless archive row at
    their import day, a year-only speech on 1 January, an epoch-dated feed item.
    SQLite only: the old store is an SQLite file written by hand at the old schema version
    (no PostgreSQL store ever had that version)."""
    from store import Store
    from store.schema import MIGRATIONS

    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path)
    conn.executescript(MIGRATIONS[0][2])
    conn.execute("CREATE TABLE migrations (id INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)")
    conn.execute("INSERT INTO migrations VALUES (1, 'initial schema', '2026-01-01T00:00:00Z')")
    for sid, kind in (("seed", "seed"), ("arch", "archive"), ("feed", "feed")):
        conn.execute(
            "INSERT INTO sources (id, name, group_id, kind, language, first_seen_at) VALUES (?, ?, 'g', ?, 'en', '')",
            (sid, sid, kind),
        )
    old = [  # source, title, published_at, estimated, flag, raw
        ("seed", "undated seed", "2026-11-20T10:00:00Z", 0, "undated", "undated"),
        ("arch", "no date", "2026-11-20T10:00:00Z", 1, "missing", None),
        ("arch", "speech", "2024-01-01T00:00:00Z", 0, None, "2024"),
        ("arch", "report", "2023-03-01T00:00:00Z", 0, None, "2023-03"),
        ("arch", "dated", "2022-05-06T00:00:00Z", 0, None, "2022-05-06"),
        ("feed", "epoch", "1970-01-01T00:00:00Z", 0, None, "Thu, 01 Jan 1970 00:00:00 +0000"),
    ]
    for n, (sid, title, when, est, flag, raw) in enumerate(old):
        conn.execute(
            """INSERT INTO items (source_id, title, text, language, published_at, day, date_estimated, date_flag,
                 published_raw, fetched_at, content_hash, text_hash, words, score, matching, lexicon_hash)
               VALUES (?, ?, 'text', 'en', ?, ?, ?, ?, ?, '2026-11-20T10:00:00Z', ?, ?, 1, 0, 0, 'h')""",
            (sid, title, when, when[:10], est, flag, raw, f"c{n}", f"t{n}"),
        )
    conn.commit()
    conn.close()
    with Store(path) as s:  # the migration itself rebuilds the aggregates
        got = {
            r["title"]: (r["date_precision"], r["day"], r["date_flag"])
            for r in s.conn.execute("SELECT title, date_precision, day, date_flag FROM items")
        }
        agg = sorted(tuple(r) for r in s.conn.execute("SELECT day, source_id, precision, items FROM daily_source"))
    assert got == {
        "undated seed": ("undated", "", "undated"),
        "no date": ("undated", "", "missing"),
        "speech": ("year", "2024-01-01", None),
        "report": ("month", "2023-03-01", None),
        "dated": ("day", "2022-05-06", None),
        "epoch": ("time", "2026-11-20", "sentinel"),
    }
    assert agg == [
        ("2022-05-06", "arch", "day", 1),
        ("2023-03-01", "arch", "month", 1),
        ("2024-01-01", "arch", "year", 1),
        ("2026-11-20", "feed", "day", 1),
    ]


def _daily(honest):
    from store.reads import StoreReader

    with StoreReader(honest.store) as r:
        return r.daily_source("2020-01-01", "2026-12-31"), r.daily_concept("2020-01-01", "2026-12-31"), r.sources()


def test_coarse_items_count_only_in_buckets_at_least_as_coarse(honest):
    from analysis import omissions, periods, trends

    ds, dc, sources = _daily(honest)
    regional = sources[sources["id"].isin(["yearly", "monthly"])]
    weeks = trends.trend(
        ds, dc, regional, periods.Period(date(2026, 1, 1), date(2026, 12, 31)), "week", ["global_security_initiative"]
    )
    assert weeks["numerator"].sum() == 0 and weeks["denominator"].sum() == 0
    months = trends.trend(
        ds, dc, regional, periods.Period(date(2026, 1, 1), date(2026, 12, 31)), "month", ["global_security_initiative"]
    )
    assert months["denominator"].sum() == 2 and months.loc[months["denominator"] > 0, "bucket"].tolist() == [
        pd.Timestamp("2026-10-01")
    ]
    years = trends.trend(
        ds, dc, regional, periods.Period(date(2025, 1, 1), date(2026, 12, 31)), "year", ["global_security_initiative"]
    )
    assert years.set_index("bucket")["denominator"].to_dict() == {
        pd.Timestamp("2025-01-01"): 1,
        pd.Timestamp("2026-01-01"): 5,
    }
    part = periods.Period(date(2026, 3, 1), date(2026, 12, 31))
    assert omissions.left_out(ds, regional, part, "year") == {"year": 3}, "a 2026 speech is not evidence about March"
    note = omissions.left_out_note(
        omissions.left_out(ds, regional, periods.Period(date(2026, 1, 1), date(2026, 12, 31)), "week"), 7, "week"
    )
    assert "2 item(s) dated only to the month" in note and "3 item(s) dated only to the year" in note
    assert "7 undated item(s)" in note


# ---- gaps, n, intervals, thin and partial buckets, matched panels (points 4-7) ---------------

SPAN = ("2026-09-07", "2026-11-25")


def test_empty_buckets_are_gaps_and_every_share_has_n_and_a_wilson_interval(honest):
    from analysis import periods, trends

    ds, dc, sources = _daily(honest)
    chosen = sources[sources["group_id"].isin(["cn-official", "regional-media"])]
    period = periods.Period(date(2026, 10, 5), date(2026, 11, 25))
    out = trends.trend(ds, dc, chosen, period, "week", ["win_win_cooperation"], by_group=True, data_span=SPAN)
    regional = out[out["group_id"] == "regional-media"]
    assert (regional["denominator"] == 0).all() and regional["share"].isna().all() and regional["low"].isna().all()
    wire = out[out["group_id"] == "cn-official"].set_index("bucket")
    full = wire.loc[pd.Timestamp("2026-10-05")]
    assert (full["numerator"], full["denominator"]) == (6, 7)
    # Wilson 95% for 6/7, computed by hand: centre (p + z²/2n)/(1 + z²/n), half-width z·sqrt(p(1-p)/n + z²/4n²)/(...)
    assert (full["low"], full["high"]) == (pytest.approx(0.4869, abs=1e-4), pytest.approx(0.9743, abs=1e-4))
    assert full["thin"] and not full["partial"], "7 items a week is a thin sample"
    assert wire.loc[pd.Timestamp("2026-11-23"), "partial"], "data end on Wednesday 25th: the last week is partial"


def test_a_thick_bucket_is_solid_and_a_month_cut_by_the_data_is_partial(honest):
    from analysis import periods, trends

    ds, dc, sources = _daily(honest)
    heads = sources[sources["id"] == "heads"]
    period = periods.Period(date(2026, 9, 1), date(2026, 11, 30))
    out = trends.trend(ds, dc, heads, period, "month", ["win_win_cooperation"], data_span=SPAN).set_index("bucket")
    october, november = out.loc[pd.Timestamp("2026-10-01")], out.loc[pd.Timestamp("2026-11-01")]
    assert october["denominator"] == 13 * 30 and not october["thin"]
    assert november["partial"] and not october["partial"]
    assert pd.isna(out.loc[pd.Timestamp("2026-09-01"), "share"]), "heads starts in October: September is a gap"


def test_movers_compare_a_matched_panel_and_name_what_they_leave_out(honest):
    from analysis import periods, trends
    from analysis.movers import concept_movers

    ds, dc, sources = _daily(honest)
    everyone = sources[sources["group_id"] != "seed"]
    # heads (30 headlines a day) starts on 2026-10-19, inside this period but not the previous one
    period = periods.Period(date(2026, 10, 12), date(2026, 10, 25))
    movers = concept_movers(ds, dc, everyone, period, min_items=10, data_span=SPAN)
    assert "heads" in movers.left_out and "heads" not in movers.panel
    assert set(movers.panel) == {"wire", "think"}
    panel_count = (
        "SELECT count(*) AS n FROM items WHERE source_id IN ('wire', 'think') AND day BETWEEN ? AND ? "
        "AND date_precision IN ('time', 'day')"
    )
    assert movers.total_now == rows(honest, panel_count, ("2026-10-12", "2026-10-25"))[0]["n"]
    assert movers.total_before == rows(honest, panel_count, ("2026-09-28", "2026-10-11"))[0]["n"]
    assert movers.reason is None and not movers.table.empty
    pooled_with_heads = trends.headline(ds, everyone, period)
    assert pooled_with_heads["items"] > movers.total_now, "the panel drops the source that only just started"
    thin = concept_movers(ds, dc, everyone, period, min_items=20, data_span=SPAN)
    assert thin.table.empty and "too few items" in (thin.reason or "")
    early = concept_movers(ds, dc, everyone, periods.Period(date(2026, 9, 10), date(2026, 9, 20)), 1, SPAN)
    assert early.table.empty and "starts before the data" in (early.reason or "")


def _table(at, column: str) -> pd.DataFrame:
    return next(df.value for df in tables_open(at).dataframe if column in df.value.columns)


def test_compare_page_shows_gaps_n_intervals_and_thin_flags(page):
    at = page(
        "compare",
        mode="across",
        concepts="win_win_cooperation",
        groups="cn-official,regional-media,western-media",
        **{"from": "2026-10-05", "to": "2026-11-25"},
        bucket="week",
    )
    table = _table(at, "low")
    assert {"denominator", "share", "low", "high", "thin", "partial"} <= set(table.columns)
    regional = table[table["group"] == "Regional media"]
    assert (regional["denominator"] == 0).all() and (regional["share"] == "").all(), "a gap is blank, never 0% or None"
    wire = table[table["group"] == "Chinese official & state media"]
    assert wire["thin"].all() and not table[table["group"] == "Western media"]["thin"].iloc[-2]
    assert table["partial"].iloc[-1]
    shown = " ".join(c.value for c in at.caption)
    assert "Wilson" in shown and "gap" in shown
    assert "dated only to the month" in shown or "dated only to the year" in shown or "undated item" in shown


def test_overview_names_its_panel_and_what_it_leaves_out(page):
    at = page("overview", **{"from": "2026-10-12", "to": "2026-10-25"}, concepts="win_win_cooperation", bucket="week")
    shown = " ".join(c.value for c in at.caption)
    assert "matched panel" in shown and "heads" in shown, "the source active in one period only is named"
    assert "undated item(s)" in shown
    assert not at.dataframe, "the numbers behind the chart are drawn once their expander is opened"
    table = _table(at, "low")
    assert table["denominator"].gt(0).all() and table["low"].notna().all()


def test_default_overview_opens_on_the_lineage_in_distinct_hues(page):
    from dashboard.colours import SERIES_PALETTE
    from ingest.settings import SETTINGS

    at = page("overview")
    lineage = next(s.default for s in SETTINGS if s.name == "default_concepts")
    assert at.multiselect(key="ov_concepts").value == lineage
    assert at.date_input(key="ov_period").value == (date(2026, 9, 7), date(2026, 11, 25)), "90 days to the newest"
    spec = at.get("vega_lite_chart")[0].proto.spec
    colours = [c for c in SERIES_PALETTE if c in spec]
    assert len(colours) == len(lineage), "one distinct colour-blind-safe hue per series"
    assert '"interpolate": "linear"' in spec or '"interpolate":"linear"' in spec


def test_per_source_share_keeps_a_headline_flood_from_drowning_a_full_text_source(honest):
    from analysis import periods, trends

    ds, dc, sources = _daily(honest)
    both = sources[sources["id"].isin(["heads", "wire"])]
    period = periods.Period(date(2026, 11, 2), date(2026, 11, 15))
    kw = {"min_items": 20, "data_span": SPAN}
    pooled = trends.trend(ds, dc, both, period, "week", ["win_win_cooperation"], **kw)
    mean = trends.trend(ds, dc, both, period, "week", ["win_win_cooperation"], per_source=True, **kw)
    week = pd.Timestamp("2026-11-09")
    p, m = pooled.set_index("bucket").loc[week], mean.set_index("bucket").loc[week]
    # wire: 6 of 7 items; heads: 7 of 210 headlines
    assert p["share"] == pytest.approx((6 + 7) / (7 + 210))
    assert m["share"] == pytest.approx((6 / 7 + 7 / 210) / 2) and m["sources"] == 2
    assert pd.isna(m["low"]), "no binomial interval is claimed for a mean of shares"


def test_pages_offer_per_source_shares_and_an_evidence_filter_in_the_url(page):
    args = {"from": "2026-11-02", "to": "2026-11-15", "bucket": "week", "concepts": "win_win_cooperation"}
    at = page("overview", **args, share="sources", evidence="headlines")
    assert at.radio(key="ov_share").value == "sources" and at.radio(key="ov_evidence").value == "headlines"
    assert at.query_params["share"] == "sources" and at.query_params["evidence"] == "headlines"
    shown = " ".join(c.value for c in at.caption)
    # heads: 30 headlines a day for 14 days; every other item has a body text
    assert "mean of each source's own share" in shown and "0 full-text item(s) and 420 headline-only" in shown
    at = page("compare", **args, mode="across", groups="cn-official,western-media", evidence="full text")
    table = _table(at, "low")
    western = table[table["group"] == "Western media"]
    assert (western["denominator"] == 0).all(), "heads (western media) has only headlines"
    assert table[table["group"] == "Chinese official & state media"]["denominator"].sum() > 0


def test_closest_seed_of_a_chinese_article_is_found_by_concept_profile(honest, page):
    from dashboard import queries

    item_id = rows(honest, "SELECT id FROM items WHERE source_id = 'zh'")[0]["id"]
    seeds = queries.closest_seeds(honest.location, "test", item_id)
    assert seeds["similarity"].is_monotonic_decreasing and seeds["similarity"].iloc[0] > 0.3
    assert seeds["word_similarity"].max() < 0.05, "English seeds share no words with a Chinese text"
    assert "Global Security Initiative" in seeds["title"].iloc[0]
    at = page("article", item=str(item_id))
    assert any("concept profile" in m.value for m in at.markdown)
    assert any("Word TF-IDF (same language only)" in h.value for h in at.html)


def test_every_page_links_to_its_methodology_sections_and_they_exist():
    from dashboard import methodology

    for page_name, titles in methodology.PAGES.items():
        for title in titles:
            assert methodology.section(title), f"{page_name}: docs/methodology.md has no section '{title}'"


@pytest.mark.parametrize("page_name", ["overview", "compare", "briefing", "sources", "lexicon", "articles"])
def test_each_page_shows_how_its_numbers_are_computed(page, page_name):
    from dashboard import methodology

    at = page(page_name)
    (box,) = [e for e in at.expander if "docs/methodology.md" in e.label]
    assert not box.markdown, "drawn only once opened"
    at.session_state[f"methodology_{page_name}"] = True  # the analyst opens it
    at.run()
    (box,) = [e for e in at.expander if "docs/methodology.md" in e.label]
    text = "\n".join(m.value for m in box.markdown)
    for title in methodology.PAGES[page_name]:
        assert f"#### {title}" in text and methodology.section(title)[:60] in text, (page_name, title)


def test_briefing_compares_a_matched_panel_and_says_what_no_week_can_hold(honest):
    reader = BriefingReader(honest.store)
    try:
        b = compute_briefing(reader, LAST_WEEK)
    finally:
        reader.close()
    panel_note = next(m for m in b.method if "matched panel" in m)
    assert "zh" in panel_note.split("Left out")[1], "a source with items in the baseline only is not compared"
    off = next(m for m in b.method if "Not in any weekly briefing" in m)
    assert "month-dated" in off and "year-dated" in off and "undated" in off
    assert not any(i.source_id in ("yearly", "monthly", "odd") for i in b.items)
    for text in (render_markdown(b), render_html(b)):
        assert "Not in any weekly briefing" in text


def test_lexicon_sparklines_never_put_year_dated_items_in_january(honest):
    from store.reads import StoreReader

    with StoreReader(honest.store) as r:
        monthly = r.concept_monthly_hits()
    gsi = monthly[monthly["concept_id"] == "global_security_initiative"].set_index("month")["hits"]
    assert "2026-01" not in gsi.index and "2025-01" not in gsi.index, "the 2025/2026 speeches are year-dated"
    assert gsi.get("2026-10", 0) >= 2, "month-dated reports count in their month"


def test_compare_splits_a_concept_by_kind_of_evidence(page):
    at = page(
        "compare",
        mode="evidence",
        concepts="win_win_cooperation",
        groups="cn-official,western-media,think-tanks",
        **{"from": "2026-11-02", "to": "2026-11-15"},
        bucket="week",
    )
    table = _table(at, "low")
    assert set(table["group"]) == {"full text", "headlines"}
    heads = table[table["group"] == "headlines"].set_index("bucket")
    assert heads["denominator"].tolist() == [210, 210], "30 headlines a day from the headline-only source"
