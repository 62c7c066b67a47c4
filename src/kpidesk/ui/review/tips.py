"""Best practice beside one KPI of the agenda: the best unit and the gap to it, and the "what
works" tips written for the KPI, added, marked tried and removed in place."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kpidesk.domain.periods import format_day
from kpidesk.i18n import _
from kpidesk.services import tips as tip_service
from kpidesk.services.reviews import AgendaItem
from kpidesk.services.reviews.best import best_practice_text
from kpidesk.services.tips import TipData, TipRow
from kpidesk.ui.forms import OptionalDateEdit, error_label, heading
from kpidesk.ui.icons import icon
from kpidesk.ui.review.common import ROW_ID, _fit_height, _tree
from kpidesk.ui.undo import CallbackCommand

if TYPE_CHECKING:
    from kpidesk.ui.review.meeting import ReviewMeeting


class TipEditor(QDialog):
    """A tip's text, writer and unit, and whether (when, with what result) it was tried."""

    def __init__(
        self,
        data: TipData,
        units: list[tuple[str, int]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Tip"))
        self.setMinimumWidth(480)
        form = QFormLayout(self)
        self.text = QPlainTextEdit(data.text)
        self.text.setTabChangesFocus(True)
        self.text.setFixedHeight(72)
        form.addRow(_("&What works:"), self.text)
        self.author = QLineEdit(data.author)
        form.addRow(_("&Written by:"), self.author)
        self.unit = QComboBox()
        self.unit.addItem(_("Every unit"), None)
        for name, unit_id in units:
            self.unit.addItem(name, unit_id)
        self.unit.setCurrentIndex(max(0, self.unit.findData(data.unit_id)))
        form.addRow(_("&Unit:"), self.unit)
        self.tried = QCheckBox(_("Tried"))
        self.tried.setChecked(data.tried_on is not None)
        self.tried_on = OptionalDateEdit()
        self.tried_on.set_value(data.tried_on or date.today())
        row = QHBoxLayout()
        row.addWidget(self.tried)
        row.addWidget(self.tried_on, 1)
        form.addRow(_("Tried on:"), row)
        self.result = QLineEdit(data.result)
        self.result.setPlaceholderText(_("How did it go?"))
        form.addRow(_("&Result:"), self.result)
        self.error = error_label()
        form.addRow(self.error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.tried.toggled.connect(self._tried_changed)
        self._tried_changed(self.tried.isChecked())

    def _tried_changed(self, tried: bool) -> None:
        self.tried_on.setEnabled(tried)
        self.result.setEnabled(tried)

    def result_data(self) -> TipData:
        tried = self.tried.isChecked()
        return TipData(
            text=self.text.toPlainText().strip(),
            author=self.author.text().strip(),
            unit_id=self.unit.currentData(),
            tried_on=(self.tried_on.value() or date.today()) if tried else None,
            result=self.result.text().strip() if tried else "",
        )

    def accept(self) -> None:
        if not self.result_data().text:
            self.error.setText(_("A tip needs a text."))
            self.error.show()
            return
        super().accept()


class TipsPanel(QWidget):
    """ "Best practice" for one KPI: the best unit, then the tips and a line to add one."""

    def __init__(self, meeting: ReviewMeeting, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.meeting = meeting
        self.item: AgendaItem | None = None
        self.review_id: int | None = None
        self._rows: dict[int, TipRow] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(heading(_("Best practice")))
        self.best = QLabel()
        self.best.setObjectName("bestPractice")
        self.best.setWordWrap(True)
        self.best.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.best)
        self.tips = _tree([_("What works"), _("Written"), _("Tried")], _("Tips"))
        self.tips.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.tips.header().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.tips.header().setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.tips.header().setStretchLastSection(False)
        self.tips.itemDoubleClicked.connect(lambda *_args: self.edit_tip())
        self.tips.itemSelectionChanged.connect(self._update_buttons)
        layout.addWidget(self.tips)
        form = QHBoxLayout()
        self.tip_text = QLineEdit()
        self.tip_text.setPlaceholderText(_("What works, e.g. from the best unit"))
        self.tip_text.setAccessibleName(_("New tip"))
        self.tip_text.returnPressed.connect(self.add_tip)
        self.tip_author = QLineEdit()
        self.tip_author.setPlaceholderText(_("Written by"))
        self.tip_author.setAccessibleName(_("Written by"))
        self.tip_unit = QComboBox()
        self.tip_unit.setAccessibleName(_("Unit"))
        self.add_button = QPushButton(icon("plus"), _("Add tip"))
        self.add_button.clicked.connect(self.add_tip)
        self.edit_button = QPushButton(_("Mark tried…"))
        self.edit_button.clicked.connect(self.edit_tip)
        self.remove_button = QPushButton(_("Remove"))
        self.remove_button.clicked.connect(self.remove_tip)
        form.addWidget(self.tip_text, 3)
        form.addWidget(self.tip_author, 1)
        form.addWidget(self.tip_unit, 1)
        for button in (self.add_button, self.edit_button, self.remove_button):
            form.addWidget(button)
        layout.addLayout(form)

    def fill(self, item: AgendaItem, currency: str, *, review_id: int, kpi_changed: bool) -> None:
        self.item = item
        self.review_id = review_id
        text = best_practice_text(item, currency)
        if not text:
            text = (
                _("No other unit does better this period.")
                if item.status.value in ("red", "amber")
                else _("On track: no comparison needed.")
            )
        self.best.setText(text)
        selected = self.tips.currentItem().data(0, ROW_ID) if self.tips.currentItem() else None
        self._rows = {row.id: row for row in item.tips}
        self.tips.clear()
        for row in item.tips:
            written = ", ".join(
                part
                for part in (
                    row.data.author,
                    row.unit,
                    format_day(row.created_at.date()) if row.created_at else "",
                )
                if part
            )
            tried = ""
            if row.data.tried_on is not None:
                tried = format_day(row.data.tried_on)
                if row.data.result:
                    tried += f": {row.data.result}"
            entry = QTreeWidgetItem([row.data.text, written, tried])
            entry.setData(0, ROW_ID, row.id)
            entry.setToolTip(0, row.data.text)
            if row.data.result:
                entry.setToolTip(2, row.data.result)
            self.tips.addTopLevelItem(entry)
            if row.id == selected:
                self.tips.setCurrentItem(entry)
        if not item.tips:
            placeholder = QTreeWidgetItem([_("No tips yet.")])
            placeholder.setFlags(Qt.ItemFlag.NoItemFlags)
            self.tips.addTopLevelItem(placeholder)
        _fit_height(self.tips)
        if kpi_changed:
            self.tip_unit.clear()
            self.tip_unit.addItem(_("Every unit"), None)
            for name, unit_id in self._units():
                self.tip_unit.addItem(name, unit_id)
            best = item.best.unit_id if item.best is not None else None
            self.tip_unit.setCurrentIndex(max(0, self.tip_unit.findData(best)))
        self._update_buttons()

    def _units(self) -> list[tuple[str, int]]:
        units = [(f.unit, f.unit_id) for f in self.item.figures if f.unit_id is not None]
        if self.item is not None and self.item.best is not None:
            best = (self.item.best.unit, self.item.best.unit_id)
            if best[1] is not None and best not in units:
                units.append(best)  # type: ignore[arg-type]
        return units  # type: ignore[return-value]

    def _selected(self) -> TipRow | None:
        current = self.tips.currentItem()
        return self._rows.get(current.data(0, ROW_ID)) if current is not None else None

    def _update_buttons(self) -> None:
        writable = self.meeting.session_writable()
        for widget in (self.tip_text, self.tip_author, self.tip_unit, self.add_button):
            widget.setVisible(writable)
        for button in (self.edit_button, self.remove_button):
            button.setVisible(writable)
            button.setEnabled(writable and self._selected() is not None)

    # commands: a tip outlives its review, so it can be written while the review is closed
    def _push(self, text: str, do, undo) -> None:  # type: ignore[no-untyped-def]
        session = self.meeting.session
        session.undo_stack.push(CallbackCommand(text, do, undo, session.dataChanged.emit))

    def add_tip(self) -> None:
        if self.item is None or not self.meeting.session_writable():
            return
        text = self.tip_text.text().strip()
        if not text:
            return
        data = TipData(text, self.tip_author.text().strip(), self.tip_unit.currentData())
        workspace, kpi_id, review_id = (
            self.meeting.session.workspace,
            self.item.kpi_id,
            self.review_id,
        )
        created: dict[str, int] = {}

        def do() -> None:
            created["id"] = tip_service.add_tip(workspace, kpi_id, data, review_id=review_id)

        self.tip_text.clear()
        self._push(_("Add tip"), do, lambda: tip_service.delete_tip(workspace, created["id"]))

    def edit_tip(self) -> None:
        row = self._selected()
        if row is None or not self.meeting.session_writable():
            return
        editor = TipEditor(row.data, self._units(), self)
        if not self.meeting.open_editor(editor):
            return
        data, before, workspace = editor.result_data(), row.data, self.meeting.session.workspace
        if data == before:
            return
        self._push(
            _("Edit tip"),
            lambda: tip_service.update_tip(workspace, row.id, data),
            lambda: tip_service.update_tip(workspace, row.id, before),
        )

    def remove_tip(self) -> None:
        row = self._selected()
        if row is None or not self.meeting.session_writable():
            return
        workspace = self.meeting.session.workspace
        deleted: dict[str, tip_service.DeletedTip] = {}
        tip_id = {"id": row.id}

        def do() -> None:
            deleted["tip"] = tip_service.delete_tip(workspace, tip_id["id"])

        def undo() -> None:
            tip_id["id"] = tip_service.restore_tip(workspace, deleted["tip"])

        self._push(_("Remove tip"), do, undo)
