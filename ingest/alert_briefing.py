"""The weekly briefing mailed by the alert mechanism: one event per ISO week (its key
is the week), so a schedule that runs every hour still mails each week once."""

from __future__ import annotations

from datetime import datetime

from analysis.briefing import RENDERERS, compute_briefing
from store import Store
from store.alert_log import AlertEvent, AlertLog
from store.briefing_reads import BriefingReader

from .config import Config


def briefing_event(config: Config, week: str | None) -> AlertEvent:
    reader = BriefingReader(config.store_target)
    try:
        briefing = compute_briefing(reader, week, None)
    finally:
        reader.close()
    link = f"{str(config.get('alerts', 'dashboard_url')).rstrip('/')}/briefing?week={briefing.week}"
    return AlertEvent(
        f"briefing:{briefing.week}",
        "",
        "briefing",
        f"Weekly briefing {briefing.week}",
        f"The weekly briefing for {briefing.week} ({briefing.scope}).",
        ({"markdown": RENDERERS["md"](briefing), "html": RENDERERS["html"](briefing)},),
        link,
    )


def decide_briefing(config: Config, store: Store, week: str | None, now: datetime) -> AlertEvent | None:
    """The briefing event if it was not decided before (then it is pending delivery)."""
    from .alerting import channels

    event = briefing_event(config, week)
    return event if AlertLog(store.conn).decide(event, channels(config), now) else None
