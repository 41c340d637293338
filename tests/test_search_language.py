"""The search language: a table of queries with the exact items each finds on a real
store filled by the real ingest (English, Chinese, Russian), positioned errors, and
fuzzing (any typed string parses to a query or gives a worded error, never a traceback)."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from store.article_search import ArticleQuery
from store.query_language import MAX_QUERY_CHARS, QuerySyntaxError, SearchError, parse_query
from store.reads import StoreReader
from tests.builders import SourceSpec, write_config, write_jsonl
from tests.dashboard_fixtures import FIELDS, run_ingest

EN = [
    ("New security concept", "China proposed a new security concept in 1997 at the ASEAN forum."),
    ("Security council", "The security council met; insecurity grew in the region."),
    ("Zero-sum thinking", "Officials warned against zero-sum thinking and the Cold War mentality."),
    ("Concept of new security", "The concept was new, and security was its theme."),
    ("Securities markets", "Securities markets rallied in Hong Kong."),
]
ZH = [
    ("新安全观", "中国倡导新安全观，摒弃冷战思维。"),
    ("冷战思维", "美方应摒弃冷战思维和零和博弈。"),
    ("经济", "经济增长稳定。"),
]
RU = [
    ("Безопасность", "Россия выступает за неделимость безопасности в Европе."),
    ("Холодная война", "Менталитет холодной войны опасен для безопасности."),
    ("Экономика", "Экономика растёт."),
]

# query -> titles of the items it must find, exactly
TABLE = [
    ('"new security concept"', {"New security concept"}),
    ("new security concept", {"New security concept", "Concept of new security"}),
    ("security*", {"New security concept", "Security council", "Concept of new security"}),
    ("secur*", {"New security concept", "Security council", "Concept of new security", "Securities markets"}),
    ("security", {"New security concept", "Security council", "Concept of new security"}),
    ("SECURITY", {"New security concept", "Security council", "Concept of new security"}),
    ("insecurity", {"Security council"}),
    ("security -council", {"New security concept", "Concept of new security"}),
    ("security NOT council", {"New security concept", "Concept of new security"}),
    ("security AND NOT (council OR forum)", {"Concept of new security"}),
    ("council OR zero-sum", {"Security council", "Zero-sum thinking"}),
    ('"zero sum"', {"Zero-sum thinking"}),
    ("(council OR forum) security", {"New security concept", "Security council"}),
    ("NEAR(security theme, 1)", set()),
    ("NEAR(theme security, 2)", {"Concept of new security"}),
    ("NEAR(proposed concept, 3)", {"New security concept"}),
    ("NEAR(proposed concept, 2)", set()),
    ('"concept security"~1', {"New security concept"}),
    ('"concept security"~3', {"New security concept", "Concept of new security"}),
    ("title:council", {"Security council"}),
    ('title:"new security"', {"New security concept", "Concept of new security"}),
    ("title:secur* -title:concept", {"Security council", "Securities markets"}),
    ("cold AND war", {"Zero-sum thinking"}),
    ("Hong Kong", {"Securities markets"}),
    ("冷战思维", {"新安全观", "冷战思维"}),
    ("新安全观", {"新安全观"}),
    ("冷战", {"新安全观", "冷战思维"}),
    ("冷战 -零和", {"新安全观"}),
    ("“冷战思维” OR 经济", {"新安全观", "冷战思维", "经济"}),
    ("NEAR(摒弃 思维, 2)", {"新安全观", "冷战思维"}),
    ("NEAR(摒弃 思维, 1)", set()),
    ("безопасност*", {"Безопасность", "Холодная война"}),
    ("безопасность", {"Безопасность"}),
    ("БЕЗОПАСНОСТИ", {"Безопасность", "Холодная война"}),
    ('"холодной войны"', {"Холодная война"}),
    ("NEAR(менталитет опасен, 2)", {"Холодная война"}),
    ("lang:ru", {"Безопасность", "Холодная война", "Экономика"}),
    ("lang:zh", {"新安全观", "冷战思维", "经济"}),
    ("source:zh-desk", {"新安全观", "冷战思维", "经济"}),
    ("source:Russian*", set()),
    ('source:"ru desk"', {"Безопасность", "Холодная война", "Экономика"}),
    ("group:ru-official экономика", {"Экономика"}),
    (
        "group:western secur*",
        {"New security concept", "Security council", "Concept of new security", "Securities markets"},
    ),
    ("concept:cold_war_mentality", {"Zero-sum thinking", "新安全观", "冷战思维", "Холодная война"}),
    ("concept:cold_war_mentality -lang:zh", {"Zero-sum thinking", "Холодная война"}),
    ("concept:cold*", {"Zero-sum thinking", "新安全观", "冷战思维", "Холодная война"}),
    ("at", {"New security concept"}),
    ("x", set()),
    ("", {t for t, _ in EN + ZH + RU}),
]

ERRORS = [
    ('"new security', 0, "quote"),
    ("security AND", 9, "AND needs a term after"),
    ("OR security", 0, "OR needs a term before"),
    ("(security OR council", 0, "never closed"),
    ("security)", 8, "no opening"),
    ("()", 0, "empty"),
    ("NEAR(security, 5)", 0, "2 to 4 words"),
    ("NEAR(a b, x)", 10, "distance"),
    ("NEAR(a b, 500)", 10, "at most"),
    ("se*cur", 2, "end of a word"),
    ("title:", 6, "value right after the colon"),
    ("concept:", 8, "value right after the colon"),
    ("security -", 9, "needs a term after"),
    ("*", 0, "no letters"),
    ('"single"~3', 0, "two or more words"),
]


@pytest.fixture(scope="module")
def store(tmp_path_factory, module_store_url):
    """Built once per backend: every query of the table must find the same items on SQLite
    (FTS5 trigram index) and on PostgreSQL (pg_trgm indexes)."""
    directory = tmp_path_factory.mktemp("search")
    specs = []
    for sid, group, language, rows in (
        ("en-desk", "western-gov", "en", EN),
        ("zh-desk", "cn-official", "zh-hans", ZH),
        ("ru-desk", "ru-official", "ru", RU),
    ):
        path = write_jsonl(
            directory / f"{sid}.jsonl",
            [
                {"date": f"2026-11-{i + 1:02d}", "title": t, "text": x, "url": f"https://{sid}.example/{i}"}
                for i, (t, x) in enumerate(rows)
            ],
        )
        specs.append(
            SourceSpec(
                sid,
                group,
                "archive",
                {"path": str(path), "fields": FIELDS, "language": language},
                name=sid.replace("-", " ").title(),
            )
        )
    config = write_config(directory, specs, settings={"store": {"url": module_store_url}})
    run_ingest(config)
    with StoreReader(module_store_url) as reader:
        yield reader


def _ids(reader: StoreReader, titles: set[str]) -> set[int]:
    every, _ = reader.search(ArticleQuery(), limit=None)
    by_title = dict(zip(every["title"], every["id"], strict=True))
    return {int(by_title[t]) for t in titles}


@pytest.mark.parametrize(("text", "titles"), TABLE, ids=[q or "(empty)" for q, _ in TABLE])
def test_each_query_finds_exactly_its_items(store, text, titles):
    rows, total = store.search(ArticleQuery(text=text), limit=None)
    assert set(rows["id"]) == _ids(store, titles) and total == len(titles)
    parsed, _ = store.search(ArticleQuery(query=parse_query(text)), limit=None)
    assert parsed["id"].tolist() == rows["id"].tolist()


@pytest.mark.parametrize(("text", "position", "words"), ERRORS)
def test_a_mistake_is_named_and_pointed_at(store, text, position, words):
    with pytest.raises(QuerySyntaxError) as caught:
        parse_query(text)
    assert caught.value.position == position and words in str(caught.value)
    assert str(caught.value).endswith(f"(at character {position + 1})")
    assert caught.value.pointer().splitlines()[1] == " " * position + "^"
    with pytest.raises(SearchError):
        store.search(ArticleQuery(text=text))


def test_a_query_too_long_is_refused_with_its_limit():
    with pytest.raises(QuerySyntaxError, match=str(MAX_QUERY_CHARS)):
        parse_query("x " * MAX_QUERY_CHARS)


def test_highlight_patterns_are_the_positive_terms():
    query = parse_query('secur* -council "cold war" title:GSI NEAR(zero sum, 2)')
    found = [
        m.group(0) for p in query.highlight_patterns() for m in re.finditer(p, "Security council: Cold  War, zero-sum")
    ]
    assert found == ["Security", "Cold  War", "zero", "sum"]
    assert len(query.highlight_patterns("title")) == len(query.highlight_patterns()) + 1


OPERATORS = st.sampled_from(
    [
        "AND",
        "OR",
        "NOT",
        "-",
        "(",
        ")",
        '"',
        "“",
        "”",
        "*",
        ":",
        "~3",
        ",",
        "NEAR(",
        "title:",
        "source:",
        "lang:",
        "concept:",
        "group:",
        " ",
        "冷战",
        "безопасн",
        "security",
        "\x00",
    ]
)
TYPED = st.lists(OPERATORS | st.text(max_size=8), max_size=25).map("".join) | st.text(max_size=200)


@settings(max_examples=400, deadline=None)
@given(TYPED)
@example("NEAR(a b c d e, 3)")
@example("((((((((((((((((((x))))))))))))))))))")
def test_any_string_parses_or_gives_a_positioned_worded_error(text):
    try:
        query = parse_query(text)
    except QuerySyntaxError as exc:
        assert exc.message and 0 <= exc.position <= len(text)
        return
    for pattern in query.highlight_patterns():
        re.compile(pattern)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(TYPED)
def test_any_string_searches_or_gives_a_worded_error(store, text):
    try:
        rows, total = store.search(ArticleQuery(text=text), limit=20)
    except SearchError as exc:
        assert str(exc)
        return
    assert total >= len(rows)
