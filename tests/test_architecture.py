"""Data flows one way: ingest -> store -> analysis -> dashboard.

`store/` imports none of the other packages, `analysis/` imports only `store/`,
`ingest/` imports `store/` and `analysis/`, nothing imports `dashboard/`, and only
`dashboard/` imports Streamlit. These rules are read from the source (every
import statement, including ones inside functions), so a late import cannot hide.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("ingest", "store", "analysis", "dashboard")
ALLOWED = {
    "store": set(),
    "analysis": {"store"},
    "ingest": {"store", "analysis"},
    "dashboard": {"store", "analysis", "ingest"},
}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def project_imports(package: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        tops = {name.split(".")[0] for name in imported_modules(path)}
        found[str(path.relative_to(ROOT))] = tops
    return found


@pytest.mark.parametrize("package", PACKAGES)
def test_package_imports_only_what_the_flow_allows(package: str) -> None:
    bad = {
        path: sorted(tops & (set(PACKAGES) - ALLOWED[package] - {package}))
        for path, tops in project_imports(package).items()
    }
    assert {path: names for path, names in bad.items() if names} == {}


@pytest.mark.parametrize("package", ("ingest", "store", "analysis", "bench"))
def test_only_the_dashboard_imports_streamlit(package: str) -> None:
    users = [path for path, tops in project_imports(package).items() if "streamlit" in tops]
    assert users == []


def test_no_product_package_imports_the_dashboard() -> None:
    # bench/ and tests/ measure and drive the dashboard; the product never leans on it.
    users = [
        path
        for package in ("ingest", "store", "analysis")
        for path, tops in project_imports(package).items()
        if "dashboard" in tops
    ]
    assert users == []


def test_old_package_paths_are_gone() -> None:
    assert not (ROOT / "ingest" / "store").exists()
    assert not (ROOT / "ingest" / "briefing").exists()
    assert not (ROOT / "dashboard" / "trends.py").exists()
