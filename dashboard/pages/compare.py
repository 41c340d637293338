"""Compare: one concept across groups, several concepts within one group, a concept's
own-voice against its distanced use, or its share in full-text against headline-only sources;
small multiples on a shared scale, the same numbers below."""

import streamlit as st

from analysis import omissions, periods, trends
from analysis.evidence import EVIDENCE
from dashboard import charts, colours, controls, derived, methodology, queries, trend_table
from dashboard.context import open_page

MODES = {
    "across": "One concept across groups",
    "within": "Several concepts within one group",
    "voice": "Own voice vs distanced use",
    "evidence": "Full text vs headlines",
}

ctx = open_page("Compare")
ref = ctx.ref
mode = controls.one_of("cmp_mode", "Compare", list(MODES), "across", "mode", format_func=MODES.get)
c1, c2, c3 = st.columns([2, 2, 1])
with c1:
    period = controls.period(ctx, "cmp_period")
    bucket = controls.granularity("cmp_bucket", period)

def daily(groups: list[str], evidence: str = "all") -> derived.Daily:
    return derived.Daily(ctx.store_path, ctx.version, periods.read_from(period), period.last, tuple(groups), evidence)


with c2:
    if mode == "within":
        group_ids = ref.groups["id"].tolist()
        group = controls.one_of("cmp_group", "Group", group_ids, group_ids[1 if len(group_ids) > 1 else 0],
                                "group", format_func=ref.group_label, horizontal=False)
        groups = [group]
        top = derived.top_concepts(daily(groups), period.start, period.end, 4)
        chosen = controls.concepts(ctx, "cmp_concepts", top, max_selections=8, with_watches=True)
    else:
        groups = controls.groups(ctx, "cmp_groups")
        top = derived.top_concepts(daily(groups), period.start, period.end, 1)
        chosen = controls.concepts(ctx, "cmp_concepts", top, "Concept", max_selections=1, with_watches=True)
with c3:
    normalised = controls.normalised("cmp_norm")
    per_source = controls.one_of("cmp_share", "Share", list(trends.SHARES), "pooled", "share",
                                 format_func=trends.SHARES.get) == "sources"
    evidence = controls.one_of("cmp_evidence", "Evidence", list(EVIDENCE), "all", "evidence",
                               format_func=EVIDENCE.get, horizontal=False)
    originals = controls.without_copies("cmp_nocopies")
state = {"mode": mode, "from": period.start, "to": period.end, "bucket": bucket, "groups": groups,
         "concepts": chosen, "raw": not normalised, "nocopies": originals,
         "share": "sources" if per_source else None, "evidence": None if evidence == "all" else evidence}
if mode == "within":
    state["group"], state["groups"] = groups[0], None
sources = ref.sources_in(groups)
if not chosen or sources.empty:
    st.info("Pick at least one concept and one group.")
    controls.write_url(state)
    st.stop()

measures = ("own_items", "distanced_items") if mode == "voice" else ("items",)
min_items = int(ctx.setting("min_items"))
# The evidence filter is per item, not per source.  Split by evidence: each item's kind stands
# in for the group, one series per kind.
series_of = derived.trend(daily(groups, evidence), period.start, period.end, bucket, tuple(chosen),
                          by_group=mode != "within", measures=measures, originals=originals, min_items=min_items,
                          span=(ctx.status["first_day"], ctx.status["last_day"]), per_source=per_source,
                          split_evidence=mode == "evidence")
frame = series_of.frame
frame["concept"] = frame["concept_id"].map(ref.concept_label)
if "group_id" in frame:
    frame["group"] = frame["group_id"] if mode == "evidence" else frame["group_id"].map(ref.group_label)
frame["voice"] = frame["measure"].map(trends.MEASURES)
# A group without a single item in the period has no line: it leaves the legend (where it would
# read as a series at 0%) and is named under the chart instead.
silent = trends.silent_groups(frame, groups) if mode in ("across", "voice") else []
frame = frame[~frame["group_id"].isin(silent)] if silent else frame
groups_drawn = [g for g in groups if g not in silent]
if mode == "across":
    series, facet, colour = "group", None, {ref.group_label(g): ref.group_colour[g] for g in groups_drawn}
elif mode == "evidence":
    series, facet, colour = "group", None, colours.series_colours(["full text", "headlines"])
elif mode == "within":
    series, facet = "concept", None
    colour = colours.series_colours([ref.concept_label(c) for c in chosen])
else:
    series, facet = "voice", "group"
    colour = colours.series_colours(["own voice", "distanced"])

if frame["denominator"].sum() == 0:
    st.info(f"No items from these groups between {period.first} and {period.last}.")
else:
    if facet:
        chart = charts.small_multiples(frame, series, facet, colour, normalised, bucket)
    else:
        chart = charts.trend_lines(frame, series, colour, normalised, bucket)
    event = st.altair_chart(chart, on_select="rerun", key="cmp_chart", width="stretch")
    st.caption("All panels share one scale. "
               + trend_table.measure_note(normalised, per_source, "items", "the same group's sources")
               + series_of.evidence_note + "A bucket without "
               f"items is a gap, never 0%. Hollow, faded points: thin (n < {min_items}) or partial buckets. "
               "Click a point to list its articles. "
               + (f"No items in the period from: {', '.join(ref.group_label(g) for g in silent)}. " if silent else "")
               + omissions.left_out_note(series_of.left_out,
                                      queries.undated_in(ctx.store_path, ctx.version, sources["id"]), bucket))
    points = charts.selected_points(event)
    if points:
        days = controls.picked_bucket(points[0].get("bucket"), bucket, period)
        label_to_group = {ref.group_label(g): g for g in groups}
        picked_group = label_to_group.get(points[0].get("group") or points[0].get(facet or ""))
        label_to_concept = {ref.concept_label(c): c for c in chosen}
        concept = label_to_concept.get(points[0].get("concept"), chosen[0])
        voice = {"own voice": "own", "distanced": "distanced"}.get(points[0].get("voice"))
        kind = points[0].get("group") if mode == "evidence" else evidence  # the clicked series' kind
        controls.open_articles({"from": days.start, "to": days.end, "groups": [picked_group] if picked_group
                                else groups, "concepts": [concept], "voice": voice,
                                "evidence": kind if kind in ("full text", "headlines") else None})
    labels = [c for c in ("group", "concept", "voice") if c in frame and frame[c].nunique() > 1 or c == series]
    # As on the Overview: drawn once opened (the grid cost the browser as much as the chart).
    with st.expander("The numbers behind the chart", key="cmp_numbers", on_change="rerun") as box:
        if box.open:
            trend_table.show(frame, labels, "cmp_table")
controls.write_url(state)
methodology.show("compare")
