"""`python -m ingest store copy --to postgresql://...`: every table copied, resumable after
an interruption, verified by counts, and the copy shows the same figures as the original."""

from __future__ import annotations

import pandas as pd
import pytest

from ingest.cli import main
from ingest.config import load_config
from store import Store
from store.copy import copy_store
from store.url import parse_store_url
from tests.test_store_backends import _config, _figures, ingest


class Interrupted(Exception):
    pass


def test_copy_is_resumable_verified_and_identical(tmp_path, pg_url, monkeypatch, capsys):
    monkeypatch.delenv("MONITOR_STORE_URL", raising=False)
    cfg = _config(tmp_path)
    config = load_config(cfg)
    ingest(cfg, config.store_target)
    # Killed twice between batches: inside `items` (unique keys) and inside `matches` (none).
    for table in ("items", "matches"):
        calls: list[str] = []

        def stop_in(name: str, n: int, table: str = table, calls: list[str] = calls) -> None:
            calls.append(name)
            if calls.count(table) == 2:
                raise Interrupted

        with pytest.raises(Interrupted):
            copy_store(config.store_path, parse_store_url(pg_url), batch=40, progress=stop_in)
    assert main(["--config", str(cfg), "store", "copy", "--to", pg_url, "--batch", "40"]) == 0
    out = capsys.readouterr().out
    assert "counts verified" in out and "MISMATCH" not in out
    assert "items" in out and "matches" in out and "daily_concept" in out

    lite, pg = _figures(str(config.store_path)), _figures(pg_url)
    for name in lite:
        pd.testing.assert_frame_equal(lite[name], pg[name], check_dtype=False, obj=name)

    # A second copy into the finished destination changes nothing.
    assert main(["--config", str(cfg), "store", "copy", "--to", pg_url]) == 0
    # The copy is a working store: a rerun finds every item known, new runs are numbered after the copied ones.
    again = ingest(cfg, pg_url)
    assert again.new == 0 and not again.errors
    with Store(pg_url) as store:
        runs = store.conn.execute("SELECT count(*), max(id) FROM runs").fetchone()
        assert tuple(runs) == (2, 2)


def test_copy_refuses_a_destination_with_other_data(tmp_path, pg_url, monkeypatch, capsys):
    monkeypatch.delenv("MONITOR_STORE_URL", raising=False)
    cfg = _config(tmp_path)
    ingest(cfg, load_config(cfg).store_target)
    ingest(cfg, pg_url)  # the destination already has its own items
    assert main(["--config", str(cfg), "store", "copy", "--to", pg_url]) == 1
    assert "empty database" in capsys.readouterr().err
    assert main(["--config", str(cfg), "store", "copy", "--to", "mysql://x/y"]) == 2
