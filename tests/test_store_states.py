"""A store that is missing, read-only, damaged or from a newer schema: the CLI and
StoreReader say so clearly (exit 1, one `error:` line, no traceback) and the file's
bytes are left exactly as they were.

Read-only, as root: permission bits do not stop root, so `chmod 0444` is only
tested when the suite runs unprivileged.  As root two real read-only situations
are used instead: an immutable file (`chattr +i`: even root gets EPERM) and a
read-only bind mount in a private mount namespace (`unshare -rm`), which is what
a read-only share or snapshot looks like.  Each is skipped, with the reason, where
the kernel or filesystem does not allow it.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from store import Store, StoreCorrupt, StoreMissing, StoreReadOnly, StoreTooNew
from store.reads import StoreReader
from tests.builders import REPO, seed_sources, write_config
from tests.reliability_fixtures import cli_args, cli_env, file_digest, run_cli

COMMANDS = (("run", "--quiet"), ("stats",), ("feeds", "health"), ("rescore",))


@pytest.fixture(scope="module")
def good_store(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("good")
    config = write_config(directory, seed_sources())
    done = run_cli(config, "run", "--quiet")
    assert done.returncode == 0, done.stderr
    return directory / "monitor.sqlite3"


def _case(tmp_path: Path) -> tuple[Path, Path]:
    config = write_config(tmp_path, seed_sources())
    return config, tmp_path / "monitor.sqlite3"


def _garbage(good: Path, store: Path) -> None:
    store.write_bytes(bytes((i * 7919 + 13) % 256 for i in range(64 * 1024)))


def _truncated_half(good: Path, store: Path) -> None:
    data = good.read_bytes()
    store.write_bytes(data[: len(data) // 2])


def _truncated_header(good: Path, store: Path) -> None:
    store.write_bytes(good.read_bytes()[:200])


def _zeroed_header(good: Path, store: Path) -> None:
    data = bytearray(good.read_bytes())
    data[:100] = bytes(100)
    store.write_bytes(bytes(data))


def _too_new(good: Path, store: Path, journal: str = "wal") -> None:
    shutil.copy(good, store)
    conn = sqlite3.connect(store)
    conn.execute("INSERT INTO migrations (id, name, applied_at) VALUES (999, 'from the future', '2099-01-01')")
    conn.commit()
    conn.execute(f"PRAGMA journal_mode = {journal}")
    conn.close()


def _too_new_rollback_journal(good: Path, store: Path) -> None:
    _too_new(good, store, journal="delete")  # switching it to WAL would already be a change


DAMAGE = {
    "garbage bytes": (_garbage, StoreCorrupt, "is damaged"),
    "truncated to half": (_truncated_half, StoreCorrupt, "is damaged"),
    "truncated inside the first page": (_truncated_header, StoreCorrupt, "is damaged"),
    "zeroed header": (_zeroed_header, StoreCorrupt, "is damaged"),
    "schema 999 (WAL)": (_too_new, StoreTooNew, "has schema version 999, newer than this program"),
    "schema 999 (rollback journal)": (_too_new_rollback_journal, StoreTooNew, "has schema version 999"),
}


@pytest.mark.parametrize("kind", list(DAMAGE))
def test_damaged_or_newer_store_gets_a_clear_message_and_is_not_touched(good_store, tmp_path, kind):
    prepare, error, phrase = DAMAGE[kind]
    config, store = _case(tmp_path)
    prepare(good_store, store)
    digest = file_digest(store)
    for command in COMMANDS:
        done = run_cli(config, *command)
        assert done.returncode == 1, (command, done.stdout, done.stderr)
        assert done.stderr.startswith(f"error: The store {store}") and phrase in done.stderr, (command, done.stderr)
        assert "Traceback" not in done.stderr
        assert file_digest(store) == digest, f"{command} changed the bytes of a {kind} store"
    with pytest.raises(error, match=phrase):
        StoreReader(store)
    with pytest.raises(error, match=phrase):
        Store(store)
    assert file_digest(store) == digest
    assert not Path(str(store) + "-wal").exists() or Path(str(store) + "-wal").stat().st_size == 0


def test_missing_store_is_created_only_by_run(tmp_path):
    config, store = _case(tmp_path)
    for command in (("stats",), ("feeds", "health")):
        done = run_cli(config, *command)
        assert done.returncode == 1 and done.stderr.startswith(f"error: No store at {store}"), done.stderr
        assert "python -m ingest run" in done.stderr and not store.exists()
    with pytest.raises(StoreMissing, match="python -m ingest run"):
        StoreReader(store)
    assert not store.exists()
    done = run_cli(config, "run", "--quiet")
    assert done.returncode == 0 and store.exists(), done.stderr


@pytest.mark.parametrize(
    ("kind", "headline"),
    [
        ("missing", "The store does not exist yet."),
        ("garbage bytes", "The store cannot be opened."),
        ("schema 999 (WAL)", "The store was written by a newer version of the monitor."),
    ],
)
def test_dashboard_explains_an_unusable_store_instead_of_a_traceback(good_store, tmp_path, monkeypatch, kind, headline):
    config, store = _case(tmp_path)
    if kind != "missing":
        DAMAGE[kind][0](good_store, store)
    digest = file_digest(store) if store.exists() else None
    monkeypatch.setenv("MONITOR_CONFIG", str(config))
    for page in (None, "articles", "article", "sources"):
        at = AppTest.from_file(str(REPO / "dashboard" / "app.py"), default_timeout=60)
        at.run()
        if page:
            at.switch_page(f"pages/{page}.py")
            at.run()
        assert not at.exception, [e.value for e in at.exception]
        assert [e.value for e in at.error] == [headline]
    assert (file_digest(store) if store.exists() else None) == digest


# ---- read-only ------------------------------------------------------------------


def test_reader_opens_with_sqlite_read_only_semantics_and_never_writes(good_store, tmp_path):
    store = tmp_path / "monitor.sqlite3"
    shutil.copy(good_store, store)
    digest = file_digest(store)
    with StoreReader(store) as reader:
        assert len(reader.sources()) == 5
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            reader.conn.execute("DELETE FROM items")
    assert file_digest(store) == digest


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores permission bits; see the immutable and mount tests")
def test_chmod_read_only_store(good_store, tmp_path):
    config, store = _case(tmp_path)
    shutil.copy(good_store, store)
    store.chmod(0o444)
    digest = file_digest(store)
    done = run_cli(config, "run", "--quiet")
    assert done.returncode == 1 and "cannot be written" in done.stderr and "Traceback" not in done.stderr
    assert file_digest(store) == digest


@pytest.fixture
def immutable(tmp_path):
    made: list[Path] = []

    def make(path: Path) -> None:
        done = subprocess.run(["chattr", "+i", str(path)], capture_output=True, text=True)
        if done.returncode != 0:
            pytest.skip(f"chattr +i not possible here: {done.stderr.strip()}")
        made.append(path)

    yield make
    for path in made:
        subprocess.run(["chattr", "-i", str(path)], check=False)


def test_immutable_store_file_refuses_writers_clearly_and_still_serves_readers(good_store, tmp_path, immutable):
    config, store = _case(tmp_path)
    shutil.copy(good_store, store)
    digest = file_digest(store)
    immutable(store)
    for command in (("run", "--quiet"), ("rescore",)):
        done = run_cli(config, *command)
        assert done.returncode == 1, (command, done.stderr)
        assert done.stderr.startswith(f"error: The store {store} cannot be written"), done.stderr
        assert "Traceback" not in done.stderr
    with pytest.raises(StoreReadOnly):
        Store(store)
    for command in (("feeds", "health"), ("stats",)):  # read-only commands never need to write
        done = run_cli(config, *command)
        assert done.returncode == 0, done.stderr
    with StoreReader(store) as reader:
        assert len(reader.sources()) == 5
    assert file_digest(store) == digest


def _in_read_only_mount(directory: Path, argv: list[str]) -> subprocess.CompletedProcess:
    script = (
        f'mount --bind "{directory}" "{directory}" && mount -o remount,ro,bind "{directory}" "{directory}" && exec "$@"'
    )
    return subprocess.run(
        ["unshare", "-rm", "sh", "-c", script, "sh", *argv],
        cwd=REPO,
        env=cli_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_store_on_a_read_only_mount(good_store, tmp_path):
    config, store = _case(tmp_path)
    shutil.copy(good_store, store)
    probe = _in_read_only_mount(tmp_path, ["sh", "-c", f'touch "{tmp_path}/x" 2>/dev/null && echo rw || echo ro'])
    if probe.returncode != 0 or probe.stdout.strip() != "ro":
        pytest.skip(f"no private read-only mount here (unshare -rm): {probe.stderr.strip()[:200]}")
    digest = file_digest(store)
    done = _in_read_only_mount(tmp_path, cli_args(config, "run", "--quiet"))
    assert done.returncode == 1, done.stderr
    assert done.stderr.startswith("error: Cannot create the run lock") and "not writable" in done.stderr
    for command in (("stats",), ("feeds", "health")):
        # A WAL store cannot be opened even read-only when SQLite cannot create its -shm file
        # next to it (https://sqlite.org/wal.html#readonly): a clear error, not a traceback.
        done = _in_read_only_mount(tmp_path, cli_args(config, *command))
        assert done.returncode == 1 and done.stderr.startswith(f"error: The store {store}"), done.stderr
        assert "Traceback" not in done.stderr
    assert file_digest(store) == digest


def test_another_programs_database_is_refused_and_left_alone(tmp_path):
    config, store = _case(tmp_path)
    conn = sqlite3.connect(store)
    conn.execute("CREATE TABLE bookmarks (url TEXT)")
    conn.execute("INSERT INTO bookmarks VALUES ('https://example.org')")
    conn.commit()
    conn.close()
    digest = file_digest(store)
    done = run_cli(config, "run", "--quiet")
    assert done.returncode == 1 and "some other program" in done.stderr and "Traceback" not in done.stderr
    assert file_digest(store) == digest
