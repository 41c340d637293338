"""Alerts: what fired, when, why, whether it was delivered, and the evidence.

Titles, passages and errors come from feeds and receivers: shown as text only."""

import json

import pandas as pd
import streamlit as st

from dashboard import watch_queries, watch_writes
from dashboard.context import open_page

RULES = {"rise": "significant rise", "first_in_group": "first appearance in a group",
         "new_item": "new matching item", "briefing": "weekly briefing"}
SHOWN = 30  # events with their evidence opened below the table

ctx = open_page("Alerts")
events, deliveries = watch_queries.alert_log(ctx.store_path, ctx.version)
if events.empty:
    st.info("No alert has fired yet. Alerts are decided after each ingest run for the rules of each watch "
            "(see the Watches page); `python -m ingest alerts run` decides and delivers them at once.")
    st.stop()


def delivery(group: pd.DataFrame) -> str:
    states = [f"{r.channel}: {r.state}" + (f" ({r.last_error})" if r.last_error else "")
              for r in group.itertuples() if isinstance(r.channel, str)]
    return "; ".join(states) or "log only (no channel configured)"


per_event = events.groupby("event_key", sort=False)
table = per_event.first()[["decided_at", "watch_name", "rule", "title", "reason", "seen"]].assign(
    delivered=per_event.apply(delivery, include_groups=False),
    evidence=per_event.first()["evidence"].map(lambda raw: len(json.loads(raw))),
).reset_index().sort_values("decided_at", ascending=False)
table["rule"] = table["rule"].map(lambda r: RULES.get(r, r))
table["seen"] = table["seen"].astype(bool)
unseen = int((~table["seen"]).sum())
left, right = st.columns([3, 1])
left.metric("Alerts in the log", f"{len(table):,}", help="Newest first; at most 500 are shown.")
if right.button(f"Mark {unseen} as seen", key="alerts_seen", disabled=unseen == 0):
    watch_writes.mark_alerts_seen(ctx.store_path)
    st.rerun()
st.dataframe(table.drop(columns=["event_key"]), key="alerts_table", hide_index=True, width="stretch",
             column_config={"decided_at": st.column_config.TextColumn("Decided (UTC)"),
                            "watch_name": "Watch", "reason": st.column_config.TextColumn(width="large"),
                            "delivered": st.column_config.TextColumn(width="medium")})

st.subheader("Evidence")
for row in table.head(SHOWN).itertuples():
    # The label renders Markdown: only the time, the rule and the (validated) watch name go in it.
    with st.expander(f"{row.decided_at[:16]} · {row.rule} · watch {row.watch_name or '(briefing)'}"):
        st.text(row.title)
        st.text(row.reason)
        st.text(f"Delivery: {row.delivered}")
        raw = events.loc[events["event_key"] == row.event_key, "evidence"].iloc[0]
        for ev in json.loads(raw):
            if "passage" not in ev:
                continue
            when = ev.get("date") or str(ev.get("published_at", ""))[:10]  # "date": as precisely as known
            st.text(f"{ev.get('title', '')}\n{ev.get('source', '')} · {when}")
            st.text(f"“{ev['passage']}”")
            if ev.get("item_id"):
                st.page_link("pages/article.py", label="Open the article",
                             query_params={"item": str(ev["item_id"])})

with st.expander("Delivery log (each attempt)"):
    st.dataframe(deliveries, key="alerts_deliveries", hide_index=True, width="stretch")
