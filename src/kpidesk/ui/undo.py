"""Undo and redo for edits: each edit is a pair of service calls wrapped in a QUndoCommand."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QUndoCommand


class CallbackCommand(QUndoCommand):
    """An edit made by calling ``do``; ``undo`` puts things back. Both call services only.

    ``done`` (optional) runs after either direction, e.g. to refresh the page.
    """

    def __init__(
        self,
        text: str,
        do: Callable[[], object],
        undo: Callable[[], object],
        done: Callable[[], object] | None = None,
    ) -> None:
        super().__init__(text)
        self._do = do
        self._undo = undo
        self._done = done

    def redo(self) -> None:
        self._do()
        if self._done:
            self._done()

    def undo(self) -> None:
        self._undo()
        if self._done:
            self._done()
