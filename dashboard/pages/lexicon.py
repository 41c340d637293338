"""Lexicon: every concept with family, definition, forms, total hits and a sparkline, and
how the official vocabulary evolved across the seed documents."""

import json

import pandas as pd
import streamlit as st

from analysis import sparklines
from dashboard import controls, htmltable, listing, methodology, queries
from dashboard.context import open_page

ctx = open_page("Lexicon")
ref = ctx.ref
totals, monthly, off_the_months = queries.lexicon_usage(ctx.store_path, ctx.version)
spark = sparklines.monthly_sparklines(monthly)
months = list(spark.columns)


def forms(raw: str) -> str:
    """Every form as written in the lexicon (Russian in the nominative; each case is generated),
    then the cues that let a generic form count (README, "The lexicon")."""
    try:
        data = json.loads(raw)
    except ValueError:
        return ""
    written = " · ".join(f for key in ("en", "zh", "ru", "en_context", "zh_context", "ru_context")
                         for f in data.get(key, []))
    cues = [c for key in ("en_cues", "zh_cues", "ru_cues") for c in data.get(key, [])]
    return written + (f" — cues: {', '.join(cues)}" if cues else "")


table = ref.concepts.merge(totals, left_on="id", right_on="concept_id", how="left")
table["family"] = table["family_id"].map(dict(zip(ref.families["id"], ref.families["label"], strict=True)))
table["forms"] = table["forms"].map(forms)
table[["hits", "items"]] = table[["hits", "items"]].fillna(0).astype("int64")
table["trend"] = table["id"].map(lambda c: spark.loc[c].tolist() if c in spark.index else [0] * len(months))
# The family filter lives in the URL (?families=a,b) and is drawn as pills: a click reruns the
# page in the same session (a link reloaded it and lost every other page's view), and pills
# cost the browser no more than the links did (a multiselect cost more than both tables).
family_filter = controls.pills("lex_families", "Families", ref.families["id"].tolist(), "families",
                               dict(zip(ref.families["id"], ref.families["label"], strict=True)),
                               help="Show only the concepts of the picked families; none picked shows all.")
controls.write_url({"families": family_filter}, share=False)
if family_filter:
    table = table[table["family_id"].isin(family_filter)]
spark_title = f"Hits over time ({months[0]} … {months[-1]})" if months else "Hits over time"
st.html(htmltable.html_table(
    table, {"label": "Concept", "family": "Family", "definition": "Definition", "forms": "Forms", "hits": "Total hits",
            "items": "Items", "trend": spark_title}, "lexicon-table",
    cells={"hits": htmltable.number(",d"), "items": htmltable.number(",d"), "trend": htmltable.sparkline},
    right=("hits", "items"), loose=("definition", "forms"), nowrap=("trend",),
    widths={"definition": "32%", "forms": "24%"}))
st.caption("Totals and sparklines count hits in dated items, one bar per month with none skipped. "
           + sparklines.sparkline_note(off_the_months, ctx.status["last_day"]))
st.subheader("The official vocabulary across the seed documents")
seeds, seed_hits = queries.seed_matrix(ctx.store_path, ctx.version)
if seeds.empty:
    st.info("No seed documents in the store: add the [[sources]] of kind \"seed\" and run `python -m ingest run`.")
else:
    seeds = seeds.assign(dated=seeds["date_precision"] != "undated")
    seeds = pd.concat([seeds[seeds["dated"]].sort_values("published_at"), seeds[~seeds["dated"]]])
    seeds["seed"] = seeds.apply(  # a seed dated 2023-03 is labelled 2023-03, never 2023-03-01
        lambda s: f"{listing.when(s['published_at'], None, s['date_precision'])} · {str(s['title'])[:48]}", axis=1)
    cells = seed_hits.merge(seeds[["id", "seed"]], left_on="item_id", right_on="id")
    cells = cells.assign(concept=cells["concept_id"].map(ref.concept_label))
    order = [ref.concept_label(c) for c in ref.concepts["id"] if c in set(cells["concept_id"])]
    # One column per seed (keyed by its id: two seeds may share a label), one row per concept.
    matrix = cells.pivot_table(index="concept", columns="item_id", values="per_1k", aggfunc="sum")
    matrix = matrix.reindex(index=order, columns=seeds["id"].tolist()).reset_index()
    matrix.columns = ["concept", *[f"seed-{i}" for i in seeds["id"]]]
    headings = {f"seed-{i}": label for i, label in zip(seeds["id"], seeds["seed"], strict=True)}
    top = float(cells["per_1k"].max()) if len(cells) else 0.0
    st.html(htmltable.html_table(matrix, {"concept": "Concept", **headings}, "seed-heat",
                                 cells={c: htmltable.heat(top, ".1f") for c in headings}, right=tuple(headings),
                                 widths={"concept": "28%", **{c: f"{72 / len(headings):.1f}%" for c in headings}}))
    st.caption("Seeds ordered by date (undated last); each cell = the concept's hits per 1,000 words of that "
               "seed, darker = more; blank = no hit.")
methodology.show("lexicon")
