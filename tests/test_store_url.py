"""store.url / MONITOR_STORE_URL / store.path: one store location, bad URLs refused clearly."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.config import ConfigError, load_config
from store.url import StoreUrlError, parse_store_url

GROUP = '[[groups]]\nid = "g"\nlabel = "G"\ncolour = "#123456"\n'


def _config(tmp_path: Path, store: str) -> Path:
    p = tmp_path / "config.toml"
    p.write_text(f"[store]\n{store}\n{GROUP}", encoding="utf-8")
    return p


def test_default_is_the_sqlite_file_next_to_the_config(tmp_path, monkeypatch):
    monkeypatch.delenv("MONITOR_STORE_URL", raising=False)
    p = tmp_path / "config.toml"
    p.write_text(GROUP, encoding="utf-8")
    config = load_config(p)
    assert config.store_target.kind == "sqlite"
    assert config.store_path == tmp_path / "data" / "monitor.sqlite3"


def test_store_path_keeps_working(tmp_path, monkeypatch):
    monkeypatch.delenv("MONITOR_STORE_URL", raising=False)
    config = load_config(_config(tmp_path, 'path = "x/my 100%.sqlite3"'))
    assert config.store_path == tmp_path / "x" / "my 100%.sqlite3"


def test_url_relative_and_absolute(tmp_path, monkeypatch):
    monkeypatch.delenv("MONITOR_STORE_URL", raising=False)
    assert load_config(_config(tmp_path, 'url = "sqlite:///d/s.sqlite3"')).store_path == tmp_path / "d" / "s.sqlite3"
    config = load_config(_config(tmp_path, 'url = "sqlite:////tmp/abs.sqlite3"'))
    assert config.store_path == Path("/tmp/abs.sqlite3")


def test_postgres_url_and_environment_override(tmp_path, monkeypatch):
    monkeypatch.delenv("MONITOR_STORE_URL", raising=False)
    config = load_config(_config(tmp_path, 'url = "postgresql://monitor:secret@db.example:5433/monitor"'))
    target = config.store_target
    assert target.is_postgres and target.host() == "db.example"
    assert "secret" not in target.display()
    with pytest.raises(ConfigError, match="PostgreSQL store"):
        _ = config.store_path
    monkeypatch.setenv("MONITOR_STORE_URL", "sqlite:////tmp/override.sqlite3")
    assert load_config(_config(tmp_path, 'url = "postgresql://u@h/db"')).store_path == Path("/tmp/override.sqlite3")


@pytest.mark.parametrize(
    ("store", "env", "expected"),
    [
        ('url = "mysql://u@h/db"', None, r"'store.url'.*not a store URL"),
        ('url = "postgresql://u@h:99999/db"', None, r"'store.url'.*Port"),
        ('url = "postgresql://u@h:5432/"', None, r"'store.url'.*names no database"),
        ('url = "sqlite://relative"', None, r"'store.url'.*sqlite:///relative"),
        ('url = "sqlite:///a"\npath = "b"', None, r"'store.url' or 'store.path', not both"),
        ('path = "b"', "postgres://u:pw@h:x/db", r"MONITOR_STORE_URL"),
    ],
)
def test_bad_urls_name_the_setting(tmp_path, monkeypatch, store, env, expected):
    if env is None:
        monkeypatch.delenv("MONITOR_STORE_URL", raising=False)
    else:
        monkeypatch.setenv("MONITOR_STORE_URL", env)
    with pytest.raises(ConfigError, match=expected) as info:
        load_config(_config(tmp_path, store))
    assert "pw" not in str(info.value)


def test_parse_refuses_garbage():
    with pytest.raises(StoreUrlError):
        parse_store_url("monitor.sqlite3")
