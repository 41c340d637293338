"""The build cache: a matcher or folding table read back from disk is the one a fresh
build gives, a changed lexicon builds anew, and a broken cache only costs the build."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest import buildcache, matcher, textfold
from ingest.lexicon import load_lexicon, parse_lexicon
from ingest.matcher import Matcher

LEXICON = Path(__file__).resolve().parents[1] / "data" / "lexicon.toml"


def _raw(*ru: str) -> dict:
    return {
        "families": [{"id": "f", "label": "F", "colour": "#000000"}],
        "concepts": [
            {"id": "c", "label": "C", "family": "f", "definition": "d", "en": ["zero-sum"], "ru": list(ru)},
        ],
        "context": {"en": ["security"], "ru": ["безопасность"]},
    }


def _items(m: Matcher) -> list:
    return sorted(m.automaton.items())


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("DISCOURSE_CACHE_DIR", str(folder))
    return folder


def test_a_matcher_read_from_the_cache_is_the_one_built_fresh(cache, monkeypatch):
    lex = load_lexicon(LEXICON)
    built = Matcher(lex)
    assert [p.name.split("-")[0] for p in cache.glob("matcher-tables-*.marshal")] == ["matcher"]

    def no_build(_lex):
        raise AssertionError("the cached keys were not read")

    monkeypatch.setattr(matcher, "_build_keys", no_build)
    read = Matcher(lex)
    assert _items(read) == _items(built)
    assert read.han_words == built.han_words
    assert any(info.kind == matcher.KIND_ANCHOR for _, info in read.automaton.items())


def test_context_cues_are_read_from_the_cache_with_the_keys(cache, monkeypatch):
    # The cues' keys (declined, folded) live in the same cached table as the automaton's:
    # a table written before cues existed has another name and key, and is never read.
    lex = load_lexicon(LEXICON)
    built = Matcher(lex)
    assert built.cues, "the shipped lexicon has cues"

    def no_build(_lex):
        raise AssertionError("the cached cue keys were not read")

    monkeypatch.setattr(matcher, "_cue_keys", no_build)
    read = Matcher(lex)
    assert read.cues == built.cues
    assert not list(cache.glob("matcher-keys-*"))


def test_a_changed_lexicon_is_built_anew_even_under_the_same_content_hash(cache):
    # parse_lexicon takes the hash from its caller, so the key must come from the content
    before = Matcher(parse_lexicon(_raw("неделимость безопасности"), "a.toml", "same"))
    after = Matcher(parse_lexicon(_raw("неделимость безопасности", "стратегическая стабильность"), "a.toml", "same"))
    keys_before = {k for k, _ in before.automaton.items()}
    keys_after = {k for k, _ in after.automaton.items()}
    assert "стратегической стабильности" in keys_after - keys_before  # declined, not only as written
    assert len(list(cache.glob("matcher-tables-*.marshal"))) == 2


def test_a_corrupt_cache_file_is_rebuilt(cache):
    lex = parse_lexicon(_raw("неделимость безопасности"), "a.toml", "h")
    fresh = Matcher(lex)
    (path,) = cache.glob("matcher-tables-*.marshal")
    path.write_bytes(b"\x00garbage")
    assert _items(Matcher(lex)) == _items(fresh)
    path.write_bytes(path.read_bytes()[:10])  # the rebuilt file was written whole
    assert _items(Matcher(lex)) == _items(fresh)


def test_an_unusable_cache_folder_only_costs_the_build(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("DISCOURSE_CACHE_DIR", str(blocker / "cache"))
    lex = parse_lexicon(_raw("неделимость безопасности"), "a.toml", "h")
    assert "неделимости безопасности" in {k for k, _ in Matcher(lex).automaton.items()}


def test_the_cached_folding_table_is_the_built_one(cache):
    key = textfold._folding_key()
    built = buildcache.cached("folding", key, textfold._build_folding)
    read = buildcache.cached("folding", key, lambda: pytest.fail("the cached table was not read"))
    assert read[0] == built[0] and list(read[1]) == list(built[1])
    assert read[0]["Ａ"] == "a" and ord("ﬁ") in read[1]


def test_without_the_sources_to_key_it_nothing_is_cached(cache, monkeypatch):
    monkeypatch.setattr(buildcache, "source_of", lambda *modules: None)
    lex = parse_lexicon(_raw("неделимость безопасности"), "a.toml", "h")
    assert "неделимости безопасности" in {k for k, _ in Matcher(lex).automaton.items()}
    assert not cache.exists()
