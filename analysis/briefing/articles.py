"""Top articles per moving concept: strongest first, one per source, no syndicated copies."""

from __future__ import annotations

import pandas as pd

from . import format as fmt
from .model import Sentence, TopArticle
from .sentences import sentence_around

PER_CONCEPT = 3


def pick_articles(week_items: pd.DataFrame, concept_id: str, per_concept: int = PER_CONCEPT) -> pd.DataFrame:
    """The strongest originals using the concept: skips copies, repeated texts and repeated sources."""
    rows = week_items[(week_items["concept_id"] == concept_id) & week_items["copy_of"].isna()]
    rows = rows.sort_values(["score", "hits", "published_at", "item_id"], ascending=[False, False, False, True])
    rows = rows.drop_duplicates("text_hash").drop_duplicates("source_id")
    return rows.head(per_concept)


def top_articles(
    picks: list[tuple[str, str, pd.DataFrame]], matches: pd.DataFrame, group_labels: dict[str, str]
) -> list[TopArticle]:
    """`picks`: (concept id, label, chosen rows); `matches`: the stored matches of the chosen items."""
    out = []
    for cid, label, rows in picks:
        for r in rows.itertuples():
            own = matches[(matches["item_id"] == r.item_id) & (matches["concept_id"] == cid)]
            sentence = None
            if len(own):
                m = own.sort_values(["distanced", "start"]).iloc[0]
                sentence = Sentence(
                    *sentence_around(m["body"], int(m["start"]), int(m["end"])), distanced=bool(m["distanced"])
                )
            out.append(
                TopArticle(
                    cid,
                    label,
                    int(r.item_id),
                    fmt.text(r.title).strip() or "(untitled)",
                    fmt.text(r.source),
                    group_labels.get(r.group_id, r.group_id),
                    fmt.text(r.published_at),
                    fmt.optional(r.url),
                    float(r.score),
                    int(r.hits),
                    sentence,
                )
            )
    return out
