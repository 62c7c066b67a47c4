"""``kpidesk import`` as a user runs it: golden workbooks in, exact values out, exit codes,
one JSON object on stdout, undo."""

from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[1] / "data" / "import"


def kpidesk(*args, timeout=180):
    env = dict(os.environ)
    env.setdefault("LANGUAGE", "en")
    return subprocess.run(
        [sys.executable, "-m", "kpidesk.cli", *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
    )


def one_json(result) -> dict:
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1, result.stdout
    return json.loads(lines[0])


def one_line_error(result, code: int) -> str:
    assert result.returncode == code, (result.returncode, result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


def values(workspace: Path) -> set[tuple[str, str, str, float, str]]:
    """(KPI code, unit, period, value, comment) of every stored measurement, via the CLI."""
    out = workspace.parent / "out.csv"
    out.unlink(missing_ok=True)
    result = kpidesk("export", workspace, "--csv", out)
    assert result.returncode == 0, result.stderr
    rows = csv.DictReader(io.StringIO(out.read_text(encoding="utf-8")))
    return {(r["kpi_code"], r["unit"], r["period"], float(r["value"]), r["comment"]) for r in rows}


def targets(workspace: Path) -> set[tuple[str, str | None, str, float]]:
    connection = sqlite3.connect(f"file:{workspace}?mode=ro", uri=True)
    try:
        rows = connection.execute(
            "SELECT kpi.code, unit.name, target.period, target.value FROM target"
            " JOIN kpi ON kpi.id = target.kpi_id LEFT JOIN unit ON unit.id = target.unit_id"
        ).fetchall()
    finally:
        connection.close()
    return set(rows)


def kpis(workspace: Path) -> dict[str, tuple[str, str, str, str]]:
    """code → (name, unit of measure, frequency, aggregation over time)."""
    connection = sqlite3.connect(f"file:{workspace}?mode=ro", uri=True)
    try:
        rows = connection.execute(
            "SELECT code, name, measure_unit, frequency, time_aggregation FROM kpi"
        ).fetchall()
    finally:
        connection.close()
    return {row[0]: row[1:] for row in rows}


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    path = tmp_path / "work" / "test.kpidesk"
    path.parent.mkdir()
    result = kpidesk("new", path, "--name", "Test AB")
    assert result.returncode == 0, result.stderr
    return path


LONG_SV = {
    ("REV", "Sthlm", "2026-01", 1234.5, "Rea"),
    ("KUNDER", "Sthlm", "2026-01", 312.0, ""),
    ("ANDEL_NOJDA", "Sthlm", "2026-01", 81.5, ""),
    ("REV", "Sthlm", "2026-02", 2000.25, ""),
    ("KUNDER", "Sthlm", "2026-02", 1024.0, "samma butik"),
    ("ANDEL_NOJDA", "Gbg", "2026-02", 81.5, ""),
}


def test_problems_stop_the_whole_import_with_exit_1(workspace):
    result = kpidesk("import", workspace, DATA / "long_sv.xlsx", "--create-missing", "--json")
    assert result.returncode == 1
    data = one_json(result)
    assert data["imported"] == 0 and data["batch_id"] is None and data["rows_read"] == 11
    assert data["problems"] == [
        {
            "sheet": "Data",
            "row": 11,
            "column": "D",
            "value": "#N/A",
            "reason": "The cell holds the Excel error #N/A.",
        },
        {
            "sheet": "Data",
            "row": 13,
            "column": "D",
            "value": "tolv",
            "reason": "“tolv” is not a number.",
        },
        {
            "sheet": "Data",
            "row": 14,
            "column": "A",
            "value": "Q5 2026",
            "reason": "“Q5 2026” is not a period.",
        },
    ]
    assert values(workspace) == set()
    assert kpis(workspace) == {}  # nothing created either

    plain = kpidesk("import", workspace, DATA / "long_sv.xlsx", "--create-missing")
    assert plain.returncode == 1 and plain.stdout == ""
    assert "Data!D11: The cell holds the Excel error #N/A." in plain.stderr
    assert plain.stderr.strip().splitlines()[-1].startswith("kpidesk: Nothing was imported")


def test_skip_invalid_with_create_missing_imports_exactly(workspace):
    result = kpidesk(
        "import",
        workspace,
        DATA / "long_sv.xlsx",
        "--create-missing",
        "--skip-invalid",
        "--json",
    )
    assert result.returncode == 0, result.stderr
    data = one_json(result)
    assert (data["rows_read"], data["imported"], data["skipped"]) == (11, 6, 0)
    assert isinstance(data["batch_id"], int)
    assert len(data["problems"]) == 3
    assert data["created_kpis"] == ["Omsättning", "Kunder", "Andel nöjda"]
    assert data["created_units"] == ["Sthlm", "Gbg"]
    assert values(workspace) == LONG_SV
    assert kpis(workspace) == {
        "REV": ("Omsättning", "currency", "month", "sum"),
        "KUNDER": ("Kunder", "count", "month", "sum"),
        "ANDEL_NOJDA": ("Andel nöjda", "percent", "month", "average"),
    }

    again = one_json(
        kpidesk("import", workspace, DATA / "long_sv.xlsx", "--skip-invalid", "--json")
    )
    assert (again["imported"], again["skipped"]) == (0, 6)


def test_replace_undo_and_list(workspace):
    first = one_json(
        kpidesk(
            "import",
            workspace,
            DATA / "long_sv.xlsx",
            "--create-missing",
            "--skip-invalid",
            "--json",
        )
    )
    replaced = kpidesk(
        "import",
        workspace,
        DATA / "long_sv.xlsx",
        "--skip-invalid",
        "--on-conflict",
        "replace",
    )
    assert replaced.returncode == 0, replaced.stderr
    assert replaced.stdout.splitlines()[0] == (
        "Imported 6 values; 6 of them replaced stored values; 3 values with problems were left out."
    )
    listed = kpidesk("import", workspace, "--list")
    assert listed.returncode == 0
    assert len(listed.stdout.strip().splitlines()) == 2

    second_id = first["batch_id"] + 1
    undone = one_json(kpidesk("import", workspace, "--undo", second_id, "--json"))
    assert (undone["removed"], undone["restored"]) == (6, 6)
    assert values(workspace) == LONG_SV
    undone = kpidesk("import", workspace, "--undo", first["batch_id"])
    assert undone.returncode == 0
    assert "removed 6 values" in undone.stdout
    assert values(workspace) == set()
    assert kpis(workspace) == {}
    assert "undone" in kpidesk("import", workspace, "--list").stdout
    again = kpidesk("import", workspace, "--undo", first["batch_id"])
    assert "was undone already" in one_line_error(again, 1)
    assert "no import number 99" in one_line_error(kpidesk("import", workspace, "--undo", 99), 2)


def test_a_budget_sheet_into_targets(workspace):
    kpidesk("import", workspace, DATA / "long_sv.xlsx", "--create-missing", "--skip-invalid")
    result = kpidesk(
        "import",
        workspace,
        DATA / "across_budget.xlsx",
        "--sheet",
        "Budget 2026",
        "--into",
        "targets",
        "--create-missing",
        "--json",
    )
    assert result.returncode == 0, result.stderr
    data = one_json(result)
    assert (data["imported"], data["skipped"], data["problems"]) == (26, 0, [])
    assert data["created_kpis"] == ["Kostnader"]
    got = targets(workspace)
    assert len(got) == 26
    assert ("REV", "Sthlm", "2026-03", 300.0) in got
    assert ("KOSTNADER", "Sthlm", "2026-12", 50.0) in got
    assert ("REV", "Gbg", "2026-02", 20.5) in got
    assert values(workspace) == LONG_SV  # actual values untouched

    forecast = one_json(
        kpidesk(
            "import",
            workspace,
            DATA / "across_budget.xlsx",
            "--sheet",
            "Prognos",
            "--into",
            "targets",
            "--create-missing",
            "--skip-invalid",
            "--json",
        )
    )
    assert forecast["imported"] == 5
    assert ("SICK_LEAVE", None, "2027-01", 4.5) in targets(workspace)  # every unit


def test_wide_layout_values_without_a_unit_and_a_chosen_unit(workspace):
    result = kpidesk(
        "import",
        workspace,
        DATA / "wide.xlsx",
        "--create-missing",
        "--skip-invalid",
        "--json",
    )
    data = one_json(result)
    assert data["layout"] == "wide" and data["imported"] == 10
    assert ("CONV", "Norr", "2026-03", 27.5, "") in values(workspace)
    assert kpis(workspace)["CONV"][1] == "percent"
    assert kpis(workspace)["REV"][1] == "currency"

    prognos = kpidesk(
        "import",
        workspace,
        DATA / "across_budget.xlsx",
        "--sheet",
        "Prognos",
        "--unit",
        "Norr",
        "--create-missing",
        "--skip-invalid",
        "--json",
    )
    assert one_json(prognos)["imported"] == 5
    assert ("NPS", "Norr", "2027-02", 42.0, "") in values(workspace)
    root = kpidesk(
        "import",
        workspace,
        DATA / "across_budget.xlsx",
        "--sheet",
        "Prognos",
        "--on-conflict",
        "replace",
        "--skip-invalid",
        "--json",
    )
    assert one_json(root)["imported"] == 5
    assert ("NPS", "Test AB", "2027-02", 42.0, "") in values(workspace)  # the top unit


def test_months_without_a_year_need_year(workspace):
    result = kpidesk(
        "import", workspace, DATA / "across_budget.xlsx", "--sheet", "Utan år", "--json"
    )
    assert result.returncode == 1
    (problem,) = one_json(result)["problems"]
    assert (problem["sheet"], problem["row"], problem["column"]) == ("Utan år", 1, "B")
    assert "have no year" in problem["reason"]
    result = kpidesk(
        "import",
        workspace,
        DATA / "across_budget.xlsx",
        "--sheet",
        "Utan år",
        "--layout",
        "across",
        "--year",
        "2024",
        "--create-missing",
    )
    assert result.returncode == 0, result.stderr
    assert values(workspace) == {
        ("KUNDER", "Test AB", "2024-01", 1.0, ""),
        ("KUNDER", "Test AB", "2024-02", 2.0, ""),
    }


def test_csv_and_ods(workspace, tmp_path):
    data = one_json(
        kpidesk(
            "import",
            workspace,
            DATA / "semicolon_cp1252.csv",
            "--create-missing",
            "--skip-invalid",
            "--json",
        )
    )
    assert data["imported"] == 3 and len(data["problems"]) == 1
    assert ("CSAT", "Malmö", "2026-02", 81.5, "") in values(workspace)

    # Omsättning is monthly now: the quarterly values of the .ods are one problem.
    data = one_json(kpidesk("import", workspace, DATA / "across_quarters.ods", "--json"))
    wrong = [p for p in data["problems"] if "measured by month" in p["reason"]]
    assert [(p["row"], p["column"]) for p in wrong] == [(4, "B")]
    assert wrong[0]["reason"] == (
        "Omsättning is measured by month, but the file holds 2 values by quarter "
        "(Q1 2026 – Q2 2026), which cannot be split by month."
    )

    other = tmp_path / "other.kpidesk"
    assert kpidesk("new", other).returncode == 0
    data = one_json(
        kpidesk(
            "import",
            other,
            DATA / "across_quarters.ods",
            "--create-missing",
            "--skip-invalid",
            "--json",
        )
    )
    assert data["imported"] == 4
    assert data["problems"][0]["value"] == "#DIV/0!"
    assert values(other) == {
        ("REV", "other", "2026-Q1", 100.0, ""),
        ("REV", "other", "2026-Q2", 110.5, ""),
        ("MARGINAL", "other", "2026-Q1", 12.5, ""),  # percentage cells
        ("MARGINAL", "other", "2026-Q3", 14.0, ""),
    }
    assert kpis(other)["MARGINAL"][1:3] == ("percent", "quarter")


def test_dry_run_stores_nothing(workspace):
    result = kpidesk(
        "import",
        workspace,
        DATA / "wide.xlsx",
        "--create-missing",
        "--skip-invalid",
        "--dry-run",
        "--json",
    )
    assert result.returncode == 0
    data = one_json(result)
    assert data["dry_run"] and data["imported"] == 10 and data["batch_id"] is None
    assert values(workspace) == set() and kpis(workspace) == {}
    stopped = kpidesk(
        "import", workspace, DATA / "wide.xlsx", "--create-missing", "--dry-run", "--json"
    )
    assert stopped.returncode == 1  # a dry run with problems


def test_a_profile_keeps_the_choices(workspace):
    first = kpidesk(
        "import",
        workspace,
        DATA / "across_budget.xlsx",
        "--sheet",
        "Utan år",
        "--layout",
        "across",
        "--year",
        "2025",
        "--unit",
        "Test AB",
        "--create-missing",
        "--profile",
        "Utan år-profil",
    )
    assert first.returncode == 0, first.stderr
    again = kpidesk(
        "import",
        workspace,
        DATA / "across_budget.xlsx",
        "--profile",
        "Utan år-profil",
        "--json",
    )
    data = one_json(again)
    assert again.returncode == 0, again.stdout
    assert (data["sheet"], data["layout"], data["skipped"]) == ("Utan år", "across", 2)


def test_errors_are_one_line_with_the_exit_codes(workspace, tmp_path):
    result = kpidesk("import", workspace, DATA / "junk.xlsx", "--json")
    assert result.returncode == 3
    assert one_json(result) == {"error": "junk.xlsx is not a spreadsheet KPI Desk can read."}
    line = one_line_error(kpidesk("import", workspace, DATA / "junk.xlsx"), 3)
    assert line == "kpidesk: junk.xlsx is not a spreadsheet KPI Desk can read."
    missing = kpidesk("import", workspace, tmp_path / "nothing.xlsx", "--json")
    assert missing.returncode == 3 and "does not exist" in one_json(missing)["error"]

    assert "no unit named" in one_line_error(
        kpidesk("import", workspace, DATA / "wide.xlsx", "--unit", "Atlantis"), 2
    ).casefold().replace("there is ", "")
    assert "no sheet named" in one_line_error(
        kpidesk("import", workspace, DATA / "wide.xlsx", "--sheet", "Nej"), 2
    )
    assert "usage error" in one_line_error(kpidesk("import", workspace), 2)
    assert "usage error" in one_line_error(
        kpidesk("import", workspace, DATA / "wide.xlsx", "--layout", "diagonal"), 2
    )
    bad_json = kpidesk("import", workspace, DATA / "wide.xlsx", "--sheet", "Nej", "--json")
    assert bad_json.returncode == 2 and "error" in one_json(bad_json)
    not_a_workspace = kpidesk("import", DATA / "wide.xlsx", DATA / "wide.xlsx")
    assert not_a_workspace.returncode == 3
