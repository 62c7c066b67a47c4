"""Live refresh: what others change on a server shows in the open pages within a second.

The store's listener has a connection of its own; a ``QSocketNotifier`` on its socket wakes
the event loop when a notice arrives (no polling, no thread). Notices are gathered for a
short while (a burst of saves refreshes once) and then the session's ``dataChanged`` is
emitted, on which the open page refreshes, keeping its selection and scroll position.
A notice of this app's own connection is skipped: its save refreshed already.
"""

from __future__ import annotations

import contextlib
import logging
from typing import Any

from PySide6.QtCore import QObject, QSocketNotifier, QTimer, Signal

from kpidesk.domain.errors import DomainError
from kpidesk.services import live
from kpidesk.store.workspace import Workspace

log = logging.getLogger(__name__)

DEBOUNCE_MS = 150


class LiveUpdates(QObject):
    """Listens to ``workspace``'s notices while it is open; ``changed`` carries the tables
    named since the last emission."""

    changed = Signal(object)

    def __init__(self, workspace: Workspace, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._listener: Any = live.listen(workspace)
        self._own_pid = live.own_pid(workspace)
        self._tables: set[str] = set()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self._emit)
        self._notifier = QSocketNotifier(self._listener.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._read)

    @classmethod
    def start(cls, workspace: Workspace, parent: QObject | None = None) -> LiveUpdates | None:
        """Listening for a server workspace; None for a file, or when the listening
        connection cannot be made (the app then works without live refresh)."""
        if workspace.server is None:
            return None
        try:
            return cls(workspace, parent)
        except DomainError as error:
            log.warning("no live refresh: %s", error)
            return None

    def _read(self) -> None:
        try:
            payloads = self._listener.take()
        except Exception as error:  # the connection broke: no more notices
            log.warning("live refresh stopped: %s", error)
            self._notifier.setEnabled(False)
            return
        for payload in payloads:
            notice = live.parse(payload)
            if notice is not None and notice.pid != self._own_pid:
                self._tables.add(notice.table)
        if self._tables and not self._timer.isActive():
            self._timer.start()

    def _emit(self) -> None:
        tables, self._tables = self._tables, set()
        self.changed.emit(tables)

    def stop(self) -> None:
        self._timer.stop()
        self._notifier.setEnabled(False)
        with contextlib.suppress(Exception):
            self._listener.close()
