"""A new user's first hour, on a workspace made from a workbook of their own (not the demo).

The workbook (``tests/first_hour.py``) is a small chain's monthly figures for three stores:
takings and average purchase in currency formats, NPS, customers, a share in a percent
format and a head count. The user imports it with the wizard, sees every value with "No
target", sets targets from the suggestions, reads year-to-date figures that follow each
KPI's aggregation (sum, average, last), holds a review with a decision dated by the review,
and hands out a pack whose values and rounding are the app's.
"""

from __future__ import annotations

import statistics
from datetime import date

import openpyxl
import pytest

from kpidesk.domain.aggregation import Aggregation
from kpidesk.domain.numbers import format_value
from kpidesk.domain.periods import Period
from kpidesk.domain.status import JUDGED, Status
from kpidesk.services import exports
from kpidesk.services.exports import ExportFormat, ExportRequest
from kpidesk.store import models
from kpidesk.ui.import_wizard import ImportWizard, Step
from kpidesk.ui.pages.scorecard import COL_ACTUAL, COL_KPI, COL_STATUS, COL_YTD
from kpidesk.ui.suggested_targets import SuggestedTargetsDialog
from tests.first_hour import STORES, monthly_rows, write_chain_workbook

DECEMBER = Period.month(2025, 12)


def idle(wizard: ImportWizard, qtbot) -> None:
    qtbot.waitUntil(lambda: not wizard.busy, timeout=60000)
    assert wizard.wait_until_idle()


def go_next(wizard: ImportWizard, qtbot, step: int) -> None:
    assert wizard.next_button.isEnabled(), wizard.message_text
    wizard.next_button.click()
    idle(wizard, qtbot)
    assert wizard.step == step, wizard.message_text


def kpi(code: str) -> models.Kpi:
    return models.Kpi.get(models.Kpi.code == code)


def column(index: int) -> dict[str, list[float]]:
    """The workbook's column ``index`` of 2025, per store, month by month."""
    values: dict[str, list[float]] = {store: [] for store in STORES}
    for row in monthly_rows():
        if row[0].year == 2025:
            values[row[1]].append(float(row[index]))
    return values


def scorecard_rows(window) -> dict[str, object]:
    page = window.pages["scorecard"]
    page.refresh()
    return {item.text(COL_KPI): item for item in page.kpi_items()}


@pytest.fixture
def chain(window, tmp_path):
    book = write_chain_workbook(tmp_path / "kedjan.xlsx")
    assert window.create_and_open(tmp_path / "kedjan.kpidesk")
    return book


def test_a_new_users_first_hour(window, qtbot, chain, tmp_path, monkeypatch):
    session = window.session

    # 1. import with the wizard: the kinds are inferred from the headers, cells and library
    wizard = ImportWizard(session, window)
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.set_path(chain)
    idle(wizard, qtbot)
    go_next(wizard, qtbot, Step.LAYOUT)
    go_next(wizard, qtbot, Step.MAPPING)
    texts = {row.stats.label: row.combo.currentText() for row in wizard.mapping_step._kpi_rows}
    assert texts == {
        "Omsättning (kr)": "New KPI “Omsättning” (currency, sum, by month)",
        "Snittköp": "New KPI “Snittköp” (currency, average, by month)",
        "NPS": "New KPI “NPS” (score, average, by month)",
        "Antal kunder": "New KPI “Antal kunder” (count, sum, by month)",
        "Andel nöjda %": "New KPI “Andel nöjda” (percent, average, by month)",
        "Antal anställda": "New KPI “Antal anställda” (count, last value, by month)",
    }
    go_next(wizard, qtbot, Step.CHECK)
    go_next(wizard, qtbot, Step.DONE)
    assert wizard.state.result is not None and wizard.state.result.imported == 6 * 3 * 24
    kinds = {
        k.code: (k.measure_unit, k.time_aggregation, k.unit_aggregation)
        for k in models.Kpi.select()
    }
    assert kinds == {
        "REV": ("currency", "sum", "sum"),
        "AOV": ("currency", "average", "average"),
        "NPS": ("score", "average", "average"),
        "ANTAL_KUNDER": ("count", "sum", "sum"),
        "ANDEL_NOJDA": ("percent", "average", "average"),
        "HEADCOUNT": ("count", "last", "sum"),
    }
    # the workspace has no targets: the done page offers them
    assert wizard.done_step.targets_box.isVisible()

    # 2. the scorecard shows the values, each with "No target", at the newest month
    wizard.close()
    window.show_page(0)
    assert session.context.period == DECEMBER
    rows = scorecard_rows(window)
    assert len(rows) == 6
    for item in rows.values():
        assert item.text(COL_STATUS) == "○ No target"
        assert item.text(COL_ACTUAL) != ""
    summary = window.pages["scorecard"].summary.text()
    assert "<b>○</b></span> 6" in summary and "<b>–</b></span> 0" in summary

    # 3. targets set from the suggestions (one undo step)
    dialog = SuggestedTargetsDialog(session, window)
    qtbot.addWidget(dialog)
    assert {p.code for p in dialog.proposals} == set(kinds)
    assert dialog.apply()
    assert session.undo_stack.undoText() == "Set targets from history for 6 KPIs"
    rows = scorecard_rows(window)
    statuses = [window.pages["scorecard"].scorecard.rows[i].status for i in range(6)]
    assert all(status in JUDGED for status in statuses), statuses
    assert not any(item.text(COL_STATUS).startswith("○") for item in rows.values())

    # 4. year to date follows each KPI's aggregation, for the whole chain
    card = {row.kpi.code: row for row in window.pages["scorecard"].scorecard.rows}
    takings = column(2)
    assert card["REV"].ytd_value == pytest.approx(sum(sum(v) for v in takings.values()))
    nps = column(4)
    by_month = [statistics.fmean(nps[s][m] for s in STORES) for m in range(12)]
    assert card["NPS"].ytd_value == pytest.approx(statistics.fmean(by_month))
    average = column(3)
    by_month = [statistics.fmean(average[s][m] for s in STORES) for m in range(12)]
    assert card["AOV"].ytd_value == pytest.approx(statistics.fmean(by_month))
    staff = column(7)
    assert card["HEADCOUNT"].kpi.time_aggregation is Aggregation.LAST
    assert card["HEADCOUNT"].ytd_value == sum(staff[s][-1] for s in STORES)
    ytd_text = rows["NPS"].text(COL_YTD)
    assert ytd_text == format_value(card["NPS"].ytd_value, "score", decimals=0)
    assert int(ytd_text) < 100  # an average, not 12 months summed

    # 5. a review: a new decision takes the review's own "held on" date
    window.show_page(list(window.pages).index("reviews"))
    page = window.current_page()
    held = date(2026, 1, 14)

    def fill(dialog):
        dialog.set_period(DECEMBER)
        dialog.set_units([u.id for u in models.Unit.select() if u.parent_id is not None])
        return True

    monkeypatch.setattr(page, "open_start_dialog", fill)
    page.start_review()
    meeting = page.meeting
    meeting.held_edit.set_value(held)
    meeting._save_details()
    assert meeting.agenda.review.held_on == held
    item = meeting.agenda.items[0]
    meeting.select_key(("kpi", item.kpi_id))
    records = meeting.item_view.records
    assert records.decision_date.value() == held
    records.decision_text.setText("Ring upp kunderna som gav 0–6")
    records.add_decision()
    decision = models.Decision.get(models.Decision.text == "Ring upp kunderna som gav 0–6")
    assert decision.decided_on == held

    # 6. a pack whose values and rounding are the app's
    destination = tmp_path / "pack.xlsx"
    exports.run_export(
        ExportRequest(ExportFormat.PACK, destination, DECEMBER, language="en"),
        workspace=session.workspace,
    )
    sheet = openpyxl.load_workbook(destination)["Scorecard"]
    header = [cell.value for cell in sheet[4]]
    value_column = header.index("Actual") + 1
    target_column = header.index("Target") + 1
    for number in range(5, sheet.max_row + 1):
        code = sheet.cell(row=number, column=3).value
        row = card[code]
        for index, shown in ((value_column, row.value), (target_column, row.target)):
            cell = sheet.cell(row=number, column=index)
            decimals = _decimals(cell.number_format)
            stored = cell.value * 100 if row.kpi.measure_unit == "percent" else cell.value
            assert decimals == row.kpi.decimals
            assert format_value(stored, row.kpi.measure_unit, decimals=decimals) == (
                format_value(shown, row.kpi.measure_unit, decimals=row.kpi.decimals)
            )
            # the app rounds as the spreadsheet does: halves away from zero
            assert _excel_text(cell.value, cell.number_format) == _excel_text(
                shown / 100 if row.kpi.measure_unit == "percent" else shown, cell.number_format
            )


def _decimals(number_format: str) -> int:
    body = number_format.split(";")[0]
    return len(body.split(".")[1].rstrip('%" kprSEh').split(" ")[0]) if "." in body else 0


def _excel_text(value: float, number_format: str) -> str:
    from decimal import ROUND_HALF_UP, Decimal

    decimals = _decimals(number_format)
    scaled = value * 100 if "%" in number_format else value
    exact = Decimal(f"{scaled:.15g}").quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_UP)
    return str(exact)


def test_no_target_is_counted_apart_on_the_scorecard_in_the_agenda_and_the_pack(
    window, qtbot, chain, tmp_path
):
    from kpidesk.services import importing, reviews
    from kpidesk.services.import_mapping import ImportMapping
    from kpidesk.services.report_content import build_report_content

    workspace = window.session.workspace
    importing.run_import(workspace, chain, mapping=ImportMapping(create_missing=True))
    models.Target.create(kpi=kpi("REV"), unit=None, period="2025-12", value=1.0)
    window.session.show_newest_data()
    window.show_page(0)
    page = window.pages["scorecard"]
    page.refresh()
    counts = {row.status for row in page.scorecard.rows}
    assert counts == {Status.GREEN, Status.NO_TARGET}
    assert "<b>○</b></span> 5" in page.summary.text()
    assert "No target: 5" in page.summary.toolTip()
    page.status_filter.setCurrentIndex(page.status_filter.findData(Status.NO_TARGET.value))
    assert len(page.kpi_items()) == 5

    stores = [u.id for u in models.Unit.select() if u.parent_id is not None]
    review_id = reviews.start_review(workspace, DECEMBER, stores)
    agenda = reviews.agenda(review_id)
    assert [item.status for item in agenda.items][-5:] == [Status.NO_TARGET] * 5
    assert agenda.items[0].status is Status.GREEN

    content = build_report_content(DECEMBER)
    assert content.status_counts()[Status.NO_TARGET] == 5
    destination = tmp_path / "pack.xlsx"
    exports.run_export(
        ExportRequest(ExportFormat.PACK, destination, DECEMBER, language="en"),
        workspace=workspace,
    )
    overview = openpyxl.load_workbook(destination)["Overview"]
    texts = [c.value for row in overview.iter_rows() for c in row if isinstance(c.value, str)]
    position = texts.index("○ No target")
    numbers = [c.value for row in overview.iter_rows() for c in row if c.value is not None]
    assert numbers[numbers.index("○ No target") + 1] == 5
    assert position >= 0


def test_the_mapping_step_finds_any_kpi_by_part_of_its_name_and_defines_the_new_one(
    window, qtbot, chain, monkeypatch
):
    from PySide6.QtWidgets import QDialog

    from kpidesk.domain.numbers import MeasureUnit
    from kpidesk.services.kpis import KpiData, create_kpi
    from kpidesk.ui.new_kpi_dialog import NewKpiDialog

    workspace = window.session.workspace
    create_kpi(workspace, KpiData(code="SALES", name="Revenue", measure_unit="currency"))
    create_kpi(workspace, KpiData(code="VISITS", name="Butiksbesök", measure_unit="count"))
    wizard = ImportWizard(window.session, window)
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.set_path(chain)
    idle(wizard, qtbot)
    go_next(wizard, qtbot, Step.LAYOUT)
    go_next(wizard, qtbot, Step.MAPPING)
    # the library knows "Omsättning" as revenue: the existing "Revenue" is proposed
    revenue = kpi("SALES").id
    assert wizard.mapping_step.choice_of(wizard.mapping_step.kpi_choice("Omsättning (kr)")) == (
        "map",
        revenue,
    )
    # any KPI is found by typing part of its name
    combo = wizard.mapping_step.kpi_choice("Antal kunder")
    completer = combo.completer()
    completer.setCompletionPrefix("besök")
    assert completer.completionCount() == 1
    assert completer.currentCompletion() == "Butiksbesök (VISITS)"
    # "Define…": the new KPI's kind, as proposed, changed by the user
    row = next(r for r in wizard.mapping_step._kpi_rows if r.stats.label == "Antal kunder")
    dialog = NewKpiDialog(row.stats.label, wizard.mapping_step._new_kpi(row.stats), wizard)
    qtbot.addWidget(dialog)
    assert dialog.time_combo.currentData() == Aggregation.SUM.value
    assert dialog.measure_combo.currentData() == "count"
    dialog.name_edit.setText("Kunder per månad")
    dialog.time_combo.setCurrentIndex(dialog.time_combo.findData("average"))
    dialog.units_combo.setCurrentIndex(dialog.units_combo.findData("sum"))
    monkeypatch.setattr(dialog, "exec", lambda: QDialog.DialogCode.Accepted)
    wizard.mapping_step.define_new_kpi(row, dialog=dialog)
    assert combo.currentText() == "New KPI “Kunder per månad” (count, average, by month)"
    go_next(wizard, qtbot, Step.CHECK)
    go_next(wizard, qtbot, Step.DONE)
    customers = models.Kpi.get(models.Kpi.name == "Kunder per månad")
    assert (customers.measure_unit, customers.time_aggregation, customers.unit_aggregation) == (
        MeasureUnit.COUNT.value,
        "average",
        "sum",
    )
    assert models.Measurement.select().where(models.Measurement.kpi == revenue).count() == 72


def test_a_weekly_sheet_into_monthly_kpis_is_explained_once_and_rolled_up(window, qtbot, chain):
    from kpidesk.services import importing
    from kpidesk.services.import_mapping import ImportMapping

    workspace = window.session.workspace
    importing.run_import(
        workspace, chain, importing.ImportOptions(), ImportMapping(create_missing=True)
    )
    models.Measurement.delete().where(models.Measurement.period.startswith("2025-0")).execute()
    wizard = ImportWizard(window.session, window)
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.set_path(chain)
    idle(wizard, qtbot)
    wizard.file_step.select_sheet("Vecka")
    idle(wizard, qtbot)
    go_next(wizard, qtbot, Step.LAYOUT)
    go_next(wizard, qtbot, Step.MAPPING)
    go_next(wizard, qtbot, Step.CHECK)
    assert wizard.check_step.roll_up_box.isVisible()
    assert wizard.check_step.roll_up_label.text() == (
        "Omsättning is measured by month, but the file has 39 values by week "
        "(Week 1, 2025 – Week 13, 2025)."
    )
    assert not wizard.check_step.problems_table.isVisible()  # explained above, not 39 times below
    assert not wizard.next_button.isEnabled()
    wizard.check_step.roll_up_check.setChecked(True)
    idle(wizard, qtbot)
    assert wizard.state.check is not None and wizard.state.check.imported == 9
    assert "rolled up into 9 values by month (sum)" in wizard.check_step.roll_up_label.text()
    go_next(wizard, qtbot, Step.DONE)
    assert wizard.state.result is not None and wizard.state.result.imported == 9
