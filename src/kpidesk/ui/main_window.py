"""The main window: navigation on the left, the page beside it, pickers above, menus on top."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import (
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
)
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kpidesk import i18n
from kpidesk.domain.errors import DomainError
from kpidesk.files import os_reason
from kpidesk.i18n import _
from kpidesk.paths import demo_workspace_path
from kpidesk.store.errors import (
    CorruptWorkspaceError,
    WorkspaceError,
    WorkspaceLockedError,
    WorkspaceNotWritableError,
)
from kpidesk.store.location import ServerAddress, location_name, workspace_location
from kpidesk.store.outputs import same_file
from kpidesk.store.workspace import FILE_SUFFIX, Workspace
from kpidesk.ui import dialogs
from kpidesk.ui.context_bar import ContextBar
from kpidesk.ui.health_panel import HealthPanel
from kpidesk.ui.icons import app_icon, icon
from kpidesk.ui.main_menus import MainMenus
from kpidesk.ui.page_set import FirstPaintWatcher, PageSet
from kpidesk.ui.pages.registry import PAGES, PageSpec
from kpidesk.ui.session import WorkspaceSession
from kpidesk.ui.settings import AppSettings
from kpidesk.ui.strategy_actions import StrategyActions
from kpidesk.ui.welcome import WelcomePage
from kpidesk.ui.widgets import MessageBar, MessageKind

if TYPE_CHECKING:
    from kpidesk.store.file_lock import LockHolder
    from kpidesk.ui.pages.base import Page
    from kpidesk.ui.restore_dialog import RestoreDialog
    from kpidesk.ui.server_dialog import ServerOpening

log = logging.getLogger(__name__)


class MainWindow(MainMenus, StrategyActions, QMainWindow):
    languageChanged = Signal(str)

    def __init__(self, settings: AppSettings | None = None) -> None:
        super().__init__()
        self.settings = settings or AppSettings()
        self.session = WorkspaceSession(self.settings, self)
        self.session.workspaceChanged.connect(self._workspace_changed)
        self.session.contextChanged.connect(self._refresh_current_page)
        self.session.dataChanged.connect(self._refresh_current_page)
        self.pages: Mapping[str, Page] = {}
        self._server_opening: ServerOpening | None = None
        self.setWindowIcon(app_icon())
        self.setAcceptDrops(True)
        self.setMinimumSize(QSize(760, 480))
        self._build()
        if self.settings.geometry is not None:
            self.restoreGeometry(self.settings.geometry)
        else:
            self.resize(1280, 800)
        self._workspace_changed()

    # building (again on a change of language) ---------------------------------------
    def _build(self, page_index: int = 0) -> None:
        self.setWindowTitle(_("KPI Desk"))
        if getattr(self, "health_panel", None) is not None:
            self.removeDockWidget(self.health_panel)
            self.health_panel.deleteLater()
        self.health_panel = HealthPanel(self.session, self)
        self.health_panel.showGoal.connect(self.show_goal)
        self.health_panel.showKpi.connect(self.show_kpi)
        # below the page, so the scorecard keeps every column in view
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.health_panel)
        self.health_panel.hide()
        self.health_panel.visibilityChanged.connect(self._health_panel_shown)
        self.menuBar().clear()
        self._build_menus()

        central = QWidget()
        outer = QVBoxLayout(central)
        outer.setContentsMargins(8, 8, 8, 0)
        outer.setSpacing(6)
        self.banner_area = QVBoxLayout()
        self.banner_area.setSpacing(4)
        outer.addLayout(self.banner_area)
        self.read_only_banner: MessageBar | None = None

        self.root_stack = QStackedWidget()
        outer.addWidget(self.root_stack, 1)
        self.welcome = WelcomePage()
        self.welcome.newRequested.connect(self.new_workspace)
        self.welcome.openRequested.connect(self.open_workspace_dialog)
        self.welcome.serverRequested.connect(lambda: self.open_server_dialog())
        self.welcome.demoRequested.connect(self.open_demo)
        self.welcome.recentRequested.connect(self.open_workspace)
        self.root_stack.addWidget(self.welcome)

        workspace_view = QWidget()
        row = QHBoxLayout(workspace_view)
        row.setContentsMargins(0, 0, 0, 0)
        self.navigation = QListWidget()
        self.navigation.setObjectName("navigation")
        self.navigation.setAccessibleName(_("Pages"))
        self.navigation.setIconSize(QSize(22, 22))
        self.navigation.setFixedWidth(172)
        self.navigation.setFrameShape(QFrame.Shape.NoFrame)
        self.navigation.setStyleSheet(
            "#navigation { background: palette(window); font-size: 11pt; outline: 0; }"
            "#navigation::item { padding: 8px 6px; border-radius: 6px; }"
            "#navigation::item:selected { background: palette(highlight);"
            " color: palette(highlighted-text); }"
        )
        row.addWidget(self.navigation)
        right = QVBoxLayout()
        self.context_bar = ContextBar(self.session)
        right.addWidget(self.context_bar)
        self.page_stack = QStackedWidget()
        right.addWidget(self.page_stack, 1)
        row.addLayout(right, 1)
        self.root_stack.addWidget(workspace_view)

        self.pages = PageSet(self.page_stack, self._make_page)
        for number, spec in enumerate(PAGES, start=1):
            item = QListWidgetItem(icon(spec.icon_name), spec.title())
            item.setToolTip(f"{spec.title()} (Ctrl+{number})")
            self.navigation.addItem(item)
        self.navigation.setCurrentRow(page_index)
        self.page_stack.setCurrentIndex(page_index)
        self.navigation.currentRowChanged.connect(self._show_page)
        self.setCentralWidget(central)

        if getattr(self, "path_label", None) is not None:  # built again for another language
            self.statusBar().removeWidget(self.path_label)
            self.path_label.deleteLater()
        self.path_label = QLabel()
        self.path_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.statusBar().addPermanentWidget(self.path_label)

    # state ----------------------------------------------------------------------------
    def _health_panel_shown(self, visible: bool) -> None:
        """The panel's first showing takes a quarter of the window's height, no more."""
        if not visible or self.health_panel.property("sized"):
            return
        self.health_panel.setProperty("sized", True)
        height = max(self.health_panel.minimumHeight(), self.height() // 4)
        self.resizeDocks([self.health_panel], [height], Qt.Orientation.Vertical)

    def _workspace_changed(self) -> None:
        """Menus, title and banners for the open workspace, or the welcome screen.

        The page is not refreshed here: opening a workspace also sets its context, and the
        page refreshes on that.
        """
        session = self.session
        open_ = session.is_open
        self.root_stack.setCurrentIndex(1 if open_ else 0)
        self.action_save_copy.setEnabled(open_)
        self.action_close.setEnabled(open_)
        self.action_units.setEnabled(open_)
        self.action_export.setEnabled(open_)
        self.action_compare.setEnabled(open_)
        self.action_restore.setEnabled(open_ and not session.read_only and session.path is not None)
        self.action_merge.setEnabled(open_ and not session.read_only)
        self.action_import.setEnabled(open_ and not session.read_only)
        for action in self.page_actions:
            action.setEnabled(open_)
        self._set_read_only_banner()
        if open_:
            workspace = session.workspace
            name = self._read_or_say(lambda: workspace.settings().name) or location_name(
                workspace.location
            )
            server = workspace.server
            if server is not None:
                self.setWindowTitle(
                    _("{name} on {server} – KPI Desk").format(name=name, server=server.server)
                )
                self.path_label.setText(
                    _("Server {server}, database {database}, as {user}").format(
                        server=server.server, database=server.dbname, user=server.user
                    )
                )
            else:
                self.setWindowTitle(_("{name} – KPI Desk").format(name=name))
                self.path_label.setText(str(session.path))
            self.path_label.setToolTip(str(workspace.location))
        else:
            self.setWindowTitle(_("KPI Desk"))
            self.statusBar().clearMessage()
            self.path_label.setText(_("No workspace open"))
            self.welcome.set_recent_files(
                self.settings.recent_files, self.session.remembered_follow_up
            )

    def _set_read_only_banner(self) -> None:
        if self.read_only_banner is not None:
            self.read_only_banner.dismiss()
            self.read_only_banner = None
        if not self.session.read_only:
            return
        holder = self.session.lock_holder
        notice = self.session.workspace.notice if self.session.workspace else None
        if notice:
            text = _("Read-only: {reason}").format(reason=notice)
        elif holder is not None:
            text = _(
                "Read-only: this workspace is open in another KPI Desk (by {user} on {host} "
                "since {since}). You can look, but changes cannot be saved."
            ).format(user=holder.user, host=holder.host, since=holder.since)
        else:
            text = _("Read-only: you can look, but changes cannot be saved.")
        self.read_only_banner = MessageBar(
            MessageKind.WARNING, text, closable=False, action_text=_("Open for &writing")
        )
        self.read_only_banner.setObjectName("readOnlyBanner")
        self.read_only_banner.actionTriggered.connect(self._reopen_for_writing)
        self.banner_area.addWidget(self.read_only_banner)
        self.read_only_banner.show()
        if notice and self.read_only_banner.action_button is not None:
            self.read_only_banner.action_button.hide()  # it would open read-only again

    def _reopen_for_writing(self) -> None:
        location = self.session.location
        if location is not None:
            self.open_workspace(location)

    def show_message(self, kind: MessageKind, text: str) -> MessageBar:
        bar = MessageBar(kind, text)
        self.banner_area.addWidget(bar)
        bar.show()
        return bar

    def messages(self) -> list[MessageBar]:
        return [
            self.banner_area.itemAt(index).widget()
            for index in range(self.banner_area.count())
            if isinstance(self.banner_area.itemAt(index).widget(), MessageBar)
            and self.banner_area.itemAt(index).widget() is not self.read_only_banner
        ]

    def _clear_messages(self) -> None:
        for bar in self.messages():
            bar.dismiss()

    def show_page(self, index: int) -> None:
        if self.session.is_open:
            self.navigation.setCurrentRow(index)

    def _show_page(self, index: int) -> None:
        if index >= 0:
            self.page_stack.setCurrentIndex(index)
            self._refresh_current_page()

    def show_goal(self, goal_id: int) -> None:
        self.show_page(list(self.pages).index("goals"))
        self.pages["goals"].select_goal(goal_id)  # type: ignore[attr-defined]

    def show_kpi(self, kpi_id: int) -> None:
        self.show_page(list(self.pages).index("kpis"))
        page = self.pages["kpis"]
        page.archived_filter.setChecked(True)  # type: ignore[attr-defined]
        page.select_kpi(kpi_id)  # type: ignore[attr-defined]

    def current_page(self) -> Page:
        """The page the navigation shows; built now if it has not been yet."""
        return self.pages[PAGES[self.page_stack.currentIndex()].key]

    def _make_page(self, spec: PageSpec) -> Page:
        page = spec.page_class()(self.session)
        if spec.key == "scorecard":
            page.kpiActivated.connect(self.open_chart)  # type: ignore[attr-defined]
        if spec.key == "reporting":
            page.collectRequested.connect(self.collect_figures)  # type: ignore[attr-defined]
        return page

    def _refresh_current_page(self) -> None:
        if self.session.is_open and self.pages:
            self._read_or_say(self.current_page().refresh)

    def _read_or_say(self, read: Callable[[], object]) -> object:
        """Run ``read``; a workspace that cannot be read now (a server's lost connection)
        is said in one line instead, and None returned."""
        try:
            return read()
        except WorkspaceError as error:
            self.report_problem(error)
            return None

    def report_problem(self, error: DomainError) -> None:
        """Say a problem with the workspace in one line, in the status bar and above the
        page (once, however often it recurs)."""
        log.warning("%s", error)
        self.statusBar().showMessage(error.message, 15000)
        if not any(bar.text == error.message for bar in self.messages()):
            self.show_message(MessageKind.ERROR, error.message)

    def watch_first_paint(self) -> Signal:
        """A signal emitted once the visible page (or welcome screen) has painted."""
        watcher = FirstPaintWatcher(self)
        target = self.current_page() if self.session.is_open else self.welcome
        target.installEventFilter(watcher)
        return watcher.painted

    # file commands ----------------------------------------------------------------------
    def open_workspace(self, path: Path | str | ServerAddress, *, read_only: bool = False) -> bool:
        """Open a file or a server workspace; a file another process holds opens read-only
        with a banner."""
        location = workspace_location(path)
        if isinstance(location, ServerAddress):
            return self.server_opening().open(location, read_only=read_only)
        path = location
        self._clear_messages()
        holder = None
        reopening_same = (
            self.session.path is not None and self.session.path.resolve() == path.resolve()
        )
        if reopening_same:
            self.session.close()
        try:
            try:
                workspace = Workspace.open(path, read_only=read_only)
            except WorkspaceLockedError as locked:
                holder = locked.holder
                workspace = Workspace.open(path, read_only=True)
            except WorkspaceNotWritableError:
                workspace = Workspace.open(path, read_only=True)
        except DomainError as error:
            log.warning("could not open %s: %s", path, error)
            bar = self.show_message(MessageKind.ERROR, error.message)
            if isinstance(error, CorruptWorkspaceError):
                self._offer_damaged_actions(bar, path, error)
            if reopening_same:
                self._workspace_changed()
            return False
        self.attach(workspace, holder)
        return True

    def attach(self, workspace: Workspace, holder: LockHolder | None = None) -> None:
        """Make an opened workspace the window's, and the newest of the recent ones."""
        self.session.attach(workspace, holder)
        self.settings.add_recent_file(workspace.location)
        self.statusBar().showMessage(
            _("Opened {name}.").format(name=location_name(workspace.location)), 5000
        )

    def open_server_dialog(self, address: ServerAddress | None = None, message: str = "") -> bool:
        """File → Open Server Workspace…; True when a workspace was opened."""
        return self.server_opening().ask(address, message)

    def server_opening(self) -> ServerOpening:
        """How server workspaces are opened (made when first needed; tests reach in)."""
        if self._server_opening is None:
            from kpidesk.ui.server_dialog import ServerOpening

            self._server_opening = ServerOpening(self)
        return self._server_opening

    def _offer_damaged_actions(
        self, bar: MessageBar, path: Path, error: CorruptWorkspaceError
    ) -> None:
        """A damaged workspace is never written: offer to look at it read-only, and to
        restore it from a backup when there is one."""
        read_only = bar.add_button(_("Open read-only"))
        read_only.clicked.connect(lambda: self.open_damaged_read_only(path))
        if error.backups:
            restore = bar.add_button(_("Restore from a backup…"))
            restore.clicked.connect(lambda: self.restore_workspace_from_backup(path))

    def open_damaged_read_only(self, path: Path) -> bool:
        """Open a damaged workspace read-only, to see what can still be read."""
        self._clear_messages()
        try:
            workspace = Workspace.open(path, read_only=True, damaged_ok=True)
        except DomainError as error:
            self.show_message(MessageKind.ERROR, error.message)
            return False
        self.session.attach(workspace)
        banner = self.read_only_banner
        if banner is not None and banner.action_button is not None:
            banner.action_button.hide()  # it would only be refused again
        bar = self.show_message(
            MessageKind.WARNING,
            _(
                "{name} is damaged and open read-only: what is shown may be incomplete, and "
                "nothing can be changed."
            ).format(name=path.name),
        )
        from kpidesk.services.backups import list_backups

        if list_backups(path):
            restore = bar.add_button(_("Restore from a backup…"))
            restore.clicked.connect(lambda: self.restore_workspace_from_backup(path))
        return True

    def open_workspace_dialog(self) -> None:
        start = self.session.path.parent if self.session.path else None
        path = dialogs.ask_open_workspace(self, start)
        if path is not None:
            self.open_workspace(path)

    def new_workspace(self) -> None:
        path = dialogs.ask_new_workspace(self)
        if path is None:
            return
        self.create_and_open(path)

    def create_and_open(self, path: Path) -> bool:
        from kpidesk.services.workspaces import create_workspace

        self._clear_messages()
        try:
            workspace = create_workspace(path, language=i18n.current_language())
        except DomainError as error:
            self.show_message(MessageKind.ERROR, error.message)
            return False
        except OSError as error:
            self.show_message(
                MessageKind.ERROR,
                _("Could not write {path}: {reason}").format(path=path, reason=os_reason(error)),
            )
            return False
        self.session.attach(workspace)
        self.settings.add_recent_file(workspace.location)
        return True

    def open_demo(self) -> bool:
        path = demo_workspace_path()
        if not path.exists():
            from kpidesk.services.workspaces import write_demo

            QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
            try:
                write_demo(path, language=i18n.current_language())
            except DomainError as error:
                self.show_message(MessageKind.ERROR, error.message)
                return False
            finally:
                QApplication.restoreOverrideCursor()
        return self.open_workspace(path)

    def save_copy_as(self) -> None:
        workspace = self.session.workspace
        if workspace is None:
            return
        if workspace.path is not None:
            suggested = workspace.path.with_name(
                _("{name} copy").format(name=workspace.path.stem) + FILE_SUFFIX
            )
        else:
            suggested = Path.home() / (
                _("{name} copy").format(name=location_name(workspace.location)) + FILE_SUFFIX
            )
        destination = dialogs.ask_copy_destination(self, suggested)
        if destination is None:
            return
        self.save_copy_to(destination)

    def merge_copy(self, path: Path | None = None) -> None:
        """Merge a copy of this workspace back into it (see ui/merge_dialog.py)."""
        from kpidesk.ui.merge_dialog import MergeFlow

        self.merge_flow = MergeFlow(self)
        self.merge_flow.start(path)

    def save_copy_to(self, destination: Path) -> bool:
        workspace = self.session.workspace
        if workspace is None:
            return False
        try:
            workspace.save_copy(destination)
        except DomainError as error:
            self.show_message(MessageKind.ERROR, error.message)
            return False
        except OSError as error:
            self.show_message(
                MessageKind.ERROR,
                _("Could not write {path}: {reason}").format(
                    path=destination, reason=os_reason(error)
                ),
            )
            return False
        self.statusBar().showMessage(_("Saved a copy as {path}.").format(path=destination), 8000)
        return True

    def close_workspace(self) -> None:
        self._clear_messages()
        self.session.close()
        self.settings.forget_last_workspace()

    def open_restore_dialog(self, dialog: RestoreDialog) -> Path | None:
        """Show the restore dialog; tests replace this."""
        return dialog.chosen() if dialog.exec() == QDialog.DialogCode.Accepted else None

    def restore_from_backup(self) -> bool:
        """Close the workspace, put the chosen backup in its place, and open it again."""
        path = self.session.path
        if path is None or self.session.read_only:
            return False
        return self.restore_workspace_from_backup(path)

    def restore_workspace_from_backup(self, path: Path) -> bool:
        """Put the chosen backup in the place of ``path`` (closed first if it is open here;
        a damaged file is moved aside, not lost), and open it."""
        from kpidesk.services.backups import restore_backup
        from kpidesk.ui.restore_dialog import RestoreDialog

        backup = self.open_restore_dialog(RestoreDialog(path, self))
        if backup is None:
            return False
        self._clear_messages()
        if self.session.path is not None and same_file(self.session.path, path):
            self.session.close()
        try:
            previous = restore_backup(path, backup)
        except DomainError as error:
            self.open_workspace(path)
            self.show_message(MessageKind.ERROR, error.message)
            return False
        self.open_workspace(path)
        if previous is not None and ".damaged-" in previous.name:
            text = _("Restored {name}. The damaged file was kept beside it as {aside}.").format(
                name=backup.name, aside=previous.name
            )
        else:
            text = _("Restored {name}. The state before it was kept as a backup too.").format(
                name=backup.name
            )
        self.show_message(MessageKind.INFO, text)
        return True

    def export(self) -> None:
        """File → Export: a pack, PDF, template, CSV or chart images; from the Reviews page,
        the pack of the review shown there."""
        if not self.session.is_open:
            return
        from kpidesk.ui.export_dialog import ExportDialog

        page = self.current_page()
        review_id = page.current_review_id() if page.key == "reviews" else None  # type: ignore[attr-defined]
        dialog = ExportDialog(self.session, self, review_id=review_id)
        dialog.exec()
        dialog.deleteLater()

    def collect_figures(self) -> None:
        """File → Collect Figures…: a reporting round; then the Reporting page shows it."""
        from kpidesk.ui.collect_dialog import collect_figures

        collect_figures(self)

    def edit_rhythm(self) -> None:
        from kpidesk.ui.rhythm_dialog import RhythmDialog

        if self.session.is_open:
            RhythmDialog(self.session, self).exec()

    def show_about(self) -> None:
        from kpidesk.ui.about import show_about

        show_about(self)

    def open_chart(self, kpi_id: int) -> None:
        from kpidesk.ui.charts import open_kpi_chart  # pyqtgraph loads on the first chart

        open_kpi_chart(self.session, kpi_id, parent=self)

    def compare_units(self) -> None:
        from kpidesk.ui.charts import open_comparison

        open_comparison(self.session, kpi_id=None, parent=self)

    def edit_units(self) -> None:
        if not self.session.is_open:
            return
        from kpidesk.ui.units_dialog import UnitsDialog

        dialog = UnitsDialog(self.session, self)
        dialog.exec()
        dialog.deleteLater()

    # language ---------------------------------------------------------------------------
    def set_language(self, language: str | None) -> None:
        """Switch the whole window to ``language`` (None: the system's) at once."""
        self.settings.language = language
        chosen = i18n.set_language(language)
        self.languageChanged.emit(chosen)
        if "kpidesk.ui.charts" in sys.modules:
            sys.modules["kpidesk.ui.charts"].forget_windows(self.session)
        current = self.navigation.currentRow()
        old = self.centralWidget()
        self._build(max(0, current))
        old.deleteLater()
        self._workspace_changed()
        self._refresh_current_page()

    def import_spreadsheet(self, path: Path | None = None) -> None:
        """File → Import (Ctrl+I), or a spreadsheet or SIE file dropped on the window: the
        import wizard."""
        if not self.session.is_open or self.session.read_only:
            self.show_message(
                MessageKind.WARNING, _("Open a workspace for writing to import into it.")
            )
            return
        from kpidesk.ui.import_wizard import open_import_wizard

        self.import_wizard = open_import_wizard(self.session, self, path)

    # window events ----------------------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if _workspace_urls(event) or _spreadsheet_urls(event):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = _workspace_urls(event)
        if paths:
            event.acceptProposedAction()
            self.open_workspace(paths[0])
        elif spreadsheets := _spreadsheet_urls(event):
            event.acceptProposedAction()
            self.import_spreadsheet(spreadsheets[0])

    def closeEvent(self, event: QCloseEvent) -> None:
        self.settings.geometry = self.saveGeometry()
        self.settings.window_state = self.saveState()
        self.session.close()
        self.settings.sync()
        event.accept()


def _workspace_urls(event: QDragEnterEvent | QDropEvent) -> list[Path]:
    mime = event.mimeData()
    if not mime.hasUrls():
        return []
    return [
        Path(url.toLocalFile())
        for url in mime.urls()
        if url.isLocalFile() and url.toLocalFile().lower().endswith(FILE_SUFFIX)
    ]


def _spreadsheet_urls(event: QDragEnterEvent | QDropEvent) -> list[Path]:
    """The dropped files the import wizard takes: spreadsheets and SIE files (by content)."""
    from kpidesk.ui.import_wizard import is_importable

    mime = event.mimeData()
    if not mime.hasUrls():
        return []
    paths = [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()]
    return [path for path in paths if is_importable(path)]
