"""Settings → Units: the tree of organisational units (company → region → store).

Add, rename (inline, F2), move (drag a unit onto another) and delete units. Every change is
one command on the session's undo stack, so Ctrl+Z undoes it here and in the main window.
Deleting a unit that holds data asks what to do with it (``DeleteUnitDialog``), counting
what would be lost.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QStackedWidget,
    QToolButton,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kpidesk.domain.errors import DomainError
from kpidesk.i18n import _, ngettext
from kpidesk.services import overview, units
from kpidesk.services.overview import UnitNode
from kpidesk.services.units import DeletedUnit, UnitUsage
from kpidesk.ui import team
from kpidesk.ui.delete_unit_dialog import (
    DeleteChoice,
    DeleteDecision,
    DeleteUnitDialog,
    _count,
    _help,
    _join,
    describe_delete,
    usage_parts,
)
from kpidesk.ui.icons import icon
from kpidesk.ui.session import WorkspaceSession
from kpidesk.ui.undo import CallbackCommand
from kpidesk.ui.unit_tree import ERROR_COLOR, UNIT_ID_ROLE, UnitTree, _NameDelegate
from kpidesk.ui.widgets import EmptyState, MessageBar, MessageKind

# describing what a unit holds -------------------------------------------------------------


# the delete confirmation --------------------------------------------------------------------


def ask_delete(
    parent: QWidget,
    name: str,
    usage: UnitUsage,
    candidates: list[UnitNode],
    default_target: int | None,
) -> DeleteDecision:
    """Show ``DeleteUnitDialog`` and return the decision; tests replace this function."""
    dialog = DeleteUnitDialog(name, usage, candidates, default_target, parent)
    dialog.exec()
    decision = dialog.choice()
    dialog.deleteLater()
    return decision


# the tree -----------------------------------------------------------------------------------


# the dialog ---------------------------------------------------------------------------------
class UnitsDialog(QDialog):
    """The unit tree editor. ``UnitsDialog(session, parent)``; changes go on
    ``session.undo_stack`` and emit ``session.dataChanged``."""

    def __init__(self, session: WorkspaceSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.inline_editor: QLineEdit | None = None
        self._form_unit_id: int | None = None
        self._nodes: dict[int, UnitNode] = {}
        self._versions: dict[int, int] = {}
        self.setWindowTitle(_("Units"))
        self.resize(780, 520)

        layout = QVBoxLayout(self)
        self.message_area = QVBoxLayout()
        self.message_area.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self.message_area)
        self.read_only_bar: MessageBar | None = None

        self.stack = QStackedWidget()
        layout.addWidget(self.stack, 1)
        self.empty_state = EmptyState(
            "network",
            _("No workspace is open"),
            _("Open or create a workspace to set up its units: the company, regions, stores."),
        )
        self.stack.addWidget(self.empty_state)
        self.editor = QWidget()
        self.stack.addWidget(self.editor)
        self._build_editor()

        self.button_box = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.button_box.rejected.connect(self.reject)
        close = self.button_box.button(QDialogButtonBox.StandardButton.Close)
        close.setAutoDefault(False)  # Enter in the name field renames; it does not close
        close.setDefault(False)
        layout.addWidget(self.button_box)

        session.dataChanged.connect(self.refresh)
        session.workspaceChanged.connect(self.refresh)
        self.refresh()
        self.tree.setFocus()

    # building -------------------------------------------------------------------------
    def _build_editor(self) -> None:
        outer = QVBoxLayout(self.editor)
        outer.setContentsMargins(0, 0, 0, 0)
        intro = _help(
            _(
                "Units are the parts of the organisation that data is entered and shown for: "
                "the company, its regions, stores or teams. Drag a unit onto another to move "
                "it there."
            )
        )
        intro.setIndent(0)
        outer.addWidget(intro)
        self.editing_hints = [intro]

        self.tree = UnitTree()
        self.tree.setEditTriggers(
            QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.SelectedClicked
        )
        self.delegate = _NameDelegate(self)
        self.tree.setItemDelegate(self.delegate)
        self.delegate.renameRequested.connect(self.rename_unit, Qt.ConnectionType.QueuedConnection)
        self.tree.moveRequested.connect(self.move_unit)
        self.tree.currentItemChanged.connect(lambda *_args: self._fill_form())

        self.action_add_child = self._action(
            _("Add &sub-unit"), "corner-down-right", QKeySequence(Qt.Key.Key_Insert)
        )
        self.action_add_child.triggered.connect(self.add_child)
        self.action_add_sibling = self._action(
            _("Add &beside"), "plus", QKeySequence("Ctrl+Insert")
        )
        self.action_add_sibling.triggered.connect(self.add_sibling)
        self.action_rename = self._action(_("&Rename"), "pencil", QKeySequence(Qt.Key.Key_F2))
        self.action_rename.triggered.connect(self.rename_selected)
        self.action_delete = self._action(
            _("&Delete…"), "trash-2", QKeySequence(QKeySequence.StandardKey.Delete)
        )
        self.action_delete.triggered.connect(self.delete_selected)
        self._delete_tooltip = self.action_delete.toolTip()

        stack = self.session.undo_stack
        self.action_undo = stack.createUndoAction(self, _("Undo"))
        self.action_undo.setIcon(icon("undo-2"))
        self.action_undo.setShortcut(QKeySequence.StandardKey.Undo)
        self.action_redo = stack.createRedoAction(self, _("Redo"))
        self.action_redo.setIcon(icon("redo-2"))
        redo_keys = QKeySequence.keyBindings(QKeySequence.StandardKey.Redo)
        if QKeySequence("Ctrl+Y") not in redo_keys:
            redo_keys.append(QKeySequence("Ctrl+Y"))
        self.action_redo.setShortcuts(redo_keys)
        self.addAction(self.action_undo)
        self.addAction(self.action_redo)

        toolbar = QHBoxLayout()
        toolbar.setSpacing(2)
        self.tool_buttons: dict[str, QToolButton] = {}
        for key, action in (
            ("add_child", self.action_add_child),
            ("add_sibling", self.action_add_sibling),
            ("rename", self.action_rename),
            ("delete", self.action_delete),
        ):
            button = QToolButton()
            button.setDefaultAction(action)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            button.setAutoRaise(True)
            toolbar.addWidget(button)
            self.tool_buttons[key] = button
        toolbar.addStretch()
        for key, action in (("undo", self.action_undo), ("redo", self.action_redo)):
            button = QToolButton()
            button.setDefaultAction(action)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
            button.setAutoRaise(True)
            toolbar.addWidget(button)
            self.tool_buttons[key] = button
        outer.addLayout(toolbar)

        body = QHBoxLayout()
        tree_column = QVBoxLayout()
        tree_column.addWidget(self.tree, 1)
        self.only_root_hint = _help(
            _(
                "Only the top unit so far. Add the regions, stores or teams under it with "
                "Add sub-unit (Insert)."
            )
        )
        self.only_root_hint.setIndent(0)
        tree_column.addWidget(self.only_root_hint)
        body.addLayout(tree_column, 3)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft)
        self.name_edit = QLineEdit()
        self.name_edit.setAccessibleName(_("Unit name"))
        self.name_edit.textEdited.connect(
            lambda text: self.show_name_problem(self._form_unit_id, text)
        )
        self.name_edit.returnPressed.connect(self._commit_name_field)
        self.name_edit.editingFinished.connect(self._commit_name_field)
        name_label = QLabel(_("&Name:"))
        name_label.setBuddy(self.name_edit)
        self.name_error = QLabel()
        self.name_error.setWordWrap(True)
        self.name_error.setStyleSheet(f"color: {ERROR_COLOR};")
        self.name_error.setAccessibleName(_("Problem with the name"))
        self.name_error.hide()
        name_column = QVBoxLayout()
        name_column.setSpacing(2)
        name_column.addWidget(self.name_edit)
        name_column.addWidget(self.name_error)
        form.addRow(name_label, name_column)
        self.path_label = QLabel()
        self.path_label.setWordWrap(True)
        form.addRow(_("Under:"), self.path_label)
        self.usage_label = QLabel()
        self.usage_label.setWordWrap(True)
        form.addRow(_("Holds:"), self.usage_label)
        keys = _help(
            _(
                "Insert adds a sub-unit, F2 renames, Delete deletes, Ctrl+Z undoes. Renaming "
                "or moving a unit keeps all its data."
            )
        )
        keys.setIndent(0)
        self.editing_hints.append(keys)
        form_column = QVBoxLayout()
        form_column.setContentsMargins(8, 0, 0, 0)
        form_column.addLayout(form)
        form_column.addSpacing(8)
        form_column.addWidget(keys)
        form_column.addStretch()
        body.addLayout(form_column, 2)
        outer.addLayout(body, 1)

    def _action(self, text: str, icon_name: str, shortcut: QKeySequence) -> QAction:
        action = QAction(icon(icon_name), text, self.tree)
        action.setShortcut(shortcut)
        action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        plain = text.replace("&", "").rstrip("…")
        action.setToolTip(f"{plain} ({shortcut.toString(QKeySequence.SequenceFormat.NativeText)})")
        self.tree.addAction(action)
        return action

    # state ------------------------------------------------------------------------------
    @property
    def read_only(self) -> bool:
        return self.session.read_only

    def refresh(self) -> None:
        """Reload the tree from the workspace, keeping the selection where it still exists."""
        if not self.session.is_open:
            self.stack.setCurrentWidget(self.empty_state)
            self._update_read_only_bar()
            return
        self.stack.setCurrentWidget(self.editor)
        selected = self.selected_unit_id()
        nodes = overview.unit_tree()
        self._nodes = {node.id: node for node in nodes}
        self._versions = units.unit_versions()
        counts = units.value_counts()
        self.tree.blockSignals(True)
        self.tree.clear()
        items: dict[int, QTreeWidgetItem] = {}
        editable = not self.read_only
        for node in nodes:
            parent = items.get(node.parent_id) if node.parent_id is not None else None
            item = QTreeWidgetItem(
                [node.name, _count(counts[node.id]) if node.id in counts else ""]
            )
            item.setData(0, UNIT_ID_ROLE, node.id)
            item.setIcon(0, icon("building-2" if node.parent_id is None else "network"))
            item.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            item.setForeground(1, self.palette().brush(QPalette.ColorRole.PlaceholderText))
            flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
            if editable:
                flags |= Qt.ItemFlag.ItemIsEditable | Qt.ItemFlag.ItemIsDropEnabled
                if node.parent_id is not None:
                    flags |= Qt.ItemFlag.ItemIsDragEnabled
            item.setFlags(flags)
            if parent is None:
                self.tree.addTopLevelItem(item)
            else:
                parent.addChild(item)
            items[node.id] = item
        self.tree.expandAll()
        self.tree.blockSignals(False)
        target = items.get(selected) if selected is not None else None
        if target is None and self.tree.topLevelItemCount():
            target = self.tree.topLevelItem(0)
        if target is not None:
            self.tree.setCurrentItem(target)
        self.only_root_hint.setVisible(len(nodes) <= 1 and not self.read_only)
        self._update_read_only_bar()
        self._fill_form()

    def _update_read_only_bar(self) -> None:
        read_only = self.session.is_open and self.read_only
        if read_only and self.read_only_bar is None:
            self.read_only_bar = MessageBar(
                MessageKind.WARNING,
                _(
                    "This workspace is open read-only: you can look at its units but not "
                    "change them."
                ),
                closable=False,
            )
            self.message_area.insertWidget(0, self.read_only_bar)
            self.read_only_bar.show()
        elif not read_only and self.read_only_bar is not None:
            self.read_only_bar.dismiss()
            self.read_only_bar = None
        self.tree.setDragEnabled(not read_only)
        self.tree.setAcceptDrops(not read_only)
        self.name_edit.setReadOnly(read_only)
        for hint in self.editing_hints:
            hint.setVisible(not read_only)
        self._update_actions()

    def _update_actions(self) -> None:
        unit_id = self.selected_unit_id()
        writable = self.session.is_open and not self.read_only and unit_id is not None
        node = self._nodes.get(unit_id) if unit_id is not None else None
        is_root = node is not None and node.parent_id is None
        self.action_add_child.setEnabled(writable)
        self.action_add_sibling.setEnabled(writable and not is_root)
        self.action_rename.setEnabled(writable)
        self.action_delete.setEnabled(writable and not is_root)
        self.action_delete.setToolTip(
            _("The top unit cannot be deleted.") if is_root else self._delete_tooltip
        )

    def reset_form(self) -> None:
        """Show the selected unit's stored name again, without a message."""
        node = self._nodes.get(self._form_unit_id) if self._form_unit_id is not None else None
        if node is not None:
            self.name_edit.setText(node.name)
        self._set_error(None)

    def _fill_form(self) -> None:
        unit_id = self.selected_unit_id()
        self._form_unit_id = unit_id
        self._set_error(None)
        self._update_actions()
        if unit_id is None or unit_id not in self._nodes:
            self.name_edit.clear()
            self.name_edit.setEnabled(False)
            self.path_label.clear()
            self.usage_label.clear()
            return
        node = self._nodes[unit_id]
        self.name_edit.setEnabled(True)
        self.name_edit.setText(node.name)
        if node.parent_id is None:
            self.path_label.setText(_("Nothing: this is the top unit of the workspace."))
        else:
            self.path_label.setText(" › ".join(units.unit_path(node.parent_id)))
        usage = units.unit_usage(unit_id)
        parts = usage_parts(usage)
        if usage.reviews:
            parts.append(
                ngettext("{n} review", "{n} reviews", usage.reviews).format(n=_count(usage.reviews))
            )
        self.usage_label.setText(_join(parts) if parts else _("No data yet."))

    def selected_unit_id(self) -> int | None:
        item = self.tree.currentItem()
        return item.data(0, UNIT_ID_ROLE) if item is not None else None

    def select_unit(self, unit_id: int) -> None:
        item = self.tree.item_for(unit_id)
        if item is not None:
            self.tree.setCurrentItem(item)

    # messages ---------------------------------------------------------------------------
    def _set_error(self, message: str | None) -> None:
        self.name_error.setText(message or "")
        self.name_error.setVisible(bool(message))
        self.name_edit.setStyleSheet(f"border: 1px solid {ERROR_COLOR};" if message else "")

    def show_name_problem(self, unit_id: int | None, text: str) -> str | None:
        """Validate ``text`` as the new name of ``unit_id``; show the problem beside the field."""
        if unit_id is None or unit_id not in self._nodes or not self.session.is_open:
            return None
        message = units.validate_unit_name(text, self._nodes[unit_id].parent_id, unit_id=unit_id)
        self._set_error(message)
        return message

    def show_message(self, kind: MessageKind, text: str) -> MessageBar:
        for bar in self.messages():
            if bar is not self.read_only_bar:
                bar.dismiss()
        bar = MessageBar(kind, text)
        self.message_area.addWidget(bar)
        bar.show()
        return bar

    def messages(self) -> list[MessageBar]:
        """The message bars showing now (the read-only banner included)."""
        bars = []
        for i in range(self.message_area.count()):
            widget = self.message_area.itemAt(i).widget()
            if isinstance(widget, MessageBar) and not widget.isHidden():
                bars.append(widget)
        return bars

    # changes ----------------------------------------------------------------------------
    def _push(
        self,
        text: str,
        do: Callable[[], Any],
        undo: Callable[[Any], Any],
        checked: Callable[[int], Any] | None = None,
        unit_id: int | None = None,
    ) -> Any:
        """Make a change now and put it on the undo stack; a refused change (DomainError)
        shows its message and leaves the stack as it was. Returns what ``do`` returned.
        With ``checked`` (``do`` against the unit's version as the tree read it), someone
        else's change of the unit since asks keep theirs / keep mine; theirs kept: None,
        the tree shows theirs."""
        try:
            if checked is None:
                result = do()
            else:
                saved, result = team.save_row(self, checked, self._versions.get(unit_id))
                if not saved:
                    self.session.dataChanged.emit()
                    return None
        except DomainError as error:
            self.show_message(MessageKind.ERROR, error.message)
            return None
        state = {"result": result, "first": True}

        def redo() -> None:
            if state["first"]:
                state["first"] = False
                return
            state["result"] = do()

        session = self.session
        command = CallbackCommand(
            text, redo, lambda: undo(state["result"]), done=session.dataChanged.emit
        )
        session.undo_stack.push(command)
        return result

    def _writable(self) -> bool:
        return self.session.is_open and not self.read_only

    def add_child(self) -> int | None:
        parent_id = self.selected_unit_id()
        if parent_id is None or not self._writable():
            return None
        return self._add(parent_id, None)

    def add_sibling(self) -> int | None:
        unit_id = self.selected_unit_id()
        if unit_id is None or not self._writable():
            return None
        node = self._nodes[unit_id]
        if node.parent_id is None:
            return None
        position = units.unit_place(unit_id).position + 1
        return self._add(node.parent_id, position)

    def _add(self, parent_id: int, position: int | None) -> int | None:
        workspace = self.session.workspace
        name = units.suggest_unit_name(parent_id, _("New unit"))
        created: dict[str, int] = {}

        def do() -> int:
            new_id = units.create_unit(
                workspace, name, parent_id, position=position, unit_id=created.get("id")
            )
            created["id"] = new_id
            return new_id

        new_id = self._push(
            _("Add unit “{name}”").format(name=name),
            do,
            lambda unit_id: units.delete_unit(workspace, unit_id),
        )
        if new_id is not None:
            self.select_unit(new_id)
            item = self.tree.item_for(new_id)
            if item is not None:
                self.tree.scrollToItem(item)
                self.tree.editItem(item, 0)
        return new_id

    def rename_selected(self) -> None:
        item = self.tree.currentItem()
        if item is not None and self._writable():
            self.tree.editItem(item, 0)

    def _commit_name_field(self) -> None:
        unit_id = self._form_unit_id
        if unit_id is None or unit_id not in self._nodes or not self._writable():
            return
        text = self.name_edit.text()
        if units.clean_name(text) == self._nodes[unit_id].name:
            self._set_error(None)
            return
        self.rename_unit(unit_id, text)

    def rename_unit(self, unit_id: int, name: str) -> bool:
        """Rename through the undo stack; an invalid name shows the red message instead."""
        if not self._writable() or unit_id not in self._nodes:
            return False
        message = self.show_name_problem(unit_id, name)
        if message:
            self.select_unit(unit_id)
            self.name_edit.setText(name)
            self._set_error(message)
            return False
        new_name = units.clean_name(name)
        old_name = self._nodes[unit_id].name
        if new_name == old_name:
            return True
        workspace = self.session.workspace
        result = self._push(
            _("Rename unit “{old}” to “{new}”").format(old=old_name, new=new_name),
            lambda: units.rename_unit(workspace, unit_id, new_name),
            lambda old: units.rename_unit(workspace, unit_id, old),
            lambda version: units.rename_unit(workspace, unit_id, new_name, read_version=version),
            unit_id,
        )
        return result is not None

    def move_unit(self, unit_id: int, new_parent_id: int | None, position: int | None) -> bool:
        """Move through the undo stack; a refused move shows why in a message bar."""
        if not self._writable() or unit_id not in self._nodes:
            return False
        try:
            units.check_move(unit_id, new_parent_id)
        except DomainError as error:
            self.show_message(MessageKind.ERROR, error.message)
            return False
        workspace = self.session.workspace
        name = self._nodes[unit_id].name
        result = self._push(
            _("Move unit “{name}”").format(name=name),
            lambda: units.move_unit(workspace, unit_id, new_parent_id, position),
            lambda before: units.move_unit(workspace, unit_id, before.parent_id, before.position),
            lambda version: units.move_unit(
                workspace, unit_id, new_parent_id, position, read_version=version
            ),
            unit_id,
        )
        if result is not None:
            self.select_unit(unit_id)
        return result is not None

    def delete_selected(self) -> DeletedUnit | None:
        unit_id = self.selected_unit_id()
        if unit_id is None or not self._writable():
            return None
        return self.delete_unit(unit_id)

    def delete_unit(self, unit_id: int) -> DeletedUnit | None:
        """Delete, asking first (with the counts) when the unit holds data or sub-units."""
        node = self._nodes.get(unit_id)
        if node is None or node.parent_id is None:
            if node is not None:
                self.show_message(
                    MessageKind.ERROR,
                    _("“{name}” is the top unit and cannot be deleted.").format(name=node.name),
                )
            return None
        usage = units.unit_usage(unit_id)
        options: dict[str, Any] = {}
        target_id: int | None = None
        if not usage.is_empty:
            allowed = set(units.move_data_candidates(unit_id))
            candidates = [n for n in overview.unit_tree() if n.id in allowed]
            decision = ask_delete(self, node.name, usage, candidates, node.parent_id)
            if decision.choice is DeleteChoice.CANCEL:
                return None
            if decision.choice is DeleteChoice.MOVE:
                target_id = decision.move_to
                options["move_data_to"] = target_id
            else:
                options["discard_data"] = True
        workspace = self.session.workspace
        snapshot = self._push(
            _("Delete unit “{name}”").format(name=node.name),
            lambda: units.delete_unit(workspace, unit_id, **options),
            lambda deleted: units.restore_unit(workspace, deleted),
        )
        if snapshot is None:
            return None
        replacement = target_id or node.parent_id
        context = self.session.context
        if context is not None and context.unit_id not in self._nodes:
            self.session.set_unit(replacement)  # the pickers showed a unit that is gone
        self.select_unit(replacement)
        if not usage.is_empty:
            target_name = self._nodes[target_id].name if target_id in self._nodes else None
            self.show_message(MessageKind.INFO, describe_delete(snapshot, target_name))
        return snapshot
