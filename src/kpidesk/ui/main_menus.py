"""The main window's menu bar: File, Edit, View, Workspace, Settings and Help, and the recent list.

A mixin of :class:`kpidesk.ui.main_window.MainWindow`: the actions call the window's slots,
and the window keeps the actions it enables and disables as attributes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMenu

from kpidesk.i18n import _
from kpidesk.store.location import ServerAddress
from kpidesk.ui import team
from kpidesk.ui.icons import icon
from kpidesk.ui.pages.registry import PAGES
from kpidesk.ui.welcome import recent_labels

if TYPE_CHECKING:
    _Base = Any
else:
    _Base = object


class MainMenus(_Base):
    """Builds the menus on the window it is mixed into."""

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu(_("&File"))
        self.action_new = self._action(
            file_menu,
            _("&New Workspace…"),
            self.new_workspace,
            QKeySequence.StandardKey.New,
            "file-plus",
        )
        self.action_open = self._action(
            file_menu,
            _("&Open…"),
            self.open_workspace_dialog,
            QKeySequence.StandardKey.Open,
            "folder-open",
        )
        self.action_open_server = self._action(
            file_menu,
            _("Open &Server Workspace…"),
            lambda: self.open_server_dialog(),
            QKeySequence("Ctrl+Shift+O"),
            "database",
        )
        self.recent_menu = file_menu.addMenu(_("Open &Recent"))
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        self._action(file_menu, _("Open the &Demo"), self.open_demo, None, "sparkles")
        file_menu.addSeparator()
        self.action_import = self._action(
            file_menu,
            _("&Import…"),
            lambda: self.import_spreadsheet(),
            QKeySequence("Ctrl+I"),
            "table",
        )
        self.action_save_copy = self._action(
            file_menu,
            _("Save a &Copy As…"),
            self.save_copy_as,
            QKeySequence("Ctrl+Shift+S"),
            "save",
        )
        self.action_merge = self._action(
            file_menu, _("&Merge a Copy…"), self.merge_copy, None, "history"
        )
        self.action_export = self._action(
            file_menu, _("&Export…"), self.export, QKeySequence("Ctrl+E"), "save"
        )
        self.action_collect = self._action(
            file_menu, _("Collect &Figures…"), self.collect_figures, None, "calendar"
        )
        self.action_restore = self._action(
            file_menu, _("&Restore from Backup…"), self.restore_from_backup, None, "history"
        )
        file_menu.addSeparator()
        self.action_close = self._action(
            file_menu, _("&Close Workspace"), self.close_workspace, QKeySequence.StandardKey.Close
        )
        self._action(
            file_menu, _("&Quit"), self.close, QKeySequence.StandardKey.Quit, "log-out"
        ).setMenuRole(QAction.MenuRole.QuitRole)

        edit_menu = self.menuBar().addMenu(_("&Edit"))
        self.action_undo = self.session.undo_stack.createUndoAction(self, _("&Undo"))
        self.action_undo.setShortcut(QKeySequence.StandardKey.Undo)
        self.action_redo = self.session.undo_stack.createRedoAction(self, _("&Redo"))
        self.action_redo.setShortcuts([QKeySequence.StandardKey.Redo, QKeySequence("Ctrl+Y")])
        edit_menu.addAction(self.action_undo)
        edit_menu.addAction(self.action_redo)

        view_menu = self.menuBar().addMenu(_("&View"))
        self.page_actions: list[QAction] = []
        for number, spec in enumerate(PAGES, start=1):
            action = self._action(
                view_menu,
                spec.title(),
                lambda _checked=False, n=number - 1: self.show_page(n),
                QKeySequence(f"Ctrl+{number}"),
                spec.icon_name,
            )
            self.page_actions.append(action)

        view_menu.addSeparator()
        self.action_compare = self._action(
            view_menu, _("&Compare Units…"), self.compare_units, QKeySequence("Ctrl+Shift+C")
        )
        self.action_health = self.health_panel.toggleViewAction()
        self.action_health.setText(_("KPI &Health"))
        self.action_health.setShortcut(QKeySequence("Ctrl+Shift+H"))
        view_menu.addAction(self.action_health)

        workspace_menu = self.menuBar().addMenu(_("&Workspace"))
        self._action(workspace_menu, _("Follow-up &Rhythm…"), self.edit_rhythm, None, "calendar")
        self.add_strategy_actions(view_menu, workspace_menu)
        self.action_units = self._action(
            workspace_menu, _("&Units…"), self.edit_units, QKeySequence("Ctrl+Shift+U"), "network"
        )

        settings_menu = self.menuBar().addMenu(_("&Settings"))
        language_menu = settings_menu.addMenu(icon("languages"), _("&Language"))
        self.language_group = QActionGroup(self)
        self.language_actions: dict[str, QAction] = {}
        for code, label in (("", _("Follow the system")), ("sv", "Svenska"), ("en", "English")):
            action = QAction(label, self, checkable=True)
            action.setChecked((self.settings.language or "") == code)
            action.triggered.connect(lambda _checked=False, c=code: self.set_language(c or None))
            self.language_group.addAction(action)
            language_menu.addAction(action)
            self.language_actions[code] = action
        self.team = team.install(self, workspace_menu, settings_menu)

        help_menu = self.menuBar().addMenu(_("&Help"))
        about = self._action(help_menu, _("&About KPI Desk"), self.show_about, None, "info")
        about.setMenuRole(QAction.MenuRole.AboutRole)

    def _action(
        self,
        menu: QMenu,
        text: str,
        slot: Callable[..., object],
        shortcut: QKeySequence | QKeySequence.StandardKey | None = None,
        icon_name: str | None = None,
    ) -> QAction:
        action = QAction(text, self)
        if icon_name:
            action.setIcon(icon(icon_name))
        if shortcut is not None:
            action.setShortcut(shortcut)
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        files = self.settings.recent_files
        labels = recent_labels(files)
        for number, (location, label) in enumerate(zip(files, labels, strict=True), start=1):
            action = self.recent_menu.addAction(f"&{number % 10} {label.replace('&', '&&')}")
            action.setToolTip(str(location))
            if isinstance(location, ServerAddress):
                action.setIcon(icon("database"))
            else:
                action.setEnabled(location.exists())
            action.triggered.connect(lambda _checked=False, p=location: self.open_workspace(p))
        if not files:
            self.recent_menu.addAction(_("No recent workspaces")).setEnabled(False)
        else:
            self.recent_menu.addSeparator()
            self.recent_menu.addAction(_("Clear the list"), self._clear_recent)

    def _clear_recent(self) -> None:
        self.settings.clear_recent_files()
        self.welcome.set_recent_files([])
