"""The SQLite store: the only package of the project that speaks SQL."""

from .db import StoreCorrupt, StoreError, StoreMissing, StoreOutdated, StoreReadOnly, StoreTooNew
from .store import Store, now_utc

__all__ = [
    "Store",
    "StoreCorrupt",
    "StoreError",
    "StoreMissing",
    "StoreOutdated",
    "StoreReadOnly",
    "StoreTooNew",
    "now_utc",
]
