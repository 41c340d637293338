"""Where the store lives: `sqlite:///relative/file`, `sqlite:////absolute/file` or
`postgresql://user@host:5432/db`.  Parsed once, so every opener agrees and a bad
URL is refused with a sentence before any driver is involved."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

SCHEMES = ("sqlite", "postgresql", "postgres")


class StoreUrlError(ValueError):
    """A store URL that cannot name a store; the message says what is wrong."""


@dataclass(frozen=True)
class StoreTarget:
    """A parsed store location: an SQLite file, or a PostgreSQL connection string."""

    kind: str  # sqlite | postgresql
    path: Path | None = None
    dsn: str | None = None

    @property
    def is_postgres(self) -> bool:
        return self.kind == "postgresql"

    def display(self) -> str:
        """The location without a password, for messages and logs."""
        if self.path is not None:
            return str(self.path)
        parts = urlsplit(self.dsn or "")
        host = parts.hostname or _socket_dir(self.dsn or "") or "localhost"
        user = f"{unquote(parts.username)}@" if parts.username else ""
        port = f":{parts.port}" if parts.port else ""
        return f"postgresql://{user}{host}{port}{parts.path}"

    def host(self) -> str:
        if self.path is not None:
            return "localhost"
        parts = urlsplit(self.dsn or "")
        return parts.hostname or _socket_dir(self.dsn or "") or "localhost"


def _socket_dir(dsn: str) -> str | None:
    query = urlsplit(dsn).query
    for pair in query.split("&"):
        key, _, value = pair.partition("=")
        if key == "host" and value:
            return unquote(value)
    return None


def parse_store_url(text: str, base: Path | None = None) -> StoreTarget:
    """`sqlite:///` + a path (relative to `base`), or a postgresql:// URL."""
    text = text.strip()
    scheme, sep, rest = text.partition("://")
    if not sep or scheme.lower() not in SCHEMES:
        raise StoreUrlError(
            f"{text!r} is not a store URL: expected sqlite:///path/to/file.sqlite3 or postgresql://user@host:5432/db"
        )
    if scheme.lower() == "sqlite":
        if not rest.startswith("/") or rest == "/":
            raise StoreUrlError(f"{text!r}: an SQLite URL is sqlite:///relative/file or sqlite:////absolute/file")
        raw = Path(unquote(rest[1:]))
        path = raw if raw.is_absolute() or base is None else base / raw
        return StoreTarget("sqlite", path=path)
    try:
        parts = urlsplit(text)
        _ = parts.port  # raises ValueError on a non-numeric or out-of-range port
    except ValueError as exc:
        raise StoreUrlError(f"{_redact(text)}: {exc}") from None
    if not parts.path.strip("/"):
        raise StoreUrlError(f"{_redact(text)}: the URL names no database (postgresql://user@host:5432/DATABASE)")
    return StoreTarget("postgresql", dsn="postgresql://" + text.partition("://")[2])


def as_target(location: str | Path | StoreTarget) -> StoreTarget:
    """What Store/StoreReader accept: a target, a URL, or (as before) a plain file path."""
    if isinstance(location, StoreTarget):
        return location
    if isinstance(location, str) and "://" in location:
        return parse_store_url(location)
    return StoreTarget("sqlite", path=Path(location))


def _redact(text: str) -> str:
    scheme, _, rest = text.partition("://")
    creds, at, host = rest.rpartition("@")
    if at and ":" in creds:
        creds = creds.split(":", 1)[0] + ":***"
    return f"{scheme}://{creds}{at}{host}"
