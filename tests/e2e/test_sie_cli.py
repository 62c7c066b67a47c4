"""``kpidesk import WORKSPACE FILE.se`` as a user runs it: the issue's "done when" on the real
files, JSON and exit codes as for spreadsheets, one-line errors, undo, account ranges."""

from __future__ import annotations

import csv
import io
import json
import re
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest

from tests.e2e.test_import_cli import kpidesk, one_json, one_line_error
from tests.unit.sie_samples import FILES, VOUCHERS, sie_text, write_sie

needs_corpus = pytest.mark.skipif(not FILES.is_dir(), reason="the SIE corpus is not there")
SPREADSHEET_KEYS = {
    "rows_read",
    "imported",
    "skipped",
    "batch_id",
    "problems",
    "problem_count",
    "replaced",
    "ignored",
    "valid",
    "values_read",
    "sheet",
    "layout",
    "into",
    "dry_run",
    "created_kpis",
    "created_units",
    "new_kpis",
    "roll_ups",
    "notes",
}
RANGES = {
    "REV": (3000, 3799, -1),
    "COGS": (4000, 4999, 1),
    "STAFF": (7000, 7699, 1),
    "EBIT": (3000, 7999, -1),
}


def new_workspace(tmp_path: Path, name: str = "ws.kpidesk") -> Path:
    path = tmp_path / name
    result = kpidesk("new", path, "--name", "Övningsbolaget")
    assert result.returncode == 0, result.stderr
    return path


def exported(workspace: Path) -> dict[tuple[str, str, str], Decimal]:
    out = workspace.with_suffix(".csv")
    out.unlink(missing_ok=True)
    result = kpidesk("export", workspace, "--csv", out)
    assert result.returncode == 0, result.stderr
    rows = csv.DictReader(io.StringIO(out.read_text(encoding="utf-8")))
    return {(r["kpi_code"], r["unit"], r["period"]): Decimal(r["value"]) for r in rows}


def period_balance_sums(name: str) -> dict[tuple[str, str], Decimal]:
    """The file's own #PSALDO rows without objects, summed per KPI and month."""
    pattern = re.compile(r"^\s*#PSALDO\s+-?\d+\s+(\d{4})(\d\d)\s+(\d+)\s+\{\s*\}\s+(-?[\d.]+)")
    sums: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for line in (FILES / name).read_bytes().decode("cp437").splitlines():
        found = pattern.match(line)
        if found:
            year, month, account, amount = found.groups()
            for code, (low, high, sign) in RANGES.items():
                if low <= int(account) <= high:
                    sums[(code, f"{year}-{month}")] += sign * Decimal(amount)
    return sums


@needs_corpus
def test_done_when_period_balances_and_vouchers_give_the_same_months(tmp_path):
    workspace = new_workspace(tmp_path)
    result = kpidesk("import", workspace, FILES / "periodsaldo_ovnbolag.se", "--create-missing")
    assert result.returncode == 0, result.stderr
    values = exported(workspace)
    expected = period_balance_sums("periodsaldo_ovnbolag.se")
    company = {
        (code, period): value
        for (code, unit, period), value in values.items()
        if unit == "Övningsbolaget" and code in RANGES
    }
    months = {period for _code, period in expected}
    assert len(months) == 15
    for code in RANGES:
        for month in months:
            assert company[(code, month)] == expected.get((code, month), Decimal(0)), (code, month)
    assert len(company) == 4 * len(months)

    other = new_workspace(tmp_path, "other.kpidesk")
    result = kpidesk("import", other, FILES / "transaktioner_ovnbolag.se", "--create-missing")
    assert result.returncode == 0, result.stderr
    theirs = exported(other)
    overlap = [key for key in values if key in theirs and key[0] in RANGES]
    assert len(overlap) >= 4 * 3
    assert all(values[key] == theirs[key] for key in overlap)


@needs_corpus
def test_bl0001_types_2_3_and_4_agree_through_the_command_line(tmp_path):
    found = []
    for kind in (2, 3, 4):
        workspace = new_workspace(tmp_path, f"typ{kind}.kpidesk")
        result = kpidesk("import", workspace, FILES / f"BL0001_typ{kind}.SE", "--create-missing")
        assert result.returncode == 0, result.stderr
        found.append(
            {
                key[::2]: value
                for key, value in exported(workspace).items()
                if key[1] == "Övningsbolaget" and key[0] in RANGES
            }
        )
    assert found[0] == found[1] == found[2]
    assert len(found[0]) == 4 * 12


@needs_corpus
def test_json_is_the_spreadsheets_with_what_the_file_holds(tmp_path):
    workspace = new_workspace(tmp_path)
    result = kpidesk(
        "import", workspace, FILES / "typ3.se", "--create-missing", "--dry-run", "--json"
    )
    data = one_json(result)
    assert result.returncode == 0
    assert set(data) == SPREADSHEET_KEYS | {"sie"}
    assert data["dry_run"] is True and data["batch_id"] is None and data["imported"] > 0
    assert data["layout"] is None and data["into"] == "actuals"
    assert data["sie"]["sie_type"] == "3" and data["sie"]["source"] == "period_balances"
    assert "Anders Olsson" in data["sie"]["units"]
    assert any("2011" in note for note in data["notes"])
    assert exported(workspace) == {}


@needs_corpus
def test_a_web_page_named_se_is_a_one_line_error_naming_the_line(tmp_path):
    workspace = new_workspace(tmp_path)
    line = one_line_error(kpidesk("import", workspace, FILES / "BokSald.SE"), 3)
    assert "BokSald.SE" in line and "line 1" in line and "SIE" in line
    data = one_json(kpidesk("import", workspace, FILES / "HAS4i_1412.si", "--json"))
    assert "HAS4i_1412.si" in data["error"]


@needs_corpus
def test_a_voucher_that_does_not_balance_stops_the_import_and_names_it(tmp_path):
    workspace = new_workspace(tmp_path)
    name = "transaktioner_ovnbolag-bad-balance.se"
    result = kpidesk("import", workspace, FILES / name, "--create-missing", "--json")
    data = one_json(result)
    assert result.returncode == 1 and data["batch_id"] is None
    [problem] = data["problems"]
    assert problem["sheet"] == name and problem["value"] == "B 1"
    line = (FILES / name).read_bytes().splitlines()[problem["row"] - 1]
    assert line.startswith(b"#VER") and b"B 1" in line.replace(b'"', b"")
    assert exported(workspace) == {}
    result = kpidesk("import", workspace, FILES / name, "--create-missing", "--skip-invalid")
    assert result.returncode == 0, result.stderr
    assert "line" in result.stderr and "B 1" in result.stderr


def test_an_import_is_undone_and_the_account_ranges_are_kept(tmp_path):
    workspace = new_workspace(tmp_path)
    sie = write_sie(tmp_path / "bok.se", sie_text(4, VOUCHERS))
    result = kpidesk(
        "import",
        workspace,
        sie,
        "--create-missing",
        "--accounts",
        "REV=3000-3099",
        "--accounts",
        "LON=7010:debit",
        "--json",
    )
    data = one_json(result)
    assert result.returncode == 0 and data["imported"] > 0
    assert data["sie"]["account_ranges"]["LON"] == "7010"
    values = exported(workspace)
    assert values[("LON", "Övningsbolaget", "2025-02")] == Decimal("3000.5")
    assert values[("REV", "Nord", "2025-01")] == Decimal("10000")
    undone = kpidesk("import", workspace, "--undo", str(data["batch_id"]))
    assert undone.returncode == 0, undone.stderr
    assert exported(workspace) == {}
    again = one_json(kpidesk("import", workspace, sie, "--create-missing", "--json"))
    assert again["sie"]["account_ranges"]["LON"] == "7010"  # from the profile


def test_usage_errors(tmp_path):
    workspace = new_workspace(tmp_path)
    sie = write_sie(tmp_path / "bok.se", sie_text(4, VOUCHERS))
    line = one_line_error(kpidesk("import", workspace, sie, "--accounts", "REV=tre"), 2)
    assert "tre" in line
    one_line_error(kpidesk("import", workspace, sie, "--sheet", "Blad1"), 2)
    one_line_error(kpidesk("import", workspace, sie, "--unit", "Ingen sådan"), 2)
    csv_file = tmp_path / "data.csv"
    csv_file.write_text("Månad;Nyckeltal;Värde\n2025-01;REV;5\n", encoding="utf-8")
    one_line_error(kpidesk("import", workspace, csv_file, "--accounts", "REV=3000"), 2)
    data = json.loads(kpidesk("import", workspace, sie, "--dimension", "x", "--json").stdout)
    assert "error" in data
