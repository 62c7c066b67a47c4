"""The main window's pages, each built when first shown, and a watcher of the first paint."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QStackedWidget, QWidget

from kpidesk.ui.pages.registry import PAGES, PageSpec

if TYPE_CHECKING:
    from kpidesk.ui.pages.base import Page


class FirstPaintWatcher(QObject):
    """Reports the first paint of a widget once (for the start-up benchmark)."""

    painted = Signal()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            QTimer.singleShot(0, self.painted.emit)
        return False


class PageSet(Mapping[str, "Page"]):
    """The window's pages by key, in navigation order; each is built when first asked for.

    Until then a blank placeholder holds its place in the stack, so indexes match the
    navigation from the start.
    """

    def __init__(self, stack: QStackedWidget, build: Callable[[PageSpec], Page]) -> None:
        self._stack = stack
        self._build = build
        self._keys = [spec.key for spec in PAGES]
        self._built: dict[str, Page] = {}
        for _spec in PAGES:
            stack.addWidget(QWidget())

    def __getitem__(self, key: str) -> Page:
        page = self._built.get(key)
        if page is not None:
            return page
        if key not in self._keys:
            raise KeyError(key)
        index = self._keys.index(key)
        page = self._build(PAGES[index])
        placeholder = self._stack.widget(index)
        self._stack.insertWidget(index, page)
        if self._stack.currentWidget() is placeholder:
            self._stack.setCurrentWidget(page)
        self._stack.removeWidget(placeholder)
        placeholder.deleteLater()
        self._built[key] = page
        return page

    def __contains__(self, key: object) -> bool:
        return key in self._keys

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    def built(self) -> dict[str, Page]:
        """The pages built so far, without building more."""
        return dict(self._built)
