"""Archive titles built from the row's columns (`title_template`), never a raw id."""

from __future__ import annotations

import sqlite3

import pytest

from ingest.config import ConfigError, load_config
from ingest.sources import render_title
from tests.builders import SourceSpec, write_config, write_jsonl
from tests.dashboard_fixtures import run_ingest

TEMPLATE = "{country}, UN General Debate {year}, {speaker}"


def test_titles_come_from_the_template_and_blank_columns_leave_no_trace(tmp_path):
    rows = [
        {"id": "CHN_54_1999", "country": "China", "year": 1999, "speaker": "Tang Jiaxuan", "text": "Peace."},
        {"id": "RUS_50_1995", "country": "Russia", "year": 1995, "speaker": None, "text": "Security."},
        {"id": "XXX_1_1946", "country": "", "year": "", "speaker": "", "text": "Order."},
    ]
    path = write_jsonl(tmp_path / "ungdc.jsonl", rows)
    fields = {"text": "text", "title": "id", "date": "year"}
    cfg = write_config(
        tmp_path,
        [
            SourceSpec(
                "ungdc", "cn-official", "archive", {"path": str(path), "fields": fields, "title_template": TEMPLATE}
            )
        ],
    )
    run_ingest(cfg)
    with sqlite3.connect(load_config(cfg).store_path) as conn:
        titles = sorted(r[0] for r in conn.execute("SELECT title FROM items"))
    assert titles == [
        "China, UN General Debate 1999, Tang Jiaxuan",
        "Russia, UN General Debate 1995",
        "UN General Debate",
    ]


def test_a_template_is_plain_substitution_never_format():
    row = {"a": "{b}", "b": "x", "obj": "y"}
    title = render_title("{a} / {obj.__class__}", row)
    assert title == "{b} / {obj.__class__}"  # a value is not expanded again; no attribute lookups


def test_a_template_without_a_column_is_refused(tmp_path):
    path = write_jsonl(tmp_path / "a.jsonl", [{"text": "x"}])
    cfg = write_config(
        tmp_path,
        [
            SourceSpec(
                "a",
                "cn-official",
                "archive",
                {"path": str(path), "fields": {"text": "text"}, "title_template": "Speech"},
            )
        ],
    )
    with pytest.raises(ConfigError, match="title_template"):
        load_config(cfg)
