"""A real PostgreSQL server for the tests: Debian's binaries, started once per test
session in a temporary directory (TCP on 127.0.0.1, a free port, and a unix socket
there), a fresh database per test, stopped at the end.  Never a mock.

`scripts/setup.sh` installs Debian's `postgresql` package when it is missing.  initdb
refuses to run as root, so under root the server runs as the unprivileged `postgres`
user the package creates.
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest


def pg_bindir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class PgServer:
    port: int
    socket_dir: Path
    user: str
    _counter = itertools.count(1)

    def url(self, database: str) -> str:
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/{database}"

    def admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(sql)  # type: ignore[arg-type]

    def create_database(self) -> str:
        name = f"monitor_{os.getpid()}_{next(self._counter)}"
        self.admin(f"CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8' LOCALE 'C.UTF-8'")
        return name

    def drop_database(self, name: str) -> None:
        from store import pg

        pg.close_pools()  # pooled sessions would keep the database busy
        self.admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _as_server_user(cmd: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return cmd
    return ["runuser", "-u", "postgres", "--", *cmd]


@contextmanager
def running_pg_server() -> Iterator[PgServer]:
    """A PostgreSQL server of its own in a temporary directory, stopped and removed on exit
    (the tests' session fixture and the scaling benchmark use it)."""
    root = Path(tempfile.mkdtemp(prefix="monitor-pg-"))
    try:
        with kept_pg_server(root, stop_mode="immediate") as server:
            yield server
    finally:
        shutil.rmtree(root, ignore_errors=True)


@contextmanager
def kept_pg_server(root: Path, shared_buffers: str = "64MB", stop_mode: str = "fast") -> Iterator[PgServer]:
    """A PostgreSQL server whose data directory is `root`/data: created by initdb when it
    is not there yet, kept on exit (stopped cleanly), so its databases outlive one process.
    The scaling benchmark keeps its 1M-item template database this way."""
    bindir = pg_bindir()
    if bindir is None:
        raise RuntimeError("PostgreSQL is not installed: run scripts/setup.sh (it installs Debian's postgresql)")
    data, sock = root / "data", root / "sock"
    user = pwd.getpwuid(os.geteuid()).pw_name
    if os.geteuid() == 0:
        user = "postgres"
    fresh = not (data / "PG_VERSION").exists()
    if fresh:
        shutil.rmtree(data, ignore_errors=True)  # an initdb that did not finish
    for path in (root, data, sock):
        path.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            pw = pwd.getpwnam("postgres")
            os.chown(path, pw.pw_uid, pw.pw_gid)
    if fresh:
        subprocess.run(
            _as_server_user(
                [str(bindir / "initdb"), "-D", str(data), "-U", user, "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"]
            ),
            check=True,
            capture_output=True,
        )
    elif (data / "postmaster.pid").exists():  # a killed run's server may still be up: stop it first
        subprocess.run(
            _as_server_user([str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"]), capture_output=True
        )
    port = _free_port()
    options = (
        f"-c listen_addresses=127.0.0.1 -p {port} -k {sock} -c fsync=off -c synchronous_commit=off "
        f"-c full_page_writes=off -c max_connections=200 -c shared_buffers={shared_buffers}"
    )
    try:
        subprocess.run(
            _as_server_user(
                [str(bindir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(root / "log"), "-w", "start"]
            ),
            check=True,
            capture_output=True,
        )
        server = PgServer(port, sock, user)
        deadline = time.monotonic() + 30
        while True:
            try:
                server.admin("SELECT 1")
                break
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        yield server
    finally:
        from store import pg

        pg.close_pools()
        subprocess.run(
            _as_server_user([str(bindir / "pg_ctl"), "-D", str(data), "-m", stop_mode, "-w", "stop"]),
            capture_output=True,
        )


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    if pg_bindir() is None:
        pytest.fail("PostgreSQL is not installed: run scripts/setup.sh (it installs Debian's postgresql package)")
    with running_pg_server() as server:
        yield server


@pytest.fixture
def pg_url(pg_server: PgServer) -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test."""
    name = pg_server.create_database()
    yield pg_server.url(name)
    pg_server.drop_database(name)


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The store of one test on each backend; every config loaded in the test uses it
    (MONITOR_STORE_URL), so the same test code runs against SQLite and PostgreSQL."""
    if request.param == "sqlite":
        url = "sqlite:///" + str(tmp_path / "store" / "monitor.sqlite3")
    else:
        url = request.getfixturevalue("pg_url")
    monkeypatch.setenv("MONITOR_STORE_URL", url)
    return url


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def module_store_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One store per test module on each backend, for modules whose store a long real ingest
    builds once (the briefing's seven simulated weeks): building it per test on both backends
    would cost minutes.  The tests of the module run once with SQLite, once with PostgreSQL.
    It sets no environment: the module writes the URL into its config (`store.url`)."""
    if request.param == "sqlite":
        yield "sqlite:///" + str(tmp_path_factory.mktemp("store") / "monitor.sqlite3")
        return
    server: PgServer = request.getfixturevalue("pg_server")
    name = server.create_database()
    yield server.url(name)
    server.drop_database(name)
