"""Watches: stored, validated, backfilled over the history, topped up after each
ingest, exported and imported as TOML, and drawn as series like concepts."""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
from datetime import date

import pandas as pd
import pytest

from analysis import periods, trends
from analysis.watches import watch_daily, watch_state
from ingest.config import ConfigError, load_config
from ingest.watchfile import export_watches, parse_watches
from store import Store, now_utc
from store.reads import StoreReader
from store.watch_reads import WatchReads
from store.watches import AlertRules, Watch, WatchBook, WatchError
from tests.builders import REPO, write_jsonl
from tests.dashboard_fixtures import FIELDS, build_store, run_ingest

GSI = "global_security_initiative"
COLD = "cold_war_mentality"


@pytest.fixture(scope="module")
def fixture_store(tmp_path_factory):
    return build_store(tmp_path_factory.mktemp("watches"))


@pytest.fixture(params=["sqlite", "postgresql"])
def store(fixture_store, tmp_path, request):
    """A private copy of the fixture store, so each test may write: an SQLite file, or a
    PostgreSQL database filled by `store copy` (watches are shared by a team there)."""
    copy = tmp_path / "monitor.sqlite3"
    src = sqlite3.connect(fixture_store.store)
    dst = sqlite3.connect(copy)
    src.backup(dst)
    src.close()
    dst.close()
    location: object = copy
    if request.param == "postgresql":
        from store.copy import copy_store
        from store.url import parse_store_url

        location = request.getfixturevalue("pg_url")
        copy_store(copy, parse_store_url(str(location)))
    with Store(location) as s:  # type: ignore[arg-type]
        yield s


def direct_items(conn, concepts, groups=()) -> set[int]:
    marks = ",".join("?" * len(concepts))
    sql = f"""SELECT DISTINCT ic.item_id FROM item_concepts ic JOIN items i ON i.id = ic.item_id
              JOIN sources s ON s.id = i.source_id WHERE ic.concept_id IN ({marks})"""
    params = list(concepts)
    if groups:
        sql += f" AND s.group_id IN ({','.join('?' * len(groups))})"
        params += list(groups)
    return {r[0] for r in conn.execute(sql, params)}


def watch_items(conn, name) -> set[int]:
    return {r[0] for r in conn.execute("SELECT item_id FROM watch_items WHERE watch_name = ?", (name,))}


def test_saved_watch_is_backfilled_over_the_whole_history(store):
    book = WatchBook(store.conn)
    book.save(Watch("gsi", "concept", "GSI", concepts=(GSI,)), now_utc())
    book.save(Watch("frames", "concepts", concepts=(GSI, COLD), groups=("cn-official",)), now_utc())
    assert book.evaluate("gsi") == len(direct_items(store.conn, [GSI])) > 0
    book.evaluate("frames")
    assert watch_items(store.conn, "gsi") == direct_items(store.conn, [GSI])
    assert watch_items(store.conn, "frames") == direct_items(store.conn, [GSI, COLD], ["cn-official"])
    assert book.evaluate("gsi") == 0  # nothing new: nothing added, nothing doubled
    assert [w.name for w in book.list()] == ["frames", "gsi"]


def test_query_watch_matches_the_text(store):
    book = WatchBook(store.conn)
    book.save(Watch("trade", "query", query='title:"trade fair" OR (title:tourism -title:weather)'), now_utc())
    book.evaluate("trade")
    titles = {
        r[0]
        for r in store.conn.execute(
            "SELECT i.title FROM watch_items w JOIN items i ON i.id = w.item_id WHERE w.watch_name = 'trade'"
        )
    }
    assert {"Trade fair", "Tourism update"} <= titles
    assert "GSI first mention" not in titles and "Weather report" not in titles


def test_edit_of_the_definition_evaluates_afresh_and_delete_removes_items(store):
    book = WatchBook(store.conn)
    book.save(Watch("w", "concept", concepts=(GSI,)), now_utc())
    book.evaluate("w")
    book.save(Watch("w", "concept", concepts=(COLD,)), now_utc())
    book.evaluate("w")
    assert watch_items(store.conn, "w") == direct_items(store.conn, [COLD])
    assert book.delete("w") and book.get("w") is None
    assert watch_items(store.conn, "w") == set()


def test_a_lexicon_change_reevaluates_the_whole_history(store):
    book = WatchBook(store.conn)
    book.save(Watch("w", "concept", concepts=(GSI,)), now_utc())
    book.evaluate("w")
    store.conn.execute("DELETE FROM item_concepts WHERE concept_id = ?", (GSI,))  # as a rescore would
    store.set_meta("lexicon_hash", "changed")
    book.evaluate("w")
    assert watch_items(store.conn, "w") == set()


@pytest.mark.parametrize(
    ("watch", "message"),
    [
        (Watch("Bad Name", "concept", concepts=(GSI,)), "name 'Bad Name'"),
        (Watch("w", "concept", concepts=("nope",)), "concepts: unknown 'nope'"),
        (Watch("w", "concept", concepts=(GSI, COLD)), "exactly one concept"),
        (Watch("w", "query"), "query: a query watch needs a query"),
        (Watch("w", "query", query='"unclosed'), "query: "),
        (Watch("w", "thing"), "kind 'thing'"),
        (Watch("w", "concept", concepts=(GSI,), groups=("mars",)), "groups: unknown 'mars'"),
        (Watch("w", "concept", concepts=(GSI,), rules=AlertRules(first_in_groups=("x",))), "rules.first_in_groups"),
        (Watch("w", "concept", concepts=(GSI,), rules=AlertRules(min_items=0)), "rules.min_items"),
    ],
)
def test_invalid_watches_are_refused_naming_the_field(store, watch, message):
    with pytest.raises(WatchError, match=message.replace("(", r"\(")):
        WatchBook(store.conn).save(watch, now_utc())
    assert WatchBook(store.conn).list() == []


def test_new_items_are_added_after_the_next_ingest(tmp_path, store_url):
    archive = write_jsonl(
        tmp_path / "a.jsonl",
        [{"date": "2026-11-02", "title": "one", "text": "The Global Security Initiative was discussed.", "url": "u1"}],
    )
    from tests.builders import SourceSpec, write_config

    config = write_config(
        tmp_path, [SourceSpec("a", "western-media", "archive", {"path": str(archive), "fields": FIELDS})]
    )
    run_ingest(config)
    path = load_config(config).store_target
    with Store(path) as s:
        WatchBook(s.conn).save(Watch("gsi", "concept", concepts=(GSI,)), now_utc())
        assert WatchBook(s.conn).evaluate("gsi") == 1
    write_jsonl(
        archive,
        [
            {
                "date": "2026-11-02",
                "title": "one",
                "text": "The Global Security Initiative was discussed.",
                "url": "u1",
            },
            {"date": "2026-11-03", "title": "two", "text": "Again the Global Security Initiative.", "url": "u2"},
            {"date": "2026-11-03", "title": "three", "text": "Nothing to see.", "url": "u3"},
        ],
    )
    run_ingest(config)
    with Store(path) as s:
        book = WatchBook(s.conn)
        assert book.evaluate("gsi") == 1
        assert book.get("gsi").alerts_after_item == 1  # the history at creation stays history


def test_a_concept_watch_is_the_same_series_as_its_concept(store):
    """Same numerators and denominators, hence the same shares, as the concept itself."""
    book = WatchBook(store.conn)
    book.save(Watch("gsi", "concept", concepts=(GSI,)), now_utc())
    book.evaluate("gsi")
    reader = StoreReader(store.path)
    period = periods.Period(date(2026, 10, 1), date(2026, 11, 20))
    ds, dc, sources = (
        reader.daily_source(period.first, period.last),
        reader.daily_concept(period.first, period.last),
        reader.sources(),
    )
    wd = watch_daily(WatchReads(reader.conn), ["gsi"], period)
    both = pd.concat([dc, wd], ignore_index=True)
    out = trends.trend(
        ds,
        both,
        sources,
        period,
        "week",
        [GSI, "watch:gsi"],
        by_group=True,
        measures=("items", "own_items", "distanced_items"),
    )
    concept = out[out.concept_id == GSI].drop(columns="concept_id").reset_index(drop=True)
    watch = out[out.concept_id == "watch:gsi"].drop(columns="concept_id").reset_index(drop=True)
    pd.testing.assert_frame_equal(concept, watch)
    assert concept["numerator"].sum() > 0
    reader.close()


def test_watch_state_in_words(store):
    book = WatchBook(store.conn)
    book.save(Watch("gsi", "concept", concepts=(GSI,)), now_utc())
    book.evaluate("gsi")
    state = watch_state(WatchReads(store.conn), book.get("gsi"))
    assert state.window is not None and state.scope_items > 0
    assert "of" in state.sentence() and "items" in state.sentence()


def test_toml_round_trip_and_clear_errors(store, tmp_path):
    book = WatchBook(store.conn)
    book.save(
        Watch(
            "gsi",
            "concept",
            'GSI "quoted" label',
            concepts=(GSI,),
            groups=("cn-official",),
            rules=AlertRules(True, 7, ("western-gov",), ("tt-feed",)),
        ),
        now_utc(),
    )
    book.save(Watch("q", "query", query='"trade fair"'), now_utc())
    path = tmp_path / "watches.toml"
    path.write_text(export_watches(book.list()), encoding="utf-8")
    again = parse_watches(path, book.reference())
    assert [(w.name, w.label, w.concepts, w.query, w.groups, w.rules) for w in again] == [
        (w.name, w.label, w.concepts, w.query, w.groups, w.rules) for w in book.list()
    ]
    bad = tmp_path / "bad.toml"
    bad.write_text('[[watches]]\nname = "x"\nkind = "concept"\nconcepts = ["gsi-typo"]\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"bad\.toml: watches\[0\] \(name 'x'\): concepts: unknown 'gsi-typo'"):
        parse_watches(bad, book.reference())
    bad.write_text('[[watches]]\nname = "x"\nkind = "concept"\nconcept = "a"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"bad\.toml: watches\[0\]: unknown key 'concept'"):
        parse_watches(bad, book.reference())
    bad.write_text('[[watches]]\nname = "x"\nkind = "concept"\nconcepts = ["a"]\n[watches.alerts]\nrise = 1\n')
    with pytest.raises(ConfigError, match=r"'alerts\.rise' must be bool"):
        parse_watches(bad, book.reference())


def cli(config, *args):
    return subprocess.run(
        [sys.executable, "-m", "ingest", "--config", str(config), *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_cli_add_list_show_export_import_rm(fixture_store, store, tmp_path, monkeypatch):
    """The commands on the test's own copy of the store (SQLite or PostgreSQL), named by
    MONITOR_STORE_URL, which the commands inherit."""
    monkeypatch.setenv("MONITOR_STORE_URL", store.target.dsn or "sqlite:///" + str(store.target.path))
    config = fixture_store.config
    out = cli(config, "watch", "add", "gsi-west", "--concept", GSI, "--groups", "western-gov", "--label", "GSI west")
    assert out.returncode == 0, out.stderr
    assert "saved watch gsi-west: 1 matching item(s)" in out.stdout
    assert store.conn.execute("SELECT count(*) FROM watches WHERE name = 'gsi-west'").fetchone()[0] == 1
    listing = cli(config, "watch", "list")
    assert "gsi-west" in listing.stdout and "items" in listing.stdout
    shown = cli(config, "watch", "show", "gsi-west")
    assert "groups: western-gov" in shown.stdout
    bad = cli(config, "watch", "add", "x", "--concept", "no_such_concept")
    assert bad.returncode == 2 and "unknown 'no_such_concept'" in bad.stderr
    exported = tmp_path / "w.toml"
    assert cli(config, "watch", "export", str(exported)).returncode == 0
    assert cli(config, "watch", "rm", "gsi-west").returncode == 0
    assert "gsi-west" not in cli(config, "watch", "list").stdout
    imported = cli(config, "watch", "import", str(exported))
    assert imported.returncode == 0 and "imported 1 watch(es)" in imported.stdout
    assert "gsi-west" in cli(config, "watch", "list").stdout
    assert cli(config, "watch", "rm", "gsi-west").returncode == 0
    missing = cli(config, "watch", "rm", "gsi-west")
    assert missing.returncode == 2 and "no watch named 'gsi-west'" in missing.stderr


def test_watches_appear_in_the_weekly_briefing(store):
    from analysis.briefing import compute_briefing, render_html, render_markdown
    from store.briefing_reads import BriefingReader

    book = WatchBook(store.conn)
    book.save(Watch("cold", "concept", "Cold <b>War</b> | watch", concepts=(COLD,)), now_utc())
    book.evaluate("cold")
    reader = BriefingReader(store.path)
    try:
        b = compute_briefing(reader, "2026-W46")
    finally:
        reader.close()
    (line,) = b.watches
    week = direct_items(store.conn, [COLD]) & {
        r[0] for r in store.conn.execute("SELECT id FROM items WHERE day BETWEEN '2026-11-09' AND '2026-11-15'")
    }
    assert line.items == len(week) > 0
    assert (
        line.total
        == store.conn.execute(
            "SELECT count(*) FROM items WHERE day BETWEEN '2026-11-09' AND '2026-11-15' AND coalesce(date_flag, '') "
            "!= 'undated'"
        ).fetchone()[0]
    )
    md, page = render_markdown(b), render_html(b)
    assert "## 7. Watches" in md and "Cold <b>War</b>" not in page and "Cold &lt;b&gt;War&lt;/b&gt;" in page


def test_the_evidence_passage_is_around_the_first_match(store):
    book = WatchBook(store.conn)
    book.save(Watch("q", "query", query='"zero-sum game" OR nato'), now_utc())
    book.save(Watch("c", "concept", concepts=(COLD,)), now_utc())
    book.evaluate("q")
    book.evaluate("c")
    reads = WatchReads(store.conn)
    item = next(iter(watch_items(store.conn, "q") & watch_items(store.conn, "c")))
    assert "zero-sum game" in reads.passage(book.get("q"), item)
    assert "Cold War mentality" in reads.passage(book.get("c"), item)
    # In a long text the passage is cut around the first match, not taken from the start.
    item_id, text = store.conn.execute("SELECT id, text FROM items ORDER BY length(text) DESC LIMIT 1").fetchone()
    words = re.findall(r"[A-Za-z]{9,}", text[len(text) // 2 :])
    word = next(w for w in words if w.lower() not in text[: len(text) // 2].lower())
    book.save(Watch("deep", "query", query=word), now_utc())
    book.evaluate("deep")
    passage = reads.passage(book.get("deep"), item_id)
    assert word in passage and passage.startswith("…") and len(passage) < 400
