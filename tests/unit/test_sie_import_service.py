"""Importing SIE files into a workspace: KPIs from the library (GP and GM calculated), units
for cost centres, all or nothing, undo, profiles with the account ranges, targets."""

from __future__ import annotations

from pathlib import Path

import pytest

from kpidesk.domain.periods import PeriodKind
from kpidesk.io.sie.accounts import SieSettings
from kpidesk.services import sie_import
from kpidesk.services.import_mapping import MappingError, find_profile
from kpidesk.services.importing import Into, OnConflict, undo_import
from kpidesk.services.kpis import KpiData, add_from_library, create_kpi
from kpidesk.services.sie_import import SieImportOptions, import_sie, preview_sie
from kpidesk.services.units import create_unit, root_unit_id
from kpidesk.store import models
from kpidesk.store.workspace import Workspace

from .sie_samples import VOUCHERS, sie_text, write_sie


@pytest.fixture
def workspace(workspace_location):
    ws = Workspace.create(workspace_location, "Testbolaget AB", language="sv")
    yield ws
    ws.close()


@pytest.fixture
def sie_file(tmp_path: Path) -> Path:
    return write_sie(tmp_path / "bokföring.se", sie_text(4, VOUCHERS))


def stored() -> dict[tuple[str, str, str], float]:
    query = (
        models.Measurement.select(
            models.Kpi.code, models.Unit.name, models.Measurement.period, models.Measurement.value
        )
        .join(models.Kpi)
        .switch(models.Measurement)
        .join(models.Unit)
        .tuples()
    )
    return {(code, unit, period): value for code, unit, period, value in query}


def kpis() -> dict[str, models.Kpi]:
    return {kpi.code: kpi for kpi in models.Kpi.select()}


def test_create_missing_makes_the_library_kpis_and_the_cost_centres(workspace, sie_file):
    outcome = import_sie(workspace, sie_file, SieImportOptions(create_missing=True))
    result = outcome.result
    assert result.stored and not result.problems
    made = kpis()
    assert set(made) == {"REV", "COGS", "STAFF", "EBIT", "GP", "GM", "EQUITY_RATIO", "QUICK_RATIO"}
    assert made["REV"].name == "Nettoomsättning" and made["COGS"].name == "Varuinköp"
    assert made["GP"].formula == "REV - COGS" and made["GM"].formula == "GP / REV * 100"
    assert made["REV"].definition and made["EBIT"].measure_unit == "currency"
    assert made["EQUITY_RATIO"].measure_unit == "percent"
    assert {kpi.frequency for kpi in made.values()} == {"month"}
    root = models.Unit.get_by_id(root_unit_id())
    values = stored()
    assert values[("REV", root.name, "2025-01")] == 10000.0
    assert values[("STAFF", root.name, "2025-02")] == 3000.5
    assert values[("REV", "Nord", "2025-01")] == 10000.0
    assert values[("COGS", "Syd", "2025-01")] == 4000.0
    assert not any(code in ("GP", "GM") for code, _u, _p in values)
    north = models.Unit.get(models.Unit.name == "Nord")
    assert north.parent_id == root.id
    assert set(result.created_units) == {"Nord", "Syd"}


def test_the_cost_centres_go_under_the_unit_that_takes_the_company(workspace, sie_file):
    region = create_unit(workspace, "Region Väst", root_unit_id())
    import_sie(workspace, sie_file, SieImportOptions(create_missing=True, unit_id=region))
    assert models.Unit.get(models.Unit.name == "Syd").parent_id == region
    assert stored()[("REV", "Region Väst", "2025-01")] == 10000.0


def test_existing_kpis_receive_the_values_by_code_or_library_name(workspace, sie_file):
    create_kpi(workspace, KpiData(code="OMS", name="Nettoomsättning", measure_unit="currency"))
    create_kpi(workspace, KpiData(code="EBIT", name="Resultat", measure_unit="currency"))
    outcome = import_sie(workspace, sie_file)
    assert set(kpis()) == {"OMS", "EBIT"}  # nothing created without create_missing
    values = stored()
    assert values[("OMS", "Testbolaget AB", "2025-01")] == 10000.0
    assert values[("EBIT", "Testbolaget AB", "2025-02")] == -3000.5
    notes = " ".join(note.text for note in outcome.result.notes)
    assert "COGS" in notes and "STAFF" in notes  # left out, and said so
    assert "Nord" in notes  # cost centres without units, too


def test_a_file_none_of_whose_kpis_is_there_is_a_problem(workspace, sie_file):
    before = workspace.table_counts()
    result = import_sie(workspace, sie_file).result
    assert result.stopped and result.batch_id is None
    [problem] = result.problems
    assert "REV" in problem.reason.text and "--create-missing" in problem.reason.text
    assert problem.text.startswith("bokföring.se: ")
    assert workspace.table_counts() == before


def test_gp_refers_to_the_codes_the_values_go_to(workspace, sie_file):
    create_kpi(workspace, KpiData(code="OMS", name="Net sales", measure_unit="currency"))
    import_sie(workspace, sie_file, SieImportOptions(create_missing=True))
    made = kpis()
    assert made["GP"].formula == "OMS - COGS"
    assert made["GM"].formula == "GP / OMS * 100"


def test_a_dry_run_counts_and_stores_nothing(workspace, sie_file):
    before = workspace.table_counts()
    outcome = import_sie(workspace, sie_file, SieImportOptions(create_missing=True, dry_run=True))
    assert outcome.result.dry_run
    assert outcome.result.imported == outcome.result.valid > 0
    assert outcome.result.batch_id is None
    assert set(outcome.created_kpis) >= {"Nettoomsättning", "Bruttomarginal"}
    assert workspace.table_counts() == before


def test_a_voucher_that_does_not_balance_stops_the_import(workspace, tmp_path):
    body = VOUCHERS.replace("#TRANS 2611 {} -2500.00", "#TRANS 2611 {} -2400.00")
    path = write_sie(tmp_path / "fel.se", sie_text(4, body))
    before = workspace.table_counts()
    result = import_sie(workspace, path, SieImportOptions(create_missing=True)).result
    assert result.stopped and result.batch_id is None
    [problem] = result.problems
    assert (
        problem.row == sie_text(4, body).splitlines().index('#VER A 1 20250115 "Försäljning"') + 1
    )
    assert "A 1" in problem.reason.text and "100" in problem.reason.text
    assert problem.text.startswith("fel.se, line ")
    assert workspace.table_counts() == before


def test_skip_invalid_leaves_the_unbalanced_voucher_out(workspace, tmp_path):
    body = VOUCHERS.replace("#TRANS 2611 {} -2500.00", "#TRANS 2611 {} -2400.00")
    path = write_sie(tmp_path / "fel.se", sie_text(4, body))
    options = SieImportOptions(create_missing=True, skip_invalid=True)
    result = import_sie(workspace, path, options).result
    assert result.stored and result.problem_count == 1
    values = stored()
    assert values[("REV", "Testbolaget AB", "2025-01")] == 0.0
    assert values[("COGS", "Testbolaget AB", "2025-01")] == 4000.0


def test_undo_removes_the_values_kpis_and_units_it_made(workspace, sie_file):
    before = workspace.table_counts()
    result = import_sie(workspace, sie_file, SieImportOptions(create_missing=True)).result
    undone = undo_import(workspace, result.batch_id)
    assert set(undone.removed_kpis) == set(result.created_kpis)
    assert set(undone.removed_units) == {"Nord", "Syd"}
    bookkeeping = ("import_batch", "import_change", "import_profile")
    after = workspace.table_counts()
    assert {k: v for k, v in after.items() if k not in bookkeeping} == {
        k: v for k, v in before.items() if k not in bookkeeping
    }


def test_the_profile_keeps_the_ranges_and_next_months_file_imports_the_same_way(
    workspace, sie_file, tmp_path
):
    settings = SieSettings().with_assignment("REV=3000-3099").with_assignment("LON=7010:debit")
    import_sie(workspace, sie_file, SieImportOptions(create_missing=True, settings=settings))
    profile = find_profile(sie_import.DEFAULT_PROFILE)
    assert profile is not None and profile.signature == sie_import.PROFILE_SIGNATURE
    loaded, _profile = sie_import.load_settings()
    assert loaded == settings
    later = VOUCHERS.replace("20250225", "20250325").replace("3000.50", "3100.00")
    path = write_sie(tmp_path / "mars.se", sie_text(4, later))
    result = import_sie(workspace, path, SieImportOptions(create_missing=True)).result
    assert result.stored and result.profile == sie_import.DEFAULT_PROFILE
    values = stored()
    assert values[("LON", "Testbolaget AB", "2025-03")] == 3100.0
    assert models.ImportBatch.get_by_id(result.batch_id).profile_id == profile.id


def test_a_spreadsheet_profile_is_not_used_for_a_sie_file(workspace, sie_file):
    models.ImportProfile.create(name="Budget", signature="v1:abc", mapping="{}")
    with pytest.raises(MappingError):
        import_sie(workspace, sie_file, SieImportOptions(profile="Budget"))


def test_sie_and_spreadsheet_profiles_keep_to_their_own_kind(workspace, sie_file):
    from kpidesk.services import import_mapping, importing

    import_sie(workspace, sie_file, SieImportOptions(create_missing=True))
    models.ImportProfile.create(name="Kassan", signature="v1:abc", mapping="{}")
    assert [p.name for p in import_mapping.list_profiles(sie=True)] == ["SIE"]
    assert [p.name for p in import_mapping.list_profiles(sie=False)] == ["Kassan"]
    assert len(import_mapping.list_profiles()) == 2
    with pytest.raises(MappingError, match="is for spreadsheets, not for SIE files"):
        import_sie(workspace, sie_file, SieImportOptions(settings=SieSettings(), profile="Kassan"))
    csv = sie_file.with_name("kassan.csv")
    csv.write_text("Månad;Nyckeltal;Värde\n2025-01;REV;5\n", encoding="utf-8")
    with pytest.raises(MappingError, match="is for SIE files, not for spreadsheets"):
        importing.run_import(workspace, csv, importing.ImportOptions(profile="SIE"))
    saved = import_mapping.ProfileData(name="SIE", signature="v1:def")
    with pytest.raises(MappingError), workspace.atomic():
        import_mapping.save_profile(saved)
    assert find_profile("SIE").signature == sie_import.PROFILE_SIGNATURE  # type: ignore[union-attr]


def test_existing_values_are_kept_unless_replaced(workspace, sie_file, tmp_path):
    import_sie(workspace, sie_file, SieImportOptions(create_missing=True))
    changed = write_sie(
        tmp_path / "ny.se",
        sie_text(
            4,
            VOUCHERS.replace("7010 {} 3000.50", "7010 {} 3500.50").replace(
                "1930 {} -3000.50", "1930 {} -3500.50"
            ),
        ),
    )
    kept = import_sie(workspace, changed).result
    assert kept.imported == 0 and kept.skipped > 0
    assert stored()[("STAFF", "Testbolaget AB", "2025-02")] == 3000.5
    replaced = import_sie(workspace, changed, SieImportOptions(on_conflict=OnConflict.REPLACE))
    assert replaced.result.replaced > 0
    assert stored()[("STAFF", "Testbolaget AB", "2025-02")] == 3500.5


def test_a_budget_imports_as_targets_of_the_companys_unit(workspace, tmp_path):
    body = "#PBUDGET 0 202501 3010 {} -5000\n#PBUDGET 0 202502 3010 {} -6000\n"
    body += '#PBUDGET 0 202501 3010 {1 "N"} -2000\n' + VOUCHERS
    path = write_sie(tmp_path / "budget.se", sie_text(4, body))
    result = import_sie(
        workspace, path, SieImportOptions(into=Into.TARGETS, create_missing=True)
    ).result
    assert result.stored
    rows = {
        (kpi, unit, period): value
        for kpi, unit, period, value in models.Target.select(
            models.Target.kpi, models.Target.unit, models.Target.period, models.Target.value
        ).tuples()
    }
    rev = kpis()["REV"].id
    assert rows[(rev, root_unit_id(), "2025-01")] == 5000.0
    assert rows[(rev, root_unit_id(), "2025-02")] == 6000.0
    north = models.Unit.get(models.Unit.name == "Nord").id
    assert rows[(rev, north, "2025-01")] == 2000.0
    assert not stored()


def test_monthly_figures_go_into_a_yearly_kpi_as_whole_years_only(workspace, tmp_path):
    create_kpi(workspace, KpiData(code="REV", name="Oms", frequency="year"))
    months = "".join(
        f"#PSALDO 0 2025{m:02d} 3010 {{}} -{m}00\n#PSALDO -1 2024{m:02d} 3010 {{}} -1\n"
        for m in range(1, 13)
    )
    months = months.replace("#PSALDO 0 202512 3010 {} -1200\n", "")
    path = write_sie(tmp_path / "ar.se", sie_text(2, months))
    result = import_sie(workspace, path).result
    assert result.stored
    assert stored() == {("REV", "Testbolaget AB", "2024"): 12.0}
    assert any("whole" in note.text for note in result.notes)


def test_yearly_figures_do_not_go_into_a_monthly_kpi(workspace, tmp_path):
    create_kpi(workspace, KpiData(code="REV", name="Oms"))
    path = write_sie(tmp_path / "typ1.se", sie_text(1, "#RES 0 3010 -100\n"))
    result = import_sie(workspace, path).result
    assert not stored() and not result.problems
    assert any("month" in note.text for note in result.notes)


def test_a_type_1_file_creates_yearly_kpis(workspace, tmp_path):
    path = write_sie(tmp_path / "typ1.se", sie_text(1, "#RES 0 3010 -100\n#UB 0 1930 5\n"))
    import_sie(workspace, path, SieImportOptions(create_missing=True))
    assert kpis()["REV"].frequency == PeriodKind.YEAR.value
    assert stored()[("REV", "Testbolaget AB", "2025")] == 100.0


def test_a_preview_needs_no_workspace(sie_file):
    preview = preview_sie(sie_file)
    summary = preview.summary()
    assert summary["sie_type"] == "4" and summary["vouchers"] == 3
    assert summary["periods"] == ["2025-01", "2025-02"]
    assert summary["account_ranges"]["REV"] == "3000–3799"


def test_the_library_picker_makes_gp_calculated_when_rev_and_cogs_exist(workspace):
    from kpidesk.domain.kpi_library import load_library

    library = load_library()
    add_from_library(workspace, [library.by_code("GM")], language="en")
    assert kpis()["GM"].formula == ""  # GP and REV are not there: measured
    add_from_library(workspace, [library.by_code(c) for c in ("REV", "COGS", "GP")], language="en")
    assert kpis()["GP"].formula == "REV - COGS"


def test_a_large_import_is_backed_up_and_folded_back_after_its_transaction(workspace, tmp_path):
    objects = "".join(f'#OBJEKT 1 "K{n}" "Kst {n}"\n' for n in range(300))
    vouchers = "".join(
        f'#VER A {m}{n} 2025{m:02d}05\n{{\n#TRANS 3010 {{1 "K{n}"}} -100\n'
        f'#TRANS 4010 {{1 "K{n}"}} 40\n#TRANS 1930 {{}} 60\n}}\n'
        for m in range(1, 13)
        for n in range(300)
    )
    path = write_sie(tmp_path / "stor.se", sie_text(4, objects + vouchers))
    result = import_sie(workspace, path, SieImportOptions(create_missing=True)).result
    assert result.stored and result.imported > sie_import.BACKUP_THRESHOLD
    assert result.imported == len(stored())
    assert result.backup is not None and result.backup.is_file()
