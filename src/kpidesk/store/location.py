"""Where a workspace lives: a file, or a database on a PostgreSQL server named by a URL.

``postgresql://user@host:port/dbname?sslmode=verify-full`` (``postgres://`` too) names a
server workspace; anything else is a path. The URL is handed to libpq as it is, so every
connection parameter libpq knows works (``sslmode``, ``sslrootcert``, ``service``,
``connect_timeout``, a socket folder as ``host=``…), and so do ``PGPASSWORD``,
``~/.pgpass``, ``PGSERVICE`` and the other ``PG*`` variables. A password written into the
URL is taken out of it at once: a :class:`ServerAddress` shows, logs and compares without it.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit

from kpidesk.domain.errors import DomainError
from kpidesk.i18n import N_

SCHEMES = ("postgresql", "postgres")


class ServerUrlError(DomainError):
    """A ``postgresql://`` URL that cannot name a database."""

    exit_code = 2

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(N_("{url} is not a server address: {reason}"), url=url, reason=reason)


@dataclass(frozen=True)
class ServerAddress:
    """A database on a PostgreSQL server. ``url`` never holds the password."""

    url: str
    user: str
    host: str
    port: int | None
    dbname: str
    password: str | None = field(default=None, repr=False, compare=False)

    def __str__(self) -> str:
        return self.url

    @property
    def name(self) -> str:
        """The database's name: what a file's name is to a file."""
        return self.dbname

    @property
    def server(self) -> str:
        """``host:port`` (or the socket folder), as the title bar names the server."""
        host = self.host or "localhost"
        return f"{host}:{self.port}" if self.port else host

    @property
    def identity(self) -> str:
        """``user@host:port/dbname``: the key of its backups and of a remembered password."""
        return f"{self.user}@{self.server}/{self.dbname}"

    def digest(self) -> str:
        return hashlib.sha1(self.identity.encode("utf-8")).hexdigest()[:8]


def is_server_url(text: object) -> bool:
    if not isinstance(text, str):
        return False
    scheme, sep, _rest = text.partition("://")
    return bool(sep) and scheme.lower() in SCHEMES


def parse_server_url(text: str) -> ServerAddress:
    """The address a ``postgresql://`` URL names; raises ``ServerUrlError`` (a usage error).

    The user defaults as libpq's does (``PGUSER``, else the login name), the database to the
    user's name (``PGDATABASE`` first); they only name the workspace here, libpq decides.
    """
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as error:
        raise ServerUrlError(text, str(error)) from None
    if parts.scheme.lower() not in SCHEMES:
        raise ServerUrlError(text, "postgresql://")
    if parts.fragment:
        raise ServerUrlError(text, "#" + parts.fragment)
    query = parse_qsl(parts.query, keep_blank_values=True)
    params = dict(query)
    if "password" in params:
        password = params.pop("password")
        query = [(key, value) for key, value in query if key != "password"]
    else:
        password = unquote(parts.password) if parts.password is not None else None
    user = unquote(parts.username or "") or params.get("user") or _default_user()
    host = unquote(parts.hostname or "") or params.get("host") or os.environ.get("PGHOST", "")
    dbname = unquote(parts.path.lstrip("/")) or params.get("dbname") or _default_dbname(user)
    netloc = ""
    if parts.username:
        netloc = quote(unquote(parts.username), safe="") + "@"
    if parts.hostname:
        hostname = parts.hostname
        netloc += f"[{hostname}]" if ":" in hostname else hostname
    if port is not None:
        netloc += f":{port}"
    url = f"postgresql://{netloc}{parts.path}"
    if query:
        url += "?" + urlencode(query, quote_via=quote)
    return ServerAddress(url, user, host, port or _env_port(), dbname, password)


def workspace_location(value: str | Path | ServerAddress) -> Path | ServerAddress:
    """A workspace named on the command line or in the app: a server address or a path."""
    if isinstance(value, ServerAddress):
        return value
    if isinstance(value, str) and is_server_url(value):
        return parse_server_url(value)
    return Path(value)


def location_name(location: Path | ServerAddress | str) -> str:
    if isinstance(location, ServerAddress):
        return location.name
    return Path(location).name


def _default_user() -> str:
    import getpass

    try:
        return os.environ.get("PGUSER") or getpass.getuser()
    except Exception:  # no login name on some service accounts
        return ""


def _default_dbname(user: str) -> str:
    return os.environ.get("PGDATABASE") or user


def _env_port() -> int | None:
    try:
        return int(os.environ["PGPORT"])
    except (KeyError, ValueError):
        return None
