"""Clicking through the units dialog: add, rename, move, delete, undo and redo."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QDialog, QLineEdit

from kpidesk.services import units
from kpidesk.services.overview import unit_tree
from kpidesk.store.models import Measurement, Target, Unit
from kpidesk.store.workspace import Workspace
from kpidesk.ui import units_dialog
from kpidesk.ui.delete_unit_dialog import (
    DeleteChoice,
    DeleteDecision,
    DeleteUnitDialog,
    describe_usage,
)
from kpidesk.ui.session import WorkspaceSession
from kpidesk.ui.units_dialog import UnitsDialog
from kpidesk.ui.widgets import MessageKind


@pytest.fixture
def session(settings):
    session = WorkspaceSession(settings)
    yield session
    session.close()


@pytest.fixture
def open_dialog(qtbot, session):
    def make(path, *, read_only=False) -> UnitsDialog:
        session.attach(Workspace.open(path, read_only=read_only))
        dialog = UnitsDialog(session)
        qtbot.addWidget(dialog)
        with qtbot.waitActive(dialog):  # keyboard shortcuts need the active window
            dialog.show()
            dialog.activateWindow()
        return dialog

    return make


@pytest.fixture
def empty_path(tmp_path):
    path = tmp_path / "x.kpidesk"
    Workspace.create(path, "Acme").close()
    return path


def unit_id(name: str) -> int:
    return Unit.get(Unit.name == name).id


def tree_names(dialog: UnitsDialog) -> list[tuple[int, str]]:
    """(depth, name) of every row of the tree, top to bottom."""
    rows = []
    for item in dialog.tree.all_items():
        depth, parent = 0, item.parent()
        while parent is not None:
            depth, parent = depth + 1, parent.parent()
        rows.append((depth, item.text(0)))
    return rows


def values_of(name: str) -> int:
    return Measurement.select().where(Measurement.unit == unit_id(name)).count()


def never_asked(*args):
    raise AssertionError("the delete dialog should not be shown")


def drop(dialog: UnitsDialog, dragged: str, onto: str, where: str = "on") -> bool:
    """Drop ``dragged`` on (or just above/below) ``onto``, as a mouse drag ends.

    Qt delivers a drop to an internal-move view only from its own QDrag, which a test cannot
    start without blocking, so this enters where ``UnitTree.dropEvent`` hands over.
    """
    tree = dialog.tree
    dialog.select_unit(unit_id(dragged))
    rect = tree.visualItemRect(tree.item_for(unit_id(onto)))
    y = {"on": rect.center().y(), "above": rect.top() + 1, "below": rect.bottom() - 1}[where]
    return tree.request_drop(QPoint(rect.center().x(), y))


# showing ---------------------------------------------------------------------------------
def test_shows_the_demo_tree_with_value_counts(open_dialog, demo_copy):
    dialog = open_dialog(demo_copy)
    assert tree_names(dialog) == [
        (0, "Solbacka Hem AB"),
        (1, "Umeå store"),
        (1, "Luleå store"),
        (1, "Sundsvall store"),
        (1, "Online shop"),
    ]
    item = dialog.tree.item_for(unit_id("Luleå store"))
    assert item.text(1) == "396"
    assert dialog.tree.item_for(unit_id("Solbacka Hem AB")).text(1) == ""
    # the top unit is selected: it can get sub-units but not be deleted or given siblings
    assert dialog.selected_unit_id() == unit_id("Solbacka Hem AB")
    assert dialog.action_add_child.isEnabled() and dialog.action_rename.isEnabled()
    assert not dialog.action_delete.isEnabled() and not dialog.action_add_sibling.isEnabled()
    assert "top unit" in dialog.path_label.text()
    dialog.select_unit(unit_id("Luleå store"))
    assert dialog.name_edit.text() == "Luleå store"
    assert dialog.path_label.text() == "Solbacka Hem AB"
    assert dialog.usage_label.text() == "396 values, 396 targets and 1 review"
    assert dialog.action_delete.isEnabled()
    assert dialog.only_root_hint.isHidden()


def test_a_new_workspace_says_what_to_do(open_dialog, empty_path):
    dialog = open_dialog(empty_path)
    assert tree_names(dialog) == [(0, "Acme")]
    assert dialog.only_root_hint.isVisible()
    assert "Add sub-unit" in dialog.only_root_hint.text()


def test_no_workspace_shows_an_empty_state(qtbot, session):
    dialog = UnitsDialog(session)
    qtbot.addWidget(dialog)
    assert dialog.stack.currentWidget() is dialog.empty_state


# adding and renaming ---------------------------------------------------------------------
def test_add_a_sub_unit_and_name_it_inline(open_dialog, empty_path, qtbot):
    dialog = open_dialog(empty_path)
    with qtbot.waitSignal(dialog.session.dataChanged):
        qtbot.mouseClick(dialog.tool_buttons["add_child"], Qt.MouseButton.LeftButton)
    assert tree_names(dialog) == [(0, "Acme"), (1, "New unit")]
    editor = dialog.inline_editor
    assert isinstance(editor, QLineEdit) and editor.text() == "New unit"
    editor.selectAll()
    qtbot.keyClicks(editor, "Region Norr")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: tree_names(dialog) == [(0, "Acme"), (1, "Region Norr")])
    assert dialog.name_edit.text() == "Region Norr"
    assert dialog.session.undo_stack.count() == 2  # add, rename

    # Insert adds a sub-unit of the selected unit, Ctrl+Insert one beside it
    assert dialog.inline_editor is None
    dialog.tree.setFocus()
    qtbot.keyClick(dialog.tree, Qt.Key.Key_Insert)
    qtbot.waitUntil(lambda: (2, "New unit") in tree_names(dialog))
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Escape)
    dialog.tree.setFocus()
    qtbot.keyClick(dialog.tree, Qt.Key.Key_Insert, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: (2, "New unit 2") in tree_names(dialog))
    assert tree_names(dialog) == [
        (0, "Acme"),
        (1, "Region Norr"),
        (2, "New unit"),
        (2, "New unit 2"),
    ]


def test_an_invalid_name_shows_a_red_message_beside_the_field(open_dialog, demo_copy, qtbot):
    dialog = open_dialog(demo_copy)
    lulea = unit_id("Luleå store")
    dialog.select_unit(lulea)
    dialog.tree.setFocus()
    qtbot.keyClick(dialog.tree, Qt.Key.Key_F2)
    editor = dialog.inline_editor
    assert editor is not None
    editor.selectAll()
    qtbot.keyClicks(editor, "umeå store")
    assert dialog.name_error.isVisible()
    assert dialog.name_error.text() == (
        "There is already a unit named “Umeå store” under “Solbacka Hem AB”."
    )
    assert units_dialog.ERROR_COLOR in dialog.name_error.styleSheet()
    qtbot.keyClick(editor, Qt.Key.Key_Return)  # refused: the editor stays open
    assert dialog.inline_editor is editor and editor.isVisible()
    qtbot.keyClick(editor, Qt.Key.Key_Escape)
    assert Unit.get_by_id(lulea).name == "Luleå store"
    assert dialog.session.undo_stack.count() == 0

    # the name field beside the tree validates the same way
    dialog.name_edit.setFocus()
    dialog.name_edit.selectAll()
    qtbot.keyClick(dialog.name_edit, Qt.Key.Key_Delete)
    assert dialog.name_error.text() == "Give the unit a name."
    qtbot.keyClick(dialog.name_edit, Qt.Key.Key_Return)
    assert Unit.get_by_id(lulea).name == "Luleå store"
    assert dialog.name_error.isVisible()
    qtbot.keyClicks(dialog.name_edit, "  Luleå  store City ")
    assert not dialog.name_error.isVisible()
    with qtbot.waitSignal(dialog.session.dataChanged):
        qtbot.keyClick(dialog.name_edit, Qt.Key.Key_Return)
    assert Unit.get_by_id(lulea).name == "Luleå store City"
    assert values_of("Luleå store City") == 396  # renaming keeps the data
    assert (1, "Luleå store City") in tree_names(dialog)


def test_rename_undo_and_redo(open_dialog, demo_copy, qtbot):
    dialog = open_dialog(demo_copy)
    lulea = unit_id("Luleå store")
    assert dialog.rename_unit(lulea, "Luleå")
    assert (1, "Luleå") in tree_names(dialog)
    assert dialog.action_undo.text() == "Undo Rename unit “Luleå store” to “Luleå”"
    dialog.tree.setFocus()
    qtbot.keyClick(dialog.tree, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert Unit.get_by_id(lulea).name == "Luleå store"
    assert (1, "Luleå store") in tree_names(dialog)
    qtbot.keyClick(dialog.tree, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    assert Unit.get_by_id(lulea).name == "Luleå"


# moving ----------------------------------------------------------------------------------
def test_drag_a_unit_under_another_and_undo(open_dialog, demo_copy, qtbot):
    dialog = open_dialog(demo_copy)
    with qtbot.waitSignal(dialog.session.dataChanged):
        drop(dialog, "Luleå store", "Umeå store")
    assert tree_names(dialog) == [
        (0, "Solbacka Hem AB"),
        (1, "Umeå store"),
        (2, "Luleå store"),
        (1, "Sundsvall store"),
        (1, "Online shop"),
    ]
    assert Unit.get_by_id(unit_id("Luleå store")).parent_id == unit_id("Umeå store")
    assert values_of("Luleå store") == 396
    # dropped just below Online shop: the last of the stores
    with qtbot.waitSignal(dialog.session.dataChanged):
        drop(dialog, "Luleå store", "Online shop", "below")
    assert tree_names(dialog)[-1] == (1, "Luleå store")
    dialog.action_undo.trigger()
    assert (2, "Luleå store") in tree_names(dialog)
    dialog.action_undo.trigger()
    assert tree_names(dialog)[2] == (1, "Luleå store")
    dialog.action_redo.trigger()
    assert (2, "Luleå store") in tree_names(dialog)


def test_refused_moves_say_why(open_dialog, demo_copy, qtbot):
    dialog = open_dialog(demo_copy)
    drop(dialog, "Luleå store", "Umeå store")
    qtbot.waitUntil(lambda: (2, "Luleå store") in tree_names(dialog))
    before = tree_names(dialog)
    drop(dialog, "Umeå store", "Luleå store")
    qtbot.waitUntil(lambda: bool(dialog.messages()))
    [bar] = dialog.messages()
    assert bar.kind is MessageKind.ERROR
    assert "cannot be moved under itself or one of its sub-units" in bar.text
    assert drop(dialog, "Umeå store", "Solbacka Hem AB", "above")  # beside the top unit
    qtbot.waitUntil(lambda: "one top unit" in dialog.messages()[0].text)
    assert not drop(dialog, "Umeå store", "Umeå store")  # onto itself: nothing to do
    assert tree_names(dialog) == before
    assert dialog.session.undo_stack.count() == 1
    # the top unit cannot be dragged at all
    root_item = dialog.tree.item_for(unit_id("Solbacka Hem AB"))
    assert not root_item.flags() & Qt.ItemFlag.ItemIsDragEnabled


# deleting --------------------------------------------------------------------------------
def test_the_delete_dialog_counts_the_loss_and_offers_the_choices(qtbot, demo_copy):
    workspace = Workspace.open(demo_copy)
    try:
        lulea = unit_id("Luleå store")
        usage = units.unit_usage(lulea)
        candidates = [node for node in unit_tree() if node.id != lulea]
        dialog = DeleteUnitDialog("Luleå store", usage, candidates, unit_id("Solbacka Hem AB"))
        qtbot.addWidget(dialog)
        assert dialog.summary.text() == (
            "“Luleå store” holds 396 values and 396 targets, and is part of 1 review."
        )
        assert dialog.move_radio.isChecked()
        assert dialog.move_combo.currentData() == unit_id("Solbacka Hem AB")
        assert dialog.delete_button.text() == "Move and delete"
        assert dialog.cancel_button.isDefault()
        dialog.reject()
        assert dialog.choice() == DeleteDecision(DeleteChoice.CANCEL)

        dialog.move_combo.setCurrentIndex(dialog.move_combo.findData(unit_id("Umeå store")))
        qtbot.mouseClick(dialog.delete_button, Qt.MouseButton.LeftButton)
        assert dialog.result() == QDialog.DialogCode.Accepted
        assert dialog.choice() == DeleteDecision(DeleteChoice.MOVE, unit_id("Umeå store"))

        dialog.discard_radio.setChecked(True)
        assert not dialog.move_combo.isEnabled()
        assert dialog.delete_button.text() == "Delete with data"
        dialog.accept()
        assert dialog.choice() == DeleteDecision(DeleteChoice.DISCARD)
    finally:
        workspace.close()


def test_describe_usage_names_sub_units():
    usage = units.UnitUsage(measurements=432, targets=36, descendants=1)
    assert describe_usage("Luleå store", usage) == (
        "“Luleå store” holds 432 values, 36 targets and 1 sub-unit."
    )
    assert describe_usage("Tom", units.UnitUsage()) == "“Tom” holds no data."


def test_delete_moving_the_data_then_undo_and_redo(open_dialog, demo_copy, qtbot, monkeypatch):
    dialog = open_dialog(demo_copy)
    lulea, umea = unit_id("Luleå store"), unit_id("Umeå store")
    dialog.session.set_unit(lulea)  # the unit picker shows the unit about to go
    asked = []

    def answer(parent, name, usage, candidates, default_target):
        asked.append((name, describe_usage(name, usage), [n.id for n in candidates]))
        return DeleteDecision(DeleteChoice.MOVE, umea)

    monkeypatch.setattr(units_dialog, "ask_delete", answer)
    total = Measurement.select().count()
    umea_values = values_of("Umeå store")
    dialog.select_unit(lulea)
    dialog.tree.setFocus()
    with qtbot.waitSignal(dialog.session.dataChanged):
        qtbot.keyClick(dialog.tree, Qt.Key.Key_Delete)
    [(name, sentence, candidates)] = asked
    assert name == "Luleå store" and "396 values" in sentence
    assert lulea not in candidates and umea in candidates
    assert (1, "Luleå store") not in tree_names(dialog)
    # every value clashed with Umeå's for the same KPI and period: Umeå's were kept
    assert values_of("Umeå store") == umea_values
    assert Measurement.select().count() == total - 396
    [bar] = dialog.messages()
    assert bar.kind is MessageKind.INFO
    assert "396 values and 396 targets were not moved" in bar.text
    assert dialog.selected_unit_id() == umea
    assert dialog.session.context.unit_id != lulea

    dialog.action_undo.trigger()
    assert (1, "Luleå store") in tree_names(dialog)
    assert values_of("Luleå store") == 396
    assert Measurement.select().count() == total
    dialog.action_redo.trigger()
    assert Unit.get_or_none(Unit.id == lulea) is None
    assert Measurement.select().count() == total - 396


def test_delete_with_the_data_then_undo(open_dialog, demo_copy, qtbot, monkeypatch):
    dialog = open_dialog(demo_copy)
    lulea = unit_id("Luleå store")
    child = units.create_unit(dialog.session.workspace, "Kassa", lulea)
    dialog.refresh()
    monkeypatch.setattr(
        units_dialog, "ask_delete", lambda *args: DeleteDecision(DeleteChoice.DISCARD)
    )
    values = Measurement.select().count()
    targets = Target.select().count()
    dialog.select_unit(lulea)
    qtbot.mouseClick(dialog.tool_buttons["delete"], Qt.MouseButton.LeftButton)
    assert Unit.get_or_none(Unit.id == child) is None
    assert Measurement.select().count() == values - 396
    assert Target.select().count() == targets - 396
    assert "with its data" in dialog.messages()[0].text
    dialog.tree.setFocus()
    qtbot.keyClick(dialog.tree, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert (2, "Kassa") in tree_names(dialog)
    assert Measurement.select().count() == values
    assert Target.select().count() == targets


def test_cancel_changes_nothing_and_an_empty_unit_is_not_asked_about(
    open_dialog, demo_copy, qtbot, monkeypatch
):
    dialog = open_dialog(demo_copy)
    monkeypatch.setattr(
        units_dialog, "ask_delete", lambda *args: DeleteDecision(DeleteChoice.CANCEL)
    )
    dialog.select_unit(unit_id("Luleå store"))
    assert dialog.delete_selected() is None
    assert (1, "Luleå store") in tree_names(dialog)
    assert dialog.session.undo_stack.count() == 0

    new = dialog.add_child()
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Escape)
    monkeypatch.setattr(units_dialog, "ask_delete", never_asked)
    dialog.select_unit(new)
    snapshot = dialog.delete_selected()
    assert snapshot is not None and snapshot.name == "New unit"
    assert dialog.selected_unit_id() == unit_id("Luleå store")
    assert dialog.messages() == []
    dialog.action_undo.trigger()
    dialog.action_undo.trigger()
    assert Unit.get_or_none(Unit.id == new) is None
    dialog.action_redo.trigger()
    assert Unit.get_by_id(new).name == "New unit"  # the same id when redone


# read-only -------------------------------------------------------------------------------
def test_a_read_only_workspace_shows_the_tree_without_editing(open_dialog, demo_copy, qtbot):
    dialog = open_dialog(demo_copy, read_only=True)
    assert len(tree_names(dialog)) == 5
    [bar] = dialog.messages()
    assert bar.kind is MessageKind.WARNING and "read-only" in bar.text
    dialog.select_unit(unit_id("Luleå store"))
    for action in (
        dialog.action_add_child,
        dialog.action_add_sibling,
        dialog.action_rename,
        dialog.action_delete,
    ):
        assert not action.isEnabled()
    assert dialog.name_edit.isReadOnly()
    item = dialog.tree.item_for(unit_id("Luleå store"))
    assert not item.flags() & Qt.ItemFlag.ItemIsEditable
    assert not item.flags() & Qt.ItemFlag.ItemIsDragEnabled
    assert not dialog.tree.acceptDrops()
    assert dialog.add_child() is None
    assert not dialog.rename_unit(unit_id("Luleå store"), "X")
    assert Unit.select().count() == 5
