"""Which identifiers of a feed's entries really identify an item.

A GUID or a link names one item only if no other, different item in the same
feed document carries it: feeds that give every entry the same GUID (or link
every entry to their home page) exist, and trusting such an identifier stored
five distinct articles as one. A shared identifier is dropped for those entries,
so they are told apart by their other identifiers and their content; an entry
whose GUID is its own stays identified by it, so a later, edited version of it
is recognised as the same item.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace

from store.records import Item

IDENTIFIERS = ("guid", "canonical_url")


def distinct_identities(items: list[Item]) -> list[Item]:
    """`items` with every GUID or canonical URL shared by items of different content removed."""
    for name in IDENTIFIERS:
        contents: dict[str, set[str]] = defaultdict(set)
        for item in items:
            value = getattr(item, name)
            if value:
                contents[value].add(item.content_hash)
        shared = {value for value, hashes in contents.items() if len(hashes) > 1}
        if shared:
            items = [_without(item, name) if getattr(item, name) in shared else item for item in items]
    return items


def _without(item: Item, name: str) -> Item:
    return replace(item, guid=None) if name == "guid" else replace(item, canonical_url=None)
