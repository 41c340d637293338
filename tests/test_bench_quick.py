"""`python -m bench --quick` runs every benchmark end to end and prints the results
table.  Timings are never asserted here: benchmarks measure, tests check they run."""

from __future__ import annotations

import subprocess
import sys

import pytest

from bench.__main__ import BENCHMARKS
from tests.builders import REPO

pytest.importorskip("flashtext")
pytest.importorskip("spacy")


@pytest.mark.timeout(600)
def test_quick_benchmarks_complete_and_print_a_table():
    proc = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--no-write"], cwd=REPO, capture_output=True, text=True, timeout=600
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    out = proc.stdout
    assert "Benchmark" in out and "Measure" in out and "Verdict" in out
    for prefix in ("1 scoring", "2 ingest", "3 rescore", "4 dashboard", "5 archive", "6 scaling", "7 pages"):
        assert prefix in out, f"no rows from {prefix!r}"
    assert "benchmark failed" not in out
    assert len(BENCHMARKS) == 7
