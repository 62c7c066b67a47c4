"""Random small workbooks into the importer: only KPI Desk's own errors may come out."""

from datetime import date

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kpidesk.domain.errors import DomainError
from kpidesk.services.importing import ImportOptions, run_import
from kpidesk.store.workspace import Workspace

cells = st.one_of(
    st.none(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.dates(date(1990, 1, 1), date(2040, 12, 31)),
    st.sampled_from(
        [
            "Period",
            "Månad",
            "KPI",
            "Nyckeltal",
            "Enhet",
            "Värde",
            "Summa",
            "jan",
            "mars 2026",
            "Q1 2026",
            "v. 12 2026",
            "2026-03",
            "Omsättning (kr)",
            "CSAT %",
            "Butik A",
            "#DIV/0!",
            "#N/A",
            "1 234,5",
            "12,5 %",
            "(3)",
            "=1+2",
            "",
        ]
    ),
    st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=12),
)
rows = st.lists(st.lists(cells, min_size=1, max_size=6), min_size=1, max_size=8)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(rows=rows, sheet_name=st.sampled_from(["Data", "Budget 2026", "Blad1"]))
def test_random_workbooks_give_records_or_domain_errors(tmp_path, rows, sheet_name):
    path = tmp_path / "random.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = sheet_name
    for row in rows:
        sheet.append(
            [c if not (isinstance(c, str) and c.startswith("=")) else "'" + c for c in row]
        )
    book.save(path)
    workspace_path = tmp_path / "fuzz.kpidesk"
    workspace_path.unlink(missing_ok=True)
    with Workspace.create(workspace_path, "Fuzz") as workspace:
        try:
            result = run_import(workspace, path, ImportOptions(dry_run=True, skip_invalid=True))
        except DomainError:
            return
        assert result.imported >= 0
    for leftover in tmp_path.glob("fuzz.kpidesk*"):
        leftover.unlink()


def test_the_fuzzer_can_see_a_crash(tmp_path, monkeypatch):
    """The test above would fail on a non-domain exception: prove it by planting one."""
    from kpidesk.services.importing import run

    def broken(*args, **kwargs):
        raise KeyError("planted")

    monkeypatch.setattr(run, "read_records", broken)
    path = tmp_path / "x.xlsx"
    openpyxl.Workbook().save(path)
    with Workspace.create(tmp_path / "w.kpidesk", "W") as workspace, pytest.raises(KeyError):
        run_import(workspace, path, ImportOptions(dry_run=True))
