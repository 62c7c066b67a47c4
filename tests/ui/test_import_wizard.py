"""File → Import: the wizard's steps on golden workbooks, off the GUI thread, undo, drop."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent

from kpidesk.io.layout import LayoutKind
from kpidesk.services import importing
from kpidesk.services.import_mapping import find_profile
from kpidesk.store import models
from kpidesk.ui.import_wizard import ImportWizard, Step, file_step

DATA = Path(__file__).resolve().parents[1] / "data" / "import"


def idle(wizard: ImportWizard, qtbot, timeout: int = 60000) -> None:
    qtbot.waitUntil(lambda: not wizard.busy, timeout=timeout)
    assert wizard.wait_until_idle()


def stored() -> set[tuple[str, str, str, float]]:
    query = (
        models.Measurement.select(
            models.Kpi.code, models.Unit.name, models.Measurement.period, models.Measurement.value
        )
        .join(models.Kpi)
        .switch(models.Measurement)
        .join(models.Unit)
        .where(models.Measurement.source == "import")
        .tuples()
    )
    return set(query)


@pytest.fixture
def workspace_window(window, tmp_path):
    """The window on a new workspace with the KPIs and units of the golden workbooks."""
    from kpidesk.services.kpis import KpiData, create_kpi
    from kpidesk.services.units import create_unit, root_unit_id

    assert window.create_and_open(tmp_path / "test.kpidesk")
    workspace = window.session.workspace
    root = root_unit_id()
    for name in ("Sthlm", "Gbg", "Norr", "Syd"):
        create_unit(workspace, name, root)
    for code, name, measure in (
        ("REV", "Omsättning", "currency"),
        ("CUST", "Kunder", "count"),
        ("SAT", "Andel nöjda", "percent"),
        ("COST", "Kostnader", "currency"),
    ):
        create_kpi(workspace, KpiData(code=code, name=name, measure_unit=measure))
    return window


@pytest.fixture
def wizard(workspace_window, qtbot):
    wizard = ImportWizard(workspace_window.session, workspace_window)
    qtbot.addWidget(wizard)
    wizard.show()
    yield wizard
    wizard.cancel()
    wizard.wait_until_idle()


def open_file(wizard: ImportWizard, qtbot, path: Path) -> None:
    wizard.set_path(path)
    idle(wizard, qtbot)
    assert wizard.message_text == ""


def go_next(wizard: ImportWizard, qtbot, step: int) -> None:
    assert wizard.next_button.isEnabled(), wizard.message_text
    wizard.next_button.click()
    idle(wizard, qtbot)
    assert wizard.step == step, wizard.message_text


def test_a_long_sheet_from_file_to_done_and_undone(wizard, qtbot, workspace_window):
    open_file(wizard, qtbot, DATA / "long_sv.xlsx")
    assert wizard.file_step.current_sheet().name == "Data"  # type: ignore[union-attr]
    assert wizard.file_step.raw_table.item(2, 0).text() == "Månad"

    go_next(wizard, qtbot, Step.LAYOUT)
    assert "One row per value" in wizard.layout_step.layout_summary.text()
    assert "header on row 3" in wizard.layout_step.layout_summary.text()
    assert wizard.layout_step.sheet_table.horizontalHeaderItem(2).text() == "C\nKPI"
    assert wizard.layout_step.records_table.rowCount() == 6
    row = [wizard.layout_step.records_table.item(0, c).text() for c in range(6)]
    assert row == ["D4", "Omsättning (kr)", "Sthlm", "January 2026", "1,234.5", "Rea"]
    assert wizard.layout_step.records_table.item(5, 4).text() == "81.5 %"
    assert (
        "1 total or subtotal rows were left out (rows 9)." in wizard.layout_step.layout_notes.text()
    )

    go_next(wizard, qtbot, Step.MAPPING)
    kpis, units = ids()
    assert wizard.mapping_step.choice_of(wizard.mapping_step.kpi_choice("Omsättning (kr)")) == (
        "map",
        kpis["REV"],
    )
    assert wizard.mapping_step.choice_of(wizard.mapping_step.kpi_choice("Andel nöjda")) == (
        "map",
        kpis["SAT"],
    )
    assert wizard.mapping_step.choice_of(wizard.mapping_step.unit_choice("Gbg")) == (
        "map",
        units["Gbg"],
    )
    assert wizard.mapping_step.default_unit_combo.isHidden()

    go_next(wizard, qtbot, Step.CHECK)
    assert wizard.check_step.check_summary.text() == "6 values are ready to be imported."
    assert wizard.check_step.problems_table.rowCount() == 3
    problem = [wizard.check_step.problems_table.item(0, c).text() for c in range(5)]
    assert problem == ["Data", "11", "D", "#N/A", "The cell holds the Excel error #N/A."]
    assert not wizard.next_button.isEnabled()  # problems: only with "import the valid ones"
    wizard.check_step.skip_invalid_check.setChecked(True)
    assert wizard.next_button.text() == "&Import"

    go_next(wizard, qtbot, Step.DONE)
    assert wizard.state.result is not None and wizard.state.result.imported == 6
    assert wizard.done_step.done_summary.text().startswith("Imported 6 values")
    assert wizard.done_step.result_rows()["Left out, with problems:"] == "3"
    assert stored() == {
        ("REV", "Sthlm", "2026-01", 1234.5),
        ("CUST", "Sthlm", "2026-01", 312.0),
        ("SAT", "Sthlm", "2026-01", 81.5),
        ("REV", "Sthlm", "2026-02", 2000.25),
        ("CUST", "Sthlm", "2026-02", 1024.0),
        ("SAT", "Gbg", "2026-02", 81.5),
    }
    stack = workspace_window.session.undo_stack
    assert stack.undoText() == "Import long_sv.xlsx"

    wizard.undo_button.click()
    assert stored() == set()
    assert wizard.done_step.done_heading.text() == "Import undone"
    assert not wizard.undo_button.isEnabled()
    assert stack.count() == 0  # an undone import cannot be redone


def ids() -> tuple[dict[str, int], dict[str, int]]:
    return (
        dict(models.Kpi.select(models.Kpi.code, models.Kpi.id).tuples()),
        dict(models.Unit.select(models.Unit.name, models.Unit.id).tuples()),
    )


def test_the_work_runs_off_the_gui_thread(wizard, qtbot, monkeypatch):
    threads: list[int] = []
    original = importing.run_import

    def spy(*args, **kwargs):
        threads.append(threading.get_ident())
        return original(*args, **kwargs)

    monkeypatch.setattr(importing, "run_import", spy)
    open_file(wizard, qtbot, DATA / "wide.xlsx")
    go_next(wizard, qtbot, Step.LAYOUT)
    go_next(wizard, qtbot, Step.MAPPING)
    go_next(wizard, qtbot, Step.CHECK)
    assert threads and threading.get_ident() not in threads


def test_mapping_create_ignore_and_edit_undo(wizard, qtbot, workspace_window):
    open_file(wizard, qtbot, DATA / "wide.xlsx")
    go_next(wizard, qtbot, Step.LAYOUT)
    assert (
        wizard.layout_step.sheet_table.horizontalHeaderItem(2).text() == "C\nKPI: Omsättning (kr)"
    )
    go_next(wizard, qtbot, Step.MAPPING)
    _kpis, units = ids()
    conversion = wizard.mapping_step.kpi_choice("Konvertering")
    assert wizard.mapping_step.choice_of(conversion) == ("create", None)
    assert conversion.currentText() == "New KPI “Konvertering” (percent, average, by month)"
    wizard.mapping_step.choose(wizard.mapping_step.kpi_choice("Kunder"), "ignore")
    wizard.mapping_step.choose(wizard.mapping_step.unit_choice("Syd"), "map", units["Gbg"])
    wizard.mapping_step.profile_edit.setText("Månadsrapport")

    go_next(wizard, qtbot, Step.CHECK)
    assert wizard.check_step.check_summary.text() == "7 values are ready to be imported."
    assert "New KPIs: Konvertering." in wizard.check_step.check_created.text()
    assert "3 values of ignored names are left out." in wizard.check_step.check_created.text()
    assert wizard.check_step.problems_table.rowCount() == 1  # the #DIV/0! (in the ignored column)
    wizard.check_step.skip_invalid_check.setChecked(True)
    go_next(wizard, qtbot, Step.DONE)

    new = models.Kpi.get(models.Kpi.name == "Konvertering")
    assert (new.measure_unit, new.time_aggregation) == ("percent", "average")
    assert ("CONV", "Gbg", "2026-01", 20.0) in stored()  # Syd's row, mapped to Gbg
    assert models.UnitAlias.get().alias == "syd"
    profile = find_profile("Månadsrapport")
    assert profile is not None and profile.kpis["kunder"].choice.value == "ignore"

    workspace_window.action_undo.trigger()  # Edit → Undo
    assert stored() == set()
    assert not models.Kpi.select().where(models.Kpi.name == "Konvertering").exists()
    assert models.UnitAlias.select().count() == 0


def test_the_profile_is_found_again_for_a_file_of_the_same_shape(wizard, qtbot):
    from kpidesk.services.import_mapping import ImportMapping, KpiDecision, kpi_key

    kpis, _units = ids()
    workspace = wizard.session.workspace
    importing.run_import(
        workspace,
        DATA / "wide.xlsx",
        importing.ImportOptions(skip_invalid=True, profile="Månadsrapport"),
        ImportMapping(kpis={kpi_key("Konvertering"): KpiDecision.map_to(kpis["SAT"])}),
    )
    open_file(wizard, qtbot, DATA / "wide.xlsx")
    go_next(wizard, qtbot, Step.LAYOUT)
    go_next(wizard, qtbot, Step.MAPPING)
    assert "“Månadsrapport”" in wizard.mapping_step.profile_info.text()
    assert wizard.mapping_step.profile_edit.text() == "Månadsrapport"
    assert wizard.mapping_step.choice_of(wizard.mapping_step.kpi_choice("Konvertering")) == (
        "map",
        kpis["SAT"],
    )
    go_next(wizard, qtbot, Step.CHECK)
    assert wizard.check_step.conflict_box.isVisibleTo(wizard)  # all 10 values are stored already
    assert "10 of them are already stored" in wizard.check_step.conflict_label.text()


def test_a_budget_sheet_into_targets_with_the_year_from_the_sheet_name(wizard, qtbot):
    open_file(wizard, qtbot, DATA / "across_budget.xlsx")
    assert wizard.file_step.sheet_list.count() == 4
    wizard.file_step.select_sheet("Budget 2026")
    go_next(wizard, qtbot, Step.LAYOUT)
    assert "Periods across the columns" in wizard.layout_step.layout_summary.text()
    assert wizard.layout_step.sheet_table.horizontalHeaderItem(2).text() == "C\nJanuary 2026"
    assert "from the sheet name “Budget 2026”" in wizard.layout_step.layout_notes.text()
    go_next(wizard, qtbot, Step.MAPPING)
    wizard.mapping_step.targets_radio.setChecked(True)
    go_next(wizard, qtbot, Step.CHECK)
    assert wizard.check_step.check_summary.text() == "26 targets are ready to be imported."
    go_next(wizard, qtbot, Step.DONE)
    assert models.Target.select().count() == 26
    assert stored() == set()
    assert wizard.done_step.result_rows()["Stored as:"] == "targets"
    assert wizard.done_step.result_rows()["Imported:"] == "26"


def test_months_without_a_year_ask_for_the_year(wizard, qtbot):
    open_file(wizard, qtbot, DATA / "across_budget.xlsx")
    wizard.file_step.select_sheet("Utan år")
    go_next(wizard, qtbot, Step.LAYOUT)
    assert "have no year" in wizard.message_text
    assert not wizard.next_button.isEnabled()
    wizard.layout_step.set_year(2024)
    idle(wizard, qtbot)
    assert wizard.message_text == ""
    assert wizard.layout_step.records_table.item(0, 3).text() == "January 2024"
    go_next(wizard, qtbot, Step.MAPPING)
    go_next(wizard, qtbot, Step.CHECK)
    go_next(wizard, qtbot, Step.DONE)
    assert stored() == {
        ("CUST", "test", "2024-01", 1.0),
        ("CUST", "test", "2024-02", 2.0),
    }


def test_forcing_another_layout_reads_the_sheet_again(wizard, qtbot):
    open_file(wizard, qtbot, DATA / "wide.xlsx")
    go_next(wizard, qtbot, Step.LAYOUT)
    assert wizard.state.scan is not None and wizard.state.scan.layout.kind is LayoutKind.WIDE
    wizard.layout_step.set_layout_choice(LayoutKind.LONG)
    idle(wizard, qtbot)
    assert wizard.message_text == (
        "No table in the “long” layout was found on the sheet “Månadsdata”."
    )
    assert wizard.state.scan is None and not wizard.next_button.isEnabled()
    wizard.layout_step.set_layout_choice(None)
    idle(wizard, qtbot)
    assert wizard.state.scan is not None and wizard.next_button.isEnabled()


def test_csv_and_ods_and_an_unreadable_file(wizard, qtbot):
    open_file(wizard, qtbot, DATA / "semicolon_cp1252.csv")
    go_next(wizard, qtbot, Step.LAYOUT)
    assert wizard.layout_step.records_table.item(0, 2).text() == "Malmö"
    wizard.set_path(DATA / "junk.xlsx")
    idle(wizard, qtbot)
    assert wizard.message_text == "junk.xlsx is not a spreadsheet KPI Desk can read."
    assert wizard.step == Step.FILE and not wizard.next_button.isEnabled()


def test_cancelling_the_import_leaves_nothing_behind(wizard, qtbot, monkeypatch, tmp_path):
    path = tmp_path / "big.csv"
    lines = ["Månad;Butik;Nyckeltal;Värde"]
    lines += [f"{1950 + i // 12}-{1 + i % 12:02d};Sthlm;Kunder;{i}" for i in range(2400)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    open_file(wizard, qtbot, path)
    go_next(wizard, qtbot, Step.LAYOUT)
    go_next(wizard, qtbot, Step.MAPPING)
    go_next(wizard, qtbot, Step.CHECK)
    gate = threading.Event()
    original = importing.run_import

    def slow(*args, **kwargs):
        progress = kwargs["progress"]
        cancelled = kwargs["cancelled"]

        def waiting_progress(done, total):
            progress(done, total)
            gate.wait(5)

        kwargs["progress"] = waiting_progress
        kwargs["cancelled"] = cancelled
        return original(*args, **kwargs)

    monkeypatch.setattr(importing, "run_import", slow)
    wizard.next_button.click()
    assert wizard.busy
    assert wizard.cancel_button.text() == "Cancel"
    wizard.cancel_button.click()  # cancels, does not close
    gate.set()
    idle(wizard, qtbot)
    assert wizard.message_text == "Cancelled; nothing was imported."
    assert wizard.step == Step.CHECK and wizard.isVisible()
    assert stored() == set()
    assert models.ImportBatch.select().count() == 0


def test_file_import_and_drop_open_the_wizard(workspace_window, qtbot, monkeypatch):
    assert workspace_window.action_import.isEnabled()
    assert workspace_window.action_import.shortcut().toString() == "Ctrl+I"
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(DATA / "wide.xlsx"))])
    event = QDropEvent(
        QPointF(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    workspace_window.dropEvent(event)
    wizard = workspace_window.import_wizard
    qtbot.addWidget(wizard)
    idle(wizard, qtbot)
    assert wizard.state.path == DATA / "wide.xlsx"
    assert wizard.file_step.current_sheet().name == "Månadsdata"
    wizard.reject()

    monkeypatch.setattr(file_step, "choose_file", lambda parent, start: DATA / "long_sv.xlsx")
    workspace_window.action_import.trigger()
    wizard = workspace_window.import_wizard
    qtbot.addWidget(wizard)
    wizard.file_step.browse_button.click()
    idle(wizard, qtbot)
    assert wizard.file_step.current_sheet().name == "Data"
    wizard.reject()


def test_import_is_off_for_a_read_only_workspace(window, demo_copy):
    window.open_workspace(demo_copy, read_only=True)
    assert not window.action_import.isEnabled()
    window.import_spreadsheet(DATA / "wide.xlsx")
    assert "Open a workspace for writing" in window.messages()[-1].text


def test_the_demo_store_report_into_the_demo_workspace(window, demo_copy, qtbot):
    window.open_workspace(demo_copy)
    wizard = ImportWizard(window.session, window, path=DATA / "demo_stores.xlsx")
    qtbot.addWidget(wizard)
    wizard.show()
    idle(wizard, qtbot)
    go_next(wizard, qtbot, Step.LAYOUT)
    assert wizard.state.scan is not None and wizard.state.scan.extraction.record_count == 46
    go_next(wizard, qtbot, Step.MAPPING)
    kpis, units = ids()
    assert wizard.mapping_step.choice_of(wizard.mapping_step.kpi_choice("Revenue (SEK)")) == (
        "map",
        kpis["REV"],
    )
    assert wizard.mapping_step.choice_of(wizard.mapping_step.kpi_choice("Gross margin %")) == (
        "map",
        kpis["GM"],
    )
    assert wizard.mapping_step.choice_of(wizard.mapping_step.kpi_choice("CSAT")) == (
        "map",
        kpis["CSAT"],
    )  # the code
    assert wizard.mapping_step.choice_of(wizard.mapping_step.kpi_choice("Returns (pcs)")) == (
        "create",
        None,
    )
    assert wizard.mapping_step.choice_of(wizard.mapping_step.unit_choice("Umeå")) == (
        "create",
        None,
    )
    # the report names the stores in Swedish; the (English) demo does not
    assert wizard.mapping_step.choice_of(wizard.mapping_step.unit_choice("E-handel")) == (
        "create",
        None,
    )
    wizard.mapping_step.choose(wizard.mapping_step.unit_choice("Umeå"), "map", units["Umeå store"])
    wizard.mapping_step.choose(
        wizard.mapping_step.unit_choice("Luleå"), "map", units["Luleå store"]
    )
    wizard.mapping_step.choose(
        wizard.mapping_step.unit_choice("Butik Sundsvall"), "map", units["Sundsvall store"]
    )
    wizard.mapping_step.choose(
        wizard.mapping_step.unit_choice("E-handel"), "map", units["Online shop"]
    )

    go_next(wizard, qtbot, Step.CHECK)
    assert wizard.check_step.check_summary.text() == "46 values are ready to be imported."
    assert "23 of them are already stored" in wizard.check_step.conflict_label.text()  # Sep and Oct
    assert [wizard.check_step.problems_table.item(r, 3).text() for r in range(2)] == [
        "#DIV/0!",
        "n/a",
    ]
    wizard.check_step.skip_invalid_check.setChecked(True)
    go_next(wizard, qtbot, Step.DONE)
    result = wizard.state.result
    assert result is not None
    assert (result.imported, result.skipped, result.problem_count) == (23, 23, 2)
    assert result.created_kpis == ("Returns",)
    query = (
        models.Measurement.select(models.Measurement.value)
        .join(models.Kpi)
        .switch(models.Measurement)
        .join(models.Unit)
        .where(
            (models.Kpi.code == "GM")
            & (models.Unit.name == "Luleå store")
            & (models.Measurement.period == "2026-11")
        )
    )
    assert query.scalar() == 38.5  # 0.385 formatted as a percentage
    aliases = {row[0] for row in models.UnitAlias.select(models.UnitAlias.alias).tuples()}
    assert aliases == {"umea", "lulea", "butik sundsvall", "e handel"}
    wizard.reject()
