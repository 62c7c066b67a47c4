"""Refresh a window when it is seen: now if it is visible, else the next time it is shown.

A hidden window (a chart window closed by its user is hidden, not deleted) need not redraw
on every change of the data or the period; it catches up once, when it is shown again.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QWidget


class RefreshWhenSeen(QObject):
    """Calls ``refresh`` for ``widget`` on :meth:`request` if the widget is visible, else on
    its next show. ``wanted`` says whether there is anything to refresh at all."""

    def __init__(
        self,
        widget: QWidget,
        refresh: Callable[[], None],
        *,
        wanted: Callable[[], bool] = lambda: True,
    ) -> None:
        super().__init__(widget)
        self._widget = widget
        self._refresh = refresh
        self._wanted = wanted
        self.stale = False
        widget.installEventFilter(self)

    def request(self) -> None:
        if not self._wanted():
            return
        if self._widget.isVisible():
            self._refresh()
        else:
            self.stale = True

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._widget and event.type() == QEvent.Type.Show and self.stale:
            self.stale = False
            self._refresh()
        return False
