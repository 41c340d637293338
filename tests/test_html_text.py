"""HTML to plain text: the one-pass reading of plain-tag fragments gives exactly what
html.parser gives, on real feed fields and on generated fragments full of the cases where
the two could part (scripts, comments, stray `<`, entities cut short, odd attributes)."""

from __future__ import annotations

import random

import feedparser
import pytest

from ingest.feedparse import _plain_tags_text, _TextParser, html_to_text, plain
from tests.builders import REPO

CORPUS = REPO.parent / "shared" / "corpus"

PIECES = [
    "<p>", "</p>", "<P CLASS='x'>", "<br>", "<br/>", "<br />", "</br>", '<a href="http://x/?a=1&b=2">', "<a href=x/>",
    "</a>", "<b>", "</b >", "</b x>", "<img alt='A&amp;B'>", "<script>x<p>y</script>", "<style>p{}</style>",
    "<!-- c <p> -->", "<!DOCTYPE x>", "<?pi?>", "<![CDATA[z]]>", "&amp;", "&amp", "&nbsp;", "&#169;", "&#x41;",
    "&bogus;", "& ", "<", ">", "< p>", "<3", "<p", "text ", "Россия ", "中国", "\n", "\r\n", "  ", "\t",
    "<div\xa0class='q'>", '<span title="a>b">', "<span title='a\"b'>", "</span>", "<noscript>n</noscript>",
    "<title>t</title>", "<template>tp</template>", "<textarea>ta</textarea>", "<h1 id=a class=b>", "</h1>", "<li>",
    "<p/>", "<p a>", "<p a=>", "<p a='1'b='2'>", "<p =x>", "<font color=red>", "<td>", "&lt;p&gt;", "<wbr>",
    "<a\nhref='y'\n>", "<x-y>", "<p:q>", "</p\n>", "&#0;", "&#xD800;",
]  # fmt: skip


def _parsed(html: str) -> str:
    """What html.parser alone makes of `html` (html_to_text before the one-pass reading)."""
    parser = _TextParser()
    parser.feed(html)
    parser.close()
    return parser.text()


def test_generated_fragments_read_as_the_parser_reads_them() -> None:
    rng = random.Random(11)
    fast = 0
    for _ in range(20_000):
        html = "".join(rng.choice(PIECES) for _ in range(rng.randint(1, 14)))
        fast += _plain_tags_text(html) is not None
        assert html_to_text(html) == _parsed(html), html
    assert 1_000 < fast < 19_000  # both ways are exercised


def test_real_feed_fields_read_as_the_parser_reads_them() -> None:
    feeds = sorted(CORPUS.rglob("*.xml"))
    if not feeds:
        pytest.skip("../shared/corpus not present")
    fields = []
    for path in feeds:
        for entry in feedparser.parse(path.read_bytes()).entries:
            values = [entry.get("summary"), entry.get("title")] + [c.get("value") for c in entry.get("content", [])]
            fields += [v for v in values if v and "<" in v]
    fast = sum(_plain_tags_text(html) is not None for html in fields)
    assert fast > 100 and fast < len(fields)
    for html in fields:
        assert html_to_text(html) == _parsed(html)


@pytest.mark.parametrize(
    ("html", "text"),
    [
        (
            '<p class="lead">Talks &amp; trade</p><p>Second <a href="/x?a=1&amp;b=2">part</a></p>',
            "Talks & trade\nSecond part",
        ),
        ("<p>Kept</p><script>dropped()</script>", "Kept"),
        ("a < b<br/>c", "a < b\nc"),
    ],
)
def test_examples(html: str, text: str) -> None:
    assert html_to_text(html) == text


def test_plain_one_line_shortcut_is_the_line_rule() -> None:
    """A text without a newline is one line; with the odd separators str.split knows
    (\\r, \\x85, \\u2028, ...) it still is, as it was for the line-by-line rule."""

    def by_lines(text: str) -> str:
        lines = (" ".join(line.split()) for line in text.replace("\r\n", "\n").split("\n"))
        return "\n".join(line for line in lines if line)

    rng = random.Random(3)
    alphabet = ["a", "b", " ", "\n", "\r", "\r\n", "\t", "\x0b", "\x0c", "\x1c", "\x85", "\u2028", "\u00a0", "中"]
    for _ in range(50_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
        assert plain(text) == by_lines(text), repr(text)
