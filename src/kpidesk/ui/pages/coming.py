"""Pages whose features have not landed yet say so plainly, and what they will hold."""

from __future__ import annotations

from PySide6.QtWidgets import QVBoxLayout, QWidget

from kpidesk.i18n import _
from kpidesk.ui.pages.base import Page
from kpidesk.ui.session import WorkspaceSession
from kpidesk.ui.widgets import EmptyState


class ComingPage(Page):
    def __init__(self, session: WorkspaceSession, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        layout = QVBoxLayout(self)
        layout.addWidget(
            EmptyState(
                self.icon_name, _("{page} is coming").format(page=self.title()), self.promise()
            )
        )

    def promise(self) -> str:
        raise NotImplementedError


class DataPage(ComingPage):
    key, icon_name = "data", "table"

    @staticmethod
    def title() -> str:
        return _("Data")

    def promise(self) -> str:
        return _(
            "Type or paste values into a grid, and import Excel files. This page is not "
            "built yet; the command line already exports every value as CSV."
        )


class ReviewsPage(ComingPage):
    key, icon_name = "reviews", "presentation"

    @staticmethod
    def title() -> str:
        return _("Reviews")

    def promise(self) -> str:
        return _(
            "Follow-up meetings that end in decisions and actions, with KPIs off target "
            "first. This page is not built yet."
        )


class ActionsPage(ComingPage):
    key, icon_name = "actions", "list-checks"

    @staticmethod
    def title() -> str:
        return _("Actions")

    def promise(self) -> str:
        return _(
            "Every action with its owner, due date and status; overdue ones stand out. "
            "This page is not built yet."
        )
