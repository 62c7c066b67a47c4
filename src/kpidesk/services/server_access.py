"""Opening a workspace on a PostgreSQL server from the app: its address from a form's fields,
and the password the user typed, kept in the keyring only when asked to.

libpq finds a password by itself in ``PGPASSWORD``, ``~/.pgpass`` or a ``PGSERVICE`` entry,
and a password remembered in the keyring is tried after those; the app asks for one only
when the server refused the login without it. A client older than the server's schema (or a
server waiting for ``kpidesk server migrate``) opens read-only, with
:attr:`~kpidesk.store.workspace.Workspace.notice` saying why.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

from kpidesk.store import credentials
from kpidesk.store.location import ServerAddress, parse_server_url
from kpidesk.store.workspace import Workspace

SSL_MODES = ("prefer", "require", "verify-ca", "verify-full", "disable")
"""libpq's TLS modes, as the app offers them (``prefer`` is libpq's default)."""
DEFAULT_PORT = 5432


@dataclass(frozen=True)
class ServerFields:
    """What the Open Server Workspace form holds (never the password)."""

    host: str
    port: int
    database: str
    user: str
    sslmode: str = "prefer"
    extra: tuple[tuple[str, str], ...] = ()
    """Other connection parameters the address had (``sslrootcert``…), kept as they were."""

    def address(self) -> ServerAddress:
        """The address these fields name; raises ``ServerUrlError`` when they name none."""
        host = self.host.strip()
        netloc = quote(self.user.strip(), safe="") + "@" if self.user.strip() else ""
        netloc += f"[{host}]" if ":" in host else quote(host, safe=".-_~")
        if self.port and self.port != DEFAULT_PORT:
            netloc += f":{int(self.port)}"
        query = [(key, value) for key, value in self.extra if key != "sslmode"]
        if self.sslmode and self.sslmode != "prefer":
            query.insert(0, ("sslmode", self.sslmode))
        url = f"postgresql://{netloc}/{quote(self.database.strip(), safe='')}"
        if query:
            url += "?" + urlencode(query, quote_via=quote)
        return parse_server_url(url)


def fields_of(address: ServerAddress) -> ServerFields:
    """The form's fields for an address (a recent workspace's, to open it again)."""
    query = parse_qsl(urlsplit(address.url).query, keep_blank_values=True)
    params = dict(query)
    return ServerFields(
        host=address.host,
        port=address.port or DEFAULT_PORT,
        database=address.dbname,
        user=address.user,
        sslmode=params.get("sslmode", "prefer"),
        extra=tuple((key, value) for key, value in query if key != "sslmode"),
    )


def open_server_workspace(
    address: ServerAddress | str,
    *,
    password: str | None = None,
    remember: bool = False,
    read_only: bool = False,
) -> Workspace:
    """Open a server workspace; a client older than the server's schema gets it read-only.

    ``password`` is what the user typed (None: libpq's own ways, then the keyring). Once the
    server has accepted it, it is kept in the keyring when ``remember`` is ticked, and a
    password remembered before is forgotten when it is not. Raises the store's
    ``WorkspaceError`` (``ServerLoginError`` when the login is refused).
    """
    if isinstance(address, str):
        address = parse_server_url(address)
    given = dataclasses.replace(address, password=password) if password else address
    workspace = Workspace.open(given, read_only=read_only, read_only_fallback=True)
    if password:
        if remember:
            credentials.remember_password(address, password)
        else:
            credentials.forget_password(address)
    return workspace


def has_remembered_password(address: ServerAddress) -> bool:
    return credentials.stored_password(address) is not None
