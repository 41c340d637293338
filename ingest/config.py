"""config.toml -> frozen dataclasses.

Every setting is declared once in SETTINGS (`ingest/settings.py`) with its default
and help text; the README documents each (a test checks). Unknown keys, missing
fields, duplicate ids and sources in unknown groups are refused with a message that
names the file and the key, so a typo never silently becomes a default.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from store.url import StoreTarget, StoreUrlError, parse_store_url

from .config_ranges import feed_url_problem, range_problem
from .settings import SETTINGS

STORE_URL_ENV = "MONITOR_STORE_URL"


class ConfigError(ValueError):
    """A config file that cannot be used, with a message naming file and key."""


SOURCE_KINDS = ("seed", "feed", "archive")
LANGUAGES = ("auto", "en", "zh-hans", "zh-hant", "ru", "und")
_COMMON_SOURCE_KEYS = {"id", "name", "group", "kind", "language", "enabled"}
_KIND_KEYS: dict[str, dict[str, bool]] = {  # key -> required
    "seed": {"path": True, "title": True, "author": False, "outlet": False, "published": True, "url": False},
    "feed": {"url": True, "full_text": False},
    "archive": {
        "path": True,
        "fields": True,
        "source_groups": False,
        "format": False,
        "date_precision": False,
        "title_template": False,
    },
}
ARCHIVE_PRECISIONS = ("day", "month", "year")
ARCHIVE_FIELDS = ("text", "title", "date", "url", "source", "language", "guid")


@dataclass(frozen=True)
class Group:
    id: str
    label: str
    colour: str


@dataclass(frozen=True)
class Source:
    id: str
    name: str
    group: str
    kind: str
    language: str = "auto"
    enabled: bool = True
    url: str | None = None  # feed
    path: Path | None = None  # seed, archive (resolved against the config dir)
    full_text: bool = False
    title: str | None = None  # seed metadata
    author: str | None = None
    outlet: str | None = None
    published: str | None = None  # ISO date, "YYYY-MM" or "undated"
    fields: dict[str, str] = field(default_factory=dict)  # archive column mapping
    source_groups: dict[str, str] = field(default_factory=dict)  # archive outlet -> group
    format: str | None = None  # archive: jsonl | csv (default from the suffix)
    date_precision: str | None = None  # archive: day | month | year when the dates are coarser than they look
    title_template: str | None = None  # archive: "{country}, UN General Debate {year}" from the columns


@dataclass(frozen=True)
class Config:
    path: Path
    groups: tuple[Group, ...]
    sources: tuple[Source, ...]
    settings: dict[str, dict[str, Any]]

    @property
    def base(self) -> Path:
        return self.path.parent

    def get(self, section: str, name: str) -> Any:
        return self.settings[section][name]

    def resolve(self, relative: str | Path) -> Path:
        p = Path(relative)
        return p if p.is_absolute() else self.base / p

    @property
    def store_target(self) -> StoreTarget:
        """The store: an SQLite file or a PostgreSQL server (store.url / MONITOR_STORE_URL / store.path)."""
        return parse_store_url(self.get("store", "url"), self.base)

    @property
    def store_path(self) -> Path:
        """The SQLite store file; only for callers that need a file (a PostgreSQL store has none)."""
        target = self.store_target
        if target.path is None:
            raise ConfigError(f"{self.path}: store.url names a PostgreSQL store ({target.display()}), not a file")
        return target.path

    @property
    def lexicon_path(self) -> Path:
        return self.resolve(self.get("scoring", "lexicon"))

    def group(self, group_id: str) -> Group:
        return next(g for g in self.groups if g.id == group_id)

    def source(self, source_id: str) -> Source:
        for s in self.sources:
            if s.id == source_id:
                return s
        raise KeyError(source_id)


def load_config(path: str | Path) -> Config:
    path = Path(path)
    return parse_config(read_toml(path, "config"), path)


def read_toml(path: Path, what: str) -> dict[str, Any]:
    """A TOML file as a dict, or a ConfigError in one line (missing, a folder, not UTF-8, not TOML, too deep)."""
    try:
        text = path.read_text(encoding="utf-8")
        return tomllib.loads(text.removeprefix("\ufeff"))  # a BOM from a Windows editor is not an error
    except FileNotFoundError:
        raise ConfigError(f"{path}: {what} file not found (no such file)") from None
    except IsADirectoryError:
        raise ConfigError(f"{path}: is a folder, not a {what} file") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text: {exc}") from None
    except (RecursionError, MemoryError):
        raise ConfigError(f"{path}: arrays or tables nested too deeply to read") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the {what} file: {exc.strerror or exc}") from None


def parse_config(raw: dict[str, Any], path: Path) -> Config:
    known_sections = {s.section for s in SETTINGS} | {"groups", "sources"}
    for key in raw:
        if key not in known_sections:
            raise ConfigError(f"{path}: unknown top-level key '{key}' (expected one of {sorted(known_sections)})")
    settings = _parse_settings(raw, path)
    settings["store"]["url"] = _store_url(raw.get("store", {}), settings["store"], path)
    _check_files(settings, path)
    groups = _parse_groups(raw.get("groups", []), path)
    group_ids = {g.id for g in groups}
    sources = _parse_sources(raw.get("sources", []), path, group_ids)
    return Config(path=path.resolve(), groups=groups, sources=sources, settings=settings)


def _parse_settings(raw: dict[str, Any], path: Path) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for s in SETTINGS:
        out.setdefault(s.section, {})[s.name] = s.default
    for section, values in out.items():
        given = raw.get(section, {})
        if not isinstance(given, dict):
            raise ConfigError(f"{path}: [{section}] must be a table")
        for key, value in given.items():
            if key not in values:
                raise ConfigError(f"{path}: unknown key '{section}.{key}' (expected one of {sorted(values)})")
            default = values[key]
            if not _same_kind(default, value):
                raise ConfigError(f"{path}: '{section}.{key}' must be {type(default).__name__}, got {value!r}")
            values[key] = float(value) if isinstance(default, float) else value
            problem = range_problem(section, key, values[key])
            if problem:
                raise ConfigError(f"{path}: {problem}")
    return out


def _check_files(settings: dict[str, dict[str, Any]], path: Path) -> None:
    """The store and the lexicon must name files, not nothing or a folder."""
    base = path.parent
    if not str(settings["store"]["path"]).strip():
        raise ConfigError(f"{path}: 'store.path' must name a file, got an empty string")
    try:
        store_file = parse_store_url(settings["store"]["url"], base).path
    except StoreUrlError as exc:
        raise ConfigError(f"{path}: 'store.path': {exc}") from None
    if store_file is not None and store_file.is_dir():
        raise ConfigError(f"{path}: the store {store_file} is a folder; name a file inside it, like monitor.sqlite3")
    lexicon = str(settings["scoring"]["lexicon"])
    if not lexicon.strip() or "\x00" in lexicon:
        raise ConfigError(f"{path}: 'scoring.lexicon' must name a file, got {lexicon!r}")
    if (base / lexicon).is_dir():
        raise ConfigError(f"{path}: 'scoring.lexicon' names a folder ({base / lexicon}), not a lexicon file")


def _store_url(given: dict[str, Any], store: dict[str, Any], path: Path) -> str:
    """MONITOR_STORE_URL, else store.url, else the SQLite file of store.path (older configs)."""
    if "url" in given and "path" in given:
        raise ConfigError(f"{path}: set 'store.url' or 'store.path', not both")
    env = os.environ.get(STORE_URL_ENV, "").strip()
    if env:
        url, where = env, f"{STORE_URL_ENV} (overriding {path}: store.url)"
    elif "url" in given:
        url, where = store["url"], f"{path}: 'store.url'"
    else:
        return "sqlite:///" + quote(store["path"])
    try:
        parse_store_url(url, path.parent)
    except StoreUrlError as exc:
        raise ConfigError(f"{where}: {exc}") from None
    return url


def _same_kind(default: Any, value: Any) -> bool:
    if isinstance(default, bool) or isinstance(value, bool):
        return isinstance(default, bool) and isinstance(value, bool)
    if isinstance(default, float):
        return isinstance(value, (int, float))
    return isinstance(value, type(default))


def _require_str(entry: dict[str, Any], key: str, where: str) -> str:
    if key not in entry:
        raise ConfigError(f"{where}: missing required key '{key}'")
    value = entry[key]
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{where}: '{key}' must be a non-empty string, got {value!r}")
    if "\x00" in value:
        raise ConfigError(f"{where}: '{key}' must not contain a NUL character")
    return value


def _parse_groups(entries: Any, path: Path) -> tuple[Group, ...]:
    if not isinstance(entries, list) or not entries:
        raise ConfigError(f"{path}: [[groups]] must list at least one group")
    groups: list[Group] = []
    for i, entry in enumerate(entries):
        where = f"{path}: groups[{i}]"
        if not isinstance(entry, dict):
            raise ConfigError(f"{where}: must be a table")
        for key in entry:
            if key not in ("id", "label", "colour"):
                raise ConfigError(f"{where}: unknown key '{key}' (expected id, label, colour)")
        gid = _require_str(entry, "id", where)
        colour = _require_str(entry, "colour", where)
        if not (colour.startswith("#") and len(colour) in (4, 7)):
            raise ConfigError(f"{where}: 'colour' must be a hex colour like #1f77b4, got {colour!r}")
        if any(g.id == gid for g in groups):
            raise ConfigError(f"{where}: duplicate group id '{gid}'")
        groups.append(Group(gid, _require_str(entry, "label", where), colour))
    return tuple(groups)


def _parse_sources(entries: Any, path: Path, group_ids: set[str]) -> tuple[Source, ...]:
    if not isinstance(entries, list):
        raise ConfigError(f"{path}: [[sources]] must be an array of tables")
    sources: list[Source] = []
    seen: set[str] = set()
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise ConfigError(f"{path}: sources[{i}] must be a table")
        src = _parse_source(entry, f"{path}: sources[{i}]", path.parent, group_ids)
        if src.id in seen:
            raise ConfigError(f"{path}: sources[{i}]: duplicate source id '{src.id}'")
        seen.add(src.id)
        sources.append(src)
    return tuple(sources)


def _parse_source(entry: dict[str, Any], where: str, base: Path, group_ids: set[str]) -> Source:
    sid = _require_str(entry, "id", where)
    where = f"{where} (id '{sid}')"
    kind = _require_str(entry, "kind", where)
    if kind not in SOURCE_KINDS:
        raise ConfigError(f"{where}: 'kind' must be one of {SOURCE_KINDS}, got {kind!r}")
    allowed = _COMMON_SOURCE_KEYS | set(_KIND_KEYS[kind])
    for key in entry:
        if key not in allowed:
            raise ConfigError(f"{where}: unknown key '{key}' for a {kind} source (expected {sorted(allowed)})")
    for key, required in _KIND_KEYS[kind].items():
        if required and key not in entry:
            raise ConfigError(f"{where}: missing required key '{key}' for a {kind} source")
    group = _require_str(entry, "group", where)
    if group not in group_ids:
        raise ConfigError(f"{where}: group '{group}' is not defined in [[groups]] (known: {sorted(group_ids)})")
    kwargs: dict[str, Any] = {
        "id": sid,
        "name": _require_str(entry, "name", where),
        "group": group,
        "kind": kind,
        "language": entry.get("language", "auto"),
        "enabled": entry.get("enabled", True),
    }
    if kwargs["language"] not in LANGUAGES:
        raise ConfigError(f"{where}: 'language' must be one of {LANGUAGES}, got {kwargs['language']!r}")
    if not isinstance(kwargs["enabled"], bool):
        raise ConfigError(f"{where}: 'enabled' must be true or false")
    if "path" in entry:
        kwargs["path"] = (base / _require_str(entry, "path", where)).resolve()
    if "url" in entry:
        kwargs["url"] = _require_str(entry, "url", where)
        problem = feed_url_problem(kwargs["url"])
        if problem:
            raise ConfigError(f"{where}: {problem}")
    for key in ("title", "author", "outlet", "published", "format", "date_precision", "title_template"):
        if key in entry:
            kwargs[key] = _require_str(entry, key, where)
    if "full_text" in entry:
        if not isinstance(entry["full_text"], bool):
            raise ConfigError(f"{where}: 'full_text' must be true or false")
        kwargs["full_text"] = entry["full_text"]
    if kind == "archive":
        kwargs["fields"] = _parse_fields(entry["fields"], where)
        kwargs["source_groups"] = _parse_source_groups(entry.get("source_groups", {}), where, group_ids)
        fmt = kwargs.get("format") or Path(entry["path"]).suffix.lstrip(".").lower()
        if fmt not in ("jsonl", "csv"):
            raise ConfigError(f"{where}: archive format must be jsonl or csv (set 'format'), got {fmt!r}")
        kwargs["format"] = fmt
        if "title_template" in kwargs and not re.search(r"\{\w+\}", kwargs["title_template"]):
            raise ConfigError(
                f"{where}: 'title_template' names no column: write column names in braces, "
                'as in "{country}, UN General Debate {year}"'
            )
        if kwargs.get("date_precision", "day") not in ARCHIVE_PRECISIONS:
            raise ConfigError(
                f"{where}: 'date_precision' must be one of {ARCHIVE_PRECISIONS}, got {kwargs['date_precision']!r}"
            )
    return Source(**kwargs)


def _parse_fields(fields: Any, where: str) -> dict[str, str]:
    if not isinstance(fields, dict):
        raise ConfigError(f"{where}: 'fields' must be a table mapping {ARCHIVE_FIELDS} to column names")
    for key, value in fields.items():
        if key not in ARCHIVE_FIELDS:
            raise ConfigError(f"{where}: unknown key 'fields.{key}' (expected {ARCHIVE_FIELDS})")
        if not isinstance(value, str) or not value:
            raise ConfigError(f"{where}: 'fields.{key}' must name a column, got {value!r}")
    if "text" not in fields:
        raise ConfigError(f"{where}: missing required key 'fields.text' (the column holding the article text)")
    return dict(fields)


def _parse_source_groups(mapping: Any, where: str, group_ids: set[str]) -> dict[str, str]:
    if not isinstance(mapping, dict):
        raise ConfigError(f"{where}: 'source_groups' must be a table of outlet = group")
    for outlet, group in mapping.items():
        if not isinstance(group, str) or group not in group_ids:
            raise ConfigError(f"{where}: 'source_groups.{outlet}' names unknown group {group!r}")
    return dict(mapping)
