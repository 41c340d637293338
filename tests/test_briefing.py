"""The weekly briefing on a real store built by the real ingest, one run per simulated week.

Seven weeks (2026-W40 .. W46) of three groups: a Chinese official wire (JSONL archive),
a Western media RSS feed (a feed file whose URL fails during the W44 run), a think
tank (archive) and a regional outlet that syndicates one wire story.  Planted:
a surge of "Cold War mentality" in W46, noise ("Shanghai Spirit" 1 -> 2 items),
the first own-voice use of the Global Security Initiative by the Western feed in W46,
and hostile titles and links.
"""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import UTC, date, datetime, timedelta

import pytest

from analysis.briefing import compute_briefing, render_csv, render_html, render_markdown, render_text, tables
from analysis.briefing.format import md_escape
from analysis.briefing.significance import is_significant, log_likelihood
from analysis.briefing.weeks import IsoWeek, default_week
from ingest.config import load_config
from ingest.lexicon import load_lexicon
from ingest.pipeline import Ingest
from store import Store
from store.briefing_reads import BriefingReader
from tests.builders import FeedItem, SourceSpec, rss, write_config, write_jsonl
from tests.dashboard_fixtures import html_frame

WEEKS = [IsoWeek(2026, w) for w in range(40, 47)]
SURGE, OUTAGE = IsoWeek(2026, 46), IsoWeek(2026, 44)
TODAY = date(2026, 11, 23)
HOSTILE = "<script>alert(1)</script> Cold War <img src=x onerror=alert(2)> [x](javascript:alert(3))"
FIELDS = {"text": "text", "title": "title", "date": "date", "url": "url"}
FILLER = (
    "The ministry reviewed trade statistics, grain harvests and the weather outlook for the coming "
    "month, and officials took questions on provincial transport plans. "
)
WIRE_GSI = (
    "Foreign Minister remarks: China will implement the Global Security Initiative with partners "
    "in the region and the international community. "
)


def _wire_rows(upto: IsoWeek) -> list[dict]:
    rows = []
    for wk in WEEKS:
        if wk > upto:
            break
        for d in range(5):
            day = (wk.monday + timedelta(days=d)).isoformat()
            rows.append(
                {
                    "title": f"Wire win-win {day}",
                    "date": day,
                    "url": f"https://wire.example/{day}/a",
                    "text": FILLER + "China is ready to deepen win-win cooperation with all partners. " * 2,
                }
            )
            rows.append(
                {"title": f"Wire notes {day}", "date": day, "url": f"https://wire.example/{day}/b", "text": FILLER * 2}
            )
            cold = wk == SURGE or d == 0
            rows.append(
                {
                    "title": HOSTILE if (wk == SURGE and d == 2) else f"Wire commentary {day}",
                    "date": day,
                    "url": "javascript:alert(4)" if (wk == SURGE and d == 2) else f"https://wire.example/{day}/c",
                    "text": FILLER
                    + (
                        "The Cold War mentality and zero-sum game thinking are outdated; "
                        "hegemonism threatens peace. " * (3 if d == 2 else 1)
                        if cold
                        else FILLER
                    ),
                }
            )
        if wk == SURGE:
            for n in range(4):
                day = (wk.monday + timedelta(days=n)).isoformat()
                rows.append(
                    {
                        "title": f"Wire extra {n}",
                        "date": day,
                        "url": f"https://wire.example/x{n}",
                        "text": FILLER + f"Officials {n} again rejected the Cold War mentality of blocs. ",
                    }
                )
        rows.append(
            {
                "title": f"GSI {wk}",
                "date": wk.monday.isoformat(),
                "url": f"https://wire.example/gsi/{wk}",
                "text": WIRE_GSI * 2,
            }
        )
    return rows


def _think_rows(upto: IsoWeek) -> list[dict]:
    rows = []
    for wk in WEEKS:
        if wk > upto:
            break
        n = 2 if wk == SURGE else 1
        for i in range(n):
            day = (wk.monday + timedelta(days=1 + i)).isoformat()
            rows.append(
                {
                    "title": f"SCO note {wk} {i}",
                    "date": day,
                    "url": f"https://think.example/{wk}/{i}",
                    "text": FILLER + "Members praised the Shanghai Spirit in Beijing. " * 2,
                }
            )
    return rows


def _feed_items(wk: IsoWeek) -> list[FeedItem]:
    items = []
    for d in range(5):
        when = datetime.combine(wk.monday + timedelta(days=d), datetime.min.time(), tzinfo=UTC) + timedelta(hours=9)
        text = FILLER + "Markets were calm and the central bank left rates unchanged. "
        if wk == SURGE and d == 3:
            text = (
                "Analysis: the Global Security Initiative offers a framework for dialogue that Europe "
                "should engage with, our correspondent argues. "
            ) * 2
        items.append(FeedItem(f"West daily {when:%Y-%m-%d}", text, f"https://west.example/{when:%Y%m%d}", when))
    return items


@pytest.fixture(scope="module")
def store(tmp_path_factory, module_store_url):
    """The config and the store of the seven weeks, on SQLite and then on PostgreSQL."""
    tmp = tmp_path_factory.mktemp("briefing")
    feed = tmp / "west.xml"
    specs = [
        SourceSpec(
            "wire",
            "cn-official",
            "archive",
            {"path": str(tmp / "wire.jsonl"), "fields": FIELDS},
            name="Xinhua-like wire",
        ),
        SourceSpec("west", "western-media", "feed", {"url": str(feed)}, name="Western Daily"),
        SourceSpec(
            "think", "think-tanks", "archive", {"path": str(tmp / "think.jsonl"), "fields": FIELDS}, name="Think tank"
        ),
        SourceSpec(
            "regional",
            "regional-media",
            "archive",
            {"path": str(tmp / "regional.jsonl"), "fields": FIELDS},
            name="Regional Post",
        ),
    ]
    cfg_path = write_config(tmp, specs, settings={"store": {"url": module_store_url}})
    config = load_config(cfg_path)
    lexicon = load_lexicon(config.lexicon_path)
    for wk in WEEKS:
        write_jsonl(tmp / "wire.jsonl", _wire_rows(wk))
        write_jsonl(tmp / "think.jsonl", _think_rows(wk))
        surge_story = [r for r in _wire_rows(wk) if r["title"] == HOSTILE]
        write_jsonl(
            tmp / "regional.jsonl",
            [dict(r, title="Syndicated: " + r["title"], url="https://reg.example/1") for r in surge_story],
        )
        if wk == OUTAGE:
            feed.unlink(missing_ok=True)
        else:
            feed.write_bytes(rss(_feed_items(wk)))
        now = datetime.combine(wk.sunday, datetime.min.time(), tzinfo=UTC) + timedelta(hours=23)
        with Store(config.store_target) as s:
            report = Ingest(config, lexicon, s, now=now).run()
        assert bool(report.errors) == (wk == OUTAGE)
    return cfg_path, config.store_target


@pytest.fixture(scope="module")
def surge(store):
    reader = BriefingReader(store[1])
    yield compute_briefing(reader, "2026-W46", today=TODAY)
    reader.close()


def test_significance_calls_surges_but_not_small_counts():
    assert is_significant(20, 100, 20, 400)
    assert not is_significant(2, 20, 1, 80), "1 -> 2 items is noise"
    assert not is_significant(2, 20, 4, 80)
    assert log_likelihood(5, 100, 20, 400) == pytest.approx(0.0, abs=1e-9)


def test_default_week_is_last_complete_week_or_the_newest_with_data():
    assert default_week(date(2026, 11, 21), "2026-11-20") == IsoWeek(2026, 46)
    assert default_week(date(2026, 11, 23), "2026-11-22") == IsoWeek(2026, 47)
    assert default_week(date(2026, 11, 23), "2019-05-22") == IsoWeek(2019, 21)
    # a gap in ingest: the latest complete week that has data, never an empty week
    assert default_week(date(2026, 11, 23), "2026-11-22", ["2026-W44", "2026-W45", "2026-W48"]) == IsoWeek(2026, 45)
    assert default_week(date(2026, 11, 23), "2026-11-22", ["2026-W47", "2026-W48"]) == IsoWeek(2026, 47)
    assert str(IsoWeek.parse("2026-w7")) == "2026-W07"
    with pytest.raises(ValueError):
        IsoWeek.parse("2026-W60")


def test_surge_is_significant_and_noise_is_not(surge):
    by_id = {c.concept_id: c for c in surge.concepts}
    cold = by_id["cold_war_mentality"]
    # 9, not 10: the regional outlet publishes only this week, so it is outside the matched panel
    assert cold.significant and cold.direction == "rising" and cold.items == 9 and cold.base_items == 4
    assert any("matched panel" in m and "Regional Post" in m for m in surge.method)
    assert surge.rising[0].concept_id == "cold_war_mentality"
    spirit = by_id["shanghai_spirit"]
    assert (spirit.items, spirit.base_items) == (2, 4) and not spirit.significant
    assert "shanghai_spirit" not in {c.concept_id for c in surge.movers}
    steady = by_id["win_win_cooperation"]
    assert not steady.significant
    assert "G²" in surge.method[1] and "p < 0.001" in surge.method[1]


def test_headline_counts_and_baseline(surge):
    h = surge.headline
    # wire 15 + 4 extra + 1 GSI, feed 5, think 2, regional copy 1
    assert h.items == 28 and h.baseline_weeks == 4
    assert h.baseline_items == pytest.approx((22 + 22 + 17 + 22) / 4)
    assert not surge.caveats, "a complete week has no coverage caveats"


def test_outage_is_reported_as_a_caveat(store):
    reader = BriefingReader(store[1])
    b = compute_briefing(reader, str(OUTAGE), today=TODAY)
    reader.close()
    kinds = {(c.source_id, c.kind) for c in b.caveats}
    assert ("west", "failed") in kinds and ("west", "silent") in kinds
    failed = next(c for c in b.caveats if c.kind == "failed")
    assert "file not found" in failed.text
    assert b.headline.items == 17 and b.headline.baseline_items == 22
    md = render_markdown(b)
    assert md.index("Coverage caveats") < md.index("Items ingested")
    assert "Western Daily" in render_html(b).split("Items ingested")[0]


def test_crossing_into_western_media_is_noted(surge):
    cross = [c for c in surge.crossings if c.concept_id == "global_security_initiative"]
    assert len(cross) == 1
    c = cross[0]
    assert c.group_id == "western-media" and c.voice == "own-voice"
    assert "Chinese official & state media" in c.used_before_by
    cells = {(r.concept_id, r.group_id): r for r in surge.group_table}
    assert cells[("cold_war_mentality", "cn-official")].share == pytest.approx(9 / 20)
    assert not [c for c in surge.crossings if c.group_id == "regional-media"], (
        "reprinting a wire story is not taking up its concepts in one's own voice"
    )


def test_top_articles_skip_copies_and_show_the_matched_sentence(surge):
    cold = [a for a in surge.top_articles if a.concept_id == "cold_war_mentality"]
    assert cold and cold[0].title == HOSTILE, "the strongest article comes first"
    assert len({a.source for a in cold}) == len(cold), "one article per source"
    assert all(a.source != "Regional Post" for a in cold), "syndicated copies are skipped"
    s = cold[0].sentence
    assert s is not None and s.match.lower() == "cold war mentality" and s.after.startswith(" and zero-sum")


def test_trend_is_normalised_over_twelve_weeks(surge):
    points = [t for t in surge.trend if t.concept_id == "cold_war_mentality"]
    assert len(points) == 12 and points[-1].week == "2026-W46"
    assert points[-1].share == pytest.approx(10 / 28)
    assert all(t.total == 0 for t in points[:5]), "weeks before the store began"


def test_exports_agree_and_untrusted_text_is_inert(surge):
    md, page, rows = render_markdown(surge), render_html(surge), list(csv.DictReader(io.StringIO(render_csv(surge))))
    assert len(rows) == len(surge.items) == surge.headline.matching
    per_concept: dict[str, int] = {}
    for r in rows:  # concept changes count the matched panel: the regional outlet is new this week
        if r["source_id"] == "regional":
            continue
        for cid in r["concepts"].split(";"):
            per_concept[cid] = per_concept.get(cid, 0) + 1
    assert {c.concept_id: c.items for c in surge.concepts if c.items} == per_concept
    for row in tables.concept_table(surge.rising).itertuples(index=False):
        cells = [str(v) for v in row]
        assert " | ".join(md_escape(c) for c in cells) + " |" in md
        assert "".join(f'<td class="num">{html.escape(c)}</td>' for c in cells[1:]) in page
    assert f"| {surge.headline.matching}" not in md  # numbers are not only in tables
    assert f"matching items: {surge.headline.matching}" in md and f'<div class="n">{surge.headline.items}</div>' in page
    assert "<script" not in page.lower() and "<img" not in page.lower()
    assert "&lt;script&gt;" in page and 'href="javascript' not in page.lower()
    assert "\\<script\\>" in md and not re.search(r"(?<!\\)\]\(javascript", md)
    hostile = next(r for r in rows if r["title"] == HOSTILE)
    assert hostile["url"] == "javascript:alert(4)" or hostile["url"] == ""


def test_plain_text_briefing_has_the_same_numbers_and_no_markup(surge):
    """For email clients that do not render Markdown: no escaping backslashes, no ** or [..](..),
    untrusted titles verbatim (plain text renders nothing), links written out in full."""
    text = render_text(surge)
    md = render_markdown(surge)
    markup = text.replace(HOSTILE, "")
    assert "\\" not in markup and "**" not in markup and "](" not in markup
    assert f"matching items: {surge.headline.matching}" in text
    for row in tables.concept_table(surge.rising).itertuples(index=False):
        assert "  ".join(str(v) for v in row).split("  ")[0] in text
        assert all(str(v) in text for v in row)
    assert HOSTILE in text, "plain text carries the hostile title as it is: nothing renders it"
    from analysis.briefing.render_md import PLAIN

    assert PLAIN.link("A  title", "https://news.test/a?b=1") == "A title <https://news.test/a?b=1>"
    assert PLAIN.link("Bad", "javascript:alert(1)") == "Bad", "only http(s) links are written out"
    assert text.count("\n## ") == md.count("\n## "), "the same sections in the same order"


def test_emerging_phrases_exclude_the_lexicon(surge):
    phrases = {p.phrase for p in surge.phrases}
    assert not any("cold war" in p or "win-win" in p for p in phrases)
    for p in surge.phrases:
        assert p.count >= 3 and p.items >= 2 and p.example is not None
        assert p.example.match.lower().replace("-", " ") == p.phrase.replace("-", " ")


def test_cli_writes_the_same_briefing(store, tmp_path, monkeypatch):
    from ingest.cli import main

    cfg, path = store
    for fmt, render in (("md", render_markdown), ("txt", render_text), ("html", render_html), ("csv", render_csv)):
        out = tmp_path / f"b.{fmt}"
        assert main(["--config", str(cfg), "briefing", "--week", "2026-W46", "--format", fmt, "--out", str(out)]) == 0
        reader = BriefingReader(path)
        expected = render(compute_briefing(reader, "2026-W46"))
        reader.close()
        assert out.read_text(encoding="utf-8") == expected
    assert main(["--config", str(cfg), "briefing", "--week", "2026-W46", "--groups", "nope"]) == 2
    out = tmp_path / "groups.md"
    assert (
        main(["--config", str(cfg), "briefing", "--week", "2026-W46", "--groups", "western-media", "--out", str(out)])
        == 0
    )
    assert "Scope: Western media" in out.read_text(encoding="utf-8")


def _page(cfg, monkeypatch, week: str):
    """The Briefing page opened on `week` by a link (the URL's `week`), as an analyst shares it."""
    from tests.dashboard_fixtures import open_fresh

    monkeypatch.setenv("MONITOR_CONFIG", str(cfg))
    at = open_fresh("briefing", {"week": week})
    assert at.selectbox(key="briefing_week").value == week
    return at


def test_page_shows_the_same_numbers_as_the_exports(store, surge, monkeypatch):
    at = _page(store[0], monkeypatch, "2026-W46")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Items ingested"] == str(surge.headline.items)
    assert metrics["Matching items"] == str(surge.headline.matching)
    rising = html_frame(at, "briefing-rising")
    assert rising.astype(str).values.tolist() == tables.concept_table(surge.rising).values.tolist()
    matrix = html_frame(at, "briefing-groups-table")
    assert matrix.astype(str).values.tolist() == tables.group_matrix(surge).values.tolist()
    assert "Western media" in matrix.columns and not at.dataframe  # HTML tables, no data grid
    markdown = "\n".join(m.value for m in at.markdown)
    assert "\\<script\\>" in markdown and "<script>" not in markdown.replace("\\<script\\>", "")
    buttons = at.get("download_button")
    assert len(buttons) == 4, "md, txt, html and csv downloads"
    # each export is rendered on its click, never on a page view (the HTML one draws an SVG chart)
    assert all(b.proto.HasField("deferred_file_id") for b in buttons)
    assert not at.warning, "no caveats in a complete week"


def test_page_says_none_where_a_table_has_no_rows(store, monkeypatch):
    """A group with little in the week: its empty tables read "(none)", as in the exports,
    never a bare header row that looks like a page that failed to load."""
    at = _page(store[0], monkeypatch, "2026-W46")
    at.multiselect(key="briefing_groups").set_value(["ru-official"]).run()
    assert not at.exception
    assert not [h.value for h in at.html if "<tbody></tbody>" in h.value]
    assert sum(m.value == "(none)" for m in at.markdown) >= 1


def test_page_leads_with_the_outage_caveat(store, monkeypatch):
    at = _page(store[0], monkeypatch, str(OUTAGE))
    warnings = [w.value for w in at.warning]
    assert any("Western Daily" in w and "failed" in w for w in warnings)
    assert any("Western Daily" in w and "no items" in w for w in warnings)
    at.multiselect(key="briefing_groups").set_value(["cn-official"]).run()
    assert not at.exception and not at.warning, "the outage concerns another group"


def test_page_week_and_groups_live_in_the_url(store, monkeypatch):
    at = _page(store[0], monkeypatch, "2026-W45")
    at.multiselect(key="briefing_groups").set_value(["western-media"]).run()
    assert (at.query_params["week"], at.query_params["groups"]) == ("2026-W45", "western-media")

    from streamlit.testing.v1 import AppTest

    from tests.builders import REPO

    fresh = AppTest.from_file(str(REPO / "dashboard" / "app.py"), default_timeout=60)
    fresh.run()
    fresh.switch_page("pages/briefing.py")
    fresh.query_params.update({"week": "2026-W45", "groups": "western-media"})
    fresh.run()
    assert not fresh.exception, [e.value for e in fresh.exception]
    assert fresh.selectbox(key="briefing_week").value == "2026-W45"
    assert fresh.multiselect(key="briefing_groups").value == ["western-media"]


def test_page_opens_on_the_cli_default_week_and_offers_only_weeks_with_data(store, monkeypatch):
    from analysis.briefing.compute import resolve_week
    from analysis.briefing.weeks import week_of_day

    reader = BriefingReader(store[1])
    with_data = {week_of_day(d) for d in reader.days_with_items()}
    cli_default = str(resolve_week(reader, None))
    at = _page(store[0], monkeypatch, "2026-W45")
    year = at.selectbox(key="briefing_year").value
    offered = [o.split(" · ")[0] for o in at.selectbox(key="briefing_week").options]
    assert set(offered) == {w for w in with_data if w.startswith(year)}
    assert at.selectbox(key="briefing_year").options == sorted({w[:4] for w in with_data}, reverse=True)
    from streamlit.testing.v1 import AppTest

    from tests.builders import REPO

    fresh = AppTest.from_file(str(REPO / "dashboard" / "app.py"), default_timeout=60)
    fresh.run()
    fresh.switch_page("pages/briefing.py")
    fresh.query_params.clear()  # no week in the URL: the page opens where the CLI would
    fresh.run()
    assert not fresh.exception and fresh.selectbox(key="briefing_week").value == cli_default


def test_seed_documents_do_not_count_as_baseline_coverage(tmp_path):
    """A store whose wire began two weeks before the briefed week compares that week with the
    average of those two weeks, not of four: the seed documents (dated 1997) are not coverage."""
    from tests.dashboard_fixtures import run_ingest

    week = IsoWeek(2026, 42)
    write_jsonl(tmp_path / "wire.jsonl", _wire_rows(week))  # W40..W42
    write_jsonl(
        tmp_path / "seed.jsonl",
        [
            {
                "title": "New Security Concept",
                "date": "1997-04-23",
                "url": "https://seed.example/1",
                "text": "The new security concept of mutual trust, mutual benefit, equality and coordination.",
            }
        ],
    )
    specs = [
        SourceSpec("wire", "cn-official", "archive", {"path": str(tmp_path / "wire.jsonl"), "fields": FIELDS}),
        SourceSpec("seed-1997", "seed", "archive", {"path": str(tmp_path / "seed.jsonl"), "fields": FIELDS}),
    ]
    config = write_config(tmp_path, specs)
    run_ingest(config)
    with BriefingReader(load_config(config).store_path) as reader:
        h = compute_briefing(reader, str(week), today=TODAY).headline
    assert h.baseline_weeks == 2
    before = [r for r in _wire_rows(week) if IsoWeek.of(date.fromisoformat(r["date"])) < week]
    assert h.baseline_items == pytest.approx(len(before) / 2)
