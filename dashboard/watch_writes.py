"""The dashboard's only writes: saving and deleting watches, and marking alerts seen.

The dashboard otherwise never writes (it opens the store read-only).  Issue 15 asks
for watches to be edited from the dashboard, so these few functions open the store
for writing, go through the store's own watch API (the same validation and
evaluation as the CLI), and close it again at once.
"""

from __future__ import annotations

from store import Store, now_utc
from store.alert_log import AlertLog
from store.watches import Watch, WatchBook


def save_watch(store_path: str, watch: Watch) -> int:
    """Save (validated; raises WatchError) and count its history; returns items matched."""
    with Store(store_path) as store:
        book = WatchBook(store.conn)
        saved = book.save(watch, now_utc())
        book.evaluate(saved.name)
        return book.count(saved.name)


def delete_watch(store_path: str, name: str) -> bool:
    with Store(store_path) as store:
        return WatchBook(store.conn).delete(name)


def mark_alerts_seen(store_path: str) -> None:
    with Store(store_path) as store:
        AlertLog(store.conn).mark_seen()
        store.bump_data_version()
