"""The matching rules' version (ingest/rules_version.py) that batch jobs carry comes from
the code itself: the same in every process running the same code, another one when any
module the scorer imports changes (a copy of the real packages edited, run in a real
Python process), the same when code outside the rules changes."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from ingest.rules_version import rule_modules, rules_version
from store.briefing_reads import MAX_STORED_MATCHES
from tests.builders import REPO

PRINT = "from ingest.rules_version import rules_version; print(rules_version())"


def _version_in(root: Path) -> str:
    done = subprocess.run(
        [sys.executable, "-c", PRINT], cwd=root, env={"PYTHONPATH": str(root)}, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.strip()


def _copy(tmp: Path) -> Path:
    for package in ("ingest", "analysis", "store"):
        shutil.copytree(REPO / package, tmp / package, ignore=shutil.ignore_patterns("__pycache__"))
    return tmp


def test_the_version_is_the_same_in_every_process_running_the_same_code(tmp_path):
    version = rules_version()
    assert len(version) == 16 and int(version, 16) >= 0
    assert _version_in(REPO) == version
    assert _version_in(_copy(tmp_path)) == version  # where the code lies is not part of it


def test_the_rules_are_every_module_the_scorer_imports_and_nothing_else():
    modules, constants, packages = rule_modules()
    expected = {"ingest.score", "ingest.match_cap", "ingest.lexicon", "ingest.textnorm", "ingest.textfold"}
    expected |= {"ingest.context", "ingest.distancing", "ingest.disambiguate", "ingest.inflect", "analysis.segment"}
    expected |= {"ingest.matcher", "ingest.form_variants", "ingest.textclasses", "ingest.textoffsets"}
    assert expected <= set(modules)
    assert not {"ingest.pipeline", "ingest.worker", "ingest.batch_rescore", "ingest.config"} & set(modules)
    assert not any(name.startswith("store.") for name in modules)  # storage is not a rule...
    kept = {"store.briefing_reads.MAX_STORED_MATCHES": repr(MAX_STORED_MATCHES)}
    assert constants == kept  # ...but how many matches are kept is
    assert {"ahocorasick", "jieba", "pymorphy3", "opencc"} <= packages


def test_an_edited_rule_is_a_new_version_and_other_code_is_not(tmp_path):
    root = _copy(tmp_path)
    version = _version_in(root)
    pipeline = root / "ingest" / "pipeline.py"
    pipeline.write_text(pipeline.read_text(encoding="utf-8") + "\n# not a rule\n", encoding="utf-8")
    assert _version_in(root) == version
    for module in ("ingest/context.py", "analysis/segment.py"):  # one imported by score.py, one through a package
        path = root / module
        original = path.read_text(encoding="utf-8")
        path.write_text(original + "\nNEW_RULE = 1\n", encoding="utf-8")
        assert _version_in(root) != version, module
        path.write_text(original, encoding="utf-8")
        assert _version_in(root) == version


def test_a_process_reads_the_version_from_the_cache_its_inputs_key(tmp_path, monkeypatch):
    """The version is computed once per set of sources and installed packages: later
    processes read it back; an unreadable cache file is computed again, never trusted."""
    cache = tmp_path / "cache"
    root = _copy(tmp_path / "code")
    env = {"PYTHONPATH": str(root), "DISCOURSE_CACHE_DIR": str(cache)}

    def version() -> str:
        done = subprocess.run([sys.executable, "-c", PRINT], cwd=root, env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr[-2000:]
        return done.stdout.strip()

    first = version()
    files = list(cache.glob("rules-version-*.marshal"))
    assert first == rules_version() and len(files) == 1
    files[0].write_bytes(b"not marshal")
    assert version() == first
    (root / "analysis" / "segment.py").write_text(
        (root / "analysis" / "segment.py").read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8"
    )
    assert version() != first and len(list(cache.glob("rules-version-*.marshal"))) == 2
