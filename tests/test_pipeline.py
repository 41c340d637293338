"""The ingest pipeline end to end on real SQLite and PostgreSQL: seeds, archives, reruns, rescoring."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from ingest.config import load_config
from ingest.lexicon import load_lexicon
from ingest.pipeline import Ingest
from ingest.rescore import rescore
from store import Store
from tests.builders import CORPUS, LEXICON, SourceSpec, corpus_rows, seed_sources, write_config, write_jsonl

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
# Every test runs on SQLite and on a real PostgreSQL server (tests/pg_fixtures.py).
pytestmark = pytest.mark.usefixtures("store_url")


def run_ingest(config_path, now=NOW, only=None):
    config = load_config(config_path)
    lexicon = load_lexicon(config.lexicon_path)
    with Store(config.store_target) as store:
        return Ingest(config, lexicon, store, now=now).run(only)


def rows(config_path, sql, params=()):
    with Store(load_config(config_path).store_target) as store:
        return [dict(r) for r in store.conn.execute(sql, params)]


def test_seeds_are_ingested_with_metadata_and_without_chrome(tmp_path):
    cfg = write_config(tmp_path, seed_sources())
    report = run_ingest(cfg)
    assert report.new == 5 and not report.errors
    items = {r["source_id"]: r for r in rows(cfg, "SELECT * FROM items")}
    wp = items["seed-003"]
    assert wp["title"] == "China's Policies on Asia-Pacific Security Cooperation (white paper, part II)"
    assert wp["published_at"].startswith("2017-01-11") and not wp["date_estimated"]
    assert "Updated:" not in wp["text"] and "SCIOUpdated" not in wp["text"]
    assert "Source of documents" not in items["seed-004"]["text"]
    assert items["seed-002"]["date_flag"] == "undated"
    assert all(r["language"] == "en" for r in items.values())
    assert all(r["matching"] for r in items.values()), "every seed uses the official vocabulary"


def test_every_stored_match_slices_the_stored_text(tmp_path):
    cfg = write_config(tmp_path, seed_sources())
    run_ingest(cfg)
    texts = {r["id"]: r["text"] for r in rows(cfg, "SELECT id, text FROM items")}
    matches = rows(cfg, "SELECT * FROM matches")
    assert len(matches) > 50
    for m in matches:
        assert texts[m["item_id"]][m["start"] : m["end"]] == m["text"]


def test_rerun_stores_no_duplicates_and_records_runs(tmp_path):
    cfg = write_config(tmp_path, seed_sources())
    first = run_ingest(cfg)
    second = run_ingest(cfg)
    assert first.new == 5 and second.new == 0 and second.duplicates == 5
    assert rows(cfg, "SELECT count(*) AS n FROM items")[0]["n"] == 5
    runs = rows(cfg, "SELECT * FROM runs ORDER BY id")
    assert [r["status"] for r in runs] == ["ok", "ok"]
    assert [r["new_items"] for r in runs] == [5, 0]
    per_source = rows(cfg, "SELECT * FROM run_sources WHERE run_id = 2")
    assert {r["duplicates"] for r in per_source} == {1}


def test_archive_with_outlet_column_maps_outlets_to_sources_and_groups(tmp_path):
    archive = write_jsonl(
        tmp_path / "mixed.jsonl",
        [
            {
                "body": "China opposes the Cold War mentality and zero-sum game.",
                "headline": "A",
                "when": "2022-04-21",
                "outlet": "Global Times",
            },
            {
                "body": "NATO leaders discussed collective defence and integrated deterrence.",
                "headline": "B",
                "when": "2022-06-29",
                "outlet": "NATO",
            },
            {"body": "", "headline": "", "when": "2022-06-29", "outlet": "NATO"},
            "not an object",
        ],
    )
    (tmp_path / "mixed.jsonl").write_text(archive.read_text() + "{broken json\n", encoding="utf-8")
    cfg = write_config(
        tmp_path,
        [
            SourceSpec(
                "backfill",
                "western-media",
                "archive",
                {
                    "path": str(archive),
                    "fields": {"text": "body", "title": "headline", "date": "when", "source": "outlet"},
                    "source_groups": {"Global Times": "cn-official", "NATO": "western-gov"},
                },
            )
        ],
    )
    report = run_ingest(cfg)
    outcome = report.outcomes[0]
    assert outcome.new == 2 and outcome.failed == 3
    assert "mixed.jsonl:3" in outcome.warning and "mixed.jsonl:5" in outcome.warning
    src = {r["id"]: r for r in rows(cfg, "SELECT * FROM sources")}
    assert src["backfill/global-times"]["group_id"] == "cn-official"
    assert src["backfill/nato"]["group_id"] == "western-gov"
    assert src["backfill/nato"]["parent_id"] == "backfill"


def test_archive_from_real_mfa_corpus(tmp_path):
    data = corpus_rows("mfa_spokesperson_2016_2020/mfa_zh.jsonl", limit=40)
    archive = write_jsonl(tmp_path / "mfa.jsonl", data)
    cfg = write_config(
        tmp_path,
        [
            SourceSpec(
                "mfa-zh",
                "cn-official",
                "archive",
                {
                    "path": str(archive),
                    "fields": {"text": "text", "title": "title", "date": "date", "url": "url", "language": "lang"},
                },
            )
        ],
    )
    report = run_ingest(cfg)
    assert report.outcomes[0].new == 40
    langs = {r["language"] for r in rows(cfg, "SELECT language FROM items")}
    assert langs <= {"zh-hans", "zh-hant"} and "zh-hans" in langs
    per_1k = rows(cfg, "SELECT words, per_1k, hits FROM items JOIN item_concepts ON item_id = id LIMIT 5")
    for r in per_1k:
        assert r["per_1k"] == pytest.approx(r["hits"] * 1000 / r["words"], rel=1e-2)


def test_syndicated_copy_is_kept_per_outlet_and_linked(tmp_path):
    body = (
        "The Global Security Initiative calls for common, comprehensive, cooperative and sustainable "
        "security and rejects the Cold War mentality. "
    ) * 4
    rows_a = [{"text": body, "title": "Wire story", "date": "2026-11-01", "url": "https://a.example/1"}]
    rows_b = [{"text": body, "title": "Wire story (syndicated)", "date": "2026-11-01", "url": "https://b.example/9"}]
    a = write_jsonl(tmp_path / "a.jsonl", rows_a)
    b = write_jsonl(tmp_path / "b.jsonl", rows_b)
    fields = {"text": "text", "title": "title", "date": "date", "url": "url"}
    cfg = write_config(
        tmp_path,
        [
            SourceSpec("outlet-a", "cn-official", "archive", {"path": str(a), "fields": fields}),
            SourceSpec("outlet-b", "regional-media", "archive", {"path": str(b), "fields": fields}),
        ],
    )
    run_ingest(cfg)
    items = rows(cfg, "SELECT id, source_id, copy_of FROM items ORDER BY id")
    assert len(items) == 2 and items[0]["copy_of"] is None and items[1]["copy_of"] == items[0]["id"]
    daily = rows(cfg, "SELECT sum(items) AS all_items, sum(original_items) AS originals FROM daily_source")[0]
    assert daily == {"all_items": 2, "originals": 1}


def test_rescore_after_lexicon_edit_changes_scores_in_one_transaction(tmp_path):
    lexicon = tmp_path / "lexicon.toml"
    lexicon.write_text(LEXICON.read_text(encoding="utf-8"), encoding="utf-8")
    cfg = write_config(tmp_path, seed_sources(), lexicon=lexicon)
    run_ingest(cfg)
    before = rows(cfg, "SELECT count(*) AS n FROM matches WHERE concept_id = 'test-extra-concept'")[0]["n"]
    assert before == 0
    family = load_lexicon(lexicon).families[0].id
    lexicon.write_text(
        lexicon.read_text(encoding="utf-8")
        + f"""
[[concepts]]
id = "test-extra-concept"
label = "Regional security architecture"
family = "{family}"
definition = "Added in a test to prove rescoring."
en = ["asian security architecture"]  # longer than the shipped security_architecture form
""",
        encoding="utf-8",
    )
    config = load_config(cfg)
    new_lex = load_lexicon(lexicon)
    with Store(config.store_target) as store:
        done = rescore(store, new_lex, 1.0, 0.5)
    assert done == 5
    after = rows(cfg, "SELECT count(*) AS n FROM matches WHERE concept_id = 'test-extra-concept'")[0]["n"]
    assert after >= 3
    stored = rows(cfg, "SELECT value FROM meta WHERE key = 'lexicon_hash'")
    assert stored == [{"value": new_lex.content_hash}]  # the store says which lexicon scored it
    daily = rows(cfg, "SELECT sum(hits) AS h FROM daily_concept WHERE concept_id = 'test-extra-concept'")[0]["h"]
    assert daily == after


def test_estimated_future_and_ancient_dates_are_flagged(tmp_path):
    archive = write_jsonl(
        tmp_path / "dates.jsonl",
        [
            {"text": "Zero-sum game thinking.", "title": "no date"},
            {"text": "Cold War mentality again.", "title": "future", "date": "2099-01-01"},
            {"text": "Hegemonism of old.", "title": "ancient", "date": "1850-05-05"},
            {"text": "Bloc confrontation.", "title": "fine", "date": "2024-05-05T10:00:00+08:00"},
        ],
    )
    cfg = write_config(
        tmp_path,
        [
            SourceSpec(
                "d",
                "think-tanks",
                "archive",
                {"path": str(archive), "fields": {"text": "text", "title": "title", "date": "date"}},
            )
        ],
    )
    run_ingest(cfg)
    got = {
        r["title"]: r
        for r in rows(cfg, "SELECT title, published_at, day, date_estimated, date_flag, date_precision FROM items")
    }
    # An archive row is history: without a trustworthy date it is undated (never "today").
    for title, flag in (("no date", "missing"), ("future", "future"), ("ancient", "pre-1900")):
        assert got[title]["date_flag"] == flag and got[title]["date_precision"] == "undated"
        assert got[title]["published_at"] == "" and got[title]["day"] == "" and got[title]["date_estimated"] == 0
    assert got["fine"]["published_at"] == "2024-05-05T02:00:00Z" and got["fine"]["date_flag"] is None
    assert got["fine"]["date_precision"] == "time"


def test_offline_feeds_fail_per_feed_and_the_run_completes(tmp_path):
    specs = seed_sources() + [
        SourceSpec("unreachable", "western-media", "feed", {"url": "http://127.0.0.1:9/feed.xml"}),
        SourceSpec("missing-file", "western-media", "feed", {"url": str(tmp_path / "nope.xml")}),
    ]
    cfg = write_config(tmp_path, specs)
    report = run_ingest(cfg)
    assert report.new == 5
    errors = {o.source_id: o.error for o in report.errors}
    assert set(errors) == {"unreachable", "missing-file"}
    assert all(errors.values())
    health = {r["source_id"]: r for r in rows(cfg, "SELECT * FROM feed_state")}
    assert health["unreachable"]["consecutive_failures"] == 1 and health["unreachable"]["error"]
    run = rows(cfg, "SELECT * FROM runs")[0]
    assert run["status"] == "errors" and len(json.loads(run["errors"])) == 2


def test_corpus_path_is_available():
    assert (CORPUS / "README.md").exists(), "tests read ../shared/corpus by path"


def test_unchanged_archive_is_not_reread_and_a_changed_one_adds_only_new_rows(tmp_path):
    path = write_jsonl(tmp_path / "a.jsonl", [{"text": "Zero-sum game.", "title": "one", "date": "2024-01-02"}])
    cfg = write_config(
        tmp_path,
        [
            SourceSpec(
                "arch",
                "think-tanks",
                "archive",
                {"path": str(path), "fields": {"text": "text", "title": "title", "date": "date"}},
            )
        ],
    )
    assert run_ingest(cfg).outcomes[0].new == 1
    assert run_ingest(cfg).outcomes[0].status == "unchanged"
    with path.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps({"text": "Cold War mentality.", "title": "two", "date": "2024-01-03"}) + "\n")
    third = run_ingest(cfg).outcomes[0]
    assert (third.new, third.duplicates) == (1, 1)


def test_missing_archive_is_a_per_source_error(tmp_path):
    cfg = write_config(
        tmp_path,
        seed_sources()[:1]
        + [
            SourceSpec(
                "gone", "think-tanks", "archive", {"path": str(tmp_path / "gone.jsonl"), "fields": {"text": "text"}}
            )
        ],
    )
    report = run_ingest(cfg)
    assert report.new == 1
    assert [o.source_id for o in report.errors] == ["gone"]
    assert "gone.jsonl" in report.errors[0].error and "not found" in report.errors[0].error


def test_undated_seed_is_stored_but_kept_off_the_time_axis(tmp_path):
    cfg = write_config(tmp_path, seed_sources())
    run_ingest(cfg)
    undated = rows(cfg, "SELECT id, day FROM items WHERE date_flag = 'undated'")
    assert len(undated) == 1
    assert rows(cfg, "SELECT count(*) AS n FROM daily_source WHERE source_id = 'seed-002'")[0]["n"] == 0
    assert rows(cfg, "SELECT sum(items) AS n FROM daily_source")[0]["n"] == 4
    config = load_config(cfg)
    with Store(config.store_target) as store:
        rescore(store, load_lexicon(config.lexicon_path), 1.0, 0.5)
    assert rows(cfg, "SELECT sum(items) AS n FROM daily_source")[0]["n"] == 4


def test_newest_day_ignores_estimated_dates(tmp_path):
    from store.reads import StoreReader

    archive = write_jsonl(
        tmp_path / "a.jsonl",
        [
            {"text": "Cold War mentality.", "title": "dated", "date": "2019-05-20"},
            {"text": "Zero-sum game.", "title": "no date"},
        ],
    )
    cfg = write_config(
        tmp_path,
        [
            SourceSpec(
                "a",
                "cn-official",
                "archive",
                {"path": str(archive), "fields": {"text": "text", "title": "title", "date": "date"}},
            )
        ],
    )
    run_ingest(cfg)
    with StoreReader(load_config(cfg).store_target) as reader:
        assert reader.day_range(exclude_groups=("seed",)) == ("2019-05-20", "2019-05-20")
