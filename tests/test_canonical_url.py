"""canonical_url: the key under which the same article is found however the link was
decorated, for links with and without a query and with and without doubled slashes."""

from __future__ import annotations

import pytest

from ingest.items import canonical_url


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("https://www.Example.org/news/1/", "https://example.org/news/1"),
        ("http://m.example.org/news/1#top", "https://example.org/news/1"),
        ("https://example.org", "https://example.org/"),
        ("https://example.org//news///1//", "https://example.org/news/1"),
        ("https://example.org:443/a?utm_source=rss&fbclid=x", "https://example.org/a"),
        ("https://example.org:8080/a?b=2&a=1&utm_medium=feed", "https://example.org:8080/a?a=1&b=2"),
        ("https://example.org/a?", "https://example.org/a"),
        ("https://example.org/a?q=x%20y&empty=", "https://example.org/a?empty=&q=x+y"),
        ("ftp://example.org//a", "ftp://example.org//a"),
        ("  ", None),
        (None, None),
    ],
)
def test_keys(url: str | None, key: str | None) -> None:
    assert canonical_url(url) == key
