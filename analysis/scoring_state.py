"""Is every stored item scored the same way?  Said on every dashboard page and after
`python -m ingest run` when it is not.

A stored item's evidence depends on the lexicon, the matching code and the scoring
settings (ingest/scoring_identity.py).  After an edit of the lexicon or an upgrade of the
code, new items are scored by the new rules while the stored ones keep the old: a trend
across that day then compares two methods, and a rise can be the rules, not the
discourse.  The store records what scored its items (meta.scored_with) and what each run
applies (runs.scoring); this module turns the two into a sentence, or None.
"""

from __future__ import annotations

import json
from typing import Any

from store.timefmt import parse_iso

RESCORE = "Run `python -m ingest rescore` to score every item the same way."
_PARTS = (
    ("lexicon", "lexicon"),
    ("rules", "matching code"),
    ("threshold", "scoring settings"),
    ("distanced_weight", "scoring settings"),
)


def changed_parts(before: str, after: str) -> list[str]:
    """What differs between two scoring identities, in words ("lexicon", "matching code", ...)."""
    try:
        old, new = json.loads(before), json.loads(after)
    except ValueError:
        return ["scoring"]
    out: list[str] = []
    for key, words in _PARTS:
        if old.get(key) != new.get(key) and words not in out:
            out.append(words)
    return out or ["scoring"]


def mixed_note(state: dict[str, Any]) -> str | None:
    """One sentence when the stored items are not all scored as the newest run scores, else None."""
    current, scored = state.get("current"), state.get("scored_with")
    if not state.get("any_items") or current is None or scored == current:
        return None
    if scored is None:
        return (
            "This store does not record which lexicon and matching code scored its items (they were "
            "stored before it kept that record), so items stored since may be scored differently from "
            "older ones. " + RESCORE
        )
    since = parse_iso(state.get("since"))
    when = f"since {since:%Y-%m-%d %H:%M} UTC" if since else "recently"
    what = " and ".join(changed_parts(scored, current))
    return (
        f"Mixed scoring: the ingest has used a different {what} {when} than the one that scored the "
        "items stored before, so figures across that day compare two methods. " + RESCORE
    )
