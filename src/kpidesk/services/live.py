"""Everyone sees the same: the change notices of a server workspace, as the app reads them.

Every statement that changes a server workspace sends a notice (see
:mod:`kpidesk.store.pg_access`) naming its table and, for up to 100 rows, their KPI, unit and
period keys; a larger change names only the table. :func:`listen` opens a connection of its
own that receives them; :func:`parse` turns a notice into a :class:`Notice`. A workspace file
has one writer and sends none.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from kpidesk.store.workspace import Workspace


@dataclass(frozen=True, slots=True)
class Notice:
    table: str
    op: str
    by: str
    pid: int
    keys: tuple[tuple[int | None, int | None, str | None], ...] | None
    """(KPI id, unit id, period) of each row the statement changed; None: too many to name."""


def listen(workspace: Workspace) -> Any:
    """A listener (``fileno()``, ``take()``, ``wait(timeout)``, ``close()``) on its own
    connection for ``workspace``'s notices; None for a file."""
    if workspace.server is None:
        return None
    from kpidesk.store import pg_access
    from kpidesk.store.pg_listener import Listener

    password = workspace.db.connect_params.get("password")
    return Listener(workspace.server, pg_access.CHANNEL, password=password)


def own_pid(workspace: Workspace) -> int | None:
    """The server process of this thread's connection: its own notices need no refresh."""
    if workspace.server is None:
        return None
    with workspace.bound():
        return int(workspace.db.execute_sql("SELECT pg_backend_pid()").fetchone()[0])


def parse(payload: str) -> Notice | None:
    try:
        raw = json.loads(payload)
        keys = raw.get("keys")
        return Notice(
            str(raw["table"]),
            str(raw.get("op", "")),
            str(raw.get("by", "")),
            int(raw.get("pid", 0)),
            None if keys is None else tuple(tuple(key) for key in keys),
        )
    except (ValueError, KeyError, TypeError):
        return None
