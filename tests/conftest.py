"""Shared pytest set-up: fixtures from tests/feedserver.py (a real HTTP server on
127.0.0.1) are available to every test module."""

pytest_plugins = ["tests.feedserver"]
