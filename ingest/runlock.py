"""One ingest at a time per store.

An OS file lock (flock) is released by the kernel when its process dies, so a
killed run can never wedge the monitor; the pid written into the lock file lets
the next run say who holds it, or that a stale lock was found and cleared.
"""

from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path
from typing import TextIO

from store.db import StoreReadOnly


class IngestBusy(RuntimeError):
    """Another ingest holds the store."""


class RunLock:
    def __init__(self, store_path: Path, wait_seconds: float = 0.0):
        # Keyed by the store's real path: the same file reached through a symlink or
        # another relative path must find the same lock, or two runs write at once.
        self.path = Path(os.path.realpath(store_path) + ".lock")
        self.wait_seconds = wait_seconds
        self.stale_pid: int | None = None
        self._fh: TextIO | None = None

    def __enter__(self) -> RunLock:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fh = open(self.path, "a+")
        except OSError as exc:  # a read-only folder or mount: say so instead of a traceback
            raise StoreReadOnly(
                f"Cannot create the run lock {self.path} ({exc.strerror or exc}): the store's folder is not "
                "writable. The dashboard can still read the store; the ingest needs write access."
            ) from None
        deadline = time.monotonic() + self.wait_seconds
        while True:
            try:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = _read_pid(self.path)
                    fh.close()
                    who = f"pid {holder}" if holder else "another process"
                    raise IngestBusy(
                        f"Another ingest ({who}) is running on this store (lock {self.path}). "
                        "Wait for it to finish, or pass --wait SECONDS to queue behind it."
                    ) from None
                time.sleep(0.2)
        previous = _read_pid(self.path)
        if previous and previous != os.getpid() and not _alive(previous):
            self.stale_pid = previous
        fh.seek(0)
        fh.truncate()
        fh.write(f"{os.getpid()}\n")
        fh.flush()
        self._fh = fh
        return self

    def __exit__(self, *exc: object) -> None:
        if self._fh is not None:
            self._fh.seek(0)
            self._fh.truncate()
            self._fh.flush()
            fcntl.flock(self._fh.fileno(), fcntl.LOCK_UN)
            self._fh.close()
            self._fh = None


def _read_pid(path: Path) -> int | None:
    try:
        text = path.read_text(errors="replace").strip()  # whatever a crash or a person left there
    except OSError:
        return None
    return int(text) if text.isascii() and text.isdigit() else None  # "²".isdigit() is True too


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, OverflowError):  # gone, or no pid could be that large
        return False
    except PermissionError:
        return True
    return True
