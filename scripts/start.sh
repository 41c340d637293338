#!/usr/bin/env bash
# The main job: set up, ingest every source (seeds, feeds, archives), then serve the
# dashboard on http://localhost:${PORT:-8501}. Offline, every feed fails with its own
# clear error and the run still completes with the seeds.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/python -m ingest run
.venv/bin/python -m ingest stats
exec .venv/bin/python -m streamlit run dashboard/app.py \
  --server.port "${PORT:-8501}" --server.headless true --browser.gatherUsageStats false
