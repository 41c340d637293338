"""A NUL character in a feed entry or an archive cell (a broken encoder, a binary blob) is
never content, and PostgreSQL's text cannot hold one: on SQLite and on a real PostgreSQL
server the row is stored without it, the same on both, and a problem line quoting one is
reported, never a driver error that fails the whole source."""

from __future__ import annotations

from tests.builders import FeedItem, SourceSpec, rss, write_config, write_jsonl
from tests.test_pipeline import NOW, rows, run_ingest

FIELDS = {"text": "text", "title": "title", "date": "date", "url": "url", "source": "outlet", "guid": "guid"}
GSI = "The minister praised the Global Security Initiative at the regional forum today."


def test_nul_in_archive_cells_and_feed_entries_is_dropped_on_both_backends(tmp_path, feed_server, store_url):
    archive = write_jsonl(
        tmp_path / "a.jsonl",
        [
            {
                "title": "Forum\x00 report",
                "text": GSI.replace("Global", "Global\x00"),
                "date": "2026-11-02",
                "url": "https://a.example/\x001",
                "guid": "g\x001",
                "outlet": "Wire\x00 A",
            },
            {
                "title": "Plain",
                "text": "Ministers discussed trade.",
                "date": "2026-11-03",
                "url": "https://a.example/2",
            },
        ],
    )
    with archive.open("a", encoding="utf-8") as fh:
        fh.write('{"text": "broken \\u0000\n')  # a problem line quoting a NUL
    body = rss([FeedItem("Feed\x00 title", GSI + "\x00", "https://f.example/1", NOW)])
    url = feed_server.add_feed("/nul.xml", body)
    cfg = write_config(
        tmp_path,
        [
            SourceSpec("a", "western-media", "archive", {"path": str(archive), "fields": FIELDS}),
            SourceSpec("f", "think-tanks", "feed", {"url": url}),
        ],
    )
    report = run_ingest(cfg)
    assert not report.errors, [(o.source_id, o.error) for o in report.errors]
    by_source = {o.source_id: o for o in report.outcomes}
    assert by_source["a"].new == 2 and by_source["a"].failed == 1 and by_source["f"].new == 1
    stored = rows(cfg, "SELECT source_id, title, text, url, guid, matching FROM items ORDER BY title")
    assert [(r["source_id"], r["title"], r["url"], r["guid"], r["matching"]) for r in stored] == [
        ("f", "Feed title", "https://f.example/1", None, 1),
        ("a/wire-a", "Forum report", "https://a.example/1", "g1", 1),
        ("a", "Plain", "https://a.example/2", None, 0),
    ]
    assert not any("\x00" in r["text"] for r in stored) and GSI in stored[1]["text"]
    assert rows(cfg, "SELECT name FROM sources WHERE id = 'a/wire-a'") == [{"name": "Wire A"}]
    (problem,) = rows(cfg, "SELECT warning FROM run_sources WHERE source_id = 'a'")
    assert "1 row(s) skipped" in problem["warning"]


def test_any_other_text_with_a_nul_is_stored_on_postgresql_with_a_replacement_mark(pg_url):
    """The backstop under every statement on PostgreSQL (store/pg.py): a problem message or
    an error quoting a NUL is written with U+FFFD in its place, never refused."""
    from store import Store, now_utc

    with Store(pg_url) as store:
        run = store.start_run("lexicon", now_utc())
        with store.transaction():
            store.record_source(run, "s", {"status": "error", "error": "line 3: bad \x00 byte"}, now_utc())
        store.finish_run(run, now_utc())
        row = store.conn.execute("SELECT error FROM run_sources WHERE source_id = ?", ("s\x00",)).fetchone()
        assert row is None  # a NUL in a query's parameter is replaced too: no driver error, no match
        (error,) = store.conn.execute("SELECT error FROM run_sources WHERE source_id = 's'").fetchone()
    assert error == "line 3: bad \ufffd byte"
