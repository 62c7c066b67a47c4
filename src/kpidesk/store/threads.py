"""Using the open workspace from a worker thread."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kpidesk.store.workspace import Workspace


@contextlib.contextmanager
def thread_connection(workspace: Workspace | None) -> Iterator[None]:
    """Let a worker thread use the open workspace through a connection of its own.

    peewee keeps one connection per thread; the app's belongs to the GUI thread. A worker
    opens its own to the same file (in WAL mode the app keeps reading while the worker
    writes) and closes it when done. Without an open workspace it does nothing.
    """
    if workspace is None or workspace.closed:
        yield
        return
    database = workspace.db
    opened_here = database.is_closed()
    if opened_here:
        database.connect()
    try:
        yield
    finally:
        if opened_here:
            database.close()
