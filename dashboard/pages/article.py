"""Article: one item with every match highlighted, hits per concept, keywords in context,
the closest seed document, and syndicated copies."""

import html

import pandas as pd
import streamlit as st

from analysis.briefing.format import md_escape
from dashboard import (
    controls,
    highlight,
    htmltable,
    listing,
    methodology,
    passage,
    queries,
    similarity,
    urlstate,
)
from dashboard.context import open_page
from ingest.match_cap import MAX_STORED_MATCHES
from store.query_language import SearchError, parse_query

KWIC_ROWS = 300
SEARCH_MARKS = 5_000  # searched-word places marked in the text, per pattern (a query matching everywhere)
ctx = open_page("Article")
item_id = urlstate.read_int(st.query_params.to_dict(), "item")
data = None if item_id is None else queries.article(ctx.store_path, ctx.version, item_id)
if data is None:
    raw = st.query_params.get("item")
    if item_id is not None:
        st.warning(f"There is no article with id {item_id} in the store. It may have come from another store, "
                   "or the link was cut short.")
    elif raw:
        st.warning("This link's article id is not a number, so no article can be opened.")
    else:
        st.info("No article is open. Pick one from the Overview's latest articles or from the Articles list "
                "(links carry `?item=<id>`).")
    st.page_link(str(controls.PAGES_DIR / "articles.py"), label="Search articles", icon=":material/search:")
    st.stop()
searched = (st.query_params.get("q") or "")[:500]  # the search that led here (Articles page links carry it)
controls.write_url({"item": item_id, "q": searched})
item, matches, scores, copies = data["item"], data["matches"], data["scores"], data["copies"]
ref = ctx.ref

st.html(f"<h2 class='article-title' style='margin:0 0 0.3rem 0'>{html.escape(item['title'] or '(untitled)')}</h2>")
flag = item.get("date_flag")
precision = item.get("date_precision")
date_text = listing.when(item["published_at"], None, precision)  # the one date format of every page
date_text += " UTC" if precision == "time" else ""
if flag:
    date_text += f" — date {flag}" + (" (estimated from the fetch time)" if item["date_estimated"] else "")
st.html(
    f"<div class='article-meta' style='font-size:0.95rem'>"
    f"<span style='border-left:5px solid {html.escape(item['group_colour'] or '#888', quote=True)};"
    f"padding-left:6px'>{html.escape(item['group_label'] or item['group_id'])}</span> · "
    f"<b>{html.escape(item['source'])}</b> · {html.escape(date_text)} · language {html.escape(item['language'])}"
    f" · score {item['score']:.1f} · {item['words']:,} words</div>"
)
if flag:
    st.warning(f"The date of this article is flagged **{flag}**: it may not be when it was published.")
link = highlight.safe_link(item.get("url"))
if link:
    st.link_button("Open the original", link, icon=":material/open_in_new:")
elif item.get("url"):
    st.text(f"Original location (not a web link): {item['url']}")  # plain text: it came from a feed

text = item["text"]
spans = highlight.spans_from(matches)
try:  # the search that led here, marked in the text as well as listed under it
    patterns = parse_query(searched).highlight_patterns() if searched else []
except SearchError:
    patterns = []
marks = highlight.SearchMarks(passage.query_spans(text, patterns, most=SEARCH_MARKS))
colours = ref.family_colour
labels = dict(zip(ref.concepts["id"], ref.concepts["label"], strict=True))
counted = int(scores["hits"].sum()) if not scores.empty else len(matches)
text_col, side = st.columns([3, 2])
with text_col:
    note = f"**Full text** · {len(matches):,} highlighted match(es)"
    if counted > len(matches):
        note += (f" of {counted:,}: an article keeps its first {MAX_STORED_MATCHES:,} matches for highlighting "
                 f"and quoting; hits and scores count all {counted:,}")
    st.markdown(note)
    if len(text) <= highlight.PAGE_CHARS:
        st.html(highlight.highlight_html(text, spans, colours, labels, searched=marks))
    else:
        view = st.radio(f"This text is long ({len(text):,} characters): show", ["around the matches", "page by page"],
                        horizontal=True, key="art_view")
        if view == "page by page" or not spans:
            pages = highlight.page_ranges(text, spans)
            page = int(st.number_input(f"Page (of {len(pages):,})", 1, len(pages), 1, key="art_text_page"))
            first, last = pages[page - 1]
            st.html(highlight.highlight_html(text, spans, colours, labels, first, last, marks))
            st.caption(f"Characters {first:,}–{last:,} of {len(text):,}.")
        else:
            ranges = highlight.excerpt_ranges(len(text), spans)
            st.html(highlight.excerpts_html(text, spans, colours, labels, ranges, marks))
            st.caption(f"{len(ranges):,} passage(s) around the matches (at most {highlight.MAX_EXCERPTS}); "
                       "page by page shows the rest.")
    st.download_button("Download the full text", text.encode("utf-8"), file_name=f"article-{item_id}.txt",
                       mime="text/plain", key="art_full_text", icon=":material/download:")
    legend = ref.families.apply(
        lambda f: f"<span style='background:{f.colour}33;border-bottom:2px solid {f.colour};padding:0 4px'>"
                  f"{html.escape(f.label)}</span>", axis=1)
    st.html("<div style='font-size:0.85rem'>Colours: " + " ".join(legend) + " · dashed underline = distanced "
            "(quoted / so-called)" + (f" · {passage.LEGEND.split(' · ')[0]}" if marks.places else "") + "</div>")
with side:
    st.markdown("**Hits per concept**")
    if scores.empty:
        st.caption("No lexicon concept occurs in this article.")
    else:
        table = scores.assign(concept=scores["concept_id"].map(ref.concept_label))
        table = table.sort_values(["hits", "concept"], ascending=[False, True], kind="stable")
        # Bars drawn in the table itself: the figures and their bars in one element (a Vega
        # chart beside the same numbers cost more of the page's render than all the rest).
        hits_bar = htmltable.bar("hits", float(table["hits"].max()), lambda r: ref.concept_colour[r["concept_id"]])
        # Own voice and distanced in one column: the side panel is about 300 px wide at 1280 px.
        table = table.assign(voice=[f"{o:,} / {d:,}" for o, d in zip(table["own"], table["distanced"], strict=True)])
        st.html(htmltable.html_table(
            table, {"concept": "Concept", "hits": "Hits", "voice": "Own voice / distanced",
                    "per_1k": "Per 1k words"}, "concept-hits", cells={"per_1k": htmltable.number(".1f")},
            row_cells={"hits": hits_bar}, right=("voice", "per_1k")))
    st.markdown(f"**Closest seed document** (by {similarity.CONCEPT_METHOD})")
    seeds = queries.closest_seeds(ctx.store_path, ctx.version, item_id)
    if seeds.empty:
        st.caption("No seed documents in the store.")
    else:
        best = seeds.iloc[0]
        st.markdown(f"{md_escape(best['title'])} — similarity **{best['similarity']:.2f}**")
        st.html(htmltable.html_table(
            seeds, {"similarity": "Concept profile", "word_similarity": "Word TF-IDF (same language only)",
                    "title": "Seed", "published_raw": "Date"}, "seeds",
            cells={"similarity": htmltable.number(".2f"), "word_similarity": htmltable.number(".2f")},
            right=("similarity", "word_similarity"), nowrap=("published_raw",), loose=("title",)))
        st.caption(f"Ranked by {similarity.CONCEPT_METHOD}; {similarity.WORD_METHOD} is shown beside it.")

if searched:
    found, places = passage.places_html(text, patterns)
    st.markdown(f"**Your search** · {found:,} place(s) in this article")
    if found:
        st.html(f"<div style='font-size:0.85rem'>Marked: {passage.LEGEND.split(' · ')[0]}</div>" + places)

st.markdown("**Keywords in context**")
kwic = highlight.keywords_in_context(text, matches)
if kwic.empty:
    st.caption("No matches.")
else:
    kwic.insert(0, "concept", kwic.pop("concept_id").map(ref.concept_label))
    shown = kwic.head(KWIC_ROWS)  # an HTML table of thousands of rows is what made long articles crawl
    st.html(htmltable.html_table(shown, {"concept": "Concept", "before": "Before", "match": "Match", "after": "After"},
                                 "kwic", cells={"match": lambda v: f"<b>{htmltable.text(v)}</b>"}, right=("before",),
                                 loose=("before", "match", "after")))
    if len(kwic) > KWIC_ROWS:
        st.caption(f"The first {KWIC_ROWS:,} of {len(kwic):,} stored matches; all of them are in the CSV.")
        st.download_button("Download every match in context (CSV)", kwic.to_csv(index=False).encode("utf-8"),
                           file_name=f"article-{item_id}-matches.csv", mime="text/csv", key="art_kwic_csv")

st.markdown("**Syndicated copies**")
if copies.empty:
    st.caption("No copy of this text was found in another source.")
else:
    copies = copies.assign(open=copies["id"].map(listing.article_href), group=copies["group_id"].map(ref.group_label),
                           role=copies["id"].map(lambda i: "original" if i == item.get("copy_of") else "copy"))
    st.html(htmltable.html_table(
        copies, {"published_at": "Date (UTC)", "source": "Source", "group": "Group", "title": "Title", "role": "Role"},
        "copies", nowrap=("published_at",), loose=("title",),
        row_cells={"published_at": lambda r: htmltable.text(listing.when(r["published_at"], None,
                                                                          r["date_precision"])),
                   "title": lambda r: f"<a class='article-link' href='{r['open']}' target='_self'>"
                                      f"{htmltable.text(r['title'] or '(untitled)')}</a>"}))
if isinstance(item.get("copy_of"), (int, float)) and not pd.isna(item["copy_of"]):
    st.caption(f"This item is a syndicated copy of item {int(item['copy_of'])}.")
methodology.show("article")
