"""The services behind a new user's first hour: imports that infer kinds and roll weeks up,
targets from history, one language at a time, and numbers the pack and PDF write as the
app does."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from kpidesk import i18n
from kpidesk.domain.numbers import format_deviation, format_number, format_value
from kpidesk.domain.periods import Period, PeriodKind
from kpidesk.io.workbook import open_preview
from kpidesk.io.xlsx_formats import number_format, to_cell_value
from kpidesk.services import importing, targets
from kpidesk.services.import_mapping import ImportMapping, WorkspaceNames
from kpidesk.services.importing import ImportOptions, run_import
from kpidesk.services.kpis import KpiData, create_kpi
from kpidesk.store import models
from kpidesk.store.workspace import Workspace
from tests.first_hour import STORES, weekly_rows, write_chain_workbook


@pytest.fixture
def book(tmp_path) -> Path:
    return write_chain_workbook(tmp_path / "kedjan.xlsx")


@pytest.fixture
def workspace(workspace_location):
    ws = Workspace.create(workspace_location, "Kedjan AB", language="sv")
    yield ws
    ws.close()


def measured(code: str) -> dict[tuple[str, str], float]:
    query = (
        models.Measurement.select(
            models.Unit.name, models.Measurement.period, models.Measurement.value
        )
        .join(models.Kpi)
        .switch(models.Measurement)
        .join(models.Unit)
        .where(models.Kpi.code == code)
        .tuples()
    )
    return {(unit, period): value for unit, period, value in query}


def test_the_preview_finds_currency_cells_by_their_format(book, tmp_path):
    sheet = open_preview(book).sheet("Månad")
    currency = importing.currency_cells_of(sheet)
    assert (2, "C") in currency and (2, "D") in currency  # Omsättning (kr), Snittköp
    assert (2, "E") not in currency and (2, "G") not in currency  # NPS, a percentage
    csv = tmp_path / "pengar.csv"
    csv.write_text("Månad;Intäkt\n2025-01;1 234 kr\n2025-02;2 000 kr\n", encoding="utf-8")
    assert (2, "B") in importing.currency_cells_of(open_preview(csv).sheets[0])


def test_create_missing_infers_the_kinds_and_the_dry_run_reports_what_the_real_run_makes(
    workspace, book
):
    mapping = ImportMapping(create_missing=True)
    dry = run_import(workspace, book, ImportOptions(dry_run=True), mapping)
    assert models.Kpi.select().count() == 0  # nothing stored by the dry run
    real = run_import(workspace, book, ImportOptions(), mapping)
    assert dry.created_kpis == real.created_kpis and dry.created_units == real.created_units
    assert dry.new_kpis == real.new_kpis
    kinds = {k["code"]: (k["measure_unit"], k["time_aggregation"]) for k in real.new_kpis}
    assert kinds == {
        "REV": ("currency", "sum"),
        "AOV": ("currency", "average"),
        "NPS": ("score", "average"),
        "ANTAL_KUNDER": ("count", "sum"),
        "ANDEL_NOJDA": ("percent", "average"),
        "HEADCOUNT": ("count", "last"),
    }
    revenue = models.Kpi.get(models.Kpi.code == "REV")
    assert revenue.name == "Omsättning" and revenue.description.startswith("Intäkter")


def test_an_existing_revenue_kpi_is_found_for_omsattning(workspace):
    create_kpi(workspace, KpiData(code="SALES", name="Revenue", measure_unit="currency"))
    names = WorkspaceNames()
    found = names.match_kpi("Omsättning (kr)")
    assert found is not None and found.name == "Revenue"
    assert names.match_kpi("Nettoomsättning").name == "Revenue"  # type: ignore[union-attr]
    assert names.match_kpi("Antal kunder") is None


def test_weeks_are_one_problem_per_kpi_or_rolled_up_into_months_by_their_thursday(workspace, book):
    run_import(workspace, book, ImportOptions(), ImportMapping(create_missing=True))
    models.Measurement.delete().where(models.Measurement.period.startswith("2025-0")).execute()
    options = ImportOptions(sheet="Vecka")
    stopped = run_import(workspace, book, options)
    assert stopped.stopped and stopped.problem_count == 1
    (problem,) = stopped.problems
    assert (problem.row, problem.column) == (2, "C")
    assert problem.reason.template == importing.MSG_FINER_KIND
    (offer,) = stopped.can_roll_up
    assert (offer.values, offer.source, offer.target) == (39, PeriodKind.WEEK, PeriodKind.MONTH)

    rolled = run_import(workspace, book, ImportOptions(sheet="Vecka", roll_up=True))
    assert not rolled.stopped and rolled.imported == 9  # 3 months × 3 stores
    weekly = weekly_rows()
    january = [v for week, store, v in weekly if store == "Umeå" and int(week[-2:]) <= 5]
    march = [v for week, store, v in weekly if store == "Umeå" and int(week[-2:]) >= 10]
    got = measured("REV")
    assert got[("Umeå", "2025-01")] == sum(january)  # W01 (Thursday 2 Jan) … W05 (30 Jan)
    assert got[("Umeå", "2025-03")] == sum(march)  # W10 … W13 (Thursday 27 March)
    assert rolled.roll_ups[0].partial == ()  # weeks 1–13 fill January to March
    notes = [note.text for note in rolled.notes]
    assert "Omsättning: 39 values by week were rolled up into 9 values by month (sum)." in notes


def test_a_week_short_month_is_noted(workspace, tmp_path):
    from openpyxl import Workbook

    create_kpi(
        workspace,
        KpiData(code="AVG", name="Snittorder", measure_unit="currency", time_aggregation="average"),
    )
    book = Workbook()
    sheet = book.active
    sheet.append(["Vecka", "Snittorder"])
    for week, value in ((6, 100), (7, 110), (8, 120)):  # February 2025 has weeks 6–9
        sheet.append([f"2025-W{week:02d}", value])
    path = tmp_path / "veckor.xlsx"
    book.save(path)
    result = run_import(workspace, path, ImportOptions(roll_up=True))
    assert measured("AVG") == {("Kedjan AB", "2025-02"): 110.0}  # the average of the weeks
    assert result.roll_ups[0].partial == ("2025-02",)
    assert any("not every week of February 2025" in note.text for note in result.notes)


def test_targets_are_proposed_from_each_units_history(workspace, book):
    run_import(workspace, book, ImportOptions(), ImportMapping(create_missing=True))
    assert targets.has_no_targets()
    proposals = {p.code: p for p in targets.propose_targets()}
    assert set(proposals) == {"REV", "AOV", "NPS", "ANTAL_KUNDER", "ANDEL_NOJDA", "HEADCOUNT"}
    revenue = proposals["REV"]
    assert (revenue.first, revenue.last) == (Period.month(2025, 1), Period.month(2025, 12))
    units = {change.unit_id for change in revenue.changes}
    assert len(units) == len(STORES) + 1  # every store and the chain
    assert revenue.example is not None and revenue.example_period == Period.month(2025, 12)
    targets.set_targets(workspace, [c for p in proposals.values() for c in p.changes])
    assert not targets.has_no_targets() and targets.propose_targets() == []


def test_the_demo_is_in_one_language(tmp_path):
    from kpidesk.services.demo import ENGLISH, build_demo

    swedish = set(ENGLISH)
    english = set(ENGLISH.values())
    for language, foreign in (("en", swedish), ("sv", english)):
        path = build_demo(tmp_path / f"demo-{language}.kpidesk", language=language)
        with sqlite3.connect(path) as connection:
            texts = set()
            for query in (
                "SELECT name FROM unit",
                "SELECT title FROM goal",
                "SELECT name || '|' || definition || '|' || data_source FROM kpi",
                "SELECT title FROM review",
                "SELECT text FROM decision",
                "SELECT title FROM action",
                "SELECT text FROM review_comment",
                "SELECT comment FROM measurement WHERE comment <> ''",
            ):
                for (text,) in connection.execute(query):
                    texts.update(text.split("|"))
        assert not texts & foreign, (language, texts & foreign)
        if language == "en":
            assert not [
                t for t in texts if re.search(r"[åäö]", t) and "Umeå" not in t and "Luleå" not in t
            ]


def test_a_damaged_file_is_described_in_the_users_language(tmp_path):
    from kpidesk.store.errors import CorruptWorkspaceError, CutShort

    cut = CorruptWorkspaceError(tmp_path / "x.kpidesk", CutShort(300000, 614400))
    sqlite_says = CorruptWorkspaceError(tmp_path / "x.kpidesk", "database disk image is malformed")
    try:
        i18n.set_language("sv")
        assert "filen är 300000 byte, 614400 väntades" in cut.message
        assert "file is" not in cut.message and "malformed" not in sqlite_says.message
        assert "SQLites kontroll av filen misslyckades" in sqlite_says.message
    finally:
        i18n.set_language("en")
    assert "database disk image is malformed" in sqlite_says.message
    assert "the file is 300000 bytes, 614400 expected" in cut.message


def test_system_errors_are_said_in_the_users_language():
    import errno

    from kpidesk.files import os_reason

    full = OSError(errno.ENOSPC, "No space left on device")
    odd = OSError(errno.ECHILD, "No child processes")
    try:
        i18n.set_language("sv")
        assert f"{os_reason(full)}" == "disken är full"
        assert f"{os_reason(odd)}" == "systemet vägrade (ECHILD)"
    finally:
        i18n.set_language("en")
    assert f"{os_reason(odd)}" == "No child processes"


@pytest.mark.parametrize(
    ("value", "decimals", "shown"),
    [
        (2.135, 2, "2.14"),
        (0.125, 2, "0.13"),
        (-2.5, 0, "-3"),
        (81.55, 1, "81.6"),
        (1.005, 2, "1.01"),
    ],
)
def test_numbers_round_as_a_spreadsheet_does(value, decimals, shown):
    assert format_number(value, decimals, "en", grouping=False) == shown


def test_the_pack_writes_a_percent_deviation_in_percentage_points():
    assert number_format("percent", 1, "en", signed=True) == (
        '+#,##0.0 "pp";-#,##0.0 "pp";#,##0.0 "pp"'
    )
    assert number_format("percent", 1, "sv", signed=True).startswith('+#,##0.0 "p.e."')
    assert to_cell_value(-3.8, "percent", signed=True) == -3.8
    assert to_cell_value(81.9, "percent") == pytest.approx(0.819)
    assert format_deviation(-3.8, "percent", decimals=1, language="en") == "\u22123.8\u00a0pp"
    assert format_deviation(-3.8, "percent", decimals=1, language="sv") == "\u22123,8\u00a0p.e."
    assert format_deviation(6015, "currency", decimals=0, language="sv") == (
        "+" + format_value(6015, "currency", decimals=0, language="sv")
    )


def test_the_templates_number_examples_are_in_its_own_language(tmp_path, workspace, book):
    import openpyxl

    from kpidesk.services.exports import ExportFormat, ExportRequest, run_export

    run_import(workspace, book, ImportOptions(), ImportMapping(create_missing=True))
    for language, example in (("sv", "1 234,5"), ("en", "1,234.5")):
        path = tmp_path / f"mall-{language}.xlsx"
        run_export(
            ExportRequest(ExportFormat.TEMPLATE, path, Period.month(2025, 12), language=language),
            workspace=workspace,
        )
        sheet = openpyxl.load_workbook(path).worksheets[1]
        texts = " ".join(str(c.value) for row in sheet.iter_rows() for c in row if c.value)
        assert example in texts.replace("\u00a0", " ")
        other = "1,234.5" if language == "sv" else "1 234,5"
        assert other not in texts.replace("\u00a0", " ")
        codes = openpyxl.load_workbook(path).worksheets[0].column_dimensions["B"].width
        assert codes >= len("ANTAL_KUNDER")
