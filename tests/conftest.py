"""Shared pytest set-up: fixtures from tests/feedserver.py (a real HTTP server on
127.0.0.1) and tests/pg_fixtures.py (a real PostgreSQL server) are available to every
test module."""

pytest_plugins = ["tests.feedserver", "tests.pg_fixtures"]
