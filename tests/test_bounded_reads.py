"""One item cannot make a read unbounded: a huge article with thousands of matches is stored and read
in bounded rows and bytes, while every count stays exact.

Before these bounds the weekly briefing joined the article text once per match row (a 5 MB article
with ~46k matches asked SQLite for ~230 GB of temporary data).
"""

from __future__ import annotations

import html
from datetime import UTC, datetime

import pytest
from streamlit.testing.v1 import AppTest

from analysis.briefing import compute_briefing, render_markdown
from analysis.briefing.sentences import sentence_around
from ingest.config import load_config
from ingest.match_cap import MAX_STORED_MATCHES
from store.briefing_reads import MAX_TEXT_CHARS, SNIPPET_CHARS, BriefingReader
from store.reads import StoreReader
from tests.builders import REPO, SourceSpec, write_config, write_jsonl
from tests.test_pipeline import run_ingest

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
FIELDS = {"text": "text", "title": "title", "date": "date", "url": "url"}
SENTENCE = "Officials warned again that the zero-sum game and the Cold War mentality would divide the region. "
REPEATS = 4_000  # two matches a sentence: 8,000 matches, 400 kB of text


@pytest.fixture(scope="module")
def huge(tmp_path_factory, module_store_url):
    """Built once per backend: the bounds hold on SQLite and on PostgreSQL. Yields the store, a
    connection of its own (the store's, so either backend) and the config."""
    directory = tmp_path_factory.mktemp("huge")
    rows = [
        {"title": "Huge", "text": "Opening remarks. " + SENTENCE * REPEATS, "date": "2026-11-17", "url": "https://a/1"},
        {"title": "Normal", "text": SENTENCE + "Nothing else today.", "date": "2026-11-18", "url": "https://a/2"},
    ]
    archive = write_jsonl(directory / "think.jsonl", rows)
    cfg = write_config(
        directory,
        [SourceSpec("think", "think-tanks", "archive", {"path": str(archive), "fields": FIELDS})],
        settings={"store": {"url": module_store_url}},
    )
    run_ingest(cfg, now=NOW)
    target = load_config(cfg).store_target
    with StoreReader(target) as reader:
        yield target, reader.conn, cfg


def _huge_id(conn) -> int:
    return int(conn.execute("SELECT id FROM items WHERE title = 'Huge'").fetchone()[0])


def test_stored_match_rows_are_capped_but_counts_stay_exact(huge):
    _, conn, _ = huge
    item = _huge_id(conn)
    stored = conn.execute("SELECT count(*) FROM matches WHERE item_id = ?", (item,)).fetchone()[0]
    hits = conn.execute("SELECT sum(hits) FROM item_concepts WHERE item_id = ?", (item,)).fetchone()[0]
    assert stored == MAX_STORED_MATCHES < hits
    assert hits >= 2 * REPEATS, "hits count every match, not only the stored ones"
    concepts = {r[0] for r in conn.execute("SELECT concept_id FROM item_concepts WHERE item_id = ?", (item,))}
    kept = {r[0] for r in conn.execute("SELECT DISTINCT concept_id FROM matches WHERE item_id = ?", (item,))}
    assert kept == concepts, "every concept keeps at least its first match"


def test_first_matches_read_one_bounded_row_per_item_and_concept(huge):
    path, conn, _ = huge
    item = _huge_id(conn)
    full = conn.execute("SELECT text FROM items WHERE id = ?", (item,)).fetchone()[0]
    with BriefingReader(path) as reader:
        rows = reader.first_matches([item])
    concepts = conn.execute("SELECT count(*) FROM item_concepts WHERE item_id = ?", (item,)).fetchone()[0]
    assert len(rows) == concepts
    assert rows["body"].str.len().max() <= 2 * SNIPPET_CHARS + 100
    for r in rows.itertuples():
        first = conn.execute(
            'SELECT start, "end" FROM matches WHERE item_id = ? AND concept_id = ? ORDER BY distanced, start LIMIT 1',
            (item, r.concept_id),
        ).fetchone()
        assert r.body[r.start : r.end] == full[first[0] : first[1]] == r.text
        assert sentence_around(r.body, r.start, r.end) == sentence_around(full, first[0], first[1])


def test_phrase_texts_are_cut_in_sql(huge):
    path, _, _ = huge
    with BriefingReader(path) as reader:
        texts = reader.item_texts("2026-11-01", "2026-11-30", None, 10, max_chars=5_000)
    assert texts["text"].str.len().max() == 5_000
    assert len(SENTENCE) * REPEATS > MAX_TEXT_CHARS


def test_the_briefing_of_a_week_with_the_huge_article_renders(huge):
    path, _, _ = huge
    with BriefingReader(path) as reader:
        briefing = compute_briefing(reader, "2026-W47", today=NOW.date())
        earlier = compute_briefing(reader, "2026-W40", today=NOW.date())
    text = render_markdown(briefing)
    assert "Huge" in text or "zero-sum" in text.lower()
    # The method says the cap and how many of the week's items reached it (the huge one only).
    assert f"at most {MAX_STORED_MATCHES:,} matches are stored per item" in text
    assert "1 matching item(s) this week reached it" in text
    assert "no item this week reached it" in " ".join(earlier.method)


def _article_page(config, monkeypatch, item_id: int) -> AppTest:
    monkeypatch.setenv("MONITOR_CONFIG", str(config))
    at = AppTest.from_file(str(REPO / "dashboard" / "app.py"), default_timeout=120)
    at.run()
    at.switch_page("pages/article.py")
    at.query_params.clear()
    at.query_params.update({"item": str(item_id)})
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_a_long_article_renders_in_passages_or_pages_with_the_full_text_a_click_away(huge, monkeypatch):
    _, conn, config = huge
    item = _huge_id(conn)
    full = conn.execute("SELECT text FROM items WHERE id = ?", (item,)).fetchone()[0]
    at = _article_page(config, monkeypatch, item)
    shown = sum(len(el.proto.body) for el in at.get("html"))
    assert shown < 400_000 < len(full) * 2, "the browser gets passages, not the whole text as HTML"
    notes = " ".join(el.value for el in at.markdown)
    assert f"{MAX_STORED_MATCHES:,} highlighted match(es) of" in notes, "the cap is said on screen"
    (download,) = [b for b in at.get("download_button") if b.proto.label == "Download the full text"]

    (view,) = [r for r in at.radio if r.key == "art_view"]
    view.set_value("page by page").run()
    pages = [n for n in at.number_input if n.key == "art_text_page"]
    assert pages and pages[0].max > 1
    first_page = _text_box(at)
    pages[0].set_value(pages[0].max).run()
    last_page = _text_box(at)
    assert first_page != last_page and "would divide the region" in html.unescape(last_page)
    assert len(last_page) < 400_000


def _text_box(at: AppTest) -> str:
    (box,) = [el.proto.body for el in at.get("html") if 'class="article-text"' in el.proto.body]
    return box
