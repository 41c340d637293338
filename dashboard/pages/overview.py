"""Overview: headline figures, concept trends normalised by volume, latest matching articles."""

import streamlit as st

from analysis import omissions, periods, trends
from analysis.briefing.format import md_escape
from analysis.evidence import EVIDENCE, headline_flag
from dashboard import charts, colours, controls, derived, listing, methodology, queries, trend_table
from dashboard.context import open_page

ctx = open_page("Overview")
left, right = st.columns([1, 2])
with left:
    period = controls.period(ctx, "ov_period")
with right:
    groups = controls.groups(ctx, "ov_groups")
    evidence = controls.one_of("ov_evidence", "Evidence", list(EVIDENCE), "all", "evidence",
                               format_func=EVIDENCE.get)
sources = ctx.ref.sources_in(groups)
# Watches join the concepts as series for the chart (the movers stay concepts); the evidence
# filter is per item, not per source.
view = derived.Daily(ctx.store_path, ctx.version, periods.read_from(period.previous()), period.last, tuple(groups),
                     evidence)
min_items = int(ctx.setting("min_items"))
span = (ctx.status["first_day"], ctx.status["last_day"])
head = derived.headline(view, period.start, period.end, min_items, span)
figures, movers = head.figures, head.movers

cols = st.columns(6)
cols[0].metric("Items ingested", f"{figures['items']:,}")
cols[1].metric("Matching items", f"{figures['matching']:,}")
cols[2].metric("Share matching", "—" if figures["share"] is None else f"{figures['share']:.1%}",
               help=f"Matching items ÷ all {figures['items']:,} items of the chosen groups in the period.")
cols[3].metric("Sources active", f"{figures['sources_active']:,}")
table = movers.table
rises, falls = table[table["change_pp"] > 0], table[table["change_pp"] < 0].iloc[::-1]
for col, label, rows in ((cols[4], "Rose most", rises), (cols[5], "Fell most", falls)):
    if rows.empty:
        why = movers.reason or "no concept changed share against the previous period"
        col.metric(label, "—", help=f"No movers: {why}.")
    else:
        top = rows.iloc[0]
        col.metric(label, f"{top['change_pp']:+.1f} pp",
                   help=f"Share of the panel's items using the concept, {period.first}..{period.last} vs the "
                        f"previous {period.days} days: {top['share_now']:.1%} of {movers.total_now:,} vs "
                        f"{top['share_before']:.1%} of {movers.total_before:,}.")
        col.caption(md_escape(ctx.ref.concept_label(top["concept_id"])))
panel_names = ", ".join(ctx.ref.source_name(s) for s in movers.panel) or "none"
st.caption(md_escape(
    f"Rose / fell most compare like with like: only the {len(movers.panel)} source(s) with items in both "
    f"this period and the previous {period.days} days (the matched panel: {panel_names})."
    + (f" Left out as active in only one period: {', '.join(ctx.ref.source_name(s) for s in movers.left_out)}."
       if movers.left_out else "")
    + (f" No movers: {movers.reason}." if movers.reason else "")))

undated = queries.undated_in(ctx.store_path, ctx.version, sources["id"])
note = omissions.left_out_note(head.left_out, undated, None)
if note:
    st.caption(note)

state = {"from": period.start, "to": period.end, "groups": groups,
         "evidence": None if evidence == "all" else evidence}
if figures["items"] == 0:
    st.info(f"No items from the chosen groups between {period.first} and {period.last}. "
            "Widen the period or the groups, or run `python -m ingest run` to fetch new items.")
    controls.write_url(state)
    st.stop()

st.subheader("Concepts over time")
c1, c2, c3 = st.columns([3, 1, 1])
with c1:
    lineage = [c for c in ctx.setting("default_concepts") if c in set(ctx.ref.concepts["id"])]
    chosen = controls.concepts(ctx, "ov_concepts", lineage or derived.top_concepts(view, period.start, period.end),
                               max_selections=8, with_watches=True)
with c2:
    bucket = controls.granularity("ov_bucket", period)
with c3:
    normalised = controls.normalised("ov_norm")
    per_source = controls.one_of("ov_share", "Share", list(trends.SHARES), "pooled", "share",
                                 format_func=trends.SHARES.get) == "sources"
    originals = controls.without_copies("ov_nocopies")
state |= {"concepts": chosen, "bucket": bucket, "raw": not normalised, "nocopies": originals,
          "share": "sources" if per_source else None}

if chosen:
    series = derived.trend(view, period.start, period.end, bucket, tuple(chosen), originals=originals,
                           min_items=min_items, span=span, per_source=per_source)
    frame = series.frame
    frame["concept"] = frame["concept_id"].map(ctx.ref.concept_label)
    colour = colours.series_colours([ctx.ref.concept_label(c) for c in chosen])
    coverage = derived.coverage_changes(ctx.store_path, ctx.version, tuple(groups), period.start, period.end)
    chart = charts.trend_lines(frame, "concept", colour, normalised, bucket, coverage)
    event = st.altair_chart(chart, on_select="rerun", key="ov_trend", width="stretch")
    st.caption(trend_table.measure_note(normalised, per_source, "items using the concept")
               + series.evidence_note + "A bucket without "
               f"items is a gap. Hollow, faded points: thin (n < {min_items}) or partial buckets. Dashed rules: a "
               "source started or stopped reporting. Click a point to list its articles. "
               + omissions.left_out_note(series.left_out, 0, bucket))
    points = charts.selected_points(event)
    if points:
        days = controls.picked_bucket(points[0].get("bucket"), bucket, period)
        label_to_id = {ctx.ref.concept_label(c): c for c in chosen}
        concept = label_to_id.get(points[0].get("concept"), "")
        controls.open_articles({"from": days.start, "to": days.end, "groups": groups, "concepts": [concept],
                                "evidence": None if evidence == "all" else evidence})
    # Both tables are drawn only once opened (a rerun on the click, from cached data): a data
    # grid costs the browser about as much as the chart, even inside a closed expander.
    with st.expander("The numbers behind the chart", key="ov_numbers", on_change="rerun") as box:
        if box.open:
            trend_table.show(frame, ["concept"], "ov_table")
    if not coverage.empty:
        with st.expander(f"Coverage changes in the period ({len(coverage)})", key="ov_coverage_open",
                         on_change="rerun") as box:
            if box.open:
                st.dataframe(coverage.assign(group=coverage["group_id"].map(ctx.ref.group_label))[
                    ["day", "name", "group", "change"]], hide_index=True, key="ov_coverage",
                    column_config={"day": st.column_config.DateColumn("Day", format="YYYY-MM-DD")})
else:
    st.info("Pick one or more concepts to draw their trend.")

st.subheader("Latest matching articles")
latest = queries.latest(ctx.store_path, ctx.version, period.first, period.last, tuple(sources["id"]),
                        headline=headline_flag(evidence))
if latest.empty:
    st.info("No matching articles in this period.")
else:
    st.html(listing.article_table_html(latest, ctx.ref.group_colour, dict(zip(ctx.ref.groups["id"],
                                                                            ctx.ref.groups["label"]))))
controls.write_url(state)
methodology.show("overview")
