"""The words of an alert in each form: JSON for webhooks, plain text and HTML for mail.

Titles, passages and source names come from feeds: untrusted.  The HTML escapes
every one of them, and only http(s) URLs become links."""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

from store.alert_log import AlertEvent

RULE_NAMES = {
    "rise": "significant rise",
    "first_in_group": "first appearance in a group",
    "new_item": "new matching item",
    "briefing": "weekly briefing",
}


def event_json(e: AlertEvent) -> dict[str, Any]:
    return {
        "key": e.event_key,
        "watch": e.watch_name,
        "rule": e.rule,
        "title": e.title,
        "reason": e.reason,
        "decided_at": e.decided_at,
        "link": e.link,
        "evidence": list(e.evidence),
    }


def subject(events: Sequence[AlertEvent]) -> str:
    if len(events) == 1:
        text = events[0].title
    else:
        watches = sorted({e.watch_name for e in events})
        text = f"{len(events)} alerts (digest): " + ", ".join(watches)
    # A header never carries a line break from a feed title.
    return " ".join(("Monitor alert: " + text).split())[:200]


def _briefing(events: Sequence[AlertEvent], form: str) -> str | None:
    """A mailed briefing carries its own Markdown and HTML (the briefing renderers escape)."""
    if len(events) == 1 and events[0].rule == "briefing" and events[0].evidence:
        return str(events[0].evidence[0].get(form, ""))
    return None


def plain_text(events: Sequence[AlertEvent]) -> str:
    briefing = _briefing(events, "markdown")
    if briefing is not None:
        return briefing
    lines = [] if len(events) == 1 else [f"{len(events)} alerts in one digest.", ""]
    for e in events:
        lines += [e.title, f"Rule: {RULE_NAMES.get(e.rule, e.rule)} (watch {e.watch_name})", e.reason]
        for ev in e.evidence:
            lines += ["", f"  {ev.get('title', '')} - {ev.get('source', '')}, {_date(ev)}"]
            if ev.get("url"):
                lines.append(f"  {ev['url']}")
            if ev.get("dashboard_link"):
                lines.append(f"  In the dashboard: {ev['dashboard_link']}")
            if ev.get("passage"):
                lines.append(f'  "{ev["passage"]}"')
        lines += ["", f"Open in the dashboard: {e.link}", "", "-" * 40, ""]
    return "\n".join(lines)


def _link(url: object, label: str) -> str:
    text = html.escape(label)
    if isinstance(url, str) and url.lower().startswith(("http://", "https://")):
        return f'<a href="{html.escape(url, quote=True)}">{text}</a>'
    return text


def html_text(events: Sequence[AlertEvent]) -> str:
    briefing = _briefing(events, "html")
    if briefing is not None:
        return briefing
    parts = ['<!DOCTYPE html><html><body style="font-family:sans-serif">']
    if len(events) > 1:
        parts.append(f"<p>{len(events)} alerts in one digest.</p>")
    for e in events:
        parts.append(f"<h2>{html.escape(e.title)}</h2>")
        parts.append(
            f"<p><b>{html.escape(RULE_NAMES.get(e.rule, e.rule))}</b> (watch {html.escape(e.watch_name)})<br>"
            f"{html.escape(e.reason)}</p>"
        )
        for ev in e.evidence:
            when = html.escape(_date(ev))
            parts.append(
                f"<p>{_link(ev.get('url'), str(ev.get('title', '')))} &middot; "
                f"{html.escape(str(ev.get('source', '')))}, {when} &middot; "
                f"{_link(ev.get('dashboard_link'), 'in the dashboard')}</p>"
            )
            if ev.get("passage"):
                parts.append(f"<blockquote>{html.escape(str(ev['passage']))}</blockquote>")
        parts.append(f"<p>{_link(e.link, 'Open in the dashboard')}</p><hr>")
    parts.append("</body></html>")
    return "\n".join(parts)


def _date(evidence: dict) -> str:
    """The evidence's date as precisely as known (events decided before it was recorded: the day)."""
    return str(evidence.get("date") or str(evidence.get("published_at", ""))[:10])
