"""Every dashboard page driven by AppTest against a real store filled by the real ingest."""

from __future__ import annotations

import html
import json
import re
import sqlite3
from datetime import date

import pandas as pd
import pytest
from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df
from streamlit.testing.v1 import AppTest

from store import Store
from store.reads import StoreReader
from tests.builders import REPO, SourceSpec, write_config
from tests.dashboard_fixtures import SCRIPT_TITLE, build_store, html_frame, tables_open

APP = str(REPO / "dashboard" / "app.py")
PERIOD = {"from": "2026-10-01", "to": "2026-11-20"}


@pytest.fixture(scope="module")
def fixture_store(tmp_path_factory, module_store_url):
    """The pages are checked on a SQLite store and on a PostgreSQL one built by the same ingest."""
    return build_store(tmp_path_factory.mktemp("dash"), store_url=module_store_url)


@pytest.fixture
def app(fixture_store, monkeypatch):
    monkeypatch.setenv("MONITOR_CONFIG", str(fixture_store.config))

    def open_page(page_file: str | None = None, **params: str) -> AppTest:
        at = AppTest.from_file(APP, default_timeout=60)
        if page_file:
            at.run()
            at.switch_page(f"pages/{page_file}.py")
            at.query_params.clear()  # like a link opened in a new tab: a clean URL, no view carried over
            at.session_state["_view_shared"] = {}
        at.query_params.update(params)
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        return at

    return open_page


def sql(store, query, params=()):
    """The expected figures, read through the store's own connection (either backend)."""
    with StoreReader(store.store) as reader:
        cur = reader.conn.execute(query, params)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


TABLE_COLUMNS = {  # AppTest dataframes carry no key: a table is known by a column only it has
    "ov_table": "numerator",
    "ov_coverage": "change",
    "cmp_table": "numerator",
    "src_table": "top concepts",
    "src_health": "consecutive_failures",
    "art_table": "top_concepts",
    "art_kwic": "before",
    "art_copies": "role",
    "art_seeds": "similarity",
    "art_scores": "per_1k",
    "lex_table": "definition",
}


HTML_TABLES = {  # tables drawn as HTML so they fit their container: known by their class
    "src_table": "source-table",
    "src_health": "feed-health",
    "art_kwic": "kwic",
    "art_copies": "copies",
    "art_seeds": "seeds",
    "art_scores": "concept-hits",
    "lex_table": "lexicon-table",
    "lex_seeds": "seed-heat",
}


def frame_by_key(at: AppTest, key: str) -> pd.DataFrame:
    if key in ("ov_table", "ov_coverage", "cmp_table"):
        tables_open(at)  # drawn once their expander is opened
    if key in HTML_TABLES:
        return html_frame(at, HTML_TABLES[key])
    column = TABLE_COLUMNS[key]
    return next(df.value for df in at.dataframe if column in df.value.columns)


def count_line(at: AppTest) -> str:
    return next((m.value for m in at.markdown if m.value.startswith("**")), "")


def article_list(at: AppTest) -> list[dict[str, str]]:
    """The Articles page's result table: per row the linked item id, title and passage (as shown)."""
    table = next(h.value for h in at.html if "class='article-list'" in h.value)
    rows = re.findall(r"<tr><td.*?</tr>", table, re.S)
    out = []
    for row in rows:
        item, title = re.search(r"href='article\?item=(\d+)[^']*'[^>]*>(.*?)</a>", row).groups()
        passage = re.search(r"<span class='passage'[^>]*>(.*?)</span></td>", row, re.S).group(1)
        out.append({"id": item, "title": html.unescape(re.sub(r"<[^>]+>", "", title)), "passage_html": passage})
    return out


def chart_datasets(at: AppTest, index: int = 0) -> list[pd.DataFrame]:
    chart = at.get("vega_lite_chart")[index]
    return [convert_arrow_bytes_to_pandas_df(d.data.data) for d in chart.proto.datasets]


NON_SEED = "JOIN sources s ON s.id = i.source_id WHERE s.group_id != 'seed' AND i.day BETWEEN ? AND ?"


# ---- overview -------------------------------------------------------------------


def test_overview_headline_figures_match_the_store(app, fixture_store):
    at = app(**PERIOD)
    metrics = {m.label: m.value for m in at.metric}
    want = sql(
        fixture_store,
        f"SELECT count(*) AS n, sum(matching) AS m, count(DISTINCT source_id) AS s FROM items i {NON_SEED}",
        (PERIOD["from"], PERIOD["to"]),
    )[0]
    assert metrics["Items ingested"] == f"{want['n']:,}" == "12"
    assert metrics["Matching items"] == str(want["m"])
    assert metrics["Share matching"] == f"{want['m'] / want['n']:.1%}"
    assert metrics["Sources active"] == str(want["s"])
    # the previous period starts before the data and 12 items is thin: no movers, and the page says why
    assert metrics["Rose most"] == "—" and metrics["Fell most"] == "—"
    assert any("No movers:" in c.value and "matched panel" in c.value for c in at.caption)


def test_overview_normalised_share_is_summed_numerator_over_denominator(app, fixture_store):
    at = app(**PERIOD, concepts="cold_war_mentality,global_security_initiative", bucket="week")
    table = frame_by_key(at, "ov_table")
    assert set(table["concept"]) == {"Cold War mentality", "Global Security Initiative"}
    items = pd.DataFrame(
        sql(fixture_store, f"SELECT i.id, i.day FROM items i {NON_SEED}", (PERIOD["from"], PERIOD["to"]))
    )
    items["week"] = pd.to_datetime(items["day"]).dt.to_period("W-SUN").dt.start_time
    uses = pd.DataFrame(sql(fixture_store, "SELECT item_id, concept_id FROM item_concepts"))
    for concept, label in (
        ("cold_war_mentality", "Cold War mentality"),
        ("global_security_initiative", "Global Security Initiative"),
    ):
        with_concept = set(uses.loc[uses["concept_id"] == concept, "item_id"])
        rows = table[table["concept"] == label].set_index(
            pd.to_datetime(table.loc[table["concept"] == label, "bucket"])
        )
        for week, group in items.groupby("week"):
            numerator = int(group["id"].isin(with_concept).sum())
            row = rows.loc[week]
            assert (row["numerator"], row["denominator"]) == (numerator, len(group))
            assert row["share"] == f"{numerator / len(group):.1%}", "the table shows the share with one decimal"
        empty_weeks = rows[~rows.index.isin(items["week"])]
        assert len(empty_weeks) > 0 and (empty_weeks["denominator"] == 0).all()
        assert (empty_weeks["share"] == "").all(), "a week without items is a blank gap, never 0% or 'None'"
    chart_rows = chart_datasets(at)[0]
    plotted = chart_rows.dropna(subset=["share"])
    assert [f"{v:.1%}" for v in plotted["share"]] == [v for v in table["share"] if v], "chart and table agree"


def test_caption_says_what_the_axis_measures(app):
    shares = app(**PERIOD, concepts="cold_war_mentality", bucket="month")
    counts = app(**PERIOD, concepts="cold_war_mentality", bucket="month", raw="1")
    assert any(c.value.startswith("Share = ") for c in shares.caption)
    assert not any(c.value.startswith("Share = ") for c in counts.caption)
    assert any(c.value.startswith("Items = ") and "raw counts" in c.value for c in counts.caption)
    compare = app("compare", **PERIOD, concepts="cold_war_mentality", bucket="month", raw="1")
    assert any("Items = " in c.value and "Share = " not in c.value for c in compare.caption)


def test_overview_raw_counts_and_coverage_marks(app):
    at = app(**PERIOD, concepts="cold_war_mentality", bucket="month", raw="1")
    assert at.toggle(key="ov_norm").value is False
    spec = at.get("vega_lite_chart")[0].proto.spec
    assert '"field": "numerator"' in spec
    coverage = frame_by_key(at, "ov_coverage")
    assert {"CN wire", "West desk", "Echo daily"} <= set(coverage["name"])
    assert set(coverage["change"]) <= {"source added", "stopped reporting"}
    assert any(len(d) == len(coverage) and "change" in d for d in chart_datasets(at))


def test_overview_latest_articles_link_to_article_page_and_escape_titles(app, fixture_store):
    at = app(**PERIOD)
    table = next(h.value for h in at.html if "latest-articles" in h.value)
    assert "<script>" not in table and html.escape(SCRIPT_TITLE) in table
    ids = [int(i) for i in re.findall(r"href='article\?item=(\d+)'", table)]
    matching = {r["id"] for r in sql(fixture_store, "SELECT id FROM items WHERE matching = 1")}
    assert ids and set(ids) <= matching
    newest = sql(
        fixture_store,
        f"SELECT i.id FROM items i {NON_SEED} AND matching = 1 ORDER BY published_at DESC LIMIT 1",
        (PERIOD["from"], PERIOD["to"]),
    )[0]["id"]
    assert ids[0] == newest


def test_overview_state_lives_in_the_url(app):
    at = app(**PERIOD, groups="cn-official,western-gov", concepts="zero_sum", bucket="day")
    assert at.multiselect(key="ov_groups").value == ["cn-official", "western-gov"]
    assert at.multiselect(key="ov_concepts").value == ["zero_sum"]
    assert at.query_params["groups"] == "cn-official,western-gov"
    assert {m.label: m.value for m in at.metric}["Items ingested"] == "9"
    at.multiselect(key="ov_groups").unselect("western-gov").run()
    assert at.query_params["groups"] == "cn-official"


def test_overview_default_period_ends_at_newest_item(app):
    at = app()
    start, end = at.date_input(key="ov_period").value
    assert (start, end) == (date(2026, 10, 6), date(2026, 11, 16))  # clamped to the data


def test_overview_period_without_data_explains(app):
    at = app(**{"from": "2020-01-01", "to": "2020-01-31"})
    assert any("No items" in i.value and "python -m ingest run" in i.value for i in at.info)


def test_header_shows_last_run_and_its_errors(app):
    at = app(**PERIOD)
    header = at.caption[0].value
    assert "Last ingest" in header and "failed" in header and "dead-feed" in header


# ---- broken and empty stores -------------------------------------------------
# SQLite only: these write broken SQLite files by hand (no file, an outdated or a too-new schema);
# an unreachable or missing PostgreSQL store has its own tests (tests/test_store_backends.py).


def _config_with_store(tmp_path, store_path):
    return write_config(
        tmp_path,
        [SourceSpec("x", "cn-official", "archive", {"path": str(tmp_path / "x.jsonl"), "fields": {"text": "text"}})],
        settings={"store": {"path": str(store_path)}},
    )


def _broken_store(kind, path):
    if kind == "missing":
        return
    if kind == "empty":
        Store(path).close()
        return
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE migrations (id INTEGER PRIMARY KEY, name TEXT, applied_at TEXT)")
    if kind == "too-new":
        conn.execute("INSERT INTO migrations VALUES (99, 'future', '2030-01-01')")
    conn.commit()
    conn.close()


@pytest.mark.parametrize(
    "kind,headline,command",
    [
        ("missing", "does not exist yet", "python -m ingest run"),
        ("outdated", "older version", "python -m ingest run"),
        ("too-new", "newer version", "pip install"),
        ("empty", "no items yet", "python -m ingest run"),
    ],
)
@pytest.mark.parametrize("page", [None, "articles", "article", "lexicon"])
def test_broken_store_explains_and_never_raises(tmp_path, monkeypatch, kind, headline, command, page):
    store_path = tmp_path / "store.sqlite3"
    _broken_store(kind, store_path)
    monkeypatch.setenv("MONITOR_CONFIG", str(_config_with_store(tmp_path, store_path)))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    if page:
        at.switch_page(f"pages/{page}.py").run()
    assert not at.exception
    assert any(headline in e.value for e in at.error)
    assert any(command in c.value for c in at.code)
    assert not any("\\`" in c.value for c in at.caption)  # the CLI's `command` quoting: quotes, not a literal `


def test_missing_config_explains(tmp_path, monkeypatch):
    monkeypatch.setenv("MONITOR_CONFIG", str(tmp_path / "nope.toml"))
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception and "configuration" in at.error[0].value


# ---- compare ----------------------------------------------------------------------


def test_compare_one_concept_across_groups_uses_each_groups_own_denominator(app, fixture_store):
    at = app("compare", **PERIOD, concepts="cold_war_mentality", bucket="month", groups="cn-official,western-gov")
    table = frame_by_key(at, "cmp_table")
    totals = table.groupby("group")[["numerator", "denominator"]].sum()
    for gid, label in (("cn-official", "Chinese official & state media"), ("western-gov", "Western governments")):
        want = sql(
            fixture_store,
            """SELECT count(*) AS n, sum(EXISTS (SELECT 1 FROM item_concepts ic
                   WHERE ic.item_id = i.id AND ic.concept_id = 'cold_war_mentality')) AS k
                   FROM items i JOIN sources s ON s.id = i.source_id WHERE s.group_id = ?""",
            (gid,),
        )[0]
        assert tuple(totals.loc[label]) == (want["k"], want["n"])
    assert len(chart_datasets(at)[0]) == len(table)


def test_compare_leaves_groups_without_items_out_of_the_legend_and_names_them(app):
    # Western media has only a dead feed; the fixture has no Russian source at all.
    at = app("compare", **PERIOD, concepts="cold_war_mentality", bucket="month",
             groups="cn-official,western-media,ru-official")
    spec = json.loads(at.get("vega_lite_chart")[0].proto.spec)
    domains = [enc["scale"]["domain"] for enc in _encodings(spec, "color") if "domain" in enc.get("scale", {})]
    assert domains and all(d == ["Chinese official & state media"] for d in domains)
    assert set(frame_by_key(at, "cmp_table")["group"]) == {"Chinese official & state media"}
    assert any("No items in the period from: Western media, Russian official & state media." in c.value
               for c in at.caption)


def _encodings(spec: object, channel: str) -> list[dict]:
    """Every `channel` encoding anywhere in a Vega-Lite spec (layers, facets, concatenations)."""
    if isinstance(spec, dict):
        enc = spec.get("encoding")
        found = [enc[channel]] if isinstance(enc, dict) and channel in enc else []
        return found + [e for v in spec.values() for e in _encodings(v, channel)]
    if isinstance(spec, list):
        return [e for v in spec for e in _encodings(v, channel)]
    return []


def test_compare_several_concepts_within_one_group(app):
    at = app(
        "compare",
        **PERIOD,
        mode="within",
        group="cn-official",
        concepts="cold_war_mentality,global_security_initiative",
        bucket="month",
    )
    table = frame_by_key(at, "cmp_table")
    totals = table.groupby("concept")["numerator"].sum()
    assert totals["Cold War mentality"] == 2 and totals["Global Security Initiative"] == 3
    assert set(table["denominator"]) <= {0, 1, 4}


def test_compare_own_voice_vs_distanced(app):
    at = app(
        "compare",
        **PERIOD,
        mode="voice",
        concepts="global_security_initiative",
        bucket="month",
        groups="cn-official,western-gov",
    )
    table = frame_by_key(at, "cmp_table")
    totals = table.groupby(["group", "voice"])["numerator"].sum()
    assert totals[("Western governments", "distanced")] == 1
    assert totals[("Western governments", "own voice")] == 0
    assert totals[("Chinese official & state media", "own voice")] == 3
    assert '"facet"' in at.get("vega_lite_chart")[0].proto.spec


# ---- sources ------------------------------------------------------------------------


def test_sources_volume_share_heatmap_and_feed_health(app, fixture_store):
    at = app("sources", **PERIOD)
    per_source = frame_by_key(at, "src_table").set_index("source")
    assert per_source.loc["CN wire", "items"] == 5 and per_source.loc["CN wire", "matching"] == 4
    assert per_source.loc["CN wire", "share"] == pytest.approx(0.8)
    assert "Cold War mentality" in per_source.loc["Think-tank feed", "top concepts"]
    heat = chart_datasets(at, 1)[0]
    row = heat[(heat["source"] == "West desk") & (heat["concept"] == "Zero-sum game")].iloc[0]
    assert row["share"] == pytest.approx(1 / 4)
    health = frame_by_key(at, "src_health").set_index("name")
    assert health.loc["Dead feed", "state"] == "failing" and health.loc["Dead feed", "consecutive_failures"] == 1
    assert "not found" in health.loc["Dead feed", "last_error_text"]
    assert health.loc["Think-tank feed", "last_success_at"]
    assert any("Dead feed" in w.value for w in at.warning)


# ---- articles -------------------------------------------------------------------------


def test_articles_full_text_search_filters_and_paging(app, fixture_store):
    at = app("articles", q="Cold War mentality", **PERIOD)
    want = sql(
        fixture_store,
        "SELECT count(*) AS n FROM items WHERE (text LIKE '%Cold War mentality%' "
        "OR title LIKE '%Cold War mentality%') AND day BETWEEN ? AND ?",
        (PERIOD["from"], PERIOD["to"]),
    )[0]["n"]
    assert f"**{want} article(s)**" in count_line(at)
    table = article_list(at)
    assert len(table) == 5 and all(r["id"].isdigit() for r in table)
    assert all("<mark class=\"query-term\"" in r["passage_html"] for r in table)
    assert at.get("download_button")
    at2 = app("articles", q="Cold War mentality", groups="western-gov", **PERIOD)
    assert "**1 article(s)**" in count_line(at2)
    at3 = app("articles", **PERIOD, concepts="global_security_initiative", voice="distanced")
    assert [r["title"] for r in article_list(at3)] == ["Allies doubt the GSI"]
    at4 = app("articles", **PERIOD, groups="cn-official,western-gov,think-tanks,regional-media", page="2", sort="score")
    assert at4.number_input(key="art_page").value == 2
    assert len(article_list(at4)) == 5


def test_articles_passage_marks_search_words_apart_from_concepts_and_escapes_text(app, fixture_store):
    at = app("articles", q='"Cold War" title:script', **PERIOD)
    (row,) = article_list(at)
    assert row["title"] == SCRIPT_TITLE and "<script" not in "".join(h.value for h in at.html)
    marked = re.findall(r'<mark class="(query-term|concept)"[^>]*>(.*?)</mark>', row["passage_html"])
    # the searched words win over the concept match they overlap; other concepts stay marked
    assert marked[:2] == [("query-term", "Cold War"), ("concept", "zero-sum")]
    at2 = app("articles", q="spokesperson NATO", **PERIOD)
    for r in article_list(at2):
        words = re.findall(r'<mark class="query-term"[^>]*>(.*?)</mark>', r["passage_html"])
        assert set(words) <= {"spokesperson", "NATO"} and words


def test_an_article_opened_from_a_search_lists_where_the_searched_words_are(app, fixture_store):
    at = app("articles", q="spokesperson NATO", **PERIOD)
    table = next(h.value for h in at.html if "class='article-list'" in h.value)
    link = html.unescape(re.search(r"href='(article\?item=\d+&amp;q=[^']+)'", table).group(1))
    item, query = re.match(r"article\?item=(\d+)&q=(.*)", link).groups()
    assert query == "spokesperson%20NATO"
    page = app("article", item=item, q="spokesperson NATO")
    assert any(m.value.startswith("**Your search** · ") for m in page.markdown)
    places = next(h.value for h in page.html if "search-places" in h.value)
    assert set(re.findall(r'<mark class="query-term"[^>]*>(.*?)</mark>', places)) <= {"spokesperson", "NATO"}
    # ...and marked in the article's text itself, as well as listed under it
    full = next(h.value for h in page.html if "class=\"article-text\"" in h.value)
    marked = re.findall(r'<mark class="query-term"[^>]*>(.*?)</mark>', full)
    assert marked and {m.lower() for m in marked} <= {"spokesperson", "nato"}
    assert "searched words" in next(h.value for h in page.html if "Colours: " in h.value)
    assert page.query_params["q"] in ("spokesperson NATO", ["spokesperson NATO"])


def test_articles_count_each_query_once_whatever_the_page_or_order(app, monkeypatch):
    # The count over the period was most of a first visit at a million items, and the page
    # ran it twice (once for the number of pages, once with the rows).
    calls = []
    real = StoreReader.search_count
    monkeypatch.setattr(StoreReader, "search_count", lambda self, q: calls.append(q) or real(self, q))
    at = app("articles", q="security OR mentality OR counted-once-test", **PERIOD)
    assert len(calls) == 1
    total = int(re.match(r"\*\*([\d,]+) article", next(m.value for m in at.markdown if "article(s)**" in m.value))
                .group(1).replace(",", ""))
    assert total > 5  # more than one page (page_size 5)
    at.radio(key="art_sort").set_value("score").run()
    at.number_input(key="art_page").set_value(2).run()
    assert not at.exception and len(calls) == 1
    assert f"**{total:,} article(s)**" in [m.value for m in at.markdown]


def test_articles_syntax_error_points_at_the_mistake(app):
    at = app("articles", q="security AND (council")
    assert "never closed" in at.warning[0].value and at.code[0].value.splitlines()[1] == " " * 13 + "^"
    assert at.query_params["q"] in ("security AND (council", ["security AND (council"])


@pytest.mark.parametrize(
    "typed",
    [
        '"',
        "'",
        "a",
        "ab",
        "NEAR(",
        "cold AND",
        "title:x",
        "*",
        "-",
        '"unbalanced',
        "'; DROP TABLE items; --",
        "x OR 1=1",
        "%",
        "_",
        "\\",
        "冷",
        "ß\x00z",
        "(((",
        'Cold War" OR "1',
        "NOT",
        "^fix",
    ],
)
def test_any_typed_search_gives_results_or_a_message(app, typed):
    at = app("articles", q=typed)
    assert not at.exception
    assert at.warning or count_line(at)


# ---- article ------------------------------------------------------------------------------


def test_article_highlights_every_match_escaped_at_stored_offsets(app, fixture_store):
    item = sql(fixture_store, "SELECT id, text FROM items WHERE title = ?", (SCRIPT_TITLE,))[0]
    at = app("article", item=str(item["id"]))
    page_html = "".join(h.value for h in at.html)
    assert "<script>" not in page_html and html.escape(SCRIPT_TITLE) in page_html
    body = next(h.value for h in at.html if "article-text" in h.value)
    marks = re.findall(r'<mark class="concept" data-concept="([^"]+)"[^>]*>(.*?)</mark>', body)
    matches = sql(
        fixture_store,
        'SELECT concept_id, start, "end", text FROM matches WHERE item_id = ? ORDER BY start',
        (item["id"],),
    )
    assert [(c, html.unescape(t)) for c, t in marks] == [(m["concept_id"], m["text"]) for m in matches]
    assert all(item["text"][m["start"] : m["end"]] == m["text"] for m in matches)
    assert re.sub(r"<[^>]+>", "", body) == html.escape(item["text"])
    assert frame_by_key(at, "art_kwic")["match"].tolist() == [m["text"] for m in matches]
    assert at.get("link_button")[0].proto.url == "https://feed.example/a1"


def test_article_closest_seed_and_syndicated_copies(app, fixture_store):
    original = sql(fixture_store, "SELECT id FROM items WHERE source_id = 'cn-wire' AND day = '2026-11-10'")[0]["id"]
    copy = sql(fixture_store, "SELECT id FROM items WHERE copy_of = ?", (original,))[0]["id"]
    at = app("article", item=str(original))
    copies = next(h.value for h in at.html if "class='copies'" in h.value)
    assert re.findall(r"href='(article\?item=\d+)'", copies) == [f"article?item={copy}"]
    seeds = frame_by_key(at, "art_seeds")
    assert len(seeds) == 5 and seeds["similarity"].is_monotonic_decreasing and seeds["similarity"].iloc[0] > 0
    scores = frame_by_key(at, "art_scores").set_index("concept")
    assert scores.loc["Global Security Initiative", "hits"] == 2
    assert scores["hits"].is_monotonic_decreasing  # most hits first, each with its bar drawn in the table
    hits = next(h.value for h in at.html if "class='concept-hits'" in h.value)
    assert hits.count("height:100%;background:") == len(scores) and "width:100.0%" in hits
    assert not at.get("vega_lite_chart"), "the Article page draws its bars in HTML, no chart library"


def test_article_page_without_or_with_unknown_item(app):
    assert "No article is open" in app("article").info[0].value
    assert "There is no article with id 999999" in app("article", item="999999").warning[0].value
    assert "not a number" in app("article", item="abc").warning[0].value


def test_undated_and_estimated_dates_are_flagged(app, fixture_store):
    undated = sql(fixture_store, "SELECT id, date_flag FROM items WHERE date_flag IS NOT NULL LIMIT 1")
    if not undated:
        pytest.skip("fixture has no flagged date")
    at = app("article", item=str(undated[0]["id"]))
    assert any(undated[0]["date_flag"] in w.value for w in at.warning)


# ---- lexicon -------------------------------------------------------------------------------


def test_lexicon_lists_every_concept_with_totals_and_seed_heatmap(app, fixture_store):
    at = app("lexicon")
    table = frame_by_key(at, "lex_table").set_index("label")
    concepts = sql(fixture_store, "SELECT count(*) AS n FROM concepts")[0]["n"]
    assert len(table) == concepts
    hits = sql(
        fixture_store,
        """SELECT sum(ic.hits) AS h FROM item_concepts ic JOIN items i ON i.id = ic.item_id
                                 WHERE concept_id = 'cold_war_mentality' AND coalesce(i.date_flag, '') != 'undated'""",
    )
    assert table.loc["Cold War mentality", "hits"] == hits[0]["h"]
    assert sum(table.loc["Cold War mentality", "trend"]) == hits[0]["h"]
    # Every written form, Russian too, and the cues that let a generic form count.
    forms = table.loc["Non-interference in internal affairs", "forms"]
    assert "невмешательство во внутренние дела" in forms and "内政" in forms
    assert forms.endswith("— cues: interfer*, meddl*, 干涉, 干预, 插手, вмешательств*, вмешива*"), forms
    body = next(h.value for h in at.html if "class='seed-heat'" in h.value)
    order = [html.unescape(h) for h in re.findall(r"<th data-col='seed-\d+'[^>]*>([^<]*)</th>", body)]
    assert len(order) == 5
    dated = [label[:10] for label in order if label[:4].isdigit()]
    assert dated == sorted(dated) and len(dated) >= 4
    assert all(not label[:4].isdigit() for label in order[len(dated) :])  # undated last
    heat = frame_by_key(at, "lex_seeds").set_index("concept")
    per_1k = sql(
        fixture_store,
        """SELECT i.id, ic.per_1k AS v FROM item_concepts ic JOIN items i ON i.id = ic.item_id
           JOIN sources s ON s.id = i.source_id WHERE s.group_id = 'seed' AND ic.concept_id = 'cold_war_mentality'""",
    )
    assert per_1k
    for row in per_1k:  # each cell is the seed's own hits per 1,000 words; the number is printed in it
        assert heat.loc["Cold War mentality", f"seed-{row['id']}"] == pytest.approx(row["v"])
    assert not at.get("vega_lite_chart"), "the seed matrix is an HTML table with its numbers, not a chart"


def test_lexicon_family_filter_is_pills_kept_in_the_url(app, fixture_store):
    families = sql(fixture_store, "SELECT DISTINCT family_id FROM concepts ORDER BY family_id")
    first, second = families[0]["family_id"], families[1]["family_id"]
    at = app("lexicon")
    assert not at.multiselect, "pills, not a multiselect (which cost the browser more than both tables)"
    pills = at.button_group(key="lex_families")
    assert list(pills.value) == [] and len(frame_by_key(at, "lex_table")) == len(
        sql(fixture_store, "SELECT id FROM concepts")
    )

    one = app("lexicon", families=f"{first},no-such-family,<b>x</b>")  # unknown ids are dropped
    shown = frame_by_key(one, "lex_table")
    expected = sql(fixture_store, "SELECT count(*) AS n FROM concepts WHERE family_id = ?", (first,))[0]["n"]
    assert len(shown) == expected > 0 and shown["family"].nunique() == 1
    assert list(one.button_group(key="lex_families").value) == [first]
    assert one.query_params["families"] == first  # the URL says what is shown, cleaned

    # A click reruns the page in the same session: the filter and the URL follow it.
    one.button_group(key="lex_families").set_value([first, second]).run()
    both = frame_by_key(one, "lex_table")
    assert set(both["family"]) == {
        r["label"] for r in sql(fixture_store, "SELECT label FROM families WHERE id IN (?, ?)", (first, second))
    }
    assert one.query_params["families"] == f"{first},{second}"
    one.button_group(key="lex_families").set_value([]).run()
    assert "families" not in one.query_params and len(frame_by_key(one, "lex_table")) == len(
        sql(fixture_store, "SELECT id FROM concepts")
    )


def test_overview_can_leave_out_syndicated_copies(app, fixture_store):
    concept = "global_security_initiative"
    with_copies = frame_by_key(app(**PERIOD, concepts=concept, bucket="month"), "ov_table")
    without = frame_by_key(app(**PERIOD, concepts=concept, bucket="month", nocopies="1"), "ov_table")
    copies = sql(
        fixture_store,
        f"SELECT count(*) AS n FROM items i {NON_SEED} AND i.copy_of IS NOT NULL",
        (PERIOD["from"], PERIOD["to"]),
    )[0]["n"]
    assert copies >= 1
    assert with_copies["denominator"].sum() - without["denominator"].sum() == copies
    assert with_copies["numerator"].sum() - without["numerator"].sum() == copies, "the copy uses the GSI"


def test_pages_derive_their_figures_once_per_view(app, monkeypatch):
    # A rerun that keeps the view (an expander opened, a point clicked, a second visit) reads
    # the Overview's and Compare's trend series back from dashboard/derived.py's cache; a new
    # view computes its own.
    import streamlit as st

    from analysis import trends

    st.cache_data.clear()  # the caches are the process's: earlier tests may hold these views
    calls = []
    real = trends.trend
    monkeypatch.setattr(trends, "trend", lambda *a, **k: calls.append(a[5]) or real(*a, **k))
    at = app(**PERIOD, concepts="cold_war_mentality")
    assert len(calls) == 1
    at.run()
    app(**PERIOD, concepts="cold_war_mentality")
    assert len(calls) == 1
    app(**PERIOD, concepts="cold_war_mentality,global_security_initiative")
    assert calls[-1] == ("cold_war_mentality", "global_security_initiative")
    app("compare", **PERIOD, concepts="cold_war_mentality")  # opened from the Overview's default view
    seen = len(calls)
    assert calls[-1] == ("cold_war_mentality",)  # Compare's own series: by group, another view
    app("compare", **PERIOD, concepts="cold_war_mentality")
    assert len(calls) == seen
