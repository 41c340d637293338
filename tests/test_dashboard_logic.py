"""The dashboard's pure modules: highlighting, similarity, URL state, freshness, trends."""

from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime

import pandas as pd
import pytest

from analysis import default_view, periods, trends
from dashboard import highlight, passage, similarity, urlstate
from dashboard.freshness import describe
from dashboard.highlight import Span


def test_highlight_escapes_text_and_keeps_only_our_markup():
    text = '<script>alert(1)</script> & the Cold War mentality "again"'
    start = text.index("Cold War mentality")
    out = highlight.highlight_html(text, [Span(start, start + 18, "cwm")], {"cwm": "#7f3c8d"}, {"cwm": 'Cold "War"'})
    assert "<script>" not in out and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; the " in out
    assert out.count("<mark") == 1 and ">Cold War mentality</mark>" in out
    assert 'title="Cold &quot;War&quot;"' in out


def test_searched_words_are_marked_in_the_text_inside_and_beside_concept_matches():
    text = "<b>Cold</b> War mentality & the <i>new</i> Cold War mentality, cold war"
    concept = text.index("Cold War mentality,")
    spans = [Span(concept, concept + 18, "cwm")]
    places = passage.query_spans(text, [r"(?i)cold war", r"<i>"])
    out = highlight.highlight_html(text, spans, {"cwm": "#7f3c8d"}, {"cwm": "Cold War mentality"},
                                   searched=highlight.SearchMarks(places))
    assert "<i>" not in out and "<b>" not in out  # the text stays text
    searched = re.findall(r'<mark class="query-term"[^>]*>(.*?)</mark>', out)
    assert searched == ["&lt;i&gt;", "Cold War", "cold war"]
    # the searched words inside the concept match sit within its mark: both stay visible
    assert re.search(r'<mark class="concept"[^>]*><mark class="query-term"[^>]*>Cold War</mark> mentality</mark>', out)
    # "<b>Cold</b> War" is not "Cold War" in the text: unmarked; marks never change the text
    assert html.unescape(re.sub(r"<[^>]+>", "", out)) == text
    # a searched place crossing a concept's edge is split at it, not dropped
    crossing = highlight.SearchMarks([(concept - 4, concept + 4)])
    out = highlight.highlight_html(text, spans, {}, {}, searched=crossing)
    assert re.findall(r'<mark class="query-term"[^>]*>(.*?)</mark>', out) == ["/i&gt; ", "Cold"]
    assert highlight.SearchMarks([(5, 9), (0, 6), (20, 20)]).places == [(0, 9)]  # merged, empty ones dropped


def test_highlight_drops_overlapping_and_out_of_range_spans():
    text = "common security and cooperative security"
    spans = [Span(0, 15, "a"), Span(7, 15, "b"), Span(0, 6, "c"), Span(35, 99, "d"), Span(5, 5, "e")]
    kept = highlight.non_overlapping(spans, len(text))
    assert [(s.start, s.end, s.concept_id) for s in kept] == [(0, 15, "a")]


@pytest.mark.parametrize(
    "url,ok",
    [
        ("https://example.org/a", True),
        ("http://x.cn/b?c=1", True),
        ("javascript:alert(1)", False),
        ("data:text/html,hi", False),
        ("/etc/passwd", False),
        ("ftp://x/y", False),
        (None, False),
        ("https:///", False),
    ],
)
def test_only_http_links_are_clickable(url, ok):
    assert (highlight.safe_link(url) is not None) == ok


def test_keywords_in_context():
    text = "One two three Cold War mentality four five."
    s = text.index("Cold")
    kwic = highlight.keywords_in_context(
        text, pd.DataFrame([{"concept_id": "c", "start": s, "end": s + 18, "distanced": 0}]), width=8
    )
    assert kwic.iloc[0][["before", "match", "after"]].tolist() == ["o three", "Cold War mentality", "four fi"]


def test_closest_seed_prefers_shared_vocabulary():
    seeds = [
        ("gsi", "global security initiative common comprehensive cooperative sustainable security"),
        ("trade", "tariffs exports imports trade balance"),
        ("zh", "人类命运共同体 全球安全倡议"),
    ]
    ranked = similarity.closest_seeds("The Global Security Initiative is about sustainable security", seeds)
    assert ranked[0][0] == "gsi" and ranked[0][1] > 0 and dict(ranked)["trade"] == 0
    assert similarity.closest_seeds("推动全球安全倡议", seeds)[0][0] == "zh"
    assert all(score == 0 for _, score in similarity.closest_seeds("", seeds))


def test_url_state_ignores_unknown_and_unreadable_values():
    params = {
        "groups": "cn-official,nope,cn-official",
        "from": "2026-13-01",
        "to": "2026-11-01",
        "page": "x",
        "min": "nan",
        "sort": "rowid; DROP",
    }
    assert urlstate.read_list(params, "groups", ["cn-official"]) == ["cn-official"]
    assert urlstate.read_date(params, "from") is None and urlstate.read_date(params, "to") == date(2026, 11, 1)
    assert urlstate.read_int(params, "page") is None and urlstate.read_float(params, "min") is None
    assert urlstate.read_choice(params, "sort", ["date", "score"]) is None
    assert urlstate.encode_all({"a": [], "b": ["x", "y"], "c": date(2026, 1, 2), "d": None, "e": True}) == {
        "b": "x,y",
        "c": "2026-01-02",
        "e": "1",
    }


def test_freshness_reports_errors_staleness_and_running():
    now = datetime(2026, 11, 20, 12, tzinfo=UTC)
    ok = {
        "started_at": "2026-11-20T11:00:00Z",
        "finished_at": "2026-11-20T11:05:00Z",
        "status": "ok",
        "errors": "[]",
        "new_items": 3,
    }
    assert describe(ok, "2026-11-20", now).level == "ok"
    assert "55 min ago" in describe(ok, "2026-11-20", now).headline
    failed = ok | {"status": "errors", "errors": '[{"source": "tass", "error": "HTTP 503"}]'}
    assert describe(failed, None, now).level == "error" and "tass" in describe(failed, None, now).detail
    assert describe(ok | {"finished_at": "2026-11-17T11:05:00Z"}, None, now).level == "warning"
    assert describe(ok | {"finished_at": None, "status": "running"}, None, now).headline.startswith("Ingest running")
    assert describe(None, None, now).level == "warning"


def test_default_period_and_buckets():
    today = date(2026, 11, 21)
    assert default_view.default_period("2026-01-01", "2026-11-20", 90, today) == periods.Period(
        date(2026, 8, 23), date(2026, 11, 20)
    )
    # an archive-only store opens on the last 90 days of its newest data, as the README says
    assert default_view.default_period("2016-01-01", "2020-07-03", 90, today) == periods.Period(
        date(2020, 4, 5), date(2020, 7, 3)
    )
    p = periods.Period(date(2026, 10, 29), date(2026, 11, 10))
    assert list(periods.buckets(p, "week").strftime("%Y-%m-%d")) == ["2026-10-26", "2026-11-02", "2026-11-09"]
    assert list(periods.buckets(p, "month").strftime("%Y-%m")) == ["2026-10", "2026-11"]
    assert p.previous() == periods.Period(date(2026, 10, 16), date(2026, 10, 28))


def test_trend_sums_numerators_and_denominators_never_averages_ratios():
    sources = pd.DataFrame({"id": ["a", "b"], "group_id": ["g", "g"]})
    ds = pd.DataFrame(
        {
            "day": ["2026-11-02", "2026-11-03", "2026-11-03"],
            "source_id": ["a", "a", "b"],
            "items": [1, 9, 10],
            "matching": [1, 0, 0],
            "original_items": [1, 9, 10],
            "original_matching": [1, 0, 0],
        }
    )
    dc = pd.DataFrame(
        {
            "day": ["2026-11-02"],
            "source_id": ["a"],
            "concept_id": ["c"],
            "items": [1],
            "own_items": [1],
            "distanced_items": [0],
            "hits": [3],
            "original_items": [1],
        }
    )
    out = trends.trend(ds, dc, sources, periods.Period(date(2026, 11, 2), date(2026, 11, 15)), "week", ["c"])
    assert out[["numerator", "denominator"]].values.tolist() == [[1, 20], [0, 0]]
    assert out["share"].iloc[0] == pytest.approx(1 / 20)  # not mean(1/1, 0/9, 0/10)
    assert pd.isna(out["share"].iloc[1]), "a bucket without items is a gap, not 0%"


def test_a_clicked_chart_point_becomes_its_buckets_days():
    from dashboard.charts import selected_points
    from dashboard.controls import picked_bucket

    p = periods.Period(date(2026, 10, 1), date(2026, 11, 20))
    week_ms = int(pd.Timestamp("2026-11-16").timestamp() * 1000)
    assert picked_bucket(week_ms, "week", p) == periods.Period(date(2026, 11, 16), date(2026, 11, 20))
    assert picked_bucket("2026-10-01T00:00:00", "month", p) == periods.Period(date(2026, 10, 1), date(2026, 10, 31))
    assert picked_bucket(week_ms, "day", p) == periods.Period(date(2026, 11, 16), date(2026, 11, 16))
    event = {"selection": {"pick": [{"bucket": week_ms, "concept": "Zero-sum game"}]}}
    assert selected_points(event) == [{"bucket": week_ms, "concept": "Zero-sum game"}]
    assert selected_points({"selection": {}}) == [] and selected_points(None) == []


def test_year_buckets_for_decades_of_data():
    from dashboard.controls import picked_bucket

    p = periods.Period(date(1971, 3, 1), date(2024, 1, 1))
    assert periods.default_granularity(p) == "year"
    years = periods.buckets(p, "year")
    assert years[0].year == 1971 and years[-1].year == 2024 and len(years) == 54
    assert picked_bucket("2019-01-01T00:00:00", "year", p) == periods.Period(date(2019, 1, 1), date(2019, 12, 31))


def test_passage_escapes_text_and_marks_search_words_apart_from_concepts():
    from dashboard.passage import WIDTH, marked_title, passage_html
    from store.query_language import parse_query

    text = "<b>x</b> " * 100 + "China rejects the Cold War mentality & <script>zero-sum</script> games." + " tail" * 100
    query = parse_query('"cold war" zero*')
    start = text.index("zero-sum")
    out = passage_html(text, query.highlight_patterns(), [Span(start, start + 8, "zs")], {"zs": "#123456"})
    assert "<script>" not in out and "<b>" not in out and "&lt;script&gt;" in out
    assert re.findall(r'<mark class="query-term"[^>]*>(.*?)</mark>', out) == ["Cold War", "zero"]
    assert out.startswith("…") and out.endswith("…") and len(re.sub(r"<[^>]+>", "", html.unescape(out))) < WIDTH + 40
    assert '<mark class="concept"' not in out  # "zero" (searched) overlaps the concept span: the search wins
    cn = passage_html("中国倡导新安全观，摒弃冷战思维。", parse_query("冷战").highlight_patterns())
    assert '<mark class="query-term"' in cn and ">冷战</mark>" in cn
    assert marked_title("<i>GSI</i> news", parse_query("title:gsi").highlight_patterns("title")).count("<mark") == 1


def test_html_table_escapes_blanks_missing_values_and_draws_text_sparklines():
    from dashboard.htmltable import html_table, percent, sparkline

    frame = pd.DataFrame([{"name": "<b>x</b>", "share": 0.5, "note": None}, {"name": "y", "share": None, "note": "ok"}])
    out = html_table(frame, {"name": "Name", "share": "Share", "note": "Note"}, "t", cells={"share": percent(1)})
    assert "<b>x</b>" not in out and "&lt;b&gt;x&lt;/b&gt;" in out and "None" not in out.replace("null", "")
    assert ">50.0%<" in out and out.count("<tr style='border-top") == 2
    line = re.sub(r"<[^>]+>", "", sparkline([0] * 60 + [1, 4] * 30))  # 120 months, 5 to a character
    assert line.startswith(" " * 12) and "█" in line and len(line.split(" peak")[0]) == 24 and "peak 14" in line


def test_bar_cells_scale_to_the_largest_value_and_escape_their_colour():
    from dashboard.htmltable import bar, html_table

    frame = pd.DataFrame([{"c": "a", "hits": 8, "colour": "#d62728"}, {"c": "b", "hits": 2, "colour": "x' onload='y"},
                          {"c": "c", "hits": None, "colour": "#000"}])
    cells = {"hits": bar("hits", 8.0, lambda r: r["colour"])}
    out = html_table(frame, {"c": "C", "hits": "Hits"}, "t", row_cells=cells)
    widths = re.findall(r"width:([\d.]+)%;height:100%", out)
    assert widths == ["100.0", "25.0"]  # the blank row draws no bar
    assert "onload='y" not in out and "x&#x27; onload=&#x27;y" in out
    assert ">8<" in out and ">2<" in out  # counts stay whole in a column pandas made float
    empty = {"hits": bar("hits", 0, lambda r: "#000")}
    assert "width:0.0%" in html_table(frame.head(1), {"hits": "H"}, "t", row_cells=empty)


def test_heat_cells_print_their_number_and_shade_by_share_of_the_top():
    from dashboard.htmltable import heat

    cell = heat(10.0, ".1f")
    assert cell(None) == "" and cell(0) == "" and cell(float("nan")) == ""
    light, dark = cell(0.5), cell(10.0)
    assert ">0.5<" in light and "color:#222" in light and ">10.0<" in dark and "background:#a50f15" in dark
    assert "background:#a50f15" in cell(25.0) and "color:#fff" in dark  # above the top: the darkest, white ink


def test_an_all_zero_trend_keeps_a_readable_axis():
    """Every share 0 (a concept nobody used in the period): the axis spans 0-1%, not one tick
    labelled 0.000000%; counts span 0-1 item. A real maximum leaves the scale to Vega."""
    from dashboard import charts

    zero = pd.DataFrame({"share": [0.0, 0.0, None], "count": [0, 0, None]})
    assert charts._value_scale(zero, "share").to_dict() == {"domain": [0, 0.01]}
    assert charts._value_scale(zero, "count").to_dict() == {"domain": [0, 1]}
    some = pd.DataFrame({"share": [0.0, 0.2], "count": [0, 3]})
    assert charts._value_scale(some, "share").to_dict() == {"zero": True}


def test_widest_concepts_keeps_the_most_found_concepts_in_order_and_counts_all():
    from analysis.source_tables import widest_concepts

    matrix = pd.DataFrame(
        {
            "source_id": ["a", "b", "a", "b", "a", "a"],
            "concept_id": ["x", "x", "y", "z", "w", "v"],
            "items": [3, 2, 4, 1, 4, 1],
        }
    )
    kept, order, total = widest_concepts(matrix, 3)
    assert order == ["x", "w", "y"]  # x 5 items; w and y 4 each, tie broken by id
    assert total == 5
    assert set(kept["concept_id"]) == {"x", "w", "y"} and len(kept) == 4
    assert widest_concepts(matrix, 10)[1] == ["x", "w", "y", "v", "z"]
