"""Importing spreadsheets: mapping, validation, all or nothing, conflicts, undo, profiles.

The golden workbooks under tests/data/import (see make_golden.py) go through the real path:
the reader process, the mapping to the workspace, and the store.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kpidesk.domain.numbers import MeasureUnit
from kpidesk.domain.periods import PeriodKind
from kpidesk.io.errors import SpreadsheetError
from kpidesk.io.layout import LayoutKind
from kpidesk.services import importing
from kpidesk.services.import_mapping import (
    Choice,
    ImportMapping,
    KpiDecision,
    NewKpi,
    UnitDecision,
    WorkspaceNames,
    display_name,
    find_profile,
    kpi_key,
    layout_signature,
    list_profiles,
    new_kpi_for,
    profile_for_signature,
    unit_key,
)
from kpidesk.services.importing import ImportOptions, Into, OnConflict, run_import, undo_import
from kpidesk.services.kpis import KpiData, create_kpi
from kpidesk.services.progress import Cancelled
from kpidesk.services.units import create_unit, root_unit_id
from kpidesk.store import models
from kpidesk.store.workspace import Workspace

DATA = Path(__file__).resolve().parents[1] / "data" / "import"


@pytest.fixture
def workspace(workspace_location):
    ws = Workspace.create(workspace_location, "Test AB", language="en")
    root = root_unit_id()
    assert root is not None
    for name in ("Sthlm", "Gbg", "Norr", "Syd", "Malmö"):
        create_unit(ws, name, root)
    for code, name, measure, frequency in (
        ("REV", "Omsättning", "currency", "month"),
        ("CUST", "Kunder", "count", "month"),
        ("SAT", "Andel nöjda", "percent", "month"),
        ("COST", "Kostnader", "currency", "month"),
        ("NPS", "NPS", "score", "month"),
        ("SICK", "Sjukfrånvaro", "percent", "month"),
    ):
        create_kpi(
            ws,
            KpiData(code=code, name=name, measure_unit=measure, frequency=frequency),
        )
    yield ws
    ws.close()


def ids() -> tuple[dict[str, int], dict[str, int]]:
    kpis = dict(models.Kpi.select(models.Kpi.code, models.Kpi.id).tuples())
    units = dict(models.Unit.select(models.Unit.name, models.Unit.id).tuples())
    return kpis, units


def stored() -> set[tuple[str, str, str, float, str]]:
    """(KPI code, unit, period, value, comment) of every measurement."""
    query = (
        models.Measurement.select(
            models.Kpi.code,
            models.Unit.name,
            models.Measurement.period,
            models.Measurement.value,
            models.Measurement.comment,
        )
        .join(models.Kpi)
        .switch(models.Measurement)
        .join(models.Unit)
        .tuples()
    )
    return set(query)


def targets() -> set[tuple[str, str | None, str, float]]:
    rows = models.Target.select(
        models.Target.kpi, models.Target.unit, models.Target.period, models.Target.value
    ).tuples()
    codes = {v: k for k, v in ids()[0].items()}
    names = {v: k for k, v in ids()[1].items()}
    return {(codes[k], names.get(u) if u else None, p, v) for k, u, p, v in rows}


def problems(result: importing.ImportResult) -> list[tuple[str, str, str]]:
    return [(p.location, p.value, p.reason.template) for p in result.problems]


LONG_SV = {
    ("REV", "Sthlm", "2026-01", 1234.5, "Rea"),
    ("CUST", "Sthlm", "2026-01", 312.0, ""),
    ("SAT", "Sthlm", "2026-01", 81.5, ""),
    ("REV", "Sthlm", "2026-02", 2000.25, ""),
    ("CUST", "Sthlm", "2026-02", 1024.0, "samma butik"),
    ("SAT", "Gbg", "2026-02", 81.5, ""),  # 0.815 formatted as a percentage
}


# Names --------------------------------------------------------------------------------------


def test_names_are_matched_without_case_spaces_diacritics_and_unit_suffixes(workspace):
    names = WorkspaceNames()
    kpis, units = ids()
    for label in ("Omsättning (kr)", " OMSATTNING ", "omsättning, kr", "Omsättning i kr", "rev"):
        found = names.match_kpi(label)
        assert found is not None and found.id == kpis["REV"], label
    assert names.match_kpi("Andel nöjda %").id == kpis["SAT"]  # type: ignore[union-attr]
    assert names.match_kpi("Sjukfrånvaro (%)").id == kpis["SICK"]  # type: ignore[union-attr]
    assert names.match_kpi("Vinst") is None
    assert [u.id for u in names.match_unit(" sthlm ")] == [units["Sthlm"]]
    assert [u.id for u in names.match_unit("MALMO")] == [units["Malmö"]]
    assert names.match_unit("Team H") == []  # no unit suffix is taken off a unit's name
    assert unit_key("Team H") == "team h"
    assert kpi_key("Omsättning (kr)") == "omsattning"


def test_a_new_kpi_takes_its_name_unit_frequency_and_aggregation_from_the_sheet():
    assert display_name("Omsättning (kr)") == "Omsättning"
    assert display_name("Andel nöjda %") == "Andel nöjda"
    assert display_name("Kunder, st") == "Kunder"
    assert display_name("Customer satisfaction (CSAT)") == "Customer satisfaction (CSAT)"
    revenue = new_kpi_for("Omsättning (kr)", frequency=PeriodKind.MONTH)
    assert (revenue.name, revenue.measure_unit, revenue.aggregation) == (
        "Omsättning",
        "currency",
        "sum",
    )
    share = new_kpi_for("Konvertering", frequency=PeriodKind.QUARTER, percent_cells=True)
    assert (share.measure_unit, share.frequency, share.aggregation) == (
        "percent",
        PeriodKind.QUARTER,
        "average",
    )
    score = new_kpi_for("NPS (poäng)", frequency=PeriodKind.MONTH)
    assert (score.name, score.measure_unit, score.aggregation) == ("NPS", "score", "average")
    assert new_kpi_for("Leads", frequency=PeriodKind.MONTH).measure_unit == "count"


# All or nothing -----------------------------------------------------------------------------


def test_any_problem_stops_the_whole_import(workspace):
    result = run_import(workspace, DATA / "long_sv.xlsx")
    assert result.stopped and result.batch_id is None
    assert result.imported == 0 and result.valid == 6
    assert problems(result) == [
        ("Data!D11", "#N/A", "The cell holds the Excel error {error}."),
        ("Data!D13", "tolv", "“{text}” is not a number."),
        ("Data!A14", "Q5 2026", "“{text}” is not a period."),
    ]
    assert stored() == set()
    assert models.ImportBatch.select().count() == 0


def test_skip_invalid_imports_exactly_the_valid_values(workspace):
    result = run_import(workspace, DATA / "long_sv.xlsx", ImportOptions(skip_invalid=True))
    assert not result.stopped and result.batch_id is not None
    assert (result.imported, result.skipped, result.problem_count) == (6, 0, 3)
    assert stored() == LONG_SV
    batch = importing.batch_info(result.batch_id)
    assert batch is not None
    assert (batch.file_name, batch.sheet, batch.imported, batch.into) == (
        "long_sv.xlsx",
        "Data",
        6,
        Into.ACTUALS,
    )
    sources = {m.source for m in models.Measurement.select()}
    assert sources == {"import"}
    assert {m.batch_id for m in models.Measurement.select()} == {result.batch_id}


def test_a_dry_run_counts_exactly_and_stores_nothing(workspace):
    run_import(workspace, DATA / "long_sv.xlsx", ImportOptions(skip_invalid=True))
    before = stored()
    result = run_import(
        workspace, DATA / "long_sv.xlsx", ImportOptions(skip_invalid=True, dry_run=True)
    )
    assert result.dry_run and result.batch_id is None
    assert (result.imported, result.skipped) == (0, 6)
    assert stored() == before
    assert models.ImportBatch.select().count() == 1


def test_values_already_stored_are_kept_or_replaced_and_undo_restores_them(workspace):
    kpis, units = ids()
    from kpidesk.services.data_entry import CellChange, set_values

    set_values(workspace, [CellChange(kpis["REV"], units["Sthlm"], "2026-01", 999.0, "typed")])
    options = ImportOptions(skip_invalid=True)
    kept = run_import(workspace, DATA / "long_sv.xlsx", options)
    assert (kept.imported, kept.skipped) == (5, 1)
    assert ("REV", "Sthlm", "2026-01", 999.0, "typed") in stored()

    replaced = run_import(
        workspace,
        DATA / "long_sv.xlsx",
        ImportOptions(skip_invalid=True, on_conflict=OnConflict.REPLACE),
    )
    assert (replaced.imported, replaced.replaced, replaced.skipped) == (6, 6, 0)
    assert stored() == LONG_SV

    undone = undo_import(workspace, replaced.batch_id)  # type: ignore[arg-type]
    assert (undone.removed, undone.restored) == (6, 6)
    after = stored()
    assert ("REV", "Sthlm", "2026-01", 999.0, "typed") in after
    assert after == (LONG_SV - {("REV", "Sthlm", "2026-01", 1234.5, "Rea")}) | {
        ("REV", "Sthlm", "2026-01", 999.0, "typed")
    }
    typed = models.Measurement.get(
        (models.Measurement.kpi == kpis["REV"]) & (models.Measurement.period == "2026-01")
    )
    assert (typed.source, typed.batch_id) == ("typed", None)

    # Undoing the first import too leaves only the typed value.
    undo_import(workspace, kept.batch_id)  # type: ignore[arg-type]
    assert stored() == {("REV", "Sthlm", "2026-01", 999.0, "typed")}
    with pytest.raises(importing.ImportFailed):
        undo_import(workspace, kept.batch_id)  # type: ignore[arg-type]
    with pytest.raises(importing.NoSuchBatchError):
        undo_import(workspace, 999)


def test_undoing_an_earlier_import_first_still_puts_back_what_was_there_before(workspace):
    kpis, units = ids()
    from kpidesk.services.data_entry import CellChange, set_values

    set_values(workspace, [CellChange(kpis["REV"], units["Sthlm"], "2026-01", 1.0, "")])
    replace = ImportOptions(skip_invalid=True, on_conflict=OnConflict.REPLACE)
    first = run_import(workspace, DATA / "long_sv.xlsx", replace)
    second = run_import(workspace, DATA / "long_sv.xlsx", replace)
    undo_import(workspace, first.batch_id)  # type: ignore[arg-type]
    assert stored() == LONG_SV  # the second import's values stay
    undo_import(workspace, second.batch_id)  # type: ignore[arg-type]
    assert stored() == {("REV", "Sthlm", "2026-01", 1.0, "")}


def test_create_missing_creates_kpis_and_units_and_undo_removes_them(workspace):
    result = run_import(
        workspace,
        DATA / "wide.xlsx",
        ImportOptions(skip_invalid=True),
        ImportMapping(create_missing=True),
    )
    assert result.created_kpis == ("Konvertering",)
    assert result.created_units == ()
    kpi = models.Kpi.get(models.Kpi.name == "Konvertering")
    # "Konvertering" is the library's conversion rate: its code, a percentage, averaged
    assert (kpi.code, kpi.measure_unit, kpi.frequency, kpi.time_aggregation) == (
        "CONV",
        "percent",
        "month",
        "average",
    )
    assert kpi.decimals == 1  # 27,5 %
    values = {(k, u, p, v) for k, u, p, v, _c in stored()}
    assert values == {
        ("REV", "Norr", "2026-01", 1500.0),
        ("CUST", "Norr", "2026-01", 30.0),
        ("CONV", "Norr", "2026-01", 25.0),
        ("REV", "Norr", "2026-02", 1600.0),
        ("CONV", "Norr", "2026-02", 30.0),
        ("CUST", "Norr", "2026-03", 35.0),
        ("CONV", "Norr", "2026-03", 27.5),
        ("REV", "Syd", "2026-01", 900.5),
        ("CUST", "Syd", "2026-01", 18.0),
        ("CONV", "Syd", "2026-01", 20.0),
    }
    undone = undo_import(workspace, result.batch_id)  # type: ignore[arg-type]
    assert undone.removed_kpis == ("Konvertering",)
    assert not models.Kpi.select().where(models.Kpi.name == "Konvertering").exists()
    assert stored() == set()


def test_units_are_created_under_the_top_unit_and_kept_on_undo_when_used_since(workspace):
    models.Unit.delete().where(models.Unit.name == "Gbg").execute()
    result = run_import(
        workspace,
        DATA / "long_sv.xlsx",
        ImportOptions(skip_invalid=True),
        ImportMapping(create_missing=True),
    )
    assert result.created_units == ("Gbg",)
    gbg = models.Unit.get(models.Unit.name == "Gbg")
    assert gbg.parent_id == root_unit_id()
    kpis, _units = ids()
    from kpidesk.services.data_entry import CellChange, set_values

    set_values(workspace, [CellChange(kpis["CUST"], gbg.id, "2026-05", 3.0)])
    undone = undo_import(workspace, result.batch_id)  # type: ignore[arg-type]
    assert undone.kept_units == ("Gbg",)
    assert stored() == {("CUST", "Gbg", "2026-05", 3.0, "")}


def test_unknown_names_are_problems_naming_the_cell_where_the_name_is(workspace):
    models.Kpi.delete().where(models.Kpi.code == "CUST").execute()
    result = run_import(workspace, DATA / "wide.xlsx")
    assert ("Månadsdata!D1", "Kunder", importing.MSG_UNKNOWN_KPI) in problems(result)
    models.Unit.delete().where(models.Unit.name == "Sthlm").execute()
    result = run_import(workspace, DATA / "long_sv.xlsx", ImportOptions(skip_invalid=True))
    assert ("Data!B4", "Sthlm", importing.MSG_UNKNOWN_UNIT) in problems(result)
    assert {u for _k, u, _p, _v, _c in stored()} == {"Gbg"}


def test_finer_values_of_a_kpi_are_one_problem_or_rolled_up_into_its_periods(workspace):
    models.Kpi.update(frequency="quarter").where(models.Kpi.code == "CUST").execute()
    result = run_import(workspace, DATA / "long_sv.xlsx", ImportOptions(skip_invalid=True))
    wrong = [p for p in result.problems if p.reason.template == importing.MSG_FINER_KIND]
    assert [(p.location, p.value) for p in wrong] == [("Data!D5", "312")]
    assert str(wrong[0]) == (
        "Data!D5: Kunder is measured by quarter, but the file holds 2 values by month "
        "(January 2026 – February 2026); roll them up by quarter (sum) to import them "
        "(--roll-up)."
    )
    assert [(r.kpi, r.values, r.source, r.target) for r in result.can_roll_up] == [
        ("Kunder", 2, PeriodKind.MONTH, PeriodKind.QUARTER)
    ]
    assert {k for k, *_rest in stored()} == {"REV", "SAT"}

    rolled = run_import(
        workspace, DATA / "long_sv.xlsx", ImportOptions(skip_invalid=True, roll_up=True)
    )
    assert not rolled.can_roll_up and rolled.roll_ups[0].done
    customers = {(u, p, v) for k, u, p, v, _c in stored() if k == "CUST"}
    assert customers == {("Sthlm", "2026-Q1", 312.0 + 1024.0)}  # January and February
    assert rolled.roll_ups[0].partial == ("2026-Q1",)  # March is not in the file


def test_a_calculated_kpi_takes_no_imported_values(workspace):
    models.Kpi.update(formula="REV - COST").where(models.Kpi.code == "CUST").execute()
    result = run_import(workspace, DATA / "long_sv.xlsx")
    assert ("Data!C5", "Kunder (st)", importing.MSG_CALCULATED) in problems(result)


def test_the_same_key_twice_in_a_file_is_a_problem(workspace, tmp_path: Path):
    path = tmp_path / "twice.csv"
    path.write_text(
        "Månad;Butik;Nyckeltal;Värde\n2026-01;Sthlm;Kunder;5\n2026-01;Sthlm;Kunder;6\n",
        encoding="utf-8",
    )
    result = run_import(workspace, path, ImportOptions(skip_invalid=True))
    assert problems(result) == [("twice!D3", "6", importing.MSG_DUPLICATE)]
    assert stored() == {("CUST", "Sthlm", "2026-01", 5.0, "")}


# Layouts and formats -----------------------------------------------------------------------


def test_values_without_a_unit_column_go_to_the_top_unit_or_the_unit_asked_for(workspace):
    options = ImportOptions(sheet="Prognos", skip_invalid=True)
    run_import(workspace, DATA / "across_budget.xlsx", options)
    assert stored() == {
        ("NPS", "Test AB", "2027-01", 40.0, ""),
        ("NPS", "Test AB", "2027-02", 42.0, ""),
        ("SICK", "Test AB", "2027-01", 4.5, ""),
        ("SICK", "Test AB", "2027-02", 3.9, ""),
        ("SICK", "Test AB", "2027-03", 4.1, ""),
    }
    _kpis, units = ids()
    models.Measurement.delete().execute()
    run_import(
        workspace,
        DATA / "across_budget.xlsx",
        ImportOptions(sheet="Prognos", skip_invalid=True, unit_id=units["Gbg"]),
    )
    assert {u for _k, u, *_rest in stored()} == {"Gbg"}


def test_a_budget_sheet_into_targets_and_undone(workspace):
    _kpis, units = ids()
    from kpidesk.services.targets import TargetChange, set_targets

    kpis, _units = ids()
    set_targets(workspace, [TargetChange(kpis["REV"], units["Sthlm"], "2026-01", 5.0)])
    result = run_import(
        workspace,
        DATA / "across_budget.xlsx",
        ImportOptions(sheet="Budget 2026", into=Into.TARGETS),
    )
    assert not result.stopped, problems(result)
    assert (result.imported, result.skipped) == (25, 1)
    got = targets()
    assert ("REV", "Sthlm", "2026-01", 5.0) in got  # kept
    assert ("REV", "Sthlm", "2026-12", 1200.0) in got
    assert ("COST", "Sthlm", "2026-06", 50.0) in got
    assert ("REV", "Gbg", "2026-02", 20.5) in got
    assert len(got) == 26
    assert stored() == set()  # targets, not actual values

    undone = undo_import(workspace, result.batch_id)  # type: ignore[arg-type]
    assert undone.removed == 25
    assert targets() == {("REV", "Sthlm", "2026-01", 5.0)}


def test_targets_without_a_unit_column_hold_for_every_unit(workspace):
    result = run_import(
        workspace,
        DATA / "across_budget.xlsx",
        ImportOptions(sheet="Prognos", into=Into.TARGETS, skip_invalid=True),
    )
    assert result.imported == 5
    assert {u for _k, u, _p, _v in targets()} == {None}
    assert ("SICK", None, "2027-01", 4.5) in targets()


def test_months_without_a_year_need_the_year(workspace):
    result = run_import(workspace, DATA / "across_budget.xlsx", ImportOptions(sheet="Utan år"))
    assert result.stopped
    assert [p.location for p in result.problems] == ["Utan år!B1"]
    result = run_import(
        workspace,
        DATA / "across_budget.xlsx",
        ImportOptions(sheet="Utan år", layout=LayoutKind.ACROSS, year=2024),
        ImportMapping(create_missing=True),
    )
    assert not result.stopped
    assert {(k, p, v) for k, _u, p, v, _c in stored()} == {
        ("CUST", "2024-01", 1.0),
        ("CUST", "2024-02", 2.0),
    }


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "semicolon_cp1252.csv",
            {
                ("REV", "Malmö", "2026-01", 1234.5),
                ("REV", "Malmö", "2026-02", 2000.0),
            },
        ),
        (
            "across_quarters.ods",
            set(),
        ),
    ],
)
def test_csv_and_ods(workspace, name, expected):
    result = run_import(workspace, DATA / name, ImportOptions(skip_invalid=True))
    assert result.problem_count >= 1
    if name.endswith(".csv"):
        # "Kundnöjdhet" is no KPI here: a problem, and its value is left out.
        assert ("semicolon_cp1252!C4", "Kundnöjdhet", importing.MSG_UNKNOWN_KPI) in problems(result)
        assert {(k, u, p, v) for k, u, p, v, _c in stored()} == expected
    else:
        # Quarterly values for monthly KPIs: every one is a problem, nothing is stored.
        assert result.stopped and result.valid == 0
        assert stored() == set()


def test_an_unreadable_file_raises_a_spreadsheet_error(workspace):
    with pytest.raises(SpreadsheetError):
        run_import(workspace, DATA / "junk.xlsx")
    assert models.ImportBatch.select().count() == 0


# Mapping decisions, aliases and profiles ------------------------------------------------------


def test_mapping_decisions_are_remembered_as_aliases_and_undone_with_the_import(workspace):
    models.Unit.delete().where(models.Unit.name == "Syd").execute()
    kpis, units = ids()
    mapping = ImportMapping(
        kpis={
            kpi_key("Konvertering"): KpiDecision.map_to(kpis["SAT"]),
            kpi_key("Kunder"): KpiDecision(Choice.IGNORE),
        },
        units={unit_key("Syd"): UnitDecision.map_to(units["Malmö"])},
    )
    result = run_import(workspace, DATA / "wide.xlsx", ImportOptions(skip_invalid=True), mapping)
    assert result.ignored == 3
    assert {(k, u) for k, u, *_r in stored()} == {
        ("REV", "Norr"),
        ("SAT", "Norr"),
        ("REV", "Malmö"),
        ("SAT", "Malmö"),
    }
    assert ("SAT", "Norr", "2026-03", 27.5, "") in stored()
    aliases = set(models.KpiAlias.select(models.KpiAlias.alias).tuples())
    assert aliases == {("konvertering",)}
    assert set(models.UnitAlias.select(models.UnitAlias.alias).tuples()) == {("syd",)}
    names = WorkspaceNames()
    assert names.match_kpi("Konvertering").id == kpis["SAT"]  # type: ignore[union-attr]
    assert [u.id for u in names.match_unit("SYD")] == [units["Malmö"]]

    undo_import(workspace, result.batch_id)  # type: ignore[arg-type]
    assert models.KpiAlias.select().count() == 0
    assert models.UnitAlias.select().count() == 0


def test_a_profile_is_saved_and_found_again_for_a_sheet_of_the_same_shape(workspace):
    kpis, _units = ids()
    mapping = ImportMapping(kpis={kpi_key("Konvertering"): KpiDecision.map_to(kpis["SAT"])})
    result = run_import(
        workspace,
        DATA / "wide.xlsx",
        ImportOptions(skip_invalid=True, profile="Månadsrapport"),
        mapping,
    )
    assert result.profile == "Månadsrapport"
    profile = find_profile("Månadsrapport")
    assert profile is not None
    assert profile.signature == layout_signature(result.layout)  # type: ignore[arg-type]
    assert profile.kpis[kpi_key("Konvertering")] == KpiDecision.map_to(kpis["SAT"])
    assert profile.kpis[kpi_key("Omsättning (kr)")] == KpiDecision.map_to(kpis["REV"])
    assert profile.sheet == "Månadsdata"
    assert [p.name for p in list_profiles()] == ["Månadsrapport"]
    assert profile_for_signature(profile.signature).name == "Månadsrapport"  # type: ignore[union-attr]
    batch = models.ImportBatch.get_by_id(result.batch_id)
    assert batch.profile.name == "Månadsrapport"

    scan = importing.scan_file(DATA / "wide.xlsx")
    assert scan.signature == profile.signature


def test_signatures_ignore_the_periods_across(workspace):
    budget = importing.scan_file(DATA / "across_budget.xlsx", sheet="Budget 2026")
    forecast = importing.scan_file(DATA / "across_budget.xlsx", sheet="Prognos")
    assert budget.signature != forecast.signature
    assert budget.signature.startswith("v1:")


def test_create_decisions_from_the_wizard(workspace):
    mapping = ImportMapping(
        kpis={
            kpi_key("Konvertering"): KpiDecision.create(
                NewKpi("Konverteringsgrad", MeasureUnit.PERCENT, PeriodKind.MONTH, 1, code="CONV")
            )
        },
        units={unit_key("Syd"): UnitDecision.create("Region Syd")},
    )
    result = run_import(workspace, DATA / "wide.xlsx", ImportOptions(skip_invalid=True), mapping)
    assert result.created_kpis == ("Konverteringsgrad",)
    assert result.created_units == ("Region Syd",)
    assert ("CONV", "Region Syd", "2026-01", 20.0, "") in stored()


# Scans, backups, cancelling ----------------------------------------------------------------------


def test_a_scan_gathers_the_labels_and_the_import_uses_its_records(workspace):
    scan = importing.scan_file(DATA / "long_sv.xlsx")
    assert [(s.label, s.count) for s in scan.kpi_labels] == [
        ("Omsättning (kr)", 2),
        ("Kunder (st)", 2),
        ("Andel nöjda", 2),
    ]
    assert [(s.label, s.count) for s in scan.unit_labels] == [("Sthlm", 5), ("Gbg", 1)]
    assert scan.records is not None and len(scan.records) == 6
    assert scan.kpi_labels[2].percent_cells == 2
    result = run_import(workspace, scan.path, ImportOptions(skip_invalid=True), scan=scan)
    assert result.imported == 6 and stored() == LONG_SV


def test_a_large_import_is_backed_up_first(workspace, tmp_path: Path):
    from kpidesk.services.backups import list_backups

    before = len(list_backups(workspace.location))
    result = run_import(
        workspace, DATA / "long_sv.xlsx", ImportOptions(skip_invalid=True, backup_threshold=3)
    )
    assert result.backup is not None and result.backup.exists()
    assert len(list_backups(workspace.location)) == before + 1
    small = run_import(workspace, DATA / "wide.xlsx", ImportOptions(skip_invalid=True))
    assert small.backup is None


def test_cancelling_leaves_nothing_behind(workspace, tmp_path: Path):
    path = tmp_path / "big.csv"
    lines = ["Månad;Butik;Nyckeltal;Värde"]
    lines += [f"{2000 + i // 12}-{1 + i % 12:02d};Sthlm;Kunder;{i}" for i in range(2400)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    calls = []

    def cancelled() -> bool:
        calls.append(1)
        return len(calls) > 3

    with pytest.raises(Cancelled):
        run_import(workspace, path, ImportOptions(), cancelled=cancelled)
    assert stored() == set()
    assert models.ImportBatch.select().count() == 0
    assert run_import(workspace, path).imported == 2400


def test_a_scan_too_large_to_keep_reads_the_file_again_for_the_import(workspace):
    scan = importing.scan_file(DATA / "long_sv.xlsx", keep=3)
    assert scan.records is None and len(scan.sample) == 6
    result = run_import(workspace, scan.path, ImportOptions(skip_invalid=True), scan=scan)
    assert result.imported == 6 and stored() == LONG_SV


# Large imports -------------------------------------------------------------------------------


def _many_rows_csv(path: Path) -> None:
    """120,000 values and more (three chunks and more; 40 shops × 3 KPIs × 1,000 months),
    with what needs the careful way in later chunks: a duplicate, a text percentage, an
    unknown KPI, a unit met late, a bad number."""
    shops = [f"Butik {n}" for n in range(40)]
    lines = ["Månad;Butik;Nyckeltal;Värde;Kommentar"]
    for month in range(1_000):
        period = f"{1950 + month // 12}-{1 + month % 12:02d}"
        note = f"Note {month}" if month % 300 == 7 else ""  # some chunks have comments
        for shop in shops:
            for kpi in ("Kunder", "Omsättning", "Kostnader"):
                lines.append(f"{period};{shop};{kpi};{month % 97},5;{note}")
    lines.insert(70_000, "1950-01;Butik 0;Kunder;1")  # a duplicate
    lines.insert(80_000, "2040-01;Sthlm;Andel nöjda;81,5 %")  # a percentage
    lines.insert(90_000, "2040-01;Sthlm;Okänt tal;3")  # no such KPI
    lines.insert(100_000, "2040-02;Malmö;Kunder;4")  # a unit not seen before
    lines.insert(110_000, "2040-03;Sthlm;Kunder;x")  # not a number
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture
def shops(workspace):
    root = root_unit_id()
    for n in range(40):
        create_unit(workspace, f"Butik {n}", root)
    return workspace


def _everything_stored() -> list[tuple[object, ...]]:
    return sorted(
        models.Measurement.select(
            models.Measurement.kpi,
            models.Measurement.unit,
            models.Measurement.period,
            models.Measurement.value,
            models.Measurement.comment,
            models.Measurement.batch,
        ).tuples()
    )


def test_a_large_import_by_whole_columns_is_exactly_the_record_by_record_import(
    shops, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    workspace = shops
    path = tmp_path / "many.csv"
    _many_rows_csv(path)
    options = ImportOptions(skip_invalid=True)
    columns_used: list[bool] = []
    by_columns = importing._Run._process_columns

    def counting(self, chunk):  # type: ignore[no-untyped-def]
        done = by_columns(self, chunk)
        columns_used.append(done)
        return done

    monkeypatch.setattr(importing._Run, "_process_columns", counting)
    fast = run_import(workspace, path, options)
    fast_rows = _everything_stored()
    assert sum(columns_used) >= 1, "later chunks went by whole columns"
    assert not all(columns_used), "chunks with a problem went record by record"
    undo_import(workspace, fast.batch_id)
    assert _everything_stored() == []

    monkeypatch.setattr(importing._Run, "_process_columns", lambda self, chunk: False)
    slow = run_import(workspace, path, options)
    assert slow.imported == fast.imported == 120_002
    assert (slow.skipped, slow.valid, slow.values_read) == (
        fast.skipped,
        fast.valid,
        fast.values_read,
    )
    assert [(p.row, p.column, p.value) for p in slow.problems] == [
        (p.row, p.column, p.value) for p in fast.problems
    ]
    assert len(fast.problems) == 3
    batch = slow.batch_id
    assert [row[:5] for row in _everything_stored()] == [row[:5] for row in fast_rows]
    assert {row[5] for row in _everything_stored()} == {batch}
    assert sum(1 for row in fast_rows if row[4]) == 3 * 40 * 4  # four months with a note


def test_a_bulk_import_builds_the_indexes_again_and_checks_foreign_keys_after(
    shops, tmp_path: Path, monkeypatch
):
    from kpidesk.store import bulk
    from kpidesk.store.models import database

    workspace = shops
    merges = []
    merge = bulk.merge_import_stage
    monkeypatch.setattr(
        bulk, "merge_import_stage", lambda **kwargs: merges.append(1) or merge(**kwargs)
    )
    path = tmp_path / "many.csv"
    _many_rows_csv(path)

    def indexes() -> set[str]:
        if workspace.is_server:
            listed = "SELECT indexname FROM pg_indexes WHERE tablename = 'measurement'"
        else:
            listed = (
                "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'measurement'"
            )
        return {row[0] for row in database.execute_sql(listed)}

    def foreign_keys() -> set[str]:
        if not workspace.is_server:
            return {"checked by PRAGMA foreign_key_check"}
        listed = (
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE conrelid = 'measurement'::regclass AND contype = 'f'"
        )
        return {row[0] for row in database.execute_sql(listed)}

    before = indexes()
    keys = foreign_keys()
    assert "measurement_period_cover" in before and len(keys) in (1, 3)
    if not workspace.is_server:
        cache = database.execute_sql("PRAGMA cache_size").fetchone()[0]
    result = run_import(workspace, path, ImportOptions(skip_invalid=True))
    assert result.imported > importing.BULK_ROWS
    assert indexes() == before and foreign_keys() == keys
    assert workspace.integrity_problems() == []
    # a server stages every row (COPY) and merges them by one statement; a file chunk by
    # chunk
    assert len(merges) == 1 if workspace.is_server else len(merges) > 1
    uids = database.execute_sql("SELECT count(DISTINCT uid), count(*) FROM measurement")
    assert len(set(uids.fetchone())) == 1
    if not workspace.is_server:
        assert database.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1
        assert database.execute_sql("PRAGMA cache_size").fetchone()[0] == cache
        assert database.execute_sql("PRAGMA foreign_key_check").fetchall() == []
    # again into the table it filled: every value is already there and kept
    again = run_import(workspace, path, ImportOptions(skip_invalid=True))
    assert (again.imported, again.skipped) == (0, result.imported)
    assert indexes() == before
    # stopped by a problem: rolled back, indexes and all
    stopped = run_import(workspace, path, ImportOptions(on_conflict=OnConflict.REPLACE))
    assert stopped.stopped
    assert indexes() == before and foreign_keys() == keys
    # undone: every row of the batch gone, the keys still checked
    undo_import(workspace, result.batch_id)
    assert database.execute_sql("SELECT count(*) FROM measurement").fetchone()[0] == 0
    assert foreign_keys() == keys
    if not workspace.is_server:
        assert database.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1


def test_a_read_started_early_is_taken_over_and_one_for_other_options_is_replaced(workspace):
    from kpidesk.io.extract import start_reading

    path = DATA / "long_sv.xlsx"
    started = start_reading(path)
    result = run_import(workspace, path, ImportOptions(skip_invalid=True), started=started)
    assert result.imported > 0
    assert started._closed
    undo_import(workspace, result.batch_id)

    other = start_reading(path, layout_kind="wide")  # not what the import asks for
    again = run_import(workspace, path, ImportOptions(skip_invalid=True), started=other)
    assert (again.imported, again.rows_read) == (result.imported, result.rows_read)
    assert other._closed and other._process.poll() is not None
