"""Watches as a TOML file, reviewable like the lexicon: export writes every watch,
import checks every entry (unknown keys, wrong types, unknown ids) before saving any.

    [[watches]]
    name = "gsi"
    label = "Global Security Initiative"
    kind = "concept"            # concept | concepts | query
    concepts = ["global-security-initiative"]
    groups = []                 # optional limits: groups, sources, languages
    [watches.alerts]
    rise = true
    min_items = 5
    first_in_groups = ["western-media"]
    new_item_sources = []
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

from store.watches import AlertRules, Reference, Watch, WatchError, validate

from .config import ConfigError

WATCH_KEYS = {"name", "label", "kind", "concepts", "query", "groups", "sources", "languages", "alerts"}
LIST_KEYS = ("concepts", "groups", "sources", "languages")
RULE_KEYS = {"rise": bool, "min_items": int, "first_in_groups": list, "new_item_sources": list}


def _s(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string or list is a valid TOML value


def export_watches(watches: list[Watch]) -> str:
    lines = ["# Watches of the discourse monitor: `python -m ingest watch import FILE` reads this back.", ""]
    for w in watches:
        lines += ["[[watches]]", f"name = {_s(w.name)}", f"label = {_s(w.label)}", f"kind = {_s(w.kind)}"]
        if w.kind == "query":
            lines.append(f"query = {_s(w.query)}")
        else:
            lines.append(f"concepts = {_s(list(w.concepts))}")
        lines += [f"{key} = {_s(list(getattr(w, key)))}" for key in LIST_KEYS[1:]]
        lines += ["", "[watches.alerts]"]
        lines += [f"{key} = {_s(value)}" for key, value in w.rules.as_dict().items()]
        lines.append("")
    return "\n".join(lines)


def parse_watches(path: Path, ref: Reference) -> list[Watch]:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: watch file not found") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid UTF-8 TOML: {exc}") from None
    extra = set(raw) - {"watches"}
    if extra:
        raise ConfigError(f"{path}: unknown top-level key '{sorted(extra)[0]}' (expected [[watches]])")
    entries = raw.get("watches", [])
    if not isinstance(entries, list):
        raise ConfigError(f"{path}: 'watches' must be an array of tables ([[watches]])")
    out: list[Watch] = []
    for i, entry in enumerate(entries):
        where = f"{path}: watches[{i}]"
        watch = _entry(entry, where)
        try:
            watch = validate(watch, ref)
        except WatchError as exc:
            raise ConfigError(f"{where} (name '{watch.name}'): {exc}") from None
        if any(w.name == watch.name for w in out):
            raise ConfigError(f"{where}: duplicate watch name '{watch.name}'")
        out.append(watch)
    return out


def _entry(entry: Any, where: str) -> Watch:
    if not isinstance(entry, dict):
        raise ConfigError(f"{where}: must be a table")
    for key in entry:
        if key not in WATCH_KEYS:
            raise ConfigError(f"{where}: unknown key '{key}' (expected one of {sorted(WATCH_KEYS)})")
    for key in ("name", "kind"):
        if not isinstance(entry.get(key), str):
            raise ConfigError(f"{where}: '{key}' must be a string")
    where = f"{where} (name '{entry['name']}')"
    for key in ("label", "query"):
        if not isinstance(entry.get(key, ""), str):
            raise ConfigError(f"{where}: '{key}' must be a string")
    lists = {key: _strings(entry.get(key, []), f"{where}: '{key}'") for key in LIST_KEYS}
    return Watch(
        name=entry["name"],
        kind=entry["kind"],
        label=entry.get("label", ""),
        query=entry.get("query", ""),
        concepts=lists["concepts"],
        groups=lists["groups"],
        sources=lists["sources"],
        languages=lists["languages"],
        rules=_rules(entry.get("alerts", {}), where),
    )


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where} must be a list of strings")
    return tuple(value)


def _rules(raw: Any, where: str) -> AlertRules:
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: 'alerts' must be a table")
    for key, value in raw.items():
        kind = RULE_KEYS.get(key)
        if kind is None:
            raise ConfigError(f"{where}: unknown key 'alerts.{key}' (expected one of {sorted(RULE_KEYS)})")
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise ConfigError(f"{where}: 'alerts.{key}' must be {kind.__name__}, got {value!r}")
    return AlertRules(
        rise=raw.get("rise", True),
        min_items=raw.get("min_items", 5),
        first_in_groups=_strings(raw.get("first_in_groups", []), f"{where}: 'alerts.first_in_groups'"),
        new_item_sources=_strings(raw.get("new_item_sources", []), f"{where}: 'alerts.new_item_sources'"),
    )
