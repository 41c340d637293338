"""A filter drawn as a row of links, one per choice, each toggling itself in the page's
URL; pure, no Streamlit.

A multiselect cost the Lexicon page more in the browser than its two tables together (its
widget code loads and draws on every visit) for a choice among a handful of families; links
cost a line of HTML, and the filtered view is a URL that can be shared.  Labels and colours
come from the config: escaped."""

from __future__ import annotations

import html
from collections.abc import Sequence
from urllib.parse import quote

CHIP = "display:inline-block;margin:0 6px 6px 0;padding:2px 10px;border-radius:12px;text-decoration:none;"


def toggle_href(page: str, key: str, chosen: Sequence[str], value: str) -> str:
    """The page's link with `value` added to or removed from the comma-separated `key`."""
    picked = [c for c in chosen if c != value] if value in chosen else [*chosen, value]
    return f"{page}?{key}={quote(','.join(picked), safe=',')}" if picked else page


def chips_html(page: str, key: str, options: Sequence[tuple[str, str, str]], chosen: Sequence[str],
               title: str) -> str:
    """`options`: (id, label, colour); a chosen chip is filled in its colour and ticked."""
    links = []
    for value, label, colour in options:
        on = value in chosen
        colour = html.escape(colour or "#888", quote=True)
        look = f"background:{colour};color:#fff;" if on else f"border:1px solid {colour};color:inherit;"
        links.append(f"<a class='filter-chip' data-value='{html.escape(value, quote=True)}' data-on='{int(on)}' "
                     f"href='{html.escape(toggle_href(page, key, chosen, value), quote=True)}' target='_self' "
                     f"style='{CHIP}{look}'>{'✓ ' if on else ''}{html.escape(label)}</a>")
    reset = (f" <a class='filter-chip-all' href='{html.escape(page, quote=True)}' target='_self' "
             "style='font-size:0.85rem'>show all</a>") if chosen else ""
    hint = "a click shows only that one; more clicks add others" if not chosen else "a click adds or removes one"
    return (f"<div class='filter-chips' style='margin:0.2rem 0 0.6rem 0'><div style='font-size:0.875rem;"
            f"margin-bottom:4px'>{html.escape(title)} <span style='color:rgba(49,51,63,0.6)'>({hint})</span>"
            f"{reset}</div>{''.join(links)}</div>")
