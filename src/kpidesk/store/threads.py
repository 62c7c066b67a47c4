"""Using the open workspace from a worker thread."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kpidesk.store.workspace import Workspace


@contextlib.contextmanager
def thread_connection(workspace: Workspace | None) -> Iterator[None]:
    """Let a worker thread use the open workspace through a connection of its own, bound
    to it for the block (see :meth:`Workspace.thread_connection`). Without an open workspace
    it does nothing."""
    if workspace is None:
        yield
        return
    with workspace.thread_connection():
        yield
