"""Tables that take seconds to build, kept on disk so that the next process reads them.

Every scoring process needs the character folding table (a pass over all of Unicode)
and the matcher's keys (every Russian form declined by pymorphy3): about two seconds,
paid again by each worker and each command.  Both are plain data, stored with
`marshal` (no code is run to read them back) in a file whose name is a hash of
everything the table is built from: the input data, the source of the modules that
build it, and the versions of Python, Unicode and the packages involved.  A changed
lexicon, rule or package therefore never reads a stale table; it builds and writes a
new one.

The folder is `$DISCOURSE_CACHE_DIR`, else `$XDG_CACHE_HOME/discourse-monitor`, else
`~/.cache/discourse-monitor`.  A folder that cannot be read or written only costs the
build: the cache is an optimisation, never a source of truth.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import sys
import tempfile
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any

_FORMAT = 1  # bump when the layout of a cached table changes


def cache_dir() -> Path:
    explicit = os.environ.get("DISCOURSE_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "discourse-monitor"


def fingerprint(*parts: str | bytes | None) -> str | None:
    """A hash of the inputs, with the interpreter's version in it (marshal's format
    and Unicode's tables both change with Python); None if an input is unknown."""
    h = hashlib.sha256(f"{_FORMAT}\0{sys.version}\0".encode())
    for part in parts:
        if part is None:
            return None
        h.update(part if isinstance(part, bytes) else part.encode("utf-8", "surrogatepass"))
        h.update(b"\0")
    return h.hexdigest()[:32]


def source_of(*modules: str) -> bytes | None:
    """The source text of these modules of this package: a changed rule is a new key.
    None when it cannot be read (an install without sources): then nothing is cached."""
    here = Path(__file__).resolve().parent
    try:
        return b"\0".join((here / f"{name}.py").read_bytes() for name in modules)
    except OSError:
        return None


def package_versions(*names: str) -> str:
    out = []
    for name in names:
        try:
            out.append(f"{name}={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            out.append(f"{name}=absent")
    return ",".join(out)


def cached(kind: str, key: str | None, build: Callable[[], Any]) -> Any:
    """The table `build()` returns, read from the cache when one with this key exists
    (built every time when the key is None: its inputs are not all known)."""
    if key is None:
        return build()
    path = cache_dir() / f"{kind}-{key}.marshal"
    try:
        stored_key, value = marshal.loads(path.read_bytes())
        if stored_key == key:
            return value
    except (OSError, EOFError, ValueError, TypeError):
        pass  # absent, unreadable or truncated: build it
    value = build()
    _write(path, (key, value))
    return value


def _write(path: Path, value: Any) -> None:
    """Written to a temporary file and renamed, so a process starting at the same
    moment reads either nothing or the whole table."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(marshal.dumps(value))
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except (OSError, ValueError):
        pass  # a read-only or full disk: the next process builds the table again
