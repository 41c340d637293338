"""`python -m ingest rescore` on one process (or a pool): every stored item scored again
with the current lexicon, in one transaction; `batch_rescore` cuts the same work into batch
jobs that any worker may take."""

from __future__ import annotations

from store import Store

from .lexicon import Lexicon
from .match_cap import kept_matches
from .scoring_identity import scoring_identity
from .workers import Scorer


def rescore(
    store: Store,
    lexicon: Lexicon,
    threshold: float,
    distanced_weight: float,
    progress=None,
    processes: int | None = None,
    full: bool = False,
) -> int:
    """Rescore every stored item with `lexicon`, in one transaction, on `processes` worker
    processes (by default none: this process scores); returns items rescored.

    Only the items whose evidence changes are rewritten, and only their days' aggregates
    recomputed (Store.rescore_items); `full` rewrites every item and rebuilds the daily
    tables, which leaves the same values (tests/test_rescore_changed.py) at the cost of
    a write per item."""
    done = 0
    scorer = Scorer(lexicon, threshold, distanced_weight, processes or 1)
    with scorer, store.transaction():
        if full:
            store.clear_scores()
        # With workers, the next batch is scored while this one is written (score_ahead).
        texts = store.iter_item_texts()
        for batch, scores in scorer.score_ahead(texts, lambda rows: [(r["text"], r["language"]) for r in rows]):
            scored = [(row["id"], kept_matches(r)) for row, r in zip(batch, scores, strict=True)]
            if full:
                store.replace_scores(scored)
            else:
                store.rescore_items(scored)
            done += len(batch)
            if progress:
                progress(len(batch))
        if full:
            store.rebuild_daily()
        else:
            store.refresh_touched_days()
        store._sync_lexicon(lexicon)
        store.set_meta("scored_with", scoring_identity(lexicon, threshold, distanced_weight))  # every item, now
        store.bump_data_version()
    return done
