"""What scores a stored item, written down: the lexicon (its content hash), the matching
code (ingest/rules_version.py) and the scoring settings, as one JSON text.

Every run records the one it applies (runs.scoring), and the store keeps the one every
stored item was scored with (meta.scored_with: set by the first run into an empty store and
by every complete rescore).  When they differ the store is mixed: items stored since were
scored by other rules than the items before them, and a trend across that day compares
two methods.  analysis/scoring_state.py says so on every dashboard page and after
`python -m ingest run`, until a rescore makes the store one again.
"""

from __future__ import annotations

import json

from .lexicon import Lexicon
from .rules_version import rules_version


def scoring_identity(lexicon: Lexicon, threshold: float, distanced_weight: float) -> str:
    return json.dumps(
        {
            "lexicon": lexicon.content_hash,
            "rules": rules_version(),
            "threshold": float(threshold),
            "distanced_weight": float(distanced_weight),
        },
        sort_keys=True,
    )
