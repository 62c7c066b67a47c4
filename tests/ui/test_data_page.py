"""The Data page: typing, validation, paste from a clipboard block, undo/redo, comments,
calculated KPIs, targets (bands too), the units × periods layout, read-only, the target dialog."""

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit

from kpidesk.domain.periods import Period, PeriodKind
from kpidesk.services import kpis as kpi_service
from kpidesk.services.data_entry import CellChange, GridLayout, GridMode, set_values
from kpidesk.services.kpis import KpiData
from kpidesk.store import models
from kpidesk.store.workspace import Workspace
from kpidesk.ui.models.data_grid_model import COMMENT_ROLE
from kpidesk.ui.pages.data import DataPage
from kpidesk.ui.target_dialog import TargetDialog

MARCH = 11  # the last of the 12 months shown, ending March 2026


@pytest.fixture
def ids(tmp_path):
    path = tmp_path / "acme.kpidesk"
    with Workspace.create(path, "Acme", language="en") as ws:
        root = models.Unit.get()
        with ws.atomic():
            store_a = models.Unit.create(name="Store A", parent=root, sort_order=0).id
            store_b = models.Unit.create(name="Store B", parent=root, sort_order=1).id
        rev = kpi_service.create_kpi(ws, KpiData("REV", "Revenue", measure_unit="currency"))
        csat = kpi_service.create_kpi(
            ws, KpiData("CSAT", "Satisfaction", measure_unit="percent", decimals=1)
        )
        double = kpi_service.create_kpi(ws, KpiData("DBL", "Double revenue", formula="REV * 2"))
        temp = kpi_service.create_kpi(
            ws, KpiData("TEMP", "Temperature", measure_unit="other", direction="band")
        )
        stock = kpi_service.create_kpi(ws, KpiData("STOCK", "Stock turns", frequency="quarter"))
    return {
        "path": path,
        "root": root.id,
        "a": store_a,
        "b": store_b,
        "rev": rev,
        "csat": csat,
        "double": double,
        "temp": temp,
        "stock": stock,
    }


def data_page(window, ids, *, read_only=False) -> DataPage:
    window.open_workspace(ids["path"], read_only=read_only)
    window.session.set_period(Period.month(2026, 3))
    window.session.set_unit(ids["a"])
    window.show_page(list(window.pages).index("data"))
    page = window.current_page()
    assert isinstance(page, DataPage)
    return page


def row_of(page, code):
    return next(i for i, row in enumerate(page.grid.rows) if row.kpi.code == code)


def value(kpi, unit, period):
    row = (
        models.Measurement.select()
        .where(
            (models.Measurement.kpi == kpi)
            & (models.Measurement.unit == unit)
            & (models.Measurement.period == period)
        )
        .first()
    )
    return None if row is None else (row.value, row.comment)


def type_into(page, row, column, text):
    index = page.model.index(row, column)
    page.table.setCurrentIndex(index)
    page.table.edit(index)
    editor = page.table.viewport().findChild(QLineEdit)
    assert editor is not None, "the cell did not open an editor"
    editor.selectAll()
    if text.isascii():
        QTest.keyClicks(editor, text)
    else:  # QTest types ASCII only
        editor.insert(text)
    QTest.keyClick(editor, Qt.Key.Key_Return)
    for _round in range(3):  # the delegate commits, then the page stores, both queued
        QApplication.processEvents()


def select(page, cells):
    selection = page.table.selectionModel()
    selection.clear()
    first = page.model.index(*cells[0])
    page.table.setCurrentIndex(first)
    for row, column in cells:
        selection.select(page.model.index(row, column), selection.SelectionFlag.Select)


def test_grid_rows_periods_and_kinds(window, ids):
    page = data_page(window, ids)
    assert [row.kpi.code for row in page.grid.rows] == ["REV", "CSAT", "DBL", "TEMP"]
    assert page.grid.periods[MARCH] == Period.month(2026, 3) and len(page.grid.periods) == 12
    assert "STOCK" in page.hint.text() and "quarter" in page.hint.text()
    page.kind_combo.setCurrentIndex(page.kind_combo.findData("quarter"))
    assert [row.kpi.code for row in page.grid.rows] == ["STOCK"]
    assert page.grid.periods[-1] == Period.quarter(2026, 1)
    assert page.model.headerData(7, Qt.Orientation.Horizontal) == "Q1 2026"


def test_typing_english_and_swedish_decimals_stores_the_value(window, ids):
    page = data_page(window, ids)
    rev = row_of(page, "REV")
    type_into(page, rev, MARCH, "1,234.5")
    assert value(ids["rev"], ids["a"], "2026-03") == (1234.5, "")
    type_into(page, rev, MARCH - 1, "1 234,5")
    assert value(ids["rev"], ids["a"], "2026-02") == (1234.5, "")
    type_into(page, row_of(page, "CSAT"), MARCH, "81,5 %")
    assert value(ids["csat"], ids["a"], "2026-03") == (81.5, "")
    assert page.model.data(page.model.index(row_of(page, "CSAT"), MARCH)) == "81.5%"
    index = page.model.index(rev, MARCH)
    assert page.model.data(index) == "SEK\u00a01,235"  # the KPI's decimals (none), 0.5 up
    assert page.model.data(index, Qt.ItemDataRole.EditRole) == "1234.5"  # what is stored
    assert "Stored: 1234.5" in page.model.data(index, Qt.ItemDataRole.ToolTipRole)
    window.action_undo.trigger()
    assert value(ids["csat"], ids["a"], "2026-03") is None
    window.action_redo.trigger()
    assert value(ids["csat"], ids["a"], "2026-03") == (81.5, "")


def test_invalid_text_is_refused_with_a_message_and_nothing_stored(window, ids):
    page = data_page(window, ids)
    type_into(page, row_of(page, "REV"), MARCH, "12 apples")
    assert "“12 apples” is not a number" in page.message_text
    assert "Nothing was saved" in page.message_text
    assert "b42318" in page.message.styleSheet()  # red
    assert models.Measurement.select().count() == 0
    assert page.session.undo_stack.count() == 0
    type_into(page, row_of(page, "REV"), MARCH, "12")
    assert page.message_text == ""


def test_paste_a_block_then_undo_and_redo_every_cell(window, ids, qtbot):
    page = data_page(window, ids)
    workspace = window.session.workspace
    set_values(workspace, [CellChange(ids["rev"], ids["a"], "2026-02", 7.0, "Old note")])
    page.refresh()
    rev, csat = row_of(page, "REV"), row_of(page, "CSAT")
    QGuiApplication.clipboard().setText("1 200,5\t1300\t1,400.25\r\n81,5 %\t82.5\t83\r\n")
    select(page, [(rev, MARCH - 2)])
    page.table.setFocus()
    QTest.keyClick(page.table, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    expected = {
        (ids["rev"], "2026-01"): (1200.5, ""),
        (ids["rev"], "2026-02"): (1300.0, "Old note"),  # the comment stays with the cell
        (ids["rev"], "2026-03"): (1400.25, ""),
        (ids["csat"], "2026-01"): (81.5, ""),
        (ids["csat"], "2026-02"): (82.5, ""),
        (ids["csat"], "2026-03"): (83.0, ""),
    }
    for (kpi, period), stored in expected.items():
        assert value(kpi, ids["a"], period) == stored
    assert "Pasted 6 values." in page.message_text
    assert page.session.undo_stack.count() == 1

    window.action_undo.trigger()
    assert value(ids["rev"], ids["a"], "2026-02") == (7.0, "Old note")
    assert models.Measurement.select().count() == 1
    assert page.model.data(page.model.index(csat, MARCH)) == ""
    window.action_redo.trigger()
    for (kpi, period), stored in expected.items():
        assert value(kpi, ids["a"], period) == stored


def test_paste_with_a_bad_cell_stores_nothing_and_empty_cells_leave_values(window, ids):
    page = data_page(window, ids)
    rev = row_of(page, "REV")
    select(page, [(rev, MARCH - 1)])
    assert not page.paste("5\tfive\r\n")
    assert "Nothing was pasted" in page.message_text and "“five”" in page.message_text
    assert models.Measurement.select().count() == 0
    set_values(window.session.workspace, [CellChange(ids["rev"], ids["a"], "2026-03", 9.0)])
    page.refresh()
    select(page, [(rev, MARCH - 1)])
    assert page.paste("5\t\t77\r\n")  # the empty cell leaves March as it is; 77 is beyond
    assert value(ids["rev"], ids["a"], "2026-02") == (5.0, "")
    assert value(ids["rev"], ids["a"], "2026-03") == (9.0, "")
    assert "beyond the grid" in page.message_text


def test_one_copied_cell_fills_the_selection_and_calculated_cells_are_skipped(window, ids):
    page = data_page(window, ids)
    rev, double = row_of(page, "REV"), row_of(page, "DBL")
    select(page, [(rev, MARCH), (double, MARCH), (rev, MARCH - 1)])
    assert page.paste("10\n")
    assert value(ids["rev"], ids["a"], "2026-03") == (10.0, "")
    assert value(ids["rev"], ids["a"], "2026-02") == (10.0, "")
    assert value(ids["double"], ids["a"], "2026-03") is None
    assert "calculated" in page.message_text


def test_delete_clears_the_selected_cells_in_one_step(window, ids):
    page = data_page(window, ids)
    set_values(
        window.session.workspace,
        [
            CellChange(ids["rev"], ids["a"], "2026-02", 1.0, "a note"),
            CellChange(ids["rev"], ids["a"], "2026-03", 2.0),
        ],
    )
    page.refresh()
    rev = row_of(page, "REV")
    select(page, [(rev, MARCH - 1), (rev, MARCH), (rev, MARCH - 2)])
    page.table.setFocus()
    QTest.keyClick(page.table, Qt.Key.Key_Delete)
    assert models.Measurement.select().count() == 0
    window.action_undo.trigger()
    assert value(ids["rev"], ids["a"], "2026-02") == (1.0, "a note")
    assert value(ids["rev"], ids["a"], "2026-03") == (2.0, "")


def test_a_comment_per_value(window, ids):
    page = data_page(window, ids)
    rev = row_of(page, "REV")
    page.table.setCurrentIndex(page.model.index(rev, MARCH))
    assert not page.comment_edit.isEnabled()  # no value yet
    type_into(page, rev, MARCH, "100")
    page.table.setCurrentIndex(page.model.index(rev, MARCH))
    assert page.comment_edit.isEnabled()
    assert "Revenue, March 2026" in page.comment_label.text()
    page.comment_edit.setText("Closed four days")
    page.comment_edit.editingFinished.emit()
    assert value(ids["rev"], ids["a"], "2026-03") == (100.0, "Closed four days")
    index = page.model.index(rev, MARCH)
    assert page.model.data(index, COMMENT_ROLE) is True
    assert "Comment: Closed four days" in page.model.data(index, Qt.ItemDataRole.ToolTipRole)
    menu = page.build_context_menu()
    assert next(a.text() for a in menu.actions() if a.text()) == "Co&mment…"
    window.action_undo.trigger()
    assert value(ids["rev"], ids["a"], "2026-03") == (100.0, "")


def test_a_calculated_kpi_is_shown_but_not_editable(window, ids):
    page = data_page(window, ids)
    set_values(window.session.workspace, [CellChange(ids["rev"], ids["a"], "2026-03", 21.0)])
    page.refresh()
    index = page.model.index(row_of(page, "DBL"), MARCH)
    assert page.model.data(index) == "42"
    assert not page.model.flags(index) & Qt.ItemFlag.ItemIsEditable
    assert "Calculated from other KPIs: REV * 2" in page.model.data(
        index, Qt.ItemDataRole.ToolTipRole
    )
    page.table.setCurrentIndex(index)
    page.table.setFocus()
    QTest.keyClick(page.table, Qt.Key.Key_5)  # typing opens no editor
    assert page.table.viewport().findChild(QLineEdit) is None
    assert not page.commit_text(index.row(), index.column(), "5")
    assert value(ids["double"], ids["a"], "2026-03") is None


def test_targets_mode_stores_a_target_and_a_band(window, ids):
    page = data_page(window, ids)
    page.targets_button.click()
    assert page.mode is GridMode.TARGETS
    type_into(page, row_of(page, "REV"), MARCH, "1 500")
    target = models.Target.get()
    assert (target.kpi_id, target.unit_id, target.period, target.value) == (
        ids["rev"],
        ids["a"],
        "2026-03",
        1500.0,
    )
    type_into(page, row_of(page, "TEMP"), MARCH, "20–23")
    band = models.Target.get(models.Target.kpi == ids["temp"])
    assert (band.value, band.value_high) == (20.0, 23.0)
    assert page.model.data(page.model.index(row_of(page, "TEMP"), MARCH)) == "20 – 23"
    type_into(page, row_of(page, "REV"), MARCH - 1, "10–20")
    assert "Only a KPI kept within a range" in page.message_text
    assert models.Target.select().count() == 2
    window.action_undo.trigger()
    assert models.Target.select().count() == 1
    # in values mode the target gives the cell its status
    page.values_button.click()
    type_into(page, row_of(page, "REV"), MARCH, "1 400")
    tooltip = page.model.data(
        page.model.index(row_of(page, "REV"), MARCH), Qt.ItemDataRole.ToolTipRole
    )
    assert "Target: SEK\u00a01,500" in tooltip and "! At risk" in tooltip


def test_units_by_periods_for_one_kpi(window, ids):
    page = data_page(window, ids)
    page.table.setCurrentIndex(page.model.index(row_of(page, "CSAT"), MARCH))
    page.by_units_button.click()
    assert page.layout_kind is GridLayout.UNITS
    assert page.kpi_combo.currentData() == ids["csat"]
    assert [row.label for row in page.grid.rows] == ["Acme", "Store A", "Store B"]
    type_into(page, 2, MARCH, "77,5")
    assert value(ids["csat"], ids["b"], "2026-03") == (77.5, "")
    # the company rolls up its stores, shown but not stored
    company = page.model.index(0, MARCH)
    assert page.model.data(company) == "77.5%"
    assert "Rolled up" in page.model.data(company, Qt.ItemDataRole.ToolTipRole)
    page.kpi_combo.setCurrentIndex(page.kpi_combo.findData(ids["stock"]))
    assert page.grid.kind is PeriodKind.QUARTER
    page.targets_button.click()
    assert page.grid.rows[0].unit_id is None  # every unit's targets first
    type_into(page, 0, 7, "4,5")
    target = models.Target.get()
    assert (target.unit_id, target.period, target.value) == (None, "2026-Q1", 4.5)
    inherited = page.model.index(2, 7)
    assert page.model.data(inherited) == "5"  # no decimals: 4.5 rounds up, as in Excel
    assert page.model.data(inherited, Qt.ItemDataRole.EditRole) == ""


def test_read_only_workspace_disables_editing(window, ids):
    with Workspace.open(ids["path"]) as ws:
        set_values(ws, [CellChange(ids["rev"], ids["a"], "2026-03", 5.0)])
    page = data_page(window, ids, read_only=True)
    index = page.model.index(row_of(page, "REV"), MARCH)
    assert not page.model.flags(index) & Qt.ItemFlag.ItemIsEditable
    page.table.setCurrentIndex(index)
    assert not page.comment_edit.isEnabled()
    assert not page.paste("1\t2\r\n")
    assert not page.clear_selection()
    assert value(ids["rev"], ids["a"], "2026-03") == (5.0, "")
    assert "read-only" in page.hint.text()


def test_target_dialog_path_and_suggestion(window, ids, monkeypatch, qtbot):
    changes = [
        CellChange(ids["rev"], unit, Period.month(2024, 1).shift(n).key, level + 10 * n)
        for n in range(26)  # Jan 2024 – Feb 2026
        for unit, level in ((ids["a"], 1000.0), (ids["b"], 3000.0))
    ]
    with Workspace.open(ids["path"]) as ws:
        set_values(ws, changes)
    page = data_page(window, ids)
    page.table.setCurrentIndex(page.model.index(row_of(page, "REV"), MARCH))
    opened = []
    monkeypatch.setattr(page, "open_dialog", opened.append)
    page.targets_dialog_button.click()
    dialog = opened[0]
    assert isinstance(dialog, TargetDialog)
    assert dialog.unit_id() == ids["a"] and dialog.period == Period.month(2026, 3)

    dialog.baseline_value.setText("1 000")
    dialog.goal_value.setText("lots")
    assert not dialog.save_path()
    assert dialog.goal_field.error_text == "“lots” is not a number."
    dialog.goal_value.setText("1 600,5")
    dialog._select(dialog.goal_period, "2026-12")
    assert dialog.save_path()
    path = models.TargetPath.get()
    assert (path.unit_id, path.baseline_period, path.goal_period, path.goal_value) == (
        ids["a"],
        "2026-03",
        "2026-12",
        1600.5,
    )
    assert "from SEK\u00a01,000 in March 2026" in dialog.path_label.text()
    assert "in December 2026" in dialog.path_label.text()
    assert dialog.remove_path()
    assert models.TargetPath.select().count() == 0
    window.action_undo.trigger()
    assert models.TargetPath.select().count() == 1
    assert "in December 2026" in dialog.path_label.text()  # the dialog follows the undo
    dialog._select(dialog.goal_period, "2026-01")
    assert not dialog.save_path()
    assert "comes before the baseline" in dialog.path_error.text()

    found = dialog.suggest()
    assert len(found) == 2
    assert "Same month last year (SEK\u00a01,140)" in dialog.explanations[0].text()
    assert dialog.explanations[1].text() == "The level of the best unit, Store B (SEK\u00a03,195)."
    dialog.suggestion_buttons[1].setChecked(True)
    dialog._select(dialog.apply_to, "2026-05")
    assert dialog.apply_suggestion()
    assert sorted(
        (t.period, t.value) for t in models.Target.select().where(models.Target.unit == ids["a"])
    ) == [("2026-03", 3195.0), ("2026-04", 3195.0), ("2026-05", 3195.0)]
    window.action_undo.trigger()
    assert models.Target.select().count() == 0
    dialog.close()
    qtbot.waitUntil(lambda: not shiboken6.isValid(dialog))  # deleted; its undo steps live on
    window.action_redo.trigger()
    assert models.Target.select().count() == 3


def test_no_kpis_shows_what_to_do(window, tmp_path):
    path = tmp_path / "empty.kpidesk"
    Workspace.create(path, "Empty").close()
    window.open_workspace(path)
    window.show_page(list(window.pages).index("data"))
    page = window.current_page()
    assert page.stack.currentWidget() is page.empty
    QApplication.processEvents()
