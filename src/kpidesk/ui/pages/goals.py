"""The Goals page: the goal tree, an editor for the chosen goal, its SMART checklist and KPIs.

Every change is saved as it is made, through an undoable command.
"""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtGui import QDropEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kpidesk.domain.errors import DomainError
from kpidesk.domain.terms import GOAL_STATUS_LABELS, PERSPECTIVE_LABELS
from kpidesk.i18n import _
from kpidesk.services import goals as goal_service
from kpidesk.services import kpis as kpi_service
from kpidesk.services.goals import SMART_FIELDS, GoalData, GoalRow
from kpidesk.ui import team
from kpidesk.ui.dialogs import confirm_delete
from kpidesk.ui.forms import FieldBox, OptionalDateEdit, heading
from kpidesk.ui.icons import icon
from kpidesk.ui.initiatives_panel import InitiativesPanel
from kpidesk.ui.pages.base import Page
from kpidesk.ui.session import WorkspaceSession
from kpidesk.ui.undo import CallbackCommand
from kpidesk.ui.widgets import EmptyState

GOAL_ID = Qt.ItemDataRole.UserRole


class GoalTree(QTreeWidget):
    """A goal tree where dragging a goal onto another asks to move it there."""

    moveRequested = Signal(int, object)  # goal id, new parent id or None

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)

    def dropEvent(self, event: QDropEvent) -> None:
        dragged = self.currentItem()
        target = self.itemAt(event.position().toPoint())
        event.setDropAction(Qt.DropAction.IgnoreAction)
        event.accept()
        if dragged is None:
            return
        position = self.dropIndicatorPosition()
        if target is None or position == QAbstractItemView.DropIndicatorPosition.OnViewport:
            new_parent = None
        elif position == QAbstractItemView.DropIndicatorPosition.OnItem:
            new_parent = target.data(0, GOAL_ID)
        else:
            parent_item = target.parent()
            new_parent = parent_item.data(0, GOAL_ID) if parent_item else None
        self.moveRequested.emit(dragged.data(0, GOAL_ID), new_parent)


class GoalsPage(Page):
    key = "goals"

    def __init__(self, session: WorkspaceSession, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self._rows: dict[int, GoalRow] = {}
        self._loading = False
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 4, 0, 0)

        toolbar = QHBoxLayout()
        self.new_button = QPushButton(icon("file-plus"), _("New goal"))
        self.new_button.clicked.connect(lambda: self.new_goal(as_child=False))
        self.new_child_button = QPushButton(_("New sub-goal"))
        self.new_child_button.clicked.connect(lambda: self.new_goal(as_child=True))
        self.delete_button = QPushButton(_("Delete goal…"))
        self.delete_button.clicked.connect(self.delete_selected)
        for button in (self.new_button, self.new_child_button, self.delete_button):
            toolbar.addWidget(button)
        toolbar.addStretch()
        outer.addLayout(toolbar)

        self.stack = QStackedWidget()
        outer.addWidget(self.stack, 1)
        self.empty = EmptyState(
            "target",
            _("No goals yet"),
            _(
                "Start with what the business wants to achieve, then work back to the few KPIs "
                "that show progress towards each goal."
            ),
        )
        empty_button = QPushButton(icon("file-plus"), _("Create the first goal"))
        empty_button.clicked.connect(lambda: self.new_goal(as_child=False))
        self.empty.add_button(empty_button)
        self.stack.addWidget(self.empty)

        splitter = QSplitter()
        self.tree = GoalTree()
        self.tree.setHeaderLabels(
            [_("Goal"), _("Perspective"), _("Owner"), _("Due"), _("SMART"), _("KPIs")]
        )
        self.tree.setColumnWidth(0, 300)
        self.tree.setColumnWidth(1, 120)
        self.tree.setColumnWidth(2, 100)
        self.tree.setAccessibleName(_("Goals"))
        self.tree.currentItemChanged.connect(self._show_selected)
        self.tree.moveRequested.connect(self.move_goal)
        splitter.addWidget(self.tree)
        splitter.addWidget(self._build_editor())
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([640, 440])
        self.stack.addWidget(splitter)

        delete_shortcut = QShortcut(QKeySequence.StandardKey.Delete, self.tree)
        delete_shortcut.activated.connect(self.delete_selected)

    # editor ---------------------------------------------------------------------------
    def _build_editor(self) -> QWidget:
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        panel = QWidget()
        form = QFormLayout(panel)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.title_edit = QLineEdit()
        self.title_edit.editingFinished.connect(self._save_editor)
        self.title_field = FieldBox(self.title_edit, _("What the business wants to achieve."))
        form.addRow(_("&Title:"), self.title_field)
        self.description_edit = QPlainTextEdit()
        self.description_edit.setFixedHeight(70)
        self.description_edit.setTabChangesFocus(True)
        self.description_edit.installEventFilter(self)
        form.addRow(_("&Description:"), self.description_edit)
        self.perspective_combo = QComboBox()
        for perspective, label in PERSPECTIVE_LABELS.items():
            self.perspective_combo.addItem(_(label), perspective.value)
        self.perspective_combo.currentIndexChanged.connect(self._save_editor)
        form.addRow(_("&Perspective:"), self.perspective_combo)
        self.owner_edit = QLineEdit()
        self.owner_edit.editingFinished.connect(self._save_editor)
        form.addRow(_("&Owner:"), self.owner_edit)
        self.start_edit = OptionalDateEdit()
        self.start_edit.dateChanged.connect(self._save_editor)
        form.addRow(_("&Start:"), self.start_edit)
        self.due_edit = OptionalDateEdit()
        self.due_edit.dateChanged.connect(self._save_editor)
        self.due_field = FieldBox(self.due_edit, stretch=False)
        form.addRow(_("D&ue:"), self.due_field)
        self.status_combo = QComboBox()
        for status, label in GOAL_STATUS_LABELS.items():
            self.status_combo.addItem(_(label), status.value)
        self.status_combo.currentIndexChanged.connect(self._save_editor)
        form.addRow(_("Stat&us:"), self.status_combo)

        form.addRow(heading(_("SMART checklist")))
        self.smart_boxes: dict[str, QCheckBox] = {}
        for name, label, help_text in SMART_FIELDS:
            box = QCheckBox(_(label))
            box.setToolTip(_(help_text))
            box.toggled.connect(self._save_editor)
            self.smart_boxes[name] = box
            form.addRow(FieldBox(box, _(help_text)))

        form.addRow(heading(_("KPIs that measure this goal")))
        self.kpi_list = QListWidget()
        self.kpi_list.setAccessibleName(_("KPIs that measure this goal"))
        self.kpi_list.itemChanged.connect(self._save_links)
        form.addRow(self.kpi_list)
        form.addRow(heading(_("Initiatives")))
        self.initiatives = InitiativesPanel(self.session)
        form.addRow(self.initiatives)
        scroll.setWidget(panel)
        self.editor_panel = panel
        return scroll

    def eventFilter(self, watched, event) -> bool:
        from PySide6.QtCore import QEvent

        if watched is self.description_edit and event.type() == QEvent.Type.FocusOut:
            self._save_editor()
        return False

    # showing --------------------------------------------------------------------------
    def refresh(self) -> None:
        if not self.session.is_open:
            return
        selected = self.selected_goal_id()
        rows = goal_service.goal_tree()
        self._rows = {row.id: row for row in rows}
        self.stack.setCurrentIndex(1 if rows else 0)
        read_only = self.session.definitions_read_only
        for widget in (self.new_button, self.new_child_button, self.delete_button):
            widget.setEnabled(not read_only)
        self.new_child_button.setEnabled(not read_only and bool(rows))
        self.delete_button.setEnabled(not read_only and bool(rows))
        self.editor_panel.setEnabled(not read_only)
        self.tree.setDragEnabled(not read_only)
        with QSignalBlocker(self.tree):
            self.tree.clear()
            items: dict[int, QTreeWidgetItem] = {}
            for row in rows:
                data = row.data
                parent = items.get(row.parent_id) if row.parent_id else None
                item = QTreeWidgetItem(parent) if parent else QTreeWidgetItem(self.tree)
                item.setText(0, data.title)
                label = goal_service.perspective_label(data.perspective)
                item.setText(1, _(label) if label else "")
                item.setText(2, data.owner)
                item.setText(3, data.due_date.isoformat() if data.due_date else "")
                item.setText(4, f"{goal_service.smart_score(data)}/5")
                item.setText(5, str(len(row.kpi_ids)))
                item.setData(0, GOAL_ID, row.id)
                items[row.id] = item
            self.tree.expandAll()
        target = items.get(selected) if selected in items else next(iter(items.values()), None)
        if target is not None:
            self.tree.setCurrentItem(target)
        self._show_selected()

    def selected_goal_id(self) -> int | None:
        item = self.tree.currentItem()
        return item.data(0, GOAL_ID) if item else None

    def select_goal(self, goal_id: int) -> None:
        for item in self.tree.findItems(
            "*", Qt.MatchFlag.MatchWildcard | Qt.MatchFlag.MatchRecursive
        ):
            if item.data(0, GOAL_ID) == goal_id:
                self.tree.setCurrentItem(item)
                return

    def _show_selected(self) -> None:
        goal_id = self.selected_goal_id()
        row = self._rows.get(goal_id) if goal_id is not None else None
        self.editor_panel.setVisible(row is not None)
        if row is None:
            return
        self.initiatives.show_goal(goal_id)
        self._loading = True
        try:
            data = row.data
            self.title_edit.setText(data.title)
            self.title_edit.setCursorPosition(0)  # a long title shown from its start
            self.title_field.set_error(None)
            self.description_edit.setPlainText(data.description)
            self.perspective_combo.setCurrentIndex(
                self.perspective_combo.findData(data.perspective)
            )
            self.owner_edit.setText(data.owner)
            self.start_edit.set_value(data.start_date)
            self.due_edit.set_value(data.due_date)
            self.due_field.set_error(None)
            self.status_combo.setCurrentIndex(max(0, self.status_combo.findData(data.status)))
            for name, box in self.smart_boxes.items():
                box.setChecked(bool(getattr(data, name)))
            self.kpi_list.clear()
            for kpi in kpi_service.list_kpis():
                item = QListWidgetItem(f"{kpi.data.code} – {kpi.data.name}")
                item.setData(Qt.ItemDataRole.UserRole, kpi.id)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(
                    Qt.CheckState.Checked if kpi.id in row.kpi_ids else Qt.CheckState.Unchecked
                )
                self.kpi_list.addItem(item)
        finally:
            self._loading = False

    def _editor_data(self) -> GoalData:
        data = GoalData(
            title=self.title_edit.text().strip(),
            description=self.description_edit.toPlainText(),
            perspective=self.perspective_combo.currentData(),
            owner=self.owner_edit.text().strip(),
            start_date=self.start_edit.value(),
            due_date=self.due_edit.value(),
            status=self.status_combo.currentData(),
        )
        for name, box in self.smart_boxes.items():
            setattr(data, name, box.isChecked())
        return data

    # changing -------------------------------------------------------------------------
    def _save_editor(self) -> None:
        if self._loading or self.session.definitions_read_only:
            return
        goal_id = self.selected_goal_id()
        row = self._rows.get(goal_id) if goal_id is not None else None
        if row is None:
            return
        data = self._editor_data()
        problems = goal_service.validate_goal(data)
        self.title_field.set_error(_(problems["title"]) if "title" in problems else None)
        self.due_field.set_error(_(problems["due_date"]) if "due_date" in problems else None)
        if problems or data == row.data:
            return
        workspace = self.session.workspace
        saved, replaced = team.save_told(
            self,
            lambda version: goal_service.update_goal(
                workspace, goal_id, data, read_version=version
            ),
            row.row_version,
        )
        if not saved:  # theirs kept: the editor shows theirs
            self.session.dataChanged.emit()
            self.refresh()
            return
        self._push(
            _("Edit goal “{title}”").format(title=data.title),
            team.skip_first(lambda: goal_service.update_goal(workspace, goal_id, data)),
            lambda: goal_service.update_goal(workspace, goal_id, replaced),
            select=goal_id,
        )

    def _save_links(self) -> None:
        if self._loading or self.session.definitions_read_only:
            return
        goal_id = self.selected_goal_id()
        if goal_id is None:
            return
        chosen = {
            self.kpi_list.item(i).data(Qt.ItemDataRole.UserRole)
            for i in range(self.kpi_list.count())
            if self.kpi_list.item(i).checkState() == Qt.CheckState.Checked
        }
        before = set(self._rows[goal_id].kpi_ids)
        if chosen == before:
            return
        workspace = self.session.workspace
        saved, replaced = team.save_told(
            self,
            lambda read: goal_service.set_goal_kpis(workspace, goal_id, chosen, read_kpis=read),
            frozenset(before),
        )
        if not saved:  # theirs kept: the list shows theirs
            self.session.dataChanged.emit()
            self.refresh()
            return
        self._push(
            _("Link KPIs to a goal"),
            team.skip_first(lambda: goal_service.set_goal_kpis(workspace, goal_id, chosen)),
            lambda: goal_service.set_goal_kpis(workspace, goal_id, replaced),
            select=goal_id,
        )

    def new_goal(self, *, as_child: bool) -> None:
        if not self.session.is_open or self.session.definitions_read_only:
            return
        parent_id = self.selected_goal_id() if as_child else None
        data = GoalData(title=_("New goal"))
        workspace = self.session.workspace
        created: dict[str, int] = {}

        def do() -> None:
            created["id"] = goal_service.create_goal(workspace, data, parent_id)

        def undo() -> None:
            goal_service.delete_goal(workspace, created["id"])

        self._push(_("New goal"), do, undo)
        self.select_goal(created["id"])
        self.title_edit.setFocus()
        self.title_edit.selectAll()

    def delete_selected(self) -> None:
        goal_id = self.selected_goal_id()
        if goal_id is None or self.session.definitions_read_only:
            return
        row = self._rows[goal_id]
        children = sum(1 for other in self._rows.values() if other.parent_id == goal_id)
        text = _("Delete the goal “{title}”?").format(title=row.data.title)
        details = [_("Its KPIs and their values are kept; only the link to this goal goes.")]
        if children:
            details.append(_("Its {count} sub-goals move up one level.").format(count=children))
        if not confirm_delete(self, text, " ".join(details)):
            return
        workspace = self.session.workspace
        snapshot: dict[str, goal_service.DeletedGoal] = {}

        def do() -> None:
            snapshot["goal"] = goal_service.delete_goal(workspace, goal_id)

        self._push(
            _("Delete goal “{title}”").format(title=row.data.title),
            do,
            lambda: goal_service.restore_goal(workspace, snapshot["goal"]),
        )

    def move_goal(self, goal_id: int, new_parent_id: int | None) -> None:
        if self.session.definitions_read_only or goal_id not in self._rows:
            return
        before = self._rows[goal_id].parent_id
        if before == new_parent_id:
            return
        workspace = self.session.workspace
        try:
            goal_service.validate_move(goal_id, new_parent_id)
        except DomainError as error:
            QMessageBox.information(self, _("Cannot move the goal"), error.message)
            self.refresh()
            return
        self._push(
            _("Move goal"),
            lambda: goal_service.move_goal(workspace, goal_id, new_parent_id),
            lambda: goal_service.move_goal(workspace, goal_id, before),
            select=goal_id,
        )

    def _push(self, text: str, do, undo, *, select: int | None = None) -> None:
        def done() -> None:
            self.session.dataChanged.emit()
            if select is not None:
                self.select_goal(select)

        self.session.undo_stack.push(CallbackCommand(text, do, undo, done))
