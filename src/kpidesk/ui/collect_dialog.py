"""File → Collect Figures…: a reporting round for a period, one pre-filled template per KPI
owner written into a folder, each with a calendar event for the due date."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kpidesk.domain.errors import DomainError
from kpidesk.domain.periods import PeriodError, format_period, parse_period
from kpidesk.i18n import _, ngettext
from kpidesk.services import reporting
from kpidesk.services.reporting import StartedRound
from kpidesk.ui.forms import buddy_label, error_label
from kpidesk.ui.session import WorkspaceSession
from kpidesk.ui.widgets import MessageKind

if TYPE_CHECKING:
    from kpidesk.ui.main_window import MainWindow

DEFAULT_DAYS = 10


class CollectDialog(QDialog):
    def __init__(self, session: WorkspaceSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.started: StartedRound | None = None
        self.folder: Path | None = None
        self.setWindowTitle(_("Collect Figures"))
        self.setMinimumWidth(560)
        layout = QVBoxLayout(self)
        intro = QLabel(
            _(
                "Writes one data template per KPI owner, with only that owner's KPIs, filled "
                "with the values already stored. Send each to its owner; importing a returned "
                "template marks the figures delivered."
            )
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        context = session.context
        self.period_edit = QLineEdit(format_period(context.period) if context else "")
        self.period_edit.setAccessibleName(_("Period"))
        form.addRow(buddy_label(_("&Period:"), self.period_edit), self.period_edit)
        self.due_edit = QDateEdit()
        self.due_edit.setCalendarPopup(True)
        self.due_edit.setDisplayFormat("yyyy-MM-dd")
        due = date.today() + timedelta(days=DEFAULT_DAYS)
        self.due_edit.setDate(QDate(due.year, due.month, due.day))
        form.addRow(buddy_label(_("&Due by:"), self.due_edit), self.due_edit)
        folder_row = QHBoxLayout()
        start = session.path.parent if session.path is not None else Path.home()
        self.folder_edit = QLineEdit(str(start))
        self.folder_edit.setAccessibleName(_("Folder"))
        browse = QPushButton(_("&Browse…"))
        browse.clicked.connect(self._browse)
        folder_row.addWidget(self.folder_edit, 1)
        folder_row.addWidget(browse)
        form.addRow(buddy_label(_("&Folder:"), self.folder_edit), folder_row)
        layout.addLayout(form)
        self.error = error_label()
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.write_button = buttons.addButton(
            _("&Write Templates"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        buttons.accepted.connect(self.write)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _browse(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, _("Folder"), self.folder_edit.text())
        if chosen:
            self.folder_edit.setText(chosen)

    def _show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()

    def write(self) -> bool:
        """Start the round; on success the dialog closes and :attr:`started` holds it."""
        assert self.session.workspace is not None
        try:
            period = parse_period(self.period_edit.text())
        except PeriodError as error:
            self._show_error(error.message)
            return False
        due = self.due_edit.date().toPython()
        folder = Path(self.folder_edit.text()).expanduser()
        try:
            started = reporting.start_round(self.session.workspace, period, due, folder)
            with self.session.workspace.bound():
                for each in started.files:
                    note = reporting.reminder(started.round_id, each.owner, folder=folder)
                    each.path.with_suffix(".ics").write_text(note.ics, encoding="utf-8", newline="")
        except (DomainError, OSError) as error:
            self._show_error(str(error))
            return False
        self.started = started
        self.folder = folder
        self.session.dataChanged.emit()
        self.accept()
        return True


def collect_figures(window: MainWindow) -> None:
    """Run the dialog; after a round is started, show it on the Reporting page."""
    if not window.session.is_open:
        return
    dialog = CollectDialog(window.session, window)
    if dialog.exec() and dialog.started is not None:
        window.show_page(list(window.pages).index("reporting"))
        page = window.current_page()
        page.folder = dialog.folder  # type: ignore[attr-defined]
        page.refresh()
        window.show_message(MessageKind.INFO, started_text(dialog.started))
    dialog.deleteLater()


def started_text(started: StartedRound) -> str:
    text = ngettext(
        "Wrote {count} template for {name}.",
        "Wrote {count} templates for {name}.",
        len(started.files),
    ).format(count=len(started.files), name=started.name)
    if started.without_owner:
        text += " " + _("Left out, without an owner: {names}").format(
            names=", ".join(started.without_owner)
        )
    return text
