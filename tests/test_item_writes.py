"""Items written a batch at a time (few round trips) are stored exactly as when each is
looked up and inserted on its own: the same ids, duplicates, copy links, matches and
per-concept rows, on a real SQLite file and a real PostgreSQL server."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from ingest.items import make_item, text_hash
from ingest.lexicon import load_lexicon
from ingest.match_cap import kept_matches
from ingest.matcher import Matcher
from ingest.score import score_text
from store import Store
from tests.builders import LEXICON

NOW = datetime(2026, 3, 1, tzinfo=UTC)
TEXTS = [
    "The security dialogue on sovereignty and non-interference continued in Geneva.",
    "外交部发言人表示，中方坚持和平共处五项原则，反对霸权主义。",
    "Путин заявил о многополярном мире и суверенитете на встрече в Москве.",
    "A plain report about the weather with no concept in it at all.",
]


def _batch(rng: random.Random, n: int, first: int) -> list:
    """Items with every way two can collide: the same text in other sources (copies, and
    copies of copies), the same text in the same source (duplicate by content hash), the
    same URL or GUID, and missing URL/GUID keys (which match nothing)."""
    out = []
    for _ in range(first, first + n):
        text = TEXTS[rng.randrange(len(TEXTS))] + (" (variant)" if rng.random() < 0.3 else "")
        url = None if rng.random() < 0.3 else f"https://x.example/{rng.randrange(n)}"
        guid = None if rng.random() < 0.5 else f"g{rng.randrange(n)}"
        item = make_item(
            f"src-{rng.randrange(4)}",
            f"Title {rng.randrange(3)}",
            text,
            NOW,
            url=url,
            guid=guid,
            published=NOW - timedelta(days=rng.randrange(5)),
            language="auto",
            now=NOW,
        )
        out.append(item)
    return out


def _store(url: str, batches: list[list], one_by_one: bool, matcher: Matcher) -> dict:
    with Store(url) as store:
        for sid in ("src-0", "src-1", "src-2", "src-3"):
            with store.transaction():
                store.ensure_source(sid, sid, "official", "feed", "parent", NOW)
        for batch in batches:
            scored = [
                (item, text_hash(item.title, item.text), kept_matches(score_text(item.text, matcher, item.language)))
                for item in batch
            ]
            with store.transaction():
                if one_by_one:
                    for item, thash, score in scored:
                        if store.find_duplicate(item) is None:
                            store.insert_item(item, thash, score, None)
                else:
                    store.insert_items(scored, None)
        conn = store.conn
        return {
            "items": [
                tuple(r)
                for r in conn.execute(
                    "SELECT id, source_id, content_hash, canonical_url, guid, text_hash, copy_of, words, score, "
                    "matching FROM items ORDER BY id"
                ).fetchall()
            ],
            "matches": [
                tuple(r)
                for r in conn.execute(
                    'SELECT item_id, concept_id, start, "end", form, distanced FROM matches ORDER BY 1, 2, 3'
                ).fetchall()
            ],
            "concepts": [
                tuple(r) for r in conn.execute("SELECT item_id, concept_id, hits, own FROM item_concepts ORDER BY 1, 2")
            ],
        }


def test_a_batch_is_stored_as_items_one_by_one(store_url, tmp_path):
    lexicon = load_lexicon(LEXICON)
    matcher = Matcher(lexicon)
    rng = random.Random(14)
    batches = [_batch(rng, 40, 0), _batch(rng, 40, 40), _batch(rng, 25, 80)]
    batched = _store(store_url, batches, one_by_one=False, matcher=matcher)
    reference = _store("sqlite:///" + str(tmp_path / "ref.sqlite3"), batches, True, matcher)
    assert batched == reference
    ids = [r[0] for r in batched["items"]]
    copies = [r for r in batched["items"] if r[6] is not None]
    assert copies and any(r[6] in ids[-60:] for r in copies)  # copies of items of the same batch too
    assert len(ids) < sum(len(b) for b in batches)  # and duplicates were skipped
    assert batched["matches"] and batched["concepts"]
