"""File → Import with a SIE file: the SIE step's preview and choices, the check, the import
and its undo, the profile for next month, Cancel, and real files of shared/corpus/sie."""

from __future__ import annotations

import re
import threading
from collections import defaultdict
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent

from kpidesk.domain.numbers import format_number
from kpidesk.io.sie import records
from kpidesk.services import import_mapping, sie_import
from kpidesk.services.kpis import KpiData, create_kpi
from kpidesk.store import models
from kpidesk.ui.import_wizard import ImportWizard, Step
from tests import sie_company
from tests.unit.sie_samples import FILES

from .test_import_wizard import idle


@pytest.fixture
def workspace_window(window, tmp_path):
    assert window.create_and_open(tmp_path / "test.kpidesk")
    return window


@pytest.fixture
def wizard(workspace_window, qtbot):
    wizard = ImportWizard(workspace_window.session, workspace_window)
    qtbot.addWidget(wizard)
    wizard.show()
    yield wizard
    wizard.cancel()
    wizard.wait_until_idle()


@pytest.fixture
def chain_file(tmp_path) -> Path:
    return sie_company.write_company_sie(tmp_path / "kedjan.se")


def open_sie(wizard: ImportWizard, qtbot, path: Path) -> None:
    wizard.set_path(path)
    idle(wizard, qtbot)
    assert wizard.step == Step.SIE, wizard.message_text


def go_next(wizard: ImportWizard, qtbot, step: int) -> None:
    assert wizard.next_button.isEnabled(), wizard.message_text
    wizard.next_button.click()
    idle(wizard, qtbot)
    assert wizard.step == step, wizard.message_text


def stored(code: str, unit: str | None = None) -> dict[str, float]:
    """The values stored for the KPI ``code``: of ``unit``, else of the top unit."""
    query = (
        models.Measurement.select(models.Measurement.period, models.Measurement.value)
        .join(models.Kpi)
        .switch(models.Measurement)
        .join(models.Unit)
        .where(models.Kpi.code == code)
    )
    if unit is None:
        query = query.where(models.Unit.parent.is_null())
    else:
        query = query.where(models.Unit.name == unit)
    return dict(query.tuples())


def grid(wizard: ImportWizard) -> dict[str, dict[str, str]]:
    """The SIE step's values table: row title → column title → text."""
    table = wizard.sie_step.values_table
    found: dict[str, dict[str, str]] = {}
    for row in range(table.rowCount()):
        title = table.verticalHeaderItem(row).text()
        found[title] = {
            table.horizontalHeaderItem(column).text(): table.item(row, column).text()
            for column in range(table.columnCount())
            if table.item(row, column) is not None
        }
    return found


def as_positive(sums: dict[str, float], sign: int = 1) -> dict[str, float]:
    return {month: round(sign * value, 2) for month, value in sums.items()}


def test_a_sie_file_previewed_changed_imported_and_undone(wizard, qtbot, workspace_window):
    workspace = workspace_window.session.workspace
    create_kpi(workspace, KpiData(code="RENT", name="Lokalkostnad", measure_unit="currency"))
    path = sie_company.write_company_sie(wizard.session.workspace.path.parent / "kedjan.se")
    open_sie(wizard, qtbot, path)
    step = wizard.sie_step
    assert [label.text() for label in wizard.step_labels if not label.isHidden()] == [
        "1  File",
        "2  Bookkeeping",
        "3  Check",
        "4  Done",
    ]
    assert "Kedjan i Norr AB (org. no. 556677-8899)" in step.summary.text()
    assert "SIE type 4" in step.summary.text()
    assert "from its vouchers (#TRANS): January 2026 – October 2026" in step.summary.text()
    rows = [step.rule_row(i) for i in range(4)]
    assert [r.kpi.currentText() for r in rows] == [
        "New KPI “Net sales” (REV)",
        "New KPI “Cost of goods sold” (COGS)",
        "New KPI “Staff costs” (STAFF)",
        "New KPI “Operating result” (EBIT)",
    ]
    assert [r.accounts.text() for r in rows] == ["3000–3799", "4000–4999", "7000–7699", "3000–7999"]
    revenue = as_positive(sie_company.company("3010"), -1)
    values = grid(wizard)
    assert values["Net sales (REV)"]["Mar 2026"] == format_number(revenue["2026-03"], 0)
    assert set(values) >= {"Equity ratio", "Quick ratio"}  # the file has opening balances
    step.values_unit_combo.setCurrentIndex(step.values_unit_combo.findText("Luleå"))
    luleå = as_positive(sie_company.store("3010", "LUL"), -1)
    assert grid(wizard)["Net sales (REV)"]["Jan 2026"] == format_number(luleå["2026-01"], 0)
    assert "Equity ratio" not in grid(wizard)  # a ratio of the whole company only
    step.values_unit_combo.setCurrentIndex(0)
    units = step.units_table
    assert [units.item(r, 2).text() for r in range(units.rowCount())] == [
        "New unit “Luleå” under test",
        "New unit “Skellefteå” under test",
        "New unit “Umeå” under test",
    ]
    assert step.tabs.tabText(1) == "Accounts (10)"
    accounts = step.accounts_table
    assert [accounts.item(r, 3).text() for r in range(accounts.rowCount())][-4:] == [
        "REV, EBIT",
        "COGS, EBIT",
        "EBIT",
        "STAFF, EBIT",
    ]

    # a range changed: the rent counts as cost of goods too
    rows[1].accounts.setText("4000-4999, 5010")
    rows[1].accounts.editingFinished.emit()
    idle(wizard, qtbot)
    goods_and_rent = {
        month: round(value + sie_company.company("5010")[month], 2)
        for month, value in sie_company.company("4010").items()
    }
    assert grid(wizard)["Cost of goods sold (COGS)"]["Feb 2026"] == format_number(
        goods_and_rent["2026-02"], 0
    )
    assert step.rules_table.item(1, 3).text() == "4010, 5010"
    # a KPI of the workspace takes the rent's account
    step.add_button.click()
    added = step.rule_row(4)
    added.kpi.setCurrentIndex(added.kpi.findText("Lokalkostnad (RENT)"))
    added.accounts.setText("5000-5099")
    added.accounts.editingFinished.emit()
    idle(wizard, qtbot)
    assert wizard.state.sie is not None
    assert wizard.state.sie.settings.rule("RENT").sign.value == "debit"
    assert wizard.message_text == ""

    go_next(wizard, qtbot, Step.CHECK)
    check = wizard.check_step
    count = (5 + 3 * 5 + 2) * 10  # 5 KPIs of the company and of 3 stores, 2 ratios; 10 months
    assert check.check_summary.text() == f"{count} values are ready to be imported."
    assert "New KPIs: Net sales, Cost of goods sold, Staff costs, Operating result" in (
        check.check_created.text()
    )
    assert "New units: Luleå, Skellefteå, Umeå." in check.check_created.text()
    assert check.problems_label.text() == "No problems were found."
    go_next(wizard, qtbot, Step.DONE)
    assert wizard.done_step.result_rows()["File:"] == "kedjan.se"
    assert wizard.done_step.result_rows()["Choices saved as:"] == "the profile “SIE”"
    assert stored("REV") == revenue
    assert stored("COGS") == goods_and_rent
    assert stored("RENT") == sie_company.company("5010")
    assert stored("REV", "Umeå") == as_positive(sie_company.store("3010", "UME"), -1)
    assert stored("GP") == {}  # calculated, never stored
    gp = models.Kpi.get(models.Kpi.code == "GP")
    assert gp.formula.replace(" ", "") == "REV-COGS"

    stack = workspace_window.session.undo_stack
    assert stack.undoText() == "Import kedjan.se"
    workspace_window.action_undo.trigger()  # Edit → Undo
    assert stored("REV") == {} and stored("RENT") == {}
    assert not models.Kpi.select().where(models.Kpi.code.in_(["REV", "GP", "COGS"])).exists()
    assert not models.Unit.select().where(models.Unit.name == "Umeå").exists()
    assert models.Kpi.get(models.Kpi.code == "RENT").name == "Lokalkostnad"  # it was there


def test_next_months_file_imports_in_one_step_with_the_profile(
    wizard, qtbot, workspace_window, tmp_path
):
    from kpidesk.services.units import create_unit, root_unit_id

    workspace = workspace_window.session.workspace
    region = create_unit(workspace, "Norr", root_unit_id())
    first = sie_company.write_company_sie(tmp_path / "september.se", months=9)
    open_sie(wizard, qtbot, first)
    step = wizard.sie_step
    assert step.import_now_button.isHidden()  # no profile yet
    step.company_combo.setCurrentIndex(step.company_combo.findData(region))
    step.rule_row(0).accounts.setText("3010")
    step.rule_row(0).accounts.editingFinished.emit()
    idle(wizard, qtbot)
    step.profile_edit.setText("Bokföringen")
    go_next(wizard, qtbot, Step.CHECK)
    go_next(wizard, qtbot, Step.DONE)
    assert stored("REV", "Norr") == as_positive(sie_company.company("3010", months=9), -1)
    assert models.Unit.get(models.Unit.name == "Umeå").parent_id == region
    [profile] = import_mapping.list_profiles(sie=True)
    assert (profile.name, profile.signature) == ("Bokföringen", sie_import.PROFILE_SIGNATURE)
    assert import_mapping.list_profiles(sie=False) == []
    wizard.reject()

    again = ImportWizard(workspace_window.session, workspace_window)
    qtbot.addWidget(again)
    again.show()
    second = sie_company.write_company_sie(tmp_path / "oktober.se", months=10)
    open_sie(again, qtbot, second)
    step = again.sie_step
    assert "“Bokföringen”" in step.profile_info.text()
    assert step.profile_edit.text() == "Bokföringen"
    assert step.rule_row(0).accounts.text() == "3010"
    assert step.company_combo.currentData() == region
    assert step.import_now_button.isVisible() and step.import_now_button.isEnabled()
    step.import_now_button.click()  # the one step
    idle(again, qtbot)
    assert again.step == Step.DONE, again.message_text
    result = again.state.result
    assert result is not None
    assert (result.imported, result.skipped) == (4 + 3 * 4 + 2, 9 * (4 + 3 * 4 + 2))
    assert stored("REV", "Norr") == as_positive(sie_company.company("3010"), -1)
    again.reject()


def test_a_voucher_that_does_not_balance(wizard, qtbot, tmp_path):
    path = sie_company.write_company_sie(tmp_path / "fel.se", unbalanced=True)
    open_sie(wizard, qtbot, path)
    step = wizard.sie_step
    assert step.tabs.tabText(3) == "Problems and notes (2)"  # and the records skipped
    assert step.notes_list.item(1).text() == (
        "Records a KPI does not need were skipped: #ADRESS 1, #SRU 10."
    )
    problem = step.notes_list.item(0).text()
    assert re.fullmatch(
        r"fel\.se, line \d+: The voucher B 1 does not balance: its rows add up to -100, not 0\.",
        problem,
    )
    go_next(wizard, qtbot, Step.CHECK)
    check = wizard.check_step
    assert check.problems_label.text() == "1 voucher does not balance:"
    headers = [check.problems_table.horizontalHeaderItem(c).text() for c in (0, 1, 3)]
    assert headers == ["File", "Line", "Voucher"]
    assert check.problems_table.item(0, 3).text() == "B 1"
    assert not wizard.next_button.isEnabled()
    assert check.skip_invalid_check.text() == (
        "Leave the voucher that does not balance out of the figures, and import the rest"
    )
    check.skip_invalid_check.setChecked(True)
    go_next(wizard, qtbot, Step.DONE)
    assert "The voucher that does not balance was left out" in (
        wizard.done_step.done_summary.text()
    )
    assert stored("REV") == as_positive(sie_company.company("3010"), -1)  # without B 1


def test_a_checksum_that_does_not_match_is_a_note_not_a_stop(wizard, qtbot, tmp_path):
    text = sie_company.write_company_sie(tmp_path / "a.se").read_bytes()
    lines = text.split(b"\r\n")
    lines.insert(1, b"#KSUMMA")
    lines.insert(len(lines) - 1, b"#KSUMMA 12345")
    path = tmp_path / "summa.se"
    path.write_bytes(b"\r\n".join(lines))
    open_sie(wizard, qtbot, path)
    notes = [wizard.sie_step.notes_list.item(i).text() for i in range(2)]
    assert notes[0].startswith("The file’s checksum (#KSUMMA 12345) does not match its content")
    assert wizard.sie_step.tabs.tabText(3) == "Notes (2)"
    go_next(wizard, qtbot, Step.CHECK)
    assert wizard.check_step.problems_label.text() == "No problems were found."


def test_the_budget_as_targets(wizard, qtbot, chain_file):
    open_sie(wizard, qtbot, chain_file)
    step = wizard.sie_step
    step.targets_radio.setChecked(True)
    assert grid(wizard)["Net sales (REV)"]["Dec 2026"] == format_number(1_138_000, 0)
    go_next(wizard, qtbot, Step.CHECK)
    assert wizard.check_step.check_summary.text() == "36 targets are ready to be imported."
    go_next(wizard, qtbot, Step.DONE)
    targets = dict(
        models.Target.select(models.Target.period, models.Target.value)
        .join(models.Kpi)
        .where(models.Kpi.code == "COGS")
        .tuples()
    )
    assert targets == sie_company.budget("4010")
    assert wizard.done_step.result_rows()["Stored as:"] == "targets"


def test_a_file_without_a_budget_offers_no_targets(wizard, qtbot, tmp_path):
    text = sie_company.write_company_sie(tmp_path / "a.se").read_bytes()
    path = tmp_path / "utan.se"
    path.write_bytes(b"\r\n".join(line for line in text.split(b"\r\n") if b"#PBUDGET" not in line))
    open_sie(wizard, qtbot, path)
    assert not wizard.sie_step.targets_radio.isEnabled()


def test_bad_ranges_and_names_are_said_on_the_page(wizard, qtbot, chain_file):
    workspace = wizard.session.workspace
    create_kpi(workspace, KpiData(code="RENT", name="Lokalkostnad", measure_unit="currency"))
    open_sie(wizard, qtbot, chain_file)
    step = wizard.sie_step
    step.rule_row(0).accounts.setText("30x0")
    step.rule_row(0).accounts.editingFinished.emit()
    assert wizard.message_text == (
        "New KPI “Net sales” (REV): “30x0” is not an account range such as 3000-3799."
    )
    assert not wizard.next_button.isEnabled()
    step.rule_row(0).accounts.setText("3000-3799")
    step.rule_row(0).accounts.editingFinished.emit()
    idle(wizard, qtbot)
    assert wizard.message_text == "" and wizard.next_button.isEnabled()
    assert step.rule_row(2).kpi.findData("REV") < 0  # REV is offered in its own row only
    staff = step.rule_row(2).kpi
    staff.setCurrentIndex(staff.findText("Lokalkostnad (RENT)"))
    step.add_button.click()
    added = step.rule_row(4)
    added.kpi.setCurrentIndex(added.kpi.findText("Lokalkostnad (RENT)"))
    added.accounts.setText("5010")
    added.accounts.editingFinished.emit()
    idle(wizard, qtbot)
    assert wizard.message_text == (
        "Two rows take their values into Lokalkostnad (RENT); leave one out."
    )
    assert not wizard.next_button.isEnabled()
    added.kpi.setCurrentIndex(0)  # Leave out
    idle(wizard, qtbot)
    assert wizard.message_text == ""
    step.profile_edit.setText("")
    assert wizard.message_text == "Give the profile a name."
    assert not wizard.next_button.isEnabled()
    models.ImportProfile.create(name="Kassan", signature="v1:abc", mapping="{}")
    step.profile_edit.setText("Kassan")
    assert wizard.message_text == (
        "The profile “Kassan” is a spreadsheet's; give this one another name."
    )
    step.profile_edit.setText("SIE")
    assert wizard.next_button.isEnabled()


def test_a_kpi_left_out_and_taken_back_with_its_bas_ranges(wizard, qtbot, chain_file):
    open_sie(wizard, qtbot, chain_file)
    step = wizard.sie_step
    step.rule_row(0).kpi.setCurrentIndex(0)  # Leave out
    idle(wizard, qtbot)
    assert "Net sales (REV)" not in grid(wizard)
    assert wizard.state.sie.settings.codes == ("COGS", "STAFF", "EBIT")  # type: ignore[union-attr]
    step.add_button.click()
    added = step.rule_row(4)
    assert added.kpi.findData("COGS") < 0  # offered where it is already
    added.kpi.setCurrentIndex(added.kpi.findData("REV"))
    idle(wizard, qtbot)
    assert (added.accounts.text(), added.sign.currentText()) == ("3000–3799", "Credit (income)")
    revenue = as_positive(sie_company.company("3010"), -1)
    assert grid(wizard)["Net sales (REV)"]["Oct 2026"] == format_number(revenue["2026-10"], 0)


def test_another_dimension_and_no_units(wizard, qtbot, chain_file):
    open_sie(wizard, qtbot, chain_file)
    step = wizard.sie_step
    combo = step.dimension_combo
    assert combo.currentText() == "1 Kostnadsställe (3 objects)"
    combo.setCurrentIndex(combo.findData(""))
    idle(wizard, qtbot)
    assert step.units_table.rowCount() == 0 and step.tabs.tabText(2) == "Units (0)"
    go_next(wizard, qtbot, Step.CHECK)
    go_next(wizard, qtbot, Step.DONE)
    assert models.Unit.select().count() == 1  # the top unit only


def test_a_sie_file_is_known_by_its_content_and_a_web_page_is_not(wizard, qtbot, tmp_path):
    named_txt = tmp_path / "export.txt"
    named_txt.write_bytes(sie_company.write_company_sie(tmp_path / "k.se").read_bytes())
    open_sie(wizard, qtbot, named_txt)
    page = tmp_path / "sida.se"
    page.write_text("<!DOCTYPE html>\n<html><body>Logga in</body></html>\n")
    wizard.set_path(page)
    idle(wizard, qtbot)
    assert wizard.step == Step.FILE
    assert wizard.message_text.startswith("sida.se")
    assert "line 1" in wizard.message_text and "\n" not in wizard.message_text
    assert not wizard.next_button.isEnabled()
    wizard.set_path(named_txt)
    idle(wizard, qtbot)
    assert wizard.step == Step.SIE
    wizard.back_button.click()
    assert wizard.step == Step.FILE and wizard.next_button.isEnabled()
    assert "a SIE file from the bookkeeping" in wizard.file_step.sheet_info.text()
    go_next(wizard, qtbot, Step.SIE)


def test_dropping_a_sie_file_on_the_window_opens_its_step(workspace_window, qtbot, chain_file):
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(chain_file))])
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
    assert wizard.step == Step.SIE and wizard.state.sie is not None
    wizard.reject()


# Cancel ------------------------------------------------------------------------------------


def test_reading_checking_and_importing_run_off_the_gui_thread(
    wizard, qtbot, chain_file, monkeypatch
):
    threads: list[int] = []
    for name in ("preview_sie", "import_sie"):
        original = getattr(sie_import, name)

        def spy(*args, _original=original, **kwargs):
            threads.append(threading.get_ident())
            return _original(*args, **kwargs)

        monkeypatch.setattr(sie_import, name, spy)
    open_sie(wizard, qtbot, chain_file)
    go_next(wizard, qtbot, Step.CHECK)
    go_next(wizard, qtbot, Step.DONE)
    assert len(threads) == 3 and threading.get_ident() not in threads


def test_cancel_while_reading_leaves_the_file_step(wizard, qtbot, chain_file, monkeypatch):
    monkeypatch.setattr(records, "PROGRESS_LINES", 20)
    gate = threading.Event()
    original = sie_import.preview_sie

    def slow(path, settings=None, *, cancelled=None, progress=None):
        def waiting(done, total):
            progress(done, total)
            gate.wait(5)

        return original(path, settings, cancelled=cancelled, progress=waiting)

    monkeypatch.setattr(sie_import, "preview_sie", slow)
    wizard.set_path(chain_file)
    assert wizard.busy
    wizard.cancel_button.click()  # cancels, does not close
    gate.set()
    idle(wizard, qtbot)
    assert wizard.message_text == "Cancelled; nothing was imported."
    assert wizard.step == Step.FILE and wizard.isVisible()
    assert wizard.state.sie is None and not wizard.next_button.isEnabled()


def test_cancel_during_the_import_leaves_nothing_behind(wizard, qtbot, chain_file, monkeypatch):
    open_sie(wizard, qtbot, chain_file)
    go_next(wizard, qtbot, Step.CHECK)
    gate = threading.Event()
    original = sie_import.run_import

    def waiting(*args, **kwargs):
        gate.wait(5)
        return original(*args, **kwargs)

    monkeypatch.setattr(sie_import, "run_import", waiting)
    wizard.next_button.click()
    assert wizard.busy
    wizard.cancel_button.click()
    gate.set()
    idle(wizard, qtbot)
    assert wizard.message_text == "Cancelled; nothing was imported."
    assert wizard.step == Step.CHECK
    assert models.Measurement.select().count() == 0
    assert models.Kpi.select().count() == 0 and models.Unit.select().count() == 1
    assert models.ImportBatch.select().count() == 0
    assert wizard.session.undo_stack.count() == 0


def test_cancel_after_the_commit_reports_the_import_done(
    wizard, qtbot, chain_file, monkeypatch, workspace_window
):
    open_sie(wizard, qtbot, chain_file)
    go_next(wizard, qtbot, Step.CHECK)
    committed, pressed = threading.Event(), threading.Event()
    original = sie_import.import_sie

    def then_wait(*args, **kwargs):
        outcome = original(*args, **kwargs)
        committed.set()
        pressed.wait(5)
        return outcome

    monkeypatch.setattr(sie_import, "import_sie", then_wait)
    wizard.next_button.click()
    qtbot.waitUntil(committed.is_set, timeout=30000)
    wizard.cancel_button.click()  # too late: the values are stored
    pressed.set()
    idle(wizard, qtbot)
    assert wizard.step == Step.DONE
    assert "Cancel came after the values were stored" in wizard.message_text
    assert stored("REV") == as_positive(sie_company.company("3010"), -1)
    stack = workspace_window.session.undo_stack
    assert stack.undoText() == "Import kedjan.se"
    wizard.undo_button.click()
    assert stored("REV") == {}
    assert models.ImportBatch.get().undone_at is not None


# Real files -------------------------------------------------------------------------------

corpus = pytest.mark.skipif(
    not FILES.is_dir(), reason=f"the SIE corpus is not at {FILES} (shared/ beside the repository)"
)
_PSALDO = re.compile(r"^#PSALDO\s+(-?\d+)\s+(\d{6})\s+(\d+)\s+\{\s*\}\s+(-?[\d.]+)", re.M)


def _period_balance_sums(path: Path, low: int, high: int) -> dict[str, float]:
    """The file's own ``{}`` period balances of accounts ``low``–``high`` by month, credit
    as positive (read with a regular expression, not the reader)."""
    sums: dict[str, float] = defaultdict(float)
    text = path.read_bytes().decode("cp437")
    for _year, month, account, amount in _PSALDO.findall(text):
        if low <= int(account) <= high:
            sums[f"{month[:4]}-{month[4:]}"] -= float(amount)
    return {month: round(value, 2) for month, value in sums.items()}


@corpus
def test_the_period_balances_file_imports_as_its_own_sums(wizard, qtbot):
    path = FILES / "periodsaldo_ovnbolag.se"
    open_sie(wizard, qtbot, path)
    assert "SIE type 2" in wizard.sie_step.summary.text()
    assert "period balances (#PSALDO)" in wizard.sie_step.summary.text()
    go_next(wizard, qtbot, Step.CHECK)
    go_next(wizard, qtbot, Step.DONE)
    revenue = _period_balance_sums(path, 3000, 3799)
    assert stored("REV") == revenue
    assert stored("EBIT") == _period_balance_sums(path, 3000, 7999)
    wizard.undo_button.click()
    assert stored("REV") == {}


@corpus
def test_a_cost_centre_file_with_a_narrower_range(wizard, qtbot):
    path = FILES / "BL0001_typ3.SE"
    open_sie(wizard, qtbot, path)
    step = wizard.sie_step
    assert step.units_table.item(0, 1).text() == "Stockholm"
    step.rule_row(0).accounts.setText("3000-3099")
    step.rule_row(0).accounts.editingFinished.emit()
    idle(wizard, qtbot)
    narrow = _period_balance_sums(path, 3000, 3099)
    go_next(wizard, qtbot, Step.CHECK)
    go_next(wizard, qtbot, Step.DONE)
    revenue = stored("REV")
    assert set(narrow) <= set(revenue)  # and months without a movement are 0
    assert revenue == {month: narrow.get(month, 0.0) for month in revenue}
    assert set(stored("REV", "Stockholm")) <= set(revenue)


@corpus
@pytest.mark.parametrize("name", ["BL0001_typ1.SE", "SIE4_Exempelfil_med_underdim.SE"])
def test_more_real_files_preview_and_check(wizard, qtbot, name):
    open_sie(wizard, qtbot, FILES / name)
    figures = wizard.state.sie.figures  # type: ignore[union-attr]
    assert wizard.sie_step.values_table.columnCount() == len(
        {period for (_c, unit, period) in figures.values if unit is None}
        | {period for (_c, period) in figures.balance_values}
    )
    go_next(wizard, qtbot, Step.CHECK)
    assert wizard.check_step.check_summary.text().endswith("ready to be imported.")
