"""Watches: the analyst's saved questions, their state this week, and a form to create,
edit or delete one (the dashboard's one write, through dashboard/watch_writes.py), drawn
when opened."""

import streamlit as st

from dashboard import watch_listing, watch_queries, watch_writes
from dashboard.context import open_page
from store.watches import KINDS, AlertRules, Watch, WatchError

KIND_LABELS = {"concept": "One concept", "concepts": "A set of concepts (any of them)", "query": "A search query"}
LANGUAGES = ("en", "zh-hans", "zh-hant", "ru", "und")

ctx = open_page("Watches")
ref = ctx.ref
flash = st.session_state.pop("watch_flash", None)
if flash:
    st.success(flash)

states = watch_queries.states(ctx.store_path, ctx.version)
existing = {w.name: w for w in watch_queries.watches(ctx.store_path, ctx.version)}
if states.empty:
    st.info("No watches yet. A watch tracks a concept, a set of concepts or a search query as a series, "
            "and can raise alerts; open \"Create or edit a watch\" below to create one.")
else:
    st.html(watch_listing.states_html(states))
    st.caption("This week = the seven days ending on the newest dated item; its share of all items in the "
               "watch's scope (n: all items in that scope, whether they match or not) is tested against the 28 "
               "days before with the briefing's G² test (docs/methodology.md, \"Watches and alerts\"). A name "
               "opens the watch in the editor below; pick a watch in Overview or Compare to draw it.")

wanted = st.query_params.get("watch")
concept_ids = ref.concepts["id"].tolist()
group_ids, source_ids = ref.groups["id"].tolist(), ref.sources["id"].tolist()


def known(values, options) -> list:
    """Defaults still in the config (a group or source may have been removed since the watch was saved)."""
    return [v for v in values if v in options]


def editor() -> Watch:
    """The create/edit form; returns the watch it shows (an empty one for a new watch)."""
    names = ["(new watch)", *existing]
    pick = st.selectbox("Watch", names, index=names.index(wanted) if wanted in existing else 0, key="watch_pick")
    base = existing.get(pick) or Watch("", "concept")
    form = base.name or "new"  # widget keys per watch, so picking another watch shows its own values
    with st.form("watch_form"):
        name = st.text_input("Name (lower-case letters, digits, - and _)", base.name, key=f"watch_name_{form}",
                             disabled=bool(base.name))
        label = st.text_input("Label", base.label, key=f"watch_label_{form}")
        kind = st.radio("Watches", KINDS, index=KINDS.index(base.kind), key=f"watch_kind_{form}",
                        format_func=KIND_LABELS.get, horizontal=True)
        concepts = st.multiselect("Concepts (for a concept or concept-set watch)", concept_ids,
                                  known(base.concepts, concept_ids), key=f"watch_concepts_{form}",
                                  format_func=ref.concept_label)
        query = st.text_input("Query (for a query watch)", base.query, key=f"watch_query_{form}",
                              placeholder='"global security initiative" AND group:western-media')
        c1, c2, c3 = st.columns(3)
        groups = c1.multiselect("Only these groups", group_ids, known(base.groups, group_ids),
                                key=f"watch_groups_{form}", format_func=ref.group_label)
        sources = c2.multiselect("Only these sources", source_ids, known(base.sources, source_ids),
                                 key=f"watch_sources_{form}", format_func=ref.source_name)
        languages = c3.multiselect("Only these languages", LANGUAGES, list(base.languages),
                                   key=f"watch_languages_{form}")
        st.markdown("**Alerts**")
        r1, r2, r3, r4 = st.columns(4)
        rise = r1.checkbox("Significant rise", base.rules.rise, key=f"watch_rise_{form}")
        min_items = r2.number_input("Minimum items", 1, 1_000_000, base.rules.min_items, key=f"watch_min_items_{form}")
        first_in = r3.multiselect("First own-voice use in", group_ids, known(base.rules.first_in_groups, group_ids),
                                  key=f"watch_first_in_{form}", format_func=ref.group_label)
        new_from = r4.multiselect("Each new item from", source_ids, known(base.rules.new_item_sources, source_ids),
                                  key=f"watch_new_from_{form}", format_func=ref.source_name)
        submitted = st.form_submit_button("Save watch", type="primary")

    if submitted:
        save(Watch(
            name=(base.name or name).strip(), kind=kind, label=label.strip(),
            concepts=tuple(concepts) if kind != "query" else (), query=query if kind == "query" else "",
            groups=tuple(groups), sources=tuple(sources), languages=tuple(languages),
            rules=AlertRules(rise, int(min_items), tuple(first_in), tuple(new_from)),
        ))
    return base


def save(watch: Watch) -> None:
    try:
        matched = watch_writes.save_watch(ctx.store_path, watch)
    except WatchError as exc:
        st.error("The watch was not saved:")
        st.text(str(exc))  # may quote what was typed: never rendered as Markdown
    else:
        st.session_state["watch_flash"] = f"Saved the watch; {matched:,} matching item(s) in the stored history."
        for key in [k for k in st.session_state if str(k).startswith("watch_") and str(k).endswith("_new")]:
            del st.session_state[key]
        st.rerun()


def delete(base: Watch) -> None:
    with st.expander(f"Delete the watch {base.name}"):
        st.caption("Its alerts stay in the alert log.")
        sure = st.checkbox("Yes, delete it", key="watch_delete_sure")
        if st.button("Delete watch", key="watch_delete", disabled=not sure):
            watch_writes.delete_watch(ctx.store_path, base.name)
            st.session_state["watch_flash"] = "Deleted the watch."
            st.session_state.pop("watch_pick", None)
            st.rerun()


# Drawn only once opened (a rerun on the click): the form's dozen widgets cost the page more
# in the browser than everything else on it, and most visits only read the list.  A link to
# one watch (the list's names, the alert e-mails: ?watch=<name>) opens it at once.
with st.expander("Create or edit a watch", expanded=wanted in existing, key="watch_editor",
                 on_change="rerun", icon=":material/edit:") as box:
    shown = editor() if box.open else None
if shown is not None and shown.name:
    delete(shown)
