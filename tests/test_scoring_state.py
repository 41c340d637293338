"""Is every stored item scored the same way?  A store says what scored its items, each run
what it applies; when they differ every page and `ingest run` say so until a rescore.

One store per backend is walked through a life: first run, a lexicon edit, a run under the
edited lexicon (mixed), a rescore (one method again), and a store from before the record."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from analysis.scoring_state import changed_parts, mixed_note
from ingest.config import load_config
from ingest.lexicon import load_lexicon
from ingest.rescore import rescore
from store import Store
from store.reads import StoreReader
from tests.builders import LEXICON, REPO, SourceSpec, write_config, write_jsonl
from tests.dashboard_fixtures import run_ingest

FIELDS = {"text": "text", "title": "title", "date": "date", "url": "url"}
APP = str(REPO / "dashboard" / "app.py")


def _rows(first: int, n: int) -> list[dict[str, str]]:
    return [
        {
            "title": f"Remarks {k}",
            "date": f"2024-03-{1 + k % 28:02d}",
            "url": f"https://wire.example/{k}",
            "text": f"Remarks {k}: the Cold War mentality and hegemonism threaten common security.",
        }
        for k in range(first, first + n)
    ]


@pytest.fixture(scope="module")
def setup(tmp_path_factory, module_store_url):
    directory = tmp_path_factory.mktemp("scoring")
    lexicon = directory / "lexicon.toml"
    lexicon.write_text(LEXICON.read_text(encoding="utf-8"), encoding="utf-8")
    write_jsonl(directory / "wire.jsonl", _rows(0, 10))
    spec = SourceSpec("wire", "cn-official", "archive", {"path": str(directory / "wire.jsonl"), "fields": FIELDS})
    config = write_config(directory, [spec], settings={"store": {"url": module_store_url}}, lexicon=lexicon)
    return config, lexicon, directory


def _state(config: Path) -> dict:
    with StoreReader(load_config(config).store_target) as reader:
        return reader.scoring_state()


def _warnings(config: Path, monkeypatch) -> list[str]:
    monkeypatch.setenv("MONITOR_CONFIG", str(config))
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception, [e.value for e in at.exception]
    return [w.value for w in at.warning]


def _cli_run(config: Path, *command: str) -> str:
    """`python -m ingest COMMAND` (default `run`) on the config; its stderr."""
    return subprocess.run(
        [sys.executable, "-m", "ingest", "--config", str(config), *(command or ("run",))],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    ).stderr


def test_a_store_filled_by_one_lexicon_is_one_method(setup, monkeypatch):
    config, _, _ = setup
    run_ingest(config)
    state = _state(config)
    scoring = json.loads(state["scored_with"])
    assert state["current"] == state["scored_with"] and state["any_items"]
    assert scoring["lexicon"] == load_lexicon(load_config(config).lexicon_path).content_hash and scoring["rules"]
    assert mixed_note(state) is None
    assert not [w for w in _warnings(config, monkeypatch) if "scoring" in w.lower()]


def test_a_lexicon_edit_then_a_run_mixes_the_store_and_every_page_says_so(setup, monkeypatch):
    config, lexicon, directory = setup
    text = lexicon.read_text(encoding="utf-8")
    assert '"cold war mindset*"' in text
    lexicon.write_text(
        text.replace('"cold war mindset*"', '"cold war mindset*", "cold war thinking"', 1), encoding="utf-8"
    )
    write_jsonl(directory / "wire.jsonl", _rows(0, 14))  # four new items, scored by the edited lexicon
    stderr = _cli_run(config)
    state = _state(config)
    assert state["current"] != state["scored_with"]
    assert changed_parts(state["scored_with"], state["current"]) == ["lexicon"]
    note = mixed_note(state)
    assert note and note.startswith("Mixed scoring: the ingest has used a different lexicon since ")
    assert "python -m ingest rescore" in note
    assert f"note: {note}" in stderr
    assert any(w.startswith("Mixed scoring") for w in _warnings(config, monkeypatch))


def test_a_rescore_makes_the_store_one_method_again(setup, monkeypatch):
    config, _, _ = setup
    cfg = load_config(config)
    with Store(cfg.store_target) as store:
        rescore(
            store,
            load_lexicon(cfg.lexicon_path),
            cfg.get("scoring", "threshold"),
            cfg.get("scoring", "distanced_weight"),
        )
    state = _state(config)
    assert state["scored_with"] == state["current"] and mixed_note(state) is None
    assert "Mixed scoring" not in _cli_run(config)
    assert not [w for w in _warnings(config, monkeypatch) if "scoring" in w.lower()]


def test_a_store_from_before_the_record_says_it_cannot_tell(setup, monkeypatch):
    config, _, _ = setup
    with Store(load_config(config).store_target) as store, store.transaction() as c:
        c.execute("DELETE FROM meta WHERE key = 'scored_with'")  # as migration 15 finds an older store
        c.execute("UPDATE runs SET scoring = NULL")
    assert mixed_note(_state(config)) is None  # no run has said what it applies yet
    stderr = _cli_run(config)
    note = mixed_note(_state(config))
    assert note and note.startswith("This store does not record which lexicon and matching code scored its items")
    assert f"note: {note}" in stderr


def test_changed_parts_name_what_differs():
    base = {"lexicon": "a", "rules": "r", "threshold": 1.0, "distanced_weight": 0.5}
    dump = json.dumps
    assert changed_parts(dump(base), dump(base | {"rules": "s"})) == ["matching code"]
    assert changed_parts(dump(base), dump(base | {"threshold": 2.0, "distanced_weight": 0.2})) == ["scoring settings"]
    assert changed_parts(dump(base), dump(base | {"lexicon": "b", "rules": "s"})) == ["lexicon", "matching code"]
    assert changed_parts("not json", dump(base)) == ["scoring"]


def test_a_batched_rescore_records_the_scoring_when_its_last_batch_is_written(setup):
    config, lexicon, _ = setup
    text = lexicon.read_text(encoding="utf-8")
    lexicon.write_text(
        text.replace('"cold war thinking"', '"cold war thinking", "cold war logic"', 1), encoding="utf-8"
    )
    _cli_run(config)
    assert mixed_note(_state(config))
    _cli_run(config, "rescore", "--batches")
    state = _state(config)
    assert state["scored_with"] == state["current"] and mixed_note(state) is None
