"""What every page of the main window offers the shell, and the base of the pages that list
things (Scorecard, KPIs, Actions): a filter bar above, the list below, or, before there is
anything to list, an empty state saying what to do first."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLineEdit,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kpidesk.ui.filters import FilterCombo
from kpidesk.ui.session import WorkspaceSession
from kpidesk.ui.widgets import EmptyState


class Page(QWidget):
    """A page shown beside the navigation. It reads the session's workspace and context."""

    key: str = ""
    """The page's key in ``registry.PAGES``."""

    def __init__(self, session: WorkspaceSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session

    def refresh(self) -> None:
        """Show the session's current workspace and context; called when either changes."""


class FilterBar(QHBoxLayout):
    """The row of filters above a list: a search field, drop-downs whose first choice is
    "everything", and check boxes. Any change calls ``changed``."""

    def __init__(self, changed: Callable[[], None]) -> None:
        super().__init__()
        self._changed = changed

    def add_search(
        self, placeholder: str, name: str, *, stretch: int = 2, find_shortcut: QWidget | None = None
    ) -> QLineEdit:
        """A search field; with ``find_shortcut``, Ctrl+F there puts the cursor in it."""
        search = QLineEdit()
        search.setPlaceholderText(placeholder)
        search.setClearButtonEnabled(True)
        search.setAccessibleName(name)
        search.textChanged.connect(self._changed)
        if find_shortcut is not None:
            QShortcut(QKeySequence.StandardKey.Find, find_shortcut, search.setFocus)
        self.addWidget(search, stretch)
        return search

    def add_choice(self, everything: str) -> FilterCombo:
        """A drop-down, not yet placed (see :meth:`place`): its choices may come first."""
        combo = FilterCombo(everything)
        combo.currentIndexChanged.connect(self._changed)
        return combo

    def place(self, *widgets: QWidget, stretch: int = 0) -> None:
        for widget in widgets:
            self.addWidget(widget, stretch)

    def add_check(self, text: str) -> QCheckBox:
        check = QCheckBox(text)
        check.toggled.connect(self._changed)
        self.addWidget(check)
        return check


class ListPage(Page):
    """A page that lists things. Subclasses build, in order, into :attr:`outer`: their bars
    (:meth:`filter_bar` makes the filters'), then :meth:`add_list` the empty state and the
    list; :meth:`show_list` shows the list, or the empty state when there is nothing."""

    def __init__(self, session: WorkspaceSession, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.outer = QVBoxLayout(self)
        self.outer.setContentsMargins(0, 4, 0, 0)

    def filter_bar(self, changed: Callable[[], None] | None = None) -> FilterBar:
        """The filter bar, placed next in the page; ``changed`` defaults to :meth:`refresh`."""
        bar = FilterBar(changed or self.refresh)
        self.outer.addLayout(bar)
        return bar

    def add_list(self, empty: EmptyState, view: QWidget) -> None:
        self.stack = QStackedWidget()
        self.outer.addWidget(self.stack, 1)
        self.empty = empty
        self.stack.addWidget(empty)
        self.stack.addWidget(view)

    def show_list(self, anything: bool) -> None:
        """The list if there is ``anything`` to list (before filtering), else the empty state."""
        self.stack.setCurrentIndex(1 if anything else 0)
