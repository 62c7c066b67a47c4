"""The dialogs of a review: a decision's and an action's editor (one form), closing and
reopening."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from kpidesk.domain.naming import kpi_title
from kpidesk.i18n import _
from kpidesk.services import goals as goal_service
from kpidesk.services import initiatives as initiative_service
from kpidesk.services import kpis as kpi_service
from kpidesk.services.actions import ActionData, validate_action
from kpidesk.services.kpis import KpiFilter
from kpidesk.services.reviews import (
    DecisionData,
)
from kpidesk.ui.action_status import (
    ActionStatusCombo,
)
from kpidesk.ui.forms import FieldBox, OptionalDateEdit


def _kpi_choices() -> list[tuple[str, int]]:
    return [
        (kpi_title(row.data.name, row.data.code), row.id)
        for row in kpi_service.list_kpis(KpiFilter(show_archived=True))
    ]


def _goal_choices() -> list[tuple[str, int]]:
    return [("\u2003" * g.depth + g.data.title, g.id) for g in goal_service.goal_tree()]


def _link_combo(nothing: str, choices: list[tuple[str, int]], current: int | None) -> QComboBox:
    combo = QComboBox()
    combo.addItem(nothing, None)
    for text, value in choices:
        combo.addItem(text, value)
    combo.setCurrentIndex(max(0, combo.findData(current)))
    return combo


class RecordEditor(QDialog):
    """The form a decision and an action share: the record's own fields first, then the KPI
    and the goal it is about, then OK and Cancel; OK keeps the dialog open while
    :meth:`problem` finds something to say beside a field."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(520)
        self.form = QFormLayout(self)

    def _add_links(self, kpi_id: int | None, goal_id: int | None) -> None:
        """The KPI and goal rows and the buttons, after the record's own fields."""
        self.kpi_combo = _link_combo(_("No KPI"), _kpi_choices(), kpi_id)
        self.form.addRow(_("&KPI:"), self.kpi_combo)
        self.goal_combo = _link_combo(_("No goal"), _goal_choices(), goal_id)
        self.form.addRow(_("&Goal:"), self.goal_combo)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.form.addRow(self.buttons)

    def problem(self) -> bool:
        """Show what is missing beside its field; True if something is."""
        return False

    def accept(self) -> None:
        if not self.problem():
            super().accept()


class ActionEditor(RecordEditor):
    """Every field of an action; the message for a missing title shows beside the field."""

    def __init__(self, data: ActionData, *, new: bool, parent: QWidget | None = None) -> None:
        super().__init__(_("New action") if new else _("Edit action"), parent)
        form = self.form
        self.title_edit = QLineEdit(data.title)
        self.title_field = FieldBox(self.title_edit, _("What is to be done, concretely."))
        form.addRow(_("&What:"), self.title_field)
        self.description_edit = QPlainTextEdit(data.description)
        self.description_edit.setTabChangesFocus(True)
        self.description_edit.setFixedHeight(70)
        form.addRow(_("&Details:"), self.description_edit)
        self.owner_edit = QLineEdit(data.owner)
        form.addRow(_("&Owner:"), self.owner_edit)
        self.due_edit = OptionalDateEdit()
        self.due_edit.set_value(data.due_date)
        form.addRow(_("D&ue:"), FieldBox(self.due_edit, stretch=False))
        self.status_combo = ActionStatusCombo(data.status)
        form.addRow(_("&Status:"), self.status_combo)
        self._add_links(data.kpi_id, data.goal_id)
        self.initiative_combo = _link_combo(
            _("No initiative"),
            [
                (f"{row.data.title} ({row.goal_title})", row.id)
                for row in initiative_service.list_initiatives()
            ],
            data.initiative_id,
        )
        form.insertRow(form.rowCount() - 1, _("&Initiative:"), self.initiative_combo)

    def result_data(self) -> ActionData:
        return ActionData(
            title=self.title_edit.text().strip(),
            description=self.description_edit.toPlainText().strip(),
            owner=self.owner_edit.text().strip(),
            due_date=self.due_edit.value(),
            status=self.status_combo.status(),
            kpi_id=self.kpi_combo.currentData(),
            goal_id=self.goal_combo.currentData(),
            initiative_id=self.initiative_combo.currentData(),
        )

    def problem(self) -> bool:
        problems = validate_action(self.result_data())
        self.title_field.set_error(_(problems["title"]) if "title" in problems else None)
        return bool(problems)


class DecisionEditor(RecordEditor):
    def __init__(self, data: DecisionData, parent: QWidget | None = None) -> None:
        super().__init__(_("Edit decision"), parent)
        form = self.form
        self.text_edit = QLineEdit(data.text)
        self.text_field = FieldBox(self.text_edit)
        form.addRow(_("&Decision:"), self.text_field)
        self.date_edit = OptionalDateEdit()
        self.date_edit.set_value(data.decided_on)
        form.addRow(_("Decided &on:"), FieldBox(self.date_edit, stretch=False))
        self.by_edit = QLineEdit(data.decided_by)
        form.addRow(_("Decided &by:"), self.by_edit)
        self._add_links(data.kpi_id, data.goal_id)

    def result_data(self) -> DecisionData:
        return DecisionData(
            text=self.text_edit.text().strip(),
            decided_on=self.date_edit.value(),
            decided_by=self.by_edit.text().strip(),
            kpi_id=self.kpi_combo.currentData(),
            goal_id=self.goal_combo.currentData(),
        )

    def problem(self) -> bool:
        if not self.result_data().text:
            self.text_field.set_error(_("A decision needs a text."))
            return True
        return False


def confirm_close(parent: QWidget, title: str, details: str) -> bool:
    """Ask before closing a review; tests replace this function."""
    box = QMessageBox(
        QMessageBox.Icon.Question,
        _("Close review"),
        _("Close the review “{title}”?").format(title=title),
        QMessageBox.StandardButton.Cancel,
        parent,
    )
    box.setInformativeText(details)
    close = box.addButton(_("Close review"), QMessageBox.ButtonRole.AcceptRole)
    box.setDefaultButton(close)
    box.exec()
    return box.clickedButton() is close


class ReopenDialog(QDialog):
    """Reopening is explicit: it says what it means, and asks why."""

    def __init__(self, title: str, closed_at: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Reopen review"))
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        text = QLabel(
            _(
                "“{title}” was closed {closed}. Reopening makes it editable again. The numbers "
                "stay as they were presented, and the reopening is kept in the review's trace "
                "with the time and your note."
            ).format(title=title, closed=closed_at)
        )
        text.setWordWrap(True)
        layout.addWidget(text)
        self.note_edit = QLineEdit()
        self.note_edit.setPlaceholderText(_("Why is it reopened?"))
        self.note_edit.setAccessibleName(_("Why is it reopened?"))
        self.note_field = FieldBox(self.note_edit, _("Required: the note is kept in the trace."))
        layout.addWidget(self.note_field)
        self.refresh_box = QCheckBox(_("Show today's numbers instead of those presented"))
        layout.addWidget(self.refresh_box)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.reopen_button = self.buttons.addButton(
            _("Reopen"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.reopen_button.setEnabled(False)
        self.note_edit.textChanged.connect(
            lambda text: self.reopen_button.setEnabled(bool(text.strip()))
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)


def ask_reopen(parent: QWidget, title: str, closed_at: str) -> tuple[str, bool] | None:
    """The note and whether to show today's numbers, or None if cancelled; tests replace it."""
    dialog = ReopenDialog(title, closed_at, parent)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.note_edit.text().strip(), dialog.refresh_box.isChecked()
