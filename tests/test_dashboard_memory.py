"""What the dashboard keeps in memory: every cache bounded in bytes, and the Articles CSV
export built only when the download is asked for (a real store filled by the real ingest,
on SQLite and on a real PostgreSQL server: the export and the page are the same code on
either)."""

from __future__ import annotations

import csv
import io

import pytest
from streamlit.runtime.caching.cache_utils import CachedFunc
from streamlit.testing.v1 import AppTest

from dashboard import queries
from store.article_search import ArticleQuery
from store.query_language import parse_query
from store.reads import StoreReader
from tests.builders import REPO
from tests.dashboard_fixtures import build_store

APP = str(REPO / "dashboard" / "app.py")


@pytest.fixture(scope="module")
def fixture_store(tmp_path_factory, module_store_url):
    return build_store(tmp_path_factory.mktemp("dash"), with_seeds=False, store_url=module_store_url)


def test_every_dashboard_cache_is_bounded_in_bytes_and_entries():
    """The caches' declarations, not a store: once, whatever the backend.  The config's
    cache is small (a Config) and bounded by entries alone: a key per file, mtime and
    MONITOR_STORE_URL."""
    cached = {name: f for name, f in vars(queries).items() if isinstance(f, CachedFunc)}
    assert len(cached) >= 10
    unbounded = [name for name, f in cached.items() if name != "_config" and f._info.max_size_bytes is None]
    assert not unbounded
    assert all(f._info.max_size_bytes <= queries.CACHE_BYTES for name, f in cached.items() if name != "_config")
    assert all(f._info.max_entries for f in cached.values())


def test_export_holds_every_hit_of_the_query_with_a_bom(fixture_store, module_store_url):
    query = ArticleQuery(query=parse_query("security"))
    data = queries.export_csv(module_store_url, query)
    assert data.startswith(b"\xef\xbb\xbf")
    exported = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    with StoreReader(module_store_url) as r:
        rows, total = r.search(query, None, 0)
    assert 0 < total == len(exported)
    assert [int(row["id"]) for row in exported] == rows["id"].tolist()
    assert "matching" not in exported[0] and "top_concepts" in exported[0]


def test_articles_page_defers_the_export_until_the_download(fixture_store, monkeypatch):
    monkeypatch.setenv("MONITOR_CONFIG", str(fixture_store.config))
    monkeypatch.delenv("MONITOR_STORE_URL", raising=False)  # the config names the store
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page("pages/articles.py")
    at.query_params.clear()
    at.query_params.update({"q": "security", "from": "2026-10-01", "to": "2026-11-20"})
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    (button,) = at.get("download_button")
    # a deferred download carries no data in the page: the CSV is made on the click
    assert button.proto.HasField("deferred_file_id") or not button.proto.url
