"""Which identifiers of a feed's entries really identify an item, and whether an incoming
item is new, a duplicate, or a newer version of a stored one.

A GUID or a link names one item only if no other, different item in the same
feed document carries it: feeds that give every entry the same GUID (or link
every entry to their home page) exist, and trusting such an identifier stored
five distinct articles as one. A shared identifier is dropped for those entries,
so they are told apart by their other identifiers and their content; an entry
whose GUID is its own stays identified by it, so a later, edited version of it
is recognised as the same item.

Across fetches the same rule holds (`place`): the same content is a duplicate; a shared
GUID or link is the same item only when nothing contradicts it -- the other identifier
agrees, or the title is the same, or (for a link) there is no GUID on both sides to
disagree.  Then the item is updated in place.  Otherwise it is a distinct item, kept, with
the identifier it shares with another item left off (each is unique per source).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from store import Store
from store.records import Item, StoredIdentity

from .identitynorm import identity_text
from .items import canonical_url

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


@dataclass(frozen=True)
class Placement:
    action: str  # new | duplicate | update
    item: Item  # to store: identifiers held by another stored item left off
    target: int | None = None  # the stored item it duplicates or updates


def place(item: Item, stored: list[StoredIdentity]) -> Placement:
    """What to do with `item` given the stored items sharing one of its keys."""
    by = {s.key: s for s in stored}
    if "hash" in by:
        return Placement("duplicate", item, by["hash"].id)
    for candidate in (by.get("guid"), by.get("url")):
        if candidate is not None and same_item(item, candidate):
            return Placement("update", _keeping_identifiers(item, candidate, by), candidate.id)
    if "guid" in by:
        item = replace(item, guid=None)
    if "url" in by:
        item = replace(item, canonical_url=None)
    return Placement("new", item)


def same_item(item: Item, stored: StoredIdentity) -> bool:
    """Whether `stored`, which shares the GUID or the canonical URL of `item`, is the same item."""
    title = _title(item.title)
    if title and title == _title(stored.title):
        return True
    if stored.key == "guid":  # a reused GUID is common: it needs the link to agree
        return item.canonical_url is not None and item.canonical_url == stored.canonical_url
    # A link names the item unless both carry GUIDs and they differ (links to a home page).
    return item.guid is None or stored.guid is None or item.guid == stored.guid


def _keeping_identifiers(item: Item, target: StoredIdentity, by: dict[str, StoredIdentity]) -> Item:
    """The update keeps the target's own GUID/URL where the new one is absent or names another item."""
    guid, url = item.guid, item.canonical_url
    if guid is None or ("guid" in by and by["guid"].id != target.id):
        guid = target.guid
    if url is None or ("url" in by and by["url"].id != target.id):
        url = target.canonical_url
    return replace(item, guid=guid, canonical_url=url)


def _title(title: str) -> str:
    return " ".join(identity_text(title).split()).casefold()


def placements(store: Store, items: list[Item]) -> list[Placement]:
    """`place` for a batch: batched look-ups (one round trip each on PostgreSQL); only an item
    that shares a GUID or link, but not its content, with a stored item is looked at alone."""
    same = store.same_content(items)
    unseen = [item for item, dup in zip(items, same, strict=True) if dup is None]
    shares_a_key = {id(i) for i, dup in zip(unseen, store.find_duplicates(unseen), strict=True) if dup is not None}
    placed = []
    for item, dup in zip(items, same, strict=True):
        if dup is not None:
            placed.append(Placement("duplicate", item, dup))
        else:
            placed.append(place_one(store, item) if id(item) in shares_a_key else Placement("new", item))
    return placed


def place_one(store: Store, item: Item) -> Placement:
    return place(item, store.stored_identities(item.source_id, item.content_hash, item.canonical_url, item.guid))


def is_known(store: Store, source_id: str, entry: Any, now: datetime) -> bool:
    """A stored item is this feed entry (by the rule of `place`): its article page is not fetched again."""
    url = canonical_url(entry.link)
    guid = (entry.guid or "").strip() or None if entry.guid != entry.link else None  # as item_from_entry
    probe = Item(
        source_id=source_id, title=" ".join(entry.title.split()), text="", url=entry.link, canonical_url=url,
        guid=guid, language="und", published_at=None, date_estimated=False, date_flag=None,
        published_raw=None, fetched_at=now, content_hash="",
    )  # fmt: skip
    return any(same_item(probe, s) for s in store.stored_identities(source_id, None, url, guid))
