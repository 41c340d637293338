"""The version of the matching rules this process runs: what a batch job carries so that
no worker finishes a job begun under other rules (ingest/batch_rescore.py,
ingest/batch_backfill.py).

Scores are a pure function of the text, the lexicon, the scoring settings and the code
that matches.  Workers of one store may run different code for a while (an upgrade rolls
out host by host); a job whose batches were scored partly by the old rules and partly by
the new would leave a store mixed, its old days stale, and nothing would show it.  So
the rules get a version as the build cache keys its tables (ingest/buildcache.py): a hash
of the source of every module of this project that the scorer imports, followed from
`ingest.score` and `ingest.match_cap` through `ingest/` and `analysis/` (a new rule
module is in it the day it is imported), the values of the constants they take from
`store/` (how many matches are kept), the versions of the third-party packages those
modules import (and of pymorphy3's dictionaries, loaded by name), the Unicode tables and
Python's minor version (its regular expressions).  Any change to that code is a new
version, whether or not it changes a score: a version that missed a real change would
mix a store silently, one that moves on a harmless edit costs a rescore that rewrites
nothing.  Python's patch level and build are left out, so workers on different hosts
agree.  The version is read from the files once per process, when its batch machinery is
set up right after the imports, so a worker started before an upgrade keeps the version of
the code it runs.
"""

from __future__ import annotations

import ast
import hashlib
import importlib
import importlib.util
import sys
import unicodedata
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from . import buildcache

ROOTS = ("ingest.score", "ingest.match_cap")  # what a worker runs to score and keep matches
FOLLOWED = ("ingest", "analysis")  # this project's code the rules may live in
CONSTANTS_FROM = ("store",)  # this project's code whose constants the rules use (not its code)
LOADED_BY_NAME = ("pymorphy3-dicts-ru",)  # data a package imports by name, not our code


@lru_cache(maxsize=1)
def rules_version() -> str:
    """16 hex digits, the same in every process that runs the same rules."""
    return str(buildcache.cached("rules-version", _inputs_key(), _computed))


def _inputs_key() -> str | None:
    """A hash of everything the version can depend on, read without parsing anything: every
    source file of the packages the rules may live in or take constants from, and the names
    of the distributions installed on sys.path (a name carries its version).  It is a
    superset of the version's inputs, so a key found in the cache means the same version;
    computing it again (the imports followed through syntax trees, store's constants
    imported, package metadata read) cost each process 0.13-0.5 s of CPU at every start."""
    parts: list[str | bytes] = [unicodedata.unidata_version]
    for package in (*FOLLOWED, *CONSTANTS_FROM):
        spec = importlib.util.find_spec(package)
        if spec is None or not spec.submodule_search_locations:
            return None
        for folder in spec.submodule_search_locations:
            for path in sorted(Path(folder).rglob("*.py")):
                parts += [str(path.relative_to(folder)), path.read_bytes()]
    for entry in sys.path:
        site = Path(entry or ".")
        if site.is_dir():
            parts += sorted(p.name for p in site.iterdir() if p.name.endswith((".dist-info", ".egg-info")))
    return buildcache.fingerprint(*parts)


def _computed() -> str:
    h = hashlib.sha256(f"{sys.version_info.major}.{sys.version_info.minor}\0{unicodedata.unidata_version}\0".encode())
    modules, constants, imported = rule_modules()
    for name in sorted(modules):
        h.update(f"{name}\0".encode() + modules[name] + b"\0")
    for name in sorted(constants):
        h.update(f"{name}={constants[name]}\0".encode())
    owners = metadata.packages_distributions()
    distributions = sorted({d for top in imported for d in owners.get(top, [])})
    h.update(buildcache.package_versions(*distributions, *LOADED_BY_NAME).encode())
    return h.hexdigest()[:16]


def rule_modules() -> tuple[dict[str, bytes], dict[str, str], set[str]]:
    """(source of each module of the rules by name, repr of each store constant they use,
    top-level names of the third-party packages they import)."""
    modules: dict[str, bytes] = {}
    constants: dict[str, str] = {}
    imported: set[str] = set()
    todo = list(ROOTS)
    while todo:
        name = todo.pop()
        if name in modules:
            continue
        modules[name] = _source(name)
        for module, names in _imports(name, modules[name]):
            top = module.partition(".")[0]
            if top in FOLLOWED:
                todo.extend(_modules_named(module, names))
            elif top in CONSTANTS_FROM:
                constants.update(_constants(module, names))
            elif top not in sys.stdlib_module_names:
                imported.add(top)
    return modules, constants, imported


def _source(name: str) -> bytes:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.origin:
        raise RuntimeError(f"matching rules: module {name} not found")
    return Path(spec.origin).read_bytes()


def _imports(name: str, source: bytes) -> list[tuple[str, list[str]]]:
    """(module, names taken from it) for every import in the module's source, relative
    ones resolved.  A module installed without its source (bytecode only) raises: its
    imports cannot be followed, so no version could be trusted."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError) as exc:
        raise RuntimeError(f"matching rules: cannot read the source of {name}: {exc}") from None
    spec = importlib.util.find_spec(name)
    package = name if spec is not None and spec.submodule_search_locations is not None else name.rpartition(".")[0]
    found: list[tuple[str, list[str]]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((alias.name, []) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level else ""
            module = ".".join(p for p in (base, node.module or "") if p)
            found.append((module, [alias.name for alias in node.names]))
    return found


def _modules_named(module: str, names: list[str]) -> list[str]:
    """The modules an import brings in: `from analysis import segment` is analysis.segment
    (not the whole package); `from .lexicon import Matcher` is ingest.lexicon."""
    spec = importlib.util.find_spec(module)
    if spec is None or spec.submodule_search_locations is None or not names:
        return [module] if names else []  # a module; `import ingest` alone brings nothing in
    found = [f"{module}.{n}" for n in names if importlib.util.find_spec(f"{module}.{n}") is not None]
    return found if len(found) == len(names) else [*found, module]  # a name the package itself defines


def _constants(module: str, names: list[str]) -> dict[str, str]:
    """Plain values (numbers, strings, tuples of them) imported from `module`."""
    loaded = importlib.import_module(module)
    out = {}
    for n in names:
        value = getattr(loaded, n, None)
        if isinstance(value, int | float | str | bytes | tuple | frozenset):
            out[f"{module}.{n}"] = repr(value)
    return out
