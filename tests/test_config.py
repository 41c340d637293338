"""config.toml is strict: every bad input is refused with the file and key named."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ingest.config import ConfigError, load_config
from ingest.settings import SETTINGS
from tests.builders import REPO, SourceSpec, write_config


def test_shipped_config_loads_with_every_required_group_and_the_seeds():
    config = load_config(REPO / "config.toml")
    groups = {g.id for g in config.groups}
    assert {
        "seed",
        "cn-official",
        "ru-official",
        "western-gov",
        "western-media",
        "think-tanks",
        "regional-media",
    } <= groups
    seeds = [s for s in config.sources if s.kind == "seed"]
    assert len(seeds) == 5 and all(s.path and s.path.exists() for s in seeds)
    feeds = [s for s in config.sources if s.kind == "feed"]
    assert {s.group for s in feeds} >= groups - {"seed", "other-gov"}, "a default feed list for every group"
    assert any(s.language.startswith("zh") for s in feeds), "Chinese feeds too"


def _write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "config.toml"
    p.write_text(text, encoding="utf-8")
    return p


GROUP = '[[groups]]\nid = "g"\nlabel = "G"\ncolour = "#123456"\n'


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[store]\npaht = 'x'\n" + GROUP, r"unknown key 'store.paht'"),
        ("[bogus]\n" + GROUP, r"unknown top-level key 'bogus'"),
        ("[ingest]\nconcurrency = 'many'\n" + GROUP, r"'ingest.concurrency' must be int"),
        (
            GROUP + '[[sources]]\nid = "a"\nname = "A"\ngroup = "nope"\nkind = "feed"\nurl = "http://x"\n',
            r"group 'nope' is not defined",
        ),
        (GROUP + '[[sources]]\nid = "a"\nname = "A"\ngroup = "g"\nkind = "feed"\n', r"missing required key 'url'"),
        (
            GROUP + '[[sources]]\nid = "a"\nname = "A"\ngroup = "g"\nkind = "feed"\nurl = "u"\nfoo = 1\n',
            r"unknown key 'foo' for a feed source",
        ),
        (
            GROUP + '[[sources]]\nid = "a"\nname = "A"\ngroup = "g"\nkind = "feed"\nurl = "u"\n'
            '[[sources]]\nid = "a"\nname = "B"\ngroup = "g"\nkind = "feed"\nurl = "v"\n',
            r"duplicate source id 'a'",
        ),
        (GROUP + GROUP, r"duplicate group id 'g'"),
        (GROUP + '[[sources]]\nid = "a"\nname = "A"\ngroup = "g"\nkind = "rss"\n', r"'kind' must be one of"),
        (
            GROUP + '[[sources]]\nid = "a"\nname = "A"\ngroup = "g"\nkind = "archive"\npath = "x.jsonl"\n'
            'fields = {title = "t"}\n',
            r"missing required key 'fields.text'",
        ),
        ("[store\n", r"not valid TOML"),
        ("", r"at least one group"),
    ],
)
def test_bad_config_is_refused_naming_file_and_key(tmp_path, text, expected):
    path = _write(tmp_path, text)
    with pytest.raises(ConfigError, match=expected) as info:
        load_config(path)
    assert str(path) in str(info.value)


def test_missing_config_file(tmp_path):
    with pytest.raises(ConfigError, match="config file not found"):
        load_config(tmp_path / "absent.toml")


def test_every_setting_is_documented_in_the_readme():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for s in SETTINGS:
        assert re.search(rf"`{s.section}\.{s.name}`", readme), f"README does not document {s.section}.{s.name}"


def test_settings_override_only_what_they_set(tmp_path):
    cfg = write_config(
        tmp_path,
        [SourceSpec("a", "western-media", "feed", {"url": "http://127.0.0.1:9/x"})],
        settings={"scoring": {"threshold": 2}},
    )
    config = load_config(cfg)
    assert config.get("scoring", "threshold") == 2.0
    assert config.get("scoring", "distanced_weight") == 0.5
    assert config.get("ingest", "concurrency") == 8
