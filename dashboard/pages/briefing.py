"""Briefing: the weekly briefing for an ISO week and a set of groups, with downloads.

Thin page: reads the widgets, calls analysis.briefing.compute_briefing (the same
function as `python -m ingest briefing`), renders the Briefing and offers the
Markdown, HTML and CSV exports of that very object.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import streamlit as st

from analysis.briefing import (
    compute_briefing,
    render_csv,
    render_html,
    render_markdown,
    render_text,
    tables,
)
from analysis.briefing import format as fmt
from analysis.briefing.charts import trend_chart
from analysis.briefing.compute import Opening, opening
from analysis.briefing.render_md import md_sentence
from analysis.briefing.weeks import IsoWeek
from dashboard import controls, htmltable, methodology
from dashboard.context import open_page
from store.briefing_reads import BriefingReader


@st.cache_resource
def _reader(path: str) -> BriefingReader:
    return BriefingReader(path)


@st.cache_data(max_entries=32, show_spinner="Computing the briefing…")
def _briefing(path: str, version: str, week: str, groups: tuple[str, ...]):
    return compute_briefing(_reader(path), week, groups)


@st.cache_data(max_entries=8)
def _opening(path: str, version: str, today: date) -> Opening:
    return opening(_reader(path), today)


NUMBER = re.compile(r"(?:[\d\s.,%+\-−—<>()]|pp|of)*")  # "75.0% (+46.4 pp)", "<0.001", "6 of 8": figures, right-aligned


def table(frame, css_class: str) -> None:
    """A briefing table as HTML (the exports' own display strings, escaped): it wraps to the
    page's width, copies into a briefing as it reads, and draws far faster than a data grid
    (five grids were most of this page's render)."""
    if frame.empty:  # as the exports say it: a bare header row reads like a page that failed
        st.write("(none)")
        return
    figures = [c for c in frame.columns[1:] if all(NUMBER.fullmatch(str(v)) for v in frame[c])]
    st.html(htmltable.html_table(frame, {c: c for c in frame.columns}, css_class.replace("_", "-"), right=figures))


ctx = open_page("Weekly briefing")
path = ctx.store_path
reader = _reader(path)

start = _opening(path, ctx.version, datetime.now(UTC).date())
if not start.weeks:
    st.info("The store holds no items yet: run `python -m ingest run`.")
    st.stop()
default = str(start.default)
groups = reader.group_list()
left, right = st.columns([2, 3])  # the year and week boxes need room for "2026" and "2026-W11 · …"
week, chosen = controls.week_and_groups(start.weeks, default, groups, left, right)
if week == default and start.newer is not None:  # the default week leaves recent data out: say so
    st.caption(f"Opened on the last week of the latest well-covered stretch of data; {start.newer.sources} "
               f"source(s) have newer items, up to {start.newer.newest.isoformat()}. Pick a later week to see them.")
b = _briefing(path, ctx.version, week, tuple(chosen))
monday = IsoWeek.parse(b.week).monday
st.caption(f"{b.first_day} to {b.last_day} (UTC) · scope: {fmt.md_escape(b.scope)}"
           + (" · this week is not over yet" if monday > date.today() else ""))

# Each export is rendered when its button is clicked, not on every run (the HTML one draws
# its chart as SVG: a quarter of a second per page view).
d1, d4, d2, d3 = st.columns(4)
d1.download_button("Markdown", lambda: render_markdown(b), f"briefing-{b.week}.md", "text/markdown",
                   key="briefing_md")
d4.download_button("Plain text (email)", lambda: render_text(b), f"briefing-{b.week}.txt", "text/plain",
                   key="briefing_txt")
d2.download_button("HTML", lambda: render_html(b), f"briefing-{b.week}.html", "text/html", key="briefing_html")
d3.download_button("CSV (matching items)", lambda: render_csv(b), f"briefing-{b.week}.csv", "text/csv",
                   key="briefing_csv")

st.header("1. Headline")
for c in b.caveats:
    st.warning(f"**{fmt.md_escape(c.source)}** ({fmt.md_escape(b.group_labels.get(c.group_id, c.group_id))}): "
               f"{fmt.md_escape(c.text)}")
h = b.headline
m1, m2, m3 = st.columns(3)
m1.metric("Items ingested", h.items, None if not h.baseline_weeks else f"{h.items - h.baseline_items:+.1f} vs avg")
m2.metric("Matching items", h.matching,
          None if not h.baseline_weeks else f"{h.matching - h.baseline_matching:+.1f} vs avg")
m3.metric("Share matching", fmt.share(h.share))
st.caption(fmt.md_escape(tables.headline_lines(b)[1]))

st.header("2. Concepts that moved")
if not b.movers:
    st.write("No concept moved significantly against the previous four weeks.")
for title, rows, key in (("Rising", b.rising, "briefing_rising"), ("Falling", b.falling, "briefing_falling")):
    if rows:
        st.subheader(title)
        table(tables.concept_table(rows), key)
if b.first_time:
    st.subheader("Appearing for the first time")
    st.markdown("\n".join(f"- {fmt.md_escape(c.label)}: {c.items} item(s)" for c in b.first_time))
st.caption(fmt.md_escape(b.method[1]))

st.header("3. Comparison by group")
table(tables.group_matrix(b), "briefing_groups_table")
for c in b.crossings:
    st.markdown(f"- **{fmt.md_escape(c.label)}**: first {c.voice} use by {fmt.md_escape(c.group)} "
                f"({c.items} item(s); used before by {fmt.md_escape(', '.join(c.used_before_by))})"
                + (f", e.g. {fmt.md_link(c.example_title, c.example_url)}" if c.example_title else ""))

st.header("4. Top articles")
st.caption(fmt.md_escape(b.top_note))
current = None
for a in b.top_articles:
    if a.concept_id != current:
        current = a.concept_id
        st.subheader(fmt.md_escape(a.label))
    st.markdown(f"{fmt.md_link(a.title, a.url)}  \n{fmt.md_escape(a.source)} ({fmt.md_escape(a.group)}) · "
                f"{fmt.day(a.published_at)} · score {a.score:g}\n\n{md_sentence(a.sentence)}")

st.header("5. Emerging phrases")
table(tables.phrase_table(b), "briefing_phrases")
with st.expander("Example sentences"):
    st.markdown("\n\n".join(f"**{fmt.md_escape(p.phrase)}**\n\n{md_sentence(p.example)}"
                            for p in b.phrases if p.example) or "(none)")

st.header("6. Trend of the moving concepts, last 12 weeks")
if b.trend:
    st.altair_chart(trend_chart(b), key="briefing_trend", width="content", theme=None)
    table(tables.trend_table(b), "briefing_trend_table")
if b.watches:
    st.header("7. Watches")
    table(tables.watch_table(b), "briefing_watches")
with st.expander("Method"):
    st.markdown("\n".join(f"- {fmt.md_escape(m)}" for m in b.method))
methodology.show("briefing")
