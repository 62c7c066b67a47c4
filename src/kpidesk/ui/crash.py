"""When something goes wrong: a copyable report instead of a silent death."""

from __future__ import annotations

import logging
import platform
import sys
import traceback
from types import TracebackType

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import qVersion
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kpidesk import __version__
from kpidesk.i18n import _
from kpidesk.paths import user_log_dir

log = logging.getLogger("kpidesk.crash")


def build_report(
    exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
) -> str:
    lines = [
        f"KPI Desk {__version__}",
        f"Python {platform.python_version()}, PySide6 {pyside_version}, Qt {qVersion()}",
        f"{platform.system()} {platform.release()} ({platform.machine()})",
        "",
        *traceback.format_exception(exc_type, exc, tb),
    ]
    return "\n".join(line.rstrip("\n") for line in lines)


class ErrorReportDialog(QDialog):
    def __init__(self, report: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("KPI Desk ran into a problem"))
        self.resize(640, 420)
        layout = QVBoxLayout(self)
        intro = QLabel(
            _(
                "Something went wrong that KPI Desk did not expect. Your workspace is saved as "
                "you go, so nothing you entered before this is lost. Please copy this report "
                "and send it to us; the log is in {folder}."
            ).format(folder=user_log_dir())
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.text = QPlainTextEdit(report)
        self.text.setReadOnly(True)
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        layout.addWidget(self.text, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy_button = QPushButton(_("&Copy report"))
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.clicked.connect(self.copy)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)
        layout.addWidget(buttons)

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.text.toPlainText())


class ExceptionHook:
    """Replaces ``sys.excepthook`` while the app runs; logs and shows each error once."""

    def __init__(self, *, show_dialog: bool = True) -> None:
        self.show_dialog = show_dialog
        self.last_dialog: ErrorReportDialog | None = None
        self._showing = False
        self._previous = sys.excepthook

    def install(self) -> None:
        sys.excepthook = self

    def uninstall(self) -> None:
        sys.excepthook = self._previous

    def __call__(
        self, exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
    ) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            QApplication.quit()
            return
        if _said_in_the_window(exc):
            return
        report = build_report(exc_type, exc, tb)
        log.error("unhandled exception\n%s", report)
        if self._showing or QApplication.instance() is None:
            print(report, file=sys.stderr)
            return
        self._showing = True
        try:
            self.last_dialog = ErrorReportDialog(report, QApplication.activeWindow())
            if self.show_dialog:
                self.last_dialog.exec()
            else:
                self.last_dialog.show()
        finally:
            self._showing = False


def _said_in_the_window(exc: BaseException) -> bool:
    """A workspace that cannot be reached now (a server's lost connection, met by a read no
    page expected to fail) is said in one line in the main window, not as a crash."""
    from kpidesk.store.errors import WorkspaceError

    if not isinstance(exc, WorkspaceError) or QApplication.instance() is None:
        return False
    for widget in QApplication.topLevelWidgets():
        report = getattr(widget, "report_problem", None)
        if report is not None and widget.isVisible():
            report(exc)
            return True
    return False
