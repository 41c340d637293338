"""Shared pytest set-up: fixtures from tests/feedserver.py (a real HTTP server on
127.0.0.1) and tests/pg_fixtures.py (a real PostgreSQL server) are available to every
test module."""

import os
import tempfile

import pytest

# The build cache (ingest/buildcache.py) of a test session is its own, not the user's
# ~/.cache; processes the tests start inherit it.
os.environ.setdefault("DISCOURSE_CACHE_DIR", tempfile.mkdtemp(prefix="discourse-test-cache-"))

pytest_plugins = ["tests.feedserver", "tests.pg_fixtures"]


@pytest.fixture(scope="session")
def shipped_store(tmp_path_factory):
    """The store a fresh clone builds offline from the shipped config.toml (tests/shipped_store.py),
    built once per session for every test that asks for it."""
    from tests.shipped_store import build_shipped_store

    return build_shipped_store(tmp_path_factory.mktemp("shipped"))
