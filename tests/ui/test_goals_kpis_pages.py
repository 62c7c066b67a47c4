"""Clicking through the Goals and KPIs pages: create, edit, validation, archive, library, undo."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialogButtonBox

from kpidesk.store import models
from kpidesk.store.workspace import Workspace
from kpidesk.ui.pages import goals as goals_module


@pytest.fixture
def opened(window, tmp_path):
    path = tmp_path / "acme.kpidesk"
    Workspace.create(path, "Acme").close()
    window.open_workspace(path)
    return window


def goals_page(window):
    window.show_page(list(window.pages).index("goals"))
    return window.current_page()


def kpis_page(window):
    window.show_page(list(window.pages).index("kpis"))
    return window.current_page()


def test_goals_from_empty_state_to_edited_goal_with_undo(opened, qtbot):
    page = goals_page(opened)
    assert page.stack.currentWidget() is page.empty
    qtbot.mouseClick(page.new_button, Qt.MouseButton.LeftButton)
    assert models.Goal.select().count() == 1
    page.title_edit.setText("Öka omsättningen")
    page.title_edit.editingFinished.emit()
    assert models.Goal.get().title == "Öka omsättningen"
    page.smart_boxes["smart_measurable"].setChecked(True)
    assert models.Goal.get().smart_measurable
    page.title_edit.setText("")
    page.title_edit.editingFinished.emit()
    assert page.title_field.error_text == "A goal needs a title."
    assert models.Goal.get().title == "Öka omsättningen"
    opened.action_undo.trigger()  # the SMART tick
    assert not models.Goal.get().smart_measurable
    opened.action_undo.trigger()  # the title
    assert models.Goal.get().title == "New goal"
    opened.action_redo.trigger()
    assert models.Goal.get().title == "Öka omsättningen"
    assert page.tree.topLevelItem(0).text(0) == "Öka omsättningen"


def test_due_before_start_is_refused_beside_the_field(opened):
    from datetime import date

    page = goals_page(opened)
    page.new_goal(as_child=False)
    page.start_edit.set_value(date(2026, 6, 1))
    page.due_edit.set_value(date(2026, 1, 1))
    assert page.due_field.error_text == "The due date is before the start date."
    assert models.Goal.get().due_date is None


def test_sub_goal_move_and_delete_keep_kpis(opened, monkeypatch):
    page = goals_page(opened)
    page.new_goal(as_child=False)
    top = page.selected_goal_id()
    page.new_goal(as_child=True)
    child = page.selected_goal_id()
    assert models.Goal.get_by_id(child).parent_id == top
    from kpidesk.services import kpis as kpi_service
    from kpidesk.services.kpis import KpiData

    kpi_id = kpi_service.create_kpi(opened.session.workspace, KpiData("REV", "Revenue"))
    page.refresh()
    page.select_goal(child)
    page.kpi_list.item(0).setCheckState(Qt.CheckState.Checked)
    assert [link.kpi_id for link in models.KpiGoal.select()] == [kpi_id]

    shown = []
    monkeypatch.setattr(
        goals_module.QMessageBox, "information", lambda *args: shown.append(args[2])
    )
    page.move_goal(top, child)
    assert shown and "cannot be moved" in shown[0]
    page.move_goal(child, None)
    assert models.Goal.get_by_id(child).parent_id is None
    opened.action_undo.trigger()
    assert models.Goal.get_by_id(child).parent_id == top

    asked = []
    monkeypatch.setattr(
        goals_module, "confirm_delete", lambda parent, text, details: asked.append(details) or True
    )
    page.select_goal(top)
    page.delete_selected()
    assert "sub-goals move up" in asked[0]
    assert models.Goal.select().count() == 1
    assert models.Kpi.select().count() == 1
    opened.action_undo.trigger()
    assert models.Goal.get_by_id(child).parent_id == top


def test_delete_can_be_cancelled(opened, monkeypatch):
    page = goals_page(opened)
    page.new_goal(as_child=False)
    monkeypatch.setattr(goals_module, "confirm_delete", lambda *args: False)
    page.delete_selected()
    assert models.Goal.select().count() == 1


def fill_editor(editor, **values):
    editor.code_edit.clear()
    QTest.keyClicks(editor.code_edit, values.get("code", ""))  # typed: upper-cased as typed
    editor.name_edit.setText(values.get("name", ""))
    if "owner" in values:
        editor.owner_edit.setText(values["owner"])
    if "measure" in values:
        editor.measure_combo.setCurrentIndex(editor.measure_combo.findData(values["measure"]))


def test_new_kpi_validation_beside_fields_then_create_and_undo(opened, monkeypatch):
    page = kpis_page(opened)
    assert page.stack.currentWidget() is page.empty
    seen = {}

    def drive(editor):
        ok = editor.buttons.button(QDialogButtonBox.StandardButton.Ok)
        seen["initial_ok"] = ok.isEnabled()
        seen["code_error"] = editor.fields["code"].error_text
        fill_editor(editor, code="nps", name="Net Promoter Score", owner="Sara", measure="score")
        editor.benchmark_edit.setText("31")
        seen["source_error"] = editor.fields["benchmark_source"].error_text
        editor.benchmark_source_edit.setText("Branschrapport 2025")
        seen["final_ok"] = ok.isEnabled()
        return editor.validate()

    monkeypatch.setattr(page, "open_editor", drive)
    page.new_kpi()
    assert seen["initial_ok"] is False and "capital letters" in seen["code_error"]
    assert seen["source_error"] == "Name the source of the benchmark value."
    assert seen["final_ok"] is True
    kpi = models.Kpi.get()
    assert (kpi.code, kpi.owner, kpi.measure_unit, kpi.benchmark_value) == (
        "NPS",
        "Sara",
        "score",
        31.0,
    )
    assert page.model.rowCount() == 1
    opened.action_undo.trigger()
    assert models.Kpi.select().count() == 0


def test_edit_archive_and_bring_back(opened, monkeypatch):
    from kpidesk.services import kpis as kpi_service
    from kpidesk.services.kpis import KpiData

    kpi_service.create_kpi(opened.session.workspace, KpiData("REV", "Revenue"))
    page = kpis_page(opened)
    page.select_kpi(models.Kpi.get().id)

    def rename(editor):
        editor.name_edit.setText("Net sales")
        return True

    monkeypatch.setattr(page, "open_editor", rename)
    page.edit_selected()
    assert models.Kpi.get().name == "Net sales"
    page.select_kpi(models.Kpi.get().id)
    page.archive_button.click()
    assert models.Kpi.get().archived_at is not None
    assert page.model.rowCount() == 0
    page.archived_filter.setChecked(True)
    assert page.model.rowCount() == 1 and "archived" in page.model.index(0, 1).data()
    page.select_kpi(models.Kpi.get().id)
    assert page.archive_button.text() == "Bring back"
    page.archive_button.click()
    assert models.Kpi.get().archived_at is None
    opened.action_undo.trigger()
    opened.action_undo.trigger()
    opened.action_undo.trigger()
    assert models.Kpi.get().name == "Revenue"


def test_library_picker_adds_several_linked_to_a_goal(opened, monkeypatch):
    from kpidesk.services import goals as goal_service
    from kpidesk.services.goals import GoalData

    goal = goal_service.create_goal(opened.session.workspace, GoalData("Nöjda kunder"))
    page = kpis_page(opened)

    def pick(picker):
        picker.search.setText("nöjd")
        assert picker.tree.topLevelItemCount() >= 1
        picker.search.setText("")
        picker.set_checked({"CSAT", "NPS", "FCR"})
        assert picker.add_button.text() == "Add 3 KPIs"
        picker.goal_combo.setCurrentIndex(picker.goal_combo.findData(goal))
        return True

    monkeypatch.setattr(page, "open_picker", pick)
    page.add_from_library()
    codes = {k.code for k in models.Kpi.select()}
    assert codes == {"CSAT", "NPS", "FCR"}
    assert models.KpiGoal.select().where(models.KpiGoal.goal == goal).count() == 3
    assert page.model.rowCount() == 3
    page.goal_filter.setCurrentIndex(page.goal_filter.findData(goal))
    assert page.model.rowCount() == 3
    page.search.setText("FCR")
    assert page.model.rowCount() == 1
    opened.action_undo.trigger()
    assert models.Kpi.select().count() == 0


def test_read_only_workspace_disables_editing(window, tmp_path):
    path = tmp_path / "ro.kpidesk"
    Workspace.create(path, "RO").close()
    window.open_workspace(path, read_only=True)
    page = kpis_page(window)
    assert not page.new_button.isEnabled() and not page.library_button.isEnabled()
    page = goals_page(window)
    assert not page.new_button.isEnabled()


def test_formula_editor_refuses_a_loop_beside_the_field(opened, monkeypatch):
    from kpidesk.services import kpis as kpi_service
    from kpidesk.services.kpis import KpiData

    ws = opened.session.workspace
    kpi_service.create_kpi(ws, KpiData("PROM", "Promoters"))
    kpi_service.create_kpi(ws, KpiData("NPS", "NPS", formula="PROM * 1"))
    page = kpis_page(opened)
    page.select_kpi(models.Kpi.get(models.Kpi.code == "PROM").id)
    seen = {}

    def drive(editor):
        editor.formula_edit.setText("NPS / 2")
        seen["error"] = editor.fields["formula"].error_text
        seen["ok"] = editor.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()
        return False

    monkeypatch.setattr(page, "open_editor", drive)
    page.edit_selected()
    assert seen["error"] == "The formula makes a loop: PROM → NPS → PROM."
    assert seen["ok"] is False
    assert models.Kpi.get(models.Kpi.code == "PROM").formula == ""
