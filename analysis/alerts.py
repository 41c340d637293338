"""Alert rules: which events of a watch deserve a push, decided from the store alone so
the ingest, the CLI and the dashboard agree.  Each event has a key that names it
once and for all (the store keeps it unique): a rise once per watch and ISO week, a
first appearance once per watch and group, a new item once per watch and item.
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

from store.alert_log import AlertEvent
from store.watch_reads import WatchReads
from store.watches import Watch

from .dates import shown_date
from .watches import WatchState, watch_state

NEW_ITEMS_PER_RUN = 200  # bound on new-item events one evaluation decides per watch


def watch_link(dashboard_url: str, watch: str) -> str:
    """The dashboard view of the watch (its page, with the watch selected)."""
    return f"{dashboard_url.rstrip('/')}/watches?{urlencode({'watch': watch}, quote_via=quote)}"


def decide_events(
    reads: WatchReads, watch: Watch, dashboard_url: str, newest_day: str | None = None
) -> list[AlertEvent]:
    link, base = watch_link(dashboard_url, watch.name), dashboard_url
    events: list[AlertEvent] = []
    if watch.rules.rise:
        state = watch_state(reads, watch, newest_day)
        event = _rise(reads, watch, state, link, base)
        if event is not None:
            events.append(event)
    for group in watch.rules.first_in_groups:
        events += _first_in_group(reads, watch, group, link, base)
    if watch.rules.new_item_sources:
        items = reads.new_items(watch, watch.rules.new_item_sources, NEW_ITEMS_PER_RUN)
        for row in items.itertuples():
            events.append(
                AlertEvent(
                    f"item:{watch.name}:{row.id}",
                    watch.name,
                    "new_item",
                    f"{watch.title}: new item from {row.source}",
                    f"A new item from {row.source} ({row.group_id}) matches the watch.",
                    (_evidence(reads, watch, row, base),),
                    link,
                )
            )
    return events


def _rise(reads: WatchReads, watch: Watch, state: WatchState, link: str, base: str) -> AlertEvent | None:
    if not (state.significant and state.direction == "rising") or state.window is None:
        return None
    year, week, _ = state.window.end.isocalendar()
    evidence = reads.items_between(watch, state.window.first, state.window.last)
    return AlertEvent(
        f"rise:{watch.name}:{year}-W{week:02d}",
        watch.name,
        "rise",
        f"{watch.title}: significant rise",
        "Significant rise against its own baseline: " + state.sentence() + ".",
        tuple(_evidence(reads, watch, row, base) for row in evidence.itertuples()),
        link,
    )


def _first_in_group(reads: WatchReads, watch: Watch, group: str, link: str, base: str) -> list[AlertEvent]:
    first = reads.first_own_in_group(watch, group)
    if first.empty:
        return []
    row = next(first.itertuples())
    return [
        AlertEvent(
            f"first:{watch.name}:{group}",
            watch.name,
            "first_in_group",
            f"{watch.title}: first own-voice use in {group}",
            f"First own-voice (not distanced, not syndicated) item of the watch from the group {group}: "
            f"{row.source}, {shown_date(row.published_at, row.date_precision, with_time=False)}.",
            (_evidence(reads, watch, row, base),),
            link,
        )
    ]


def article_link(dashboard_url: str, item_id: int) -> str:
    return f"{dashboard_url.rstrip('/')}/article?item={int(item_id)}"


def _evidence(reads: WatchReads, watch: Watch, row, dashboard_url: str) -> dict[str, object]:
    return {
        "dashboard_link": article_link(dashboard_url, int(row.id)),
        "item_id": int(row.id),
        "title": str(row.title),
        "source": str(row.source),
        "group": str(row.group_id),
        "published_at": str(row.published_at),
        # the date as precisely as it is known: a year-dated speech is "2024 (year only)", not 1 January
        "date": shown_date(row.published_at, row.date_precision, with_time=False),
        "url": None if row.url is None else str(row.url),
        "passage": reads.passage(watch, int(row.id)),
    }
