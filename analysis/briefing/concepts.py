"""Per-concept change this week against the previous four weeks, and the group comparison."""

from __future__ import annotations

import pandas as pd

from . import format as fmt
from .model import ConceptChange, Crossing, GroupShare
from .significance import is_significant, log_likelihood, p_value

GROUP_TABLE_CONCEPTS = 10


def concept_changes(
    week_counts: pd.Series,
    base_counts: pd.Series,
    n_week: int,
    n_base: int,
    concepts: pd.DataFrame,
    seen_before: set[str],
) -> list[ConceptChange]:
    """One row per concept with items this week or in the baseline, strongest change first."""
    out = []
    meta = concepts.set_index("id")
    for cid in sorted(set(week_counts.index) | set(base_counts.index)):
        a, b = int(week_counts.get(cid, 0)), int(base_counts.get(cid, 0))
        share = a / n_week if n_week else 0.0
        base_share = b / n_base if n_base else None
        g2 = log_likelihood(a, n_week, b, n_base)
        significant = is_significant(a, n_week, b, n_base)
        if base_share is None:
            direction = "new" if a else "flat"
        else:
            direction = "rising" if share > base_share else "falling" if share < base_share else "flat"
        label = str(meta.at[cid, "label"]) if cid in meta.index else cid
        family = str(meta.at[cid, "family"]) if cid in meta.index else ""
        out.append(
            ConceptChange(
                cid,
                label,
                family,
                a,
                share,
                b,
                base_share,
                None if base_share is None else (share - base_share) * 100,
                round(g2, 2),
                p_value(g2),
                significant,
                direction,
                bool(a) and cid not in seen_before,
            )
        )
    out.sort(key=lambda c: (not c.significant, c.direction != "rising", -c.g2, -c.items, c.label))
    return out


def group_table(
    week_cd: pd.DataFrame,
    prev_cd: pd.DataFrame,
    week_groups: pd.Series,
    prev_groups: pd.Series,
    concept_ids: list[str],
    labels: dict[str, str],
    group_labels: dict[str, str],
) -> list[GroupShare]:
    """Concept x group shares this week, with the change since the previous week."""
    week_n = week_cd.groupby(["concept_id", "group_id"])["items"].sum()
    prev_n = prev_cd.groupby(["concept_id", "group_id"])["items"].sum()
    groups = [g for g in group_labels if g in week_groups.index and week_groups[g] > 0]
    out = []
    for cid in concept_ids:
        for gid in groups:
            items, total = int(week_n.get((cid, gid), 0)), int(week_groups[gid])
            share = items / total
            prev_total = int(prev_groups.get(gid, 0))
            prev_share = int(prev_n.get((cid, gid), 0)) / prev_total if prev_total else None
            change = None if prev_share is None else (share - prev_share) * 100
            out.append(
                GroupShare(cid, labels.get(cid, cid), gid, group_labels[gid], items, total, share, prev_share, change)
            )
    return out


def crossings(
    week_cd: pd.DataFrame,
    history: pd.DataFrame,
    week_items: pd.DataFrame,
    labels: dict[str, str],
    group_labels: dict[str, str],
) -> list[Crossing]:
    """First own-voice (or first distanced) use of a concept by a group, when another group used it before.

    Syndicated copies are left out of this week's uses: an outlet reprinting a wire
    story has not taken up the concept in its own voice."""
    originals = week_items[week_items["copy_of"].isna()] if "copy_of" in week_items else week_items
    if week_cd.empty or originals.empty:
        return []
    now = (
        originals.assign(
            items=1,
            own_items=(originals["own"] > 0).astype(int),
            distanced_items=(originals["distanced"] > 0).astype(int),
        )
        .groupby(["concept_id", "group_id"])[["items", "own_items", "distanced_items"]]
        .sum()
    )
    out = []
    for (cid, gid), row in now.iterrows():
        prior = history[history["concept_id"] == cid]
        others = tuple(
            group_labels.get(g, g) for g in prior.loc[(prior["group_id"] != gid) & (prior["own_items"] > 0), "group_id"]
        )
        if not others:
            continue
        mine = prior[prior["group_id"] == gid]
        own_before = int(mine["own_items"].sum()) if len(mine) else 0
        dist_before = int(mine["distanced_items"].sum()) if len(mine) else 0
        for voice, count, had, flag in (
            ("own-voice", int(row["own_items"]), own_before, "own"),
            ("distanced", int(row["distanced_items"]), dist_before + own_before, "distanced"),
        ):
            if count and not had:
                ex = week_items[
                    (week_items["concept_id"] == cid) & (week_items["group_id"] == gid) & (week_items[flag] > 0)
                ].sort_values("score", ascending=False)
                first = ex.iloc[0] if len(ex) else None
                out.append(
                    Crossing(
                        cid,
                        labels.get(cid, cid),
                        gid,
                        group_labels.get(gid, gid),
                        voice,
                        count,
                        others,
                        "" if first is None else fmt.text(first["title"]),
                        "" if first is None else fmt.text(first["source"]),
                        None if first is None else fmt.optional(first["url"]),
                    )
                )
    return out
