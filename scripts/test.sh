#!/usr/bin/env bash
# The whole test suite: set up, then lint (ruff), types (mypy on ingest/, store/, analysis/) and pytest.
# Fails when any of them fails.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export SOAK_TRIALS=${SOAK_TRIALS:-5}
.venv/bin/python -m ruff check .
.venv/bin/python -m ruff format --check ingest store analysis
.venv/bin/python -m mypy
.venv/bin/python -m pytest -q "$@"
