"""Shared pytest set-up: fixtures from tests/feedserver.py (a real HTTP server on
127.0.0.1) and tests/pg_fixtures.py (a real PostgreSQL server) are available to every
test module."""

import pytest

pytest_plugins = ["tests.feedserver", "tests.pg_fixtures"]


@pytest.fixture(scope="session")
def shipped_store(tmp_path_factory):
    """The store a fresh clone builds offline from the shipped config.toml (tests/shipped_store.py),
    built once per session for every test that asks for it."""
    from tests.shipped_store import build_shipped_store

    return build_shipped_store(tmp_path_factory.mktemp("shipped"))
