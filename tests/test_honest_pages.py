"""Issue 9 on the pages that show counts rather than trends (Articles, Article, Sources,
Lexicon) and in the briefing's three exports: an item dated only to a month or a year, or
not at all, is never placed in a finer period, shown with a finer date, or counted in a
"newest"; what a page leaves out it says, with numbers.  Over the store the real ingest
builds from tests/honest_fixtures.py."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from analysis import omissions, periods, source_tables, sparklines, trends
from analysis.briefing import compute_briefing, render_csv, render_html, render_markdown
from store.article_search import ArticleQuery
from store.briefing_reads import BriefingReader
from store.reads import StoreReader
from tests.dashboard_fixtures import html_frame, page_opener
from tests.honest_fixtures import HonestStore, build_honest_store


@pytest.fixture(scope="module")
def honest(tmp_path_factory, module_store_url) -> HonestStore:
    """Built once per backend: every page and export below is checked on SQLite and on PostgreSQL."""
    return build_honest_store(tmp_path_factory.mktemp("honest-pages"), store_url=module_store_url)


def scalar(honest: HonestStore, sql: str):
    with StoreReader(honest.store) as reader:
        return reader.scalar(sql)


def titles(honest: HonestStore, **filters) -> tuple[set[str], int]:
    with StoreReader(honest.store) as r:
        rows, total = r.search(ArticleQuery(**filters), None, 0)
    return set(rows["title"]), total


# ---- the query layer -------------------------------------------------------------------------


def test_a_year_dated_speech_is_not_published_in_the_first_week_of_its_year(honest):
    found, total = titles(honest, start="2026-01-01", end="2026-01-07")
    assert not any(t.startswith("speech-") for t in found) and total == 0
    whole_year, _ = titles(honest, start="2026-01-01", end="2026-12-31")
    assert {"speech-AAA", "speech-BBB", "speech-CCC"} <= whole_year and "speech-DDD" not in whole_year


def test_a_month_dated_report_is_in_a_period_only_when_its_whole_month_is(honest):
    october, _ = titles(honest, start="2026-10-01", end="2026-10-31")
    assert {"Report 0", "Report 1"} <= october
    part, _ = titles(honest, start="2026-10-05", end="2026-10-31")
    assert not {"Report 0", "Report 1"} & part


def test_the_search_says_what_the_period_leaves_out_and_can_list_it(honest):
    undated = scalar(honest, "SELECT count(*) FROM items WHERE date_precision = 'undated'")
    assert undated >= 8  # six odd dates, a blank CSV cell, the undated seed
    query = {"start": "2026-10-05", "end": "2026-10-31"}
    with StoreReader(honest.store) as r:
        assert r.search_left_out(ArticleQuery(**query)) == {"month": 2, "year": 3, "undated": undated}
    listed, total = titles(honest, **query, unplaced=True)
    _, inside = titles(honest, **query)
    assert total == inside + 2 + 3 + undated
    assert {"Report 0", "speech-AAA", "Headline without a date: win-win cooperation"} <= listed
    assert "speech-DDD" not in listed, "a 2025 speech does not overlap October 2026"
    note = omissions.period_left_out_note({"month": 2, "year": 3, "undated": undated})
    assert "2 item(s) dated only to a month" in note and f"{undated} undated item(s)" in note


def test_sources_counts_give_no_share_without_items_and_count_headline_items(honest):
    with StoreReader(honest.store) as r:
        ds, dc = r.daily_source("2026-01-01", "2026-11-25"), r.daily_concept("2026-01-01", "2026-11-25")
        sources = r.sources()
    out = source_tables.source_breakdown(
        ds, dc, sources, periods.Period(pd.Timestamp("2026-03-01").date(), pd.Timestamp("2026-11-25").date())
    )
    out = out.set_index("source_id")
    assert out.loc["yearly", "items"] == 0 and pd.isna(out.loc["yearly", "share"]), "0 of 0 is no share, not 0 %"
    assert out.loc["monthly", "items"] == 2
    assert out.loc["heads", "headlines"] == out.loc["heads", "items"] == 38 * 30
    assert out.loc["wire", "headlines"] == 0


def test_sparklines_skip_no_month_and_say_what_they_leave_out():
    monthly = pd.DataFrame(
        {"month": ["2026-01", "2026-04", "2026-04"], "concept_id": ["a", "a", "b"], "hits": [1, 2, 3]}
    )
    spark = sparklines.monthly_sparklines(monthly)
    assert list(spark.columns) == ["2026-01", "2026-02", "2026-03", "2026-04"]
    assert spark.loc["a"].tolist() == [1, 0, 0, 2]
    note = sparklines.sparkline_note(
        {"year_hits": 5, "year_items": 4, "undated_hits": 7, "undated_items": 6}, "2026-11-25"
    )
    assert "5 hit(s) in 4 item(s) dated only to a year" in note and "7 hit(s) in 6 undated item(s)" in note
    assert "The last month is partial: the data end on 2026-11-25" in note
    assert "partial" not in sparklines.sparkline_note({}, "2026-11-30")


# ---- the pages (AppTest) ------------------------------------------------------------------------


@pytest.fixture
def page(honest, monkeypatch):
    return page_opener(honest.config, monkeypatch)


def _html(at) -> str:
    """The text the pages' HTML shows (tags and their attributes removed)."""
    return re.sub(r"<[^>]+>", " ", " ".join(h.proto.body for h in at.get("html")))


def _captions(at) -> str:
    return " ".join(c.value for c in at.caption)


def test_articles_page_lists_no_speech_in_january_and_says_what_it_leaves_out(page):
    at = page("articles", **{"from": "2026-01-01", "to": "2026-01-07"})
    assert any(m.value == "**0 article(s)**" for m in at.markdown)
    shown = _captions(at)
    assert "3 item(s) dated only to a year" in shown and "undated item(s)" in shown
    at = page("articles", **{"from": "2026-01-01", "to": "2026-01-07"}, unplaced="1")
    listing = _html(at)
    assert "speech-AAA" in listing and "2026 (year only)" in listing and "2026-01-01" not in listing
    assert at.query_params["unplaced"] == "1"


def test_article_page_gives_a_year_dated_speech_its_year_not_a_day(honest, page):
    item = scalar(honest, "SELECT id FROM items WHERE title = 'speech-AAA'")
    undated = scalar(honest, "SELECT id FROM items WHERE source_id = 'odd' ORDER BY id LIMIT 1")
    meta = _html(page("article", item=str(item)))
    assert "2026 (year only)" in meta and "2026-01-01" not in meta
    assert "undated" in _html(page("article", item=str(undated)))


def test_sources_page_says_what_it_leaves_out_and_shows_headline_items(page):
    at = page("sources", **{"from": "2026-03-01", "to": "2026-11-25"})
    shown = _captions(at)
    assert "3 item(s) dated only to the year" in shown and "undated item(s)" in shown
    tables = _html(at)
    assert "Headline-only" in tables and "1140" in tables.replace(",", "")


def test_lexicon_page_says_what_its_sparklines_leave_out_and_dates_seeds_as_precisely_as_known(page):
    at = page("lexicon")
    shown = _captions(at)
    assert "dated only to a year" in shown and "undated item(s)" in shown
    assert "The last month is partial: the data end on 2026-11-25" in shown
    seeds = next(h.value for h in at.html if "class='seed-heat'" in h.value)
    assert "2023-03 (month only)" in seeds and "2023-03-01" not in seeds, "the Chen seed is dated 2023-03"


# ---- the three briefing exports ---------------------------------------------------------------

OFF_THE_WEEK = ("Report 0", "Report 1", "speech-AAA", "speech-DDD", "Headline without a date", "Odd ")


@pytest.mark.parametrize("week", ["2026-W01", "2026-W40", "2026-W44", "2026-W47", "2026-W48", None])
def test_no_briefing_export_puts_an_undated_or_coarsely_dated_item_in_a_week(honest, week):
    """W01 holds 1 January (where year-dated speeches are stored), W40 and W44 the first of
    October and November (month-dated reports), W47 the last complete week, W48 the partial
    week of the newest data and of the ingest, None the default week."""
    reader = BriefingReader(honest.store)
    try:
        b = compute_briefing(reader, week)
    finally:
        reader.close()
    for text in (render_markdown(b), render_html(b), render_csv(b)):
        assert not [t for t in OFF_THE_WEEK if t in text], week
        assert "nan" not in text.lower().replace("financ", ""), "a missing field is blank"
        assert "2026-01-01" not in text or week == "2026-W01"
    assert not any(i.source_id in ("yearly", "monthly", "odd") for i in b.items)


# ---- watches: no share without an n -------------------------------------------------------------


def test_a_watch_without_items_in_its_scope_this_week_has_no_share_and_shows_its_n(honest, page):
    """A watch on the year-dated speeches: nothing in its scope is dated within a week, so its
    share is none (it read 0 %), and the table gives each share's n."""
    from analysis.watches import watch_state
    from store import Store
    from store.watch_reads import WatchReads
    from store.watches import Watch, WatchBook

    with Store(honest.store) as s:
        WatchBook(s.conn).save(
            Watch(
                "speeches", "concept", "GSI in speeches", concepts=("global_security_initiative",), sources=("yearly",)
            ),
            pd.Timestamp("2026-11-26T06:00:00Z").to_pydatetime(),
        )
    with StoreReader(honest.store) as r:
        state = watch_state(
            WatchReads(r.conn),
            Watch("speeches", "concept", concepts=("global_security_initiative",), sources=("yearly",)),
        )
    assert state.scope_items == 0 and state.share is None
    assert state.sentence().startswith("no items in the watch's scope in 2026-11-19..2026-11-25")
    table = html_frame(page("watches"), "watch-states")
    row = table.set_index("name").loc["speeches"]
    assert row["n this week"] == 0 and pd.isna(row["share this week"]) and row["n before"] == 0


def test_overview_shows_no_share_for_a_period_without_items(page):
    at = page("overview", **{"from": "2020-01-01", "to": "2020-01-31"})
    share = next(m for m in at.metric if m.label == "Share matching")
    assert share.value == "—", "0 of 0 items is no share, never 0.0 %"
    assert (
        trends.headline(
            pd.DataFrame(columns=["day", "source_id", "items", "matching"]),
            pd.DataFrame({"id": []}),
            periods.Period(pd.Timestamp("2020-01-01").date(), pd.Timestamp("2020-01-31").date()),
        )["share"]
        is None
    )
