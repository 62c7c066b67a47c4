"""A goal's initiatives on the Goals page: each with its owner, dates and status, and its
milestones under it (ticked when done, red when late); added, edited and removed through
an editor, every change undoable."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kpidesk.domain.errors import DomainError
from kpidesk.domain.periods import format_day
from kpidesk.i18n import _
from kpidesk.services import initiatives as service
from kpidesk.services.initiatives import (
    INITIATIVE_STATUS_LABELS,
    InitiativeData,
    InitiativeRow,
    MilestoneData,
)
from kpidesk.ui.action_status import OVERDUE_COLOR
from kpidesk.ui.forms import OptionalDateEdit, error_label
from kpidesk.ui.icons import icon
from kpidesk.ui.session import WorkspaceSession
from kpidesk.ui.undo import CallbackCommand

ROW_ID = Qt.ItemDataRole.UserRole + 20
KIND = Qt.ItemDataRole.UserRole + 21


class InitiativeEditor(QDialog):
    """An initiative's fields and its milestones (title, date, done) in a table."""

    def __init__(self, data: InitiativeData, *, new: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("New initiative") if new else _("Edit initiative"))
        self.setMinimumWidth(560)
        form = QFormLayout(self)
        self.title_edit = QLineEdit(data.title)
        form.addRow(_("&Initiative:"), self.title_edit)
        self.owner_edit = QLineEdit(data.owner)
        form.addRow(_("&Owner:"), self.owner_edit)
        self.start_edit = OptionalDateEdit()
        self.start_edit.set_value(data.start_date)
        form.addRow(_("&Start:"), self.start_edit)
        self.end_edit = OptionalDateEdit()
        self.end_edit.set_value(data.end_date)
        form.addRow(_("&End:"), self.end_edit)
        self.status_combo = QComboBox()
        for status, label in INITIATIVE_STATUS_LABELS.items():
            self.status_combo.addItem(_(label), status.value)
        self.status_combo.setCurrentIndex(max(0, self.status_combo.findData(data.status)))
        form.addRow(_("Stat&us:"), self.status_combo)
        self.milestones = QTableWidget(0, 3)
        self.milestones.setHorizontalHeaderLabels([_("Milestone"), _("Date"), _("Done")])
        self.milestones.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.milestones.verticalHeader().hide()
        self.milestones.setAccessibleName(_("Milestones"))
        for milestone in data.milestones:
            self.add_milestone(milestone)
        buttons_row = QHBoxLayout()
        add = QPushButton(icon("plus"), _("Add milestone"))
        add.clicked.connect(lambda: self.add_milestone(MilestoneData("")))
        remove = QPushButton(_("Remove milestone"))
        remove.clicked.connect(
            lambda: (
                self.milestones.removeRow(self.milestones.currentRow())
                if self.milestones.currentRow() >= 0
                else None
            )
        )
        buttons_row.addWidget(add)
        buttons_row.addWidget(remove)
        buttons_row.addStretch()
        form.addRow(_("Milestones:"), self.milestones)
        form.addRow(buttons_row)
        self.error = error_label()
        form.addRow(self.error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def add_milestone(self, milestone: MilestoneData) -> None:
        row = self.milestones.rowCount()
        self.milestones.insertRow(row)
        self.milestones.setItem(row, 0, QTableWidgetItem(milestone.title))
        day = OptionalDateEdit()
        day.set_value(milestone.due_date)
        self.milestones.setCellWidget(row, 1, day)
        done = QTableWidgetItem()
        done.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled)
        done.setCheckState(Qt.CheckState.Checked if milestone.done else Qt.CheckState.Unchecked)
        self.milestones.setItem(row, 2, done)

    def result_data(self) -> InitiativeData:
        milestones = []
        for row in range(self.milestones.rowCount()):
            title = self.milestones.item(row, 0)
            day = self.milestones.cellWidget(row, 1)
            done = self.milestones.item(row, 2)
            milestones.append(
                MilestoneData(
                    title.text().strip() if title else "",
                    day.value() if isinstance(day, OptionalDateEdit) else None,
                    done is not None and done.checkState() == Qt.CheckState.Checked,
                )
            )
        return InitiativeData(
            self.title_edit.text().strip(),
            self.owner_edit.text().strip(),
            self.start_edit.value(),
            self.end_edit.value(),
            self.status_combo.currentData(),
            tuple(milestones),
        )

    def accept(self) -> None:
        try:
            service.validate(self.result_data())
        except DomainError as error:
            self.error.setText(str(error))
            self.error.show()
            return
        super().accept()


class InitiativesPanel(QWidget):
    def __init__(self, session: WorkspaceSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.goal_id: int | None = None
        self._rows: dict[int, InitiativeRow] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(
            [_("Initiative or milestone"), _("Owner"), _("When"), _("Status")]
        )
        self.tree.setAccessibleName(_("Initiatives"))
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.tree.header().setStretchLastSection(False)
        for column in (1, 2, 3):
            self.tree.header().setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.itemDoubleClicked.connect(lambda *_args: self.edit_selected())
        self.tree.itemChanged.connect(self._milestone_ticked)
        self.tree.setMinimumHeight(140)
        layout.addWidget(self.tree)
        buttons = QHBoxLayout()
        self.add_button = QPushButton(icon("plus"), _("Add initiative…"))
        self.add_button.clicked.connect(self.add_initiative)
        self.edit_button = QPushButton(_("Edit…"))
        self.edit_button.clicked.connect(self.edit_selected)
        self.remove_button = QPushButton(_("Remove"))
        self.remove_button.clicked.connect(self.remove_selected)
        for button in (self.add_button, self.edit_button, self.remove_button):
            buttons.addWidget(button)
        buttons.addStretch()
        layout.addLayout(buttons)
        self._filling = False

    def show_goal(self, goal_id: int | None, *, today: date | None = None) -> None:
        self.goal_id = goal_id
        self._filling = True
        self.tree.clear()
        rows = service.list_initiatives(goal_id=goal_id, today=today) if goal_id else []
        self._rows = {row.id: row for row in rows}
        for row in rows:
            data = row.data
            when = " – ".join(format_day(d) for d in (data.start_date, data.end_date) if d)
            top = QTreeWidgetItem([data.title, data.owner, when, row.status.label])
            top.setData(0, ROW_ID, row.id)
            top.setData(0, KIND, "initiative")
            self.tree.addTopLevelItem(top)
            for milestone in row.milestones:
                day = milestone.data.due_date
                child = QTreeWidgetItem(
                    [milestone.data.title, "", format_day(day) if day else "", ""]
                )
                child.setData(0, ROW_ID, milestone.id)
                child.setData(0, KIND, "milestone")
                child.setFlags(child.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                child.setCheckState(
                    0, Qt.CheckState.Checked if milestone.data.done else Qt.CheckState.Unchecked
                )
                if milestone.late:
                    child.setText(3, _("Late"))
                    for column in (0, 2, 3):
                        child.setForeground(column, QBrush(QColor(OVERDUE_COLOR)))
                top.addChild(child)
            top.setExpanded(True)
        if not rows:
            empty = QTreeWidgetItem([_("No initiatives yet.")])
            empty.setFlags(Qt.ItemFlag.NoItemFlags)
            self.tree.addTopLevelItem(empty)
        self._filling = False
        writable = not self.session.definitions_read_only
        self.add_button.setEnabled(writable and goal_id is not None)
        self.edit_button.setEnabled(writable and bool(rows))
        self.remove_button.setEnabled(writable and bool(rows))

    def _selected_initiative(self) -> InitiativeRow | None:
        item = self.tree.currentItem()
        while item is not None and item.data(0, KIND) != "initiative":
            item = item.parent()
        return self._rows.get(item.data(0, ROW_ID)) if item is not None else None

    def _push(self, text: str, do, undo) -> None:  # type: ignore[no-untyped-def]
        session = self.session
        session.undo_stack.push(CallbackCommand(text, do, undo, session.dataChanged.emit))

    def open_editor(self, editor: InitiativeEditor) -> bool:
        """Show an editor modally; tests replace this to fill and accept it."""
        return editor.exec() == QDialog.DialogCode.Accepted

    def add_initiative(self) -> None:
        if self.goal_id is None or self.session.definitions_read_only:
            return
        editor = InitiativeEditor(InitiativeData(""), new=True, parent=self)
        if not self.open_editor(editor):
            return
        data, goal_id, workspace = editor.result_data(), self.goal_id, self.session.workspace
        created: dict[str, int] = {}

        def do() -> None:
            created["id"] = service.create_initiative(workspace, goal_id, data)

        self._push(
            _("Add initiative “{title}”").format(title=data.title),
            do,
            lambda: service.delete_initiative(workspace, created["id"]),
        )

    def edit_selected(self) -> None:
        row = self._selected_initiative()
        if row is None or self.session.definitions_read_only:
            return
        editor = InitiativeEditor(row.data, new=False, parent=self)
        if not self.open_editor(editor):
            return
        data, before, workspace = editor.result_data(), row.data, self.session.workspace
        if data == before:
            return
        self._push(
            _("Edit initiative “{title}”").format(title=data.title),
            lambda: service.update_initiative(workspace, row.id, data),
            lambda: service.update_initiative(workspace, row.id, before),
        )

    def remove_selected(self) -> None:
        row = self._selected_initiative()
        if row is None or self.session.definitions_read_only:
            return
        workspace = self.session.workspace
        deleted: dict[str, service.DeletedInitiative] = {}
        current = {"id": row.id}

        def do() -> None:
            deleted["row"] = service.delete_initiative(workspace, current["id"])

        def undo() -> None:
            current["id"] = service.restore_initiative(workspace, deleted["row"])

        self._push(_("Remove initiative “{title}”").format(title=row.data.title), do, undo)

    def _milestone_ticked(self, item: QTreeWidgetItem, column: int) -> None:
        if self._filling or column != 0 or item.data(0, KIND) != "milestone":
            return
        if self.session.definitions_read_only:
            return
        done = item.checkState(0) == Qt.CheckState.Checked
        milestone_id, workspace = item.data(0, ROW_ID), self.session.workspace
        # after the signal: the page is filled again, and the item with it
        QTimer.singleShot(
            0,
            lambda: self._push(
                _("Mark milestone done") if done else _("Mark milestone not done"),
                lambda: service.set_milestone_done(workspace, milestone_id, done),
                lambda: service.set_milestone_done(workspace, milestone_id, not done),
            ),
        )
