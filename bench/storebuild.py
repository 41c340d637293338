"""Large stores built quickly through the Store API (no SQL here).

Each distinct text is made into an item and scored once; its replicas go to
different sources (so the (source, content hash) key stays unique) on shifted
days, and are inserted with `Store.insert_item` like the pipeline does (matches,
item_concepts, FTS via the schema's triggers).  The daily tables are rebuilt
once at the end with `Store.rebuild_daily()`.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

from ingest.items import canonical_url, make_item, text_hash
from ingest.lexicon import Lexicon
from ingest.matcher import Matcher
from ingest.score import score_text
from store import Store
from tests.builders import GROUPS

from .common import shifted_day

NOW = datetime(2026, 1, 1, tzinfo=UTC)
FIRST_DAY = date(2021, 1, 1)


def build_store(
    path: Path,
    lexicon: Lexicon,
    texts: list[tuple[str, str]],
    n_items: int,
    n_sources: int = 40,
    span_days: int = 1095,
    titles: tuple[str, ...] = (),
    config: Any = None,
) -> None:
    """`n_items` items over `n_sources` sources and `span_days` days, from `texts`
    ((language, text) pairs) replicated as needed."""
    matcher = Matcher(lexicon)
    groups = [g for g, _, _ in GROUPS if g != "seed"]
    sources = [(f"bench-{s:03d}", groups[s % len(groups)]) for s in range(n_sources)]
    templates = _templates(texts, titles, matcher)
    with Store(path) as store:
        if config is not None:  # groups, families and concepts, as `ingest run` mirrors them
            store.sync_config(config, lexicon, NOW)
        with store.transaction():
            store._sync_lexicon(lexicon)
            for sid, group in sources:
                store.ensure_source(sid, sid, group, "archive", "bench", NOW)
            for k in range(n_items):
                u = k % len(templates)
                item, scored, thash = templates[u]
                replica = k // len(templates)
                sid = sources[(u + replica) % n_sources][0]
                day = shifted_day(FIRST_DAY, k, span_days)
                url = f"https://{sid}.example.org/{k}"
                one = replace(item, source_id=sid, url=url, canonical_url=canonical_url(url), guid=url,
                              published_at=datetime.combine(day, time(12), UTC), date_estimated=False, date_flag=None)
                store.insert_item(one, thash, scored, None)
            store.rebuild_daily()
            store.bump_data_version()


def _templates(texts: list[tuple[str, str]], titles: tuple[str, ...], matcher: Matcher) -> list[tuple]:
    """Each distinct text once: (item, scored, text hash); texts equal after normalising are dropped."""
    out = []
    seen: set[str] = set()
    for u, (lang, text) in enumerate(texts):
        title = titles[u % len(titles)] if titles else ""
        item = make_item("x", title, text, NOW, language=lang, now=NOW)
        if item.content_hash in seen:
            continue
        seen.add(item.content_hash)
        out.append((item, score_text(item.text, matcher, lang), text_hash(item.title, item.text)))
    return out
