"""Articles: full-text search with filters, sortable, paged, CSV export."""

import streamlit as st

from analysis import omissions
from analysis.briefing.format import md_escape
from analysis.evidence import EVIDENCE, headline_flag
from dashboard import controls, listing, methodology, passage, queries, search_help, urlstate, viewstate
from dashboard.context import open_page
from dashboard.highlight import spans_from
from store.article_search import ARTICLE_SORTS, VOICES, ArticleQuery
from store.query_language import QuerySyntaxError, SearchError, parse_query

ctx = open_page("Articles")
params = viewstate.params()
ref = ctx.ref
viewstate.seed("art_q", (params.get("q") or "")[:500])
box, helpbox = st.columns([5, 1], vertical_alignment="bottom")
text = box.text_input("Search title and text", key="art_q", max_chars=500, placeholder=search_help.PLACEHOLDER)
with helpbox.popover("Syntax", icon=":material/help:", width="stretch"):
    st.markdown(search_help.SYNTAX)
c1, c2, c3 = st.columns(3)
with c1:
    period = controls.period(ctx, "art_period", "Published between")
    groups = controls.groups(ctx, "art_groups", include_seed=True)
with c2:
    source_ids = ref.sources_in(groups)["id"].tolist()
    viewstate.seed("art_sources", urlstate.read_list(params, "sources", source_ids) or [])
    sources = st.multiselect("Sources", source_ids, key="art_sources", format_func=ref.source_name,
                             placeholder="All sources of the chosen groups")
    chosen = controls.concepts(ctx, "art_concepts", [])
with c3:
    languages = ["en", "zh-hans", "zh-hant", "ru", "und"]
    viewstate.seed("art_lang", urlstate.read_list(params, "lang", languages) or [])
    lang = st.multiselect("Language", languages, key="art_lang")
    viewstate.seed("art_min", max(0.0, urlstate.read_float(params, "min") or 0.0))
    min_score = st.number_input("Minimum score", min_value=0.0, step=0.5, key="art_min")
v1, v2 = st.columns(2)
with v1:
    voice = controls.one_of("art_voice", "Voice", VOICES, "any", "voice",
                            format_func={"any": "any", "own": "own voice", "distanced": "distanced"}.get)
with v2:
    evidence = controls.one_of("art_evidence", "Evidence", list(EVIDENCE), "all", "evidence",
                               format_func=EVIDENCE.get)
    viewstate.seed("art_unplaced", params.get("unplaced") == "1")
    unplaced = st.checkbox("Also undated and coarsely dated items", key="art_unplaced",
                           help="Items without a date, or dated only to a month or year that overlaps the "
                                "period: no period can hold them, but they stay searchable.")
s1, s2 = st.columns(2)
with s1:
    sort = controls.one_of("art_sort", "Sort by", list(ARTICLE_SORTS), "date", "sort")
with s2:
    order = controls.one_of("art_order", "Order", ["desc", "asc"], "desc", "order",
                            format_func={"desc": "descending", "asc": "ascending"}.get)

state = {"q": text, "from": period.start, "to": period.end, "groups": groups, "sources": sources,
         "concepts": chosen, "lang": lang, "min": min_score or None, "voice": None if voice == "any" else voice,
         "sort": None if sort == "date" else sort, "order": None if order == "desc" else order,
         "unplaced": "1" if unplaced else None, "evidence": None if evidence == "all" else evidence}
try:
    parsed = parse_query(text or "")
except QuerySyntaxError as exc:
    st.warning(md_escape(str(exc)))  # the message quotes the typed query
    st.code(exc.pointer(), language=None)
    controls.write_url(state, share=False)
    st.stop()
query = ArticleQuery(query=parsed, start=period.first, end=period.last, groups=tuple(groups),
                     sources=tuple(sources), concepts=tuple(chosen), languages=tuple(lang),
                     min_score=float(min_score), voice=voice, sort=sort, descending=order == "desc",
                     unplaced=unplaced, headline=headline_flag(evidence))
size = int(ctx.setting("page_size"))
try:
    total = queries.search_total(ctx.store_path, ctx.version, query)
except SearchError as exc:
    st.warning(md_escape(str(exc)))  # the message may quote the typed query
    controls.write_url(state, share=False)
    st.stop()
pages = max(1, -(-total // size))
viewstate.seed("art_page", min(pages, max(1, urlstate.read_int(params, "page") or 1)))
st.session_state["art_page"] = min(st.session_state["art_page"], pages)
rows = queries.search_page(ctx.store_path, ctx.version, query, size, (st.session_state["art_page"] - 1) * size)
state["page"] = st.session_state["art_page"] if st.session_state["art_page"] > 1 else None

st.markdown(f"**{total:,} article(s)**")  # the typed query stays in its box: never rendered as Markdown
outside = omissions.period_left_out_note(queries.search_left_out(ctx.store_path, ctx.version, query))
if outside:
    st.caption(outside)
if rows.empty:
    st.info("No article matches these filters. Widen the period, remove a filter, or try other words.")
else:
    texts, spans = queries.passages(ctx.store_path, ctx.version, tuple(int(i) for i in rows["id"]))
    text_of = dict(zip(texts["id"], texts["text"], strict=True))
    labels = dict(zip(ref.concepts["id"], ref.concepts["label"], strict=True))
    patterns, title_patterns = parsed.highlight_patterns(), parsed.highlight_patterns("title")
    passages = {int(i): passage.passage_html(text_of.get(i) or "", patterns,
                                             spans_from(spans[spans["item_id"] == i]), ref.family_colour, labels)
                for i in rows["id"]}
    titles = {int(r.id): passage.marked_title(r.title or "(untitled)", title_patterns) for r in rows.itertuples()}
    st.html(f"<div style='font-size:0.85rem;margin-bottom:4px'>Marked: {passage.LEGEND}</div>"
            + listing.article_table_html(rows, ref.group_colour, dict(zip(ref.groups["id"], ref.groups["label"],
                                                                          strict=True)),
                                         titles=titles, passages=passages, css_class="article-list",
                                         query=text if not parsed.empty else ""))
    p1, p2 = st.columns([1, 3])
    with p1:
        st.number_input(f"Page (of {pages})", min_value=1, max_value=pages, step=1, key="art_page")
    with p2:
        if total <= queries.EXPORT_LIMIT:  # the CSV is built only when the button is clicked
            st.download_button("Download CSV", lambda: queries.export_csv(ctx.store_path, query),
                               file_name="articles.csv", mime="text/csv", key="art_csv", icon=":material/download:")
        else:
            st.caption(f"CSV export is limited to {queries.EXPORT_LIMIT:,} rows: narrow the filters.")
controls.write_url(state, share=False)
methodology.show("articles")
