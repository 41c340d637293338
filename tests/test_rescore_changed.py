"""A rescore rewrites only the items whose evidence a lexicon edit changes
(store/rescore_writes.py), and the store ends exactly as a full rewrite leaves it: every
column of every item, every match and per-concept row, both daily tables, the concepts
and the lexicon hash.  The edit adds a concept, removes the concept found most, changes
the forms of the next one and the weight of a third; the store holds real English,
Chinese and Russian texts.  One process, a worker pool and batch jobs shared by two
workers, on a real SQLite file and a real PostgreSQL server, each against a full
rewrite on SQLite."""

from __future__ import annotations

import tomllib
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ingest.batch_rescore import BatchRescorer
from ingest.config import load_config
from ingest.lexicon import Lexicon, load_lexicon, parse_lexicon
from ingest.match_cap import kept_matches
from ingest.pipeline import Ingest
from ingest.rescore import rescore
from ingest.workers import Scorer
from store import Store
from store.db import open_connection
from store.item_writes import ITEM_COLUMNS
from tests.builders import LEXICON, SourceSpec, corpus_rows, table_snapshot, write_config, write_jsonl

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TABLES = {
    "items": f"SELECT id, {', '.join(ITEM_COLUMNS)} FROM items",
    "matches": 'SELECT item_id, concept_id, start, "end", text, form, distanced, how FROM matches',
    "item_concepts": "SELECT item_id, concept_id, hits, own, distanced, per_1k FROM item_concepts",
    "daily_source": "SELECT * FROM daily_source",
    "daily_concept": "SELECT * FROM daily_concept",
    "concepts": "SELECT * FROM concepts",
    "families": "SELECT * FROM families",
    "lexicon_hash": "SELECT value FROM meta WHERE key = 'lexicon_hash'",
}


def _build(tmp: Path, url: str) -> None:
    """A store of real MFA rows (English, Chinese) and Kremlin rows (Russian), ingested
    with the shipped lexicon at a fixed time, so every build holds the same rows and ids."""
    data = corpus_rows("mfa_spokesperson_2016_2020/mfa_en.jsonl", limit=90)
    data += corpus_rows("mfa_spokesperson_2016_2020/mfa_zh.jsonl", limit=90)
    data += corpus_rows("ru_official_ru/putin_lavrov_ru_2000_2025.jsonl", limit=30)
    tmp.mkdir(parents=True)
    archive = write_jsonl(tmp / "texts.jsonl", data)
    fields = {"text": "text", "title": "title", "date": "date", "url": "url"}
    spec = SourceSpec("mixed", "cn-official", "archive", {"path": str(archive), "fields": fields})
    config = load_config(write_config(tmp, [spec]))
    with Store(url) as store:
        assert Ingest(config, load_lexicon(LEXICON), store, now=NOW).run().new == len(data)


def _edit(found: list[str]) -> Lexicon:
    """The shipped lexicon with the concept found most removed, the next one's forms
    changed (its first English and Chinese forms dropped, a common word added), the
    third's weight changed, and a concept of common words added."""
    raw = tomllib.loads(LEXICON.read_text(encoding="utf-8"))
    by_id = {c["id"]: c for c in raw["concepts"]}
    removed, reformed, reweighed = found[:3]
    raw["concepts"].remove(by_id[removed])
    for lang, word in (("en", "stability"), ("zh", "稳定")):
        by_id[reformed][lang] = [*by_id[reformed].get(lang, [])[1:], word]
    by_id[reweighed]["weight"] = by_id[reweighed].get("weight", 1.0) / 2 + 0.125
    raw["concepts"].append(
        {
            "id": "test-added-dialogue",
            "label": "Dialogue (added by the test)",
            "family": raw["families"][0]["id"],
            "definition": "An added concept of common words.",
            "en": ["dialogue", "cooperation"],
            "zh": ["对话"],
            "ru": ["диалог"],
        }
    )
    return parse_lexicon(raw, "edited lexicon", "edited-for-test")


def _found(url: str) -> list[str]:
    """Concept ids by the number of items they were found in, most first."""
    conn = open_connection(url, readonly=True)
    try:
        counts = Counter(r[0] for r in conn.execute("SELECT concept_id FROM item_concepts"))
    finally:
        conn.close()
    return [cid for cid, _ in counts.most_common()]


def _data_version(url: str) -> int:
    conn = open_connection(url, readonly=True)
    try:
        return int(conn.execute("SELECT value FROM meta WHERE key = 'data_version'").fetchone()[0])
    finally:
        conn.close()


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> tuple[Lexicon, dict, dict]:
    """(the edited lexicon, the store before, the store after a full rewrite), on SQLite."""
    tmp = tmp_path_factory.mktemp("reference")
    url = "sqlite:///" + str(tmp / "store" / "monitor.sqlite3")
    _build(tmp / "store", url)
    before = table_snapshot(url, TABLES)
    lexicon = _edit(_found(url))
    with Store(url) as store:
        assert rescore(store, lexicon, 1.0, 0.5, full=True) == len(before["items"])
    return lexicon, before, table_snapshot(url, TABLES)


def _in_batches(url: str, lexicon: Lexicon) -> None:
    """Two workers share the job, taking batches in turn."""
    with Store(url) as one, Store(url) as two:
        workers = [BatchRescorer(one, lexicon, 1.0, 0.5, "one"), BatchRescorer(two, lexicon, 1.0, 0.5, "two")]
        assert workers[0].enqueue(batch_items=25) > 4
        while any([w.step(60.0) for w in workers]):
            pass
        assert workers[0].open_batches() == 0 and min(w.items for w in workers) > 0


@pytest.mark.parametrize("how", ["one process", "worker pool", "batch jobs"])
def test_rescore_writing_only_changes_ends_as_a_full_rewrite(how, store_url, tmp_path, reference):
    lexicon, before, full = reference
    _build(tmp_path / "build", store_url)
    assert table_snapshot(store_url, TABLES) == before
    version = _data_version(store_url)
    if how == "batch jobs":
        _in_batches(store_url, lexicon)
    else:
        with Store(store_url) as store:
            processes = 2 if how == "worker pool" else 1
            assert rescore(store, lexicon, 1.0, 0.5, processes=processes) == len(before["items"])
    after = table_snapshot(store_url, TABLES)
    for name in TABLES:
        assert after[name] == full[name], name
    assert _data_version(store_url) > version  # readers' caches see the change
    # The comparison means something: the edit added, removed and changed evidence and daily rows.
    for name in ("items", "matches", "item_concepts", "daily_source", "daily_concept", "concepts"):
        assert before[name] != full[name], name


def test_a_rescore_with_an_unchanged_lexicon_rewrites_nothing(store_url, tmp_path, reference):
    lexicon, _, full = reference
    _build(tmp_path / "build", store_url)
    with Store(store_url) as store:
        rescore(store, lexicon, 1.0, 0.5)
        rows = [r for batch in store.iter_item_texts() for r in batch]
        scorer = Scorer(lexicon, 1.0, 0.5)
        scored = [(r["id"], kept_matches(scorer.score(r["text"], r["language"]))) for r in rows]
        with store.transaction():
            assert store.rescore_items(scored) == 0
            # One item's stored evidence made stale: that one is found and rewritten.
            store.conn.execute("UPDATE items SET score = score + 1 WHERE id = ?", (rows[7]["id"],))
            assert store.rescore_items(scored) == 1
            store.refresh_touched_days()
    assert table_snapshot(store_url, TABLES) == full
