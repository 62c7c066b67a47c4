"""A new user's first hour on the command line: a chain's own workbook into a new workspace,
the kinds inferred, a weekly sheet rolled up into months, and ``make run`` without a display
saying so in one line."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.first_hour import write_chain_workbook

ROOT = Path(__file__).resolve().parents[2]


def kpidesk(*args, language: str = "en", timeout: int = 180) -> subprocess.CompletedProcess:
    env = dict(os.environ, LANGUAGE=language)
    return subprocess.run(
        [sys.executable, "-m", "kpidesk.cli", *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
    )


def one_json(result: subprocess.CompletedProcess) -> dict:
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1, result.stdout
    return json.loads(lines[0])


@pytest.fixture
def chain(tmp_path):
    workspace = tmp_path / "kedjan.kpidesk"
    assert kpidesk("new", workspace, "--name", "Kedjan AB", language="sv").returncode == 0
    return workspace, write_chain_workbook(tmp_path / "kedjan.xlsx")


def test_the_dry_run_reports_exactly_the_kpis_and_units_the_real_run_creates(chain):
    workspace, book = chain
    dry = one_json(kpidesk("import", workspace, book, "--create-missing", "--dry-run", "--json"))
    real = one_json(kpidesk("import", workspace, book, "--create-missing", "--json"))
    assert dry["dry_run"] and not real["dry_run"]
    for key in ("created_kpis", "created_units", "new_kpis", "imported"):
        assert dry[key] == real[key], key
    assert dry["created_units"] == ["Umeå", "Luleå", "Skellefteå"]
    kinds = {k["name"]: (k["measure_unit"], k["time_aggregation"]) for k in real["new_kpis"]}
    assert kinds["Omsättning"] == ("currency", "sum")
    assert kinds["Snittköp"] == ("currency", "average")
    assert kinds["NPS"] == ("score", "average")
    assert kinds["Andel nöjda"] == ("percent", "average")


def test_a_weekly_sheet_is_explained_once_and_rolled_up_on_request(chain):
    workspace, book = chain
    kpidesk("import", workspace, book, "--create-missing")
    result = kpidesk("import", workspace, book, "--sheet", "Vecka", language="sv")
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert lines == [
        "Vecka!C2: Omsättning mäts per månad, men filen har 39 värden per vecka "
        "(v. 1 2025 – v. 13 2025); räkna samman dem per månad (summa) för att importera dem "
        "(--roll-up).",
        "kpidesk: Inget importerades: 1 problem. 0 av 39 värden är giltiga; rätta problemet, "
        "eller importera bara de giltiga värdena.",
    ]
    rolled = one_json(
        kpidesk(
            "import",
            workspace,
            book,
            "--sheet",
            "Vecka",
            "--roll-up",
            "--on-conflict",
            "replace",
            "--json",
        )
    )
    assert rolled["imported"] == 9 and rolled["problems"] == []
    (roll_up,) = rolled["roll_ups"]
    assert roll_up == {
        "kpi": "Omsättning",
        "values": 39,
        "from": "week",
        "to": "month",
        "aggregation": "sum",
        "first": "2025-W01",
        "last": "2025-W13",
        "rolled_up": True,
        "made": 9,
        "partial": [],
    }


def test_check_of_a_damaged_file_speaks_one_language(chain, tmp_path):
    workspace, _book = chain
    damaged = tmp_path / "skadad.kpidesk"
    shutil.copyfile(workspace, damaged)
    with damaged.open("r+b") as stream:
        stream.truncate(damaged.stat().st_size // 2)
    # a file cut short: its header promises more pages than there are
    result = kpidesk("check", damaged, language="sv")
    assert result.returncode == 3
    (line,) = result.stderr.strip().splitlines()
    assert "är skadad" in line
    assert not any(word in line for word in ("file is", "bytes", "expected", "malformed"))


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_run_without_a_display_prints_exactly_one_line():
    if not (ROOT / ".venv" / "bin" / "kpidesk").exists():
        pytest.skip("needs the project's .venv (make venv)")
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM", "MAKEFLAGS", "MFLAGS")
    }
    env["LANGUAGE"] = "en"
    result = subprocess.run(
        ["make", "--no-print-directory", "run"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    lines = (result.stdout + result.stderr).strip().splitlines()
    assert lines == [
        "kpidesk: no display: KPI Desk needs a graphical desktop (set DISPLAY, or use the "
        "command line: kpidesk --help)."
    ]
