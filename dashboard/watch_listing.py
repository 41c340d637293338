"""The Watches page's list of watches and their state this week, as an HTML table; pure, no
Streamlit.  A data grid cost the page more in the browser than everything else on it (and
the list is read, not sorted or edited); each watch's name links to its editor."""

from __future__ import annotations

from urllib.parse import quote

import pandas as pd

from . import htmltable

WATCHES_PAGE = "watches"
COLUMNS = {  # states() column -> heading
    "name": "Name", "label": "Label", "kind": "Kind", "matches": "Matches", "limits": "Limits",
    "alerts": "Alerts", "items this week": "Items this week", "n this week": "n this week",
    "share this week": "Share this week", "n before": "n in the 4 weeks before",
    "baseline share": "Share in the 4 weeks before", "state": "State",
}
NUMBERS = ("items this week", "n this week", "n before")
SHARES = ("share this week", "baseline share")


def edit_href(name: str) -> str:
    """The Watches page with this watch open in the editor (the alert e-mails link the same way)."""
    return f"{WATCHES_PAGE}?watch={quote(str(name), safe='')}"


def states_html(states: pd.DataFrame) -> str:
    cells = {c: htmltable.number(",.0f") for c in NUMBERS} | {c: htmltable.percent(1) for c in SHARES}
    return htmltable.html_table(states, COLUMNS, "watch-states", cells=cells, row_cells={"name": _name_link},
                                right=NUMBERS + SHARES, loose=("matches", "limits", "alerts", "state"),
                                widths={"state": "22%"})


def _name_link(row: dict) -> str:
    return (f"<a class='watch-link' href='{htmltable.text(edit_href(row['name']))}' target='_self'>"
            f"{htmltable.text(row['name'])}</a>")
