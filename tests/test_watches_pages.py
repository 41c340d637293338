"""The Watches and Alerts pages and the watch series in Overview, driven by AppTest
against a real store filled by the real ingest."""

from __future__ import annotations

import pytest

from store import Store, now_utc
from store.alert_log import AlertEvent, AlertLog
from store.reads import StoreReader
from tests.dashboard_fixtures import build_store, html_frame, page_opener, tables_open

PERIOD = {"from": "2026-10-01", "to": "2026-11-20"}
HOSTILE = "**bold** <img src=x onerror=alert(1)> [click](javascript:alert(1))"


@pytest.fixture
def fixture_store(tmp_path, store_url):
    """A store per test (the tests save and delete watches), on SQLite and on PostgreSQL."""
    return build_store(tmp_path / "dash", with_seeds=False, store_url=store_url)


@pytest.fixture
def app(fixture_store, monkeypatch):
    return page_opener(fixture_store.config, monkeypatch)


def rows(store, sql):
    """Rows as tuples, read through the store's own connection (either backend)."""
    with StoreReader(store.store) as reader:
        return [tuple(r) for r in reader.conn.execute(sql).fetchall()]


def open_editor(at):
    """The analyst opens the "Create or edit a watch" expander (a rerun draws the form)."""
    at.session_state["watch_editor"] = True
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_editor_draws_no_widget_until_it_is_opened(app):
    at = app("watches")
    assert any("No watches yet" in i.value for i in at.info)
    assert not at.selectbox and not at.text_input and not at.multiselect and not at.button
    open_editor(at)
    assert at.selectbox(key="watch_pick").value == "(new watch)"
    assert at.text_input(key="watch_name_new").value == ""
    assert any(b.label == "Save watch" for b in at.button)


def test_create_a_watch_from_the_dashboard_and_draw_it_in_overview(app, fixture_store):
    at = open_editor(app("watches"))
    at.text_input(key="watch_name_new").input("gsi-all")
    at.text_input(key="watch_label_new").input("GSI everywhere")
    at.multiselect(key="watch_concepts_new").select("global_security_initiative")
    next(b for b in at.button if b.label == "Save watch").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("Saved the watch" in s.value for s in at.success)
    direct = rows(
        fixture_store,
        "SELECT count(DISTINCT item_id) FROM item_concepts WHERE concept_id = 'global_security_initiative'",
    )
    assert rows(fixture_store, "SELECT count(*) FROM watch_items WHERE watch_name = 'gsi-all'") == direct
    table = html_frame(at, "watch-states")
    assert list(table["name"]) == ["gsi-all"] and list(table["label"]) == ["GSI everywhere"]
    assert "href='watches?watch=gsi-all'" in next(h.value for h in at.html if "watch-states" in h.value)
    assert at.selectbox(key="watch_pick")  # the editor stays open after the save

    ov = app("overview", **PERIOD, concepts="global_security_initiative,watch:gsi-all", bucket="week")
    numbers = next(df.value for df in tables_open(ov).dataframe if "numerator" in df.value.columns)
    concept = numbers[numbers["concept"] == "Global Security Initiative"].reset_index(drop=True)
    watch = numbers[numbers["concept"] == "Watch: GSI everywhere"].reset_index(drop=True)
    assert len(watch) == len(concept) > 0
    assert list(watch["numerator"]) == list(concept["numerator"])
    assert list(watch["denominator"]) == list(concept["denominator"])


def test_an_invalid_watch_is_refused_in_words_and_nothing_is_saved(app, fixture_store):
    at = open_editor(app("watches"))
    at.text_input(key="watch_name_new").input("Bad Name!")
    at.multiselect(key="watch_concepts_new").select("global_security_initiative")
    next(b for b in at.button if b.label == "Save watch").click()
    at.run()
    assert any("not saved" in e.value for e in at.error)
    assert any("name 'Bad Name!'" in t.value for t in at.text)
    assert rows(fixture_store, "SELECT count(*) FROM watches") == [(0,)]


def test_alert_log_shows_hostile_text_as_text_and_the_header_counts_unseen(app, fixture_store):
    with Store(fixture_store.store) as s:
        AlertLog(s.conn).decide(
            AlertEvent(
                "first:w:western-gov",
                "w",
                "first_in_group",
                HOSTILE,
                "First own-voice use.",
                (
                    {
                        "item_id": 1,
                        "title": HOSTILE,
                        "source": "West desk",
                        "published_at": "2026-11-12",
                        "url": "javascript:alert(1)",
                        "passage": "a passage " + HOSTILE,
                    },
                ),
                "http://x/watches",
            ),
            ["email"],
            now_utc(),
        )
        s.bump_data_version()
    at = app("alerts")
    assert any("1 unseen alert(s)" in c.value for c in at.caption)
    table = next(df.value for df in at.dataframe if "delivered" in df.value.columns)
    assert list(table["title"]) == [HOSTILE] and list(table["delivered"]) == ["email: pending"]
    texts = [t.value for t in at.text]
    assert HOSTILE in texts and f"“a passage {HOSTILE}”" in texts
    assert not any(HOSTILE in m.value for m in at.markdown)  # never rendered as Markdown
    at.button(key="alerts_seen").click()
    at.run()
    assert not any("unseen alert" in c.value for c in at.caption)
    assert rows(fixture_store, "SELECT seen FROM alert_events") == [(1,)]


def test_edit_and_delete_a_watch_from_the_dashboard(app, fixture_store):
    from store.watches import Watch, WatchBook

    with Store(fixture_store.store) as s:
        WatchBook(s.conn).save(
            Watch("gsi", "concept", "Old label", concepts=("global_security_initiative",), groups=("cn-official",)),
            now_utc(),
        )
    at = app("watches", watch="gsi")  # the list's link to the watch opens the editor at once
    assert at.selectbox(key="watch_pick").value == "gsi"
    assert at.text_input(key="watch_name_gsi").disabled
    at.text_input(key="watch_label_gsi").input("New label")
    at.multiselect(key="watch_groups_gsi").unselect("cn-official").select("western-gov")
    next(b for b in at.button if b.label == "Save watch").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert rows(fixture_store, "SELECT label, groups FROM watches") == [("New label", '["western-gov"]')]
    assert rows(fixture_store, "SELECT count(*) FROM watch_items WHERE watch_name = 'gsi'") == [(1,)]
    at.selectbox(key="watch_pick").select("gsi")
    at.run()
    at.checkbox(key="watch_delete_sure").check()
    at.run()
    at.button(key="watch_delete").click()
    at.run()
    assert rows(fixture_store, "SELECT count(*) FROM watches") == [(0,)]
    assert any("Deleted the watch" in s.value for s in at.success)


def test_the_watch_list_shows_hostile_labels_as_text(app, fixture_store):
    from store.watches import Watch, WatchBook

    with Store(fixture_store.store) as s:
        WatchBook(s.conn).save(Watch("gsi", "concept", HOSTILE, concepts=("global_security_initiative",)), now_utc())
    at = app("watches")
    assert list(html_frame(at, "watch-states")["label"]) == [HOSTILE]
    body = next(h.value for h in at.html if "watch-states" in h.value)
    assert "<img" not in body and "&lt;img src=x onerror=alert(1)&gt;" in body
    assert not at.selectbox  # the editor waits until it is opened
