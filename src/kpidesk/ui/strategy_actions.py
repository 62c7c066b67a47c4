"""The main window's menu entries for the strategy: View → Strategy Map… and Workspace →
Vision and Mission… (kept apart so the main window stays small)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu

from kpidesk.i18n import _

if TYPE_CHECKING:
    from kpidesk.ui.session import WorkspaceSession
    from kpidesk.ui.strategy_window import StrategyMapWindow


class StrategyActions:
    """Mixed into the main window: needs ``session``, ``_action``, ``show_goal`` and
    ``show_kpi``."""

    session: WorkspaceSession

    def add_strategy_actions(self, view_menu: QMenu, workspace_menu: QMenu) -> None:
        self.action_strategy_map: QAction = self._action(  # type: ignore[attr-defined]
            view_menu, _("&Strategy Map…"), self.open_strategy_map, QKeySequence("Ctrl+Shift+M")
        )
        self._action(  # type: ignore[attr-defined]
            workspace_menu, _("&Vision and Mission…"), self.edit_vision, None, "target"
        )

    def open_strategy_map(self) -> StrategyMapWindow | None:
        from kpidesk.ui.strategy_window import StrategyMapWindow

        if not self.session.is_open:
            return None
        window = getattr(self, "strategy_map_window", None)
        if window is None:
            window = StrategyMapWindow(self.session, self)  # type: ignore[arg-type]
            window.goalChosen.connect(self.show_goal)  # type: ignore[attr-defined]
            window.kpiChosen.connect(self.show_kpi)  # type: ignore[attr-defined]
            self.strategy_map_window = window
        window.show()
        window.raise_()
        window.activateWindow()
        return window

    def edit_vision(self) -> None:
        from kpidesk.ui.strategy_window import edit_statement

        edit_statement(self.session, self)  # type: ignore[arg-type]
