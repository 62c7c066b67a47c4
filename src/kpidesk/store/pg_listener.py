"""Listening to a server workspace's change notices on a connection of its own.

The notices are sent by the triggers ``store/pg_access.py`` installs; the app watches this
connection's socket (see ``services/live.py`` and ``ui/live.py``).
"""

from __future__ import annotations

import contextlib
from typing import Any

import psycopg
from psycopg import conninfo as pg_conninfo
from psycopg import sql as pg_sql

from kpidesk.store import credentials
from kpidesk.store.location import ServerAddress
from kpidesk.store.postgres import APPLICATION, _connect_error


class Listener:
    """A connection of its own that listens to the workspace's change notices.

    ``fileno()`` is its socket: when it becomes readable, :meth:`take` returns the notices
    that arrived, without waiting (the app watches the socket with a ``QSocketNotifier``).
    """

    def __init__(self, address: ServerAddress, channel: str, password: str | None = None):
        given = pg_conninfo.conninfo_to_dict(address.url)
        params: dict[str, Any] = {"application_name": f"{APPLICATION} (listening)"}
        password = password if password is not None else address.password
        if password is None and "password" not in given:
            password = credentials.stored_password(address)
        if password is not None:
            params["password"] = password
        if "connect_timeout" not in address.url:
            params["connect_timeout"] = 10
        try:
            self._connection = psycopg.connect(address.url, autocommit=True, **params)
        except psycopg.Error as error:
            raise _connect_error(address, error) from None
        self._connection.execute(pg_sql.SQL("LISTEN {}").format(pg_sql.Identifier(channel)))

    def fileno(self) -> int:
        return self._connection.pgconn.socket

    def take(self) -> list[str]:
        """The payloads of the notices that have arrived (none: an empty list)."""
        pgconn = self._connection.pgconn
        pgconn.consume_input()
        payloads = []
        while (notice := pgconn.notifies()) is not None:
            payloads.append(notice.extra.decode())
        return payloads

    def wait(self, timeout: float) -> list[str]:
        """The notices arriving within ``timeout`` seconds (for tools without an event loop)."""
        import select

        taken = self.take()
        if taken:
            return taken
        ready, _, _ = select.select([self.fileno()], [], [], timeout)
        return self.take() if ready else []

    def close(self) -> None:
        with contextlib.suppress(psycopg.Error):
            self._connection.close()
