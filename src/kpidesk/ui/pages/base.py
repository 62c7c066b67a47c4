"""What every page of the main window offers the shell."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from kpidesk.ui.session import WorkspaceSession


class Page(QWidget):
    """A page shown beside the navigation. It reads the session's workspace and context."""

    key: str = ""
    """The page's key in ``registry.PAGES``."""

    def __init__(self, session: WorkspaceSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session

    def refresh(self) -> None:
        """Show the session's current workspace and context; called when either changes."""
