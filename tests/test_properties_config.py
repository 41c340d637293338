"""Property tests: whatever the config file holds, loading it either gives a Config or
raises ConfigError naming the file, never another exception.

Three layers of input: arbitrary bytes (not UTF-8, not TOML), arbitrary TOML
documents built from random keys and values, and near-valid configs where one
real key gets a random value or a random key is added, which is where type
confusion (a list where a string belongs, a table where a group id belongs) hides.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from ingest.config import Config, ConfigError, load_config, parse_config
from tests.builders import GROUPS, _toml_value

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

keys = st.sampled_from(
    [
        "id",
        "name",
        "group",
        "kind",
        "path",
        "url",
        "fields",
        "text",
        "title",
        "date",
        "language",
        "enabled",
        "source_groups",
        "format",
        "colour",
        "label",
        "store",
        "ingest",
        "scoring",
        "dashboard",
        "groups",
        "sources",
        "concurrency",
        "timeout_seconds",
        "lexicon",
        "threshold",
        "published",
        "full_text",
        "fulltext_allow_hosts",
    ]
) | st.text(max_size=8)
scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True)
    | st.text(max_size=12)
    | st.sampled_from(["seed", "feed", "archive", "jsonl", "csv", "#123456", "en", "western-gov"])
)
values = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(keys, inner, max_size=4), max_leaves=12
)


def _valid() -> dict:
    return {
        "groups": [{"id": g, "label": label, "colour": colour} for g, label, colour in GROUPS],
        "sources": [
            {
                "id": "s1",
                "name": "Seed",
                "group": "seed",
                "kind": "seed",
                "path": "a.txt",
                "title": "T",
                "published": "2020-01-01",
            },
            {"id": "f1", "name": "Feed", "group": "think-tanks", "kind": "feed", "url": "https://x.example/rss"},
            {
                "id": "a1",
                "name": "Archive",
                "group": "western-media",
                "kind": "archive",
                "path": "a.jsonl",
                "fields": {"text": "body"},
                "source_groups": {"NATO": "western-gov"},
            },
        ],
        "ingest": {"concurrency": 4},
    }


def _check(raw: object, path: Path) -> None:
    try:
        result = parse_config(raw, path)  # type: ignore[arg-type]
    except ConfigError as exc:
        assert str(path) in str(exc)
    else:
        assert isinstance(result, Config)


@SETTINGS
@given(data=st.binary(max_size=400))
@example(data=b"\xff\xfe[store]")
@example(data=b'[store]\npath = "\x00"')
def test_any_bytes_give_a_config_or_a_config_error_naming_the_file(tmp_path, data):
    path = tmp_path / "config.toml"
    path.write_bytes(data)
    try:
        load_config(path)
    except ConfigError as exc:
        assert str(path) in str(exc)


@SETTINGS
@given(raw=st.dictionaries(keys, values, max_size=6))
def test_any_toml_document_gives_a_config_or_a_config_error(tmp_path, raw):
    raw = {k: v for k, v in raw.items() if v is not None}
    text = _dumps(_strip_none(raw))
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    try:
        load_config(path)
    except ConfigError as exc:
        assert str(path) in str(exc)


def _strip_none(value):
    if isinstance(value, dict):
        return {k: _strip_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_strip_none(v) for v in value if v is not None]
    return value


@SETTINGS
@given(
    where=st.sampled_from(["top", "group", "source0", "source1", "source2", "fields", "source_groups", "ingest"]),
    key=keys,
    value=values,
)
@example(where="source_groups", key="NATO", value=["western-gov"])
@example(where="source_groups", key="NATO", value={"a": 1})
@example(where="top", key="groups", value=[{"id": ["x"], "label": "L", "colour": "#123"}])
@example(where="source0", key="language", value=["en"])
@example(where="source0", key="path", value="\x00")
def test_one_bad_value_in_a_valid_config_is_a_config_error(tmp_path, where, key, value):
    raw = _valid()
    target = {
        "top": raw,
        "group": raw["groups"][0],
        "source0": raw["sources"][0],
        "source1": raw["sources"][1],
        "source2": raw["sources"][2],
        "fields": raw["sources"][2]["fields"],
        "source_groups": raw["sources"][2]["source_groups"],
        "ingest": raw["ingest"],
    }[where]
    target[key] = value
    _check(raw, tmp_path / "config.toml")


def test_the_valid_base_config_loads(tmp_path):
    assert isinstance(parse_config(_valid(), tmp_path / "config.toml"), Config)
    assert tomllib.loads(_dumps(_valid())) == _valid()


def _dumps(doc: dict) -> str:
    """A TOML document of inline values (enough for any nesting; strings may hold anything)."""
    return "".join(f"{json.dumps(k)} = {_toml_value(v)}\n" for k, v in doc.items())


# ---- bugs the properties above found (fixed; kept as regression tests) -------------------


@pytest.mark.parametrize("value", [["western-gov"], {"a": 1}])
def test_source_groups_value_that_is_not_a_string_is_a_config_error(tmp_path, value):
    raw = _valid()
    raw["sources"][2]["source_groups"]["NATO"] = value
    path = tmp_path / "config.toml"
    path.write_text(_dumps(raw), encoding="utf-8")
    with pytest.raises(ConfigError, match="source_groups.NATO"):
        load_config(path)


def test_path_with_a_nul_escape_is_a_config_error(tmp_path):
    path = tmp_path / "config.toml"
    raw = _valid()
    raw["sources"][0]["path"] = "seeds/a\x00.txt"
    path.write_text(_dumps(raw), encoding="utf-8")  # TOML writes it as the legal escape \u0000
    with pytest.raises(ConfigError, match="path"):
        load_config(path)
