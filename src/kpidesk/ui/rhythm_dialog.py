"""Workspace → Follow-up Rhythm…: monthly, quarterly or on chosen dates, the next review's
day, the year's reviews listed and saved as calendar events."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kpidesk.domain.errors import DomainError
from kpidesk.domain.periods import format_day
from kpidesk.domain.rhythm import Rhythm, parse_dates, review_dates
from kpidesk.i18n import _
from kpidesk.services import follow_up
from kpidesk.services.follow_up import RHYTHM_LABELS, FollowUpRhythm
from kpidesk.ui.forms import FieldBox, OptionalDateEdit, buddy_label, error_label
from kpidesk.ui.session import WorkspaceSession


class RhythmDialog(QDialog):
    def __init__(self, session: WorkspaceSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.year = date.today().year
        self.setWindowTitle(_("Follow-up Rhythm"))
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        with session.workspace.bound():  # type: ignore[union-attr]
            current = follow_up.read_rhythm()
        self.rhythm_combo = QComboBox()
        for rhythm in Rhythm:
            self.rhythm_combo.addItem(_(RHYTHM_LABELS[rhythm]), rhythm.value)
        self.rhythm_combo.setCurrentIndex(self.rhythm_combo.findData(current.rhythm.value))
        form.addRow(buddy_label(_("&Rhythm:"), self.rhythm_combo), self.rhythm_combo)
        self.next_edit = OptionalDateEdit()
        self.next_edit.set_value(current.next_on)
        form.addRow(
            buddy_label(_("&Next review:"), self.next_edit),
            FieldBox(
                self.next_edit,
                _("The reviews after it follow on the same day of the month."),
                stretch=False,
            ),
        )
        self.dates_edit = QLineEdit(" ".join(day.isoformat() for day in current.dates))
        self.dates_edit.setPlaceholderText("2026-03-12 2026-06-11 …")
        form.addRow(
            buddy_label(_("&Dates:"), self.dates_edit),
            FieldBox(self.dates_edit, _("For the rhythm “On chosen dates”.")),
        )
        layout.addLayout(form)
        self.preview = QLabel()
        self.preview.setWordWrap(True)
        layout.addWidget(self.preview)
        self.error = error_label()
        layout.addWidget(self.error)
        self.ics_button = QPushButton(_("Save the Year's Reviews as a &Calendar…"))
        self.ics_button.clicked.connect(lambda: self.save_year_ics())
        layout.addWidget(self.ics_button)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        for signal in (
            self.rhythm_combo.currentIndexChanged,
            self.dates_edit.textChanged,
        ):
            signal.connect(self._update_preview)
        self.next_edit.dateChanged.connect(self._update_preview)
        self._update_preview()

    def value(self) -> FollowUpRhythm:
        return FollowUpRhythm(
            Rhythm(self.rhythm_combo.currentData()),
            self.next_edit.value(),
            tuple(parse_dates(self.dates_edit.text())),
        )

    def _update_preview(self) -> None:
        value = self.value()
        self.dates_edit.setEnabled(value.rhythm is Rhythm.DATES)
        days = review_dates(
            value.rhythm,
            date(self.year, 1, 1),
            date(self.year, 12, 31),
            anchor=value.next_on,
            dates=value.dates,
        )
        listed = ", ".join(format_day(day, year=False) for day in days) or "–"
        self.preview.setText(_("Reviews in {year}: {days}").format(year=self.year, days=listed))

    def accept(self) -> None:
        if self.save():
            super().accept()

    def save(self) -> bool:
        try:
            follow_up.set_rhythm(self.session.workspace, self.value())  # type: ignore[arg-type]
        except DomainError as error:
            self.error.setText(error.message)
            self.error.show()
            return False
        self.session.dataChanged.emit()
        return True

    def save_year_ics(self, path: Path | None = None) -> Path | None:
        if not self.save():
            return None
        if path is None:
            chosen, _filter = QFileDialog.getSaveFileName(
                self,
                _("Save the Year's Reviews"),
                str(Path.home() / f"{self.year}.ics"),
                _("Calendar files (*.ics)"),
            )
            if not chosen:
                return None
            path = Path(chosen)
        with self.session.workspace.bound():  # type: ignore[union-attr]
            text = follow_up.year_ics(self.year)
        path.write_text(text, encoding="utf-8", newline="")
        return path
