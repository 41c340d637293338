"""Sources: volume and share matching by group and by source, top concepts per source
(source × concept heatmap), and feed health so a silent feed is visible."""


import pandas as pd
import streamlit as st

from analysis import feed_health, omissions, periods, source_tables
from analysis.briefing.format import md_escape
from dashboard import charts, controls, derived, htmltable, listing, methodology, queries
from dashboard.context import open_page

HEATMAP_CONCEPTS = 24  # columns of 18 px: with the source labels and the legend, it fits a 1280 px window

ctx = open_page("Sources")
ref = ctx.ref
c1, c2 = st.columns([1, 2])
with c1:
    period = controls.period(ctx, "src_period")
with c2:
    groups = controls.groups(ctx, "src_groups")
controls.write_url({"from": period.start, "to": period.end, "groups": groups})
sources = ref.sources_in(groups)
tables = derived.sources(derived.Daily(ctx.store_path, ctx.version, periods.read_from(period), period.last,
                                       tuple(groups)), period.start, period.end)
left_out = omissions.left_out_note(tables.left_out, queries.undated_in(ctx.store_path, ctx.version, sources["id"]),
                                   None)
per_source = tables.breakdown
per_source = per_source[per_source["items"] > 0].copy()
per_source["group"] = per_source["group_id"].map(ref.group_label)
per_source["source"] = per_source["name"]
per_source["top concepts"] = per_source["top_concepts"].map(lambda ids: ", ".join(map(ref.concept_label, ids)))

st.subheader("By group")
if left_out:
    st.caption(left_out)  # every count below is of items dated within the period
by_group = per_source.groupby(["group_id", "group"], as_index=False)[["items", "matching", "headlines"]].sum()
by_group["share"] = by_group["matching"] / by_group["items"]
by_group["sources"] = by_group["group_id"].map(per_source.groupby("group_id")["source_id"].nunique())
st.html(htmltable.html_table(
    by_group, {"group": "Group", "sources": "Sources", "items": "Items", "headlines": "Headline-only",
               "matching": "Matching", "share": "Share matching"}, "group-table",
    cells={"share": htmltable.percent(1)}, right=("sources", "items", "headlines", "matching", "share")))

st.subheader("By source")
if per_source.empty:
    st.info(f"No items from these groups between {period.first} and {period.last}.")
else:
    colour = {ref.group_label(g): ref.group_colour[g] for g in groups}
    event = st.altair_chart(charts.volume_bars(per_source, "source", "group", colour), on_select="rerun",
                            key="src_bars", width="stretch")
    st.caption("Click a bar to list that source's articles.")
    picked = [p.get("source_id") for p in charts.selected_points(event) if p.get("source_id")]
    if picked:
        controls.open_articles({"from": period.start, "to": period.end, "groups": groups, "sources": picked})
    st.html(htmltable.html_table(
        per_source, {"source": "Source", "group": "Group", "kind": "Kind", "items": "Items",
                     "headlines": "Headline-only", "matching": "Matching", "share": "Share matching",
                     "top concepts": "Top concepts"}, "source-table",
        cells={"share": htmltable.percent(1)}, right=("items", "headlines", "matching", "share"),
        loose=("top concepts",)))

    st.subheader("Concepts per source")
    matrix = tables.matrix
    matrix = matrix[matrix["source_id"].isin(per_source["source_id"])]
    if matrix.empty:
        st.caption("No concept occurs in these sources in this period.")
    else:
        matrix, order, total = source_tables.widest_concepts(matrix, HEATMAP_CONCEPTS)
        matrix = matrix.assign(source=matrix["source_id"].map(ref.source_name),
                               concept=matrix["concept_id"].map(ref.concept_label))
        st.altair_chart(charts.heatmap(matrix, "concept", "source", "share", "Share of the source's items",
                                       x_order=[ref.concept_label(c) for c in order], x_step=18), width="content")
        if total > len(order):
            st.caption(f"The {len(order)} concepts found in the most items of these sources, of {total} found; "
                       "the Lexicon page lists every concept with its totals.")

st.subheader("Feed health")
health = queries.feed_health(ctx.store_path, ctx.version, feed_health.since_day(ctx.today))
health = health[health["group_id"].isin(groups)].copy()
if health.empty:
    st.caption("No feeds are configured for these groups.")
else:
    health = feed_health.feed_states(health, ctx.today)  # the same words as `python -m ingest feeds health`
    health["group"] = health["group_id"].map(ref.group_label)
    silent = health[health["state"] != "ok"]
    if not silent.empty:
        names = silent["name"].tolist()
        shown = ", ".join(md_escape(n) for n in names[:8])  # names may come from an OPML file
        more = f" and {len(names) - 8} more" if len(names) > 8 else ""
        st.warning(f"{len(silent)} feed(s) need attention: {shown}{more}")
    health["last_error_text"] = health.apply(
        lambda r: " · ".join(x for x in (listing.when(r["last_error_at"]),
                                         "" if pd.isna(r["http_status"]) else f"HTTP {int(r['http_status'])}",
                                         r["last_error"] if isinstance(r["last_error"], str) else "") if x), axis=1)
    st.html(htmltable.html_table(
        health, {"name": "Feed", "group": "Group", "state": "State", "last_success_at": "Last success (UTC)",
                 "reason": "Why", "consecutive_failures": "Failures in a row",
                 "items_recent": f"Items, last {feed_health.RECENT_DAYS} days",
                 "last_error_text": "Last error"}, "feed-health",
        cells={"last_success_at": lambda v: htmltable.text(listing.when(v)) if isinstance(v, str) else ""},
        right=("consecutive_failures", "items_recent"), nowrap=("last_success_at",), loose=("last_error_text",)))
methodology.show("sources")
